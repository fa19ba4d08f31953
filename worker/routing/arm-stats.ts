/**
 * How one (intent label, specialist)'s {@link ArmStats} follow outcomes (issue 17): the
 * update rules the Metrics objects apply, pure, with the clock passed in. An arm counts
 * as a success each call answered and each verification passed, as a failure each call
 * that failed (error, timeout, bad answer) or was refused and each verification
 * failed; explicit feedback adds one outcome (good: success, bad: failure), and a
 * replaced feedback takes its earlier outcome back first ({@link withdrawn}), so a
 * target counts once whatever was said last. Cancelled calls and admissions denied
 * before any call (pool, breaker, policy) count for nothing.
 */
import type { IntentCounts } from "../observe/intent-counts.ts";
import { decayed, DEFAULT_SELECTION, recorded, type ArmStats, type SelectionSettings } from "./selection.ts";

/** The half-life and latency weight arms are kept with. */
export type ArmSettings = Pick<SelectionSettings, "halfLifeMs" | "latencyAlpha">;

/** {@link DEFAULT_SELECTION}'s: outcomes lose half their weight in an hour; a latency sample weighs 0.2. */
export const ARM_SETTINGS: ArmSettings = { halfLifeMs: DEFAULT_SELECTION.halfLifeMs, latencyAlpha: DEFAULT_SELECTION.latencyAlpha };

/**
 * `s` after a batch of counts for its label (one isolate's calls and verdicts since its
 * last send, at most `observability.metricsFlushMs` apart, all taken at `now`): each
 * call answered, failed or refused is one {@link recorded} outcome with the batch's
 * mean call latency as its sample, then each verdict one outcome without latency.
 * Undefined stays undefined for a batch with no outcome.
 *
 * @example
 * afterCalls(undefined, { ...emptyIntentCounts(), calls: 3, ok: 2, errors: 1, latencyMsSum: 30 }, now) // { successes: 2, failures: 1, latencyMs: 10, at: now }
 */
export function afterCalls(s: ArmStats | undefined, c: IntentCounts, now: number, o: ArmSettings = ARM_SETTINGS): ArmStats | undefined {
  const latencyMs = c.calls > 0 ? c.latencyMsSum / c.calls : undefined;
  let arm = s;
  for (let i = 0; i < c.ok; i++) arm = recorded(arm, { ok: true, latencyMs }, now, o);
  for (let i = 0; i < c.errors + c.refused; i++) arm = recorded(arm, { ok: false, latencyMs }, now, o);
  for (let i = 0; i < c.verifiedPass; i++) arm = recorded(arm, { ok: true }, now, o);
  for (let i = 0; i < c.verifiedFail; i++) arm = recorded(arm, { ok: false }, now, o);
  return arm;
}

/**
 * `s` as of `now` without one outcome of weight 1 recorded at `at`: its weight by now,
 * 2^(−(now − at) / halfLife), taken off the successes (`ok`) or the failures, never
 * below 0. Latency is left as it is.
 */
export function withdrawn(s: ArmStats, outcome: { ok: boolean; at: number }, now: number, o: ArmSettings = ARM_SETTINGS): ArmStats {
  const base = decayed(s, now, o.halfLifeMs);
  const weight = 2 ** (-Math.max(0, now - outcome.at) / o.halfLifeMs);
  return outcome.ok ? { ...base, successes: Math.max(0, base.successes - weight) } : { ...base, failures: Math.max(0, base.failures - weight) };
}

/**
 * The arms one target's feedback changes, by label: `next` (good: a success, bad: a
 * failure) recorded at `now` on its label's arm, after `previous` (the target's
 * earlier feedback, its label and when it was counted) is {@link withdrawn} from its
 * label's arm. The same label and outcome again changes nothing (a changed score or
 * comment is not another outcome); a target without a label changes no arm.
 *
 * @example
 * feedbackArms({ label: "book_flight", good: true, at: t0 }, { label: "book_flight", good: false }, (l) => arms[l], t1)
 * // { book_flight: { successes: s − 2^(−(t1 − t0)/halfLife), failures: f + 1, … } }
 */
export function feedbackArms(
  previous: { label: string | null; good: boolean; at: number } | undefined,
  next: { label: string | null; good: boolean },
  arm: (label: string) => ArmStats | undefined,
  now: number,
  o: ArmSettings = ARM_SETTINGS,
): Record<string, ArmStats> {
  if (previous && previous.label === next.label && previous.good === next.good) return {};
  const out: Record<string, ArmStats> = {};
  if (previous?.label) {
    const s = arm(previous.label);
    if (s) out[previous.label] = withdrawn(s, { ok: previous.good, at: previous.at }, now, o);
  }
  if (next.label) out[next.label] = recorded(out[next.label] ?? arm(next.label), { ok: next.good }, now, o);
  return out;
}

/** `s` as of `now` (its counts decayed), for reading. */
export function armNow(s: ArmStats, now: number, o: ArmSettings = ARM_SETTINGS): ArmStats {
  return decayed(s, now, o.halfLifeMs);
}
