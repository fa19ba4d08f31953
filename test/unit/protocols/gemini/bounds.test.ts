import { describe, expect, it } from "vitest";
import { chatToGenerateContent } from "../../../../worker/protocols/gemini/translate.ts";

const hi = [{ role: "user", content: "hi" }];
const generationConfig = (chat: Record<string, unknown>) => {
  const r = chatToGenerateContent({ messages: hi, ...chat });
  if (!r.ok) throw new Error(`refused ${r.param}: ${r.detail}`);
  return r.value.generationConfig;
};
/** A refusal: its param, and a detail that names it. */
const refusal = (chat: Record<string, unknown>) => {
  const r = chatToGenerateContent({ messages: hi, ...chat });
  if (r.ok) throw new Error(`not refused: ${JSON.stringify(r.value)}`);
  expect(r.detail).toContain(r.param.split(".").at(-1));
  return r;
};

describe("Gemini: numbers outside what the field means are refused, never sent", () => {
  it("max_tokens and max_completion_tokens must be positive integers (at most Number.MAX_SAFE_INTEGER)", () => {
    for (const key of ["max_tokens", "max_completion_tokens"])
      for (const bad of [-5, 0, 1.5, 1e300]) {
        const r = refusal({ [key]: bad });
        expect(r.param).toBe(key);
        expect(r.detail).toContain("must be a positive integer");
      }
    expect(generationConfig({ max_tokens: 1 })).toEqual({ maxOutputTokens: 1 });
    expect(generationConfig({ max_completion_tokens: 65536 })).toEqual({ maxOutputTokens: 65536 });
  });

  it("temperature within 0–2 and top_p within 0–1 (Gemini's ranges); n a positive integer; top_logprobs within 0–20", () => {
    for (const [key, bad] of [["temperature", -0.1], ["temperature", 2.5], ["top_p", -1], ["top_p", 1.5], ["n", 0], ["n", -2], ["top_logprobs", 21]] as const) {
      const r = refusal({ [key]: bad, ...(key === "top_logprobs" ? { logprobs: true } : {}) });
      expect(r.param, `${key} ${bad}`).toBe(key);
    }
    expect(generationConfig({ temperature: 0, top_p: 1 })).toEqual({ temperature: 0, topP: 1 });
    expect(generationConfig({ temperature: 2, top_p: 0 })).toEqual({ temperature: 2, topP: 0 });
    expect(generationConfig({ n: 2, logprobs: true, top_logprobs: 20 })).toEqual({ candidateCount: 2, responseLogprobs: true, logprobs: 20 });
  });
});

describe("Gemini: a tool's own members", () => {
  it("an unknown member at the top of a tool is refused naming tools.N.<member>, as a function's are", () => {
    const r = refusal({ tools: [{ type: "function", function: { name: "f" }, zzz: 1 }] });
    expect(r.param).toBe("tools.0.zzz");
    expect(refusal({ tools: [{ type: "function", function: { name: "f", zzz: 1 } }] }).param).toBe("tools.0.function.zzz");
    expect(chatToGenerateContent({ messages: hi, tools: [{ type: "function", function: { name: "f" }, zzz: null }] }).ok).toBe(true);
  });
});

describe("Gemini: a message without content", () => {
  it("a user, system, developer or tool message without content is refused naming messages.N.content, never left out", () => {
    expect(chatToGenerateContent({ messages: [{ role: "user" }, ...hi] })).toMatchObject({ ok: false, param: "messages.0.content" });
    expect(chatToGenerateContent({ messages: [{ role: "system", content: null }, ...hi] })).toMatchObject({ ok: false, param: "messages.0.content" });
    expect(chatToGenerateContent({ messages: [...hi, { role: "assistant" }, ...hi] })).toMatchObject({ ok: false, param: "messages.1.content" });
    const call = { id: "c1", type: "function", function: { name: "f", arguments: "{}" } };
    expect(chatToGenerateContent({ messages: [...hi, { role: "assistant", content: null, tool_calls: [call] }, { role: "tool", tool_call_id: "c1" }] })).toMatchObject({ ok: false, param: "messages.2.content" });
    expect(chatToGenerateContent({ messages: [...hi, { role: "assistant", content: null, tool_calls: [call] }, { role: "tool", tool_call_id: "c1", content: "" }] }).ok).toBe(true);
  });
});
