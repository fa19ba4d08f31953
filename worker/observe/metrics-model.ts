import { ATTR, SPAN } from "./attributes.ts";
import { emptyHistogram, merge, observe, quantile, type Histogram } from "./histogram.ts";
import { durationMs, type SpanRecord } from "./span.ts";
import { hopRefOf, type HopRef } from "./hop-refs.ts";
import { addIntents, addVerdicts, countCall, emptyIntentCounts, labelsOf, verdictOf, type IntentCounts, type VerdictCounts } from "./intent-counts.ts";
import { intentSummaries, feedbackSummary, type FeedbackSummary, type FeedbackTally, type IntentSummary } from "./intent-summary.ts";
import { addConfidence, addCoordination, countConfidence, countCoordination, type CoordinationCounts } from "./day-counters.ts";

export { CONFIDENCE_BINS, confidenceBin, type CoordinationCounts } from "./day-counters.ts";

/**
 * One specialist's counters for one UTC day. `calls` are calls made (each retry and
 * fallback attempt counts): each is `ok`, an error (`errors`, by kind in
 * `failures`), a refusal of the input by the specialist (`refused`: it worked, the
 * input was not one it serves) or `cancelled` (the client went away). `denied` are
 * attempts refused before any call (pool over its limit, breaker open, kill switch,
 * policy). Cost is what the pools count: `costPerCall` for every call made plus the
 * cost a specialist reports.
 */
export interface SpecialistDay {
  specialist: string;
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  calls: number;
  ok: number;
  errors: number;
  /** Failed calls by failure kind (`timeout`, `http_error`, …). */
  failures: Record<string, number>;
  refused: number;
  cancelled: number;
  denied: number;
  denials: Record<string, number>;
  costUsd: number;
  /** Latency of calls made, ms. */
  latency: Histogram;
  /** Of those, the MCP tool calls, per tool (`gen_ai.tool.name`); days stored before tools existed have none. */
  tools?: Record<string, ToolCounts>;
  /** The same calls per intent label they served, with the verdicts on them (intent-counts.ts); absent with none. */
  intents?: Record<string, IntentCounts>;
  /** Verifiers' verdicts on this specialist's outputs, any label; absent with none. */
  verifications?: VerdictCounts;
  /**
   * In transit only (an isolate's deltas): the hops this specialist served, for
   * feedback on them. The Metrics object keeps them apart, never in the day's counters.
   */
  hopRefs?: HopRef[];
  /** Escalations this specialist was asked as the LLM router (`router.escalation`); absent when none. */
  escalations?: EscalationCounts;
  /**
   * The intent classifier's confidence for the hops and steps routed to this
   * specialist by their intent, in `CONFIDENCE_BINS` (day-counters.ts) bins of 0.1 (the last one
   * holds 1.0); absent when none (pinned calls have no confidence).
   */
  confidence?: number[];
  /** Hedges and ensembles of calls decided for this specialist (issue 18); absent when none. */
  coordination?: CoordinationCounts;
}

/** One tool's calls of a day: made (`ok`, `errors` among them) and denied before any call. */
export interface ToolCounts {
  calls: number;
  ok: number;
  errors: number;
  denied: number;
}

/** Adds `b`'s tool counters to `a`'s (a new object). */
function addTools(a: Record<string, ToolCounts> | undefined, b: Record<string, ToolCounts> | undefined): Record<string, ToolCounts> | undefined {
  if (!a && !b) return undefined;
  const out: Record<string, ToolCounts> = {};
  for (const m of [a ?? {}, b ?? {}])
    for (const [k, t] of Object.entries(m)) {
      const o = (out[k] ??= { calls: 0, ok: 0, errors: 0, denied: 0 });
      o.calls += t.calls;
      o.ok += t.ok;
      o.errors += t.errors;
      o.denied += t.denied;
    }
  return out;
}

/**
 * A day's escalations to one LLM router: how many, by outcome (`picked`, `none`,
 * `invalid`, `timeout`, `skipped`, `failed`), and what their calls cost (USD, also in
 * the day's `costUsd`: each call is one of its `calls`).
 */
export interface EscalationCounts {
  count: number;
  outcomes: Record<string, number>;
  costUsd: number;
}

/** `a + b` of escalation counters (a new object). */
function addEscalations(a: EscalationCounts | undefined, b: EscalationCounts | undefined): EscalationCounts {
  const out: EscalationCounts = { count: 0, outcomes: {}, costUsd: 0 };
  for (const e of [a, b]) {
    if (!e) continue;
    out.count += e.count;
    out.costUsd += e.costUsd;
    for (const [k, n] of Object.entries(e.outcomes)) bump(out.outcomes, k, n);
  }
  return out;
}

/** The day's counters of the tool a span is for, created on first use; undefined for a span of no tool call. */
function toolOf(d: SpecialistDay, s: SpanRecord): ToolCounts | undefined {
  const tool = s.attributes[ATTR.tool];
  if (typeof tool !== "string") return undefined;
  d.tools ??= {};
  return (d.tools[tool] ??= { calls: 0, ok: 0, errors: 0, denied: 0 });
}

/** The UTC day of an epoch-ms instant. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function emptyDay(specialist: string, day: string): SpecialistDay {
  return { specialist, day, calls: 0, ok: 0, errors: 0, failures: {}, refused: 0, cancelled: 0, denied: 0, denials: {}, costUsd: 0, latency: emptyHistogram() };
}

/** Adds `n` (default 1) to `m[k]`, in place. */
export const bump = (m: Record<string, number>, k: string, n = 1) => {
  m[k] = (m[k] ?? 0) + n;
};

/**
 * How a call span (`SPAN.call`) ended, as every counter sees it: `ok`, `refused` (the
 * specialist refused the input), `cancelled` (the client went away) or `error` with its
 * failure kind (`timeout`, `http_error`, …). The day counters and the time series
 * (timeseries.ts) both count by this, so they agree.
 */
export function callOutcome(s: SpanRecord): { kind: "ok" | "refused" | "cancelled" } | { kind: "error"; failure: string } {
  const outcome = String(s.attributes[ATTR.outcome] ?? "ok");
  if (outcome === "ok") return { kind: "ok" };
  if (outcome === "refused") return { kind: "refused" };
  if (outcome === "client_closed") return { kind: "cancelled" };
  return { kind: "error", failure: outcome };
}

/** The kind of an admission span's denial (`policy_denied`, `circuit_open`, …), or undefined when the span is not a denial. */
export function denialOf(s: SpanRecord): string | undefined {
  if (s.name !== SPAN.admission || s.attributes[ATTR.admission] !== "denied") return undefined;
  return String(s.attributes[ATTR.errorType] ?? "denied");
}

/**
 * Counter deltas for the specialist calls, admission denials and verification verdicts
 * among `spans`, per specialist and UTC day, with each call's intent label (see
 * {@link labelsOf}); with `hopWindowMs`, the hop's reference for feedback (see {@link hopRefOf}).
 */
export function deltasFromSpans(spans: readonly SpanRecord[], o: { hopWindowMs?: number } = {}): SpecialistDay[] {
  const out = new Map<string, SpecialistDay>();
  const dayOf = (ms: number, specialist: string) => {
    const day = utcDay(ms);
    const key = `${specialist}\u0000${day}`;
    let d = out.get(key);
    if (!d) out.set(key, (d = emptyDay(specialist, day)));
    return d;
  };
  const labelOf = labelsOf(spans);
  const intentOf = (d: SpecialistDay, s: SpanRecord) => {
    const label = labelOf(s);
    if (label === undefined) return undefined;
    d.intents ??= {};
    return (d.intents[label] ??= emptyIntentCounts());
  };
  for (const s of spans) {
    const specialist = s.attributes[ATTR.specialist];
    if (typeof specialist !== "string" || s.endMs === null) continue;
    if (s.name === SPAN.verification) {
      const pass = verdictOf(s);
      if (pass === undefined) continue;
      const d = dayOf(s.endMs, specialist);
      d.verifications = addVerdicts(d.verifications, { pass: pass ? 1 : 0, fail: pass ? 0 : 1 });
      const intent = intentOf(d, s);
      if (intent) intent[pass ? "verifiedPass" : "verifiedFail"] += 1;
    } else if (s.name === SPAN.call) {
      const d = dayOf(s.endMs, specialist);
      const intent = intentOf(d, s);
      if (intent) countCall(intent, s);
      d.calls += 1;
      const outcome = callOutcome(s);
      const tool = toolOf(d, s);
      if (tool) {
        tool.calls += 1;
        if (outcome.kind === "ok") tool.ok += 1;
        else if (outcome.kind === "error") tool.errors += 1;
      }
      if (outcome.kind === "error") {
        d.errors += 1;
        bump(d.failures, outcome.failure);
      } else d[outcome.kind] += 1;
      d.costUsd += Number(s.attributes[ATTR.costUsd] ?? 0);
      observe(d.latency, durationMs(s));
    } else if (s.name === SPAN.escalation) {
      const e = (dayOf(s.endMs, specialist).escalations ??= { count: 0, outcomes: {}, costUsd: 0 });
      e.count += 1;
      bump(e.outcomes, String(s.attributes[ATTR.escalationOutcome] ?? "failed"));
      e.costUsd += Number(s.attributes[ATTR.costUsd] ?? 0);
    } else if (s.name === SPAN.hedge || s.name === SPAN.ensemble) {
      countCoordination(dayOf(s.endMs, specialist), s);
    } else if (denialOf(s) !== undefined) {
      const d = dayOf(s.endMs, specialist);
      d.denied += 1;
      const tool = toolOf(d, s);
      if (tool) tool.denied += 1;
      bump(d.denials, denialOf(s)!);
    }
  }
  countConfidence(spans, dayOf);
  const ref = hopRefOf(spans, o.hopWindowMs ?? 0);
  if (ref) (dayOf(ref.at, ref.specialist).hopRefs ??= []).push(ref);
  return [...out.values()];
}

/** `a + b` of counts by key (a new object; neither is changed). */
export function addCounts(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out = { ...a };
  for (const [k, n] of Object.entries(b)) bump(out, k, n);
  return out;
}

/** `a + b` for the same specialist and day (neither is changed). */
export function addDays(a: SpecialistDay, b: SpecialistDay): SpecialistDay {
  const failures = addCounts(a.failures, b.failures);
  const denials = addCounts(a.denials, b.denials);
  return {
    specialist: a.specialist,
    day: a.day,
    calls: a.calls + b.calls,
    ok: a.ok + b.ok,
    errors: a.errors + b.errors,
    failures,
    // days stored before these counters existed have none
    refused: (a.refused ?? 0) + (b.refused ?? 0),
    cancelled: (a.cancelled ?? 0) + (b.cancelled ?? 0),
    denied: a.denied + b.denied,
    denials,
    costUsd: a.costUsd + b.costUsd,
    latency: merge(a.latency, b.latency),
    ...(a.tools || b.tools ? { tools: addTools(a.tools, b.tools) } : {}),
    ...(a.intents || b.intents ? { intents: addIntents(a.intents, b.intents) } : {}),
    ...(a.verifications || b.verifications ? { verifications: addVerdicts(a.verifications, b.verifications) } : {}),
    ...(a.hopRefs || b.hopRefs ? { hopRefs: [...(a.hopRefs ?? []), ...(b.hopRefs ?? [])] } : {}),
    ...(a.escalations || b.escalations ? { escalations: addEscalations(a.escalations, b.escalations) } : {}),
    ...(a.coordination || b.coordination ? { coordination: addCoordination(a.coordination, b.coordination) } : {}),
    ...(a.confidence || b.confidence ? { confidence: addConfidence(a.confidence, b.confidence) } : {}),
  };
}

/** What `GET /v1/metrics` shows of a specialist's day. */
export interface DaySummary {
  requests: number;
  ok: number;
  errors: number;
  /** errors / requests (0 with no requests): refusals and cancelled calls are not errors. */
  errorRate: number;
  failures: Record<string, number>;
  /** Inputs the specialist refused (a 4xx about the input). */
  refused: number;
  /** Calls whose client went away. */
  cancelled: number;
  denied: number;
  denials: Record<string, number>;
  latencyMs: { p50: number | null; p95: number | null; p99: number | null; max: number | null; mean: number | null };
  costUsd: number;
  /** The MCP door's tool calls among the requests, per tool (a remote server's tools, and the `route` or own tool a specialist was reached by). */
  tools?: Record<string, ToolCounts>;
  /** Verifiers' verdicts on its outputs. */
  verifications: VerdictCounts;
  /** Explicit feedback given that day on its hops, steps and intents (`POST /v1/feedback`; the day of each one's latest version). */
  feedback: FeedbackSummary;
  /** Per intent label it served (calls or feedback), by label. */
  intents: IntentSummary[];
  /** Its escalations as the LLM router (their calls are among the requests). */
  escalations?: EscalationCounts;
  /** Hedges and ensembles of calls decided for it (their calls are among the requests of whoever made them). */
  coordination?: CoordinationCounts;
  /** The classifier's confidence for what was routed to it by intent: counts in bins of 0.1 from 0 (the last holds 1.0). */
  confidence?: number[];
}

const r6 = (n: number) => Math.round(n * 1e6) / 1e6;

/** What `GET /v1/metrics` shows of a specialist's day, with the day's explicit feedback (`tally`, from its feedback records). */
export function summarize(d: SpecialistDay, tally?: FeedbackTally): DaySummary {
  const h = d.latency;
  return {
    requests: d.calls,
    ok: d.ok,
    errors: d.errors,
    errorRate: d.calls === 0 ? 0 : r6(d.errors / d.calls),
    failures: d.failures,
    refused: d.refused ?? 0,
    cancelled: d.cancelled ?? 0,
    denied: d.denied,
    denials: d.denials,
    latencyMs: {
      p50: quantile(h, 0.5),
      p95: quantile(h, 0.95),
      p99: quantile(h, 0.99),
      max: h.count ? h.max : null,
      mean: h.count ? Math.round((h.sum / h.count) * 1000) / 1000 : null,
    },
    costUsd: r6(d.costUsd),
    ...(d.tools ? { tools: d.tools } : {}),
    verifications: d.verifications ?? { pass: 0, fail: 0 },
    feedback: feedbackSummary(tally?.total),
    intents: intentSummaries(d.intents ?? {}, tally?.byLabel ?? {}),
    ...(d.escalations ? { escalations: { ...d.escalations, costUsd: r6(d.escalations.costUsd) } } : {}),
    ...(d.coordination ? { coordination: d.coordination } : {}),
    ...(d.confidence ? { confidence: d.confidence } : {}),
  };
}
