/**
 * `node scripts/eval.ts --drift [--json]`: the drift simulation of outcome-aware choice
 * (issue 17, worker/routing/selection.ts). Two equivalent specialists fail 2 % of calls;
 * at request T one of them starts failing 30 %. Per seed, one request a time unit:
 * Thompson sampling picks, the outcome is drawn and recorded. Reported over the seeds:
 * how many requests after T until ≥ 90 % of the last 100 went to the healthy one, and
 * the regret against an oracle that knows the failure rates (the extra failures expected
 * from the picks), beside the static choice's (its order puts the failing one first).
 */
import { mulberry32 } from "../../worker/intent/hash.ts";
import { choose, DEFAULT_SELECTION, recorded, type ArmStats, type SelectionSettings } from "../../worker/routing/selection.ts";

export interface DriftRun {
  seed: number;
  /** Requests after T until ≥ 90 % of the last 100 went to the healthy specialist (null: not within the horizon). */
  movedAfter: number | null;
  /** Expected extra failures of the learned picks against the oracle's, over the whole run. */
  regret: number;
}

export interface DriftReport {
  T: number;
  horizon: number;
  halfLifeRequests: number;
  runs: DriftRun[];
  medianMovedAfter: number | null;
  meanRegret: number;
  /** The static choice always calls the first candidate: the one that starts failing. */
  staticRegret: number;
}

const BASE_FAIL = 0.02;
const DRIFT_FAIL = 0.3;

/** One seed's run: `T` requests before the drift, `horizon` in all. */
export function driftRun(seed: number, o: { T: number; horizon: number; selection: SelectionSettings }): DriftRun {
  const rng = mulberry32(seed);
  const stats = new Map<string, ArmStats>();
  const fail = (id: string, t: number) => (id === "flaky" && t >= o.T ? DRIFT_FAIL : BASE_FAIL);
  const last: string[] = [];
  let movedAfter: number | null = null;
  let regret = 0;
  for (let t = 0; t < o.horizon; t++) {
    const pick = choose([{ id: "flaky", stats: stats.get("flaky"), costUsd: 0 }, { id: "steady", stats: stats.get("steady"), costUsd: 0 }], t, rng, o.selection).id;
    regret += fail(pick, t) - Math.min(fail("flaky", t), fail("steady", t));
    stats.set(pick, recorded(stats.get(pick), { ok: rng() >= fail(pick, t) }, t, o.selection));
    if (t < o.T || movedAfter !== null) continue;
    last.push(pick);
    if (last.length > 100) last.shift();
    if (last.length === 100 && last.filter((p) => p === "steady").length >= 90) movedAfter = t - o.T;
  }
  return { seed, movedAfter, regret };
}

/** The drift simulation over `seeds` seeds (half-life in requests: one request a time unit). */
export function driftReport(o: { seeds?: number; T?: number; horizon?: number; halfLifeRequests?: number } = {}): DriftReport {
  const T = o.T ?? 500;
  const horizon = o.horizon ?? 3000;
  const halfLifeRequests = o.halfLifeRequests ?? 200;
  const selection = { ...DEFAULT_SELECTION, halfLifeMs: halfLifeRequests };
  const runs = Array.from({ length: o.seeds ?? 20 }, (_, i) => driftRun(i + 1, { T, horizon, selection }));
  const moved = runs.map((r) => r.movedAfter).filter((m): m is number => m !== null).sort((a, b) => a - b);
  return {
    T,
    horizon,
    halfLifeRequests,
    runs,
    medianMovedAfter: moved.length === runs.length ? moved[Math.floor(moved.length / 2)]! : null,
    meanRegret: runs.reduce((n, r) => n + r.regret, 0) / runs.length,
    staticRegret: (horizon - T) * (DRIFT_FAIL - BASE_FAIL),
  };
}

/** Prints the report (or its JSON). */
export function runDriftEval(o: { json: boolean }): void {
  const r = driftReport();
  if (o.json) return void console.log(JSON.stringify(r, null, 2));
  const moved = r.runs.map((x) => x.movedAfter);
  console.log(`Drift simulation (worker/routing/selection.ts, Thompson sampling, half-life ${r.halfLifeRequests} requests): two specialists failing ${BASE_FAIL * 100} %, one fails ${DRIFT_FAIL * 100} % from request ${r.T}; ${r.runs.length} seeds, ${r.horizon} requests each`);
  console.log(`  requests after the drift until ≥ 90 % of the last 100 go to the healthy one: median ${r.medianMovedAfter ?? "not reached by every seed"} (all: ${moved.join(", ")})`);
  console.log(`  regret (expected extra failures against an oracle): learned ${r.meanRegret.toFixed(1)} per run (before and after the drift), static ${r.staticRegret.toFixed(1)}`);
}
