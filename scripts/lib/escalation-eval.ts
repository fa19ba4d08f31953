/**
 * `node scripts/eval.ts --escalation [--json]`: the threshold trade-off of escalating
 * low-confidence classifications to an LLM router (issue 17, item 4), on CLINC150 val
 * (3,000 in scope + 100 out of scope). Two models, fitted as clinc-eval.ts fits them
 * (fit seed 1): k = 10 examples per intent (sample seed 1, as `--few-shot`'s) and all
 * of train. Each model's own `minConfidence` is clinc-eval's threshold rule on val.
 *
 * The rule ({@link routeWithEscalation}): a classification with confidence below the
 * escalation threshold t goes to the LLM router, whose pick is final (a label, or "oos"
 * for the fallback); at or above t the classifier decides as the router does today
 * (out of scope below minConfidence). The LLM router is a fake: right with probability
 * q, else a label drawn uniformly from the other 150 (149 intents and "oos"); each
 * row's draws are seeded and shared by every t and q (so higher q is right wherever a
 * lower q was). Its errors are independent of how hard the input is: a real model
 * errs more on the inputs the classifier found hard, so these figures are optimistic
 * for a given q.
 *
 * Cost: each call's prompt is estimated as the specialists (CLINC's domains) with their
 * intent labels, a fixed instruction and the query, at 4 characters a token, and 20
 * output tokens for the strict-JSON answer; priced at Workers AI's list prices (see
 * {@link PRICES}).
 */
import { mulberry32 } from "../../worker/intent/hash.ts";
import { chooseThreshold, OOS, type Scored } from "./eval-data.ts";
import { fewShotSources, fitClinc, progress, scoreRows, type ClincData } from "./few-shot-data.ts";
import { nextTurn, startProgress } from "./progress.ts";
import { printTable } from "./few-shot-eval.ts";

/**
 * Workers AI list prices in USD per million tokens (developers.cloudflare.com/workers-ai/
 * platform/pricing, "LLM model pricing", as read 2026-11-30; billed as $0.011 per 1,000 neurons).
 */
export const PRICES = {
  "@cf/meta/llama-3.3-70b-instruct-fp8-fast": { input: 0.293, output: 2.253 },
  "@cf/meta/llama-3.1-8b-instruct-fp8-fast": { input: 0.045, output: 0.384 },
} as const;
const MODELS = Object.keys(PRICES) as (keyof typeof PRICES)[];
/** Output tokens of one strict-JSON pick ({"specialist": "...", "label": "..."}). */
export const OUTPUT_TOKENS = 20;
/** The LLM router's fixed instruction, for the prompt-size estimate. */
const INSTRUCTION =
  'You route a user request to one specialist. Each specialist lists the intents it serves. Answer with JSON only: {"specialist": "<id>", "label": "<intent>"}; if no intent fits, {"specialist": "fallback", "label": "oos"}.\nSpecialists:\n';

/** Escalation settings: escalate below `escalateBelow`; else out of scope below `minConfidence`. */
export interface EscalationSettings {
  escalateBelow: number;
  minConfidence: number;
}

/** One routed decision: a label ("oos": the fallback) and whether the LLM router made it. */
export interface Routed {
  label: string;
  escalated: boolean;
}

/**
 * The escalation rule on one classification: confidence below `escalateBelow` asks the
 * LLM router, whose pick is final; an LLM failure or timeout (undefined) keeps the
 * classifier's decision. Otherwise (or then) the classifier's decision: "oos" when its
 * label is "oos" or its confidence is below `minConfidence`, else its label.
 *
 * @example
 * routeWithEscalation({ label: "balance", confidence: 0.3 }, { escalateBelow: 0.5, minConfidence: 0.2 }, () => "transfer")
 * // { label: "transfer", escalated: true }
 */
export function routeWithEscalation(p: { label: string; confidence: number }, s: EscalationSettings, askLlm: () => string | undefined): Routed {
  if (p.confidence < s.escalateBelow) {
    const pick = askLlm();
    if (pick !== undefined) return { label: pick, escalated: true };
  }
  return { label: p.label === OOS || p.confidence < s.minConfidence ? OOS : p.label, escalated: false };
}

/**
 * The fake LLM router's answer for a row with gold label `gold`, from the row's two
 * uniform draws: right when `u < q`, else `labels[⌊v·(n−1)⌋]` among the labels other than `gold`.
 */
export function fakeLlmPick(gold: string, labels: readonly string[], q: number, u: number, v: number): string {
  if (u < q) return gold;
  const others = labels.filter((l) => l !== gold);
  return others[Math.min(others.length - 1, Math.floor(v * others.length))]!;
}

/** Estimated prompt tokens of one escalation: instruction, specialists with their labels, the query. */
export function promptTokens(labelToSpecialist: ReadonlyMap<string, string>, query: string): number {
  const bySpecialist = new Map<string, string[]>();
  for (const [label, specialist] of labelToSpecialist) bySpecialist.set(specialist, [...(bySpecialist.get(specialist) ?? []), label]);
  const list = [...bySpecialist].map(([s, labels]) => `- ${s}: ${labels.join(", ")}\n`).join("");
  return Math.ceil((INSTRUCTION.length + list.length + "Request: ".length + query.length) / 4);
}

/** USD of one call with `inputTokens` prompt tokens and {@link OUTPUT_TOKENS} out. */
export function callUsd(model: keyof typeof PRICES, inputTokens: number): number {
  return (inputTokens * PRICES[model].input + OUTPUT_TOKENS * PRICES[model].output) / 1e6;
}

/** One row of the sweep. */
export interface SweepPoint {
  q: number;
  escalateBelow: number;
  inScopeAccuracy: number;
  oosRecall: number;
  /** All rows, in scope and out of scope: decision = gold label ("oos" for out of scope). */
  accuracy: number;
  escalatedShare: number;
  /** USD per million requests (all of them, escalated or not), by model of {@link PRICES}. */
  usdPerMillion: Record<keyof typeof PRICES, number>;
}

/**
 * Sweeps `thresholds` × `qs` over scored rows (gold "oos" = out of scope). `texts[i]` is
 * row i's query (for its prompt size); `labels` the labels the LLM may pick; `seed`
 * draws each row's (u, v) once for every threshold and q.
 */
export function sweep(o: { scored: readonly Scored[]; texts: readonly string[]; labelToSpecialist: ReadonlyMap<string, string>; minConfidence: number; thresholds: readonly number[]; qs: readonly number[]; seed: number }): SweepPoint[] {
  const rng = mulberry32(o.seed);
  const draws = o.scored.map(() => [rng(), rng()] as const);
  const labels = [...o.labelToSpecialist.keys()];
  const tokens = o.texts.map((t) => promptTokens(o.labelToSpecialist, t));
  const out: SweepPoint[] = [];
  for (const q of o.qs) {
    for (const t of o.thresholds) {
      let right = 0;
      let inRight = 0;
      let oosRight = 0;
      let escalated = 0;
      const usd = Object.fromEntries(MODELS.map((m) => [m, 0])) as Record<keyof typeof PRICES, number>;
      o.scored.forEach((s, i) => {
        const [u, v] = draws[i]!;
        const r = routeWithEscalation(s.p, { escalateBelow: t, minConfidence: o.minConfidence }, () => fakeLlmPick(s.gold, labels, q, u, v));
        if (r.escalated) {
          escalated++;
          for (const m of MODELS) usd[m] += callUsd(m, tokens[i]!);
        }
        if (r.label !== s.gold) return;
        right++;
        if (s.gold === OOS) oosRight++;
        else inRight++;
      });
      const n = o.scored.length;
      const nOos = o.scored.filter((s) => s.gold === OOS).length;
      out.push({
        q,
        escalateBelow: t,
        inScopeAccuracy: inRight / Math.max(1, n - nOos),
        oosRecall: oosRight / Math.max(1, nOos),
        accuracy: right / Math.max(1, n),
        escalatedShare: escalated / Math.max(1, n),
        usdPerMillion: Object.fromEntries(MODELS.map((m) => [m, (usd[m] / Math.max(1, n)) * 1e6])) as Record<keyof typeof PRICES, number>,
      });
    }
  }
  return out;
}

export interface EscalationReport {
  thresholds: number[];
  qs: number[];
  models: { name: string; minConfidence: number; meanPromptTokens: number; points: SweepPoint[] }[];
}

/** Thresholds and qs of the report. */
export const THRESHOLDS = [0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];
export const QS = [0.8, 0.9, 0.95];

/** The sweep for k = 10 (seed 1) and (unless `full: false`) all of train; a progress line per model to `log` (default: stderr). */
export async function escalationReport(data: ClincData, o: { full?: boolean; thresholds?: number[]; qs?: number[]; log?: (line: string) => void } = {}): Promise<EscalationReport> {
  const thresholds = o.thresholds ?? THRESHOLDS;
  const qs = o.qs ?? QS;
  const rows = [...data.val, ...data.oosVal];
  const models: EscalationReport["models"] = [];
  for (const k of o.full === false ? [10] : [10, undefined]) {
    const name = k === undefined ? "all of train" : `k=${k} per intent`;
    const model = await fitClinc(fewShotSources(data, k, mulberry32(1)), 1);
    const scored = await scoreRows(model, rows);
    const minConfidence = chooseThreshold(
      scored.filter((s) => s.gold !== OOS),
      scored.filter((s) => s.gold === OOS),
      0.003,
    );
    const texts = rows.map((r) => r[0]);
    const meanPromptTokens = texts.reduce((a, t) => a + promptTokens(model.labelToSpecialist, t), 0) / texts.length;
    const points = sweep({ scored, texts, labelToSpecialist: model.labelToSpecialist, minConfidence, thresholds, qs, seed: 1 });
    (o.log ?? progress)(`escalation ${name}: minConfidence ${minConfidence.toFixed(2)}, ~${meanPromptTokens.toFixed(0)} prompt tokens a call`);
    models.push({ name, minConfidence, meanPromptTokens, points });
    await nextTurn(); // the fits are synchronous: let Ctrl-C in between them
  }
  return { thresholds, qs, models };
}

/** Prints the report (or its JSON). */
export async function runEscalationEval(data: ClincData, o: { json: boolean }): Promise<EscalationReport> {
  const bar = startProgress("escalation", 2);
  const r = await escalationReport(data, { log: (line) => bar.tick(line) }).finally(() => bar.stop());
  if (o.json) return (console.log(JSON.stringify(r, null, 2)), r);
  const [big, small] = MODELS;
  const pct = (x: number, d: number) => `${(x * 100).toFixed(d)} %`;
  for (const m of r.models) {
    console.log(
      `\nEscalation, model fitted on ${m.name} (CLINC150 val, 3,100 rows; minConfidence ${m.minConfidence.toFixed(2)} by clinc-eval's rule; ~${m.meanPromptTokens.toFixed(0)} prompt + ${OUTPUT_TOKENS} output tokens a call: $${callUsd(big!, m.meanPromptTokens).toFixed(6)} on ${big}, $${callUsd(small!, m.meanPromptTokens).toFixed(6)} on ${small})`,
    );
    printTable(
      ["q", "escalate below", "escalated", "accuracy (all)", "in-scope acc", "oos recall", "$ / 1M req (70B)", "$ / 1M req (8B)"],
      m.points.map((p) => [p.q.toFixed(2), p.escalateBelow.toFixed(2), pct(p.escalatedShare, 1), pct(p.accuracy, 2), pct(p.inScopeAccuracy, 2), pct(p.oosRecall, 0), p.usdPerMillion[big!].toFixed(2), p.usdPerMillion[small!].toFixed(2)]),
    );
  }
  console.log("\nescalate below 0: never (the classifier alone); the fake LLM router is right with probability q, independent of the input (optimistic)");
  return r;
}
