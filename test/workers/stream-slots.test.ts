import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../worker/index.ts";
import type { Env } from "../../worker/env.ts";
import { sha256Hex } from "../../worker/intent/record.ts";
import { callWith, configWith, problem } from "./helpers.ts";

/** A tenant's open event streams are capped across the edge (`router.maxStreamsPerTenant`, issue 11). */
const API_KEYS = JSON.stringify({ [await sha256Hex("key-streamer")]: "streamer" });
const SWITCHYARD_CONFIG = configWith((c) => void (c.router = { ...c.router, maxStreamsPerTenant: 2 }));
const AS = { authorization: "Bearer key-streamer" };

/** Opens a stream without waiting for it to end. */
const open = (path: string, init: RequestInit = {}) =>
  worker.fetch(new Request(`https://router.test${path}`, { ...init, headers: { ...AS, ...(init.headers as Record<string, string>) } }), { ...(env as unknown as Env), API_KEYS, SWITCHYARD_CONFIG }, createExecutionContext());

describe("event streams per tenant", () => {
  it("a third stream while two are open is a 429 with Retry-After, on the task feed and on A2A", { timeout: 20_000 }, async () => {
    const submitted = await callWith({ API_KEYS, SWITCHYARD_CONFIG }, "/v1/tasks", { json: { goal: "wait", plan: { steps: [{ id: "gate", specialist: "policy-approve", input: "x" }] } }, headers: AS });
    expect(submitted.status).toBe(202);
    const { id } = (await submitted.json()) as { id: string };
    const a = await open(`/v1/tasks/${id}/events`);
    const b = await open(`/v1/tasks/${id}/events`);
    expect([a.status, b.status]).toEqual([200, 200]);
    const third = await open(`/v1/tasks/${id}/events`);
    expect(third.status).toBe(429);
    expect(Number(third.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await problem(third)).detail).toMatch(/2 event streams open/);
    const rpc = await open("/a2a", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "SubscribeToTask", params: { id } }) });
    const body = (await rpc.text()).trim();
    expect(body).toMatch(/"status":"429"/);
    await Promise.all([a.body?.cancel(), b.body?.cancel()]);
  });
});
