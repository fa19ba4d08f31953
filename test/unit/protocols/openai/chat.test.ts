import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../../../../worker/routing/hop.ts";
import { completionEvents, lastUserText, messageText, openAIUsage, outputText, sseData, textCompletion } from "../../../../worker/protocols/openai/chat.ts";
import { openAIError } from "../../../../worker/protocols/openai/errors.ts";

const base = { id: "chatcmpl-1", created: 1700000000, model: "units" };
const events = (sse: string) => sse.split("\n\n").filter(Boolean).map((e) => e.replace(/^data: /, ""));

describe("request mapping", () => {
  it("reads the text of string and part contents", () => {
    expect(messageText({ content: "hi" })).toBe("hi");
    expect(messageText({ content: [{ type: "text", text: "a" }, { type: "image_url" }, { type: "text", text: "b" }] })).toBe("a\nb");
    expect(messageText({ content: null })).toBe("");
  });

  it("classifies by the last user message", () => {
    const messages: ChatMessage[] = [
      { role: "system", content: "sys" },
      { role: "user", content: "first" },
      { role: "assistant", content: "ok" },
      { role: "user", content: "second" },
      { role: "assistant", content: "done" },
    ];
    expect(lastUserText(messages)).toBe("second");
    expect(lastUserText([{ role: "system", content: "x" }])).toBeUndefined();
  });
});

describe("response mapping", () => {
  it("wraps a non-chat output as a chat.completion: its text, a string, else JSON; refusal null", () => {
    expect(textCompletion(base, { text: "5 km = 3.1 mi", value: 3.1 }, { inputTokens: 2 })).toEqual({
      id: "chatcmpl-1",
      object: "chat.completion",
      created: 1700000000,
      model: "units",
      choices: [{ index: 0, message: { role: "assistant", content: "5 km = 3.1 mi", refusal: null }, finish_reason: "stop", logprobs: null }],
      usage: { prompt_tokens: 2, completion_tokens: 0, total_tokens: 2 },
    });
    expect(outputText("plain")).toBe("plain");
    expect(outputText({ value: 3 })).toBe('{"value":3}');
    expect(outputText({ text: 5 })).toBe('{"text":5}');
    expect(outputText(null)).toBe("null");
  });

  it("reports usage in OpenAI's names, 0 when unknown", () => {
    expect(openAIUsage({ inputTokens: 3, outputTokens: 4, units: 1 })).toEqual({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 });
    expect(openAIUsage({})).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
  });
});

describe("a whole completion as a stream", () => {
  it("encodes data events and [DONE]", () => {
    expect(sseData({ a: 1 })).toBe('data: {"a":1}\n\n');
    expect(sseData("[DONE]")).toBe("data: [DONE]\n\n");
  });

  it("one content chunk and one finish chunk per choice, then [DONE]; no usage unless asked", () => {
    const plain = completionEvents(textCompletion(base, { text: "hello" }, { inputTokens: 1 }), false).map((e) => events(e)[0]!);
    expect(plain.at(-1)).toBe("[DONE]");
    const [content, finish] = plain.slice(0, -1).map((e) => JSON.parse(e));
    expect(content).toEqual({ id: "chatcmpl-1", object: "chat.completion.chunk", created: 1700000000, model: "units", choices: [{ index: 0, delta: { role: "assistant", content: "hello", refusal: null }, logprobs: null, finish_reason: null }] });
    expect(finish.choices).toEqual([{ index: 0, delta: {}, finish_reason: "stop", logprobs: null }]);
    expect(plain).toHaveLength(3);
  });

  it("with include_usage: usage null on every chunk, the usage chunk last before [DONE]", () => {
    const withUsage = completionEvents(textCompletion(base, { text: "hello" }, { inputTokens: 1, outputTokens: 2 }), true).map((e) => events(e)[0]!);
    expect(withUsage).toHaveLength(4);
    const parsed = withUsage.slice(0, -1).map((e) => JSON.parse(e));
    expect(parsed.slice(0, 2).every((c) => c.usage === null)).toBe(true);
    expect(parsed[2]).toEqual({ id: "chatcmpl-1", object: "chat.completion.chunk", created: 1700000000, model: "units", choices: [], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } });
  });

  it("carries tool calls (with their index), several choices, array content and the upstream's own fields", () => {
    const completion = {
      id: "chatcmpl-up",
      object: "chat.completion",
      created: 5,
      model: "gpt-x",
      system_fingerprint: "fp_1",
      choices: [
        { index: 0, message: { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "f", arguments: "{}" } }] }, finish_reason: "tool_calls" },
        { index: 1, message: { role: "assistant", content: [{ type: "text", text: "a" }, { type: "text", text: "b" }] }, finish_reason: "stop" },
      ],
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    };
    const chunks = completionEvents(completion, false).slice(0, -1).map((e) => JSON.parse(events(e)[0]!));
    expect(chunks).toHaveLength(4);
    expect(chunks.every((c) => c.id === "chatcmpl-up" && c.model === "gpt-x" && c.system_fingerprint === "fp_1")).toBe(true);
    expect(chunks[0].choices[0].delta).toEqual({ role: "assistant", content: null, tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: "f", arguments: "{}" } }] });
    expect(chunks[1].choices[0]).toMatchObject({ index: 0, finish_reason: "tool_calls" });
    expect(chunks[2].choices[0]).toMatchObject({ index: 1, delta: { content: "a\nb" } });
  });
});

describe("OpenAI error shape", () => {
  const p = (slug: string, status: number, errors?: { path: string; message: string }[]) => ({ type: `urn:switchyard:problem:${slug}`, status, detail: "d", ...(errors ? { errors } : {}) });
  it("maps problems to OpenAI's types and codes", () => {
    expect(openAIError(p("bad-request", 400, [{ path: "messages.0.role", message: "x" }]))).toEqual({ error: { message: "d", type: "invalid_request_error", param: "messages.0.role", code: "bad_request" } });
    expect(openAIError(p("bad-request", 400, [{ path: "", message: "x" }])).error.param).toBeNull();
    expect(openAIError(p("unauthorized", 401)).error).toMatchObject({ type: "authentication_error", code: "invalid_api_key", param: null });
    expect(openAIError(p("model-not-found", 404)).error).toMatchObject({ type: "invalid_request_error", code: "model_not_found", param: "model" });
    expect(openAIError(p("unknown-specialist", 404)).error.code).toBe("model_not_found");
    expect(openAIError(p("rate-limited", 429)).error).toMatchObject({ type: "rate_limit_error", code: "rate_limit_exceeded" });
    expect(openAIError(p("specialist-failed", 502)).error).toMatchObject({ type: "server_error", code: "specialist_failed" });
    expect(openAIError(p("no-healthy-specialist", 503)).error.code).toBe("no_healthy_specialist");
    expect(openAIError(p("specialist-timeout", 504)).error.code).toBe("specialist_timeout");
    expect(openAIError(p("unsupported-field", 400, [{ path: "tools", message: "x" }])).error).toMatchObject({ type: "invalid_request_error", code: "unsupported_parameter", param: "tools" });
    expect(openAIError(p("specialist-refused", 422)).error).toMatchObject({ type: "invalid_request_error", code: "specialist_refused" });
  });
});
