/**
 * `node scripts/eval.ts --corrections [--seeds N] [--refit-every N] [--json]`: the
 * correction simulation of online learning (issue 17, item 2). Per seed s:
 *
 * - start: the few-shot fit of k = 10 examples per intent (and 10 of `oos_train`),
 *   sample and fit seed s: the same model as `--few-shot`'s k = 10, seed s;
 * - val (in scope and out of scope together) shuffled by seed s and cut in two
 *   disjoint halves: the stream (half 1) and the held-out half (half 2);
 * - the threshold: clinc-eval's rule on half 1 with the start model, then fixed (a
 *   router's `minConfidence` does not move when it refits);
 * - half 1 arrives in order; each misrouted query (decision ≠ its gold label, where
 *   a rejection or the oos label counts as "oos") is corrected with probability p: its
 *   text becomes one more example of its gold label's source (an out-of-scope query
 *   one of "oos", the fallback's), as the router's learned examples are; after every
 *   `refitEvery` corrections the model is refitted on all sources (a batch refit off
 *   the request path, as the router does), and once more at the end of the stream;
 * - reported: in-scope accuracy and out-of-scope recall on half 2 before and after,
 *   corrections used and refits.
 *
 * The draw deciding whether the i-th query of the stream gets its correction is the
 * same for every p (common random numbers), so the p's differ only by p.
 */
import type { IntentModel, IntentSource } from "../../worker/intent/model.ts";
import { mulberry32 } from "../../worker/intent/hash.ts";
import { chooseThreshold, metrics, OOS, type Row, type Scored } from "./eval-data.ts";
import { decided, fewShotSources, fitClinc, progress, scoreRows, shuffled, spread, type ClincData } from "./few-shot-data.ts";
import { pctRange, printTable } from "./few-shot-eval.ts";
import { nextTurn, startProgress } from "./progress.ts";

/** In-scope accuracy and out-of-scope recall at the run's threshold. */
export interface Accuracy {
  inScopeAccuracy: number;
  oosRecall: number;
}

/** One stream of corrections at probability `p`. */
export interface CorrectionOutcome {
  p: number;
  /** Misrouted queries of the stream, as they arrived (each judged by the model of that moment). */
  misrouted: number;
  /** Corrections applied (each one a new training example). */
  corrections: number;
  refits: number;
  after: Accuracy;
}

type Range = ReturnType<typeof spread>;
type Spread<T> = { [K in keyof T]: Range };

/** A seed's runs: the start model's figures and one outcome per p. */
export interface CorrectionRun {
  seed: number;
  threshold: number;
  startRows: number;
  streamRows: number;
  heldOutRows: number;
  before: Accuracy;
  outcomes: CorrectionOutcome[];
}

export interface CorrectionReport {
  startK: number;
  refitEvery: number;
  ps: number[];
  runs: CorrectionRun[];
  /** Per p over the seeds: mean, min and max of each figure. */
  summary: { p: number; before: Spread<Accuracy>; after: Spread<Accuracy>; corrections: Range; refits: Range }[];
}

/** Fits a model from sources (the simulation's refit: clinc-eval's fit with the run's seed). */
export type Fit = (sources: readonly IntentSource[]) => Promise<IntentModel>;

function accuracy(scored: readonly Scored[], threshold: number): Accuracy {
  const m = metrics(
    scored.filter((s) => s.gold !== OOS),
    scored.filter((s) => s.gold === OOS),
    threshold,
  );
  return { inScopeAccuracy: m.inScopeAccuracy, oosRecall: m.oosRecall };
}

/**
 * One stream: `stream` arrives in order through the current model; the i-th query, if
 * misrouted at `threshold`, is corrected when `draws[i] < p`; refit after every
 * `refitEvery` corrections and at the end if any are pending. Returns the outcome on
 * `heldOut`. `sources` is not modified. Throws if a gold label has no source.
 */
export async function simulateCorrections(o: {
  sources: readonly IntentSource[];
  start: IntentModel;
  stream: readonly Row[];
  heldOut: readonly Row[];
  threshold: number;
  p: number;
  refitEvery: number;
  draws: readonly number[];
  fit: Fit;
}): Promise<CorrectionOutcome> {
  const sources = o.sources.map((s) => ({ ...s, examples: [...s.examples] }));
  const byLabel = new Map(sources.map((s) => [s.label, s] as const));
  let model = o.start;
  let misrouted = 0;
  let corrections = 0;
  let pending = 0;
  let refits = 0;
  for (const [i, [text, gold]] of o.stream.entries()) {
    const [s] = await scoreRows(model, [[text, gold]]);
    if (decided(s!, o.threshold) === gold) continue;
    misrouted++;
    if (!(o.draws[i]! < o.p)) continue;
    const source = byLabel.get(gold);
    if (!source) throw new Error(`correction to "${gold}": no source has that label`);
    source.examples.push(text);
    corrections++;
    if (++pending >= o.refitEvery) {
      model = await o.fit(sources);
      refits++;
      pending = 0;
    }
  }
  if (pending > 0) {
    model = await o.fit(sources);
    refits++;
  }
  return { p: o.p, misrouted, corrections, refits, after: accuracy(await scoreRows(model, o.heldOut), o.threshold) };
}

/** A seed's start model, split, threshold, and one stream per p. */
export async function correctionRun(data: ClincData, o: { seed: number; ps: number[]; startK: number; refitEvery: number; log?: (line: string) => void }): Promise<CorrectionRun> {
  const fit: Fit = (sources) => fitClinc(sources, o.seed);
  const sources = fewShotSources(data, o.startK, mulberry32(o.seed));
  const start = await fit(sources);
  const all = shuffled([...data.val, ...data.oosVal], mulberry32(1000 + o.seed));
  const stream = all.slice(0, Math.ceil(all.length / 2));
  const heldOut = all.slice(stream.length);
  const streamScored = await scoreRows(start, stream);
  const threshold = chooseThreshold(
    streamScored.filter((s) => s.gold !== OOS),
    streamScored.filter((s) => s.gold === OOS),
    0.003,
  );
  const before = accuracy(await scoreRows(start, heldOut), threshold);
  const drawRng = mulberry32(2000 + o.seed);
  const draws = stream.map(() => drawRng());
  const outcomes: CorrectionOutcome[] = [];
  for (const p of o.ps) {
    const out = await simulateCorrections({ sources, start, stream, heldOut, threshold, p, refitEvery: o.refitEvery, draws, fit });
    (o.log ?? progress)(`corrections seed ${o.seed} p=${p}: ${out.corrections} corrections, ${out.refits} refits; in-scope ${(before.inScopeAccuracy * 100).toFixed(2)} → ${(out.after.inScopeAccuracy * 100).toFixed(2)} %, oos recall ${(before.oosRecall * 100).toFixed(0)} → ${(out.after.oosRecall * 100).toFixed(0)} %`);
    outcomes.push(out);
    await nextTurn(); // the refits are synchronous: let Ctrl-C in between the streams
  }
  const startRows = sources.reduce((n, s) => n + s.examples.length, 0);
  return { seed: o.seed, threshold, startRows, streamRows: stream.length, heldOutRows: heldOut.length, before, outcomes };
}

/**
 * The simulation over seeds 1..`seeds` (defaults: k = 10, refit every 50 corrections,
 * p = 0.1, 0.5, 1.0); a progress line per stream to `log` (default: stderr).
 */
export async function correctionReport(
  data: ClincData,
  o: { seeds?: number; startK?: number; refitEvery?: number; ps?: number[]; log?: (line: string) => void } = {},
): Promise<CorrectionReport> {
  const startK = o.startK ?? 10;
  const refitEvery = o.refitEvery ?? 50;
  const ps = o.ps ?? [0.1, 0.5, 1];
  const runs: CorrectionRun[] = [];
  for (let seed = 1; seed <= (o.seeds ?? 5); seed++) runs.push(await correctionRun(data, { seed, ps, startK, refitEvery, ...(o.log ? { log: o.log } : {}) }));
  const summary = ps.map((p, i) => ({
    p,
    before: { inScopeAccuracy: spread(runs.map((r) => r.before.inScopeAccuracy)), oosRecall: spread(runs.map((r) => r.before.oosRecall)) },
    after: { inScopeAccuracy: spread(runs.map((r) => r.outcomes[i]!.after.inScopeAccuracy)), oosRecall: spread(runs.map((r) => r.outcomes[i]!.after.oosRecall)) },
    corrections: spread(runs.map((r) => r.outcomes[i]!.corrections)),
    refits: spread(runs.map((r) => r.outcomes[i]!.refits)),
  }));
  return { startK, refitEvery, ps, runs, summary };
}

function spreadText(xs: number[]): string {
  const { min, max } = spread(xs);
  return min === max ? min.toFixed(2) : `${min.toFixed(2)}–${max.toFixed(2)}`;
}

/** Prints the report (or its JSON), a progress bar or line per stream on stderr; returns it. */
export async function runCorrectionEval(data: ClincData, o: { json: boolean; seeds: number; refitEvery: number }): Promise<CorrectionReport> {
  const ps = [0.1, 0.5, 1];
  const bar = startProgress("corrections", o.seeds * ps.length);
  const r = await correctionReport(data, { seeds: o.seeds, refitEvery: o.refitEvery, ps, log: (line) => bar.tick(line) }).finally(() => bar.stop());
  if (o.json) return (console.log(JSON.stringify(r, null, 2)), r);
  const run = r.runs[0]!;
  console.log(
    `Correction simulation (CLINC150 val: ${run.streamRows} arriving, ${run.heldOutRows} held out; start: k=${r.startK} per intent (${run.startRows} rows); refit every ${r.refitEvery} corrections and at the end; threshold by clinc-eval's rule on the arriving half, then fixed: ${spreadText(r.runs.map((x) => x.threshold))}; seeds 1–${r.runs.length})`,
  );
  const range = (s: Range) => (s.min === s.max ? s.mean.toFixed(0) : `${s.mean.toFixed(0)} (${s.min}–${s.max})`);
  printTable(
    ["p", "corrections", "refits", "in-scope acc before", "in-scope acc after", "oos recall before", "oos recall after"],
    r.summary.map((s) => [
      s.p.toFixed(1),
      range(s.corrections),
      range(s.refits),
      pctRange(s.before.inScopeAccuracy, 2),
      pctRange(s.after.inScopeAccuracy, 2),
      pctRange(s.before.oosRecall, 0),
      pctRange(s.after.oosRecall, 0),
    ]),
  );
  console.log("on the held-out half; mean (min–max) over seeds; before is the same for every p");
  return r;
}
