import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CONTROL_CACHE_MS, controlStub } from "../../worker/control.ts";
import { fakeClock } from "./clock.ts";
import type { Env } from "../../worker/env.ts";
import { call, problem } from "./helpers.ts";

/**
 * The admin API cannot brick the router (issue 11): a change that would leave the whole
 * config invalid is refused with 409 naming its dependants, and the admin API keeps
 * working whatever the registrations hold, so a bad state can be undone through it.
 */
const ADMIN = { authorization: "Bearer dev-admin-key" };
const admin = (path: string, method: string, json?: unknown) => call(path, { method, headers: ADMIN, ...(json !== undefined ? { json } : {}) });
const spec = (extra: Record<string, unknown> = {}) => ({ endpoint: { type: "http", url: "https://example.com/x" }, ...extra });

let clock: ReturnType<typeof fakeClock>;
beforeEach(() => void (clock = fakeClock()));
afterEach(() => clock.restore());

describe("runtime registration keeps the config valid", () => {
  it("refuses to delete a specialist another one falls back to (409 naming it); the router keeps serving", async () => {
    expect((await admin("/v1/admin/specialists/reg-y", "PUT", spec())).status).toBe(200);
    expect((await admin("/v1/admin/specialists/reg-x", "PUT", spec({ fallbacks: ["reg-y"] }))).status).toBe(200);
    try {
      const res = await admin("/v1/admin/specialists/reg-y", "DELETE");
      expect(res.status).toBe(409);
      const p = await problem(res);
      expect(p.detail).toMatch(/deleting 'reg-y' would leave the config invalid: specialists\[reg-x\]\.fallbacks\.0: unknown specialist 'reg-y'/);
      expect(p.errors![0]!.path).toBe("specialists[reg-x].fallbacks.0");
      expect((await call("/v1/route", { json: { input: "convert 5 km to miles" } })).status).toBe(200);
    } finally {
      expect((await admin("/v1/admin/specialists/reg-x", "DELETE")).status).toBe(200);
      expect((await admin("/v1/admin/specialists/reg-y", "DELETE")).status).toBe(200);
    }
  });

  it("when the registrations are invalid (written around the API), routes say so (503) and the admin API still works and can undo it", async () => {
    const cp = controlStub(env as unknown as Env)!;
    await cp.register("broken-x", { id: "broken-x", ...spec({ fallbacks: ["nobody"] }) }, "test", "h");
    try {
      clock.advance(CONTROL_CACHE_MS); // past the isolate's control cache
      expect((await call("/v1/route", { json: { input: "convert 5 km to miles" } })).status).toBe(503);
      expect((await admin("/v1/admin/control", "GET")).status).toBe(200);
      expect((await admin("/v1/admin/specialists/units/disable", "POST", { reason: "still works" })).status).toBe(200);
      expect((await admin("/v1/admin/specialists/units/enable", "POST", { reason: "still works" })).status).toBe(200);
    } finally {
      expect((await admin("/v1/admin/specialists/broken-x", "DELETE")).status).toBe(200);
    }
    expect((await call("/v1/route", { json: { input: "convert 5 km to miles" } })).status).toBe(200);
  });
});
