/**
 * The day counters a specialist gets besides its calls (metrics-model.ts
 * `SpecialistDay`): hedges and ensembles decided for it (issue 18), and the intent
 * classifier's confidence for what was routed to it. Pure: spans in, counters out.
 */
import { ATTR, SPAN } from "./attributes.ts";
import type { SpecialistDay } from "./metrics-model.ts";
import type { SpanRecord } from "./span.ts";

/**
 * A day's coordinated calls decided for one specialist: hedges (`hedged`: the extra
 * call was started; `hedgeWins`: it answered first; `budgetDenied`: the tenant's hedge
 * budget refused it) and ensembles (`disagreements`: ended without an accepted answer:
 * held for a human, or failed).
 */
export interface CoordinationCounts {
  hedges: number;
  hedged: number;
  hedgeWins: number;
  budgetDenied: number;
  ensembles: number;
  disagreements: number;
}

const COORDINATION_KEYS = ["hedges", "hedged", "hedgeWins", "budgetDenied", "ensembles", "disagreements"] as const;

/** `a + b` of coordination counters (a new object). */
export function addCoordination(a: CoordinationCounts | undefined, b: CoordinationCounts | undefined): CoordinationCounts {
  const out: CoordinationCounts = { hedges: 0, hedged: 0, hedgeWins: 0, budgetDenied: 0, ensembles: 0, disagreements: 0 };
  for (const c of [a, b]) for (const k of COORDINATION_KEYS) out[k] += c?.[k] ?? 0;
  return out;
}

/** Counts one hedge or ensemble span into its decided specialist's day. */
export function countCoordination(d: SpecialistDay, s: SpanRecord): void {
  const c = (d.coordination ??= addCoordination(undefined, undefined));
  if (s.name === SPAN.hedge) {
    c.hedges += 1;
    if (s.attributes[ATTR.hedged] === true) c.hedged += 1;
    if (s.attributes[ATTR.hedged] === true && s.attributes[ATTR.hedgeWinner] === s.attributes[ATTR.hedgeWith]) c.hedgeWins += 1;
    if (s.attributes[ATTR.hedgeBudgetDenied] === true) c.budgetDenied += 1;
  } else {
    c.ensembles += 1;
    if (s.attributes[ATTR.ensembleDecision] !== "accepted") c.disagreements += 1;
  }
}

/** Bins of a day's confidence histogram: [0, 0.1), [0.1, 0.2), …, [0.9, 1.0]. */
export const CONFIDENCE_BINS = 10;

/** The bin of a confidence in [0, 1] (values outside are clamped). */
export const confidenceBin = (c: number): number => Math.min(CONFIDENCE_BINS - 1, Math.max(0, Math.floor(c * CONFIDENCE_BINS)));

/**
 * Counts the confidence of a call routed by intent into the day of the specialist it
 * was routed to: an `intent` span with a confidence, attributed to its own specialist (a
 * task step's) or the hop's `decide` span's.
 */
export function countConfidence(spans: readonly SpanRecord[], dayOf: (ms: number, specialist: string) => SpecialistDay): void {
  const decided = spans.find((s) => s.name === SPAN.decide && typeof s.attributes[ATTR.specialist] === "string")?.attributes[ATTR.specialist];
  for (const s of spans) {
    const c = s.attributes[ATTR.intentConfidence];
    if (s.name !== SPAN.intent || typeof c !== "number" || !Number.isFinite(c) || s.endMs === null) continue;
    const specialist = s.attributes[ATTR.specialist] ?? decided;
    if (typeof specialist !== "string") continue;
    const d = dayOf(s.endMs, specialist);
    (d.confidence ??= new Array<number>(CONFIDENCE_BINS).fill(0))[confidenceBin(c)]! += 1;
  }
}

/** `a + b` of two confidence histograms (a new array; a missing one counts as zeros). */
export function addConfidence(a: readonly number[] | undefined, b: readonly number[] | undefined): number[] {
  return Array.from({ length: CONFIDENCE_BINS }, (_, i) => (a?.[i] ?? 0) + (b?.[i] ?? 0));
}
