import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../../../worker/adapters/types.ts";
import { chunk, lastUserText, messageText, openAIUsage, outputText, replyEvents, replyOf, rewriteChunk, sseData, usageChunk } from "../../../worker/openai/chat.ts";
import { openAIError } from "../../../worker/openai/errors.ts";
import { chunksToSse, streamError } from "../../../worker/openai/stream.ts";

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
  it("wraps a non-chat output: its text, a string, else JSON", () => {
    expect(replyOf({ text: "5 km = 3.1 mi", value: 3.1 }, false)).toEqual({ message: { role: "assistant", content: "5 km = 3.1 mi" }, finishReason: "stop" });
    expect(outputText("plain")).toBe("plain");
    expect(outputText({ value: 3 })).toBe('{"value":3}');
    expect(outputText({ text: 5 })).toBe('{"text":5}');
    expect(outputText(null)).toBe("null");
  });

  it("keeps a chat model's own message and finish reason", () => {
    const out = { text: "", message: { role: "assistant", content: null, tool_calls: [{ id: "t" }] }, finishReason: "tool_calls" };
    expect(replyOf(out, true)).toEqual({ message: { role: "assistant", content: null, tool_calls: [{ id: "t" }] }, finishReason: "tool_calls" });
  });

  it("reports usage in OpenAI's names, 0 when unknown", () => {
    expect(openAIUsage({ inputTokens: 3, outputTokens: 4, units: 1 })).toEqual({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 });
    expect(openAIUsage({})).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
  });
});

describe("SSE chunks", () => {
  it("encodes data events and [DONE]", () => {
    expect(sseData({ a: 1 })).toBe('data: {"a":1}\n\n');
    expect(sseData("[DONE]")).toBe("data: [DONE]\n\n");
  });

  it("streams a whole reply as one content chunk, a finish chunk, usage if asked, [DONE]", () => {
    const reply = replyOf({ text: "hello" }, false);
    const plain = replyEvents(base, reply, { inputTokens: 1 }, false).map((e) => events(e)[0]!);
    expect(plain.at(-1)).toBe("[DONE]");
    const [content, finish] = plain.slice(0, -1).map((e) => JSON.parse(e));
    expect(content).toEqual(chunk(base, { role: "assistant", content: "hello" }));
    expect(content).toMatchObject({ id: "chatcmpl-1", object: "chat.completion.chunk", created: 1700000000, model: "units" });
    expect(finish.choices).toEqual([{ index: 0, delta: {}, finish_reason: "stop", logprobs: null }]);
    const withUsage = replyEvents(base, reply, { inputTokens: 1, outputTokens: 2 }, true);
    expect(withUsage).toHaveLength(4);
    expect(JSON.parse(events(withUsage[2]!)[0]!)).toEqual(usageChunk(base, { inputTokens: 1, outputTokens: 2 }));
  });

  it("rewrites only the model of an upstream chunk, and hides usage the client did not ask for", () => {
    const up = { id: "u1", object: "chat.completion.chunk", created: 5, model: "gpt-x", system_fingerprint: "fp", choices: [{ index: 0, delta: { content: "a" }, finish_reason: null }], usage: null };
    expect(rewriteChunk(up, "chat", true)).toEqual({ ...up, model: "chat" });
    const { usage: _u, ...noUsage } = up;
    expect(rewriteChunk(up, "chat", false)).toEqual({ ...noUsage, model: "chat" });
    const usageOnly = { id: "u1", object: "chat.completion.chunk", created: 5, model: "gpt-x", choices: [], usage: { prompt_tokens: 1, completion_tokens: 1 } };
    expect(rewriteChunk(usageOnly, "chat", false)).toBeNull();
    expect(rewriteChunk(usageOnly, "chat", true)).toMatchObject({ model: "chat", usage: { prompt_tokens: 1 } });
  });

  it("pipes upstream chunks to SSE, and ends a broken stream with an error event", async () => {
    const ok = new ReadableStream({ start: (c) => (c.enqueue({ choices: [{ delta: { content: "x" } }], model: "m" }), c.enqueue({ choices: [], usage: { prompt_tokens: 1, completion_tokens: 1 } }), c.close()) });
    const out = await new Response(chunksToSse(ok, "chat", false, Promise.resolve({ ok: true, output: null, usage: {} }))).text();
    expect(events(out)).toEqual([JSON.stringify({ choices: [{ delta: { content: "x" } }], model: "chat" }), "[DONE]"]);
    const broken = new ReadableStream({ start: (c) => (c.enqueue({ choices: [], model: "m" }), c.error(new Error("boom"))) });
    const failure = { kind: "timeout" as const, detail: "the stream did not finish before the deadline" };
    const text = await new Response(chunksToSse(broken, "chat", true, Promise.resolve({ ok: false, failure }))).text();
    const last = events(text).at(-1)!;
    expect(JSON.parse(last)).toEqual(streamError("chat", failure));
    expect(JSON.parse(last).error).toMatchObject({ type: "server_error", code: "specialist_timeout" });
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
  });
});
