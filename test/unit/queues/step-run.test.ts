import { describe, expect, it } from "vitest";
import { backoffSeconds, type Delivery } from "../../../worker/queues/consume.ts";
import { envelope } from "../../../worker/queues/envelope.ts";
import type { ClaimResult } from "../../../worker/queues/ledger-logic.ts";
import { CLAIM_MARGIN_MS, consumeStepRun, STEP_RUN, stepRunEnvelope, stepRunId, type StepReport, type StepRunDeps } from "../../../worker/queues/step-run.ts";

const body = { task: "task_1", step: "s9", attempt: 2, leaseMs: 95_000 };
const message = stepRunEnvelope("acme", body, new Date(0));
const delivery = (attempts = 1): Delivery => ({ queue: "steps", messageId: "m1", attempts });

/** Ledger and TaskAgent stand-ins that record what the consumer asked of them. */
function deps(claim: ClaimResult, run: () => Promise<StepReport> = async () => ({ ran: true, status: "succeeded" })) {
  const calls: string[] = [];
  const d: StepRunDeps = {
    claim: async (id, leaseMs) => (calls.push(`claim ${id} ${leaseMs}`), claim),
    complete: async (id, outcome) => void calls.push(`complete ${id} ${JSON.stringify(outcome)}`),
    release: async (id, error) => void calls.push(`release ${id} ${error}`),
    run: async (tenant, b) => (calls.push(`run ${tenant} ${b.step}/${b.attempt}`), run()),
  };
  return { d, calls };
}

describe("step.run messages", () => {
  it("are named per run of a step: a resumed step's next attempt is a new message", () => {
    expect(stepRunId("task_1", "s9", 2)).toBe("step:task_1/s9/2");
    expect(message).toEqual({ v: 1, id: "step:task_1/s9/2", kind: STEP_RUN, tenant: "acme", at: "1970-01-01T00:00:00.000Z", body });
    expect(stepRunId("task_1", "s9", 3)).not.toBe(message.id);
  });
});

describe("consumeStepRun", () => {
  it("a first delivery claims the run for its lease plus a margin, has the TaskAgent run it, records the report and acks", async () => {
    const { d, calls } = deps({ state: "claimed", claims: 1 });
    expect(await consumeStepRun(message, delivery(), d)).toEqual({ action: "ack" });
    expect(calls).toEqual([`claim step:task_1/s9/2 ${95_000 + CLAIM_MARGIN_MS}`, "run acme s9/2", 'complete step:task_1/s9/2 {"ran":true,"status":"succeeded"}']);
  });

  it("a redelivery of a run that happened is acked without running it again", async () => {
    const { d, calls } = deps({ state: "done", outcome: { ran: true, status: "succeeded" } });
    expect(await consumeStepRun(message, delivery(2), d)).toEqual({ action: "ack" });
    expect(calls).toEqual([`claim step:task_1/s9/2 ${95_000 + CLAIM_MARGIN_MS}`]);
  });

  it("a delivery while another holds a live claim is retried after that claim's lease, rounded up to a second", async () => {
    const { d, calls } = deps({ state: "busy", retryAfterMs: 4_200 });
    expect(await consumeStepRun(message, delivery(), d)).toMatchObject({ action: "retry", delaySeconds: 5 });
    expect(calls).toHaveLength(1);
  });

  it("a stale claim (its delivery vanished) goes to the TaskAgent, which decides; its answer is recorded", async () => {
    const { d, calls } = deps({ state: "stale", claims: 2, claimedAt: 0 }, async () => ({ ran: false, reason: "interrupted" }));
    expect(await consumeStepRun(message, delivery(2), d)).toEqual({ action: "ack" });
    expect(calls.slice(1)).toEqual(["run acme s9/2", 'complete step:task_1/s9/2 {"ran":false,"reason":"interrupted"}']);
  });

  it("reports the TaskAgent ignored (a task that ended, an attempt superseded) are done too: acked, never retried", async () => {
    for (const reason of ["ended", "superseded", "not_found", "running"] as const) {
      const { d } = deps({ state: "claimed", claims: 1 }, async () => ({ ran: false, reason }));
      expect(await consumeStepRun(message, delivery(), d)).toEqual({ action: "ack" });
    }
  });

  it("a TaskAgent that cannot be reached releases the claim and retries the message with backoff (no report recorded)", async () => {
    const { d, calls } = deps({ state: "claimed", claims: 1 }, async () => {
      throw new Error("Durable Object reset because its code was updated");
    });
    expect(await consumeStepRun(message, delivery(3), d)).toMatchObject({ action: "retry", delaySeconds: backoffSeconds(3) });
    expect(calls.at(-1)).toBe("release step:task_1/s9/2 Error: Durable Object reset because its code was updated");
    expect(calls.some((c) => c.startsWith("complete"))).toBe(false);
  });

  it("a body that is not a step run, or an id that does not name its run, throws (retried, then dead-lettered with why)", async () => {
    const { d } = deps({ state: "claimed", claims: 1 });
    await expect(consumeStepRun(envelope(STEP_RUN, "step:task_1/s9/2", "acme", { task: "task_1" }), delivery(), d)).rejects.toThrow(/not a step.run body: step: /);
    await expect(consumeStepRun({ ...message, id: "step:task_1/s9/1" }, delivery(), d)).rejects.toThrow(/must be step:task_1\/s9\/2/);
  });
});
