import { createExecutionContext, listDurableObjectIds, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import worker from "../../../worker/index.ts";
import type { Env } from "../../../worker/env.ts";
import { sha256Hex } from "../../../worker/intent/record.ts";
import { configWith } from "../helpers.ts";
import { fakeEvents, fakeMessage, type RecordedRequest } from "../../../examples/fake-anthropic/server.ts";

/**
 * The Anthropic front door, `POST /v1/messages` (issue 12): routed like every door
 * (auth, switches, policy, pools, audit, trace), a pass-through to `anthropic`
 * specialists (test-config's `claude` and `claude-<model>`, on examples/fake-anthropic),
 * a translation to other chat models (examples/fake-openai), a text block from the
 * others, and every error in Anthropic's shape.
 */
const anthropicUrl = () => inject("anthropicUrl");
const openaiUrl = () => inject("openaiUrl");
const STOPPED_KEY = "key-stopped-tenant";
const API_KEYS = JSON.stringify({ [await sha256Hex(STOPPED_KEY)]: "stopped" });
const CONFIG = configWith((c) => {
  const chat = c.specialists.find((s) => s.id === "chat")!;
  c.specialists.push({ ...chat, id: "chat-cut", endpoint: { ...(chat.endpoint as object), model: "stream-cut" } as never, breaker: false });
  const units = c.specialists.find((s) => s.id === "units")!;
  c.specialists.push({ ...units, id: "units-limited", intents: [], limits: { rpm: 1 }, fallbacks: [] });
  c.specialists.push({ ...units, id: "units-switched", intents: [], fallbacks: [] });
});
const ENV = () => ({ ...(env as unknown as Env), SWITCHYARD_CONFIG: CONFIG, API_KEYS }) as Env;
const KEY = { "x-api-key": "dev-key" };

/** One request through the router (an Anthropic client's: the key as `x-api-key`); its after-response work runs once `settle` is awaited. */
async function send(body: unknown, headers: Record<string, string> = KEY, path = "/v1/messages") {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`https://router.test${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) }),
    ENV(),
    ctx,
  );
  return { res, settle: () => waitOnExecutionContext(ctx) };
}
const post = async (body: unknown, headers?: Record<string, string>, path?: string) => (await send(body, headers, path)).res;
async function admin(path: string, json?: unknown) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`https://router.test${path}`, { method: json ? "POST" : "GET", headers: { authorization: "Bearer dev-admin-key", "content-type": "application/json" }, ...(json ? { body: JSON.stringify(json) } : {}) }),
    ENV(),
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}
const user = (content: unknown) => ({ role: "user", content });
const ask = (model: string, text: string, extra: Record<string, unknown> = {}) => ({ model, max_tokens: 256, messages: [user(text)], ...extra });

/** Anthropic's error body, checked for its shape. */
async function anthropicError(res: Response, status: number, type: string): Promise<string> {
  expect(res.status, await res.clone().text()).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  const body = (await res.json()) as { type: string; error: { type: string; message: string } };
  expect(body.type).toBe("error");
  expect(Object.keys(body.error).sort()).toEqual(["message", "type"]);
  expect(body.error.type).toBe(type);
  return body.error.message;
}

/** The events of an Anthropic SSE body: `event:` must name the data's type. */
function events(text: string): { type: string; [k: string]: any }[] {
  return text
    .split("\n\n")
    .filter((e) => e.trim() !== "")
    .map((e) => {
      const [eventLine, dataLine] = e.split("\n");
      expect(eventLine, e).toMatch(/^event: /);
      const data = JSON.parse(dataLine!.slice("data: ".length));
      expect(eventLine!.slice("event: ".length)).toBe(data.type);
      return data;
    });
}
const textOf = (evs: { type: string; [k: string]: any }[]) => evs.filter((e) => e.type === "content_block_delta" && e.delta.type === "text_delta").map((e) => e.delta.text).join("");

type Recorded = { path: string; headers: Record<string, string>; body: Record<string, any> };
const openaiRequests = async (): Promise<Recorded[]> => ((await (await fetch(`${openaiUrl()}/requests`)).json()) as { requests: Recorded[] }).requests;
const reset = () => fetch(`${openaiUrl()}/reset`, { method: "POST" });
/** The requests the fake Anthropic API got whose body holds `marker` (other test files use the same fake, so this file never resets it). */
const anthropicRequests = async (marker: string): Promise<(RecordedRequest & { headers: Record<string, string> })[]> =>
  ((await (await fetch(`${anthropicUrl()}/requests`)).json()) as { requests: (RecordedRequest & { headers: Record<string, string> })[] }).requests.filter((r) => JSON.stringify(r.body).includes(marker));

describe("POST /v1/messages: answers", () => {
  it("model 'auto' routes by the last user message: a non-chat specialist's text as a Message", async () => {
    const res = await post({ model: "auto", max_tokens: 100, messages: [user("what is 2 + 2"), { role: "assistant", content: "4" }, user("convert 5 km to miles")] });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-specialist")).toBe("units");
    expect(res.headers.get("x-intent-id")).toMatch(/^in_/);
    expect(res.headers.get("x-switchyard-hop")).toMatch(/^hop_/);
    const msg = (await res.json()) as any;
    expect(msg).toMatchObject({ type: "message", role: "assistant", model: "units", stop_reason: "end_turn", stop_sequence: null, usage: { input_tokens: expect.any(Number), output_tokens: expect.any(Number) } });
    expect(msg.id).toMatch(/^msg_/);
    expect(msg.content).toHaveLength(1);
    expect(msg.content[0].type).toBe("text");
    expect(msg.content[0].text).toMatch(/^5 (km|kilometers) = 3\.10686 mi/);
  });

  it("a specialist id pins; bearer keys work too; count_tokens estimates", async () => {
    const res = await post(ask("arithmetic", "what is 12 * (3 + 4)?"), { authorization: "Bearer dev-key" });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-specialist")).toBe("arithmetic");
    expect(res.headers.get("x-intent-id")).toBeNull();
    expect(((await res.json()) as any).content[0].text).toContain("84");
    const count = await post({ model: "auto", messages: [user("convert 5 km to miles")] }, KEY, "/v1/messages/count_tokens");
    expect(count.status).toBe(200);
    expect(((await count.json()) as any).input_tokens).toBeGreaterThan(0);
  });

  it("routed to an openai-chat specialist: the request is translated, the fake gets Chat Completions, the reply comes back as a Message", async () => {
    await reset();
    const body = {
      model: "chat",
      max_tokens: 300,
      system: [{ type: "text", text: "Be exact.", cache_control: { type: "ephemeral" } }],
      temperature: 0.2,
      stop_sequences: ["END"],
      metadata: { user_id: "u-1" },
      tools: [{ name: "get_tide", description: "tide times", input_schema: { type: "object", properties: { port: { type: "string" } } } }],
      messages: [
        user("tides in Brest?"),
        { role: "assistant", content: [{ type: "text", text: "Let me look." }, { type: "tool_use", id: "toolu_1", name: "get_tide", input: { port: "Brest" } }] },
        user([{ type: "tool_result", tool_use_id: "toolu_1", content: "high at 6" }, { type: "text", text: "and tomorrow?", cache_control: { type: "ephemeral" } }]),
      ],
    };
    const { res, settle } = await send(body);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get("x-switchyard-specialist")).toBe("chat");
    expect(res.headers.get("x-switchyard-not-sent")).toBe("cache_control");
    const msg = (await res.json()) as any;
    await settle();
    const [got] = await openaiRequests();
    expect(got!.body).toEqual({
      model: "fake-mini",
      messages: [
        { role: "system", content: "You are a terse test model." },
        { role: "system", content: [{ type: "text", text: "Be exact." }] },
        { role: "user", content: "tides in Brest?" },
        { role: "assistant", content: "Let me look.", tool_calls: [{ id: "toolu_1", type: "function", function: { name: "get_tide", arguments: '{"port":"Brest"}' } }] },
        { role: "tool", tool_call_id: "toolu_1", content: "high at 6" },
        { role: "user", content: [{ type: "text", text: "and tomorrow?" }] },
      ],
      max_completion_tokens: 300,
      temperature: 0.2,
      stop: ["END"],
      user: "u-1",
      tools: [{ type: "function", function: { name: "get_tide", description: "tide times", parameters: { type: "object", properties: { port: { type: "string" } } } } }],
    });
    expect(got!.headers.authorization).toBe("Bearer sk-fake");
    // the fake calls the first tool with what it heard
    expect(msg).toMatchObject({ type: "message", role: "assistant", model: "fake-mini", stop_reason: "tool_use", content: [{ type: "tool_use", name: "get_tide", input: { heard: "and tomorrow?" } }] });
    expect(msg.id).toMatch(/^msg_[0-9a-f]{32}$/); // a message id, not the translated completion's chatcmpl-…
    expect(msg.content[0].id).toEqual(expect.any(String));
    expect(msg.usage.input_tokens).toBeGreaterThan(0);
    expect(msg.usage.output_tokens).toBeGreaterThan(0);
  });

  it("model 'auto' with tools passes over specialists that cannot take them and says so when none is pinned", async () => {
    const res = await post(ask("auto", "convert 5 km to miles", { tools: [{ name: "f", input_schema: { type: "object" } }] }));
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get("x-switchyard-specialist")).not.toBe("units");
  });
});

describe("POST /v1/messages: streams", () => {
  it("a translated stream: Anthropic's event sequence, the text, the stop reason and usage", async () => {
    const { res, settle } = await send(ask("chat", "hello there", { stream: true }));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(res.headers.get("x-switchyard-specialist")).toBe("chat");
    const evs = events(await res.text());
    await settle();
    const types = evs.map((e) => e.type).filter((t) => t !== "content_block_delta");
    expect(types).toEqual(["message_start", "content_block_start", "content_block_stop", "message_delta", "message_stop"]);
    expect(evs[0]!.message).toMatchObject({ type: "message", role: "assistant", model: "fake-mini", content: [] });
    expect(textOf(evs)).toBe("[fake-mini] heard: hello there");
    const delta = evs.find((e) => e.type === "message_delta")!;
    expect(delta.delta.stop_reason).toBe("end_turn");
    expect(delta.usage.output_tokens).toBeGreaterThan(0);
    const [got] = (await openaiRequests()).slice(-1);
    expect(got!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it("a non-chat specialist's answer streams as one text block", async () => {
    const res = await post(ask("units", "convert 5 km to miles", { stream: true }));
    const evs = events(await res.text());
    expect(evs.map((e) => e.type)).toEqual(["message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop"]);
    expect(textOf(evs)).toMatch(/3\.10686 mi/);
  });

  it("a translated stream cut after it started ends with an error event, never message_stop", async () => {
    const { res, settle } = await send(ask("chat-cut", "hello", { stream: true }));
    expect(res.status).toBe(200);
    const evs = events(await res.text());
    await settle();
    expect(evs[0]!.type).toBe("message_start");
    expect(evs.at(-1)).toMatchObject({ type: "error", error: { type: "api_error", message: expect.any(String) } });
    expect(evs.some((e) => e.type === "message_stop" || e.type === "message_delta")).toBe(false);
  });
});

describe("POST /v1/messages: pass-through to anthropic specialists", () => {
  it("the client's body reaches the upstream as sent (model rewritten, system prompt first), with the client's version headers; the reply comes back unchanged", async () => {
    const body = {
      model: "claude",
      max_tokens: 1024,
      system: "Answer in French.",
      thinking: { type: "enabled", budget_tokens: 512 },
      top_k: 5,
      x_future_field: { keep: [1, "me"] },
      messages: [user([{ type: "text", text: "bonjour from the door", cache_control: { type: "ephemeral" } }, { type: "future_block", data: "z" }])],
    };
    const { res, settle } = await send(body, { ...KEY, "anthropic-version": "2023-06-01", "anthropic-beta": "interleaved-thinking-2025-05-14" });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get("x-switchyard-specialist")).toBe("claude");
    expect(res.headers.get("x-switchyard-not-sent")).toBeNull();
    const text = await res.text();
    await settle();
    const [got, ...more] = await anthropicRequests("bonjour from the door");
    expect(more).toEqual([]);
    expect(got!.path).toBe("/v1/messages");
    expect(got!.body).toEqual({ ...body, model: "claude-fake", system: "You are a terse test model.\n\nAnswer in French." });
    expect(got!.headers).toMatchObject({ "x-api-key": "sk-ant-fake", "anthropic-version": "2023-06-01", "anthropic-beta": "interleaved-thinking-2025-05-14" });
    // what the fake wrote, byte for byte: its message for that body
    expect(text).toBe(got!.reply);
    const msg = JSON.parse(text);
    expect(msg.id).toMatch(/^msg_fake\d+$/);
    expect(msg).toEqual(fakeMessage(got!.body, { id: msg.id }));
    // without the client's headers, the endpoint's version
    await (await post(ask("claude", "hi, the door's default version"))).text();
    const [plain] = await anthropicRequests("hi, the door's default version");
    expect(plain!.headers["anthropic-version"]).toBe("2023-06-01");
    expect(plain!.headers["anthropic-beta"]).toBeUndefined();
  });

  it("streamed: the upstream's events come back byte for byte", async () => {
    const body = ask("claude", "stream me through the door", { stream: true });
    const { res, settle } = await send(body);
    expect(res.status).toBe(200);
    const text = await res.text();
    await settle();
    const [got] = await anthropicRequests("stream me through the door");
    expect(got!.body).toEqual({ ...body, model: "claude-fake", system: "You are a terse test model." });
    expect(text).toBe(got!.reply);
    const evs = events(text);
    expect(evs).toEqual(fakeEvents(fakeMessage(got!.body, { id: evs[0]!.message.id })));
    expect(evs.map((e) => e.type)).toEqual(["message_start", "content_block_start", "ping", ...Array(7).fill("content_block_delta"), "content_block_stop", "message_delta", "message_stop"]);
  });

  it("a pass-through stream cut after it started ends with an error event; the upstream's own error event ends it as sent", async () => {
    const cut = events(await (await post(ask("claude-stream-cut", "hello", { stream: true }))).text());
    expect(cut.at(-1)).toMatchObject({ type: "error", error: { type: "api_error" } });
    expect(cut.some((e) => e.type === "message_stop")).toBe(false);
    const text = await (await post(ask("claude-stream-error", "hello, an error through the door", { stream: true }))).text();
    const failed = events(text);
    expect(failed.at(-1)).toEqual({ type: "error", error: { type: "overloaded_error", message: "Overloaded" }, request_id: expect.stringMatching(/^req_fake\d+$/) });
    expect(failed.filter((e) => e.type === "error")).toHaveLength(1);
    const [got] = await anthropicRequests("hello, an error through the door");
    expect(text).toBe(got!.reply);
  });

  it("a garbage event mid-stream never reaches the client: the events before it as sent, then one error event, no message_stop; counted as bad_response", async () => {
    const badResponses = async () =>
      ((await (await admin("/v1/metrics")).json()) as { specialists: { id: string; failures: Record<string, number> }[] }).specialists.find((s) => s.id === "claude-stream-garbage")?.failures.bad_response ?? 0;
    const before = await badResponses();
    const { res, settle } = await send(ask("claude-stream-garbage", "garbage through the door", { stream: true }));
    expect(res.status).toBe(200);
    const text = await res.text();
    await settle();
    const [got] = await anthropicRequests("garbage through the door");
    const garbageAt = got!.reply.indexOf("event: content_block_delta\ndata: <html>oops</html>\n\n");
    expect(garbageAt).toBeGreaterThan(0); // the fake sent it, with events after it
    expect(text).not.toContain("oops");
    // the events before the garbage byte for byte, then Anthropic's error event and nothing else
    expect(text.startsWith(got!.reply.slice(0, garbageAt))).toBe(true);
    const after = events(text.slice(garbageAt)); // every event well formed: `event:` names its data's type
    expect(after).toEqual([{ type: "error", error: { type: "api_error", message: expect.stringMatching(/not JSON/) } }]);
    const evs = events(text);
    expect(evs.map((e) => e.type)).toEqual(["message_start", "content_block_start", "ping", "content_block_delta", "content_block_delta", "error"]);
    expect(evs.some((e) => e.type === "message_stop" || e.type === "message_delta")).toBe(false);
    expect(await badResponses()).toBe(before + 1);
  });

  it("the specialist's own refusal reaches the client as it sent it; its 529 is overloaded_error", async () => {
    expect(await anthropicError(await post(ask("claude-fail-400", "hi")), 400, "invalid_request_error")).toBe("max_tokens: 256 > 64, which is the maximum allowed number of output tokens for fail-400");
    await anthropicError(await post(ask("claude-fail-529", "hi")), 529, "overloaded_error");
  });
});

describe("POST /v1/messages: errors in Anthropic's shape", () => {
  it("bad JSON, a missing max_tokens, wrong types: 400 invalid_request_error naming the field", async () => {
    await anthropicError(await post("{not json"), 400, "invalid_request_error");
    expect(await anthropicError(await post({ model: "auto", messages: [user("hi")] }), 400, "invalid_request_error")).toMatch(/max_tokens/);
    expect(await anthropicError(await post({ model: "auto", max_tokens: "ten", messages: [user("hi")] }), 400, "invalid_request_error")).toMatch(/max_tokens/);
    expect(await anthropicError(await post({ model: "auto", max_tokens: 10, messages: "hi" }), 400, "invalid_request_error")).toMatch(/messages/);
    expect(await anthropicError(await post({ model: "auto", max_tokens: 10, messages: [user([{ type: "image", source: { type: "base64", media_type: "image/tiff", data: "x" } }])] }), 400, "invalid_request_error")).toMatch(/messages\.0\.content\.0\.source/);
    expect(await anthropicError(await post(ask("auto", "hi"), { ...KEY, "anthropic-version": "latest" }), 400, "invalid_request_error")).toMatch(/anthropic-version/);
  });

  it("what the target cannot take: 400 naming the field", async () => {
    expect(await anthropicError(await post(ask("units", "convert 5 km", { tools: [{ name: "f", input_schema: { type: "object" } }] })), 400, "invalid_request_error")).toMatch(/'tools'/);
    expect(await anthropicError(await post(ask("chat", "hi", { thinking: { type: "enabled", budget_tokens: 1024 } })), 400, "invalid_request_error")).toMatch(/thinking/);
    expect(await anthropicError(await post(ask("chat", "hi", { top_k: 3 })), 400, "invalid_request_error")).toMatch(/top_k/);
  });

  it("unknown model: 404 not_found_error; unknown path under the door: 404", async () => {
    expect(await anthropicError(await post(ask("claude-3-opus-nobody", "hi")), 404, "not_found_error")).toMatch(/claude-3-opus-nobody/);
    await anthropicError(await post(ask("auto", "hi"), KEY, "/v1/messages/nothing"), 404, "not_found_error");
    await anthropicError(await post({ model: "nobody", messages: [user("hi")] }, KEY, "/v1/messages/count_tokens"), 404, "not_found_error");
  });

  it("auth: missing, wrong x-api-key, wrong bearer: 401 authentication_error; a stopped tenant: 403 permission_error", async () => {
    expect(await anthropicError(await post(ask("auto", "hi"), {}), 401, "authentication_error")).toMatch(/x-api-key/);
    await anthropicError(await post(ask("auto", "hi"), { "x-api-key": "wrong" }), 401, "authentication_error");
    await anthropicError(await post(ask("auto", "hi"), { authorization: "Bearer wrong" }), 401, "authentication_error");
    // both headers: the same key is fine; two different keys are refused, whichever of them is valid
    expect((await post(ask("auto", "hi"), { "x-api-key": "dev-key", authorization: "Bearer dev-key" })).status).toBe(200);
    expect(await anthropicError(await post(ask("auto", "hi"), { "x-api-key": "nope", authorization: "Bearer dev-key" }), 401, "authentication_error")).toMatch(/different keys/);
    expect(await anthropicError(await post(ask("auto", "hi"), { "x-api-key": "dev-key", authorization: "Bearer nope" }), 401, "authentication_error")).toMatch(/different keys/);
    // x-api-key is this door's: other paths take only the bearer key
    const elsewhere = await worker.fetch(new Request("https://router.test/v1/specialists", { headers: KEY }), ENV(), createExecutionContext());
    expect(elsewhere.status).toBe(401);
    expect((await admin("/v1/admin/tenants/stopped/disable", { reason: "test" })).status).toBe(200);
    try {
      await anthropicError(await post(ask("auto", "hi"), { "x-api-key": STOPPED_KEY }), 403, "permission_error");
    } finally {
      await admin("/v1/admin/tenants/stopped/enable", { reason: "test" });
    }
  });

  it("over a pool's limit: 429 rate_limit_error with retry-after; a body too large: 413 request_too_large", async () => {
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 3 && !limited; i++) {
      const res = await post(ask("units-limited", "convert 5 km to miles"));
      statuses.push(res.status);
      if (res.status === 429) limited = res;
      else await res.body?.cancel();
    }
    expect(limited, statuses.join()).toBeDefined();
    expect(Number(limited!.headers.get("retry-after"))).toBeGreaterThan(0);
    await anthropicError(limited!, 429, "rate_limit_error");
    await anthropicError(await post(ask("auto", "x".repeat(1_100_000))), 413, "request_too_large");
  });

  it("a policy deny on a pinned specialist is the same refusal as on the other doors; a kill switch is api_error", async () => {
    const route = await (await worker.fetch(new Request("https://router.test/v1/route", { method: "POST", headers: { authorization: "Bearer dev-key", "content-type": "application/json" }, body: JSON.stringify({ input: "hi", specialist: "policy-deny" }) }), ENV(), createExecutionContext())).json() as { status: number; detail: string };
    expect(route.status).toBe(422);
    const message = await anthropicError(await post(ask("policy-deny", "hi")), 422, "invalid_request_error");
    expect(message).toBe(route.detail);
    expect((await admin("/v1/admin/specialists/units-switched/disable", { reason: "maintenance" })).status).toBe(200);
    try {
      expect(await anthropicError(await post(ask("units-switched", "convert 5 km to miles")), 503, "api_error")).toMatch(/maintenance|disabled/);
    } finally {
      await admin("/v1/admin/specialists/units-switched/enable", { reason: "done" });
    }
  });

  it("bad input changes no stored state", async () => {
    await post(ask("auto", "warm up"));
    const snapshot = async () => {
      const e = ENV();
      const [tasks, pools, metrics] = await Promise.all([listDurableObjectIds(e.TASK_AGENT!), listDurableObjectIds(e.RATE_LIMIT_POOL!), listDurableObjectIds(e.METRICS!)]);
      const kv = (await e.INTENTS!.list()).keys.map((k) => k.name).sort();
      const traces = (await e.TRACES!.list()).keys.length;
      return { tasks: tasks.length, pools: pools.length, metrics: metrics.length, kv, traces };
    };
    const before = await snapshot();
    for (const bad of ["{", "null", "[]", JSON.stringify({ model: "auto" }), JSON.stringify({ model: "auto", max_tokens: -1, messages: [user("a fresh input never seen")] }), JSON.stringify({ model: 5, max_tokens: 1, messages: [] })]) {
      const { res, settle } = await send(bad);
      expect(res.status, bad).toBe(400);
      await res.text();
      await settle();
    }
    expect(await snapshot()).toEqual(before);
  });
});
