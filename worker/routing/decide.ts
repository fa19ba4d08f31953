import type { Specialist } from "../config/schema.ts";
import type { IntentRecord } from "../intent/record.ts";

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

export type DecideResult =
  | { ok: true; decision: Decision }
  | { ok: false; reason: "unknown_specialist"; specialist: string }
  | { ok: false; reason: "no_specialist"; detail: string };

export interface DecideInput {
  /** A specialist named by the caller: wins over the intent. */
  pinned?: string | undefined;
  intent?: IntentRecord | undefined;
  registry: ReadonlyMap<string, Specialist>;
  minConfidence: number;
  /** Candidates within this confidence of the best are equally capable; the cheapest goes first. */
  costMargin?: number;
}

/**
 * Picks the specialist for one hop: a pinned specialist if the caller named one,
 * else the intent's resolved specialist (the fallback when out of scope).
 *
 * @example
 * decide({ intent, registry, minConfidence: 0.35 })
 * // { ok: true, decision: { specialist: "units", reason: "intent 'units.convert' at 0.91 ≥ 0.35", alternatives: [...] } }
 */
export function decide({ pinned, intent, registry, minConfidence, costMargin = 0 }: DecideInput): DecideResult {
  const alternatives = (chosen: string): Alternative[] =>
    (intent?.topK ?? [])
      .filter((c) => c.specialist !== chosen && c.specialist !== "" && registry.has(c.specialist))
      .map((c) => ({ specialist: c.specialist, label: c.label, confidence: c.confidence }));
  if (pinned !== undefined) {
    if (!registry.has(pinned)) return { ok: false, reason: "unknown_specialist", specialist: pinned };
    return { ok: true, decision: { specialist: pinned, reason: "pinned by the request", alternatives: alternatives(pinned), candidates: [pinned] } };
  }
  if (intent === undefined) return { ok: false, reason: "no_specialist", detail: "neither an input, an intent nor a specialist was given" };
  if (!registry.has(intent.specialist))
    return { ok: false, reason: "no_specialist", detail: `intent resolves to '${intent.specialist}', which is not registered` };
  const conf = intent.confidence.toFixed(2);
  if (!intent.inScope) {
    const reason = `intent '${intent.label}' at ${conf} < ${minConfidence}: out of scope, fallback '${intent.specialist}'`;
    return { ok: true, decision: { specialist: intent.specialist, reason, alternatives: alternatives(intent.specialist), candidates: [intent.specialist] } };
  }
  const capable = capableSpecialists(intent, registry, minConfidence, costMargin);
  const first = capable[0]!;
  const best = `intent '${intent.label}' at ${conf} ≥ ${minConfidence}`;
  const reason =
    capable.length === 1 || first.id === intent.specialist
      ? capable.length === 1
        ? best
        : `${best}; cheapest of ${capable.length} capable within ${costMargin} ($${first.costPerCall}/call)`
      : `${best}; '${first.id}' is the cheapest of ${capable.length} capable within ${costMargin} ($${first.costPerCall}/call vs $${registry.get(intent.specialist)!.costPerCall})`;
  return { ok: true, decision: { specialist: first.id, reason, alternatives: alternatives(first.id), candidates: capable.map((s) => s.id) } };
}

/**
 * Specialists that can serve an in-scope intent: the best one and any other in the
 * top-k within `margin` of its confidence (and above `minConfidence`), cheapest
 * first, then most confident.
 */
export function capableSpecialists(intent: IntentRecord, registry: ReadonlyMap<string, Specialist>, minConfidence: number, margin: number): Specialist[] {
  const seen = new Map<string, { s: Specialist; confidence: number }>();
  seen.set(intent.specialist, { s: registry.get(intent.specialist)!, confidence: intent.confidence });
  for (const c of intent.topK) {
    const s = registry.get(c.specialist);
    if (!s || seen.has(s.id) || c.confidence < minConfidence || c.confidence < intent.confidence - margin) continue;
    seen.set(s.id, { s, confidence: c.confidence });
  }
  return [...seen.values()].sort((a, b) => a.s.costPerCall - b.s.costPerCall || b.confidence - a.confidence).map((x) => x.s);
}