import { abortAllDurableObjects, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Env } from "../../worker/env.ts";
import { drive } from "../../durable-objects/task-engine.ts";
import { initialSteps } from "../../durable-objects/task-lifecycle.ts";
import { TaskStore } from "../../durable-objects/task-store.ts";
import { Plan } from "../../worker/tasks/plan.ts";
import { call } from "./helpers.ts";
import { effects, getTask, parseSse, release, submit, waitFor } from "./task-helpers.ts";

const stubFor = (id: string) => {
  const ns = (env as unknown as Env).TASK_AGENT!;
  return ns.get(ns.idFromName(id));
};

describe("durable execution", () => {
  it("resumes a step interrupted by a Durable Object restart; its side effect happens once", async () => {
    const { id } = await submit({ goal: "crash", plan: { steps: [{ id: "effect", specialist: "fault-held-effect" }, { id: "after", specialist: "fault-ok", dependsOn: ["effect"] }] } });
    // the specialist has received the call: the effect is done, the reply held until released
    await expect.poll(async () => (await effects(`${id}/effect`)).calls, { timeout: 10_000 }).toBe(1);
    await abortAllDurableObjects(); // the DO dies mid-step: its in-memory state and the pending call are gone
    await release(`${id}/effect`); // the resumed call gets its reply at once
    const stub = stubFor(id);
    const before = await getTask(id);
    expect(before.steps[0]!.status).toBe("running");
    // fast-forward the lease instead of waiting for it to expire
    await runInDurableObject(stub, (_i, state: DurableObjectState) => {
      const row = state.storage.sql.exec<{ doc: string }>("SELECT doc FROM steps WHERE id = 'effect'").one();
      state.storage.sql.exec("UPDATE steps SET doc = ? WHERE id = 'effect'", JSON.stringify({ ...JSON.parse(row.doc), leaseUntil: Date.now() - 1 }));
    });
    await runDurableObjectAlarm(stub);
    const done = await waitFor(id, ["succeeded", "failed"]);
    expect(done.status).toBe("succeeded");
    expect(done.steps[0]!.attempts).toBe(2);
    const fx = await effects(`${id}/effect`);
    expect(fx).toEqual({ effects: 1, calls: 2, keys: { [`${id}/effect`]: 2 } });
    const events = (await (await call(`/v1/tasks/${id}/audit`)).json()) as { entries: { action: string }[] };
    expect(events.entries.map((e) => e.action)).toContain("step.resumed");
  });
});

describe("Server-Sent Events", () => {
  it("streams events in order and resumes after Last-Event-ID without gaps", async () => {
    const { id } = await submit({ goal: "sse", plan: { steps: [{ id: "a", specialist: "fault-ok" }, { id: "b", specialist: "fault-ok", dependsOn: ["a"] }] } });
    const res = await call(`/v1/tasks/${id}/events`);
    expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
    const all = parseSse(await res.text());
    expect(all.map((e) => e.event)).toEqual(["task.created", "step.started", "step.succeeded", "step.started", "step.succeeded", "task.succeeded"]);
    expect(all.map((e) => e.id)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(all[1]!.data).toMatchObject({ step: "a", attempt: 1 });
    const rest = parseSse(await (await call(`/v1/tasks/${id}/events`, { headers: { "last-event-id": "3" } })).text());
    expect(rest.map((e) => e.id)).toEqual([4, 5, 6]);
  });
});

describe("audit log", () => {
  it("verifies, and detects an edited entry", async () => {
    const { id } = await submit({ goal: "audit", plan: { steps: [{ id: "a", specialist: "fault-ok" }] } });
    await waitFor(id, ["succeeded"]);
    const ok = (await (await call(`/v1/tasks/${id}/audit`)).json()) as { entries: { seq: number; actor: string; action: string; prevHash: string; hash: string; detail: any }[]; verification: { ok: boolean } };
    expect(ok.verification).toMatchObject({ ok: true, entries: ok.entries.length });
    expect(ok.entries.map((e) => e.action)).toEqual(["task.created", "step.started", "step.succeeded", "task.succeeded"]);
    expect(ok.entries[0]!.actor).toBe("tenant:dev");
    expect(ok.entries[1]!.prevHash).toBe(ok.entries[0]!.hash);
    expect(ok.entries[2]!.detail.outputHash).toMatch(/^[0-9a-f]{64}$/);
    await runInDurableObject(stubFor(id), (_i, state: DurableObjectState) => {
      const row = state.storage.sql.exec<{ entry: string }>("SELECT entry FROM audit WHERE seq = 2").one();
      const edited = { ...JSON.parse(row.entry), actor: "mallory" };
      state.storage.sql.exec("UPDATE audit SET entry = ? WHERE seq = 2", JSON.stringify(edited));
    });
    const bad = (await (await call(`/v1/tasks/${id}/audit`)).json()) as { verification: { ok: boolean; brokenAt: number; reason: string } };
    expect(bad.verification).toEqual({ ok: false, brokenAt: 2, reason: "hash does not match the entry's content" });
  });

  it("is anchored outside the task's object: cutting entries from its end, or rewriting it with every later hash recomputed, shows", async () => {
    const { chainEntry } = await import("../../worker/tasks/audit.ts");
    const { id } = await submit({ goal: "audit", plan: { steps: [{ id: "a", specialist: "fault-ok" }] } });
    await waitFor(id, ["succeeded"]);
    const read = async () => (await (await call(`/v1/tasks/${id}/audit`)).json()) as { entries: any[]; verification: { ok: boolean; brokenAt?: number; reason?: string; anchoredAt?: number } };
    const good = await read();
    expect(good.verification).toMatchObject({ ok: true, anchoredAt: good.entries.length });
    // cut the last entry: the remaining chain is internally consistent
    await runInDurableObject(stubFor(id), (_i, state: DurableObjectState) => void state.storage.sql.exec("DELETE FROM audit WHERE seq = ?", good.entries.length));
    const cut = await read();
    expect(cut.verification).toMatchObject({ ok: false, reason: expect.stringMatching(/anchored head is entry 4: entries were removed/) });
    // rewrite entry 2 and recompute every later hash: the chain verifies on its own, but not against the anchor
    await runInDurableObject(stubFor(id), async (_i, state: DurableObjectState) => {
      const rows = state.storage.sql.exec<{ entry: string }>("SELECT entry FROM audit ORDER BY seq").toArray().map((r) => JSON.parse(r.entry));
      let prev = rows[0];
      for (let i = 1; i < rows.length; i++) {
        const { prevHash: _p, hash: _h, ...body } = rows[i];
        const next = await chainEntry(prev, i === 1 ? { ...body, actor: "mallory" } : body);
        state.storage.sql.exec("UPDATE audit SET entry = ? WHERE seq = ?", JSON.stringify(next), next.seq);
        prev = next;
      }
      const last = await chainEntry(prev, { seq: rows.length + 1, at: new Date().toISOString(), actor: "mallory", action: "task.succeeded", detail: {} });
      state.storage.sql.exec("INSERT INTO audit (seq, entry) VALUES (?, ?)", last.seq, JSON.stringify(last));
    });
    const rewritten = await read();
    expect(rewritten.entries[1].actor).toBe("mallory");
    expect(rewritten.verification).toMatchObject({ ok: false, brokenAt: 4, reason: "entry 4 differs from its anchored hash: the chain was rewritten" });
  });

  it("entries appended around the router, past its anchored head, do not verify", async () => {
    const { chainEntry } = await import("../../worker/tasks/audit.ts");
    const { id } = await submit({ goal: "audit", plan: { steps: [{ id: "a", specialist: "fault-ok" }] } });
    await waitFor(id, ["succeeded"]);
    await runInDurableObject(stubFor(id), async (_i, state: DurableObjectState) => {
      const rows = state.storage.sql.exec<{ entry: string }>("SELECT entry FROM audit ORDER BY seq").toArray().map((r) => JSON.parse(r.entry));
      let prev = rows.at(-1);
      for (let i = 0; i < 2; i++) {
        prev = await chainEntry(prev, { seq: prev.seq + 1, at: new Date().toISOString(), actor: "mallory", action: "approval.granted", detail: {} });
        state.storage.sql.exec("INSERT INTO audit (seq, entry) VALUES (?, ?)", prev.seq, JSON.stringify(prev));
      }
    });
    const v = ((await (await call(`/v1/tasks/${id}/audit`)).json()) as { verification: { ok: boolean; reason: string } }).verification;
    expect(v).toMatchObject({ ok: false, reason: expect.stringMatching(/were never anchored/) });
  });
});

describe("planner specialists", () => {
  it("runs the plan a planner returns", async () => {
    const { id } = await submit({ goal: "plan it", input: "start", planner: "fault-plan" });
    const t = await waitFor(id, ["succeeded", "failed"]);
    expect(t.status).toBe("succeeded");
    expect(t.steps.map((s) => [s.id, s.specialist])).toEqual([["first", "fault-ok"], ["second", "fault-ok"], ["third", "fault-ok"]]);
    expect(t.steps[2]!.input).toBe("third after echo: second after echo: start");
  });

  it("fails the task with a clear reason when the plan is invalid", async () => {
    const { id } = await submit({ goal: "plan it", planner: "fault-plan-invalid" });
    const t = await waitFor(id, ["succeeded", "failed"]);
    expect(t.status).toBe("failed");
    expect(t.error).toMatch(/planner 'fault-plan-invalid' returned an invalid plan: steps: the steps' dependsOn form a cycle/);
  });
});

describe("the drive loop", () => {
  it("after its last round it arms the alarm for now, so a long task is never left without one", async () => {
    const id = `drive-${crypto.randomUUID()}`;
    await runInDurableObject(stubFor(id), async (_i, state: DurableObjectState) => {
      const store = new TaskStore(state.storage.sql);
      const plan = Plan.parse({ steps: [{ id: "a", specialist: "fault-ok", input: "x" }, { id: "b", specialist: "fault-ok", input: "y", dependsOn: ["a"] }] });
      const now = new Date().toISOString();
      store.saveTask({ id, tenant: "dev", goal: "g", input: "x", status: "running", plan, planner: null, workflow: null, bodyHash: "h", createdAt: now, updatedAt: now, approvalTtlSeconds: 60, traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", costUsd: 0, hops: 0 });
      initialSteps(plan).forEach((s, i) => store.saveStep(s, i));
      const alarms: number[] = [];
      const host = { store, env: env as unknown as Env, setAlarm: async (at: number) => void alarms.push(at), abortSignal: () => new AbortController().signal, release: () => {} };
      await drive(host, 1);
      expect(store.steps().map((s) => s.status)).toEqual(["succeeded", "pending"]);
      expect(alarms.at(-1)).toBeLessThanOrEqual(Date.now());
      await drive(host);
      expect(store.task()!.status).toBe("succeeded");
    });
  });
});
