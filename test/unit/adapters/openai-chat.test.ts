import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "../../../examples/fake-openai/server.ts";
import { openaiChatAdapter } from "../../../worker/adapters/openai-chat.ts";
import { ChatStream, parseChunk } from "../../../worker/adapters/openai-stream.ts";
import { chatBody, usageOf } from "../../../worker/adapters/openai-wire.ts";
import type { SpecialistRequest } from "../../../worker/adapters/types.ts";
import { OpenAIChatEndpoint } from "../../../worker/config/schema.ts";

let fake: FakeOpenAI;
beforeAll(async () => {
  fake = await startFakeOpenAI({ apiKey: "sk-test" });
});
afterAll(() => fake.close());
beforeEach(() => void (fake.requests().length = 0));

const endpoint = (model = "fake-1", extra: Record<string, unknown> = {}) =>
  OpenAIChatEndpoint.parse({ type: "openai-chat", url: `${fake.url}/v1/`, model, apiKeySecret: "OPENAI_KEY", systemPrompt: "Be brief.", pricing: { inputPerMTok: 2, outputPerMTok: 10 }, ...extra });
const request: SpecialistRequest = { input: "what is an otter", idempotencyKey: "k1", traceparent: `00-${"a".repeat(32)}-${"b".repeat(16)}-01`, intent: { id: "in_x", label: "chat", confidence: 0.9 } };
const ctx = (ms = 2000, secrets: Record<string, string> = { OPENAI_KEY: "sk-test" }) => ({ binding: (n: string) => secrets[n], signal: AbortSignal.timeout(ms) });

describe("openai-chat request", () => {
  it("sends the system prompt, then the conversation or one user message", () => {
    expect(chatBody(endpoint(), request, false)).toEqual({ model: "fake-1", messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "what is an otter" }] });
    const messages = [{ role: "user" as const, content: "hi" }, { role: "assistant" as const, content: "yo" }, { role: "user" as const, content: "what is an otter" }];
    expect(chatBody(endpoint(), { ...request, messages }, true)).toEqual({
      model: "fake-1",
      messages: [{ role: "system", content: "Be brief." }, ...messages],
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it("prices tokens per million", () => {
    expect(usageOf({ prompt_tokens: 1000, completion_tokens: 500 }, { inputPerMTok: 2, outputPerMTok: 10 })).toEqual({ inputTokens: 1000, outputTokens: 500, costUsd: 0.007 });
    expect(usageOf({ prompt_tokens: 1, completion_tokens: 2 }, undefined)).toEqual({ inputTokens: 1, outputTokens: 2 });
    expect(usageOf(null, undefined)).toEqual({});
  });
});

describe("openai-chat adapter against a fake OpenAI-compatible API", () => {
  it("calls POST {url}/chat/completions and reads the completion", async () => {
    const out = await openaiChatAdapter.call(endpoint(), request, ctx());
    expect(out).toEqual({
      ok: true,
      output: { text: "[fake-1] heard: what is an otter", message: { role: "assistant", content: "[fake-1] heard: what is an otter", refusal: null }, finishReason: "stop" },
      usage: { inputTokens: 6, outputTokens: 6, costUsd: (6 * 2 + 6 * 10) / 1e6 },
    });
    const [got] = fake.requests();
    expect(got!.path).toBe("/v1/chat/completions");
    expect(got!.headers).toMatchObject({ authorization: "Bearer sk-test", "idempotency-key": "k1", traceparent: request.traceparent, "content-type": "application/json" });
  });

  it("maps every failure like the JSON adapters", async () => {
    const cases: [string, string, number?][] = [
      ["fail-429", "rate_limited", 429],
      ["fail-500", "http_error", 500],
      ["garbage", "bad_response"],
      ["wrong-shape", "bad_response"],
    ];
    for (const [model, kind, status] of cases) {
      const out = await openaiChatAdapter.call(endpoint(model), request, ctx());
      expect(out.ok, model).toBe(false);
      if (!out.ok) {
        expect(out.failure.kind, model).toBe(kind);
        if (status) expect(out.failure.status).toBe(status);
        if (status === 429) expect(out.failure.retryAfterSeconds).toBe(1);
      }
    }
    expect(await openaiChatAdapter.call(endpoint("hang"), request, ctx(200))).toMatchObject({ ok: false, failure: { kind: "timeout" } });
    expect(await openaiChatAdapter.call(endpoint(), request, ctx(2000, { OPENAI_KEY: "wrong" }))).toMatchObject({ ok: false, failure: { kind: "http_error", status: 401 } });
    expect(await openaiChatAdapter.call(endpoint(), request, ctx(2000, {}))).toMatchObject({ ok: false, failure: { kind: "misconfigured" } });
    const closed = OpenAIChatEndpoint.parse({ type: "openai-chat", url: "http://127.0.0.1:9/v1", model: "m" });
    expect(await openaiChatAdapter.call(closed, request, ctx())).toMatchObject({ ok: false, failure: { kind: "unreachable" } });
  });

  it("streams: validated chunks in order, usage settled at the end", async () => {
    const out = await openaiChatAdapter.stream(endpoint(), request, ctx());
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.output).toBeInstanceOf(ChatStream);
    const s = out.output as ChatStream;
    const chunks = [];
    for await (const c of s.chunks) chunks.push(c);
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("")).toBe("[fake-1] heard: what is an otter");
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 6, completion_tokens: 6 } });
    expect(await out.settled).toEqual({ ok: true, output: null, usage: { inputTokens: 6, outputTokens: 6, costUsd: 72 / 1e6 } });
    expect(fake.requests()[0]!.headers.accept).toBe("text/event-stream");
  });

  it("fails before the stream opens like a plain call, and mid-stream through the stream", async () => {
    expect(await openaiChatAdapter.stream(endpoint("fail-429"), request, ctx())).toMatchObject({ ok: false, failure: { kind: "rate_limited", retryAfterSeconds: 1 } });
    expect(await openaiChatAdapter.stream(endpoint("garbage"), request, ctx())).toMatchObject({ ok: false, failure: { kind: "bad_response" } });
    const out = await openaiChatAdapter.stream(endpoint("stream-break"), request, ctx());
    if (!out.ok) throw new Error("expected the stream to open");
    const read = async () => {
      for await (const _ of (out.output as ChatStream).chunks);
    };
    await expect(read()).rejects.toThrow(/not JSON/);
    expect(await out.settled).toMatchObject({ ok: false, failure: { kind: "bad_response" } });
  });

  it("turns SSE data into chunks or failures", () => {
    expect(parseChunk('{"choices":[{"delta":{"content":"a"}}],"extra":1}')).toEqual({ chunk: { choices: [{ delta: { content: "a" } }], extra: 1 } });
    expect(parseChunk("nope")).toMatchObject({ failure: { kind: "bad_response" } });
    expect(parseChunk('{"error":{"message":"overloaded"}}')).toMatchObject({ failure: { kind: "http_error", detail: "upstream error mid-stream: overloaded" } });
    expect(parseChunk('{"choices":"x"}')).toMatchObject({ failure: { kind: "bad_response" } });
  });
});
