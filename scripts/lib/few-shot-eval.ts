/**
 * `node scripts/eval.ts --few-shot [--seeds N] [--json]`: few-shot curves of the intent
 * layer (issue 17). For k = 5, 10, 20 examples per intent (the out-of-scope class
 * counted as one intent: k rows of `oos_train` too), drawn from CLINC150 train by seed
 * s, the model is fitted as clinc-eval.ts fits it (fit seed s) and scored on all of val
 * (3,000 in scope + 100 out of scope) at two thresholds: clinc-eval's rule (the lowest
 * threshold with the best out-of-scope recall costing at most 0.3 pt of in-scope
 * accuracy, chosen on val itself as there) and a fixed 0.45 (the bundled config's
 * `router.minConfidence`). The fit on all of train (fit seed 1) is the reference line:
 * the README's CLINC figure.
 */
import { mulberry32 } from "../../worker/intent/hash.ts";
import { chooseThreshold, metrics } from "./eval-data.ts";
import { fewShotSources, fitClinc, progress, scoreRows, spread, type ClincData } from "./few-shot-data.ts";
import { nextTurn, startProgress } from "./progress.ts";

/** Fixed threshold reported beside the rule's: the bundled config's router.minConfidence. */
export const FIXED_THRESHOLD = 0.45;
/** clinc-eval.ts's default --max-acc-loss. */
export const MAX_ACC_LOSS = 0.003;

/** One fit: k per intent (null: all of train) with sample and fit seed `seed`. */
export interface FewShotPoint {
  k: number | null;
  seed: number;
  trainRows: number;
  /** The rule's threshold, chosen on val. */
  threshold: number;
  inScopeAccuracy: number;
  oosRecall: number;
  /** The same at {@link FIXED_THRESHOLD}. */
  fixed: { inScopeAccuracy: number; oosRecall: number };
  fitMs: number;
}

/** Mean and range over seeds of one k. */
export interface FewShotSummary {
  k: number | null;
  seeds: number;
  inScopeAccuracy: { mean: number; min: number; max: number };
  oosRecall: { mean: number; min: number; max: number };
  threshold: { mean: number; min: number; max: number };
  fixed: { inScopeAccuracy: { mean: number; min: number; max: number }; oosRecall: { mean: number; min: number; max: number } };
}

export interface FewShotReport {
  ks: number[];
  seeds: number[];
  valRows: { inScope: number; oos: number };
  fixedThreshold: number;
  points: FewShotPoint[];
  summary: FewShotSummary[];
}

/** Fits and scores one point (k null: all of train). */
export async function fewShotPoint(data: ClincData, k: number | null, seed: number): Promise<FewShotPoint> {
  const start = performance.now();
  const sources = fewShotSources(data, k ?? undefined, mulberry32(seed));
  const model = await fitClinc(sources, seed);
  const fitMs = performance.now() - start;
  const valIn = await scoreRows(model, data.val);
  const valOos = await scoreRows(model, data.oosVal);
  const threshold = chooseThreshold(valIn, valOos, MAX_ACC_LOSS);
  const rule = metrics(valIn, valOos, threshold);
  const fixed = metrics(valIn, valOos, FIXED_THRESHOLD);
  return {
    k,
    seed,
    trainRows: sources.reduce((n, s) => n + s.examples.length, 0),
    threshold,
    inScopeAccuracy: rule.inScopeAccuracy,
    oosRecall: rule.oosRecall,
    fixed: { inScopeAccuracy: fixed.inScopeAccuracy, oosRecall: fixed.oosRecall },
    fitMs,
  };
}

/**
 * The curves: each k with seeds 1..`seeds`, then (unless `full: false`) the reference fit
 * on all of train; a progress line per fit to `log` (default: stderr).
 */
export async function fewShotReport(data: ClincData, o: { ks?: number[]; seeds?: number; full?: boolean; log?: (line: string) => void } = {}): Promise<FewShotReport> {
  const log = o.log ?? progress;
  const ks = o.ks ?? [5, 10, 20];
  const seeds = Array.from({ length: o.seeds ?? 5 }, (_, i) => i + 1);
  const points: FewShotPoint[] = [];
  for (const k of [...ks, ...(o.full === false ? [] : [null])]) {
    for (const seed of k === null ? [1] : seeds) {
      const p = await fewShotPoint(data, k, seed);
      log(`few-shot k=${k ?? "all"} seed ${seed}: in-scope ${(p.inScopeAccuracy * 100).toFixed(2)} %, oos recall ${(p.oosRecall * 100).toFixed(0)} % (fit ${(p.fitMs / 1000).toFixed(1)} s)`);
      points.push(p);
      await nextTurn(); // the fits are synchronous: let Ctrl-C in between them
    }
  }
  const summary = [...new Set(points.map((p) => p.k))].map((k): FewShotSummary => {
    const ps = points.filter((p) => p.k === k);
    return {
      k,
      seeds: ps.length,
      inScopeAccuracy: spread(ps.map((p) => p.inScopeAccuracy)),
      oosRecall: spread(ps.map((p) => p.oosRecall)),
      threshold: spread(ps.map((p) => p.threshold)),
      fixed: { inScopeAccuracy: spread(ps.map((p) => p.fixed.inScopeAccuracy)), oosRecall: spread(ps.map((p) => p.fixed.oosRecall)) },
    };
  });
  return { ks, seeds, valRows: { inScope: data.val.length, oos: data.oosVal.length }, fixedThreshold: FIXED_THRESHOLD, points, summary };
}

/** "92.83 % (92.63–93.07)": mean and range in percent. */
export function pctRange(s: { mean: number; min: number; max: number }, digits: number): string {
  const f = (x: number) => (x * 100).toFixed(digits);
  return s.min === s.max ? `${f(s.mean)} %` : `${f(s.mean)} % (${f(s.min)}–${f(s.max)})`;
}

/** Prints the report (or its JSON), a progress bar or line per fit on stderr; returns it. */
export async function runFewShotEval(data: ClincData, o: { json: boolean; seeds: number }): Promise<FewShotReport> {
  const ks = [5, 10, 20];
  const bar = startProgress("few-shot", ks.length * o.seeds + 1);
  const r = await fewShotReport(data, { ks, seeds: o.seeds, log: (line) => bar.tick(line) }).finally(() => bar.stop());
  if (o.json) return (console.log(JSON.stringify(r, null, 2)), r);
  console.log(`Few-shot curves (CLINC150, fit as --train/--test does; scored on val: ${r.valRows.inScope} in scope + ${r.valRows.oos} out of scope; k per intent and k of oos_train; seeds ${r.seeds.join(", ")}: sample and fit seed)`);
  const head = ["k / intent", "train rows", "in-scope acc (rule)", "oos recall (rule)", "threshold", `in-scope acc (${FIXED_THRESHOLD})`, `oos recall (${FIXED_THRESHOLD})`];
  const rows = r.summary.map((s) => [
    s.k === null ? "all (ref.)" : String(s.k),
    String(r.points.find((p) => p.k === s.k)!.trainRows),
    pctRange(s.inScopeAccuracy, 2),
    pctRange(s.oosRecall, 0),
    s.threshold.min === s.threshold.max ? s.threshold.mean.toFixed(2) : `${s.threshold.min.toFixed(2)}–${s.threshold.max.toFixed(2)}`,
    pctRange(s.fixed.inScopeAccuracy, 2),
    pctRange(s.fixed.oosRecall, 0),
  ]);
  printTable(head, rows);
  console.log(`rule: clinc-eval's (best oos recall on val costing ≤ ${MAX_ACC_LOSS * 100} pt of in-scope accuracy), chosen on val; mean (min–max) over seeds; the reference is one fit (seed 1)`);
  return r;
}

/** Prints a right-aligned text table. */
export function printTable(head: string[], rows: string[][]): void {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  console.log(head.map((h, i) => h.padStart(w[i]!)).join("  "));
  for (const r of rows) console.log(r.map((c, i) => c.padStart(w[i]!)).join("  "));
}
