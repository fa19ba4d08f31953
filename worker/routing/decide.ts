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
}

/**
 * Picks the specialist for one hop: a pinned specialist if the caller named one,
 * else the intent's resolved specialist (the fallback when out of scope).
 *
 * @example
 * decide({ intent, registry, minConfidence: 0.35 })
 * // { ok: true, decision: { specialist: "units", reason: "intent 'units.convert' at 0.91 ≥ 0.35", alternatives: [...] } }
 */
export function decide({ pinned, intent, registry, minConfidence }: DecideInput): DecideResult {
  const alternatives = (chosen: string): Alternative[] =>
    (intent?.topK ?? [])
      .filter((c) => c.specialist !== chosen && c.specialist !== "" && registry.has(c.specialist))
      .map((c) => ({ specialist: c.specialist, label: c.label, confidence: c.confidence }));
  if (pinned !== undefined) {
    if (!registry.has(pinned)) return { ok: false, reason: "unknown_specialist", specialist: pinned };
    return { ok: true, decision: { specialist: pinned, reason: "pinned by the request", alternatives: alternatives(pinned) } };
  }
  if (intent === undefined) return { ok: false, reason: "no_specialist", detail: "neither an input, an intent nor a specialist was given" };
  if (!registry.has(intent.specialist))
    return { ok: false, reason: "no_specialist", detail: `intent resolves to '${intent.specialist}', which is not registered` };
  const conf = intent.confidence.toFixed(2);
  const reason = intent.inScope
    ? `intent '${intent.label}' at ${conf} ≥ ${minConfidence}`
    : `intent '${intent.label}' at ${conf} < ${minConfidence}: out of scope, fallback '${intent.specialist}'`;
  return { ok: true, decision: { specialist: intent.specialist, reason, alternatives: alternatives(intent.specialist) } };
}
