import { describe, expect, it } from "vitest";
import { chatBodyOf, notSentOf, PLATFORM_FIELDS, translated, translatedOutcome, untranslatable } from "../../../worker/protocols/translation.ts";

describe("translation", () => {
  it("translated and untranslatable", () => {
    expect(translated(1)).toEqual({ ok: true, value: 1 });
    expect(untranslatable("tools.0", "why")).toEqual({ ok: false, param: "tools.0", detail: "why" });
  });

  it("chatBodyOf: the client's chat body when there is one, else the router's conversation, else the input as one user message", () => {
    const chat = { model: "auto", messages: [{ role: "user", content: "hi" }], temperature: 0.2 };
    expect(chatBodyOf({ chat, messages: [{ role: "user", content: "other" }], input: "hi" })).toBe(chat);
    expect(chatBodyOf({ messages: [{ role: "system", content: "S" }, { role: "user", content: "q" }], input: "q" })).toEqual({ messages: [{ role: "system", content: "S" }, { role: "user", content: "q" }] });
    expect(chatBodyOf({ messages: [], input: "5 km in miles" })).toEqual({ messages: [{ role: "user", content: "5 km in miles" }] });
    expect(chatBodyOf({ input: "5 km in miles" })).toEqual({ messages: [{ role: "user", content: "5 km in miles" }] });
  });

  it("notSentOf: the fields among the set that are given (not null), in body order", () => {
    expect(notSentOf({ prompt_cache_key: "k", model: "m", user: "u", safety_identifier: null, prompt_cache_retention: undefined, temperature: 1 }, PLATFORM_FIELDS)).toEqual(["prompt_cache_key", "user"]);
    expect(notSentOf({ model: "m" }, PLATFORM_FIELDS)).toEqual([]);
  });

  it("translatedOutcome: a chat completion's output and priced usage; anything else is a bad response naming the first issue", () => {
    const completion = { id: "c", object: "chat.completion", created: 1, model: "m", choices: [{ index: 0, message: { role: "assistant", content: "hi" }, finish_reason: "stop" }], usage: { prompt_tokens: 1_000_000, completion_tokens: 0, total_tokens: 1_000_000 } };
    const out = translatedOutcome(completion, { inputPerMTok: 2, outputPerMTok: 8 });
    expect(out).toMatchObject({ ok: true, output: { text: "hi", finishReason: "stop", message: { role: "assistant", content: "hi" } }, usage: { inputTokens: 1_000_000, outputTokens: 0, costUsd: 2 } });
    expect(translatedOutcome({ ...completion, choices: "none" }, undefined)).toEqual({ ok: false, failure: { kind: "bad_response", detail: expect.stringMatching(/^translated reply is not a chat completion: choices: /) } });
  });
});
