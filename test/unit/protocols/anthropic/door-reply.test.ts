import { describe, expect, it } from "vitest";
import { messageEvents, messageText, messageUsage } from "../../../../worker/protocols/anthropic/door-reply.ts";

/** The edges of the Anthropic door's replies: blocks without their members, empty text, counts that are not counts. */
describe("messageText", () => {
  it("only text blocks with string text, joined as they are; no content is no text", () => {
    expect(messageText({})).toBe("");
    expect(messageText({ content: [null, { type: "text", text: "a" }, { type: "tool_use", text: "x" }, { type: "text", text: 5 }, { type: "text", text: "b" }] })).toBe("ab");
  });
});

describe("messageEvents: edges", () => {
  const blocks = (content: unknown[]) => messageEvents({ id: "m", content, usage: { input_tokens: 1, output_tokens: 2 } }).slice(1, -2);

  it("empty or missing text, thinking and signature send no delta; a block that is not an object is an empty text block", () => {
    expect(blocks([{ type: "text", text: "" }, { type: "text" }, { type: "thinking", thinking: "", signature: "" }, { type: "thinking" }, null])).toEqual([
      { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
      { type: "content_block_stop", index: 0 },
      { type: "content_block_start", index: 1, content_block: { type: "text", text: "" } },
      { type: "content_block_stop", index: 1 },
      { type: "content_block_start", index: 2, content_block: { type: "thinking", thinking: "", signature: "" } },
      { type: "content_block_stop", index: 2 },
      { type: "content_block_start", index: 3, content_block: { type: "thinking", thinking: "", signature: "" } },
      { type: "content_block_stop", index: 3 },
      { type: "content_block_start", index: 4, content_block: { type: "text", text: "" } },
      { type: "content_block_stop", index: 4 },
    ]);
  });

  it("a thinking block with only a signature sends only the signature", () => {
    expect(blocks([{ type: "thinking", thinking: "", signature: "sig" }]).filter((e) => e.type === "content_block_delta")).toEqual([{ type: "content_block_delta", index: 0, delta: { type: "signature_delta", signature: "sig" } }]);
  });

  it("no content sends no block; no stop reason is end_turn; a stop sequence is kept; output tokens that are not a number are 0", () => {
    expect(messageEvents({ id: "m", stop_sequence: "END", usage: { output_tokens: "7" } })).toEqual([
      { type: "message_start", message: { id: "m", content: [], stop_reason: null, stop_sequence: null, usage: { output_tokens: 0 } } },
      { type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: "END" }, usage: { output_tokens: 0 } },
      { type: "message_stop" },
    ]);
  });
});

describe("messageUsage: edges", () => {
  it("cache writes count as input; counts that are not finite positive numbers are 0", () => {
    expect(messageUsage({ input_tokens: 10, cache_read_input_tokens: 90, cache_creation_input_tokens: 5, output_tokens: 3 }, undefined)).toEqual({ inputTokens: 105, outputTokens: 3, cachedInputTokens: 90, cacheWriteInputTokens: 5 });
    expect(messageUsage({ input_tokens: "10", cache_read_input_tokens: -4, cache_creation_input_tokens: Infinity, output_tokens: NaN }, undefined)).toEqual({ inputTokens: 0, outputTokens: 0 });
  });
});
