import { describe, expect, it } from "vitest";
import { GeminiError, GenerateContentResponse, retryDelaySeconds } from "../../../../worker/protocols/gemini/wire.ts";

describe("GenerateContentResponse", () => {
  it("reads a whole reply as the reference shows it, unknown members passed through", () => {
    const body = {
      candidates: [
        {
          content: { parts: [{ text: "AI learns from data.", thoughtSignature: "c2ln" }], role: "model" },
          finishReason: "STOP",
          index: 0,
          safetyRatings: [{ category: "HARM_CATEGORY_SEXUALLY_EXPLICIT", probability: "NEGLIGIBLE" }],
          citationMetadata: { citationSources: [{ startIndex: 1, endIndex: 9, uri: "https://example.com" }] },
          avgLogprobs: -0.12,
        },
      ],
      usageMetadata: {
        promptTokenCount: 8,
        candidatesTokenCount: 5,
        totalTokenCount: 40,
        thoughtsTokenCount: 27,
        cachedContentTokenCount: 4,
        promptTokensDetails: [{ modality: "TEXT", tokenCount: 8 }],
      },
      modelVersion: "gemini-2.5-flash",
      responseId: "mAitaJ6aBeKv",
    };
    const r = GenerateContentResponse.parse(body);
    expect(r).toEqual(body);
    expect(r.candidates?.[0]?.content?.parts?.[0]?.thoughtSignature).toBe("c2ln");
  });

  it("reads function calls with their object args and optional id, and a blocked prompt without candidates", () => {
    const call = GenerateContentResponse.parse({ candidates: [{ content: { role: "model", parts: [{ functionCall: { name: "get_weather", args: { city: "Paris" }, id: "fc-1" } }] }, finishReason: "STOP" }] });
    expect(call.candidates?.[0]?.content?.parts?.[0]?.functionCall).toEqual({ name: "get_weather", args: { city: "Paris" }, id: "fc-1" });
    const blocked = GenerateContentResponse.parse({ promptFeedback: { blockReason: "SAFETY", safetyRatings: [{ category: "HARM_CATEGORY_DANGEROUS_CONTENT", probability: "HIGH" }] }, usageMetadata: { promptTokenCount: 7, totalTokenCount: 7 } });
    expect(blocked.candidates).toBeUndefined();
    expect(blocked.promptFeedback?.blockReason).toBe("SAFETY");
  });

  it("reads finish and block reasons Google adds later as strings", () => {
    expect(GenerateContentResponse.parse({ candidates: [{ finishReason: "SOMETHING_NEW" }] }).candidates?.[0]?.finishReason).toBe("SOMETHING_NEW");
  });

  it("rejects what is not a Gemini reply", () => {
    expect(GenerateContentResponse.safeParse({ candidates: "none" }).success).toBe(false);
    expect(GenerateContentResponse.safeParse({ candidates: [{ finishReason: 1 }] }).success).toBe(false);
    expect(GenerateContentResponse.safeParse({ usageMetadata: { promptTokenCount: -1 } }).success).toBe(false);
    expect(GenerateContentResponse.safeParse({ candidates: [{ content: { parts: [{ functionCall: { name: "f", args: '{"a":1}' } }] } }] }).success).toBe(false);
    expect(GenerateContentResponse.safeParse({ candidates: [{ content: { parts: [{ functionCall: { args: {} } }] } }] }).success).toBe(false);
    expect(GenerateContentResponse.safeParse({ candidates: [{ index: 1.5 }] }).success).toBe(false);
  });
});

describe("GeminiError", () => {
  it("reads Google's error body", () => {
    const body = { error: { code: 429, message: "Resource has been exhausted (e.g. check quota).", status: "RESOURCE_EXHAUSTED", details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "20s" }] } };
    expect(GeminiError.parse(body)).toEqual(body);
    expect(GeminiError.parse({ error: { code: 400, message: "API key not valid.", status: "INVALID_ARGUMENT" } }).error.status).toBe("INVALID_ARGUMENT");
  });

  it("rejects other bodies", () => {
    expect(GeminiError.safeParse({ error: "quota" }).success).toBe(false);
    expect(GeminiError.safeParse({ error: { message: "no code" } }).success).toBe(false);
    expect(GeminiError.safeParse({ candidates: [] }).success).toBe(false);
  });
});

describe("the wait a Gemini error asks for", () => {
  const err = (details: unknown[]) => ({ error: { code: 429, message: "quota", status: "RESOURCE_EXHAUSTED", details } });
  it("reads RetryInfo's retryDelay (a Duration in seconds, fractions kept)", () => {
    expect(retryDelaySeconds(err([{ "@type": "type.googleapis.com/google.rpc.QuotaFailure" }, { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "30s" }]))).toBe(30);
    expect(retryDelaySeconds(err([{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "1.5s" }]))).toBe(1.5);
  });
  it("nothing without a RetryInfo, with a delay that is not a Duration, or for a body that is not an error", () => {
    expect(retryDelaySeconds(err([]))).toBeUndefined();
    expect(retryDelaySeconds(err([{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "soon" }]))).toBeUndefined();
    expect(retryDelaySeconds(err([{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", retryDelay: "3s" }]))).toBeUndefined();
    expect(retryDelaySeconds({ error: "x" })).toBeUndefined();
    expect(retryDelaySeconds(undefined)).toBeUndefined();
  });
});

describe("retryDelaySeconds: edges", () => {
  const err = (details: unknown[]) => ({ error: { code: 429, message: "quota", status: "RESOURCE_EXHAUSTED", details } });
  const retry = (retryDelay: unknown) => ({ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay });

  it("a null detail is passed over", () => {
    expect(retryDelaySeconds(err([null, retry("2s")]))).toBe(2);
  });

  it("the delay must be a whole Duration string: digits, an optional fraction, then s", () => {
    expect(retryDelaySeconds(err([retry("1.25s")]))).toBe(1.25);
    for (const bad of ["x30s", "30sec", ["3s"], 3]) expect(retryDelaySeconds(err([retry(bad)])), JSON.stringify(bad)).toBeUndefined();
  });
});
