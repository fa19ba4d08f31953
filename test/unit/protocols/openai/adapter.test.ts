import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "../../../../examples/fake-openai/server.ts";
import { openaiChatAdapter } from "../../../../worker/protocols/openai/adapter.ts";
import { ChatStream } from "../../../../worker/protocols/openai/stream.ts";
import { chatBody, usageOf } from "../../../../worker/protocols/openai/wire.ts";
import type { SpecialistOutcome, SpecialistRequest } from "../../../../worker/routing/hop.ts";
import { OpenAIChatEndpoint } from "../../../../worker/config/schema.ts";

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

const events = (sse: string) => sse.split("\n\n").filter(Boolean).map((e) => e.replace(/^data: /, ""));
const streamText = (out: SpecialistOutcome) => {
  if (!out.ok) throw new Error(`expected the stream to open: ${out.failure.kind} ${out.failure.detail}`);
  return new Response((out.output as ChatStream).body).text();
};
/** How a stream that opened ended; a stream that did not open fails the test. */
const settledOf = (out: SpecialistOutcome) => {
  if (!out.ok || !out.settled) throw new Error("expected an open stream");
  return out.settled;
};
const streamOpts = { idleMs: 300, specialist: "chat" };

describe("openai-chat request", () => {
  it("sends the system prompt, then the conversation or one user message", () => {
    expect(chatBody(endpoint(), request, false)).toEqual({ body: { model: "fake-1", messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "what is an otter" }] }, usageAdded: false });
    const messages = [{ role: "user" as const, content: "hi" }, { role: "assistant" as const, content: "yo" }, { role: "user" as const, content: "what is an otter" }];
    expect(chatBody(endpoint(), { ...request, messages }, true)).toEqual({
      body: { model: "fake-1", messages: [{ role: "system", content: "Be brief." }, ...messages], stream: true, stream_options: { include_usage: true } },
      usageAdded: true,
    });
  });

  it("passes the client's body field for field: only model rewritten, the system prompt first", () => {
    const chat = {
      model: "auto",
      messages: [{ role: "system", content: "client system" }, { role: "user", content: [{ type: "text", text: "hi" }, { type: "image_url", image_url: { url: "data:image/png;base64,AA" } }] }],
      tools: [{ type: "function", function: { name: "f", parameters: {} } }],
      tool_choice: "auto",
      temperature: 0.2,
      seed: 7,
      stop: ["x"],
      x_vendor: { any: true },
      stream: true,
      stream_options: { include_usage: true },
    };
    const { body, usageAdded } = chatBody(endpoint(), { ...request, chat }, true);
    expect(usageAdded).toBe(false);
    expect(body).toEqual({ ...chat, model: "fake-1", messages: [{ role: "system", content: "Be brief." }, ...chat.messages] });
    const whole = chatBody(endpoint(), { ...request, chat }, false).body;
    expect(whole).not.toHaveProperty("stream");
    expect(whole).not.toHaveProperty("stream_options");
    expect(whole.tools).toBe(chat.tools);
  });

  it("prices tokens per million", () => {
    expect(usageOf({ prompt_tokens: 1000, completion_tokens: 500 }, { inputPerMTok: 2, outputPerMTok: 10 })).toEqual({ inputTokens: 1000, outputTokens: 500, costUsd: 0.007 });
    expect(usageOf({ prompt_tokens: 1, completion_tokens: 2 }, undefined)).toEqual({ inputTokens: 1, outputTokens: 2 });
    expect(usageOf(null, undefined)).toEqual({});
  });
});

describe("openai-chat adapter against a fake OpenAI-compatible API", () => {
  it("calls POST {url}/chat/completions and keeps the whole completion", async () => {
    const out = await openaiChatAdapter.call(endpoint(), request, ctx());
    expect(out).toMatchObject({
      ok: true,
      output: { text: "[fake-1] heard: what is an otter", message: { role: "assistant", content: "[fake-1] heard: what is an otter", refusal: null }, finishReason: "stop" },
      usage: { inputTokens: 6, outputTokens: 6, costUsd: (6 * 2 + 6 * 10) / 1e6 },
    });
    if (!out.ok) throw new Error("expected a completion");
    expect((out.output as { completion: Record<string, unknown> }).completion).toMatchObject({ id: expect.stringMatching(/^chatcmpl-fake/), system_fingerprint: "fp_fake", model: "fake-1", object: "chat.completion" });
    const [got] = fake.requests();
    expect(got!.path).toBe("/v1/chat/completions");
    expect(got!.headers).toMatchObject({ authorization: "Bearer sk-test", "idempotency-key": "k1", traceparent: request.traceparent, "content-type": "application/json" });
  });

  it("accepts a reply whose content is an array of parts", async () => {
    const out = await openaiChatAdapter.call(endpoint("parts"), request, ctx());
    expect(out).toMatchObject({ ok: true, output: { text: "[parts] heard: what is an otter", message: { content: [{ type: "text", text: "[parts] heard: what is an otter" }] } } });
  });

  it("maps every failure like the JSON adapters; a 400 is the specialist's refusal, with its OpenAI error", async () => {
    const cases: [string, string, number?][] = [
      ["fail-429", "rate_limited", 429],
      ["fail-500", "http_error", 500],
      ["fail-400", "refused", 400],
      ["garbage", "bad_response"],
      ["wrong-shape", "bad_response"],
    ];
    for (const [model, kind, status] of cases) {
      const failure = { kind, ...(status ? { status } : {}), ...(status === 429 ? { retryAfterSeconds: 1 } : {}) };
      expect(await openaiChatAdapter.call(endpoint(model), request, ctx()), model).toMatchObject({ ok: false, failure });
    }
    expect(await openaiChatAdapter.call(endpoint("fail-400"), request, ctx())).toMatchObject({
      ok: false,
      failure: { upstream: { status: 400, openai: { type: "invalid_request_error", param: "tools[0].function.name", code: "invalid_value" } } },
    });
    expect(await openaiChatAdapter.call(endpoint("hang"), request, ctx(200))).toMatchObject({ ok: false, failure: { kind: "timeout" } });
    expect(await openaiChatAdapter.call(endpoint(), request, ctx(2000, { OPENAI_KEY: "wrong" }))).toMatchObject({ ok: false, failure: { kind: "http_error", status: 401 } });
    expect(await openaiChatAdapter.call(endpoint(), request, ctx(2000, {}))).toMatchObject({ ok: false, failure: { kind: "misconfigured" } });
    const closed = OpenAIChatEndpoint.parse({ type: "openai-chat", url: "http://127.0.0.1:9/v1", model: "m" });
    expect(await openaiChatAdapter.call(closed, request, ctx())).toMatchObject({ ok: false, failure: { kind: "unreachable" } });
  });
});

describe("openai-chat streams", () => {
  it("passes the upstream's events through; usage the router added is taken out; usage settled at the end", async () => {
    const out = await openaiChatAdapter.stream(endpoint(), request, ctx(), streamOpts);
    const data = events(await streamText(out));
    expect(data.at(-1)).toBe("[DONE]");
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("")).toBe("[fake-1] heard: what is an otter");
    expect(chunks.every((c) => c.model === "fake-1" && c.system_fingerprint === "fp_fake" && !("usage" in c) && c.choices.length === 1)).toBe(true);
    expect(await settledOf(out)).toEqual({ ok: true, output: null, usage: { inputTokens: 6, outputTokens: 6, costUsd: 72 / 1e6 } });
    expect(fake.requests()[0]!.headers.accept).toBe("text/event-stream");
    expect(fake.requests()[0]!.body.stream_options).toEqual({ include_usage: true });
  });

  it("passes the stream byte for byte when the client asked for usage itself", async () => {
    const chat = { model: "auto", messages: [{ role: "user", content: "hello there" }], stream: true, stream_options: { include_usage: true } };
    const out = await openaiChatAdapter.stream(endpoint(), { ...request, chat }, ctx(), streamOpts);
    const text = await streamText(out);
    const direct = await (await fetch(`${fake.url}/v1/chat/completions`, { method: "POST", headers: { authorization: "Bearer sk-test" }, body: JSON.stringify({ ...chat, model: "fake-1", messages: [{ role: "system", content: "Be brief." }, ...chat.messages] }) })).text();
    const strip = (t: string) => t.replace(/"id":"chatcmpl-fake\d+"/g, "").replace(/"created":\d+/g, "");
    expect(strip(text)).toBe(strip(direct));
  });

  it("fails before its first content chunk like a plain call (retries and fallbacks apply)", async () => {
    expect(await openaiChatAdapter.stream(endpoint("fail-429"), request, ctx(), streamOpts)).toMatchObject({ ok: false, failure: { kind: "rate_limited", retryAfterSeconds: 1 } });
    expect(await openaiChatAdapter.stream(endpoint("garbage"), request, ctx(), streamOpts)).toMatchObject({ ok: false, failure: { kind: "bad_response" } });
    expect(await openaiChatAdapter.stream(endpoint("stream-error-first"), request, ctx(), streamOpts)).toMatchObject({ ok: false, failure: { kind: "http_error", status: 500 } });
    expect(await openaiChatAdapter.stream(endpoint("hang"), request, ctx(200), streamOpts)).toMatchObject({ ok: false, failure: { kind: "timeout" } });
  });

  const failsAfterStart: [string, string, RegExp][] = [
    ["stream-break", "bad_response", /not a JSON chunk/],
    ["stream-cut", "truncated", /./],
    ["stream-eof", "truncated", /without a finish reason or \[DONE\]/],
    ["stream-stall", "timeout", /stalled: no event for 300 ms/],
  ];
  // the rewriting path (the router added the usage chunk) and the native one (nothing to rewrite)
  for (const wantUsage of [true, false]) {
    const opts = { ...streamOpts, wantUsage };
    for (const [model, kind, detail] of failsAfterStart)
      it(`${model} (${wantUsage ? "rewritten" : "native"}): ends with an error event and no [DONE], settled as ${kind}`, async () => {
        const out = await openaiChatAdapter.stream(endpoint(model), request, ctx(), opts);
        const data = events(await streamText(out));
        expect(data).not.toContain("[DONE]");
        // before the one error event, chunks only: a garbage event never reaches the client, on either path
        expect(data.slice(0, -1).map((d) => (JSON.parse(d) as { object?: string }).object)).toEqual(data.slice(0, -1).map(() => "chat.completion.chunk"));
        const last = JSON.parse(data.at(-1)!) as { error: { type: string; message: string } };
        expect(last.error.type).toBe("server_error");
        expect(last.error.message).toMatch(detail);
        expect(data.length).toBeGreaterThan(1);
        expect(await settledOf(out)).toMatchObject({ ok: false, failure: { kind } });
      });

    it(`adds [DONE] to a stream that finished without it (${wantUsage ? "rewritten" : "native"})`, async () => {
      const out = await openaiChatAdapter.stream(endpoint("stream-no-done"), request, ctx(), opts);
      expect(events(await streamText(out)).at(-1)).toBe("[DONE]");
      expect(await settledOf(out)).toMatchObject({ ok: true });
    });

    it(`a client that goes away mid-stream aborts the upstream at once (${wantUsage ? "rewritten" : "native"})`, async () => {
      await fetch(`${fake.url}/reset`, { method: "POST" });
      const out = await openaiChatAdapter.stream(endpoint("stream-slow"), request, ctx(), { ...opts, idleMs: 5000 });
      if (!out.ok) throw new Error("expected the stream to open");
      const reader = (out.output as ChatStream).body.getReader();
      await reader.read();
      await reader.cancel("gone");
      expect(await out.settled).toMatchObject({ ok: false, failure: { kind: "client_closed" } });
      await expect.poll(async () => ((await (await fetch(`${fake.url}/aborts`)).json()) as { aborted: number }).aborted, { timeout: 2000 }).toBe(1);
    });
  }

  it("without the usage it needs, the router does not ask for it: the client's stream is the upstream's, byte for byte", async () => {
    const chat = { model: "auto", messages: [{ role: "user", content: "hello there" }], stream: true };
    const out = await openaiChatAdapter.stream(endpoint(), { ...request, chat }, ctx(), { ...streamOpts, wantUsage: false });
    const text = await streamText(out);
    expect(fake.requests()[0]!.body).not.toHaveProperty("stream_options");
    expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
    expect(text).not.toContain("usage");
  });

});
