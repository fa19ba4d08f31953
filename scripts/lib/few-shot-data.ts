/**
 * CLINC150 train/val for the learning evaluations (issue 17: few-shot curves, the
 * correction and escalation simulations): loading, seeded k-per-intent samples, and
 * the fit of clinc-eval.ts (the router's buildIntentModel with the BuiltinEncoder,
 * each intent's domain as its specialist and classifier group, `oos_train` as the
 * explicit out-of-scope class "oos" of the fallback). Reads `train`, `oos_train`,
 * `val` and `oos_val` only: never a `test` split.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { BuiltinEncoder } from "../../worker/intent/builtin-encoder.ts";
import { buildIntentModel, type IntentModel, type IntentSource } from "../../worker/intent/model.ts";
import { isOos, OOS, readClinc, readDomains, toSources, type Row, type Scored } from "./eval-data.ts";

/** The shared datasets folder next to the repository (README: "Licence and data"). */
export const CLINC_DIR = join(import.meta.dirname, "../../../shared/datasets/clinc150");

/** CLINC150's train and val splits and its domains (intent → domain, the specialist). */
export interface ClincData {
  train: Row[];
  oosTrain: Row[];
  val: Row[];
  oosVal: Row[];
  domains: Map<string, string>;
}

/**
 * Reads `train_val.json` and `domains.json` (default: {@link CLINC_DIR}). A `test`
 * split in the file is ignored. Throws with the path when a file is missing.
 */
export function loadClinc(file = join(CLINC_DIR, "train_val.json"), domainsFile = join(CLINC_DIR, "domains.json")): ClincData {
  for (const f of [file, domainsFile]) if (!existsSync(f)) throw new Error(`${f}: not found (CLINC150 is expected in ../shared/datasets/clinc150; --train FILE --domains FILE to use another copy)`);
  const c = readClinc(file);
  return { train: c.train ?? [], oosTrain: c.oos_train ?? [], val: c.val ?? [], oosVal: c.oos_val ?? [], domains: readDomains(domainsFile) };
}

/**
 * `k` rows of each label (all of a label's rows when it has fewer), drawn without
 * replacement by `rng` (a partial Fisher–Yates shuffle per label); labels in order of
 * first appearance, rows of a label in drawn order. Deterministic for a seeded `rng`.
 */
export function sampleK(rows: readonly Row[], k: number, rng: () => number): Row[] {
  const byLabel = new Map<string, Row[]>();
  for (const r of rows) {
    let list = byLabel.get(r[1]);
    if (!list) byLabel.set(r[1], (list = []));
    list.push(r);
  }
  const out: Row[] = [];
  for (const list of byLabel.values()) {
    const a = [...list];
    const n = Math.min(k, a.length);
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(rng() * (a.length - i));
      [a[i], a[j]] = [a[j]!, a[i]!];
      out.push(a[i]!);
    }
  }
  return out;
}

/** Seeded in-place Fisher–Yates shuffle of a copy of `rows`. */
export function shuffled<T>(rows: readonly T[], rng: () => number): T[] {
  const a = [...rows];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/**
 * The sources of a fit on `k` examples per intent (undefined: all of train), the
 * out-of-scope class counted as one intent: `k` rows of `oos_train` too.
 */
export function fewShotSources(data: ClincData, k: number | undefined, rng: () => number): IntentSource[] {
  const train = k === undefined ? data.train : sampleK(data.train, k, rng);
  const oos = k === undefined ? data.oosTrain : sampleK(data.oosTrain, k, rng);
  return toSources(train, oos, data.domains);
}

/**
 * Fits as clinc-eval.ts does with its defaults and --domains: the BuiltinEncoder,
 * each label's specialist as its classifier group, the default training options,
 * fit seed `seed` (clinc-eval's --seed).
 */
export async function fitClinc(sources: readonly IntentSource[], seed: number): Promise<IntentModel> {
  const groups = new Map(sources.map((s) => [s.label, s.specialist] as const));
  return buildIntentModel(sources, new BuiltinEncoder(), { groups, seed });
}

/** Classifies each row (top 3, as clinc-eval.ts) and keeps its gold label. */
export async function scoreRows(model: IntentModel, rows: readonly Row[]): Promise<Scored[]> {
  const out: Scored[] = [];
  for (const [text, gold] of rows) out.push({ gold, p: await model.classify(text, 3) });
  return out;
}

/** The routing decision at `threshold`: the top label, or "oos" when rejected or predicted out of scope. */
export function decided(s: Scored, threshold: number): string {
  return isOos(s.p, threshold) ? OOS : s.p.label;
}

/** Mean, min and max of a non-empty list. */
export function spread(xs: readonly number[]): { mean: number; min: number; max: number } {
  return { mean: xs.reduce((a, x) => a + x, 0) / xs.length, min: Math.min(...xs), max: Math.max(...xs) };
}

/** Progress line on stderr (stdout keeps the report, or its JSON). */
export function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}
