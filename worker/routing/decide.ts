import type { Specialist } from "../config/schema.ts";
import { escalationReason } from "../intent/escalation.ts";
import type { IntentRecord } from "../intent/record.ts";
import { takesHops } from "./capabilities.ts";
import { choose, type ArmStats, type SelectionSettings } from "./selection.ts";

/** Another specialist that could have taken the hop, best first. */
export interface Alternative {
  specialist: string;
  label: string;
  confidence: number;
}

/** Which specialist takes a hop and why. */
export interface Decision {
  specialist: string;
  reason: string;
  alternatives: Alternative[];
  /** Specialists able to take the hop, in the order to try them (first = `specialist`). */
  candidates: string[];
}

/** Why a specialist cannot honour a request: the field (OpenAI's `param`) and a sentence. */
export interface Unable {
  param: string;
  detail: string;
}

export type DecideResult =
  | { ok: true; decision: Decision }
  | { ok: false; reason: "unknown_specialist"; specialist: string }
  | { ok: false; reason: "no_specialist"; detail: string }
  | { ok: false; reason: "unsupported"; param: string; detail: string };

export interface DecideInput {
  /** A specialist named by the caller: wins over the intent. */
  pinned?: string | undefined;
  intent?: IntentRecord | undefined;
  registry: ReadonlyMap<string, Specialist>;
  minConfidence: number;
  /**
   * Candidates whose confidence score is within this margin of the best's are equally
   * capable; the cheapest goes first. Every score is on the same scale (the
   * classifier's combined score, `Prediction.topK`).
   */
  costMargin?: number;
  /**
   * Why a specialist cannot honour this request (capabilities), or undefined when it
   * can. Candidates that cannot are filtered out before the confidence/cost choice.
   */
  unable?: ((s: Specialist) => Unable | undefined) | undefined;
  /** The router's fallback specialist (`router.fallback`), tried when no intent candidate is able. */
  fallback?: string | undefined;
  /**
   * Outcome-aware choice (`router.selection: "learned"`): among the capable
   * candidates and the intended specialist's able `fallbacks` (never the router's
   * `fallback`, unless it is the intended specialist), the one Thompson
   * sampling picks on their outcomes for the intent's label (selection.ts) goes first.
   * Absent: the cheapest capable candidate (static).
   */
  learned?: LearnedChoice | undefined;
}

/** What a learned choice needs: each candidate's outcomes for the label (by specialist id; none yet: its prior), the clock, a random source. */
export interface LearnedChoice {
  stats: ReadonlyMap<string, ArmStats>;
  now: number;
  rng: () => number;
  settings: SelectionSettings;
}

/**
 * Picks the specialist for one hop: a pinned specialist if the caller named one,
 * else the intent's resolved specialist (the fallback when out of scope). An LLM
 * router's pick (`intent.escalation`, intent/escalation.ts) is taken as it is, with no
 * cheaper candidate in its place; an escalation that kept the classifier's answer is
 * noted in the reason.
 *
 * @example
 * decide({ intent, registry, minConfidence: 0.35 })
 * // { ok: true, decision: { specialist: "units", reason: "intent 'units.convert' at 0.91 ≥ 0.35", alternatives: [...] } }
 */
export function decide({ pinned, intent, registry, minConfidence, costMargin = 0, unable, fallback, learned }: DecideInput): DecideResult {
  const alternatives = (chosen: string): Alternative[] =>
    (intent?.topK ?? [])
      .filter((c) => c.specialist !== chosen && c.specialist !== "" && registry.has(c.specialist))
      .map((c) => ({ specialist: c.specialist, label: c.label, confidence: c.confidence }));
  const ok = (specialist: string, reason: string, candidates: string[]): DecideResult => ({ ok: true, decision: { specialist, reason, alternatives: alternatives(specialist), candidates } });
  if (pinned !== undefined) {
    const s = registry.get(pinned);
    if (!s) return { ok: false, reason: "unknown_specialist", specialist: pinned };
    const why = unable?.(s);
    if (why) return { ok: false, reason: "unsupported", ...why };
    return ok(pinned, "pinned by the request", [pinned]);
  }
  const able = (s: Specialist) => !unable?.(s);
  if (intent === undefined) {
    if (!unable) return { ok: false, reason: "no_specialist", detail: "neither an input, an intent nor a specialist was given" };
    const list = ableInOrder([], registry, able, fallback);
    const [first] = list;
    if (!first) return unsupported(registry, unable, fallback);
    return ok(first.id, `no text to classify: routed by capability to '${first.id}'${list.length > 1 ? ` (cheapest of ${list.length} able)` : ""}`, list.map((s) => s.id));
  }
  const intended = registry.get(intent.specialist);
  if (!intended) return { ok: false, reason: "no_specialist", detail: `intent resolves to '${intent.specialist}', which is not registered` };
  const conf = intent.confidence.toFixed(2);
  const why = unable?.(intended);
  if (why) {
    // the intended specialist cannot honour the request: the intent's other candidates, the fallback, then anyone able
    const list = ableInOrder(intent.topK.map((c) => c.specialist), registry, able, fallback);
    const [first] = list;
    if (!first) return { ok: false, reason: "unsupported", param: why.param, detail: `no specialist can honour '${why.param}': ${why.detail}` };
    const reason = `intent '${intent.label}' at ${conf} → '${intended.id}', which cannot honour '${why.param}'; '${first.id}' can`;
    return ok(first.id, reason, list.map((s) => s.id));
  }
  // an LLM router's pick (or its "none", to the fallback) is the decision; any other escalation is a note on the classifier's
  const escalated = escalationReason(intent);
  if (escalated && "decided" in escalated) return ok(intent.specialist, escalated.decided, [intent.specialist]);
  const note = escalated ? `; ${escalated.note}` : "";
  if (!intent.inScope) {
    const reason = `intent '${intent.label}' at ${conf} < ${minConfidence}: out of scope, fallback '${intent.specialist}'${note}`;
    return ok(intent.specialist, reason, [intent.specialist]);
  }
  const capable = capableSpecialists(intent, registry, minConfidence, costMargin).filter(able);
  const best = `intent '${intent.label}' at ${conf} ≥ ${minConfidence}`;
  if (learned) {
    // the intended specialist's fallbacks are equivalent candidates too; the router's catch-all fallback is none (its polite "no match" would count as a success)
    const pool = [...capable, ...intended.fallbacks.map((id) => registry.get(id)).filter((s): s is Specialist => s !== undefined && takesHops(s) && able(s) && !capable.includes(s))].filter(
      (s) => s === intended || s.id !== fallback,
    );
    if (pool.length > 1) {
      const choice = choose(
        pool.map((s) => ({ id: s.id, stats: learned.stats.get(s.id), costUsd: s.costPerCall })),
        learned.now,
        learned.rng,
        learned.settings,
      );
      const chosen = pool.find((s) => s.id === choice.id)!;
      return ok(chosen.id, `${best}; ${choice.reason}${note}`, [chosen, ...pool.filter((s) => s !== chosen)].map((s) => s.id));
    }
  }
  // the intended specialist is registered and able (checked above), so it is capable: the list is never empty
  const first = capable[0] ?? intended;
  const reason =
    capable.length === 1 || first.id === intent.specialist
      ? capable.length === 1
        ? best
        : `${best}; cheapest of ${capable.length} capable within ${costMargin} ($${first.costPerCall}/call)`
      : `${best}; '${first.id}' is the cheapest of ${capable.length} capable within ${costMargin} ($${first.costPerCall}/call vs $${intended.costPerCall})`;
  return ok(first.id, `${reason}${note}`, capable.map((s) => s.id));
}

/**
 * Able specialists in the order to try them when the intent's own choice is not able:
 * `preferred` (the intent's top-k) in order, then the router's fallback, then every
 * other able specialist, cheapest first.
 */
function ableInOrder(preferred: readonly string[], registry: ReadonlyMap<string, Specialist>, able: (s: Specialist) => boolean, fallback: string | undefined): Specialist[] {
  const out: Specialist[] = [];
  const add = (s: Specialist | undefined) => {
    if (s && able(s) && !out.includes(s)) out.push(s);
  };
  preferred.forEach((id) => add(registry.get(id)));
  if (fallback !== undefined) add(registry.get(fallback));
  [...registry.values()].filter(takesHops).sort((a, b) => a.costPerCall - b.costPerCall).forEach(add);
  return out;
}

/** The refusal when nobody is able: names what the fallback (or else the first specialist) lacks. */
function unsupported(registry: ReadonlyMap<string, Specialist>, unable: (s: Specialist) => Unable | undefined, fallback: string | undefined): DecideResult {
  const probe = (fallback !== undefined ? registry.get(fallback) : undefined) ?? [...registry.values()].find(takesHops);
  const why = (probe && unable(probe)) ?? { param: "messages", detail: "no specialist can take this request" };
  return { ok: false, reason: "unsupported", param: why.param, detail: `no specialist can honour '${why.param}': ${why.detail}` };
}

/**
 * Specialists that can serve an in-scope intent: the best one and any other in the
 * top-k within `margin` of its confidence (and above `minConfidence`), cheapest
 * first, then most confident.
 */
export function capableSpecialists(intent: IntentRecord, registry: ReadonlyMap<string, Specialist>, minConfidence: number, margin: number): Specialist[] {
  const seen = new Map<string, { s: Specialist; confidence: number }>();
  const intended = registry.get(intent.specialist);
  if (intended) seen.set(intended.id, { s: intended, confidence: intent.confidence });
  for (const c of intent.topK) {
    const s = registry.get(c.specialist);
    if (!s || seen.has(s.id) || c.confidence < minConfidence || c.confidence < intent.confidence - margin) continue;
    seen.set(s.id, { s, confidence: c.confidence });
  }
  return [...seen.values()].sort((a, b) => a.s.costPerCall - b.s.costPerCall || b.confidence - a.confidence).map((x) => x.s);
}