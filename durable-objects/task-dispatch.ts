import type { StepSpec } from "../worker/tasks/plan.ts";
import type { TaskDoc } from "../worker/tasks/types.ts";
import type { Runtime } from "../worker/runtime.ts";
import { WORK_QUEUES } from "../worker/queues/names.ts";
import { stepRunEnvelope, type StepRunBody } from "../worker/queues/step-run.ts";
import type { EngineHost } from "./task-lifecycle.ts";

// Fan-out through the steps queue (docs/tasks.md, "Fan-out through the queue"): of a
// round's ready steps the first `tasks.inlineSteps` run in the drive's own invocation;
// the rest are leased, marked dispatched and sent as `step.run` messages, and each
// comes back as a call into this TaskAgent that runs it in an invocation of its own
// (task-dispatched.ts).

/** Extra time a running step's lease gets beyond its worst-case call time. */
const LEASE_MARGIN_MS = 5_000;

/**
 * What a dispatched step's lease allows, beyond its run, for the queue: the batch
 * wait (`max_batch_timeout`, 1 s), the consumer's own calls (ledger, TaskAgent), up to
 * three redeliveries after a failed hand-over (backoff 2 + 4 + 8 s) and a backlog of
 * earlier messages. The lease is renewed to the run's own budget when the run begins,
 * so this only bounds how long a message may take to arrive before the step is
 * presumed lost and resumed.
 */
export const QUEUE_ALLOWANCE_MS = 60_000;

/** Messages one `sendBatch` may carry (https://developers.cloudflare.com/queues/platform/limits/). */
export const MAX_SEND_BATCH = 100;

/**
 * A step run's worst-case time: its timeout (the step's, its specialist's, or the
 * longest any specialist has) for every try, three times over (a verification and a
 * fallback run), plus a margin. Its lease while it runs.
 */
export function runBudget(rt: Runtime, s: StepSpec): number {
  const sp = s.specialist ? rt.registry.get(s.specialist) : undefined;
  const perAttempt = s.timeoutMs ?? sp?.timeoutMs ?? Math.max(...rt.config.specialists.map((x) => x.timeoutMs));
  return perAttempt * (1 + (s.retries ?? sp?.retries ?? 2)) * 3 + LEASE_MARGIN_MS;
}

/** Sends runs as `step.run` messages, {@link MAX_SEND_BATCH} a call; returns the runs of every batch the queue refused. */
async function send(queue: Queue, tenant: string, runs: StepRunBody[]): Promise<{ unsent: StepRunBody[]; error?: string }> {
  const unsent: StepRunBody[] = [];
  let error: string | undefined;
  for (let i = 0; i < runs.length; i += MAX_SEND_BATCH) {
    const batch = runs.slice(i, i + MAX_SEND_BATCH);
    try {
      await queue.sendBatch(batch.map((r) => ({ body: stepRunEnvelope(tenant, r) })));
    } catch (e) {
      unsent.push(...batch);
      error = e instanceof Error ? e.message : String(e);
    }
  }
  return error === undefined ? { unsent } : { unsent, error };
}

/**
 * Starts a round's ready steps and returns those to run inline. Every step is leased
 * (the watchdog alarm is armed for the last lease): the first `tasks.inlineSteps`
 * for their run; the rest, dispatched, are marked running under their next attempt
 * (so no round runs them again while their message is on its way) for their run plus
 * {@link QUEUE_ALLOWANCE_MS}, and sent (`step.dispatched` events, one
 * `steps.dispatched` audit entry). Without a `STEPS` queue binding every step runs
 * inline. A batch the queue refuses runs inline after all: its steps go back to
 * pending (a message of it that got through anyway finds them no longer dispatched).
 */
export async function launchRound(h: EngineHost, rt: Runtime, task: TaskDoc, ready: readonly StepSpec[], now = Date.now()): Promise<StepSpec[]> {
  const queue = h.env.STEPS;
  const width = queue ? rt.config.tasks.inlineSteps : ready.length;
  const inline = ready.slice(0, width);
  const steps = h.store.steps();
  let lease = now;
  for (const s of inline) {
    const d = h.store.requireStep(s.id, steps);
    d.leaseUntil = now + runBudget(rt, s);
    delete d.dispatch;
    h.store.saveStep(d);
    lease = Math.max(lease, d.leaseUntil);
  }
  const runs: StepRunBody[] = [];
  for (const s of ready.slice(width)) {
    const d = h.store.requireStep(s.id, steps);
    const budget = runBudget(rt, s);
    d.status = "running";
    d.attempts += 1;
    d.dispatch = { attempt: d.attempts, at: now };
    d.leaseUntil = now + QUEUE_ALLOWANCE_MS + budget;
    h.store.saveStep(d);
    lease = Math.max(lease, d.leaseUntil);
    runs.push({ task: task.id, step: s.id, attempt: d.attempts, leaseMs: budget });
    h.store.event("step.dispatched", { step: s.id, attempt: d.attempts });
  }
  await h.setAlarm(lease); // the watchdog: if this isolate dies mid-step, or a message is lost, the alarm resumes the task
  if (!queue || runs.length === 0) return inline;
  await h.store.audit("router", "steps.dispatched", { queue: WORK_QUEUES.steps.queue, runs: runs.map((r) => ({ step: r.step, attempt: r.attempt })) });
  const { unsent, error } = await send(queue, task.tenant, runs);
  if (unsent.length === 0) return inline;
  const back: StepSpec[] = [];
  for (const r of unsent) {
    const d = h.store.step(r.step);
    if (!d || d.status !== "running" || d.dispatch?.attempt !== r.attempt || d.dispatch.runAt !== undefined) continue; // it arrived after all
    d.status = "pending";
    d.attempts -= 1;
    delete d.dispatch;
    d.leaseUntil = now + r.leaseMs;
    h.store.saveStep(d);
    back.push(ready.find((s) => s.id === r.step)!);
  }
  h.store.event("steps.undispatched", { steps: back.map((s) => s.id), error: error ?? "" });
  await h.store.audit("router", "steps.undispatched", { steps: back.map((s) => s.id), error: error ?? "" });
  console.warn(JSON.stringify({ msg: "the steps queue refused a batch: its steps run inline", task: task.id, steps: back.length, error }));
  return [...inline, ...back];
}
