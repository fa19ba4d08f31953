import { int, nonNegative } from "../pools/guard.ts";
import { SlidingWindowLimiter, type TakeDenied, type TakeResult, type WindowSnapshot } from "../pools/window.ts";

/**
 * A tenant's hedge budget (issue 18): at most `maxExtraCalls` hedges in any window of
 * `windowMs` ms. Hedging is off by default, so a tenant without one never hedges.
 */
export interface HedgeBudgetSettings {
  /** Extra (hedge) calls allowed per window; an integer ≥ 0 (0: never hedge). */
  maxExtraCalls: number;
  /** The window, ms (> 0). */
  windowMs: number;
}

/** What {@link HedgeBudget.tryTake} grants: `at` is the recorded stamp, what {@link HedgeBudget.refund} takes back. */
export type HedgeTake = { ok: true; at: number } | TakeDenied;

/**
 * A per-tenant budget of extra calls for hedging: the pools' strict sliding window
 * ({@link SlidingWindowLimiter}, never 2 × max across a window boundary) with a
 * refund, for a hedge that was granted but put no load on any specialist (e.g. its
 * admission was denied before the call left). Pure: the clock is passed in.
 * Like the pools, `check` changes nothing, and a denial changes nothing.
 *
 * A refund removes one recorded stamp: the one at `at`, or else the earliest stamp
 * after it (a clock that stepped back records at the newest stamp, see
 * SlidingWindowLimiter), so what is left never expires earlier than the real uses:
 * the bound stays conservative.
 *
 * @example
 * const b = new HedgeBudget({ maxExtraCalls: 1, windowMs: 60_000 });
 * const t = b.tryTake(0);   // { ok: true, at: 0 }
 * b.tryTake(10)             // { ok: false, reason: "window", retryAfterMs: 59990 }
 * b.refund(0)               // true: the hedge never reached the specialist
 * b.tryTake(10)             // { ok: true, at: 10 }
 */
export class HedgeBudget {
  #limiter: SlidingWindowLimiter;

  /** @throws RangeError when `maxExtraCalls` is not an integer ≥ 0 or `windowMs` is not finite and > 0. */
  constructor(settings: HedgeBudgetSettings) {
    this.#limiter = new SlidingWindowLimiter(int("maxExtraCalls", settings.maxExtraCalls), nonNegative("windowMs", settings.windowMs, true));
  }

  get maxExtraCalls(): number {
    return this.#limiter.limit;
  }

  get windowMs(): number {
    return this.#limiter.windowMs;
  }

  /**
   * Would `tryTake(now)` succeed? Changes nothing. `maxExtraCalls: 0` is
   * `{ ok: false, reason: "exceeds_limit", retryAfterMs: Infinity }`.
   *
   * @example
   * new HedgeBudget({ maxExtraCalls: 0, windowMs: 1_000 }).check(0).ok // false
   */
  check(now: number): TakeResult {
    return this.#limiter.check(now);
  }

  /**
   * Takes one extra call at `now` (epoch ms), or says how long until one is free.
   *
   * @example
   * new HedgeBudget({ maxExtraCalls: 2, windowMs: 1_000 }).tryTake(5) // { ok: true, at: 5 }
   */
  tryTake(now: number): HedgeTake {
    const r = this.#limiter.tryTake(now);
    return r.ok ? { ok: true, at: this.#limiter.newest() as number } : r;
  }

  /**
   * Gives back the extra call taken at `at` (the `at` of a granted {@link tryTake}).
   * Returns false when no recorded stamp is ≥ `at` (already refunded, or never taken).
   *
   * @example
   * b.refund(0) // true, then false for a second refund of the same take
   */
  refund(at: number): boolean {
    const s = this.#limiter.snapshot();
    const i = s.stamps.findIndex((t) => t >= at);
    if (i < 0) return false;
    s.stamps.splice(i, 1);
    this.#limiter = SlidingWindowLimiter.restore(s);
    return true;
  }

  /**
   * Extra calls that could be taken at `now`.
   *
   * @example
   * new HedgeBudget({ maxExtraCalls: 3, windowMs: 1_000 }).available(0) // 3
   */
  available(now: number): number {
    return this.#limiter.available(now);
  }

  /** Plain-JSON state for persistence (the limiter's snapshot). @example JSON.stringify(b.snapshot()) */
  snapshot(): WindowSnapshot {
    return this.#limiter.snapshot();
  }

  /**
   * Rebuilds a budget from {@link snapshot}.
   *
   * @throws TypeError for a foreign or malformed snapshot; RangeError for bad limits.
   * @example
   * const again = HedgeBudget.restore(b.snapshot());
   */
  static restore(s: WindowSnapshot): HedgeBudget {
    const b = new HedgeBudget({ maxExtraCalls: s.limit, windowMs: s.windowMs });
    b.#limiter = SlidingWindowLimiter.restore(s);
    return b;
  }
}
