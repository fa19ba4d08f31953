import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ChatCompletion, parseChatCompletion, surelyChatCompletion } from "../../../../worker/protocols/openai/wire.ts";

/** Values around the schema's edges: each member mostly valid, else missing, null, or of another type. */
const anyValue = fc.oneof(fc.constant(undefined), fc.constant(null), fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant([]), fc.constant({}));
/** `valid` most of the time, else any value. */
const mostly = <T,>(valid: fc.Arbitrary<T>) => fc.oneof({ arbitrary: valid, weight: 6 }, { arbitrary: anyValue, weight: 1 });
const count = mostly(fc.oneof(fc.nat(2 ** 31), fc.constantFrom(-1, 2 ** 53, 1.5, Number.NaN)));
const part = mostly(fc.record({ type: mostly(fc.constantFrom("text", "image_url")), text: fc.string() }, { requiredKeys: [] }));
const content = fc.oneof(fc.string(), fc.constant(null), fc.constant(undefined), fc.array(part, { maxLength: 3 }), anyValue);
const message = mostly(fc.record({ role: mostly(fc.constant("assistant")), content, tool_calls: anyValue }, { requiredKeys: ["role"] }));
const choice = mostly(fc.record({ index: fc.nat(3), message, finish_reason: fc.oneof(fc.constant("stop"), anyValue) }, { requiredKeys: ["message"] }));
const details = fc.oneof(fc.record({ cached_tokens: count, cache_creation_tokens: count }, { requiredKeys: [] }), anyValue);
const usage = fc.oneof(fc.record({ prompt_tokens: count, completion_tokens: count, total_tokens: count, prompt_tokens_details: details }, { requiredKeys: ["prompt_tokens", "completion_tokens"] }), anyValue);
const completion = fc.oneof(
  { arbitrary: fc.record({ id: fc.string(), object: fc.constant("chat.completion"), choices: mostly(fc.array(choice, { maxLength: 3 })), usage }, { requiredKeys: ["choices"] }), weight: 8 },
  fc.array(anyValue, { maxLength: 2 }),
  anyValue,
);

describe("surelyChatCompletion: the hot path's check of a chat completion reply", () => {
  it("accepts only what the zod schema accepts, unchanged", () => {
    let accepted = 0;
    fc.assert(
      fc.property(completion, (v) => {
        if (!surelyChatCompletion(v)) return;
        accepted++;
        const z = ChatCompletion.safeParse(v);
        expect(z.success).toBe(true);
        expect(z.data).toEqual(v);
      }),
      { numRuns: 3_000, seed: 13 },
    );
    expect(accepted).toBeGreaterThan(30); // the generator reaches valid replies, not only rejects
  });

  it("accepts a typical completion and returns it without copying", () => {
    const reply = {
      id: "chatcmpl-1",
      object: "chat.completion",
      created: 1,
      model: "m",
      choices: [{ index: 0, message: { role: "assistant", content: [{ type: "text", text: "hi" }], refusal: null }, finish_reason: "stop", logprobs: null }],
      usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4, prompt_tokens_details: { cached_tokens: 0 } },
      system_fingerprint: "fp",
    };
    const r = parseChatCompletion(reply);
    expect(r.success && r.data).toBe(reply);
  });

  it("leaves a reply it does not accept to zod: its verdict and message", () => {
    for (const bad of [{ choices: [] }, { choices: [{ message: { role: 1 } }] }, { choices: [{ message: { role: "assistant" } }], usage: { prompt_tokens: -1, completion_tokens: 0 } }, []]) {
      const r = parseChatCompletion(bad);
      expect(r.success).toBe(false);
      expect(r.success ? undefined : r.error.issues[0]?.message).toBe(ChatCompletion.safeParse(bad).error?.issues[0]?.message);
    }
    // zod accepts what the check is unsure of (a count past 2^53): the reply, as zod read it
    const big = { choices: [{ message: { role: "assistant", content: "x" } }], usage: { prompt_tokens: 2 ** 53, completion_tokens: 0 } };
    expect(surelyChatCompletion(big)).toBe(false);
    expect(parseChatCompletion(big).success).toBe(ChatCompletion.safeParse(big).success);
  });
});
