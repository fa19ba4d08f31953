import { describe, expect, it } from "vitest";
import { candidateParts, chatLogprobs, finishReason } from "../../../../worker/protocols/gemini/reply.ts";

describe("reply: edges", () => {
  it("a length or safety stop stays one when the candidate called functions", () => {
    expect(finishReason({ finishReason: "MAX_TOKENS" }, true, "candidates.0")).toEqual({ ok: true, value: "length" });
    expect(finishReason({ finishReason: "SAFETY" }, true, "candidates.0")).toEqual({ ok: true, value: "content_filter" });
  });

  it("a part whose other members are all null carries nothing; a part Chat Completions cannot carry is named", () => {
    expect(candidateParts({ content: { parts: [{ inlineData: null, thought: true }, { text: "a" }] } }, "candidates.0")).toEqual({ ok: true, value: { text: "a", calls: [] } });
    expect(candidateParts({ content: { parts: [{ executableCode: { code: "1" } }] } }, "candidates.0")).toEqual({
      ok: false,
      param: "candidates.0.content.parts.0.executableCode",
      detail: "Chat Completions has no place for Gemini's 'executableCode' part",
    });
  });

  it("chatLogprobs: missing tokens are empty, missing probabilities 0, missing lists empty", () => {
    expect(chatLogprobs({})).toEqual({ content: [], refusal: null });
    expect(chatLogprobs({ chosenCandidates: [{}, { token: "a", logProbability: -1 }], topCandidates: [{}] })).toEqual({
      content: [
        { token: "", logprob: 0, bytes: [], top_logprobs: [] },
        { token: "a", logprob: -1, bytes: [97], top_logprobs: [] },
      ],
      refusal: null,
    });
  });
});
