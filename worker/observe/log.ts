import { ATTR, SPAN } from "./attributes.ts";
import type { SpanRecord } from "./span.ts";

/**
 * One structured log line per hop (a `/v1/route`, chat or A2A hop, or one task
 * step), as a JSON object Workers Logs indexes field by field.
 */
export interface HopLog {
  ts: string;
  level: "info" | "warn" | "error";
  msg: "hop";
  hop?: string;
  task?: string;
  step?: string;
  trace: string;
  tenant: string;
  intent: string | null;
  specialist: string | null;
  /** `ok`, or the failure kind of the last attempt (`timeout`, `over_limit`, …), or `refused`. */
  outcome: string;
  status: number;
  attempts: number;
  ms: number;
  costUsd: number;
  /** The MCP tool, for a tool call. */
  tool?: string;
  /** How an escalation to an LLM router ended, when the hop made one (its call's cost is in `costUsd`, not in `attempts`). */
  escalation?: string;
}

/** Level by status: 5xx `error`, 4xx `warn`, else `info`. */
export function levelOf(status: number): HopLog["level"] {
  return status >= 500 ? "error" : status >= 400 ? "warn" : "info";
}

/**
 * The log line of a hop from its spans: the specialist that served it (or was last
 * tried), the outcome of the last attempt, attempts made (calls and denials; an
 * escalation's own call is not one), and the cost of every call.
 */
export function hopLog(
  spans: readonly SpanRecord[],
  o: { at: number; traceId: string; tenant: string; status: number; ms: number; hop?: string | undefined; task?: string | undefined; step?: string | undefined; intent?: string | null | undefined; refused?: boolean },
): HopLog {
  const escalation = spans.find((s) => s.name === SPAN.escalation);
  const attempts = spans.filter((s) => (s.name === SPAN.call || (s.name === SPAN.admission && s.attributes[ATTR.admission] === "denied")) && (!escalation || s.parentSpanId !== escalation.spanId));
  const last = attempts.at(-1);
  const lastOutcome = last ? String(last.name === SPAN.call ? last.attributes[ATTR.outcome] : last.attributes[ATTR.errorType]) : "ok";
  // a hop refused after a successful call (output screening) or before any (unknown intent, policy) is "refused"
  const outcome = o.refused || (lastOutcome === "ok" && o.status >= 400) ? "refused" : lastOutcome;
  const intentSpan = spans.find((s) => s.name === SPAN.intent);
  const label = o.intent !== undefined ? o.intent : intentSpan ? (intentSpan.attributes[ATTR.intentLabel] as string | undefined) ?? null : null;
  const cost = spans.filter((s) => s.name === SPAN.call).reduce((n, s) => n + Number(s.attributes[ATTR.costUsd] ?? 0), 0);
  return {
    ts: new Date(o.at).toISOString(),
    level: levelOf(o.status),
    msg: "hop",
    ...(o.hop ? { hop: o.hop } : {}),
    ...(o.task ? { task: o.task } : {}),
    ...(o.step ? { step: o.step } : {}),
    trace: o.traceId,
    tenant: o.tenant,
    intent: label ?? null,
    specialist: last ? String(last.attributes[ATTR.specialist]) : null,
    outcome,
    status: o.status,
    attempts: attempts.length,
    ms: Math.round(o.ms * 1000) / 1000,
    costUsd: Math.round(cost * 1e6) / 1e6,
    ...(typeof last?.attributes[ATTR.tool] === "string" ? { tool: String(last.attributes[ATTR.tool]) } : {}),
    ...(escalation ? { escalation: String(escalation.attributes[ATTR.escalationOutcome]) } : {}),
  };
}
