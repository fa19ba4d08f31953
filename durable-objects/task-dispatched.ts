import type { StepReport } from "../worker/queues/step-run.ts";
import { getRuntime } from "../worker/runtime.ts";
import { TERMINAL } from "../worker/tasks/types.ts";
import { runBudget } from "./task-dispatch.ts";
import { execute, finish, stoppedNow, type EngineHost } from "./task-engine.ts";
import { InFlight } from "./task-in-flight.ts";

/**
 * Runs one step dispatched through the steps queue, in the invocation of the call that
 * brought it (`TaskAgent.runDispatchedStep`, from the `step.run` consumer): each call
 * into a Durable Object is an invocation of its own, with its own subrequest budget,
 * so a fan-out of a hundred steps never spends one invocation's. The step runs
 * through the same code as an inline one (`execute`: screening, policy and per-task
 * limits, pools, verification, gates, audit, spans) and its result is recorded here,
 * in the task's own storage: the TaskAgent stays the one owner of the task's state.
 *
 * Idempotent: a report for a task that ended, or for a step no longer running under
 * this attempt (resumed after its lease expired, or already finished), is ignored; a
 * second delivery while the run is going on here is told so; a run that began and was
 * lost with the object's previous instance is an interrupted run (its lease is
 * expired now, and the drive resumes or fails the step as it does an inline run's).
 * Afterwards the alarm is armed for now, so the drive dispatches what became ready,
 * or ends the task.
 */
export async function runDispatched(h: EngineHost, stepId: string, attempt: number): Promise<StepReport> {
  const rt = await getRuntime(h.env);
  const inFlight = (h.inFlight ??= new InFlight());
  // from here to the run's start nothing awaits: the checks and the claim on the step are one step of this object
  const task = h.store.task();
  const spec = task?.plan?.steps.find((s) => s.id === stepId);
  const doc = h.store.step(stepId);
  if (!task || !spec || !doc) return { ran: false, reason: "not_found" };
  if (TERMINAL.has(task.status)) return { ran: false, reason: "ended" };
  if (doc.status !== "running" || doc.dispatch?.attempt !== attempt || doc.attempts !== attempt) return { ran: false, reason: "superseded" };
  const run = `${stepId}/${attempt}`;
  if (inFlight.running(run)) return { ran: false, reason: "running" };
  const now = Date.now();
  if (doc.dispatch.runAt !== undefined) {
    doc.leaseUntil = Math.min(doc.leaseUntil ?? now, now);
    h.store.saveStep(doc);
    await h.setAlarm(now);
    return { ran: false, reason: "interrupted" };
  }
  doc.dispatch.runAt = now;
  doc.leaseUntil = now + runBudget(rt, spec); // from now on the run's own budget, no longer the queue's allowance
  h.store.saveStep(doc);
  inFlight.start(run);
  try {
    // a step's start checks the kill switches (read fresh), as the drive does for inline steps
    const stop = await stoppedNow(h, task);
    if (stop && !TERMINAL.has(h.store.requireTask().status)) await finish(h, "cancelled", "kill-switch", { reason: stop, error: `cancelled by ${stop}` });
    if (TERMINAL.has(h.store.requireTask().status)) return { ran: false, reason: "ended" };
    const totals = inFlight.open(h.store.requireTask());
    try {
      await execute(h, rt, spec, totals, attempt);
    } finally {
      inFlight.close();
    }
  } finally {
    inFlight.end(run);
  }
  if (!TERMINAL.has(h.store.requireTask().status)) await h.setAlarm(Date.now());
  return { ran: true, status: h.store.step(stepId)?.status ?? "unknown" };
}
