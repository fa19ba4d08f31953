import type { Env } from "../env.ts";
import { notFound, ProblemError } from "../http/problem.ts";
import { hopRefOf, type HopRef } from "../observe/hop-refs.ts";
import { metricsStub, pendingHopRef, readHopTrace } from "../observe/sinks.ts";
import { lookupIntent, type Runtime } from "../runtime.ts";
import { taskStub } from "../tasks/task-stub.ts";
import type { FeedbackTarget, ResolvedTarget } from "./record.ts";

type Defer = (p: Promise<unknown>) => void;

/** The Metrics object of a specialist, or a 503 without the binding (feedback is stored there). */
export function feedbackStub(env: Env, specialist: string) {
  const stub = metricsStub(env, specialist);
  if (!stub) throw new ProblemError({ status: 503, slug: "misconfigured", title: "Router misconfigured", detail: "no METRICS Durable Object binding: feedback is stored in the Metrics objects" });
  return stub;
}

/**
 * A hop's reference: from this isolate's counters not sent yet (a hop it just served),
 * its stored trace (KV `TRACES`, sampled hops), or else the Metrics objects of the
 * configured specialists (every hop, for `observability.feedbackWindowSeconds`, once its
 * counters were sent), asked together.
 */
async function hopRef(env: Env, rt: Runtime, hop: string, tenant: string): Promise<HopRef | undefined> {
  const pending = pendingHopRef(hop, tenant);
  if (pending) return pending;
  const trace = await readHopTrace(env, hop, tenant);
  const fromTrace = trace ? hopRefOf(trace.spans, Number.MAX_SAFE_INTEGER) : undefined;
  if (fromTrace) return fromTrace;
  const found = await Promise.all(rt.config.specialists.map((s) => metricsStub(env, s.id)?.hopRef(hop, tenant)));
  return found.find((r) => r !== undefined);
}

/**
 * What a feedback target is, for the caller's tenant: the specialist that served it,
 * its intent label and id, and its input while the router still has it (an intent's
 * cached record; a step's stored input). Another tenant's target is a 404 like an
 * unknown one; a step that has not run yet is a 409.
 */
export async function resolveTarget(env: Env, rt: Runtime, tenant: string, t: FeedbackTarget, defer: Defer): Promise<ResolvedTarget> {
  switch (t.kind) {
    case "hop": {
      const ref = await hopRef(env, rt, t.hopId, tenant);
      if (!ref) throw notFound(`no hop '${t.hopId}' to give feedback on (unknown, older than observability.feedbackWindowSeconds, another tenant's, or it reached no specialist)`);
      const input = ref.intentId ? (await lookupIntent(env, rt, tenant, ref.intentId, defer))?.record.input : undefined;
      return { specialist: ref.specialist, label: ref.label, intentId: ref.intentId, input };
    }
    case "intent": {
      const hit = await lookupIntent(env, rt, tenant, t.intentId, defer);
      if (!hit) throw notFound(`no intent '${t.intentId}' is cached for the current model (it may have expired or the model changed)`);
      return { specialist: hit.record.specialist, label: hit.record.label, intentId: hit.record.id, input: hit.record.input };
    }
    case "step": {
      const task = await taskStub(env, t.taskId).get(tenant);
      if (!task) throw notFound(`no task '${t.taskId}'`);
      const step = task.steps.find((s) => s.id === t.stepId);
      if (!step) throw notFound(`task '${t.taskId}' has no step '${t.stepId}'`);
      if (!step.specialist)
        throw new ProblemError({ status: 409, slug: "step-not-run", title: "Step has not run", detail: `step '${t.stepId}' has not been served by a specialist yet (status ${step.status})` });
      const spec = task.plan?.steps.find((s) => s.id === t.stepId);
      const label = spec?.intent ?? (step.intentId ? (await lookupIntent(env, rt, tenant, step.intentId, defer))?.record.label : undefined);
      return { specialist: step.specialist, label, intentId: step.intentId, input: step.input };
    }
  }
}
