import { describe, expect, it } from "vitest";
import { anthropicUsage, completionToMessage, messageToCompletion } from "../../../../worker/protocols/anthropic/replies.ts";
import type { AnthropicMessage } from "../../../../worker/protocols/anthropic/wire.ts";

/** The edges of the reply translations: blocks without their members, empty text, malformed parts and calls. */
describe("messageToCompletion: edges", () => {
  const message = (extra: Record<string, unknown>) => ({ id: "msg_1", type: "message", role: "assistant", model: "m", content: [], stop_reason: "end_turn", usage: { input_tokens: 1, output_tokens: 1 }, ...extra }) as unknown as AnthropicMessage;

  it("blocks without their text, thinking, id, name or input give empty strings and {}", () => {
    const c = messageToCompletion(message({ content: [{ type: "text" }, { type: "thinking" }, { type: "tool_use" }] }), { created: 1, model: "m" });
    expect(c.choices[0]!.message).toEqual({ role: "assistant", content: "", refusal: null, reasoning_content: "", tool_calls: [{ id: "", type: "function", function: { name: "", arguments: "{}" } }] });
  });

  it("an explanation is a refusal only when the stop reason is refusal; no thinking sends no reasoning_content", () => {
    const c = messageToCompletion(message({ content: [{ type: "text", text: "x" }], stop_details: { type: "refusal", explanation: "why" } }), { created: 1, model: "m" });
    expect(c.choices[0]!.message.refusal).toBeNull();
    expect(c.choices[0]!.message).not.toHaveProperty("reasoning_content");
  });
});

describe("completionToMessage: edges", () => {
  const to = (message: Record<string, unknown>, extra: Record<string, unknown> = {}) => completionToMessage({ choices: [{ message: { role: "assistant", ...message }, finish_reason: "stop" }], ...extra }, { model: "auto" });
  const value = (t: ReturnType<typeof completionToMessage>) => {
    if (!t.ok) throw new Error(t.detail);
    return t.value;
  };

  it("empty content is no block; an empty refusal is no refusal", () => {
    const m = value(to({ content: "", refusal: "" }));
    expect(m.content).toEqual([]);
    expect(m.stop_reason).toBe("end_turn");
    expect(m.stop_details).toBeNull();
  });

  it("a content part other than text and refusal is refused, naming it", () => {
    expect(to({ content: [{ type: "text", text: "a" }, { type: "image_url", image_url: { url: "u" } }] })).toEqual({ ok: false, param: "choices.0.message.content.1", detail: "'choices.0.message.content.1' is not a text part" });
  });

  it("a tool call that is not an object or not a function call is refused", () => {
    for (const call of [null, { type: "custom", function: { name: "f" } }]) {
      expect(to({ tool_calls: [call] }), JSON.stringify(call)).toEqual({ ok: false, param: "choices.0.message.tool_calls.0", detail: "'choices.0.message.tool_calls.0' is not a function tool call" });
    }
  });

  it("a tool call without id, name or arguments: empty strings and {}", () => {
    expect(value(to({ tool_calls: [{ type: "function", function: {} }] })).content).toEqual([{ type: "tool_use", id: "", name: "", input: {}, caller: { type: "direct" } }]);
  });

  it("no id anywhere is an empty id", () => {
    expect(value(to({ content: "x" })).id).toBe("");
    expect(value(to({ content: "x" }, { id: 5 })).id).toBe("");
  });
});

describe("anthropicUsage: edges", () => {
  it("counts that are not finite numbers are 0", () => {
    expect(anthropicUsage({ prompt_tokens: NaN, completion_tokens: Infinity, prompt_tokens_details: { cached_tokens: "3" } })).toMatchObject({ input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0 });
  });
});
