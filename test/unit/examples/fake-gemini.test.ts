import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeGemini, type FakeGemini } from "../../../examples/fake-gemini/server.ts";
import { GenerateContentResponse, GeminiError } from "../../../worker/protocols/gemini/wire.ts";

/** examples/fake-gemini: its replies parse as the Gemini wire shapes (worker/protocols/gemini/wire.ts), its failures as Google's error body. */
let fake: FakeGemini;
beforeAll(async () => {
  fake = await startFakeGemini({ apiKey: "k" });
});
afterAll(() => fake.close());
beforeEach(async () => void (await fetch(`${fake.url}/reset`, { method: "POST" })));

const hi = [{ role: "user", parts: [{ text: "hello there" }] }];
const post = (model: string, body: Record<string, unknown>, { stream = false, key = "k" as string | null } = {}) =>
  fetch(`${fake.url}/v1beta/models/${model}:${stream ? "streamGenerateContent?alt=sse" : "generateContent"}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key !== null ? { "x-goog-api-key": key } : {}) },
    body: JSON.stringify({ contents: hi, ...body }),
  });
const reply = async (model: string, body: Record<string, unknown> = {}) => {
  const res = await post(model, body);
  expect(res.status).toBe(200);
  return GenerateContentResponse.parse(await res.json());
};
/** The SSE events of a stream, each parsed (Google ends events with CRLF). */
const events = async (res: Response) => {
  const raw = await res.text();
  expect(raw).toMatch(/\r\n\r\n$/);
  return raw.split("\r\n\r\n").filter(Boolean).map((e) => JSON.parse(e.replace(/^data: /, "")));
};
const failure = async (res: Response, code: number, status: string) => {
  expect(res.status).toBe(code);
  const e = GeminiError.parse(await res.json()).error;
  expect(e).toMatchObject({ code, status });
  return e;
};

describe("fake Gemini API", () => {
  it("answers the text heard with STOP and usage; a cache/thinking model reports cached and thoughts tokens", async () => {
    const r = await reply("m", { systemInstruction: { parts: [{ text: "be brief" }] } });
    expect(r.candidates![0]).toMatchObject({ content: { role: "model", parts: [{ text: "[m] heard: hello there" }] }, finishReason: "STOP", index: 0 });
    expect(r.usageMetadata).toMatchObject({ promptTokenCount: 4, candidatesTokenCount: 4, totalTokenCount: 8 });
    expect((await reply("cache-thinking")).usageMetadata).toMatchObject({ promptTokenCount: 102, cachedContentTokenCount: 100, thoughtsTokenCount: 7, totalTokenCount: 102 + 4 + 7 });
    expect(fake.requests()[0]).toMatchObject({ model: "m", method: "generateContent", headers: { "x-goog-api-key": "k" } });
  });

  it("calls the first function with an id and a thought signature; a function response is answered as text; images and MAX_TOKENS", async () => {
    const tools = [{ functionDeclarations: [{ name: "lookup" }] }];
    const call = (await reply("m", { tools })).candidates![0]!.content!.parts![0]!;
    expect(call).toMatchObject({ functionCall: { id: expect.stringMatching(/^fc_fake/), name: "lookup", args: { heard: "hello there" } }, thoughtSignature: expect.any(String) });
    const back = [...hi, { role: "model", parts: [call] }, { role: "user", parts: [{ functionResponse: { id: call.functionCall!.id, name: "lookup", response: { output: "3 otters" } } }] }];
    expect((await reply("m", { tools, contents: back })).candidates![0]!.content!.parts).toEqual([{ text: "[m] heard: 3 otters" }]);
    const image = await reply("m", { contents: [{ role: "user", parts: [{ text: "look" }, { inlineData: { mimeType: "image/png", data: "AAAA" } }] }] });
    expect(image.candidates![0]!.content!.parts).toEqual([{ text: "[m] heard: look (saw 1 image)" }]);
    expect((await reply("m", { generationConfig: { maxOutputTokens: 2 } })).candidates![0]).toMatchObject({ finishReason: "MAX_TOKENS", content: { parts: [{ text: "[m] heard:" }] } });
  });

  it("streams whole responses, the last with finishReason and usageMetadata; without alt=sse, one JSON array", async () => {
    const evs = await events(await post("m", {}, { stream: true }));
    expect(evs.map((e) => e.candidates[0].content.parts[0].text).join("")).toBe("[m] heard: hello there");
    expect(evs.slice(0, -1).every((e) => !e.candidates[0].finishReason && !e.usageMetadata)).toBe(true);
    expect(evs.at(-1)).toMatchObject({ candidates: [{ finishReason: "STOP" }], usageMetadata: { totalTokenCount: 6 } });
    const array = await (await fetch(`${fake.url}/v1beta/models/m:streamGenerateContent`, { method: "POST", headers: { "x-goog-api-key": "k" }, body: JSON.stringify({ contents: hi }) })).json();
    expect(array).toEqual(evs.map((e) => ({ ...e, responseId: expect.any(String) })));
  });

  it("checks the body as the API does, and the key", async () => {
    expect((await failure(await post("m", { bogus: 1 }), 400, "INVALID_ARGUMENT")).message).toMatch(/Unknown name "bogus"/);
    expect((await failure(await post("m", { contents: [{ role: "assistant", parts: [{ text: "x" }] }] }), 400, "INVALID_ARGUMENT")).message).toMatch(/valid role/);
    const unanswered = [...hi, { role: "model", parts: [{ functionCall: { name: "f", args: {} } }] }, { role: "user", parts: [{ text: "and?" }] }];
    expect((await failure(await post("m", { contents: unanswered }), 400, "INVALID_ARGUMENT")).message).toMatch(/number of function response parts/);
    await failure(await post("m", {}, { key: null }), 403, "PERMISSION_DENIED");
    expect((await failure(await post("m", {}, { key: "wrong" }), 400, "INVALID_ARGUMENT")).message).toMatch(/^API key not valid/);
  });

  it("fails as Gemini does", async () => {
    const limited = await post("fail-429", {});
    expect(limited.headers.get("retry-after")).toBe("1");
    expect((await failure(limited, 429, "RESOURCE_EXHAUSTED")).details).toEqual([expect.objectContaining({ retryDelay: "1s" })]);
    await failure(await post("fail-500", {}), 500, "INTERNAL");
    await failure(await post("fail-503", {}), 503, "UNAVAILABLE");
    await failure(await post("fail-400", {}), 400, "INVALID_ARGUMENT");
    expect(await reply("blocked")).toMatchObject({ promptFeedback: { blockReason: "SAFETY" } });
    expect((await reply("blocked")).candidates).toBeUndefined();
    expect((await reply("unsafe")).candidates![0]).toMatchObject({ finishReason: "SAFETY" });
  });

  it("broken streams: an error event after two responses; an end with no finishReason", async () => {
    const errored = await events(await post("stream-error", {}, { stream: true }));
    expect(errored).toHaveLength(3);
    expect(GeminiError.parse(errored[2]).error.status).toBe("INTERNAL");
    const eof = await events(await post("stream-eof", {}, { stream: true }));
    expect(eof.every((e) => !e.candidates[0].finishReason)).toBe(true);
  });
});
