import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import worker from "../../../../worker/index.ts";
import type { Env } from "../../../../worker/env.ts";
import { AUTH, configWith } from "../../helpers.ts";

/**
 * The OpenAI front door as a faithful carrier (issue 10): fields pass through, replies
 * come back unchanged, requests no specialist can honour are refused, and streams that
 * fail are failures (for the client, metrics, traces and breakers).
 */
const fakeUrl = () => inject("openaiUrl");
const CONFIG = configWith((c) => {
  // openai-chat specialists only: the translated chat models (claude, gemini: vision by default) would be able candidates for the capability routing checked here
  c.specialists = c.specialists.filter((s) => s.endpoint.type !== "anthropic" && s.endpoint.type !== "gemini");
  const chat = c.specialists.find((s) => s.id === "chat")!;
  const ep = chat.endpoint as { type: "openai-chat"; url: string; model: string };
  const llm = (id: string, model: string, extra: Record<string, unknown> = {}) => c.specialists.push({ ...chat, id, endpoint: { ...ep, model }, ...extra });
  llm("chat-error-first", "stream-error-first", { fallbacks: ["chat"] });
  llm("chat-cut", "stream-cut", { breaker: false });
  llm("chat-break", "stream-break", { breaker: false });
  llm("chat-eof", "stream-eof", { breaker: { failureThreshold: 2, windowMs: 60_000, openMs: 60_000, halfOpenProbes: 1 } });
  llm("chat-stall", "stream-stall", { streamIdleTimeoutMs: 300, breaker: false });
  llm("chat-slow", "stream-slow", { limits: { concurrency: 3 }, streamIdleTimeoutMs: 5_000 });
  llm("chat-hang", "hang", { timeoutMs: 10_000, limits: { concurrency: 3 } });
  llm("chat-vision", "fake-vision", { capabilities: { vision: true } });
  llm("chat-small", "fake-small", { capabilities: { maxContextTokens: 50 } });
  llm("chat-refuse", "fail-400", { fallbacks: ["chat"] });
  llm("chat-parts", "parts");
  llm("chat-echo", "echo-body");
  llm("chat-nostream", "fake-whole", { capabilities: { streaming: false } });
  // limited (a pool admits them): a priced model, and one whose streams break, with a breaker that opens at the first failure
  llm("chat-metered", "fake-metered", { limits: { concurrency: 3, dailyBudgetUsd: 100 } });
  llm("chat-eof-limited", "stream-eof", { limits: { concurrency: 3 }, breaker: { failureThreshold: 1, windowMs: 60_000, openMs: 60_000, halfOpenProbes: 1 } });
  // without prices or token limits the router needs no usage: streams pass through natively
  const { pricing: _p, ...unpriced } = ep as typeof ep & { pricing?: unknown };
  for (const [id, model, extra] of [
    ["native-cut", "stream-cut", { breaker: false }],
    ["native-break", "stream-break", { breaker: false }],
    ["native-eof", "stream-eof", { breaker: false }],
    ["native-stall", "stream-stall", { streamIdleTimeoutMs: 300, breaker: false }],
    ["native-slow", "stream-slow", { limits: { concurrency: 3 }, streamIdleTimeoutMs: 5_000 }],
    ["native-ok", "fake-native", {}],
  ] as const)
    c.specialists.push({ ...chat, id, endpoint: { ...unpriced, model }, ...extra });
});

/** One request through the router; its after-response work runs once the body has been read (`settle`). */
async function send(body: unknown, init: { headers?: Record<string, string>; signal?: AbortSignal } = {}) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request("https://router.test/v1/chat/completions", { method: "POST", headers: { ...AUTH, "content-type": "application/json", ...init.headers }, body: JSON.stringify(body), ...(init.signal ? { signal: init.signal } : {}) }),
    { ...(env as unknown as Env), SWITCHYARD_CONFIG: CONFIG },
    ctx,
  );
  return { res, settle: () => waitOnExecutionContext(ctx) };
}
async function admin(path: string) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`https://router.test${path}`, { headers: { authorization: "Bearer dev-admin-key" } }), { ...(env as unknown as Env), SWITCHYARD_CONFIG: CONFIG }, ctx);
  await waitOnExecutionContext(ctx);
  return res.json() as Promise<any>;
}
const dataOf = (text: string) => text.split("\n\n").filter((e) => e.trim() !== "").map((e) => e.replace(/^data: /, ""));
type Recorded = { path: string; body: Record<string, unknown>; aborted: boolean };
const recorded = async (): Promise<Recorded[]> => ((await (await fetch(`${fakeUrl()}/requests`)).json()) as { requests: Recorded[] }).requests;
const reset = () => fetch(`${fakeUrl()}/reset`, { method: "POST" });
const user = (content: unknown) => ({ role: "user", content });
const SYSTEM = { role: "system", content: "You are a terse test model." };
const metricsOf = async (id: string) => ((await admin("/v1/metrics")).specialists as { id: string; requests: number; ok: number; errors: number; failures: Record<string, number>; refused: number; cancelled: number }[]).find((s) => s.id === id)!;

/** Every documented Chat Completions field a client may send, and one the router has never heard of. */
const FIELDS = {
  temperature: 0.3,
  top_p: 0.9,
  max_tokens: 77,
  max_completion_tokens: 88,
  seed: 42,
  stop: ["\n\n"],
  user: "user-123",
  metadata: { team: "a" },
  store: false,
  service_tier: "auto",
  frequency_penalty: 0.1,
  presence_penalty: 0.2,
  logit_bias: { "50256": -100 },
  logprobs: true,
  top_logprobs: 2,
  n: 2,
  parallel_tool_calls: false,
  tools: [{ type: "function", function: { name: "lookup", description: "looks up", parameters: { type: "object", properties: { q: { type: "string" } } } } }],
  tool_choice: "auto",
  response_format: { type: "json_schema", json_schema: { name: "answer", schema: { type: "object" } } },
  reasoning_effort: "low",
  x_vendor_extension: { keep: ["me", 1] },
};
const MESSAGES = [
  { role: "developer", content: "be exact" },
  user([{ type: "text", text: "look this up" }]),
  { role: "assistant", content: null, tool_calls: [{ id: "call_0", type: "function", function: { name: "lookup", arguments: '{"q":"x"}' } }] },
  { role: "tool", tool_call_id: "call_0", content: "found x" },
  user("and now?"),
];

describe("pass-through to openai-chat specialists", () => {
  for (const model of ["chat", "auto"])
    for (const stream of [false, true])
      it(`every field reaches the upstream unchanged (model ${model}, stream ${stream}); only model is rewritten, the system prompt first`, async () => {
        await reset();
        const body = { model, messages: MESSAGES, ...FIELDS, ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}) };
        const { res, settle } = await send(body);
        expect(res.status, await res.clone().text()).toBe(200);
        expect(res.headers.get("x-switchyard-specialist")).toBe("chat");
        await res.text();
        await settle();
        const [got] = await recorded();
        expect(got!.body).toEqual({ ...body, model: "fake-mini", messages: [SYSTEM, ...MESSAGES] });
        expect(Object.keys(got!.body as object), "the client's members in the client's order").toEqual(Object.keys(body));
      });

  it("the upstream's reply comes back unchanged: id, system_fingerprint, every choice, tool calls, logprobs, usage", async () => {
    const { res } = await send({ model: "chat", messages: [user("find otters")], tools: FIELDS.tools, n: 2, logprobs: true });
    const body = (await res.json()) as Record<string, any>;
    expect(body).toMatchObject({ object: "chat.completion", model: "fake-mini", system_fingerprint: "fp_fake", id: expect.stringMatching(/^chatcmpl-fake/) });
    expect(body.choices).toHaveLength(2);
    expect(body.choices[0]).toMatchObject({ index: 0, finish_reason: "tool_calls", message: { role: "assistant", content: null, tool_calls: [{ id: expect.stringMatching(/^call_fake/), type: "function", function: { name: "lookup" } }] } });
    expect(body.choices[1].index).toBe(1);
    expect(body.choices[0].logprobs).toBeDefined();
    expect(body.usage).toMatchObject({ prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) });
    expect(body.switchyard).toMatchObject({ specialist: "chat", reason: expect.stringMatching(/pinned/) });
  });

  it("a refusal and array-of-parts content pass as sent; the stream of tool-call deltas too", async () => {
    expect(((await (await send({ model: "chat", messages: [user("hi")] })).res.json()) as any).choices[0].message).toEqual({ role: "assistant", content: "[fake-mini] heard: hi", refusal: null });
    const parts = (await (await send({ model: "chat-parts", messages: [user("hi")] })).res.json()) as any;
    expect(parts.choices[0].message.content).toEqual([{ type: "text", text: "[parts] heard: hi" }]);
    const { res, settle } = await send({ model: "chat", stream: true, messages: [user("go")], tools: FIELDS.tools });
    const chunks = dataOf(await res.text()).slice(0, -1).map((d) => JSON.parse(d));
    await settle();
    const calls = chunks.flatMap((c) => c.choices[0]?.delta?.tool_calls ?? []);
    expect(calls[0]).toMatchObject({ index: 0, id: expect.stringMatching(/^call_fake/), function: { name: "lookup" } });
    expect(calls.map((c) => c.function.arguments ?? "").join("")).toBe(JSON.stringify({ heard: "go" }));
    expect(chunks.at(-1).choices[0].finish_reason).toBe("tool_calls");
  });

  it("an upstream's 400 reaches the client as it sent it; no fallback is tried", async () => {
    await reset();
    const { res } = await send({ model: "chat-refuse", messages: [user("hi")], tools: FIELDS.tools });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { message: "Invalid 'tools[0].function.name': string does not match pattern.", type: "invalid_request_error", param: "tools[0].function.name", code: "invalid_value" } });
    expect((await recorded()).map((r) => r.body.model)).toEqual(["fail-400"]); // chat-refuse's fallback 'chat' was not called
  });
});

describe("capabilities", () => {
  const err = async (res: Response, status: number) => {
    expect(res.status).toBe(status);
    return ((await res.json()) as { error: { message: string; type: string; param: string | null; code: string | null } }).error;
  };

  it("a pinned specialist that cannot honour a field is a 400 naming it, never a silent drop", async () => {
    for (const [extra, param] of [
      [{ tools: FIELDS.tools }, "tools"],
      [{ response_format: { type: "json_object" } }, "response_format"],
      [{ n: 2 }, "n"],
      [{ logprobs: true }, "logprobs"],
      [{ x_vendor_extension: 1 }, "x_vendor_extension"],
    ] as const) {
      const e = await err((await send({ model: "units", messages: [user("convert 5 km to miles")], ...extra })).res, 400);
      expect(e, JSON.stringify(extra)).toMatchObject({ type: "invalid_request_error", param, code: "unsupported_parameter" });
      expect(e.message).toMatch(new RegExp(`'units' (cannot honour|does not speak).*'${param}'`));
    }
    const image = await err((await send({ model: "chat", messages: [user([{ type: "text", text: "what is this" }, { type: "image_url", image_url: { url: "https://x/y.png" } }])] })).res, 400);
    expect(image).toMatchObject({ param: "messages.0.content.1", code: "unsupported_parameter" });
    expect(image.message).toMatch(/capabilities\.vision/);
  });

  it("with model auto, candidates that cannot honour the request are filtered out before the choice", async () => {
    const tools = await send({ model: "auto", messages: [user("convert 5 km to miles")], tools: FIELDS.tools });
    expect(tools.res.status).toBe(200);
    expect(tools.res.headers.get("x-switchyard-specialist")).toMatch(/^chat/);
    const reason = ((await tools.res.json()) as any).switchyard.reason as string;
    expect(reason).toMatch(/→ 'units', which cannot honour 'tools'/);
    const image = await send({ model: "auto", messages: [user([{ type: "text", text: "what is in this picture" }, { type: "image_url", image_url: { url: "data:image/png;base64,AA" } }])] });
    expect(image.res.headers.get("x-switchyard-specialist")).toBe("chat-vision");
    const audio = await err((await send({ model: "auto", messages: [user([{ type: "input_audio", input_audio: { data: "AA", format: "wav" } }])] })).res, 400);
    expect(audio).toMatchObject({ param: "messages.0.content.0", code: "unsupported_parameter" });
    expect(audio.message).toMatch(/^no specialist can honour 'messages.0.content.0'/);
  });

  it("a conversation with only an image is routed by capability, not refused for lacking text", async () => {
    await reset();
    const { res } = await send({ model: "auto", messages: [user([{ type: "image_url", image_url: { url: "data:image/png;base64,AA" } }])] });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-specialist")).toBe("chat-vision");
    expect(((await res.json()) as any).switchyard.reason).toMatch(/no text to classify: routed by capability to 'chat-vision'/);
    expect((await recorded())[0]!.body.model).toBe("fake-vision");
  });

  it("a conversation without user text goes to a chat model (pinned or by capability); a specialist that needs text refuses it", async () => {
    await reset();
    const systemOnly = [{ role: "system", content: "Say hello" }];
    const pinned = await send({ model: "chat", messages: systemOnly });
    expect(pinned.res.status).toBe(200);
    expect((await recorded())[0]!.body.messages).toEqual([SYSTEM, ...systemOnly]);
    const auto = await send({ model: "auto", messages: [{ role: "developer", content: "be brief" }, user("")] });
    expect(auto.res.status).toBe(200);
    expect(auto.res.headers.get("x-switchyard-specialist")).toMatch(/^(chat|native)/);
    const e = await err((await send({ model: "units", messages: systemOnly })).res, 400);
    expect(e).toMatchObject({ param: "messages", code: "unsupported_parameter" });
    expect(e.message).toMatch(/'units' needs user text/);
  });

  it("a context longer than a specialist declares is a 400 when pinned", async () => {
    const e = await err((await send({ model: "chat-small", messages: [user("word ".repeat(100))] })).res, 400);
    expect(e.param).toBe("messages");
    expect(e.message).toMatch(/at most 50 tokens/);
    expect((await send({ model: "chat-small", messages: [user("short")] })).res.status).toBe(200);
  });

  it("non-chat specialists answer in OpenAI's shapes: refusal null; usage null on chunks and the usage chunk last when asked", async () => {
    const whole = (await (await send({ model: "units", messages: [user("convert 1 kg to g")] })).res.json()) as any;
    expect(whole.choices[0].message).toEqual({ role: "assistant", content: expect.stringMatching(/1000/), refusal: null });
    const { res } = await send({ model: "units", stream: true, stream_options: { include_usage: true }, messages: [user("convert 1 kg to g")] });
    const chunks = dataOf(await res.text());
    expect(chunks.at(-1)).toBe("[DONE]");
    const parsed = chunks.slice(0, -1).map((d) => JSON.parse(d));
    expect(parsed.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    expect(parsed.at(-1)).toMatchObject({ choices: [], usage: { total_tokens: 0 } });
  });

  it("a chat model that cannot stream is called whole and its answer streamed as chunks", async () => {
    await reset();
    const { res, settle } = await send({ model: "chat-nostream", stream: true, messages: [user("hello")] });
    const chunks = dataOf(await res.text());
    await settle();
    expect(chunks.at(-1)).toBe("[DONE]");
    expect(JSON.parse(chunks[0]!).choices[0].delta.content).toBe("[fake-whole] heard: hello");
    const [got] = await recorded();
    expect(got!.body).not.toHaveProperty("stream");
  });
});

describe("honest streams", () => {
  it("a stream that fails before its first content chunk is a failed attempt: the fallback serves, the client sees only its stream", async () => {
    const before = await metricsOf("chat-error-first");
    const { res, settle } = await send({ model: "chat-error-first", stream: true, messages: [user("tell me")] });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-specialist")).toBe("chat");
    const data = dataOf(await res.text());
    await settle();
    expect(data.at(-1)).toBe("[DONE]");
    expect(data.some((d) => d.includes('"error"'))).toBe(false);
    expect(data.slice(0, -1).map((d) => JSON.parse(d).choices[0]?.delta?.content ?? "").join("")).toBe("[fake-mini] heard: tell me");
    const after = await metricsOf("chat-error-first");
    expect(after.errors - before.errors).toBe(1);
    expect((after.failures.http_error ?? 0) - (before.failures.http_error ?? 0)).toBe(1);
  });

  const broken: [string, string, RegExp][] = [
    ["chat-cut", "truncated", /./],
    ["chat-break", "bad_response", /not a JSON chunk/],
    ["chat-eof", "truncated", /without a finish reason or \[DONE\]/],
    ["chat-stall", "timeout", /stalled/],
    ["native-cut", "truncated", /./],
    ["native-break", "bad_response", /not a JSON chunk/],
    ["native-eof", "truncated", /without a finish reason or \[DONE\]/],
    ["native-stall", "timeout", /stalled/],
  ];
  for (const [id, kind, detail] of broken)
    it(`${id}: ends with an error event and no [DONE]; metrics, hop log trace and breaker count it as '${kind}'`, async () => {
      const before = await metricsOf(id);
      const { res, settle } = await send({ model: id, stream: true, messages: [user("tell me more")] });
      expect(res.status).toBe(200);
      const hop = res.headers.get("x-switchyard-hop")!;
      const data = dataOf(await res.text());
      await settle();
      expect(data).not.toContain("[DONE]");
      // before the one error event, only the upstream's chunks: nothing that is not one (a garbage event) reaches the client
      expect(data.slice(0, -1).map((d) => (JSON.parse(d) as { object?: string }).object)).toEqual(data.slice(0, -1).map(() => "chat.completion.chunk"));
      expect(data.length).toBeGreaterThan(1);
      const last = JSON.parse(data.at(-1)!) as { error: { message: string; type: string } };
      expect(last.error.type).toBe("server_error");
      expect(last.error.message).toMatch(detail);
      const after = await metricsOf(id);
      expect(after.ok - before.ok).toBe(0);
      expect((after.failures[kind] ?? 0) - (before.failures[kind] ?? 0)).toBe(1);
      const trace = await admin(`/v1/hops/${hop}/trace`);
      const call = (trace.spans as { name: string; attributes: Record<string, unknown>; status: { code: string } }[]).find((s) => s.name === "specialist.call")!;
      expect(call.attributes["switchyard.outcome"]).toBe(kind);
      expect(call.status.code).toBe("error");
      const root = (trace.spans as { name: string; status: { code: string } }[]).find((s) => s.name === "POST /v1/chat/completions")!;
      expect(root.status.code).toBe("error");
    });

  it("truncated streams open the breaker like any other failure", async () => {
    for (let i = 0; i < 2; i++) {
      const { res, settle } = await send({ model: "chat-eof", stream: true, messages: [user("again")] });
      await res.text();
      await settle();
    }
    const pool = await admin("/v1/pools/specialist:chat-eof");
    expect(pool.breaker.state).toBe("open");
    const { res } = await send({ model: "chat-eof", stream: true, messages: [user("once more")] });
    expect(res.status).toBe(503);
  });

  it("a streamed reply holds its pool lease until the stream ends, then settles the tokens and cost it reported", async () => {
    const { res, settle } = await send({ model: "chat-metered", stream: true, stream_options: { include_usage: true }, messages: [user("count my tokens please")] });
    expect(res.status).toBe(200);
    const during = await admin("/v1/pools/specialist:chat-metered"); // the stream is open: nothing read yet
    expect(during.totals.activeLeases).toBe(1);
    expect(during.totals.tokensUsed).toBe(0);
    const data = dataOf(await res.text());
    await settle();
    expect(data.at(-1)).toBe("[DONE]");
    const usage = JSON.parse(data.at(-2)!).usage as { prompt_tokens: number; completion_tokens: number };
    expect(usage.prompt_tokens).toBeGreaterThan(0);
    const after = await admin("/v1/pools/specialist:chat-metered");
    expect(after.totals.activeLeases).toBe(0);
    expect(after.totals.tokensUsed).toBe(usage.prompt_tokens + usage.completion_tokens);
    expect(after.totals.spentUsd).toBeCloseTo((usage.prompt_tokens * 1 + usage.completion_tokens * 2) / 1e6, 12); // chat's prices: $1 and $2 per million
  });

  it("a stream that breaks is reported to its pool's breaker when it ends, not as the success its start looked like", async () => {
    const first = await send({ model: "chat-eof-limited", stream: true, messages: [user("again")] });
    expect(first.res.status).toBe(200);
    expect((await admin("/v1/pools/specialist:chat-eof-limited")).breaker.state).toBe("closed"); // open stream: not settled yet
    await first.res.text();
    await first.settle();
    expect((await admin("/v1/pools/specialist:chat-eof-limited")).breaker.state).toBe("open");
    const next = await send({ model: "chat-eof-limited", stream: true, messages: [user("once more")] });
    expect(next.res.status).toBe(503);
    await next.settle();
  });

  it("without prices or token limits, the upstream's stream reaches the client byte for byte", async () => {
    await reset();
    const body = { model: "native-ok", stream: true, messages: [user("pass me through")] };
    const { res, settle } = await send(body);
    const text = await res.text();
    await settle();
    const [got] = await recorded();
    expect(got!.body).not.toHaveProperty("stream_options");
    const direct = await (await fetch(`${fakeUrl()}/v1/chat/completions`, { method: "POST", headers: { authorization: "Bearer sk-fake" }, body: JSON.stringify(got!.body) })).text();
    const strip = (t: string) => t.replace(/"id":"chatcmpl-fake\d+"/g, "").replace(/"created":\d+/g, "");
    expect(strip(text)).toBe(strip(direct));
  });

  for (const id of ["chat-slow", "native-slow"])
  it(`a client that disconnects mid-stream aborts the upstream at once and frees its concurrency slot (${id})`, async () => {
    await reset();
    const before = await metricsOf(id);
    const { res, settle } = await send({ model: id, stream: true, messages: [user("count")] });
    const reader = res.body!.getReader();
    await reader.read();
    await reader.cancel();
    await settle();
    await expect.poll(async () => ((await (await fetch(`${fakeUrl()}/aborts`)).json()) as { aborted: number }).aborted, { timeout: 3000 }).toBe(1);
    const pool = await admin(`/v1/pools/specialist:${id}`);
    expect(pool.totals.activeLeases).toBe(0);
    const after = await metricsOf(id);
    expect(after.cancelled - before.cancelled).toBe(1);
    expect(after.errors - before.errors).toBe(0);
  });

  it("a client that disconnects before a whole reply aborts the upstream call and frees its slot", async () => {
    await reset();
    const ac = new AbortController();
    const pending = send({ model: "chat-hang", messages: [user("wait")] }, { signal: ac.signal });
    await expect.poll(async () => (await recorded()).length, { timeout: 3000 }).toBe(1);
    ac.abort();
    const { settle } = await pending.catch(() => ({ settle: async () => {} }));
    await settle();
    await expect.poll(async () => ((await (await fetch(`${fakeUrl()}/aborts`)).json()) as { aborted: number }).aborted, { timeout: 3000 }).toBe(1);
    await expect.poll(async () => (await admin("/v1/pools/specialist:chat-hang")).totals.activeLeases, { timeout: 3000 }).toBe(0);
  });
});
