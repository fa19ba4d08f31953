/**
 * The pool section of `npm run bench`: admissions per second of one RateLimitPool
 * object and of sharded pools, driven inside workerd by the pool driver Worker
 * (pool-driver.ts). Each run uses fresh objects (a unique name prefix), so no run
 * inherits another's recorded usage.
 */
import { BENCH_LIMITS } from "./build.ts";
import type { PoolPlan, PoolRun } from "./pool-driver.ts";
import type { TargetCheck } from "./report.ts";

/** Design goal: one pool object decides at least this many admissions per second. */
export const POOL_GOAL_PER_S = 2_000;

/** Bounded: at most `n` admissions and `maxMs` per run, 9 runs. */
export const POOL_PLANS: PoolPlan[] = [
  { label: "1 pool", shards: 1, concurrency: 1, n: 5_000 },
  { label: "1 pool", shards: 1, concurrency: 16, n: 10_000 },
  { label: "1 pool", shards: 1, concurrency: 64, n: 10_000 },
  { label: "1 pool, admit only (rpm only: no lease, no finish)", shards: 1, concurrency: 16, n: 10_000, finish: false, limits: { rpm: BENCH_LIMITS.rpm } },
  { label: "1 pool, no rpm (concurrency only)", shards: 1, concurrency: 16, n: 10_000, limits: { concurrency: BENCH_LIMITS.concurrency } },
  { label: "1 pool, after 50,000 prior admissions", shards: 1, concurrency: 16, n: 10_000, prefill: 50_000 },
  { label: "4 shards", shards: 4, concurrency: 16, n: 10_000 },
  { label: "4 shards", shards: 4, concurrency: 64, n: 20_000 },
  { label: "8 shards", shards: 8, concurrency: 64, n: 20_000 },
];

export interface PoolSection {
  goalPerSecond: number;
  limits: Record<string, number>;
  maxMs: number;
  runs: PoolRun[];
  failed?: string;
}

/** Runs the plans against the driver; one line per run through `log`. */
export async function runPools(driverUrl: string, o: { maxMs: number; isStopped: () => boolean; log: (s?: string) => void }): Promise<PoolSection> {
  const section: PoolSection = { goalPerSecond: POOL_GOAL_PER_S, limits: BENCH_LIMITS, maxMs: o.maxMs, runs: [] };
  const nonce = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  for (const [k, p] of POOL_PLANS.entries()) {
    if (o.isStopped()) break;
    const q = new URLSearchParams({
      n: String(p.n),
      concurrency: String(p.concurrency),
      shards: String(p.shards),
      finish: p.finish === false ? "0" : "1",
      maxMs: String(o.maxMs),
      prefix: `bench-pool:${nonce}:${k}`,
      limits: JSON.stringify(p.limits ?? BENCH_LIMITS),
      prefill: String(p.prefill ?? 0),
    });
    const started = performance.now();
    let res: Response;
    try {
      res = await fetch(`${driverUrl}/admit?${q}`, { method: "POST", signal: AbortSignal.timeout(o.maxMs + 30_000) });
    } catch (e) {
      section.failed = `pool driver: ${e}`;
      break;
    }
    const text = await res.text();
    if (res.status !== 200) {
      section.failed = `pool driver: HTTP ${res.status} ${text.slice(0, 400)}`;
      break;
    }
    const r = { label: p.label, ...(JSON.parse(text) as Omit<PoolRun, "label" | "wallMs">), wallMs: performance.now() - started };
    section.runs.push(r);
    const bad = r.denied + r.errors ? `  !! ${r.denied} denied, ${r.errors} errors: ${r.errorSamples.join(" | ")}` : "";
    o.log(
      `   ${r.label}, ${r.concurrency} in flight: ${r.admitted} admissions in ${r.elapsedMs.toFixed(0)} ms → ${fmt0(r.admissionsPerSecond)}/s, ${f2(lane(r))} ms per admission per lane${r.timedOut ? ` (stopped at ${o.maxMs} ms)` : ""}${bad}`,
    );
  }
  return section;
}

const f2 = (n: number | null | undefined) => (n === null || n === undefined || !Number.isFinite(n) ? "—" : n.toFixed(2));
const fmt0 = (n: number | null | undefined) => (n === null || n === undefined || !Number.isFinite(n) ? "—" : Math.round(n).toLocaleString("en-US"));

/** Admissions in the last quarter of the run's time ÷ in the first (below 1: each admission costs more as the pool's state grows). */
function drift(r: PoolRun): number | undefined {
  const [first, , , last] = r.quarters;
  return first && last !== undefined && r.elapsedMs >= 200 ? last / first : undefined;
}

/** Mean time of one admission (admit, then finish) in one lane: elapsed × in flight ÷ admissions. */
const lane = (r: PoolRun) => (r.admitted > 0 ? (r.elapsedMs * r.concurrency) / r.admitted : undefined);

export function poolTable(s: PoolSection): string {
  const head = ["pool", "in flight", "admissions", "ms", "admissions/s", "DO calls/s", "vs goal", "ms/admission/lane", "last¼ ÷ first¼", "status"];
  const rows = s.runs.map((r) => {
    const calls = r.admissionsPerSecond === null ? null : r.admissionsPerSecond * (r.finish ? 2 : 1);
    const d = drift(r);
    return [
      r.label,
      String(r.concurrency),
      fmt0(r.admitted),
      fmt0(r.elapsedMs),
      fmt0(r.admissionsPerSecond),
      fmt0(calls),
      r.admissionsPerSecond === null ? "—" : `${(r.admissionsPerSecond / s.goalPerSecond).toFixed(2)}×`,
      f2(lane(r)),
      d === undefined ? "—" : `${d.toFixed(2)}×`,
      r.denied + r.errors ? `!! ${r.denied} denied, ${r.errors} errors` : r.timedOut ? "time cap" : "ok",
    ];
  });
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (c: string[]) => c.map((x, i) => (i === 0 ? x.padEnd(w[i]!) : x.padStart(w[i]!))).join("  ");
  return [line(head), w.map((n) => "-".repeat(n)).join("  "), ...rows.map(line)].join("\n");
}

/** Goal: the best one-object run with leases and finish (what the hot path does) decides ≥ 2,000 admissions/s. */
export function poolTargets(s: PoolSection): TargetCheck[] {
  // the hot path's shape: leases + rpm (the bench limits), admit then finish, a fresh pool
  const one = s.runs.filter((r) => r.shards === 1 && r.finish && !r.prefilled.some(Boolean) && r.limits.rpm !== undefined && r.limits.concurrency !== undefined && r.denied + r.errors === 0);
  const aged = s.runs.find((r) => r.prefilled.some(Boolean));
  const best = one.reduce<PoolRun | undefined>((b, r) => ((r.admissionsPerSecond ?? 0) > (b?.admissionsPerSecond ?? -1) ? r : b), undefined);
  const sharded = s.runs.filter((r) => r.shards > 1 && r.denied + r.errors === 0).sort((a, b) => (b.admissionsPerSecond ?? 0) - (a.admissionsPerSecond ?? 0))[0];
  const v = best?.admissionsPerSecond ?? undefined;
  return [
    {
      name: `one fresh pool object decides admissions (admit + finish, best of ${one.length} runs${best ? `: ${best.concurrency} in flight` : ""})`,
      target: `≥ ${POOL_GOAL_PER_S.toLocaleString("en-US")} admissions/s`,
      measured:
        v === undefined
          ? "not measured"
          : `${fmt0(v)} admissions/s${aged ? `; after ${fmt0(aged.prefilled[0])} prior admissions ${fmt0(aged.admissionsPerSecond)}/s` : ""}${sharded ? `; sharded best ${fmt0(sharded.admissionsPerSecond)}/s (${sharded.label}, ${sharded.concurrency} in flight)` : ""}`,
      met: v === undefined ? undefined : v >= POOL_GOAL_PER_S,
    },
  ];
}
