/**
 * Reads per-specialist figures for the dashboard's overview (pure; no Workers
 * imports) from whichever sources the router has: `GET /v1/metrics` (admin)
 * and, without it, the specialists' pools (`GET /v1/pools/:name`).
 */

/** What the overview shows per specialist; every figure is optional. */
export interface SpecialistFigures {
  requests?: number;
  errorRate?: number;
  p50Ms?: number;
  p95Ms?: number;
  costTodayUsd?: number;
  breaker?: string;
  /** e.g. "3/20 leases · 41/600 rpm". */
  poolUsage?: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const num = (...vs: unknown[]): number | undefined => vs.find((v): v is number => typeof v === "number" && Number.isFinite(v));
const dig = (o: Obj, path: string): unknown => path.split(".").reduce<unknown>((v, k) => (isObj(v) ? v[k] : undefined), o);

/** "used/limit what" parts of a pool view's usage, for the parts the pool limits. */
export function poolUsage(pool: unknown): string | undefined {
  if (!isObj(pool)) return undefined;
  if (isObj(pool.requests) && "limit" in pool.requests) {
    // `GET /v1/metrics`: { requests: { used, limit }, leases: { active, limit }, budget: { spentUsd, limitUsd } }
    const parts: string[] = [];
    const part = (used: unknown, limit: unknown, what: string) => typeof limit === "number" && parts.push(`${num(used) ?? 0}/${limit} ${what}`);
    part(dig(pool, "leases.active"), dig(pool, "leases.limit"), "in flight");
    part(dig(pool, "requests.used"), dig(pool, "requests.limit"), "rpm");
    part(dig(pool, "budget.spentUsd"), dig(pool, "budget.limitUsd"), "USD today");
    return parts.length > 0 ? parts.join(" · ") : undefined;
  }
  const totals = isObj(pool.totals) ? pool.totals : pool;
  const first = Array.isArray(pool.shards) && isObj(pool.shards[0]) ? (pool.shards[0] as Obj) : pool;
  const limits = isObj(first.limits) ? first.limits : {};
  const shards = Array.isArray(pool.shards) ? pool.shards.length : 1;
  const parts: string[] = [];
  const part = (used: unknown, limit: unknown, what: string) => {
    if (typeof limit === "number") parts.push(`${num(used) ?? 0}/${limit * shards} ${what}`);
  };
  part(totals.activeLeases ?? dig(pool, "leases.active"), limits.concurrency, "in flight");
  part(totals.requestsUsed ?? dig(pool, "requests.used"), limits.rpm, "rpm");
  part(totals.spentUsd ?? dig(pool, "budget.spentUsd"), limits.dailyBudgetUsd, "USD today");
  return parts.length > 0 ? parts.join(" · ") : undefined;
}

/** Figures from a pool view (the fallback when there are no metrics). */
export function figuresFromPool(pool: unknown): SpecialistFigures {
  if (!isObj(pool)) return {};
  const breaker = dig(pool, "breaker.state");
  const spent = num(dig(pool, "totals.spentUsd"));
  const usage = poolUsage(pool);
  return { ...(typeof breaker === "string" ? { breaker } : {}), ...(spent !== undefined && spent > 0 ? { costTodayUsd: spent } : {}), ...(usage ? { poolUsage: usage } : {}) };
}

/**
 * Per-specialist figures from a metrics document, read tolerantly: `specialists`
 * as an array of objects with `id` (or `specialist`) or as a record by id; counts,
 * error rate, latency percentiles (flat or under `latency`/`latencyMs`), breaker
 * (a string or `{ state }`), pool usage (a pool view) and cost today.
 */
export function figuresFromMetrics(doc: unknown): Map<string, SpecialistFigures> {
  const out = new Map<string, SpecialistFigures>();
  if (!isObj(doc)) return out;
  const list = doc.specialists;
  const entries: [string, Obj][] = Array.isArray(list)
    ? list.filter(isObj).map((o) => [String(o.id ?? o.specialist ?? ""), o] as [string, Obj])
    : isObj(list)
      ? Object.entries(list).filter((e): e is [string, Obj] => isObj(e[1]))
      : [];
  for (const [id, m] of entries) {
    if (!id) continue;
    const f: SpecialistFigures = {};
    const requests = num(m.requests, m.count, m.calls, m.total, dig(m, "counts.total"), dig(m, "counts.requests"));
    const errors = num(m.errors, dig(m, "counts.errors"), dig(m, "counts.error"));
    const errorRate = num(m.errorRate, m.error_rate) ?? (requests && errors !== undefined ? errors / requests : undefined);
    const p50 = num(m.p50Ms, m.p50, dig(m, "latency.p50"), dig(m, "latencyMs.p50"), dig(m, "latency.p50Ms"));
    const p95 = num(m.p95Ms, m.p95, dig(m, "latency.p95"), dig(m, "latencyMs.p95"), dig(m, "latency.p95Ms"));
    const cost = num(m.costTodayUsd, m.costToday, m.costUsdToday, dig(m, "cost.todayUsd"), m.costUsd);
    const breaker = typeof m.breaker === "string" ? m.breaker : dig(m, "breaker.state");
    const usage = typeof m.pool === "string" ? m.pool : poolUsage(m.pool ?? m.poolUsage);
    if (requests !== undefined) f.requests = requests;
    if (errorRate !== undefined) f.errorRate = errorRate;
    if (p50 !== undefined) f.p50Ms = p50;
    if (p95 !== undefined) f.p95Ms = p95;
    if (cost !== undefined) f.costTodayUsd = cost;
    if (typeof breaker === "string") f.breaker = breaker;
    if (usage) f.poolUsage = usage;
    out.set(id, f);
  }
  return out;
}

/** One row of the overview's per-intent table: an (intent label, specialist) of `GET /v1/metrics`'s `intents`. */
export interface IntentFigures {
  label: string;
  specialist: string;
  requests: number;
  /** ok / requests. */
  successRate?: number;
  /** Verifiers' verdicts on its outputs for the label. */
  verified: { pass: number; fail: number };
  feedback: { good: number; bad: number };
  meanLatencyMs?: number;
  costUsd?: number;
}

/** The per-intent rows of a `GET /v1/metrics` document (`intents`), read tolerantly; rows without a label or specialist are skipped. */
export function intentRowsFromMetrics(doc: unknown): IntentFigures[] {
  if (!isObj(doc) || !Array.isArray(doc.intents)) return [];
  return doc.intents.filter(isObj).flatMap((r): IntentFigures[] => {
    if (typeof r.label !== "string" || typeof r.specialist !== "string") return [];
    const successRate = num(r.successRate);
    const meanLatencyMs = num(dig(r, "latencyMs.mean"));
    const costUsd = num(r.costUsd);
    return [
      {
        label: r.label,
        specialist: r.specialist,
        requests: num(r.requests) ?? 0,
        ...(successRate !== undefined ? { successRate } : {}),
        verified: { pass: num(dig(r, "verifications.pass")) ?? 0, fail: num(dig(r, "verifications.fail")) ?? 0 },
        feedback: { good: num(dig(r, "feedback.good")) ?? 0, bad: num(dig(r, "feedback.bad")) ?? 0 },
        ...(meanLatencyMs !== undefined ? { meanLatencyMs } : {}),
        ...(costUsd !== undefined ? { costUsd } : {}),
      },
    ];
  });
}

/** A pool limit's use: what is limited (`rpm`, `in flight`, `USD today`), how much is used and the limit. */
export interface PoolGauge {
  specialist: string;
  what: string;
  used: number;
  limit: number;
}

/** The pool gauges of a `GET /v1/metrics` document: per specialist, each limit its pool has (`requests`, `leases`, `budget`). */
export function poolGauges(doc: unknown): PoolGauge[] {
  if (!isObj(doc) || !Array.isArray(doc.specialists)) return [];
  return doc.specialists.filter(isObj).flatMap((s) => {
    const id = String(s.id ?? s.specialist ?? "");
    if (!id || !isObj(s.pool)) return [];
    const gauges: PoolGauge[] = [];
    const add = (used: unknown, limit: unknown, what: string) => {
      const l = num(limit);
      if (l !== undefined && l > 0) gauges.push({ specialist: id, what, used: num(used) ?? 0, limit: l });
    };
    add(dig(s.pool, "requests.used"), dig(s.pool, "requests.limit"), "rpm");
    add(dig(s.pool, "leases.active"), dig(s.pool, "leases.limit"), "in flight");
    add(dig(s.pool, "budget.spentUsd"), dig(s.pool, "budget.limitUsd"), "USD today");
    return gauges;
  });
}

/** Requests per intent label today (summed over specialists), most first: the routing mix. */
export function intentMix(rows: readonly IntentFigures[]): { label: string; requests: number }[] {
  const by = new Map<string, number>();
  for (const r of rows) by.set(r.label, (by.get(r.label) ?? 0) + r.requests);
  return [...by].map(([label, requests]) => ({ label, requests })).filter((r) => r.requests > 0).sort((a, b) => b.requests - a.requests || (a.label < b.label ? -1 : 1));
}

/** Corrected routes: how often feedback moved an input routed as `routed` (label → specialist) to `corrected` (`GET /v1/feedback?outcome=bad`'s records with a `correctLabel`). */
export interface Corrections {
  routed: string[];
  corrected: string[];
  count(routed: string, corrected: string): number;
  total: number;
}

/**
 * The corrections of a `GET /v1/feedback` answer, by (routed, corrected label); records
 * without both labels are left out. "Routed" is the classifier's label and the
 * specialist the hop went to (`units.convert → general`): the label alone would hide a
 * hop sent to the fallback below `minConfidence`, whose label may be the right one.
 */
export function correctionsFromFeedback(doc: unknown): Corrections {
  const counts = new Map<string, number>();
  const routed = new Set<string>();
  const corrected = new Set<string>();
  let total = 0;
  const list = isObj(doc) && Array.isArray(doc.feedback) ? doc.feedback.filter(isObj) : [];
  for (const f of list) {
    if (typeof f.label !== "string" || typeof f.correctLabel !== "string") continue;
    const row = typeof f.specialist === "string" ? `${f.label} → ${f.specialist}` : f.label;
    routed.add(row);
    corrected.add(f.correctLabel);
    const k = `${row}\u0000${f.correctLabel}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
    total++;
  }
  return { routed: [...routed].sort(), corrected: [...corrected].sort(), count: (r, c) => counts.get(`${r}\u0000${c}`) ?? 0, total };
}

/** Lines of the overview's time charts from a `GET /v1/metrics?from=…&resolution=…` document: per specialist, requests, error rate and p95 latency over time. */
export interface TimeCharts {
  from: number;
  to: number;
  requests: { name: string; points: { t: number; v: number | null }[] }[];
  errorRate: { name: string; points: { t: number; v: number | null }[] }[];
  p50: { name: string; points: { t: number; v: number | null }[] }[];
  p95: { name: string; points: { t: number; v: number | null }[] }[];
}

const epoch = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : typeof v === "string" && !Number.isNaN(Date.parse(v)) ? Date.parse(v) : undefined);

/**
 * The series of a range document (`GET /v1/metrics?from=…`), read tolerantly:
 * `series[]` of `{ specialist | tenant, points: [{ t, … }] }`, `from` and `to` (epoch
 * ms or ISO), each point read by `read`; series whose `weight` sums to 0 are left out,
 * the heaviest first, at most `max` of them.
 */
function rangeSeries<P extends { t: number }>(doc: unknown, read: (p: Obj, t: number) => P, weight: (p: P) => number, max: number): { from: number; to: number; lines: { name: string; points: P[] }[] } | undefined {
  if (!isObj(doc) || !Array.isArray(doc.series)) return undefined;
  const from = epoch(doc.from);
  const to = epoch(doc.to);
  if (from === undefined || to === undefined) return undefined;
  const lines = doc.series.filter(isObj).flatMap((s) => {
    const name = String(s.specialist ?? s.tenant ?? "");
    const points = (Array.isArray(s.points) ? s.points : []).filter(isObj).flatMap((p) => {
      const t = epoch(p.t);
      return t === undefined ? [] : [read(p, t)];
    });
    const total = points.reduce((n, p) => n + weight(p), 0);
    return name && total > 0 ? [{ name, points, total }] : [];
  });
  lines.sort((a, b) => b.total - a.total || (a.name < b.name ? -1 : 1));
  return { from, to, lines: lines.slice(0, max).map(({ name, points }) => ({ name, points })) };
}

/**
 * Requests, error rate (%) and p50 and p95 latency (ms) per specialist from a range
 * document (`points: [{ t, requests, errors, latencyMs: { p50, p95 } }]`). A point without requests
 * has no error rate and no latency (a gap, not a zero); series with no request at all
 * are left out, the busiest first, at most `max` of them.
 */
export function timeCharts(doc: unknown, max = 7): TimeCharts | undefined {
  const r = rangeSeries(doc, (p, t) => ({ t, requests: num(p.requests) ?? 0, errors: num(p.errors) ?? 0, p50: num(dig(p, "latencyMs.p50")), p95: num(dig(p, "latencyMs.p95")) }), (p) => p.requests, max);
  if (!r) return undefined;
  type Point = { t: number; requests: number; errors: number; p50: number | undefined; p95: number | undefined };
  const lines: { name: string; points: Point[] }[] = r.lines;
  const line = (f: (p: Point) => number | null) => lines.map((l) => ({ name: l.name, points: l.points.map((p) => ({ t: p.t, v: f(p) })) }));
  return {
    from: r.from,
    to: r.to,
    requests: line((p) => p.requests),
    errorRate: line((p) => (p.requests > 0 ? Math.round((p.errors / p.requests) * 1000) / 10 : null)),
    p50: line((p) => (p.requests > 0 && p.p50 !== undefined ? p.p50 : null)),
    p95: line((p) => (p.requests > 0 && p.p95 !== undefined ? p.p95 : null)),
  };
}

/** Cost (USD) per interval per specialist from a range document (e.g. 1d points over two weeks), the costliest `max` first; specialists that cost nothing left out. */
export function costLines(doc: unknown, max = 7): { from: number; to: number; lines: { name: string; points: { t: number; v: number | null }[] }[] } | undefined {
  return rangeSeries(doc, (p, t) => ({ t, v: num(p.costUsd) ?? 0 }), (p) => p.v, max);
}

/** Today's confidence histogram over every specialist of a `GET /v1/metrics` document (`specialists[].confidence`, 10 bins of 0.1); undefined when none was counted. */
export function confidenceHistogram(doc: unknown): { label: string; value: number }[] | undefined {
  if (!isObj(doc) || !Array.isArray(doc.specialists)) return undefined;
  const bins = new Array<number>(10).fill(0);
  for (const s of doc.specialists.filter(isObj)) if (Array.isArray(s.confidence)) s.confidence.forEach((n, i) => i < 10 && (bins[i]! += num(n) ?? 0));
  if (bins.every((n) => n === 0)) return undefined;
  return bins.map((value, i) => ({ label: `${(i / 10).toFixed(1)}–${i === 9 ? "1.0" : ((i + 1) / 10).toFixed(1)}`, value }));
}

/** A breaker's state changes in one interval of a range document. */
export interface BreakerRow {
  t: number;
  specialist: string;
  /** e.g. "open 1 · half-open 1 · closed 1" (by the state entered). */
  changes: string;
  /** The state the interval's last change entered. */
  state: string;
}

const BREAKER_ORDER = ["open", "half-open", "closed"];

/**
 * The intervals in which a specialist's circuit breaker changed state, from a range
 * document (`series[].points[].breaker: { changes, state }`), newest first, at most `max`.
 */
export function breakerChanges(doc: unknown, max = 20): BreakerRow[] {
  if (!isObj(doc) || !Array.isArray(doc.series)) return [];
  const rows = doc.series.filter(isObj).flatMap((s) =>
    (Array.isArray(s.points) ? s.points : []).filter(isObj).flatMap((p): BreakerRow[] => {
      const t = epoch(p.t);
      const b = p.breaker;
      if (t === undefined || !isObj(b) || !isObj(b.changes) || typeof b.state !== "string" || typeof s.specialist !== "string") return [];
      const counts = Object.entries(b.changes).filter((e): e is [string, number] => (num(e[1]) ?? 0) > 0);
      if (counts.length === 0) return [];
      counts.sort(([a], [c]) => BREAKER_ORDER.indexOf(a) - BREAKER_ORDER.indexOf(c));
      return [{ t, specialist: s.specialist, changes: counts.map(([k, n]) => `${k} ${n}`).join(" · "), state: b.state }];
    }),
  );
  return rows.sort((a, b) => b.t - a.t || (a.specialist < b.specialist ? -1 : 1)).slice(0, max);
}
