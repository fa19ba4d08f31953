import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../../../worker/index.ts";
import type { Env } from "../../../../worker/env.ts";
import { inject } from "vitest";
import { AUTH, call, callWith, configWith } from "../../helpers.ts";
import { tenantScopedKey } from "../../../../worker/routing/serve-hop.ts";

type Completion = {
  id: string;
  object: string;
  model: string;
  choices: { index: number; message: { role: string; content: string | null }; finish_reason: string }[];
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  switchyard: { hop: string; specialist: string; intent: { id: string; label: string } | null; reason: string; costUsd: number };
};
type OpenAIError = { error: { message: string; type: string; param: string | null; code: string | null } };
type Chunk = { id: string; object: string; model: string; choices: { delta: { role?: string; content?: string }; finish_reason: string | null }[]; usage?: unknown };

const chat = (body: unknown, headers: Record<string, string> = {}) => call("/v1/chat/completions", { json: body, headers });
const user = (content: string) => [{ role: "user", content }];

/** The `data:` payloads of an SSE body, in order. */
export async function sseData(res: Response): Promise<string[]> {
  const text = await res.text();
  return text
    .split("\n\n")
    .filter((e) => e.trim() !== "")
    .map((e) => {
      expect(e.startsWith("data: "), e).toBe(true);
      return e.slice("data: ".length);
    });
}

async function openAIError(res: Response, status: number): Promise<OpenAIError["error"]> {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  const body = (await res.json()) as OpenAIError;
  expect(Object.keys(body.error).sort()).toEqual(["code", "message", "param", "type"]);
  return body.error;
}

describe("POST /v1/chat/completions", () => {
  it("routes model 'auto' by the last user message's intent and answers a chat.completion", async () => {
    const res = await chat({ model: "auto", messages: [{ role: "user", content: "what is 2 + 2" }, { role: "assistant", content: "4" }, { role: "user", content: "convert 5 km to miles" }] });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-specialist")).toBe("units");
    const body = (await res.json()) as Completion;
    expect(body).toMatchObject({ object: "chat.completion", model: "units", choices: [{ index: 0, message: { role: "assistant" }, finish_reason: "stop" }] });
    expect(body.choices[0]!.message.content).toMatch(/^5 (km|kilometers) = 3\.10686 mi/);
    expect(body.id).toMatch(/^chatcmpl-/);
    expect(body.switchyard.intent!.label).toMatch(/^units\./);
    expect(res.headers.get("x-intent-id")).toBe(body.switchyard.intent!.id);
    const noModel = (await (await chat({ messages: user("what is 12 * (3 + 4)?") })).json()) as Completion;
    expect(noModel.model).toBe("arithmetic");
    expect(noModel.choices[0]!.message.content).toContain("84");
  });

  it("pins a specialist by model; a non-chat specialist gets the last user message and its text is wrapped", async () => {
    const res = await chat({ model: "general", messages: user("convert 5 km to miles") });
    expect(res.headers.get("x-switchyard-specialist")).toBe("general");
    const body = (await res.json()) as Completion;
    expect(body.model).toBe("general");
    expect(body.switchyard.reason).toBe("pinned by the request; allowed: no policy rule matched");
    expect(typeof body.choices[0]!.message.content).toBe("string");
    const echo = (await (await chat({ model: "fault-ok", messages: [{ role: "user", content: [{ type: "text", text: "parts" }, { type: "text", text: "joined" }] }] })).json()) as Completion;
    expect(echo.choices[0]!.message.content).toBe("echo: parts\njoined"); // output.text of the fault upstream
  });

  it("passes the conversation to an openai-chat specialist, with its system prompt, key, idempotency key and trace", async () => {
    await fetch(`${inject("openaiUrl")}/reset`, { method: "POST" });
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const messages = [{ role: "system", content: "be brief" }, { role: "user", content: "hi" }, { role: "assistant", content: "hello" }, { role: "user", content: "tell me about otters" }];
    const res = await chat({ model: "chat", messages }, { "idempotency-key": "conv-1", traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-specialist")).toBe("chat");
    const body = (await res.json()) as Completion;
    expect(body.model).toBe("fake-mini"); // the upstream's reply, unchanged
    expect(body.id).toMatch(/^chatcmpl-fake/);
    expect(body.switchyard.specialist).toBe("chat");
    expect(body.choices[0]).toMatchObject({ message: { role: "assistant", content: "[fake-mini] heard: tell me about otters" }, finish_reason: "stop" });
    expect(body.usage).toEqual({ prompt_tokens: 14, completion_tokens: 6, total_tokens: 20 }); // words, system prompt included
    expect(body.switchyard.costUsd).toBeCloseTo((14 * 1 + 6 * 2) / 1e6, 12);
    const { requests } = (await (await fetch(`${inject("openaiUrl")}/requests`)).json()) as { requests: { path: string; headers: Record<string, string>; body: { model: string; messages: unknown[]; stream?: boolean } }[] };
    expect(requests).toHaveLength(1);
    const got = requests[0]!;
    expect(got.path).toBe("/v1/chat/completions");
    expect(got.body).toEqual({ model: "fake-mini", messages: [{ role: "system", content: "You are a terse test model." }, ...messages] });
    expect(got.headers.authorization).toBe("Bearer sk-fake");
    expect(got.headers["idempotency-key"]).toBe(await tenantScopedKey("dev", "conv-1"));
    expect(got.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
  });

  it("streams a non-chat specialist's text as one content chunk, a finish chunk and [DONE]", async () => {
    const res = await chat({ model: "auto", stream: true, messages: user("convert 5 km to miles") });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(res.headers.get("x-switchyard-specialist")).toBe("units");
    const data = await sseData(res);
    expect(data.at(-1)).toBe("[DONE]");
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d) as Chunk);
    expect(chunks).toHaveLength(2);
    expect(chunks.every((c) => c.object === "chat.completion.chunk" && c.model === "units" && c.id === chunks[0]!.id)).toBe(true);
    expect(chunks[0]!.choices[0]!.delta).toMatchObject({ role: "assistant" });
    expect(chunks[0]!.choices[0]!.delta.content).toMatch(/^5 (km|kilometers) = 3\.10686 mi/);
    expect(chunks[1]!.choices[0]).toMatchObject({ delta: {}, finish_reason: "stop" });
    const withUsage = await sseData(await chat({ model: "units", stream: true, stream_options: { include_usage: true }, messages: user("convert 1 kg to g") }));
    expect(JSON.parse(withUsage.at(-2)!)).toMatchObject({ choices: [], usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 } });
  });

  it("passes an openai-chat specialist's stream through unchanged", async () => {
    const res = await chat({ model: "chat", stream: true, messages: user("write a haiku about rain") });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-specialist")).toBe("chat");
    const data = await sseData(res);
    expect(data.at(-1)).toBe("[DONE]");
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d) as Chunk);
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.every((c) => c.model === "fake-mini" && c.id.startsWith("chatcmpl-fake"))).toBe(true);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("[fake-mini] heard: write a haiku about rain");
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe("stop");
    expect(chunks.some((c) => "usage" in c)).toBe(false); // the router asked for usage; the client did not
    const withUsage = (await sseData(await chat({ model: "chat", stream: true, stream_options: { include_usage: true }, messages: user("hi") }))).slice(0, -1).map((d) => JSON.parse(d) as Chunk);
    expect(withUsage.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 7, completion_tokens: 3 }, model: "fake-mini" });
  });
});

describe("OpenAI-compatible errors", () => {
  it("404 model_not_found for an unknown model", async () => {
    const e = await openAIError(await chat({ model: "gpt-nope", messages: user("hi") }), 404);
    expect(e).toMatchObject({ type: "invalid_request_error", code: "model_not_found", param: "model" });
    expect(e.message).toContain("gpt-nope");
  });

  it("400 invalid_request_error for a bad body, naming the field", async () => {
    const cases: [unknown, string | null][] = [
      [{ model: "auto" }, "messages"],
      [{ messages: [] }, "messages"],
      [{ messages: [{ role: "robot", content: "x" }] }, "messages.0.role"],
      [{ messages: user("hi"), stream: "yes" }, "stream"],
      // documented fields of the wrong type or range: refused on every path, never sent upstream or ignored
      [{ messages: user("hi"), temperature: "hot" }, "temperature"],
      [{ messages: user("hi"), max_tokens: -1 }, "max_tokens"],
      [{ messages: user("hi"), max_completion_tokens: "x" }, "max_completion_tokens"],
      [{ messages: user("hi"), top_p: 2 }, "top_p"],
      [{ messages: user("hi"), presence_penalty: 99 }, "presence_penalty"],
      [{ messages: user("hi"), seed: "a" }, "seed"],
      [{ messages: user("hi"), stop: 5 }, "stop"],
      [{ messages: user("hi"), user: 42 }, "user"],
      [{ messages: user("hi"), metadata: "x" }, "metadata"],
      [{ messages: user("hi"), store: "yes" }, "store"],
      [{ messages: user("hi"), logit_bias: "x" }, "logit_bias"],
      [{ model: "units", messages: user("hi"), service_tier: 5 }, "service_tier"],
    ];
    for (const [body, param] of cases) {
      const e = await openAIError(await chat(body), 400);
      expect(e.type, JSON.stringify(body)).toBe("invalid_request_error");
      expect(e.param, JSON.stringify(body)).toBe(param);
    }
    const malformed = await call("/v1/chat/completions", { method: "POST", body: "{oops", headers: { "content-type": "application/json" } });
    expect((await openAIError(malformed, 400)).type).toBe("invalid_request_error");
  });

  it("401 authentication_error without a valid key; other routes keep problem+json", async () => {
    const res = await call("/v1/chat/completions", { json: { messages: user("hi") }, headers: { authorization: "Bearer wrong" } });
    expect(await openAIError(res, 401)).toMatchObject({ type: "authentication_error", code: "invalid_api_key" });
    const models = await call("/v1/models", { headers: { authorization: "" } });
    expect((await openAIError(models, 401)).type).toBe("authentication_error");
    const route = await call("/v1/route", { json: {}, headers: { authorization: "Bearer wrong" } });
    expect(route.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  });

  it("maps specialist failures: 429 with Retry-After, 502, 504", async () => {
    expect((await openAIError(await chat({ model: "fault-rate-limit", messages: user("x") }), 429)).type).toBe("rate_limit_error");
    const limited = await chat({ model: "fault-rate-limit", messages: user("x") });
    expect(limited.headers.get("retry-after")).toBe("1");
    expect((await openAIError(await chat({ model: "fault-error", messages: user("x") }), 502)).type).toBe("server_error");
    expect((await openAIError(await chat({ model: "fault-hang", messages: user("x"), stream: true }), 504)).code).toBe("specialist_timeout");
  });
});

describe("openai-chat specialist failures", () => {
  const withChatModel = (id: string, model: string, patch: Record<string, unknown> = {}) =>
    configWith((c) => {
      const chat = c.specialists.find((s) => s.id === "chat")!;
      c.specialists.push({ ...chat, id, endpoint: { ...(chat.endpoint as { type: "openai-chat"; url: string }), model }, ...patch });
    });

  it("maps the upstream's 429, 5xx, garbage, wrong shape and hang", async () => {
    // only the hanging model gets a short deadline: the others answer, however slowly the machine runs
    const cases: [string, number, string, string | null, Record<string, unknown>][] = [
      ["fail-429", 429, "rate_limit_error", "1", {}],
      ["fail-500", 502, "server_error", null, {}],
      ["garbage", 502, "server_error", null, {}],
      ["wrong-shape", 502, "server_error", null, {}],
      ["hang", 504, "server_error", null, { timeoutMs: 300 }],
    ];
    for (const [model, status, type, retryAfter, patch] of cases) {
      const SWITCHYARD_CONFIG = withChatModel("chat-x", model, patch);
      const res = await callWith({ SWITCHYARD_CONFIG }, "/v1/chat/completions", { json: { model: "chat-x", messages: user("hi") } });
      expect((await openAIError(res, status)).type, model).toBe(type);
      expect(res.headers.get("retry-after"), model).toBe(retryAfter);
    }
  });

  it("ends a stream that breaks mid-way with an error event and no [DONE]", async () => {
    const SWITCHYARD_CONFIG = withChatModel("chat-broken", "stream-break");
    // not callWith: it waits for waitUntil work, and the pools settle a stream only once it has been read
    const res = await worker.fetch(
      new Request("https://router.test/v1/chat/completions", { method: "POST", headers: { ...AUTH, "content-type": "application/json" }, body: JSON.stringify({ model: "chat-broken", stream: true, messages: user("tell me more") }) }),
      { ...(env as unknown as Env), SWITCHYARD_CONFIG },
      createExecutionContext(),
    );
    expect(res.status).toBe(200);
    const data = await sseData(res);
    expect(data).not.toContain("[DONE]");
    const last = JSON.parse(data.at(-1)!) as OpenAIError;
    expect(last.error).toMatchObject({ type: "server_error", code: "specialist_failed" });
    expect(last.error.message).toMatch(/not a JSON chunk/);
    expect(data.length).toBeGreaterThan(1);
  });
});

describe("GET /v1/models", () => {
  it("lists 'auto' and every specialist, and retrieves one", async () => {
    const res = await call("/v1/models", { headers: AUTH });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { object: string; data: { id: string; object: string; owned_by: string }[] };
    expect(body.object).toBe("list");
    expect(body.data[0]).toMatchObject({ id: "auto", object: "model", owned_by: "switchyard" });
    expect(body.data.map((m) => m.id)).toEqual(expect.arrayContaining(["units", "arithmetic", "general", "chat"]));
    expect(await (await call("/v1/models/units")).json()).toMatchObject({ id: "units", object: "model" });
    expect((await openAIError(await call("/v1/models/nope"), 404)).code).toBe("model_not_found");
  });

  it("is documented in /openapi.json", async () => {
    const doc = (await (await call("/openapi.json")).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/v1/chat/completions", "/v1/models", "/v1/models/{model}"]));
    expect(doc.paths["/v1/chat/completions"]!.post).toBeDefined();
  });
});
