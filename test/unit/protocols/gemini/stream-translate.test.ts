import { describe, expect, it } from "vitest";
import { GenerateContentStream, type GeminiChunk } from "../../../../worker/protocols/gemini/stream-translate.ts";
import { GenerateContentResponse } from "../../../../worker/protocols/gemini/wire.ts";

const o = { id: "chatcmpl-hop1", created: 1767225600, model: "gemini-2.5-flash" };
const head = { ...o, object: "chat.completion.chunk" };

/** Pushes every event (parsed as the adapter would); the chunks, or throws at a failure. */
function run(s: GenerateContentStream, events: unknown[]): GeminiChunk[] {
  return events.flatMap((e) => {
    const r = s.push(GenerateContentResponse.parse(e));
    if (!r.ok) throw new Error(`${r.param}: ${r.detail}`);
    return r.value;
  });
}
const text = (t: string, extra: Record<string, unknown> = {}) => ({ candidates: [{ content: { role: "model", parts: [{ text: t }] }, index: 0, ...extra }], modelVersion: "gemini-2.5-flash", responseId: "r1" });
const choice = (index: number, delta: unknown, finish_reason: string | null = null, logprobs: unknown = null) => ({ index, delta, logprobs, finish_reason });

describe("a streamed text answer", () => {
  it("role on the first chunk, one chunk per event, the finish reason in its own chunk, complete at the end", () => {
    const s = new GenerateContentStream({ ...o, includeUsage: false });
    const chunks = run(s, [text("The quick"), text(" brown fox"), text(" jumps.", { finishReason: "STOP" })]);
    expect(chunks).toEqual([
      { ...head, choices: [choice(0, { role: "assistant", content: "The quick" })] },
      { ...head, choices: [choice(0, { content: " brown fox" })] },
      { ...head, choices: [choice(0, { content: " jumps." })] },
      { ...head, choices: [choice(0, {}, "stop")] },
    ]);
    expect(s.end()).toEqual({ complete: true, chunks: [] });
  });

  it("with includeUsage: usage null on every chunk, then one usage chunk with the last usageMetadata and no choices", () => {
    const s = new GenerateContentStream({ ...o, includeUsage: true });
    const chunks = run(s, [
      { ...text("Hi"), usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 1, totalTokenCount: 6 } },
      { ...text("!", { finishReason: "STOP" }), usageMetadata: { promptTokenCount: 5, cachedContentTokenCount: 2, candidatesTokenCount: 2, thoughtsTokenCount: 7, totalTokenCount: 14 } },
    ]);
    expect(chunks.every((c) => c.usage === null)).toBe(true);
    const usage = { prompt_tokens: 5, completion_tokens: 9, total_tokens: 14, prompt_tokens_details: { cached_tokens: 2 }, completion_tokens_details: { reasoning_tokens: 7 } };
    expect(s.usage).toEqual(usage);
    expect(s.end()).toEqual({ complete: true, chunks: [{ ...head, choices: [], usage }] });
  });

  it("without includeUsage no chunk has a usage member, yet the usage is known", () => {
    const s = new GenerateContentStream({ ...o, includeUsage: false });
    const chunks = run(s, [{ ...text("x", { finishReason: "STOP" }), usageMetadata: { promptTokenCount: 1, candidatesTokenCount: 1, totalTokenCount: 2 } }]);
    expect(chunks.some((c) => "usage" in c)).toBe(false);
    expect(s.usage?.total_tokens).toBe(2);
  });

  it("an event with nothing new (empty text, a bare thought signature, thoughts) gives no chunk", () => {
    const s = new GenerateContentStream({ ...o, includeUsage: false });
    expect(run(s, [text(""), { candidates: [{ content: { parts: [{ text: "thinking…", thought: true }, { thoughtSignature: "c2ln" }] } }] }, { usageMetadata: { promptTokenCount: 3 } }])).toEqual([]);
    expect(run(s, [text("Hi", { finishReason: "STOP" })])[0]!.choices[0]!.delta).toEqual({ role: "assistant", content: "Hi" });
  });

  it("a usage event after the finish changes nothing; the usage chunk takes its numbers", () => {
    const s = new GenerateContentStream({ ...o, includeUsage: true });
    run(s, [text("ok", { finishReason: "STOP" })]);
    expect(run(s, [{ candidates: [{ content: { parts: [{ text: "" }] }, finishReason: "STOP" }], usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 1, totalTokenCount: 5 } }])).toEqual([]);
    const end = s.end();
    expect(end.complete && end.chunks[0]!.usage?.total_tokens).toBe(5);
  });

  it("logprobs come with their text's chunk", () => {
    const s = new GenerateContentStream({ ...o, includeUsage: false });
    const [chunk] = run(s, [text("A", { logprobsResult: { chosenCandidates: [{ token: "A", logProbability: -0.2 }], topCandidates: [{ candidates: [{ token: "A", logProbability: -0.2 }] }] } })]);
    expect(chunk!.choices[0]!.logprobs).toEqual({ content: [{ token: "A", logprob: -0.2, bytes: [65], top_logprobs: [{ token: "A", logprob: -0.2, bytes: [65] }] }], refusal: null });
  });
});

describe("streamed function calls", () => {
  it("each call a whole tool_calls delta, its index counted across the stream, ids kept or made; STOP → tool_calls", () => {
    const s = new GenerateContentStream({ ...o, includeUsage: false });
    const chunks = run(s, [
      { candidates: [{ content: { role: "model", parts: [{ text: "Checking both." }, { functionCall: { name: "get_weather", args: { city: "Paris" }, id: "fc-1" }, thoughtSignature: "c2ln" }] } }], responseId: "r7" },
      { candidates: [{ content: { role: "model", parts: [{ functionCall: { name: "get_time", args: { tz: "CET" } } }] }, finishReason: "STOP" }], responseId: "r7" },
    ]);
    expect(chunks).toEqual([
      {
        ...head,
        choices: [
          choice(0, {
            role: "assistant",
            content: "Checking both.",
            tool_calls: [{ index: 0, id: "fc-1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' }, extra_content: { google: { thought_signature: "c2ln" } } }],
          }),
        ],
      },
      { ...head, choices: [choice(0, { tool_calls: [{ index: 1, id: "call_r7_0_1", type: "function", function: { name: "get_time", arguments: '{"tz":"CET"}' } }] })] },
      { ...head, choices: [choice(0, {}, "tool_calls")] },
    ]);
    expect(s.end()).toEqual({ complete: true, chunks: [] });
  });

  it("makes ids from the chunk id when Gemini sends no responseId", () => {
    const s = new GenerateContentStream({ ...o, includeUsage: false });
    const [chunk] = run(s, [{ candidates: [{ content: { parts: [{ functionCall: { name: "now" } }] }, finishReason: "STOP" }] }]);
    expect(chunk!.choices[0]!.delta.tool_calls).toEqual([{ index: 0, id: "call_chatcmpl-hop1_0_0", type: "function", function: { name: "now", arguments: "{}" } }]);
  });
});

describe("how a stream ends", () => {
  it("a stream cut before a finishReason is not complete (the adapter reports it truncated)", () => {
    const s = new GenerateContentStream({ ...o, includeUsage: true });
    run(s, [text("The quick"), text(" brown")]);
    expect(s.end()).toEqual({ complete: false, detail: "the Gemini stream ended before candidate 0 had a finishReason" });
  });

  it("a stream with no candidate at all is not complete", () => {
    const s = new GenerateContentStream({ ...o, includeUsage: false });
    run(s, [{ usageMetadata: { promptTokenCount: 3 } }]);
    expect(s.end()).toEqual({ complete: false, detail: "the Gemini stream ended before any candidate" });
  });

  it("MAX_TOKENS → length; a safety stop → content_filter, with a role chunk first when nothing came before", () => {
    const s = new GenerateContentStream({ ...o, includeUsage: false });
    expect(run(s, [text("Once upon", { finishReason: "MAX_TOKENS" })]).map((c) => c.choices[0]!.finish_reason)).toEqual([null, "length"]);
    const blocked = new GenerateContentStream({ ...o, includeUsage: false });
    expect(run(blocked, [{ candidates: [{ finishReason: "SAFETY", index: 0, safetyRatings: [{ category: "HARM_CATEGORY_HARASSMENT", probability: "HIGH", blocked: true }] }] }])).toEqual([
      { ...head, choices: [choice(0, { role: "assistant" })] },
      { ...head, choices: [choice(0, {}, "content_filter")] },
    ]);
    expect(blocked.end().complete).toBe(true);
  });

  it("a blocked prompt is a failure, and stays one", () => {
    const s = new GenerateContentStream({ ...o, includeUsage: false });
    const blocked = { promptFeedback: { blockReason: "PROHIBITED_CONTENT" }, usageMetadata: { promptTokenCount: 12, totalTokenCount: 12 } };
    const failure = { ok: false, param: "promptFeedback.blockReason", detail: "Gemini blocked the prompt (PROHIBITED_CONTENT)" };
    expect(s.push(GenerateContentResponse.parse(blocked))).toEqual(failure);
    expect(s.push(GenerateContentResponse.parse(text("late")))).toEqual(failure);
    expect(s.end()).toEqual({ complete: false, detail: failure.detail });
  });

  it("a finish reason with no usable answer mid-stream is a failure naming it", () => {
    const s = new GenerateContentStream({ ...o, includeUsage: false });
    run(s, [text("Let me call")]);
    expect(s.push(GenerateContentResponse.parse({ candidates: [{ finishReason: "MALFORMED_FUNCTION_CALL", finishMessage: "bad call" }] }))).toEqual({
      ok: false,
      param: "candidates.0.finishReason",
      detail: "Gemini ended the candidate with MALFORMED_FUNCTION_CALL: bad call",
    });
    expect(s.end().complete).toBe(false);
  });

  it("more of a candidate after its finish reason is a failure", () => {
    const s = new GenerateContentStream({ ...o, includeUsage: false });
    run(s, [text("Done.", { finishReason: "STOP" })]);
    expect(s.push(GenerateContentResponse.parse(text("And more")))).toMatchObject({ ok: false, param: "candidates.0" });
  });

  it("a part Chat Completions cannot carry is a failure naming it", () => {
    const s = new GenerateContentStream({ ...o, includeUsage: false });
    expect(s.push(GenerateContentResponse.parse({ candidates: [{ content: { parts: [{ inlineData: { mimeType: "image/png", data: "iVBO" } }] } }] }))).toMatchObject({
      ok: false,
      param: "candidates.0.content.parts.0.inlineData",
    });
  });
});

describe("several candidates", () => {
  it("keep their own index, role, call count and finish; complete only when every one has finished", () => {
    const s = new GenerateContentStream({ ...o, includeUsage: false });
    const chunks = run(s, [
      { candidates: [{ index: 0, content: { parts: [{ text: "A" }] } }, { index: 1, content: { parts: [{ functionCall: { name: "f", id: "x" } }] } }] },
      { candidates: [{ index: 1, content: { parts: [{ functionCall: { name: "g", id: "y" } }] }, finishReason: "STOP" }] },
    ]);
    expect(chunks.map((c) => [c.choices[0]!.index, c.choices[0]!.delta.role, c.choices[0]!.delta.tool_calls?.map((t) => t.index), c.choices[0]!.finish_reason])).toEqual([
      [0, "assistant", undefined, null],
      [1, "assistant", [0], null],
      [1, undefined, [1], null],
      [1, undefined, undefined, "tool_calls"],
    ]);
    expect(s.end()).toEqual({ complete: false, detail: "the Gemini stream ended before candidate 0 had a finishReason" });
    run(s, [{ candidates: [{ index: 0, content: { parts: [{ text: "B" }] }, finishReason: "STOP" }] }]);
    expect(s.end()).toEqual({ complete: true, chunks: [] });
  });
});

describe("edges", () => {
  it("an event without usageMetadata keeps the usage seen before", () => {
    const s = new GenerateContentStream({ ...o, includeUsage: true });
    run(s, [{ ...text("Hi"), usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 1, totalTokenCount: 6 } }, text("!", { finishReason: "STOP" })]);
    expect(s.end()).toEqual({ complete: true, chunks: [{ ...head, choices: [], usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } } }] });
  });

  it("a block reason beside candidates is not a blocked prompt: the candidates are read", () => {
    const s = new GenerateContentStream({ ...o, includeUsage: false });
    expect(run(s, [{ ...text("Hi", { finishReason: "STOP" }), promptFeedback: { blockReason: "OTHER" } }]).map((c) => c.choices[0]!.delta)).toEqual([{ role: "assistant", content: "Hi" }, {}]);
  });

  it("more of a candidate after its finish reason: the failure names the candidate", () => {
    const s = new GenerateContentStream({ ...o, includeUsage: false });
    run(s, [text("Done.", { finishReason: "STOP" })]);
    expect(s.push(GenerateContentResponse.parse(text("And more")))).toEqual({ ok: false, param: "candidates.0", detail: "Gemini sent more of candidate 0 after its finishReason" });
  });

  it("a cut stream names every candidate still open", () => {
    const s = new GenerateContentStream({ ...o, includeUsage: false });
    run(s, [{ candidates: [{ index: 0, content: { parts: [{ text: "A" }] } }, { index: 1, content: { parts: [{ text: "B" }] } }] }]);
    expect(s.end()).toEqual({ complete: false, detail: "the Gemini stream ended before candidate 0, 1 had a finishReason" });
  });
});
