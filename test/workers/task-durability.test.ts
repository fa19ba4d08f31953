import { abortAllDurableObjects, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Env } from "../../worker/env.ts";
import { call } from "./helpers.ts";
import { effects, getTask, parseSse, submit, waitFor } from "./task-helpers.ts";

const stubFor = (id: string) => {
  const ns = (env as unknown as Env).TASK_AGENT!;
  return ns.get(ns.idFromName(id));
};

describe("durable execution", () => {
  it("resumes a step interrupted by a Durable Object restart; its side effect happens once", async () => {
    const { id } = await submit({ goal: "crash", plan: { steps: [{ id: "effect", specialist: "fault-slow-effect" }, { id: "after", specialist: "fault-ok", dependsOn: ["effect"] }] } });
    // wait until the specialist has received the call (the effect is done, the reply is not)
    for (let i = 0; i < 100 && (await effects(`${id}/effect`)).calls === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect((await effects(`${id}/effect`)).calls).toBe(1);
    await abortAllDurableObjects(); // the DO dies mid-step: its in-memory state and the pending call are gone
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
    expect(ok.entries[0]!.actor).toBe("dev:api");
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
