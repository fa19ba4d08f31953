import type { Context } from "hono";
import type { AppEnv } from "../env.ts";
import { ProblemError } from "../http/problem.ts";
import type { DecideResult } from "../routing/decide.ts";
import { ATTR, SPAN } from "./attributes.ts";
import { hopLog } from "./log.ts";
import type { ObservabilitySettings } from "./settings.ts";
import { exportOtlp, recordMetrics, settle, storeHopTrace, writeLog } from "./sinks.ts";
import { sampled, Tracer, type SpanHandle } from "./span.ts";

/** The trace of one hop: its id, the recorder, and the request's own (server) span. */
export interface HopTrace {
  id: string;
  tracer: Tracer;
  root: SpanHandle;
  startedAt: number;
}

/**
 * Starts recording a hop. The root span is the request's span: the id the router
 * already put in its `traceparent` (sent back to the caller), whose parent is the
 * caller's span when a `traceparent` came in. Its id is fresh, or the async hop's
 * when the queue consumer replays one.
 */
export function startHopTrace(c: Context<AppEnv>): HopTrace {
  const { own, caller } = c.get("trace");
  const tracer = new Tracer({ traceId: own.traceId, flags: own.flags });
  const id = c.get("asyncHop") ?? `hop_${crypto.randomUUID()}`; // an async hop's replay keeps the id its client was given
  const root = tracer.start(`${c.req.method} ${c.req.routePath}`, {
    spanId: own.spanId,
    parent: caller?.spanId,
    kind: "server",
    attributes: { [ATTR.httpMethod]: c.req.method, [ATTR.httpRoute]: c.req.routePath, [ATTR.hop]: id, [ATTR.tenant]: c.get("principal").tenant },
  });
  return { id, tracer, root, startedAt: Date.now() };
}

/** The HTTP status an error thrown by a hop becomes. */
export function statusOf(error: unknown): number {
  return error instanceof ProblemError ? error.problem.status : 500;
}

/**
 * Ends the hop's root span and, after the response (`waitUntil`), sends its spans
 * to the metrics objects (with the hop's reference, for feedback), the hop trace store (KV, sampled traces only) and the
 * OTLP collector (if configured, sampled traces only); writes the hop's log line.
 */
export function finishHopTrace(
  c: Context<AppEnv>,
  t: HopTrace,
  o: ObservabilitySettings,
  r: { status: number; specialist?: string | undefined; intent?: string | null | undefined; error?: unknown },
): void {
  const failed = r.status >= 500;
  const message = r.error instanceof Error ? r.error.message : undefined;
  t.root.end(failed ? { code: "error", ...(message ? { message } : {}) } : { code: "unset" }, { [ATTR.httpStatus]: r.status, [ATTR.specialist]: r.specialist, [ATTR.intentLabel]: r.intent ?? undefined });
  const spans = t.tracer.spans;
  const tenant = c.get("principal").tenant;
  if (o.logs)
    writeLog(hopLog(spans, { at: Date.now(), traceId: t.tracer.traceId, tenant, status: r.status, ms: Date.now() - t.startedAt, hop: t.id, intent: r.intent }));
  const defer = (p: Promise<unknown>) => c.executionCtx.waitUntil(p);
  // a queued hop's counters go at once: waiting for the flush window would hold the consumer's whole batch (its waitUntil) that long
  if (o.metrics) settle(defer, "metrics update", recordMetrics(c.env, spans, c.get("asyncHop") !== undefined ? 0 : o.metricsFlushMs, Date.now(), o.feedbackWindowSeconds * 1000, tenant));
  if (!sampled(t.tracer.flags)) return;
  settle(defer, "hop trace store", storeHopTrace(c.env, { hop: t.id, tenant, traceId: t.tracer.traceId, spans }, o.hopTraceTtlSeconds));
  if (o.otlp) settle(defer, "otlp export", exportOtlp(c.env, o.otlp, spans));
}

/** The error a hop threw, with the hop id in its problem (`hop`), so a failed hop's trace can be found. */
export function withHopId(error: unknown, hop: string): unknown {
  if (!(error instanceof ProblemError)) return error;
  return new ProblemError({ ...error.problem, extra: { ...(error.problem.extra ?? {}), hop } });
}

/** Ends the hop's `intent` span: how the intent was found (`lru`, `cache`, `kv`, `classified`, `pinned`, `unknown-id`) and what it is. */
export function endIntentSpan(span: SpanHandle, intent: { id: string; label: string; confidence: number } | undefined, source: string): void {
  span.end(source === "unknown-id" ? { code: "error", message: "unknown intent id" } : { code: "ok" }, {
    [ATTR.intentSource]: source,
    [ATTR.intentId]: intent?.id,
    [ATTR.intentLabel]: intent?.label,
    [ATTR.intentConfidence]: intent?.confidence,
  });
}

/** Records the routing decision as a `decide` span (pure and synchronous: usually 0 ms). */
export function recordDecision(t: HopTrace, r: DecideResult): void {
  const span = t.tracer.start(SPAN.decide, { parent: t.root.spanId });
  if (r.ok) span.end({ code: "ok" }, { [ATTR.specialist]: r.decision.specialist, [ATTR.decisionReason]: r.decision.reason });
  else span.end({ code: "error", message: r.reason === "unknown_specialist" ? `unknown specialist '${r.specialist}'` : r.detail }, { [ATTR.errorType]: r.reason });
}
