/** Data loading, metrics and threshold choice for scripts/eval.ts (CLINC150 format). */
import { readFileSync } from "node:fs";
import type { IntentPrediction, IntentSource } from "../../worker/intent/model.ts";

/** Label of out-of-scope rows in CLINC files. */
export const OOS = "oos";
/** Specialist that receives the explicit out-of-scope class. */
export const FALLBACK_SPECIALIST = "fallback";

/** `[text, intent]` rows of a CLINC-format file. */
export type Row = [string, string];
/** CLINC-format JSON: `train`, `val`, `test`, `oos_train`, `oos_val`, `oos_test` (any subset). */
export type ClincFile = Partial<Record<"train" | "val" | "test" | "oos_train" | "oos_val" | "oos_test", Row[]>>;

/** Reads and shape-checks a CLINC-format JSON file. */
export function readClinc(path: string): ClincFile {
  const data = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  for (const [k, rows] of Object.entries(data)) {
    if (!Array.isArray(rows) || !rows.every((r) => Array.isArray(r) && typeof r[0] === "string" && typeof r[1] === "string"))
      throw new Error(`${path}: "${k}" is not a list of [text, intent] rows`);
  }
  return data as ClincFile;
}

/** Reads `domains.json` ({ domain: [intent, ...] }) into intent → domain. */
export function readDomains(path: string): Map<string, string> {
  const data = JSON.parse(readFileSync(path, "utf8")) as Record<string, string[]>;
  const map = new Map<string, string>();
  for (const [domain, intents] of Object.entries(data)) for (const i of intents) map.set(i, domain);
  return map;
}

/**
 * One source per intent; specialist = its domain when `domains` is given,
 * else the intent itself. `oosRows` become the ordinary label "oos" routed to
 * the fallback specialist (the explicit out-of-scope class).
 */
export function toSources(rows: readonly Row[], oosRows: readonly Row[], domains?: ReadonlyMap<string, string>): IntentSource[] {
  const byLabel = new Map<string, string[]>();
  for (const [text, label] of rows) {
    if (label === OOS) continue;
    let list = byLabel.get(label);
    if (!list) byLabel.set(label, (list = []));
    list.push(text);
  }
  const sources: IntentSource[] = [...byLabel].map(([label, examples]) => {
    const specialist = domains ? domains.get(label) : label;
    if (!specialist) throw new Error(`intent "${label}" has no domain`);
    return { specialist, label, examples };
  });
  if (oosRows.length > 0) sources.push({ specialist: FALLBACK_SPECIALIST, label: OOS, examples: oosRows.map((r) => r[0]) });
  return sources;
}

/** A prediction with its gold label. */
export interface Scored {
  gold: string;
  p: IntentPrediction;
}

/** Figures at one threshold (fractions in [0, 1]). */
export interface Metrics {
  threshold: number;
  inScopeAccuracy: number;
  oosRecall: number;
  oosPrecision: number;
  oosF1: number;
  /** In-scope rows routed (not rejected) to a label of the right domain; undefined without domains. */
  domainAccuracy?: number;
  /** Same, ignoring the threshold (the top label's domain). */
  domainAccuracyNoReject?: number;
}

/** True when the decision is "out of scope": the oos class or confidence below the threshold. */
export function isOos(p: IntentPrediction, threshold: number): boolean {
  return p.label === OOS || p.confidence < threshold;
}

/** Scores in-scope and out-of-scope predictions at `threshold`. */
export function metrics(inScope: readonly Scored[], oos: readonly Scored[], threshold: number, domains?: ReadonlyMap<string, string>): Metrics {
  const n = Math.max(1, inScope.length);
  const correct = inScope.filter((s) => !isOos(s.p, threshold) && s.p.label === s.gold).length;
  const flaggedOos = oos.filter((s) => isOos(s.p, threshold)).length;
  const flaggedIn = inScope.filter((s) => isOos(s.p, threshold)).length;
  const recall = flaggedOos / Math.max(1, oos.length);
  const precision = flaggedOos / Math.max(1, flaggedOos + flaggedIn);
  const m: Metrics = {
    threshold,
    inScopeAccuracy: correct / n,
    oosRecall: recall,
    oosPrecision: precision,
    oosF1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0,
  };
  if (domains) {
    const sameDomain = (s: Scored) => s.p.label !== OOS && domains.get(s.p.label) === domains.get(s.gold);
    m.domainAccuracy = inScope.filter((s) => sameDomain(s) && !isOos(s.p, threshold)).length / n;
    m.domainAccuracyNoReject = inScope.filter(sameDomain).length / n;
  }
  return m;
}

/**
 * Threshold rule: among 0.00, 0.01, …, 0.99, the one with the best
 * out-of-scope recall whose in-scope accuracy is at most `maxAccLoss`
 * (absolute, e.g. 0.003 = 0.3 pt) below the accuracy without threshold;
 * ties go to the lowest threshold.
 */
export function chooseThreshold(inScope: readonly Scored[], oos: readonly Scored[], maxAccLoss: number): number {
  const base = metrics(inScope, oos, 0).inScopeAccuracy;
  let best = 0;
  let bestRecall = -1;
  for (let i = 0; i < 100; i++) {
    const m = metrics(inScope, oos, i / 100);
    if (m.inScopeAccuracy >= base - maxAccLoss - 1e-12 && m.oosRecall > bestRecall) {
      best = i / 100;
      bestRecall = m.oosRecall;
    }
  }
  return best;
}

/** Deterministic synthetic inputs of about `chars` characters (sentences joined with "and"). */
export function syntheticInputs(texts: readonly string[], count: number, chars: number): string[] {
  const out: string[] = [];
  let i = 0;
  while (out.length < count && texts.length > 0) {
    let s = texts[i++ % texts.length]!;
    while (s.length < chars) s += " and " + texts[i++ % texts.length]!;
    out.push(s.slice(0, chars));
  }
  return out;
}
