/**
 * Outcome-aware choice among capable candidates (issue 17, `router.selection:
 * "learned"`): per intent label, each specialist's outcomes as discounted counts, and a
 * choice by Thompson sampling (Russo et al., "A Tutorial on Thompson Sampling", 2018,
 * §3: Beta–Bernoulli): every candidate's success rate is drawn from its Beta
 * posterior and the best draw wins, less a cost penalty, so a specialist that starts
 * failing loses traffic as its evidence grows and a recovered one is tried again as
 * its old failures fade. Pure: the clock and the random source are passed in.
 */

/** One specialist's outcomes for one intent label. Counts are discounted: old outcomes fade (see {@link decayed}). */
export interface ArmStats {
  /** Discounted successful outcomes (a call answered, a verification passed, good feedback). */
  successes: number;
  /** Discounted failed outcomes (an error, a timeout, a failed verification, bad feedback). */
  failures: number;
  /** Exponentially weighted mean latency of its calls, ms (undefined before the first). */
  latencyMs?: number | undefined;
  /** When the counts were last brought up to date, epoch ms. */
  at: number;
}

/** How outcomes age and what a choice weighs besides success. */
export interface SelectionSettings {
  /** Outcomes lose half their weight in this long, ms (a failing specialist recovers once its failures fade). */
  halfLifeMs: number;
  /** Beta prior of every arm: `alpha` successes and `beta` failures before any evidence. */
  prior: { alpha: number; beta: number };
  /** How much one USD of cost per call lowers a draw (a draw is a success rate in [0, 1]). */
  costWeight: number;
  /** How much one second of a candidate's mean latency (its moving mean, `ArmStats.latencyMs`) lowers a draw; none known: nothing. */
  latencyWeight: number;
  /** Weight of a new latency sample in the moving mean, in (0, 1]. */
  latencyAlpha: number;
}

export const DEFAULT_SELECTION: SelectionSettings = { halfLifeMs: 3_600_000, prior: { alpha: 1, beta: 1 }, costWeight: 0, latencyWeight: 0, latencyAlpha: 0.2 };

/** `s`'s counts as of `now`: both multiplied by 2^(−elapsed / halfLife); a clock that went back changes nothing. */
export function decayed(s: ArmStats, now: number, halfLifeMs: number): ArmStats {
  const elapsed = now - s.at;
  if (elapsed <= 0) return s;
  const f = 2 ** (-elapsed / halfLifeMs);
  return { ...s, successes: s.successes * f, failures: s.failures * f, at: now };
}

/** `s` (or no evidence yet) with one more outcome at `now`, of weight 1. */
export function recorded(s: ArmStats | undefined, outcome: { ok: boolean; latencyMs?: number | undefined }, now: number, o: Pick<SelectionSettings, "halfLifeMs" | "latencyAlpha">): ArmStats {
  const base = s ? decayed(s, now, o.halfLifeMs) : { successes: 0, failures: 0, at: now };
  const latencyMs = outcome.latencyMs === undefined ? base.latencyMs : base.latencyMs === undefined ? outcome.latencyMs : base.latencyMs + o.latencyAlpha * (outcome.latencyMs - base.latencyMs);
  return { successes: base.successes + (outcome.ok ? 1 : 0), failures: base.failures + (outcome.ok ? 0 : 1), at: base.at, ...(latencyMs === undefined ? {} : { latencyMs }) };
}

/** A standard normal draw (Marsaglia's polar method) from uniform draws in [0, 1). */
function normal(rng: () => number): number {
  for (;;) {
    const u = 2 * rng() - 1;
    const v = 2 * rng() - 1;
    const s = u * u + v * v;
    if (s > 0 && s < 1) return u * Math.sqrt((-2 * Math.log(s)) / s);
  }
}

/**
 * A Gamma(shape, 1) draw (Marsaglia & Tsang, "A simple method for generating gamma
 * variables", 2000; shape < 1 by the boost Gamma(a) = Gamma(a + 1) · U^(1/a)).
 *
 * @throws {RangeError} shape not positive and finite.
 */
export function gammaDraw(shape: number, rng: () => number): number {
  if (!(shape > 0 && Number.isFinite(shape))) throw new RangeError(`gamma shape must be positive and finite, got ${shape}`);
  if (shape < 1) return gammaDraw(shape + 1, rng) * rng() ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = normal(rng);
    const v = (1 + c * x) ** 3;
    if (v <= 0) continue;
    const u = rng();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** A Beta(alpha, beta) draw, from two Gamma draws. */
export function betaDraw(alpha: number, beta: number, rng: () => number): number {
  const x = gammaDraw(alpha, rng);
  const y = gammaDraw(beta, rng);
  return x / (x + y);
}

/** One candidate of a choice: its id, its outcomes for the intent (none yet: the prior alone), its cost per call in USD. */
export interface Candidate {
  id: string;
  stats?: ArmStats | undefined;
  costUsd: number;
}

/** What a choice was: the winner, and per candidate its posterior mean, evidence and draw, for the decision's `reason`. */
export interface Choice {
  id: string;
  arms: { id: string; mean: number; evidence: number; draw: number; score: number }[];
  reason: string;
}

const r3 = (n: number) => Math.round(n * 1000) / 1000;

/**
 * Thompson sampling among `candidates` (in their given order; ties keep it): each
 * draws a success rate from Beta(prior.alpha + successes, prior.beta + failures) as of
 * `now`, less `costWeight × costUsd` and `latencyWeight × its mean latency in seconds`,
 * and the highest score wins.
 *
 * @throws {RangeError} no candidate.
 * @example
 * choose([{ id: "a", costUsd: 0, stats: { successes: 90, failures: 10, at: 0 } }, { id: "b", costUsd: 0 }], 0, mulberry32(1)).id // usually "a"
 */
export function choose(candidates: readonly Candidate[], now: number, rng: () => number, o: SelectionSettings = DEFAULT_SELECTION): Choice {
  if (candidates.length === 0) throw new RangeError("no candidate to choose from");
  const arms = candidates.map((c) => {
    const s = c.stats ? decayed(c.stats, now, o.halfLifeMs) : { successes: 0, failures: 0, at: now };
    const a = o.prior.alpha + s.successes;
    const b = o.prior.beta + s.failures;
    const draw = betaDraw(a, b, rng);
    const latencyS = s.latencyMs === undefined ? 0 : s.latencyMs / 1000;
    return { id: c.id, mean: a / (a + b), evidence: s.successes + s.failures, latencyMs: s.latencyMs, draw, score: draw - o.costWeight * c.costUsd - o.latencyWeight * latencyS };
  });
  const best = arms.reduce((w, x) => (x.score > w.score ? x : w));
  const latency = (x: (typeof arms)[number]) => (o.latencyWeight > 0 && x.latencyMs !== undefined ? `, ${Math.round(x.latencyMs)} ms` : "");
  // with a cost or latency penalty, the draw and the score it makes; without, they are one number
  const drew = (x: (typeof arms)[number]) => (x.score === x.draw ? `drew ${r3(x.draw)}` : `drew ${r3(x.draw)}, scores ${r3(x.score)}`);
  const penalised = arms.some((x) => x.score !== x.draw);
  const reason = `learned choice (Thompson sampling): ${arms.map((x) => `'${x.id}' success ${r3(x.mean)} over ${r3(x.evidence)} outcomes${latency(x)}, ${drew(x)}`).join("; ")}; '${best.id}' ${penalised ? "scores" : "drew"} highest`;
  return { id: best.id, arms: arms.map(({ latencyMs: _l, ...x }) => ({ ...x, mean: r3(x.mean), evidence: r3(x.evidence), draw: r3(x.draw), score: r3(x.score) })), reason };
}
