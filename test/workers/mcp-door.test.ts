import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env as testEnv } from "cloudflare:workers";
import type { Env } from "../../worker/env.ts";
import { describe, expect, it } from "vitest";
import { McpSession } from "../../durable-objects/mcp-session.ts";
import { DOOR_HEADER, type DoorCall } from "../../worker/protocols/mcp/door.ts";
import { sha256Hex } from "../../worker/intent/record.ts";
import { callWith } from "./helpers.ts";

const env = testEnv as unknown as Env;

/**
 * The MCP door inside workerd: the policy, screening and audit steps every door goes
 * through, per tenant (test-config.ts: tenant `no-math` is denied `math.*`, tenant
 * `careful` needs approval for `units.*`), sessions scoped to their tenant, and a
 * session whose Durable Object started again (its SDK server rebuilt from the stored
 * `initialize`).
 */
const KEYS = { "no-math": "key-no-math", careful: "key-careful", other: "key-other" } as const;
type Tenant = keyof typeof KEYS;
const API_KEYS = JSON.stringify(Object.fromEntries(await Promise.all(Object.entries(KEYS).map(async ([tenant, key]) => [await sha256Hex(key), tenant]))));

/** The JSON-RPC messages of an answer: a JSON body, or the `data:` lines of an event stream. */
async function messages(res: Response): Promise<Record<string, any>[]> {
  const text = await res.text();
  if ((res.headers.get("content-type") ?? "").includes("text/event-stream"))
    return text
      .split("\n")
      .filter((l) => l.startsWith("data: "))
      .map((l) => JSON.parse(l.slice(6)) as Record<string, any>);
  return text ? [JSON.parse(text) as Record<string, any>] : [];
}

const HEADERS = { accept: "application/json, text/event-stream", "content-type": "application/json", "mcp-protocol-version": "2025-11-25" };
const send = (tenant: Tenant, body: unknown, session?: string) =>
  callWith({ API_KEYS }, "/mcp", { method: "POST", headers: { ...HEADERS, authorization: `Bearer ${KEYS[tenant]}`, ...(session ? { "mcp-session-id": session } : {}) }, body: JSON.stringify(body) });

/** A new session of `tenant`: its id. */
async function open(tenant: Tenant): Promise<string> {
  const res = await send(tenant, { jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "workers-test", version: "1" } } });
  expect(res.status).toBe(200);
  const id = res.headers.get("mcp-session-id")!;
  await res.text();
  expect((await send(tenant, { jsonrpc: "2.0", method: "notifications/initialized" }, id)).status).toBe(202);
  return id;
}

/** One tools/call's result (the last message of its answer). */
async function callTool(tenant: Tenant, session: string, name: string, args: Record<string, unknown>) {
  const res = await send(tenant, { jsonrpc: "2.0", id: 7, method: "tools/call", params: { name, arguments: args } }, session);
  expect(res.status).toBe(200);
  const last = (await messages(res)).at(-1)!;
  return last.result as { content: { type: string; text: string }[]; isError?: boolean; _meta?: Record<string, any> };
}

describe("the MCP door applies every tenant's policies to its tool calls, however the tool names the specialist", () => {
  it("a deny rule on an intent holds for a specialist tool and for route", async () => {
    const s = await open("no-math");
    for (const [name, args] of [
      ["arithmetic", { input: "what is 12 * 7" }],
      ["route", { input: "what is 12 * 7" }],
    ] as const) {
      const r = await callTool("no-math", s, name, args);
      expect(r.isError, name).toBe(true);
      expect(r.content[0]!.text, name).toMatch(/denied by policy 'no-math': math is off for this tenant/);
      expect(r._meta?.["switchyard/problem"].status).toBe(422);
    }
    const other = await open("other");
    expect((await callTool("other", other, "arithmetic", { input: "what is 12 * 7" })).content[0]!.text).toBe("12 * 7 = 84");
  });

  it("an approval rule holds the call as a task for a reviewer (no elicitation declared)", async () => {
    const s = await open("careful");
    const r = await callTool("careful", s, "units", { input: "convert 5 km to miles" });
    expect(r.isError).toBe(true);
    const approval = r._meta?.["switchyard/approval"] as { task: string };
    const status = async () => ((await (await callWith({ API_KEYS }, `/v1/tasks/${approval.task}`, { headers: { authorization: `Bearer ${KEYS.careful}` } })).json()) as { status: string }).status;
    await expect.poll(status, { timeout: 15_000 }).toBe("awaiting_approval");
  });
});

describe("MCP sessions", () => {
  it("belong to their tenant: another tenant's key gets 404 for the session and its audit chain", async () => {
    const s = await open("other");
    const res = await send("careful", { jsonrpc: "2.0", id: 1, method: "tools/list" }, s);
    expect(res.status).toBe(404);
    expect((await callWith({ API_KEYS }, `/v1/mcp/sessions/${s}/audit`, { headers: { authorization: `Bearer ${KEYS.careful}` } })).status).toBe(404);
    expect((await callWith({ API_KEYS }, `/v1/mcp/sessions/${s}/audit`, { headers: { authorization: `Bearer ${KEYS.other}` } })).status).toBe(200);
  });

  it("survive their object starting again: a new instance rebuilds the server from the stored initialize and answers", async () => {
    const s = await open("other");
    await callTool("other", s, "units", { input: "3 kg to lb" });
    const ns = env.MCP_SESSION!;
    const stub = ns.get(ns.idFromName(s));
    const door: DoorCall = { scope: { id: s, tenant: "other", admin: false, base: "https://router.test" }, create: false };
    const answer = await runInDurableObject(stub, async (_instance, state) => {
      const fresh = new McpSession(state, env); // what a restarted object is: storage, no memory
      const req = new Request("https://router.test/mcp", { method: "POST", headers: { ...HEADERS, "mcp-session-id": s, [DOOR_HEADER]: JSON.stringify(door) }, body: JSON.stringify({ jsonrpc: "2.0", id: 9, method: "tools/call", params: { name: "units", arguments: { input: "convert 1 mile to km" } } }) });
      return messages(await fresh.fetch(req));
    });
    expect(answer.at(-1)?.result.content[0].text).toBe("1 mile = 1.60934 kilometers");
    const audit = (await (await callWith({ API_KEYS }, `/v1/mcp/sessions/${s}/audit`, { headers: { authorization: `Bearer ${KEYS.other}` } })).json()) as { entries: unknown[]; verification: { ok: boolean } };
    expect(audit.entries).toHaveLength(4); // both calls, across the restart, in one chain
    expect(audit.verification.ok).toBe(true);
  });

  it("end idle past their TTL, keeping the audit chain for its retention, then deleting it", async () => {
    const s = await open("other");
    await callTool("other", s, "units", { input: "3 kg to lb" });
    const ns = env.MCP_SESSION!;
    const stub = ns.get(ns.idFromName(s));
    const auditOf = () => callWith({ API_KEYS }, `/v1/mcp/sessions/${s}/audit`, { headers: { authorization: `Bearer ${KEYS.other}` } });
    await runInDurableObject(stub, async (_i, state) => {
      const stored = (await state.storage.get<{ lastUsedAt: number }>("session"))!;
      await state.storage.put("session", { ...stored, lastUsedAt: 0 }); // idle since 1970
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await send("other", { jsonrpc: "2.0", id: 1, method: "tools/list" }, s)).status).toBe(404);
    const kept = (await (await auditOf()).json()) as { entries: unknown[]; verification: { ok: boolean } };
    expect(kept.entries).toHaveLength(2);
    expect(kept.verification.ok).toBe(true);
    await runInDurableObject(stub, async (_i, state) => {
      const ended = (await state.storage.get<{ endedAt: number }>("ended"))!;
      await state.storage.put("ended", { ...ended, endedAt: 0 });
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await auditOf()).status).toBe(404);
  });

  it("refuse a request whose door header names another tenant, and never create a session for one that is not an initialize", async () => {
    const s = await open("other");
    const ns = env.MCP_SESSION!;
    const door: DoorCall = { scope: { id: s, tenant: "careful", admin: false, base: "https://router.test" }, create: false };
    const res = await ns.get(ns.idFromName(s)).fetch(new Request("https://router.test/mcp", { method: "POST", headers: { ...HEADERS, "mcp-session-id": s, [DOOR_HEADER]: JSON.stringify(door) }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }) }));
    expect(res.status).toBe(404);
    const fresh = crypto.randomUUID();
    const create: DoorCall = { scope: { id: fresh, tenant: "other", admin: false, base: "https://router.test" }, create: true };
    const notInit = await ns.get(ns.idFromName(fresh)).fetch(new Request("https://router.test/mcp", { method: "POST", headers: { ...HEADERS, [DOOR_HEADER]: JSON.stringify(create) }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }) }));
    expect(notInit.status).toBe(400);
    const stored = await runInDurableObject(ns.get(ns.idFromName(fresh)), async (_i, state) => state.storage.get("session"));
    expect(stored).toBeUndefined();
  });
});
