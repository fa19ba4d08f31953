/**
 * Hedged calls (issue 18): if a specialist has not answered within a delay, an
 * equivalent one is called too, the first good answer wins and the loser is aborted.
 * This is the hedged request of Dean & Barroso, "The Tail at Scale" (CACM 56(2),
 * 2013): deferring the second request until the first has been outstanding longer
 * than the 95th-percentile latency for its class bounds the extra load to a few
 * percent while cutting the tail. Pure: no Workers bindings and no I/O; the clock,
 * the sleep and the budget are passed in, so tests drive it with a fake clock.
 */
import { quantile, type Histogram } from "../observe/histogram.ts";
import { nonNegative } from "../pools/guard.ts";

export { HedgeBudget, type HedgeBudgetSettings, type HedgeTake } from "./hedge-budget.ts";

/** How long to wait before hedging: a fixed delay in ms, or the specialist's recent p95 latency. */
export type HedgeDelaySetting = number | "p95";

/** Bounds of a p95-derived delay, and what to use without enough samples. All ms but `minSamples`. */
export interface HedgeDelayBounds {
  /** Floor of a p95 delay (a very fast specialist is not hedged after 2 ms). */
  minMs: number;
  /** Ceiling of a p95 delay (a slow tail does not push the hedge out for minutes). */
  maxMs: number;
  /** The delay when the histogram has fewer than `minSamples` observations (clamped too). */
  fallbackMs: number;
  /** Observations needed to trust the histogram's p95. */
  minSamples: number;
}

/**
 * Defaults. `minSamples` is 20 because below it the p95 is the maximum: the rank
 * `ceil(0.95 × n)` equals `n` for every n < 20, so one outlier would be the delay.
 */
export const DEFAULT_HEDGE_DELAY: HedgeDelayBounds = { minMs: 50, maxMs: 10_000, fallbackMs: 1_000, minSamples: 20 };

/** A delay and where it came from (for a trace's attributes and a decision's reason). */
export interface HedgeDelay {
  delayMs: number;
  /** `"fixed"`: the setting; `"p95"`: the histogram's (or the given) p95, clamped; `"fallback"`: too few samples. */
  source: "fixed" | "p95" | "fallback";
  /** The histogram's observation count, when one was given. */
  samples?: number;
}

/**
 * The hedge delay, ms. A fixed setting is used as is. `"p95"` takes the specialist's
 * latency histogram (worker/observe/histogram.ts, the one `GET /v1/metrics` reports
 * `latencyMs.p95` from, via {@link quantile}`(h, 0.95)`) or an already computed p95
 * in ms (trusted as is: its sample count is the caller's concern), clamped to
 * `[minMs, maxMs]`; a histogram with fewer than `minSamples` observations, or no
 * stats at all, gives `fallbackMs` (clamped).
 *
 * @throws RangeError for a fixed delay or a given p95 that is not a finite number ≥ 0,
 *   or bounds that are not (negative, `minMs > maxMs`).
 * @example
 * hedgeDelay(250, undefined)        // { delayMs: 250, source: "fixed" }
 * hedgeDelay("p95", histogramOf40)  // { delayMs: 812.4, source: "p95", samples: 40 }
 * hedgeDelay("p95", emptyHistogram()) // { delayMs: 1000, source: "fallback", samples: 0 }
 */
export function hedgeDelay(setting: HedgeDelaySetting, stats: Histogram | number | null | undefined, bounds: HedgeDelayBounds = DEFAULT_HEDGE_DELAY): HedgeDelay {
  if (setting !== "p95") return { delayMs: nonNegative("hedge delay", setting), source: "fixed" };
  const { minMs, maxMs, fallbackMs, minSamples } = bounds;
  nonNegative("minMs", minMs);
  nonNegative("fallbackMs", fallbackMs);
  nonNegative("minSamples", minSamples);
  if (nonNegative("maxMs", maxMs) < minMs) throw new RangeError(`maxMs must be ≥ minMs, got ${maxMs} < ${minMs}`);
  const clamp = (ms: number) => Math.min(maxMs, Math.max(minMs, ms));
  if (typeof stats === "number") return { delayMs: clamp(nonNegative("p95", stats)), source: "p95" };
  if (stats == null) return { delayMs: clamp(fallbackMs), source: "fallback" };
  const p95 = stats.count >= minSamples ? quantile(stats, 0.95) : null;
  return p95 === null ? { delayMs: clamp(fallbackMs), source: "fallback", samples: stats.count } : { delayMs: clamp(p95), source: "p95", samples: stats.count };
}

/** {@link hedgeDelay}'s `delayMs` alone. @example hedgeDelayMs("p95", 20) // 50 (the floor) */
export function hedgeDelayMs(setting: HedgeDelaySetting, stats: Histogram | number | null | undefined, bounds: HedgeDelayBounds = DEFAULT_HEDGE_DELAY): number {
  return hedgeDelay(setting, stats, bounds).delayMs;
}

/** What a budget answers: `ok` grants the hedge (other members are the budget's, e.g. a {@link HedgeTake}'s `at`, handed back to `giveBack`). */
export type HedgeGrant = { ok: boolean };

/** One call: started with its own signal, settles with a tagged result. The signal aborting means "stop, and release what you hold". */
export type Attempt<R> = (signal: AbortSignal) => Promise<R>;

export type Who = "primary" | "hedge";

/** What {@link hedgedRace} needs besides the two calls. */
export interface HedgeRaceOptions<R> {
  /** Wait this long (ms, ≥ 0; `Infinity`: never hedge) before starting the hedge. */
  delayMs: number;
  /**
   * Consulted once, when the hedge would start (e.g. a {@link HedgeBudget}, or one kept
   * in a Durable Object: then a promise; a rejection is a denial); a denial starts no
   * hedge. A grant that comes after the primary settled is handed to `giveBack`.
   */
  budget: { tryTake(now: number): HedgeGrant | Promise<HedgeGrant>; giveBack?(grant: HedgeGrant): void };
  /** The clock, epoch ms. */
  now: () => number;
  /** Resolves after `ms`; may settle early (resolve or reject) once `signal` aborts. Settling either way ends the wait (a rejection too). */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** The caller's signal: aborting it aborts both calls and the wait. */
  signal?: AbortSignal | undefined;
  /** A call that threw or rejected (or the caller's abort before any call started), as a failed result. Must not throw. */
  toFailure: (error: unknown, who: Who) => R;
}

/** What a race did, for traces and metrics. */
export interface HedgeReport<R> {
  /** The first OK result, or else the failure that settled last (a call not started never fails). */
  result: R;
  /** Whose call `result` is. */
  winner: Who;
  /** Whether the hedge was started. */
  hedged: boolean;
  /** Whether the other call was still running when `result` won, and was aborted. */
  abortedLoser: boolean;
  /** Whether the budget refused the hedge (so none was started). */
  budgetDenied: boolean;
  /** Whether the caller's signal aborted the race. */
  aborted: boolean;
  /** `now()` when the hedge started (the instant passed to `budget.tryTake`). */
  hedgeStartedAtMs?: number;
  /** Resolves once every started call has settled (the loser included): for `waitUntil`. */
  settled: Promise<void>;
}

/**
 * Races a primary call against a hedge started only if the primary is still
 * running after `delayMs` and the budget grants an extra call (The Tail at Scale's
 * deferred hedged request). The first OK result wins at once and the other call's
 * signal is aborted: releasing its lease is the call's own business, on that abort.
 * If the first to settle failed, the other is waited for; both failed: the one that
 * settled last. A primary that fails before the delay starts no hedge (failures are
 * for fallbacks; hedging is for slowness), so its failure is the result. A call that
 * throws synchronously or rejects is a failure made by `toFailure`. The caller's
 * signal aborts both calls and the wait; the race still returns what the started
 * calls settle with (an OK that beats the abort still wins), so the calls must
 * settle promptly once aborted. Never rejects, unless `toFailure` throws.
 *
 * @throws RangeError when `delayMs` is negative or NaN.
 * @example
 * const r = await hedgedRace((s) => callSpecialist("a", s), (s) => callSpecialist("b", s),
 *   { delayMs: hedgeDelayMs("p95", histogram), budget, now: Date.now, sleep, toFailure });
 * r.winner // "hedge" when b answered first; r.abortedLoser // true: a's signal aborted
 */
export function hedgedRace<R extends { ok: boolean }>(primary: Attempt<R>, hedge: Attempt<R>, o: HedgeRaceOptions<R>): Promise<HedgeReport<R>> {
  if (!(o.delayMs >= 0)) throw new RangeError(`delayMs must be ≥ 0, got ${String(o.delayMs)}`);
  const ctl: Record<Who, AbortController> = { primary: new AbortController(), hedge: new AbortController() };
  const wake = new AbortController();
  const running = new Set<Who>();
  const calls: Promise<void>[] = [];
  let hedged = false;
  let budgetDenied = false;
  let aborted = false;
  let hedgeStartedAtMs: number | undefined;
  let done = false;
  let resolveRace: (r: HedgeReport<R>) => void = () => {};
  const race = new Promise<HedgeReport<R>>((resolve) => (resolveRace = resolve));

  const finish = (winner: Who, result: R) => {
    done = true;
    wake.abort();
    o.signal?.removeEventListener("abort", onAbort);
    const loser: Who = winner === "primary" ? "hedge" : "primary";
    const abortedLoser = running.has(loser);
    if (abortedLoser) ctl[loser].abort(new Error(`hedge race: the ${winner} won`));
    const settled = Promise.all(calls).then(() => undefined);
    resolveRace({ result, winner, hedged, abortedLoser, budgetDenied, aborted, ...(hedgeStartedAtMs === undefined ? {} : { hedgeStartedAtMs }), settled });
  };
  const settle = (who: Who, r: R) => {
    running.delete(who);
    if (done) return;
    if (r.ok || running.size === 0) finish(who, r);
  };
  const start = (who: Who, call: Attempt<R>) => {
    running.add(who);
    let p: Promise<R>;
    try {
      p = Promise.resolve(call(ctl[who].signal));
    } catch (e) {
      p = Promise.reject(e);
    }
    calls.push(p.then((r) => r, (e: unknown) => o.toFailure(e, who)).then((r) => settle(who, r)));
  };
  function onAbort() {
    aborted = true;
    wake.abort();
    for (const who of running) ctl[who].abort(o.signal?.reason);
  }

  if (o.signal?.aborted) {
    aborted = true;
    finish("primary", o.toFailure(o.signal.reason, "primary"));
    return race;
  }
  o.signal?.addEventListener("abort", onAbort, { once: true });
  start("primary", primary);
  if (o.delayMs !== Number.POSITIVE_INFINITY) {
    const granted = (at: number, grant: HedgeGrant) => {
      if (!grant.ok) {
        budgetDenied = true;
        return;
      }
      if (done || !running.has("primary")) return o.budget.giveBack?.(grant); // the primary settled while the budget answered
      hedged = true;
      hedgeStartedAtMs = at;
      start("hedge", hedge);
    };
    const afterDelay = () => {
      if (done || wake.signal.aborted || !running.has("primary")) return; // no hedge after the primary settled
      const at = o.now();
      let grant: HedgeGrant | Promise<HedgeGrant>;
      try {
        grant = o.budget.tryTake(at);
      } catch {
        grant = { ok: false };
      }
      // a thenable, not only a Promise: a Durable Object stub's RPC answer is not `instanceof Promise`
      if (typeof (grant as { then?: unknown }).then !== "function") return granted(at, grant as HedgeGrant);
      Promise.resolve(grant).then((g) => granted(at, g), () => granted(at, { ok: false }));
    };
    let slept: Promise<void>;
    try {
      slept = Promise.resolve(o.sleep(o.delayMs, wake.signal));
    } catch (e) {
      slept = Promise.reject(e);
    }
    slept.then(afterDelay, afterDelay);
  }
  return race;
}
