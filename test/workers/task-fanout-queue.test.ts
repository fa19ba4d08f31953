import { createExecutionContext, createMessageBatch, getQueueResult, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../worker/index.ts";
import type { Env } from "../../worker/env.ts";
import { drive } from "../../durable-objects/task-engine.ts";
import { initialSteps } from "../../durable-objects/task-lifecycle.ts";
import { TaskStore } from "../../durable-objects/task-store.ts";
import type { Envelope } from "../../worker/queues/envelope.ts";
import { ledgerFor } from "../../worker/queues/ledger.ts";
import { WORK_QUEUES } from "../../worker/queues/names.ts";
import { getRuntime } from "../../worker/runtime.ts";
import { Plan } from "../../worker/tasks/plan.ts";
import type { DeadLetter } from "../../durable-objects/control-plane.ts";
import { call } from "./helpers.ts";
import { effects, release, submit, taskStub, upstreamCalls, waitFor, type Task } from "./task-helpers.ts";

/**
 * Fan-out through the steps queue (docs/tasks.md, "Fan-out through the queue"): a
 * round's ready steps beyond `tasks.inlineSteps` (8 in the test config) are sent as
 * `step.run` messages and run by the TaskAgent in the invocation each message's
 * consumer opens. The first tests use the real local queue; the others drive one round
 * with a stand-in queue that keeps the messages, and deliver them through the Worker's
 * `queue()` handler themselves (twice, late, after a failure…).
 */
const e = env as unknown as Env;
const INLINE = 8;
type Dispatch = { attempt: number; at: number; runAt?: number };
type StoredStep = Task["steps"][number] & { dispatch?: Dispatch };

const stored = async (id: string) => (await taskStub(id).get("dev")) as unknown as { status: string; hops: number; steps: StoredStep[] };
const events = async (id: string) => (await taskStub(id).events("dev", 0))!.events;
const pad = (i: number) => String(i).padStart(3, "0");

/**
 * A task created in its TaskAgent's storage (tenant `dev`) and driven for one round
 * with `over` in place of the router's bindings (by default a `STEPS` queue that keeps
 * what is sent): the step.run envelopes that round sent. The object's alarm is not
 * armed; a dispatched step's report arms it.
 */
async function oneRound(steps: object[], over: Partial<Env> = {}): Promise<{ id: string; sent: Envelope[] }> {
  const id = `task_fanout_${crypto.randomUUID()}`;
  const sent: Envelope[] = [];
  const STEPS = { send: async (b: Envelope) => void sent.push(b), sendBatch: async (ms: Iterable<{ body: Envelope }>) => void sent.push(...[...ms].map((m) => m.body)) } as unknown as Queue;
  await runInDurableObject(taskStub(id), async (_i, state: DurableObjectState) => {
    const store = new TaskStore(state.storage.sql);
    const plan = Plan.parse({ steps });
    const now = new Date().toISOString();
    store.saveTask({ id, tenant: "dev", goal: "fan out", input: "x", status: "running", plan, planner: null, workflow: null, bodyHash: "h", createdAt: now, updatedAt: now, approvalTtlSeconds: 60, traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", costUsd: 0, hops: 0 });
    initialSteps(plan).forEach((s, i) => store.saveStep(s, i));
    await drive({ store, env: { ...e, STEPS, ...over }, setAlarm: async () => {}, abortSignal: () => new AbortController().signal, release: () => {} }, 1);
  });
  return { id, sent };
}

/** The first `INLINE` steps of a round (run inline), then `more`. */
const afterInline = (...more: object[]) => [...Array.from({ length: INLINE }, (_, i) => ({ id: `in${i}`, specialist: "fault-ok", input: `inline ${i}` })), ...more];

/** Delivers messages to the Worker's queue() handler as one batch of `queue`, and what it made of them. */
async function deliver(messages: { id?: string; body: unknown; attempts?: number }[], queue: string = WORK_QUEUES.steps.queue, bindings: Env = e) {
  const batch = createMessageBatch(
    queue,
    messages.map((m, i) => ({ id: m.id ?? `m${i}-${crypto.randomUUID()}`, timestamp: new Date(), attempts: m.attempts ?? 1, body: m.body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, bindings, ctx);
  return getQueueResult(batch, ctx);
}

/** Moves a running step's lease into the past (in its storage) and arms the watchdog alarm for now: no waiting for the clock. */
async function expireLease(id: string, step: string): Promise<void> {
  await runInDurableObject(taskStub(id), async (_i, state: DurableObjectState) => {
    const row = state.storage.sql.exec<{ doc: string }>("SELECT doc FROM steps WHERE id = ?", step).one();
    state.storage.sql.exec("UPDATE steps SET doc = ? WHERE id = ?", JSON.stringify({ ...JSON.parse(row.doc), leaseUntil: Date.now() - 1 }), step);
    await state.storage.setAlarm(Date.now());
  });
}

const waitStored = async (id: string, statuses: string[]) => {
  await expect.poll(async () => (await stored(id)).status, { timeout: 20_000 }).toSatisfy((s: string) => statuses.includes(s));
  return stored(id);
};

describe("fan-out through the steps queue (real local queue)", () => {
  it("the inline width is the test config's 8", async () => {
    expect((await getRuntime(e)).config.tasks.inlineSteps).toBe(INLINE);
  });

  it("a task of 100 parallel steps succeeds: 8 run inline, 92 go through the queue, every step's upstream is called exactly once, concat combines all 100", { timeout: 120_000 }, async () => {
    const steps = Array.from({ length: 100 }, (_, i) => ({ id: `p${pad(i)}`, specialist: "fault-side-effect", input: `part ${i}` }));
    const { id } = await submit({ goal: "fan out wide", input: "x", plan: { steps, combine: "concat" } });
    const task = await waitFor(id, ["succeeded", "failed"], 90_000);
    expect(task.status, task.error).toBe("succeeded");
    expect(task.steps.every((s) => s.status === "succeeded" && s.attempts === 1)).toBe(true);
    // every step's side effect happened once, and the upstream saw one call per step (no redelivery ran one twice)
    const fx = await effects(`${id}/`);
    expect(fx.effects).toBe(100);
    expect(Object.values(fx.keys).every((n) => n === 1)).toBe(true);
    expect(task.hops).toBe(100);
    // the steps beyond the inline width were dispatched, each once, under its first attempt
    const dispatched = (await events(id)).filter((ev) => ev.type === "step.dispatched").map((ev) => ev.data.step);
    expect(dispatched).toEqual(steps.slice(INLINE).map((s) => s.id));
    const docs = (await stored(id)).steps;
    expect(docs.filter((s) => s.dispatch).map((s) => s.id)).toEqual(dispatched);
    expect(docs.slice(INLINE).every((s) => s.dispatch?.attempt === 1 && s.dispatch.runAt !== undefined)).toBe(true);
    const audit = (await (await call(`/v1/tasks/${id}/audit`)).json()) as { entries: { action: string; detail: { runs?: { step: string }[] } }[]; verification: { ok: boolean } };
    expect(audit.entries.filter((x) => x.action === "steps.dispatched").flatMap((x) => x.detail.runs!.map((r) => r.step))).toEqual(dispatched);
    expect(audit.entries.filter((x) => x.action === "step.succeeded")).toHaveLength(100);
    expect(audit.verification.ok).toBe(true);
    // concat: every step's output in plan order
    const parts = (task.result as string).split("\n\n");
    expect(parts).toEqual(steps.map((s) => `effect for ${id}/${s.id}`));
  });

  it("a fan-in step after 20 dispatched ones sees all their outputs", { timeout: 60_000 }, async () => {
    const wide = Array.from({ length: 20 }, (_, i) => ({ id: `w${pad(i)}`, specialist: "fault-ok", input: `w${i}` }));
    const { id } = await submit({ goal: "fan in", input: "x", plan: { steps: [...wide, { id: "all", specialist: "fault-ok", input: "{{steps.w000.output}} | {{steps.w019.output}}", dependsOn: wide.map((s) => s.id) }], combine: { step: "all" } } });
    const task = await waitFor(id, ["succeeded", "failed"], 45_000);
    expect(task.status, task.error).toBe("succeeded");
    expect(task.result.text).toBe("echo: echo: w0 | echo: w19");
  });

  it("per-task limits hold across dispatched runs: 20 capped steps beyond the inline width under maxHopsPerTask 2 make exactly 2 calls", { timeout: 60_000 }, async () => {
    // the inline steps are refused by policy (no hop), so every call is made by a dispatched run, ten at a time per batch
    const denied = Array.from({ length: INLINE }, (_, i) => ({ id: `d${i}`, specialist: "policy-deny", input: `${i}` }));
    const capped = Array.from({ length: 20 }, (_, i) => ({ id: `c${pad(i)}`, specialist: "policy-capped", input: `${i}` }));
    const { id } = await submit({ goal: "capped fan-out", input: "x", plan: { steps: [...denied, ...capped] } });
    const task = await waitFor(id, ["succeeded", "failed"], 45_000);
    expect(task.status).toBe("failed");
    expect(task.hops).toBe(2);
    expect((await upstreamCalls(`${id}/c`)).calls).toBe(2);
    const refused = task.steps.filter((s) => /would exceed 2 hops \(policy limits\)/.test(s.error ?? ""));
    expect(refused).toHaveLength(18);
    expect((await events(id)).filter((ev) => ev.type === "step.dispatched")).toHaveLength(20);
  });

  it("without a STEPS queue binding every step runs inline (a bench or test deployment without queues)", async () => {
    const { id, sent } = await oneRound(afterInline(...Array.from({ length: 4 }, (_, i) => ({ id: `x${i}`, specialist: "fault-ok" }))), { STEPS: undefined });
    expect(sent).toEqual([]);
    const t = await stored(id);
    expect(t.steps.map((s) => s.status)).toEqual(Array(INLINE + 4).fill("succeeded"));
    expect(t.steps.some((s) => s.dispatch)).toBe(false);
    expect((await events(id)).some((ev) => ev.type === "step.dispatched")).toBe(false);
  });
});

describe("step.run messages, delivered by hand", () => {
  it("a round sends one step.run per step beyond the inline width, and leases it as running under its next attempt", async () => {
    const { id, sent } = await oneRound(afterInline({ id: "b", specialist: "fault-ok" }, { id: "c", specialist: "fault-ok" }));
    expect(sent.map((m) => [m.kind, m.id, m.tenant])).toEqual([
      ["step.run", `step:${id}/b/1`, "dev"],
      ["step.run", `step:${id}/c/1`, "dev"],
    ]);
    expect(sent[0]!.body).toMatchObject({ task: id, step: "b", attempt: 1, leaseMs: expect.any(Number) });
    const t = await stored(id);
    expect(t.steps.slice(0, INLINE).every((s) => s.status === "succeeded")).toBe(true);
    const b = t.steps.find((s) => s.id === "b")!;
    expect(b).toMatchObject({ status: "running", attempts: 1, dispatch: { attempt: 1 } });
    expect(b.dispatch!.runAt).toBeUndefined();
    expect((b as unknown as { leaseUntil: number }).leaseUntil).toBeGreaterThan(Date.now() + 60_000); // its run's budget plus the queue's allowance
  });

  it("the same step.run delivered twice runs the step once; the task then ends by itself", async () => {
    const { id, sent } = await oneRound(afterInline({ id: "b", specialist: "fault-side-effect" }));
    const msg = { id: `dup-${crypto.randomUUID()}`, body: sent[0] };
    expect((await deliver([msg])).explicitAcks).toEqual([msg.id]);
    expect((await deliver([msg])).explicitAcks).toEqual([msg.id]); // the ledger says done: acked, not run
    expect((await effects(`${id}/b`)).calls).toBe(1);
    expect((await ledgerFor(e, sent[0]!.id).entry(sent[0]!.id))?.outcome).toEqual({ ran: true, status: "succeeded" });
    const t = await waitStored(id, ["succeeded", "failed"]); // the report armed the alarm: the drive ended the task
    expect(t.status).toBe("succeeded");
    expect(t.steps.find((s) => s.id === "b")).toMatchObject({ status: "succeeded", attempts: 1 });
  });

  it("two deliveries of one run at once: one runs it, the other is retried after the first one's claim", async () => {
    const { id, sent } = await oneRound(afterInline({ id: "b", specialist: "fault-side-effect" }));
    const r = await deliver([{ body: sent[0] }, { body: sent[0] }]);
    expect(r.explicitAcks).toHaveLength(1);
    expect(r.retryMessages).toHaveLength(1); // after the claim's lease (the delay is the unit tests' to check: getQueueResult does not report it)
    expect((await effects(`${id}/b`)).calls).toBe(1);
  });

  it("a consumer that fails to hand the run over retries it with backoff; the next delivery runs it, once", async () => {
    const { id, sent } = await oneRound(afterInline({ id: "b", specialist: "fault-side-effect" }));
    const first = await deliver([{ id: "m1", body: sent[0] }], WORK_QUEUES.steps.queue, { ...e, TASK_AGENT: undefined });
    expect(first.explicitAcks).toEqual([]);
    expect(first.retryMessages).toEqual([{ msgId: "m1" }]); // with backoff (2 s on a first delivery: the unit tests check it)
    const noted = await ledgerFor(e, sent[0]!.id).entry(sent[0]!.id);
    expect(noted).toMatchObject({ state: "released", failures: 1, lastError: expect.stringMatching(/TASK_AGENT/) });
    expect((await effects(`${id}/b`)).calls).toBe(0);
    const second = await deliver([{ id: "m1", body: sent[0], attempts: 2 }]);
    expect(second.explicitAcks).toEqual(["m1"]);
    expect((await effects(`${id}/b`)).calls).toBe(1);
    expect((await waitStored(id, ["succeeded", "failed"])).status).toBe("succeeded");
  });

  it("a task cancelled while its steps are on the queue ignores their late reports: nothing is called", async () => {
    const { id, sent } = await oneRound(afterInline({ id: "b", specialist: "fault-side-effect" }, { id: "c", specialist: "fault-side-effect" }));
    expect((await taskStub(id).cancel("dev", "tenant:dev", "stop")).ok).toBe(true);
    const r = await deliver(sent.map((body) => ({ body })));
    expect(r.explicitAcks).toHaveLength(2);
    expect((await ledgerFor(e, sent[0]!.id).entry(sent[0]!.id))?.outcome).toEqual({ ran: false, reason: "ended" });
    expect((await effects(`${id}/`)).calls).toBe(0);
    const t = await stored(id);
    expect(t.status).toBe("cancelled");
    expect(t.steps.filter((s) => ["b", "c"].includes(s.id)).map((s) => s.status)).toEqual(["cancelled", "cancelled"]);
    expect((await events(id)).at(-1)!.type).toBe("task.cancelled");
  });

  it("a lost step.run does not hang the task: the step's lease resumes it, and the message arriving late is ignored", async () => {
    const { id, sent } = await oneRound(afterInline({ id: "b", specialist: "fault-side-effect" }, { id: "c", specialist: "fault-side-effect" }));
    expect(sent.map((m) => m.id)).toEqual([`step:${id}/b/1`, `step:${id}/c/1`]);
    // both messages were lost: the leases expire, the watchdog alarm resumes both and the next round runs them (inline: 2 ready steps fit the width)
    await expireLease(id, "b");
    await expireLease(id, "c");
    const t = await waitStored(id, ["succeeded", "failed"]);
    expect(t.status).toBe("succeeded");
    expect(t.steps.filter((s) => ["b", "c"].includes(s.id)).map((s) => s.attempts)).toEqual([2, 2]);
    expect((await events(id)).filter((ev) => ev.type === "step.resumed").map((ev) => ev.data.step)).toEqual(["b", "c"]);
    // the attempt-1 messages arrive after all: acknowledged and ignored, no second call
    const r = await deliver(sent.map((body) => ({ body })));
    expect(r.explicitAcks).toHaveLength(2);
    expect((await ledgerFor(e, sent[0]!.id).entry(sent[0]!.id))?.outcome).toEqual({ ran: false, reason: "ended" });
    expect((await effects(`${id}/`)).keys).toEqual({ [`${id}/b`]: 1, [`${id}/c`]: 1 });
  });

  it("a report for a stale attempt is ignored while the step runs under its next one", async () => {
    const { id, sent } = await oneRound(afterInline({ id: "b", specialist: "fault-held-effect" }, { id: "c", specialist: "fault-side-effect" }));
    // b's message is lost; its lease expires and the next round runs it inline under attempt 2, held at the upstream
    await expireLease(id, "b");
    await expect.poll(async () => (await effects(`${id}/b`)).calls, { timeout: 10_000 }).toBe(1);
    expect((await stored(id)).steps.find((s) => s.id === "b")).toMatchObject({ status: "running", attempts: 2 });
    expect((await deliver([{ body: sent[0] }])).explicitAcks).toHaveLength(1); // b's attempt-1 message, late
    expect((await ledgerFor(e, sent[0]!.id).entry(sent[0]!.id))?.outcome).toEqual({ ran: false, reason: "superseded" });
    expect((await deliver([{ body: sent[1] }])).explicitAcks).toHaveLength(1); // c's, on time: it runs
    expect((await ledgerFor(e, sent[1]!.id).entry(sent[1]!.id))?.outcome).toEqual({ ran: true, status: "succeeded" });
    await release(`${id}/b`);
    const t = await waitStored(id, ["succeeded", "failed"]);
    expect(t.status).toBe("succeeded");
    expect((await effects(`${id}/`)).keys).toEqual({ [`${id}/b`]: 1, [`${id}/c`]: 1 });
  });

  it("a delivery that finds its claim stale lets the TaskAgent decide: a run that never began runs now", async () => {
    const { id, sent } = await oneRound(afterInline({ id: "b", specialist: "fault-side-effect" }));
    await ledgerFor(e, sent[0]!.id).claim(sent[0]!.id, 1); // a consumer claimed it and vanished before calling the TaskAgent
    await new Promise((r) => setTimeout(r, 5));
    expect((await deliver([{ body: sent[0] }])).explicitAcks).toHaveLength(1);
    expect((await effects(`${id}/b`)).calls).toBe(1);
    expect((await waitStored(id, ["succeeded", "failed"])).status).toBe("succeeded");
  });

  it("…and a run that began and was lost with its instance is an interrupted run: its lease resumes it", async () => {
    const { id, sent } = await oneRound(afterInline({ id: "b", specialist: "fault-side-effect" }));
    // the run began (runAt recorded) in an instance that then died: the object no longer runs it
    await runInDurableObject(taskStub(id), (_i, state: DurableObjectState) => {
      const row = state.storage.sql.exec<{ doc: string }>("SELECT doc FROM steps WHERE id = 'b'").one();
      const doc = JSON.parse(row.doc) as { dispatch: Dispatch };
      doc.dispatch.runAt = Date.now();
      state.storage.sql.exec("UPDATE steps SET doc = ? WHERE id = 'b'", JSON.stringify(doc));
    });
    await ledgerFor(e, sent[0]!.id).claim(sent[0]!.id, 1);
    await new Promise((r) => setTimeout(r, 5));
    expect((await deliver([{ body: sent[0] }])).explicitAcks).toHaveLength(1);
    expect((await ledgerFor(e, sent[0]!.id).entry(sent[0]!.id))?.outcome).toEqual({ ran: false, reason: "interrupted" });
    const t = await waitStored(id, ["succeeded", "failed"]); // the report expired the lease and armed the alarm: resumed, run inline
    expect(t.status).toBe("succeeded");
    expect(t.steps.find((s) => s.id === "b")).toMatchObject({ status: "succeeded", attempts: 2 });
    expect((await events(id)).map((ev) => ev.type)).toContain("step.resumed");
  });

  it("a batch the queue refuses runs inline after all, under the same attempt", async () => {
    const refusing = { send: async () => Promise.reject(new Error("queue unavailable")), sendBatch: async () => Promise.reject(new Error("queue unavailable")) } as unknown as Queue;
    const { id } = await oneRound(afterInline({ id: "b", specialist: "fault-side-effect" }, { id: "c", specialist: "fault-side-effect" }), { STEPS: refusing });
    const t = await stored(id);
    expect(t.steps.map((s) => s.status)).toEqual(Array(INLINE + 2).fill("succeeded"));
    expect(t.steps.filter((s) => ["b", "c"].includes(s.id)).map((s) => [s.attempts, s.dispatch])).toEqual([
      [1, undefined],
      [1, undefined],
    ]);
    expect((await events(id)).find((ev) => ev.type === "steps.undispatched")?.data).toEqual({ steps: ["b", "c"], error: "queue unavailable" });
    expect((await effects(`${id}/`)).keys).toEqual({ [`${id}/b`]: 1, [`${id}/c`]: 1 });
  });

  it("a dispatched run checks the kill switches when it starts: a switched-off tenant cancels the task before the step calls anyone", async () => {
    const { id, sent } = await oneRound(afterInline({ id: "b", specialist: "fault-side-effect" }));
    const admin = (path: string) => call(path, { json: { reason: "incident 9" }, headers: { authorization: "Bearer dev-admin-key" } });
    expect((await admin("/v1/admin/tenants/dev/disable")).status).toBe(200);
    try {
      expect((await deliver([{ body: sent[0] }])).explicitAcks).toHaveLength(1);
    } finally {
      expect((await admin("/v1/admin/tenants/dev/enable")).status).toBe(200);
    }
    expect((await ledgerFor(e, sent[0]!.id).entry(sent[0]!.id))?.outcome).toEqual({ ran: false, reason: "ended" });
    const t = await stored(id);
    expect(t.status).toBe("cancelled");
    expect((await effects(`${id}/b`)).calls).toBe(0);
    expect((await events(id)).at(-1)).toMatchObject({ type: "task.cancelled", data: { error: expect.stringMatching(/kill switch of tenant 'dev': incident 9/) } });
  });

  it("a step.run that keeps failing is dead-lettered, and the step's lease still ends the task", async () => {
    const { id, sent } = await oneRound(afterInline({ id: "b", specialist: "fault-side-effect" }));
    const broken = { ...e, TASK_AGENT: undefined };
    for (let attempts = 1; attempts <= 4; attempts++) expect((await deliver([{ id: "m", body: sent[0], attempts }], WORK_QUEUES.steps.queue, broken)).retryMessages).toHaveLength(1);
    // after max_retries Queues moves it to the dead-letter queue, whose consumer stores it
    expect((await deliver([{ id: "m", body: sent[0] }], WORK_QUEUES.steps.dlq)).explicitAcks).toEqual(["m"]);
    const control = e.CONTROL_PLANE!.get(e.CONTROL_PLANE!.idFromName("control"));
    const dead = (await control.deadLetters({ limit: 10_000 })).find((d: DeadLetter) => d.envelopeId === sent[0]!.id);
    expect(dead).toMatchObject({ queue: "steps", kind: "step.run", attempts: 4, reason: expect.stringMatching(/TASK_AGENT/) });
    expect((await stored(id)).status).toBe("running"); // the step is still leased: nothing ran it
    await expireLease(id, "b");
    const t = await waitStored(id, ["succeeded", "failed"]);
    expect(t.status).toBe("succeeded");
    expect(t.steps.find((s) => s.id === "b")).toMatchObject({ status: "succeeded", attempts: 2 });
    expect((await effects(`${id}/b`)).calls).toBe(1);
  });
});

