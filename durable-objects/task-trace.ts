import { failureProblem } from "../worker/http/failures.ts";
import { parseTraceparent } from "../worker/http/traceparent.ts";
import { ATTR, SPAN } from "../worker/observe/attributes.ts";
import { hopLog } from "../worker/observe/log.ts";
import { exportOtlp, recordMetrics, writeLog } from "../worker/observe/sinks.ts";
import { randomSpanId, sampled, Tracer, type SpanHandle, type SpanRecord } from "../worker/observe/span.ts";
import type { StepTrace } from "../worker/observe/step-spans.ts";
import type { FailureKind } from "../worker/routing/hop.ts";
import { getRuntime, type Runtime } from "../worker/runtime.ts";
import type { TaskDoc } from "../worker/tasks/types.ts";
import type { EngineHost } from "./task-lifecycle.ts";
import type { TaskStore } from "./task-store.ts";

// A task's trace: the task's own span (child of the request that submitted it),
// one span per step run or plan under it, and under those the intent, admission,
// specialist call and verification spans. Spans are stored in the TaskAgent's
// SQLite as they end; each step's spans are logged, counted and exported after it.

/** Trace id, flags and parent span of the task's trace (from the submitting request's `traceparent`). */
function traceOf(task: TaskDoc): { traceId: string; flags: string; parent: string | undefined } {
  const t = parseTraceparent(task.traceparent);
  return { traceId: t?.traceId ?? "0".repeat(31) + "1", flags: t?.flags ?? "01", parent: t?.spanId };
}

/** Opens the task's own span (stored open; closed by {@link closeTaskSpan}). */
export function openTaskSpan(store: TaskStore, task: TaskDoc, now = Date.now()): void {
  const { traceId, parent } = traceOf(task);
  store.spans.put({
    traceId,
    spanId: randomSpanId(),
    ...(parent ? { parentSpanId: parent } : {}),
    name: SPAN.task,
    kind: "internal",
    startMs: now,
    endMs: null,
    attributes: { [ATTR.task]: task.id, [ATTR.tenant]: task.tenant, ...(task.workflow ? { "switchyard.workflow": task.workflow } : {}) },
    status: { code: "unset" },
  });
}

/** Closes the task's span with its final status and exports it (the steps were exported as they ended). */
export function closeTaskSpan(h: EngineHost, status: string, error?: string, now = Date.now()): void {
  const span = h.store.spans.first(SPAN.task);
  if (!span || span.endMs !== null) return;
  const task = h.store.requireTask();
  const closed: SpanRecord = {
    ...span,
    endMs: Math.max(span.startMs, now),
    attributes: { ...span.attributes, [ATTR.status]: status, [ATTR.costUsd]: task.costUsd, "switchyard.task.hops": task.hops },
    status: status === "succeeded" ? { code: "ok" } : { code: "error", message: error ?? status },
  };
  h.store.spans.put(closed);
  if (!sampled(traceOf(task).flags)) return;
  void getRuntime(h.env)
    .then((rt) => exportOtlp(h.env, rt.config.observability.otlp, [closed]))
    .catch((e: unknown) => console.warn(JSON.stringify({ msg: "otlp export failed", error: String(e) })));
}

/** A step's (or the plan's) span being recorded. */
export interface StepSpan {
  trace: StepTrace;
  span: SpanHandle;
  stepId: string;
  startedAt: number;
}

/**
 * Starts a `step` (or `plan`) span under the task's span; every span under it is stored
 * as it ends. A step routed by an intent label (`intent` in its plan) carries it, so its
 * calls count for that label in the metrics (a step routed by its input has an `intent` span).
 */
export function startStepSpan(h: EngineHost, name: typeof SPAN.step | typeof SPAN.plan, stepId: string, label?: string): StepSpan {
  const task = h.store.requireTask();
  const { traceId, flags, parent } = traceOf(task);
  const tracer = new Tracer({ traceId, flags, onEnd: (s) => h.store.spans.put(s) });
  const span = tracer.start(name, { parent: h.store.spans.first(SPAN.task)?.spanId ?? parent, attributes: { [ATTR.task]: task.id, [ATTR.step]: stepId, [ATTR.intentLabel]: label } });
  return { trace: { tracer, parent: span.spanId }, span, stepId, startedAt: Date.now() };
}

/** The HTTP status a step's end would have as a hop: 200, 202 waiting for approval, 499 cancelled, else by the last failure. */
function stepStatus(status: string, spans: readonly SpanRecord[]): number {
  if (status === "succeeded") return 200;
  if (status === "awaiting_approval" || status === "pending" || status === "running") return 202;
  if (status === "cancelled") return 499;
  const kind = [...spans].reverse().find((s) => s.attributes[ATTR.errorType] !== undefined)?.attributes[ATTR.errorType];
  return kind ? failureProblem({ kind: kind as FailureKind, detail: "" }, []).problem.status : 502;
}

/**
 * Ends a step's span by the step's state after its run, writes its log line, and
 * sends its spans to the metrics objects and the OTLP collector (in the background).
 */
export function finishStepSpan(h: EngineHost, rt: Runtime, s: StepSpan, step: { status: string; error?: string | undefined; attempts?: number } | undefined): void {
  const status = step?.status ?? "failed";
  const failed = status === "failed" || status === "cancelled";
  s.span.end(failed ? { code: "error", message: step?.error ?? status } : { code: status === "succeeded" ? "ok" : "unset" }, { [ATTR.status]: status, "switchyard.step.run": step?.attempts });
  const spans = s.trace.tracer.spans;
  const task = h.store.requireTask();
  const o = rt.config.observability;
  if (o.logs)
    writeLog(hopLog(spans, { at: Date.now(), traceId: s.trace.tracer.traceId, tenant: task.tenant, status: stepStatus(status, spans), ms: Date.now() - s.startedAt, task: task.id, step: s.stepId }));
  const background = (what: string, p: Promise<unknown>) => void p.catch((e: unknown) => console.warn(JSON.stringify({ msg: `${what} failed`, task: task.id, error: String(e) })));
  if (o.metrics) background("metrics update", recordMetrics(h.env, spans, 0, Date.now(), 0, task.tenant));
  if (o.otlp && sampled(s.trace.tracer.flags)) background("otlp export", exportOtlp(h.env, o.otlp, spans));
}
