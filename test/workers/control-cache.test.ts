import { env } from "cloudflare:workers";
import { inject } from "vitest";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ControlPlane } from "../../durable-objects/control-plane.ts";
import { CONTROL_CACHE_MS, resetControlCaches, switchFreshness, switchState } from "../../worker/control.ts";
import type { Env } from "../../worker/env.ts";
import { getRuntime } from "../../worker/runtime.ts";
import { call, callWith, configWith, problem } from "./helpers.ts";

const ADMIN = { authorization: "Bearer dev-admin-key" };
const admin = (path: string, json: unknown, method = "POST") => call(path, { method, json, headers: ADMIN });
const E = env as unknown as Env;

afterEach(() => {
  vi.restoreAllMocks();
  resetControlCaches();
});

describe("the isolate's view of the control plane", () => {
  it("a kill switch flip keeps the isolate's runtime (no re-fit, same intent cache); a registration rebuilds it", async () => {
    const before = await getRuntime(E);
    expect((await admin("/v1/admin/specialists/units/disable", { reason: "test" })).status).toBe(200);
    expect(await getRuntime(E)).toBe(before);
    expect((await admin("/v1/admin/specialists/units/enable", { reason: "test" })).status).toBe(200);
    expect(await getRuntime(E)).toBe(before);
    const spec = {
      endpoint: { type: "http", url: `${inject("faultsUrl")}/ok` },
      intents: [{ label: "echo.repeat", examples: ["repeat after me: hello", "say back what I wrote", "echo this sentence", "parrot my words back"] }],
    };
    expect((await admin("/v1/admin/specialists/echo", spec, "PUT")).status).toBe(200);
    const registered = await getRuntime(E);
    expect(registered).not.toBe(before);
    expect(registered.registry.has("echo")).toBe(true);
    expect((await call("/v1/admin/specialists/echo", { method: "DELETE", headers: ADMIN })).status).toBe(200);
    expect((await getRuntime(E)).registry.has("echo")).toBe(false);
  });

  it("many requests of a cold isolate read the switches once (single-flight)", async () => {
    const read = vi.spyOn(ControlPlane.prototype, "switches");
    resetControlCaches();
    const states = await Promise.all(Array.from({ length: 20 }, () => switchState(E)));
    expect(read).toHaveBeenCalledTimes(1);
    expect(new Set(states).size).toBe(1);
  });

  it("reads again once the cached switches are older than CONTROL_CACHE_MS, and a fresh read goes to the control plane at once", async () => {
    const read = vi.spyOn(ControlPlane.prototype, "switches");
    const t = Date.now();
    await switchState(E, { now: t });
    await switchState(E, { now: t + CONTROL_CACHE_MS - 1 });
    expect(read).toHaveBeenCalledTimes(1);
    await switchState(E, { now: t + CONTROL_CACHE_MS });
    expect(read).toHaveBeenCalledTimes(2);
    await switchState(E, { now: t + CONTROL_CACHE_MS, fresh: true });
    expect(read).toHaveBeenCalledTimes(3);
  });

  it("when the control plane cannot be read, the last good switches are served (a disabled tenant stays disabled) and /healthz says 'stale'", async () => {
    expect((await admin("/v1/admin/tenants/dev/disable", { reason: "incident" })).status).toBe(200);
    try {
      await switchState(E);
      vi.spyOn(ControlPlane.prototype, "switches").mockImplementation(() => {
        throw new Error("overloaded");
      });
      const later = Date.now() + 10 * CONTROL_CACHE_MS;
      expect((await switchState(E, { now: later })).tenants.dev?.disabled).toBe(true);
      const routed = await call("/v1/route", { json: { input: "what is 2 + 2" } });
      expect(routed.status).toBe(403);
      const health = (await (await call("/healthz")).json()) as { ok: boolean; control: string };
      expect(health).toMatchObject({ ok: true, control: "stale" });
    } finally {
      vi.restoreAllMocks();
      expect((await admin("/v1/admin/tenants/dev/enable", { reason: "over" })).status).toBe(200);
    }
  });

  it("a cold isolate that cannot reach the control plane: /healthz is 200 with control 'unavailable', routed requests are 503 naming it", async () => {
    vi.spyOn(ControlPlane.prototype, "switches").mockImplementation(() => {
      throw new Error("overloaded");
    });
    resetControlCaches();
    const health = await call("/healthz");
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, control: "unavailable" });
    const routed = await call("/v1/route", { json: { input: "what is 2 + 2" } });
    expect(routed.status).toBe(503);
    expect((await problem(routed)).type).toBe("urn:switchyard:problem:control-plane-unavailable");
  });
});

describe("a control plane that does not answer", () => {
  // a short deadline (the default, 10 s, is for a control plane waking up cold)
  const FAST = configWith((c) => {
    c.router = { ...c.router, controlReadTimeoutMs: 300 };
  });
  const FE = { ...E, SWITCHYARD_CONFIG: FAST } as Env;
  const fast = (path: string, init: RequestInit & { json?: unknown } = {}) => callWith({ SWITCHYARD_CONFIG: FAST }, path, init);
  const hang = (method: "switches" | "state" = "switches") => vi.spyOn(ControlPlane.prototype, method).mockImplementation(() => new Promise<never>(() => {}) as never);

  it("a cold isolate: routed requests are 503 control-plane-unavailable and /healthz is 200 'unavailable', after the read's deadline rather than never", async () => {
    resetControlCaches();
    hang();
    const routed = await fast("/v1/route", { json: { input: "what is 2 + 2" } });
    expect(routed.status).toBe(503);
    const p = await problem(routed);
    expect(p.type).toBe("urn:switchyard:problem:control-plane-unavailable");
    expect(p.detail).toMatch(/no answer within 300 ms/);
    const health = await fast("/healthz");
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, control: "unavailable" });
  });

  it("a warm isolate whose switches expired serves its last good switches (a disabled tenant stays disabled) after the deadline", async () => {
    expect((await admin("/v1/admin/tenants/dev/disable", { reason: "incident" })).status).toBe(200);
    try {
      await switchState(FE);
      hang();
      const later = Date.now() + 10 * CONTROL_CACHE_MS;
      expect((await switchState(FE, { now: later })).tenants.dev?.disabled).toBe(true);
      expect((await fast("/v1/route", { json: { input: "what is 2 + 2" } })).status).toBe(403);
      expect(await (await fast("/healthz")).json()).toMatchObject({ ok: true, control: "stale" });
    } finally {
      vi.restoreAllMocks();
      expect((await admin("/v1/admin/tenants/dev/enable", { reason: "over" })).status).toBe(200);
    }
  });

  it("the admin view and a task's fresh read give up at the deadline too", async () => {
    hang("state");
    const res = await fast("/v1/admin/control", { headers: ADMIN });
    expect(res.status).toBe(503);
    expect((await problem(res)).type).toBe("urn:switchyard:problem:control-plane-unavailable");
    vi.restoreAllMocks();
    await switchState(FE);
    hang();
    expect((await switchState(FE, { fresh: true })).version).toEqual(expect.any(Number));
    expect(switchFreshness()).toBe("stale");
  });
});
