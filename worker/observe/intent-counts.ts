import { ATTR, SPAN } from "./attributes.ts";
import { durationMs, type SpanRecord } from "./span.ts";

/**
 * One (specialist, intent label)'s implicit signals for one UTC day, from spans:
 * calls made for the label (each retry and fallback attempt counts) by outcome, the
 * verifier's verdicts on the specialist's outputs for it, cost (USD) and the sum of
 * call latencies (ms; mean = `latencyMsSum / calls`). A call is counted for the label
 * of the hop or task step it served: the `intent` span beside it or the request's
 * (or step's) own `switchyard.intent.label`. A verifier's own calls (under a
 * `verification` span) count for the verifier's day, never for the label it checked;
 * an LLM router's (under an `intent.escalation` span) likewise.
 */
export interface IntentCounts {
  calls: number;
  ok: number;
  /** Failed calls (the specialist's fault: timeouts, upstream errors, bad answers). */
  errors: number;
  /** Inputs the specialist refused (its 4xx about the input). */
  refused: number;
  /** Calls whose client went away (neither a success nor a failure). */
  cancelled: number;
  /** Verification verdicts on the specialist's outputs for this label: passed. */
  verifiedPass: number;
  /** …and failed. */
  verifiedFail: number;
  costUsd: number;
  latencyMsSum: number;
}

/** Pass/fail verdicts of the verifiers on a specialist's outputs (any label, none too). */
export interface VerdictCounts {
  pass: number;
  fail: number;
}

export function emptyIntentCounts(): IntentCounts {
  return { calls: 0, ok: 0, errors: 0, refused: 0, cancelled: 0, verifiedPass: 0, verifiedFail: 0, costUsd: 0, latencyMsSum: 0 };
}

const KEYS = Object.keys(emptyIntentCounts()) as (keyof IntentCounts)[];

/** `a + b` per label (a new object; undefined when neither has any label). */
export function addIntents(a: Record<string, IntentCounts> | undefined, b: Record<string, IntentCounts> | undefined): Record<string, IntentCounts> | undefined {
  if (!a && !b) return undefined;
  const out: Record<string, IntentCounts> = {};
  for (const m of [a ?? {}, b ?? {}])
    for (const [label, c] of Object.entries(m)) {
      const o = (out[label] ??= emptyIntentCounts());
      for (const k of KEYS) o[k] += c[k] ?? 0;
    }
  return out;
}

/** `a + b` (undefined when neither has a verdict). */
export function addVerdicts(a: VerdictCounts | undefined, b: VerdictCounts | undefined): VerdictCounts | undefined {
  if (!a && !b) return undefined;
  return { pass: (a?.pass ?? 0) + (b?.pass ?? 0), fail: (a?.fail ?? 0) + (b?.fail ?? 0) };
}

/**
 * The intent label a span counts for, in a list of spans of one or more traces:
 * the label on its parent (a request's or step's span) or on an `intent` span under
 * the same parent; undefined without one, and for spans under a `verification`
 * span (the verifier's own admission and calls).
 *
 * @example
 * const labelOf = labelsOf(hop.tracer.spans);
 * labelOf(callSpan) // "units.convert"
 */
export function labelsOf(spans: readonly SpanRecord[]): (s: SpanRecord) => string | undefined {
  const byId = new Map<string, SpanRecord>();
  const intentUnder = new Map<string, string>();
  for (const s of spans) {
    byId.set(s.spanId, s);
    const label = s.attributes[ATTR.intentLabel];
    if (s.name === SPAN.intent && s.parentSpanId !== undefined && typeof label === "string" && label !== "") intentUnder.set(s.parentSpanId, label);
  }
  return (s) => {
    if (s.parentSpanId === undefined) return undefined;
    const parent = byId.get(s.parentSpanId);
    if (parent?.name === SPAN.verification || parent?.name === SPAN.escalation) return undefined;
    const own = parent?.attributes[ATTR.intentLabel];
    return typeof own === "string" && own !== "" ? own : intentUnder.get(s.parentSpanId);
  };
}

/** Adds one specialist call span (ended) to a label's counts. */
export function countCall(c: IntentCounts, s: SpanRecord): void {
  c.calls += 1;
  const outcome = String(s.attributes[ATTR.outcome] ?? "ok");
  if (outcome === "ok") c.ok += 1;
  else if (outcome === "refused") c.refused += 1;
  else if (outcome === "client_closed") c.cancelled += 1;
  else c.errors += 1;
  c.costUsd += Number(s.attributes[ATTR.costUsd] ?? 0);
  c.latencyMsSum += durationMs(s);
}

/** The verdict a `verification` span recorded: true (passed), false (failed), undefined (it never gave one: the verifier failed). */
export function verdictOf(s: SpanRecord): boolean | undefined {
  const v = s.attributes[ATTR.verdictPass];
  return typeof v === "boolean" ? v : undefined;
}
