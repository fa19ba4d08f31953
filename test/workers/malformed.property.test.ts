import { listDurableObjectIds } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Specialist } from "../../worker/config/schema.ts";
import type { Env } from "../../worker/env.ts";
import { IntentRequest, RouteRequest } from "../../worker/http/schemas.ts";
import { CancelRequest, Decision, TaskRequest } from "../../worker/http/task-schemas.ts";
import { ChatCompletionRequest } from "../../worker/protocols/openai/schemas.ts";
import { MessagesRequest } from "../../worker/protocols/anthropic/wire.ts";
import { checkItems, ResponsesRequest } from "../../worker/protocols/openai/responses-wire.ts";
import { responsesToChat } from "../../worker/protocols/openai/responses-request.ts";

const E = env as unknown as Env;

/** A Responses request the door would serve: its schema, its items, and a translation. */
function validResponses(v: unknown): boolean {
  const r = ResponsesRequest.safeParse(v);
  if (!r.success) return false;
  if (Array.isArray(r.data.input) && checkItems(r.data.input).length > 0) return false;
  return responsesToChat(r.data as Record<string, unknown>).ok;
}
const TASK = `task_${"a".repeat(32)}`;

/** Every route with a body schema that a generated value must NOT satisfy (so it is malformed). */
const ROUTES: { method: string; path: string; valid?: (v: unknown) => boolean; admin?: boolean; kind: "problem" | "openai" | "jsonrpc" | "anthropic" }[] = [
  { method: "POST", path: "/v1/route", valid: (v) => RouteRequest.safeParse(v).success, kind: "problem" },
  { method: "POST", path: "/v1/intents", valid: (v) => IntentRequest.safeParse(v).success, kind: "problem" },
  { method: "POST", path: "/v1/tasks", valid: (v) => TaskRequest.safeParse(v).success, kind: "problem" },
  // a well-formed decision about an unknown task is a valid request (404), and asking its object instantiates it
  { method: "POST", path: `/v1/tasks/${TASK}/approve`, valid: (v) => Decision.safeParse(v).success, kind: "problem" },
  { method: "POST", path: `/v1/tasks/${TASK}/reject`, valid: (v) => Decision.safeParse(v).success, kind: "problem" },
  { method: "POST", path: `/v1/tasks/${TASK}/cancel`, valid: (v) => CancelRequest.safeParse(v).success, kind: "problem" },
  { method: "POST", path: "/v1/chat/completions", valid: (v) => ChatCompletionRequest.safeParse(v).success, kind: "openai" },
  { method: "POST", path: "/v1/responses", valid: validResponses, kind: "openai" },
  { method: "POST", path: "/v1/messages", valid: (v) => MessagesRequest.safeParse(v).success, kind: "anthropic" },
  { method: "POST", path: "/v1/messages/count_tokens", valid: (v) => MessagesRequest.omit({ max_tokens: true }).safeParse(v).success, kind: "anthropic" },
  { method: "POST", path: "/a2a", valid: (v) => typeof v === "object" && v !== null && "jsonrpc" in v, kind: "jsonrpc" },
  { method: "PUT", path: "/v1/admin/specialists/prop", valid: (v) => typeof v === "object" && v !== null && Specialist.safeParse({ ...v, id: "prop" }).success, admin: true, kind: "problem" },
  { method: "POST", path: "/v1/admin/specialists/units/disable", valid: (v) => typeof v === "object" && v !== null && typeof (v as { reason?: unknown }).reason === "string", admin: true, kind: "problem" },
  { method: "POST", path: "/v1/admin/tenants/dev/cancel-tasks", valid: (v) => typeof v === "object" && v !== null && typeof (v as { reason?: unknown }).reason === "string", admin: true, kind: "problem" },
  { method: "POST", path: "/v1/admin/tenants/dev/disable", valid: (v) => typeof v === "object" && v !== null && typeof (v as { reason?: unknown }).reason === "string", admin: true, kind: "problem" },
  { method: "POST", path: "/v1/admin/disable", valid: (v) => typeof v === "object" && v !== null && typeof (v as { reason?: unknown }).reason === "string", admin: true, kind: "problem" },
  { method: "PUT", path: "/v1/admin/specialists/Bad%20Id", admin: true, kind: "problem" },
  { method: "POST", path: "/.well-known/agent-card.json", kind: "problem" },
];

/** GET routes with ids in the path: random, mostly malformed, never existing ids. */
const GETS = ["/v1/intents/", "/v1/tasks/", "/v1/tasks/{}/audit", "/v1/tasks/{}/events", "/v1/pools/", "/v1/models/", "/v1/nothing/"];

const rawBody = fc.oneof(
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.anything().map((v) => {
    try {
      return JSON.stringify(v) ?? "null";
    } catch {
      return "null";
    }
  }),
  fc.string({ maxLength: 200 }),
  fc.jsonValue().map((v) => JSON.stringify(v).slice(0, -1)), // truncated
  fc.integer({ min: 33, max: 5000 }).map((d) => `${"[".repeat(d)}${"]".repeat(d)}`),
  fc.constantFrom("", "{", "null", "[]", '{"input":', '{"input":null}', '{"goal":""}', '{"messages":"hi"}', '{"input":[{"type":"function_call"}]}', '{"input":"x","store":true}', '{"input":[{"role":"user","content":[{"type":"input_image"}]}]}', "\u0000\u0001"),
);

/** Everything a request could have changed: Durable Objects created, control state, KV keys. */
async function snapshotState() {
  const stub = E.CONTROL_PLANE!.get(E.CONTROL_PLANE!.idFromName("control"));
  const version = ((await stub.state()) as { version: number }).version;
  const [tasks, pools, control] = await Promise.all([listDurableObjectIds(E.TASK_AGENT!), listDurableObjectIds(E.RATE_LIMIT_POOL!), listDurableObjectIds(E.CONTROL_PLANE!)]);
  const kv = (await E.INTENTS!.list()).keys.map((k) => k.name).sort();
  return { tasks: tasks.length, pools: pools.length, control: control.length, version, kv };
}

function parseBody(route: (typeof ROUTES)[number], text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function expectWellFormedError(res: Response, kind: "problem" | "openai" | "jsonrpc" | "anthropic", what: string) {
  expect(res.status, what).toBeLessThan(500);
  const type = res.headers.get("content-type") ?? "";
  const body = await res.text();
  if (kind === "jsonrpc") {
    expect(JSON.parse(body).error?.code, what).toEqual(expect.any(Number));
    return;
  }
  expect(res.status, what).toBeGreaterThanOrEqual(400);
  if (kind === "anthropic") {
    expect(type, what).toMatch(/^application\/json/);
    const e = JSON.parse(body) as { type: string; error: { type: string; message: string } };
    expect(e.type, what).toBe("error");
    expect(e.error.type, what).toEqual(expect.any(String));
    expect(e.error.message, what).toEqual(expect.any(String));
    return;
  }
  if (kind === "openai" && !type.startsWith("application/problem+json")) {
    expect(JSON.parse(body).error?.message, what).toEqual(expect.any(String));
    return;
  }
  expect(type, what).toMatch(/^application\/problem\+json/);
  const p = JSON.parse(body) as { status: number; type: string; detail: string };
  expect(p.status, what).toBe(res.status);
  expect(p.detail, what).toEqual(expect.any(String));
}

describe("10,000 malformed requests across every route", () => {
  it("never answer 5xx, always answer a well-formed error, and never change stored state", { timeout: 600_000 }, async () => {
    // the first request builds the runtime (and stores its fitted model in KV): not part of the property
    expect((await exports.default.fetch(new Request("https://router.test/healthz"))).status).toBe(200);
    const before = await snapshotState();
    let sent = 0;
    const post = fc.record({ route: fc.constantFrom(...ROUTES), body: rawBody, contentType: fc.constantFrom("application/json", "text/plain", "") });
    const get = fc.record({ prefix: fc.constantFrom(...GETS), id: fc.string({ maxLength: 80 }) });
    await fc.assert(
      fc.asyncProperty(fc.oneof({ weight: 4, arbitrary: post }, { weight: 1, arbitrary: get }), async (req) => {
        if ("route" in req) {
          const parsed = parseBody(req.route, req.body);
          if (parsed !== undefined && req.route.valid?.(parsed)) return; // a valid request is not malformed
          sent++;
          const headers: Record<string, string> = { authorization: req.route.admin ? "Bearer dev-admin-key" : "Bearer dev-key" };
          if (req.contentType) headers["content-type"] = req.contentType;
          const res = await exports.default.fetch(new Request(`https://router.test${req.route.path}`, { method: req.route.method, headers, body: req.body }));
          await expectWellFormedError(res, req.route.kind, `${req.route.method} ${req.route.path} ${req.body.slice(0, 80)}`);
        } else {
          sent++;
          const path = req.prefix.includes("{}") ? req.prefix.replace("{}", encodeURIComponent(req.id)) : `${req.prefix}${encodeURIComponent(req.id)}`;
          const res = await exports.default.fetch(new Request(`https://router.test${path}`, { headers: { authorization: "Bearer dev-key" } }));
          await expectWellFormedError(res, req.prefix.startsWith("/v1/models") ? "openai" : "problem", `GET ${path}`);
        }
      }),
      { numRuns: 10_300, seed: 20261123 },
    );
    expect(sent).toBeGreaterThanOrEqual(10_000);
    expect(await snapshotState()).toEqual(before);
  });
});
