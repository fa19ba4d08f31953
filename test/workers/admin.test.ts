import { inject } from "vitest";
import { describe, expect, it, vi } from "vitest";
import { TaskAgent } from "../../durable-objects/task-agent.ts";
import { call, problem } from "./helpers.ts";
import { submit, waitFor } from "./task-helpers.ts";

const ADMIN = { authorization: "Bearer dev-admin-key" };
const admin = (path: string, json: unknown, method = "POST") => call(path, { method, json, headers: ADMIN });
const why = { by: "ops", reason: "incident 42" };

describe("admin routes", () => {
  it("refuse tenant keys with 403", async () => {
    for (const [path, method] of [
      ["/v1/admin/specialists/units/disable", "POST"],
      ["/v1/admin/disable", "POST"],
      ["/v1/admin/tenants/dev/cancel-tasks", "POST"],
      ["/v1/admin/specialists/x", "PUT"],
      ["/v1/admin/specialists/x", "DELETE"],
      ["/v1/admin/control", "GET"],
    ] as const) {
      const res = await call(path, { method, ...(method === "GET" || method === "DELETE" ? {} : { json: why }) });
      expect(res.status, path).toBe(403);
      expect((await problem(res)).type).toBe("urn:switchyard:problem:forbidden");
    }
  });
});

describe("kill switches", () => {
  it("a disabled specialist says so (503) instead of being stood in for by its fallback, routed or pinned, and comes back", async () => {
    expect((await admin("/v1/admin/specialists/units/disable", why)).status).toBe(200);
    expect((await admin("/v1/admin/specialists/fault-garbage/disable", why)).status).toBe(200);
    try {
      const routed = await call("/v1/route", { json: { input: "convert 5 km to miles" } });
      expect(routed.status).toBe(503);
      const body = await problem(routed);
      expect(body.title).toBe("Specialist disabled");
      expect(body.detail).toMatch(/'units' is disabled by a kill switch .*no fallback stands in/);
      expect(body.tried).toEqual([{ specialist: "units", attempt: 0, failure: "disabled" }]);
      const chat = await call("/v1/chat/completions", { json: { model: "units", messages: [{ role: "user", content: "convert 5 km to miles" }] } });
      expect(chat.status).toBe(503);
      expect(((await chat.json()) as { error: { code: string } }).error.code).toBe("specialist_disabled");
      const pinned = await call("/v1/route", { json: { input: "x", specialist: "fault-garbage" } });
      expect(pinned.status).toBe(503);
      expect((await problem(pinned)).detail).toMatch(/fault-garbage \(disabled\)/);
    } finally {
      expect((await admin("/v1/admin/specialists/units/enable", why)).status).toBe(200);
      expect((await admin("/v1/admin/specialists/fault-garbage/enable", why)).status).toBe(200);
    }
    const back = (await (await call("/v1/route", { json: { input: "convert 5 km to miles" } })).json()) as { decision: { specialist: string } };
    expect(back.decision.specialist).toBe("units");
    expect((await admin("/v1/admin/specialists/nobody/disable", why)).status).toBe(404);
  });

  it("a disabled tenant gets 403, the global switch 503, and admins can lift both", async () => {
    await admin("/v1/admin/tenants/dev/disable", why);
    try {
      const res = await call("/v1/route", { json: { input: "hello" } });
      expect(res.status).toBe(403);
      expect((await problem(res)).detail).toMatch(/incident 42/);
    } finally {
      await admin("/v1/admin/tenants/dev/enable", why);
    }
    await admin("/v1/admin/disable", why);
    try {
      expect((await call("/v1/intents", { json: { input: "hello" } })).status).toBe(503);
    } finally {
      await admin("/v1/admin/enable", why);
    }
    expect((await call("/v1/intents", { json: { input: "hello" } })).status).toBe(200);
    const control = (await (await call("/v1/admin/control", { headers: ADMIN })).json()) as { audit: { entries: { action: string; actor: string }[]; verification: { ok: boolean } } };
    expect(control.audit.verification.ok).toBe(true);
    expect(control.audit.entries.map((e) => e.action)).toEqual(expect.arrayContaining(["tenant.disabled", "tenant.enabled", "global.disabled", "global.enabled"]));
    expect(control.audit.entries[0]!.actor).toBe('admin:dev as "ops"'); // the authenticated principal; the claimed name marked as a claim
  });

  it("cancels every running task of a tenant", async () => {
    const slow = { goal: "held", plan: { steps: [{ id: "s", specialist: "fault-held-effect" }] } }; // in flight until cancelled
    const a = await submit(slow);
    const b = await submit(slow);
    await waitFor(a.id, ["running"]);
    const res = await admin("/v1/admin/tenants/dev/cancel-tasks", why);
    expect(res.status).toBe(200);
    const { cancelled } = (await res.json()) as { cancelled: string[] };
    expect(cancelled).toEqual(expect.arrayContaining([a.id, b.id]));
    expect((await waitFor(a.id, ["cancelled"])).status).toBe("cancelled");
    expect((await waitFor(b.id, ["cancelled"])).status).toBe("cancelled");
  });

  it("a task it cannot reach does not stop the others: it is reported as failed and audited", async () => {
    const slow = { goal: "slow", plan: { steps: [{ id: "s", specialist: "fault-slow-effect" }] } };
    const a = await submit(slow);
    const b = await submit(slow);
    await waitFor(a.id, ["running"]);
    const original = TaskAgent.prototype.cancel;
    const spy = vi.spyOn(TaskAgent.prototype, "cancel").mockImplementation(async function (this: TaskAgent, ...args: Parameters<TaskAgent["cancel"]>) {
      if (this.get(args[0])?.id === a.id) throw new Error("object overloaded");
      return original.apply(this, args);
    });
    try {
      const res = await admin("/v1/admin/tenants/dev/cancel-tasks", why);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { cancelled: string[]; failed: { task: string; detail: string }[] };
      expect(body.cancelled).toContain(b.id);
      expect(body.cancelled).not.toContain(a.id);
      expect(body.failed).toEqual([{ task: a.id, detail: expect.stringMatching(/object overloaded/) }]);
      const control = (await (await call("/v1/admin/control", { headers: ADMIN })).json()) as { audit: { entries: { action: string; detail: { tasks: string[]; failed?: { task: string }[] } }[] } };
      const entry = control.audit.entries.filter((e) => e.action === "tenant.tasks_cancelled").at(-1)!;
      expect(entry.detail.failed?.map((f) => f.task)).toEqual([a.id]);
      expect(entry.detail.tasks).toContain(b.id);
    } finally {
      spy.mockRestore();
    }
    expect((await admin("/v1/admin/tenants/dev/cancel-tasks", why)).status).toBe(200);
    expect((await waitFor(a.id, ["cancelled"])).status).toBe("cancelled");
  });
});

describe("runtime registration", () => {
  const echo = () => ({
    description: "Repeats what it is told",
    endpoint: { type: "http", url: `${inject("faultsUrl")}/ok` },
    intents: [{ label: "echo.repeat", examples: ["repeat after me: hello", "say back what I wrote", "echo this sentence", "parrot my words back", "please repeat the following text", "say it again after me"] }],
  });

  it("registers a specialist without redeploying, serves its pinned requests at once, routes to it once the fitter has re-fitted the classifier, and removes it", async () => {
    const put = await admin("/v1/admin/specialists/echo", echo(), "PUT");
    expect(put.status).toBe(200);
    try {
      const pinned = await call("/v1/route", { json: { input: "good morning", specialist: "echo" } });
      expect(pinned.status).toBe(200);
      // the re-fit is off the request path (intent-models.ts): wait, bounded, until this isolate swapped the fitted model in
      await vi.waitFor(
        async () => {
          const h = (await (await call("/healthz")).json()) as { intentModel: { source: string } };
          if (h.intentModel.source === "interim") throw new Error("still interim");
        },
        { timeout: 20_000, interval: 50 },
      );
      const routed = (await (await call("/v1/route", { json: { input: "please repeat after me: good morning" } })).json()) as { decision: { specialist: string; intent: { label: string } } };
      expect(routed.decision).toMatchObject({ specialist: "echo", intent: { label: "echo.repeat" } });
      const list = (await (await call("/v1/specialists")).json()) as { specialists: { id: string }[] };
      expect(list.specialists.map((s) => s.id)).toContain("echo");
    } finally {
      expect((await call("/v1/admin/specialists/echo", { method: "DELETE", headers: ADMIN })).status).toBe(200);
    }
    const list = (await (await call("/v1/specialists")).json()) as { specialists: { id: string }[] };
    expect(list.specialists.map((s) => s.id)).not.toContain("echo");
    expect((await call("/v1/admin/specialists/echo", { method: "DELETE", headers: ADMIN })).status).toBe(404);
    const control = (await (await call("/v1/admin/control", { headers: ADMIN })).json()) as { audit: { entries: { action: string; detail: { specialist?: string } }[] } };
    expect(control.audit.entries.filter((e) => e.detail.specialist === "echo").map((e) => e.action)).toEqual(["specialist.registered", "specialist.deleted"]);
  });

  it("rejects invalid specialists with the bad paths, and never stores them", async () => {
    const cases: [unknown, string][] = [
      [{ ...echo(), endpoint: { type: "http", url: "not a url" } }, "endpoint.url"],
      [{ ...echo(), intents: [{ label: "units.convert", examples: ["x"] }] }, "specialists"],
      [{ ...echo(), id: "other" }, "id"],
      [{ ...echo(), surprise: true }, ""],
    ];
    for (const [body, path] of cases) {
      const res = await admin("/v1/admin/specialists/echo2", body, "PUT");
      expect(res.status, JSON.stringify(body).slice(0, 60)).toBe(400);
      const p = await problem(res);
      expect(p.errors!.some((e) => e.path.startsWith(path))).toBe(true);
    }
    const control = (await (await call("/v1/admin/control", { headers: ADMIN })).json()) as { registered: Record<string, unknown> };
    expect(control.registered).not.toHaveProperty("echo2");
  });
});
