/**
 * Which coordination strategy a step or hop runs under, and which specialists an
 * ensemble or hedge calls (issue 18; config/coordination.ts; docs/coordination.md).
 * Pure: no I/O.
 */
import type { CoordinationRule, Ensemble, Hedge } from "../config/coordination.ts";
import { globMatcher } from "../policy/glob.ts";

/** A strategy in force and where it came from, said in words for a decision's `reason` and a step's record. */
export type Strategy = { kind: "ensemble"; ensemble: Ensemble; reason: string } | { kind: "hedge"; hedge: Hedge; reason: string };

/** What a strategy is chosen on: the step's own setting (a step only), the intent labels the call is about, the task's workflow. */
export interface StrategyQuery {
  own?: { ensemble?: Ensemble | undefined; hedge?: Hedge | undefined } | undefined;
  intents: readonly string[];
  workflow?: string | null | undefined;
  /** The specialist the call was decided for (a step's chosen one, a hop's decided one). */
  specialist?: string | undefined;
  /** `"hop"`: only rules with `hops: true` apply. */
  door: "step" | "hop";
}

function describe(s: { ensemble?: Ensemble | undefined; hedge?: Hedge | undefined }): string {
  if (s.hedge) return `hedge after ${s.hedge.delayMs === "p95" ? "the p95 latency" : `${s.hedge.delayMs} ms`}`;
  const e = s.ensemble!;
  const n = e.specialists ? `of ${e.specialists.map((x) => `'${x}'`).join(", ")}` : `of ${e.size ?? 3}`;
  const agree = e.combine === "first" ? "" : e.minAgreement > 0 ? `, min agreement ${e.minAgreement}, else ${e.onDisagreement}` : "";
  return `ensemble ${n}, combine ${e.combine}${e.judge ? ` (judge '${e.judge}')` : ""}${agree}`;
}

/**
 * The strategy for a call: the step's own `ensemble`/`hedge`, else the first rule whose
 * `match` fits (an intent glob matching any of `intents`, a workflow equal to the
 * task's, a specialist glob matching `specialist`: every one given; for a hop, only
 * rules with `hops: true`), else none (a plain call).
 *
 * @example
 * strategyFor([{ match: { intent: "finance.*" }, ensemble: { combine: "vote", size: 3, … }, hops: false }], { intents: ["finance.fx"], door: "step" })
 * // { kind: "ensemble", …, reason: "coordination rule 0 (intent finance.*): ensemble of 3, combine vote" }
 */
export function strategyFor(rules: readonly CoordinationRule[], q: StrategyQuery): Strategy | undefined {
  const own = q.door === "step" ? q.own : undefined;
  if (own?.ensemble) return { kind: "ensemble", ensemble: own.ensemble, reason: `the step's own ${describe(own)}` };
  if (own?.hedge) return { kind: "hedge", hedge: own.hedge, reason: `the step's own ${describe(own)}` };
  for (const [i, r] of rules.entries()) {
    if (q.door === "hop" && !r.hops) continue;
    const byIntent = r.match.intent === undefined ? undefined : q.intents.find(globMatcher(r.match.intent));
    if (r.match.intent !== undefined && byIntent === undefined) continue;
    if (r.match.workflow !== undefined && r.match.workflow !== q.workflow) continue;
    if (r.match.specialist !== undefined && !(q.specialist !== undefined && globMatcher(r.match.specialist)(q.specialist))) continue;
    const on = [
      r.match.intent !== undefined ? `intent ${r.match.intent} matched '${byIntent}'` : "",
      r.match.workflow !== undefined ? `workflow ${r.match.workflow}` : "",
      r.match.specialist !== undefined ? `specialist ${r.match.specialist} matched '${q.specialist}'` : "",
    ]
      .filter(Boolean)
      .join(", ");
    const reason = `coordination rule ${i} (${on}): ${describe(r)}`;
    return r.ensemble ? { kind: "ensemble", ensemble: r.ensemble, reason } : { kind: "hedge", hedge: r.hedge!, reason };
  }
  return undefined;
}

/** A specialist as far as choosing candidates goes. */
export interface CandidateInfo {
  id: string;
  fallbacks: readonly string[];
}

/**
 * The specialists an ensemble calls: the named ones (in order, the router's catch-all
 * too if named), else the chosen specialist and then its fallbacks without `catchAll`
 * (the router's `fallback`, unless it is the chosen one): the first `size` (default 3)
 * that are registered. Fewer than two is not an ensemble: `ok: false` with why.
 *
 * @example
 * ensembleCandidates({ combine: "vote", size: 3, … }, a, registry) // { ok: true, ids: ["a", "b", "c"] } when a's fallbacks are b, c
 */
export function ensembleCandidates(
  e: Pick<Ensemble, "size" | "specialists">,
  chosen: CandidateInfo,
  registry: ReadonlyMap<string, CandidateInfo>,
  catchAll?: string,
): { ok: true; ids: string[] } | { ok: false; detail: string } {
  const pool = e.specialists ?? [chosen.id, ...chosen.fallbacks.filter((id) => id !== catchAll)];
  const want = e.specialists?.length ?? e.size ?? 3;
  const ids = [...new Set(pool)].filter((id) => registry.has(id)).slice(0, want);
  if (ids.length >= 2) return { ok: true, ids };
  const from = e.specialists ? "of the named specialists" : `of '${chosen.id}' and its fallbacks`;
  return { ok: false, detail: `an ensemble needs two specialists: only ${ids.length} ${from} can be called (${ids.join(", ") || "none"})` };
}

/** The specialist a hedge calls: the hedge's own, else the primary's first fallback; none when it is the primary itself or not registered. */
export function hedgeTarget(h: Hedge, primary: CandidateInfo, registry: ReadonlyMap<string, CandidateInfo>): string | undefined {
  const id = h.specialist ?? primary.fallbacks[0];
  return id !== undefined && id !== primary.id && registry.has(id) ? id : undefined;
}
