import { z } from "zod";
import type { Env } from "../env.ts";
import type { Json } from "../json.ts";
import { namedId } from "../object-ids.ts";
import { backoffSeconds, type Delivery, type Handled, type Handler } from "./consume.ts";
import { envelope, type Envelope } from "./envelope.ts";
import { ledgerFor } from "./ledger.ts";
import type { ClaimResult } from "./ledger-logic.ts";

// A plan's step dispatched through the steps queue (docs/queues.md, "Fan-out"): the
// TaskAgent sends one `step.run` message per step beyond its inline width; this
// consumer hands each back to that TaskAgent, which runs the step in the invocation
// the call opens and records its result in its own storage.

/** The envelope kind of a dispatched step. */
export const STEP_RUN = "step.run";

/** A `step.run` message's body: which run of which step, and how long that run may take. */
export const StepRunBody = z.strictObject({
  task: z.string().min(1).max(128),
  step: z.string().min(1).max(64),
  /** The step's attempt this message is for (1 for its first run): a resumed step is sent again under its next attempt. */
  attempt: z.number().int().min(1),
  /** The run's worst-case time (its calls, retries and verification): the consumer's claim on the message lasts this long. */
  leaseMs: z.number().int().min(1).max(86_400_000),
});
export type StepRunBody = z.infer<typeof StepRunBody>;

/**
 * The idempotency id of one run of a step: unique per attempt, so a redelivery of the
 * same message finds its ledger entry, and a resumed step's new message does not.
 *
 * @example
 * stepRunId("task_01…", "fetch-3", 1) // "step:task_01…/fetch-3/1"
 */
export function stepRunId(task: string, step: string, attempt: number): string {
  return `step:${task}/${step}/${attempt}`;
}

/** The `step.run` envelope for one dispatched run. */
export function stepRunEnvelope(tenant: string, body: StepRunBody, now = new Date()): Envelope {
  return envelope(STEP_RUN, stepRunId(body.task, body.step, body.attempt), tenant, body, now);
}

/**
 * What the TaskAgent made of a dispatched run (`TaskAgent.runDispatchedStep`):
 * - `ran`: it ran the step here; `status` is the step's status after it;
 * - `not_found`: no such task or step (for this tenant);
 * - `ended`: the task has ended (cancelled, rejected, failed): the report is ignored;
 * - `superseded`: the step is no longer running under this attempt (resumed after its
 *   lease expired, or finished): the report is ignored;
 * - `running`: this attempt is running in the object now (another delivery's run);
 * - `interrupted`: this attempt started and its run was lost (the object was reset
 *   mid-run): its lease is expired now, so the task resumes the step, or fails it after
 *   repeated interruptions, as it does an inline run's.
 */
export type StepReport = { ran: true; status: string } | { ran: false; reason: "not_found" | "ended" | "superseded" | "running" | "interrupted" };

/** Extra time a claim on a message holds beyond the run's own lease (the ledger's, the call into the TaskAgent). */
export const CLAIM_MARGIN_MS = 10_000;

/** What {@link consumeStepRun} needs: the message ledger and the TaskAgent. */
export interface StepRunDeps {
  claim(id: string, leaseMs: number): Promise<ClaimResult>;
  complete(id: string, outcome: Json): Promise<void>;
  /** Notes a failed attempt and gives the claim up (a redelivery may run the step). */
  release(id: string, error: string): Promise<void>;
  run(tenant: string, body: StepRunBody): Promise<StepReport>;
}

/**
 * Consumes one `step.run` message, exactly once per run on at-least-once delivery:
 * - the ledger says `done`: acknowledged (a redelivery never runs the step twice);
 * - `busy` (another delivery holds a live claim): retried after that claim's lease;
 * - `claimed`, or `stale` (the delivery that held it vanished mid-call): the TaskAgent
 *   is asked to run the step, and decides: it runs a run that never started, ignores
 *   a report for a step that moved on, and treats a run that started and was lost as
 *   interrupted (its lease logic resumes or fails the step);
 * - the call into the TaskAgent throws (the object was reset, or unreachable): the
 *   claim is released and the message retried with backoff; after the queue's
 *   `max_retries` it is dead-lettered, and the step's lease in the TaskAgent expires
 *   and resumes it, so a task never hangs on a lost message.
 *
 * @example
 * await consumeStepRun(stepRunEnvelope("acme", { task: "task_1", step: "s9", attempt: 1, leaseMs: 95_000 }), delivery, deps) // { action: "ack" }
 */
export async function consumeStepRun(e: Envelope, delivery: Delivery, deps: StepRunDeps): Promise<Handled> {
  const parsed = StepRunBody.safeParse(e.body);
  if (!parsed.success) throw new TypeError(`not a step.run body: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; ")}`);
  const body = parsed.data;
  if (e.id !== stepRunId(body.task, body.step, body.attempt)) throw new TypeError(`a step.run message's id must be ${stepRunId(body.task, body.step, body.attempt)}, not ${e.id}`);
  const claim = await deps.claim(e.id, body.leaseMs + CLAIM_MARGIN_MS);
  switch (claim.state) {
    case "done":
      return { action: "ack" };
    case "busy":
      return { action: "retry", delaySeconds: Math.ceil(claim.retryAfterMs / 1000), reason: "another delivery of this step's run holds it" };
    case "claimed":
    case "stale": {
      let report: StepReport;
      try {
        report = await deps.run(e.tenant, body);
      } catch (err) {
        const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
        await deps.release(e.id, error);
        return { action: "retry", delaySeconds: backoffSeconds(delivery.attempts), reason: `the TaskAgent did not take the run: ${error}` };
      }
      await deps.complete(e.id, report);
      return { action: "ack" };
    }
  }
}

/** The TaskAgent of a task (one object per task id, as the API names it). */
function taskAgent(env: Env, task: string) {
  const ns = env.TASK_AGENT;
  if (!ns) throw new Error("the TASK_AGENT Durable Object binding is missing (wrangler.toml)");
  return ns.get(namedId(ns, task));
}

/** The `step.run` consumer (worker/queues/handlers.ts): {@link consumeStepRun} over the message ledger and the task's TaskAgent. */
export function stepRunHandler(env: Env): Handler {
  return (e, delivery) =>
    consumeStepRun(e, delivery, {
      claim: (id, leaseMs) => ledgerFor(env, id).claim(id, leaseMs) as Promise<ClaimResult>,
      complete: (id, outcome) => ledgerFor(env, id).complete(id, outcome),
      release: (id, error) => ledgerFor(env, id).fail(id, error, true),
      run: (tenant, b) => taskAgent(env, b.task).runDispatchedStep(tenant, b.task, b.step, b.attempt),
    });
}
