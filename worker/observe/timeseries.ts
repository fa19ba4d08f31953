import { z } from "zod";
import { ATTR, SPAN } from "./attributes.ts";
import { emptyHistogram, merge, observe, quantile } from "./histogram.ts";
import { addCounts, bump, callOutcome, denialOf, type SpecialistDay } from "./metrics-model.ts";
import { durationMs, type SpanRecord } from "./span.ts";
import type { BreakerState } from "../pools/breaker.ts";

// Per-minute and per-hour counters of a specialist's calls, per tenant (issue 19), and
// range queries over them at a chosen resolution. Pure: the Metrics object
// (durable-objects/metrics.ts) stores the buckets, GET /v1/metrics asks for ranges.

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/** Minute buckets are kept this long (48 hours). */
export const MINUTE_RETENTION_MS = 48 * HOUR_MS;
/** Hour buckets are kept this long (30 days). */
export const HOUR_RETENTION_MS = 30 * DAY_MS;
/** A range query answers at most this many points per series. */
export const MAX_POINTS = 2000;
/** The resolutions a range can be asked at, in ms: each a multiple of a minute. */
export const RESOLUTIONS = { "1m": MINUTE_MS, "5m": 5 * MINUTE_MS, "15m": 15 * MINUTE_MS, "1h": HOUR_MS, "1d": DAY_MS } as const;
export type Resolution = keyof typeof RESOLUTIONS;

/**
 * The counters of one specialist (for one tenant, or summed) over one interval that
 * starts at `start` (epoch ms, a multiple of the interval's length, so UTC-aligned).
 * Counted as the day counters are (metrics-model.ts `callOutcome`, `denialOf`):
 * `calls` are calls made, each `ok`, an error (by kind in `failures`), `refused` or
 * `cancelled`; `denied` are attempts refused before any call (by kind in `denials`:
 * `circuit_open`, `policy_denied`, pool limits…). Cost in USD, tokens as the
 * specialists reported them, latency of calls made in ms. `breaker`: the specialist's
 * circuit breaker state changes in the interval (worker/pools/breaker.ts), counted by
 * the state entered (`open`, `half-open`, `closed`), and the last one (absent in rows
 * stored before the field: read as none).
 */
export interface Bucket extends Pick<SpecialistDay, "calls" | "ok" | "errors" | "failures" | "refused" | "cancelled" | "denied" | "denials" | "costUsd" | "latency"> {
  start: number;
  inputTokens: number;
  outputTokens: number;
  breaker?: BreakerTally;
}

/** Breaker state changes by the state entered, and the latest (`at` epoch ms). */
export interface BreakerTally {
  changes: Record<string, number>;
  last: { at: number; to: BreakerState } | null;
}

/** A minute's counters of one specialist for one tenant (`""` when the spans carry none), as an isolate sends them. */
export interface BucketDelta extends Bucket {
  specialist: string;
  tenant: string;
}

export function emptyBucket(start: number): Bucket {
  return { start, calls: 0, ok: 0, errors: 0, failures: {}, refused: 0, cancelled: 0, denied: 0, denials: {}, costUsd: 0, inputTokens: 0, outputTokens: 0, latency: emptyHistogram() };
}

/** `ms` rounded down to a multiple of `step` (UTC-aligned: epoch multiples of a day are midnights). */
export const floorTo = (ms: number, step: number) => Math.floor(ms / step) * step;

const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);

/**
 * Minute deltas of the call and admission spans among `spans`, per specialist, by the
 * minute each span ended in, all for `tenant` (a hop's or task's).
 *
 * @example
 * bucketsFromSpans(trace.spans, "acme") // [{ specialist: "units", tenant: "acme", start: 1781524800000, calls: 1, ok: 1, … }]
 */
export function bucketsFromSpans(spans: readonly SpanRecord[], tenant = ""): BucketDelta[] {
  const out = new Map<string, BucketDelta>();
  for (const s of spans) {
    const specialist = s.attributes[ATTR.specialist];
    if (typeof specialist !== "string" || s.endMs === null) continue;
    const denial = denialOf(s);
    if (s.name !== SPAN.call && denial === undefined) continue;
    const start = floorTo(s.endMs, MINUTE_MS);
    const key = `${specialist}\u0000${start}`;
    let b = out.get(key);
    if (!b) out.set(key, (b = { specialist, tenant, ...emptyBucket(start) }));
    if (denial !== undefined) {
      b.denied += 1;
      bump(b.denials, denial);
      continue;
    }
    b.calls += 1;
    const outcome = callOutcome(s);
    if (outcome.kind === "error") {
      b.errors += 1;
      bump(b.failures, outcome.failure);
    } else b[outcome.kind] += 1;
    b.costUsd += num(s.attributes[ATTR.costUsd]);
    b.inputTokens += num(s.attributes[ATTR.inputTokens]);
    b.outputTokens += num(s.attributes[ATTR.outputTokens]);
    observe(b.latency, durationMs(s));
  }
  return [...out.values()];
}

/**
 * Minute deltas of a specialist's breaker state changes (tenant `""`: a breaker is the
 * specialist's, not a tenant's), as its pool reports them (`at` epoch ms, `to` the state entered).
 *
 * @example
 * bucketsFromBreakerChanges("units", [{ at: 1781524800500, to: "open" }]) // [{ specialist: "units", tenant: "", start: 1781524800000, breaker: { changes: { open: 1 }, last: { at: 1781524800500, to: "open" } }, calls: 0, … }]
 */
export function bucketsFromBreakerChanges(specialist: string, changes: readonly { at: number; to: BreakerState }[]): BucketDelta[] {
  const out = new Map<number, BucketDelta>();
  for (const c of changes) {
    const start = floorTo(c.at, MINUTE_MS);
    let b = out.get(start);
    if (!b) out.set(start, (b = { specialist, tenant: "", ...emptyBucket(start), breaker: { changes: {}, last: null } }));
    const tally = b.breaker!;
    bump(tally.changes, c.to);
    if (tally.last === null || c.at >= tally.last.at) tally.last = { at: c.at, to: c.to };
  }
  return [...out.values()];
}

function addBreaker(a: BreakerTally | undefined, b: BreakerTally | undefined): BreakerTally | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  const last = a.last === null ? b.last : b.last === null ? a.last : b.last.at >= a.last.at ? b.last : a.last;
  return { changes: addCounts(a.changes, b.changes), last };
}

/** `a + b`, keeping `a`'s start (neither is changed). */
export function addBuckets(a: Bucket, b: Bucket): Bucket {
  const sum: Bucket = {
    start: a.start,
    calls: a.calls + b.calls,
    ok: a.ok + b.ok,
    errors: a.errors + b.errors,
    failures: addCounts(a.failures, b.failures),
    refused: a.refused + b.refused,
    cancelled: a.cancelled + b.cancelled,
    denied: a.denied + b.denied,
    denials: addCounts(a.denials, b.denials),
    costUsd: a.costUsd + b.costUsd,
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    latency: merge(a.latency, b.latency),
  };
  const breaker = addBreaker(a.breaker, b.breaker);
  return breaker === undefined ? sum : { ...sum, breaker };
}

/**
 * Buckets merged into intervals of `stepMs` (a multiple of their own length): each
 * output starts at a multiple of `stepMs`, its counters the sum of the buckets in it
 * and its latency their merged histogram (so its quantiles are the interval's, not an
 * average of the buckets'). Sparse and sorted by start; buckets of equal start (other
 * tenants, other specialists) merge too.
 */
export function downsample(buckets: readonly Bucket[], stepMs: number): Bucket[] {
  const out = new Map<number, Bucket>();
  for (const b of buckets) {
    const start = floorTo(b.start, stepMs);
    out.set(start, addBuckets(out.get(start) ?? emptyBucket(start), b));
  }
  return [...out.values()].sort((x, y) => x.start - y.start);
}

/** Which stored buckets answer a resolution: minutes (below an hour) or hours, and how long those are kept. */
export function baseOf(stepMs: number): { stepMs: number; keepMs: number } {
  return stepMs < HOUR_MS ? { stepMs: MINUTE_MS, keepMs: MINUTE_RETENTION_MS } : { stepMs: HOUR_MS, keepMs: HOUR_RETENTION_MS };
}

/** The oldest bucket start of each stored resolution still kept at `now`: older ones are pruned. */
export function retentionCutoffs(now: number): { minute: number; hour: number } {
  return { minute: floorTo(now - MINUTE_RETENTION_MS, MINUTE_MS), hour: floorTo(now - HOUR_RETENTION_MS, HOUR_MS) };
}

/** A checked range: `[from, to)` aligned to `stepMs`, with `points` intervals; read from the `base` buckets. */
export interface Range {
  from: number;
  to: number;
  stepMs: number;
  points: number;
  base: { stepMs: number; keepMs: number };
}

/**
 * Checks a range query `[from, to)` (epoch ms) at `stepMs` as of `now`: `from` is
 * rounded down and `to` up to a multiple of `stepMs`. Refused (with which parameter
 * and why) when `from` is after `now`, `from` is not before `to`, the rounded `from` is
 * older than what that resolution keeps (48 h of minutes below 1h, 30 days of hours
 * from 1h: a first point would be partial), or there would be more than
 * {@link MAX_POINTS} points. A `to` after `now` is allowed (those points are zeros).
 *
 * @example
 * checkRange(now - 3_600_000, now, 60_000, now) // { ok: true, range: { points: 60 or 61, … } }
 */
export function checkRange(from: number, to: number, stepMs: number, now: number): { ok: true; range: Range } | { ok: false; param: "from" | "to" | "resolution"; detail: string } {
  if (from > now) return { ok: false, param: "from", detail: `from is in the future (now: ${new Date(now).toISOString()})` };
  if (!(from < to)) return { ok: false, param: "to", detail: "to must be after from" };
  const base = baseOf(stepMs);
  const oldest = floorTo(now - base.keepMs, base.stepMs);
  const a = floorTo(from, stepMs);
  if (a < oldest) {
    const kept = stepMs < HOUR_MS ? "minute buckets are kept 48 hours" : "hour buckets are kept 30 days";
    const first = Math.ceil(oldest / stepMs) * stepMs;
    return { ok: false, param: "from", detail: `from is beyond retention: ${kept} (oldest kept: ${new Date(oldest).toISOString()}; at this resolution from ${new Date(first).toISOString()} on)` };
  }
  const b = Math.ceil(to / stepMs) * stepMs;
  const points = (b - a) / stepMs;
  if (points > MAX_POINTS) return { ok: false, param: "resolution", detail: `${points} points at this resolution: at most ${MAX_POINTS}; ask for a coarser resolution or a shorter range` };
  return { ok: true, range: { from: a, to: b, stepMs, points, base } };
}

/** One point of a series: an interval's counters, with p50/p95 of its merged latency histogram (null with no calls). */
export interface SeriesPoint {
  /** The interval's start, ISO 8601. */
  t: string;
  requests: number;
  ok: number;
  errors: number;
  errorsByKind: Record<string, number>;
  refused: number;
  cancelled: number;
  denied: number;
  deniedByKind: Record<string, number>;
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  latencyMs: { p50: number | null; p95: number | null };
  /** The specialist's breaker state changes in the interval by the state entered, and the state after the last one (null: none in the interval). */
  breaker: { changes: Record<string, number>; state: BreakerState | null };
}

const r6 = (n: number) => Math.round(n * 1e6) / 1e6;

export function pointOf(b: Bucket): SeriesPoint {
  return {
    t: new Date(b.start).toISOString(),
    requests: b.calls,
    ok: b.ok,
    errors: b.errors,
    errorsByKind: b.failures,
    refused: b.refused,
    cancelled: b.cancelled,
    denied: b.denied,
    deniedByKind: b.denials,
    costUsd: r6(b.costUsd),
    inputTokens: b.inputTokens,
    outputTokens: b.outputTokens,
    latencyMs: { p50: quantile(b.latency, 0.5), p95: quantile(b.latency, 0.95) },
    breaker: { changes: b.breaker?.changes ?? {}, state: b.breaker?.last?.to ?? null },
  };
}

/**
 * The dense series of a range: one point per interval from `range.from` to `range.to`,
 * zeros (and null percentiles) where nothing was counted, so a chart plots the gaps.
 * `buckets` may be of any finer resolution and of several tenants or specialists.
 */
export function denseSeries(buckets: readonly Bucket[], range: Range): SeriesPoint[] {
  const byStart = new Map(downsample(buckets, range.stepMs).map((b) => [b.start, b]));
  const out: SeriesPoint[] = [];
  for (let t = range.from; t < range.to; t += range.stepMs) out.push(pointOf(byStart.get(t) ?? emptyBucket(t)));
  return out;
}

/** RFC 3339 as zod checks it: a full date, or a date and time with seconds and a zone; days and times that exist. */
const RFC3339 = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

/**
 * An instant given as epoch ms (digits) or RFC 3339 (ISO 8601's internet profile, checked
 * by zod): a date (`2026-06-15`, its UTC midnight) or a date and time with seconds and a
 * zone (`2026-06-15T12:00:00Z`, `2026-06-15T14:00:00.5+02:00`), in epoch ms; undefined for
 * anything else, a time without a zone (whose instant would depend on where it is read)
 * or a day or time that does not exist (`2026-02-30`, `24:00:00`).
 */
export function parseInstant(v: string): number | undefined {
  if (/^\d{1,15}$/.test(v)) return Number(v);
  return RFC3339.safeParse(v).success ? Date.parse(v) : undefined;
}
