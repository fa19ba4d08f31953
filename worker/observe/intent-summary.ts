import { emptyIntentCounts, type IntentCounts, type VerdictCounts } from "./intent-counts.ts";

/** Explicit feedback counted from stored feedback records (each target once: its latest version). */
export interface FeedbackCounts {
  good: number;
  bad: number;
  /** Of those, the ones with a `score`, and the sum of their scores (each in [0, 1]). */
  scored: number;
  scoreSum: number;
}

/** A specialist's feedback of a day: in all, and per intent label (targets without a label count in `total` only). */
export interface FeedbackTally {
  total: FeedbackCounts;
  byLabel: Record<string, FeedbackCounts>;
}

/** Feedback as `GET /v1/metrics` shows it. */
export interface FeedbackSummary {
  good: number;
  bad: number;
  scored: number;
  /** Mean of the scores given (null with none). */
  meanScore: number | null;
}

/** One intent label's figures for one specialist and day, as `GET /v1/metrics` shows them. */
export interface IntentSummary {
  label: string;
  requests: number;
  ok: number;
  errors: number;
  refused: number;
  cancelled: number;
  /** ok / requests (null with no requests). */
  successRate: number | null;
  verifications: VerdictCounts;
  /** pass / (pass + fail) (null with no verdict). */
  verifiedRate: number | null;
  feedback: FeedbackSummary;
  /** Mean latency of its calls, ms (null with no calls). */
  latencyMs: { mean: number | null };
  costUsd: number;
}

export function emptyFeedbackCounts(): FeedbackCounts {
  return { good: 0, bad: 0, scored: 0, scoreSum: 0 };
}

const r6 = (n: number) => Math.round(n * 1e6) / 1e6;
const ratio = (a: number, b: number) => (b === 0 ? null : r6(a / b));

export function feedbackSummary(c: FeedbackCounts | undefined): FeedbackSummary {
  const f = c ?? emptyFeedbackCounts();
  return { good: f.good, bad: f.bad, scored: f.scored, meanScore: ratio(f.scoreSum, f.scored) };
}

/** One summary per label that had calls, verdicts or feedback, in label order. */
export function intentSummaries(intents: Record<string, IntentCounts>, feedback: Record<string, FeedbackCounts>): IntentSummary[] {
  const labels = [...new Set([...Object.keys(intents), ...Object.keys(feedback)])].sort();
  return labels.map((label) => {
    const c = intents[label] ?? emptyIntentCounts();
    return {
      label,
      requests: c.calls,
      ok: c.ok,
      errors: c.errors,
      refused: c.refused,
      cancelled: c.cancelled,
      successRate: ratio(c.ok, c.calls),
      verifications: { pass: c.verifiedPass, fail: c.verifiedFail },
      verifiedRate: ratio(c.verifiedPass, c.verifiedPass + c.verifiedFail),
      feedback: feedbackSummary(feedback[label]),
      latencyMs: { mean: c.calls === 0 ? null : Math.round((c.latencyMsSum / c.calls) * 1000) / 1000 },
      costUsd: r6(c.costUsd),
    };
  });
}
