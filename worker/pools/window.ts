import { int, nonNegative, version } from "./guard.ts";

/**
 * A denial by {@link SlidingWindowLimiter.tryTake}:
 * - `"window"`: too many admissions in the window; `retryAfterMs` (> 0, finite) is
 *   exactly how long until enough of them leave it.
 * - `"exceeds_limit"`: `n > limit`, which can never succeed; `retryAfterMs` is `Infinity`.
 */
export type TakeDenied =
  | { ok: false; reason: "window"; retryAfterMs: number }
  | { ok: false; reason: "exceeds_limit"; retryAfterMs: typeof Number.POSITIVE_INFINITY };

export type TakeResult = { ok: true } | TakeDenied;

/** Plain-JSON state of a {@link SlidingWindowLimiter}; `stamps` are oldest first. */
export interface WindowSnapshot {
  v: 1;
  limit: number;
  windowMs: number;
  stamps: number[];
}

/**
 * Strict sliding-window rate limit: at most `limit` admissions in any window of
 * `windowMs`, i.e. in any half-open interval `(t − windowMs, t]`. Unlike a token
 * bucket it can never admit 2 × limit across a window boundary.
 *
 * Keeps a ring buffer of the last `limit` admission timestamps (memory O(limit)).
 * A request for `n` is admitted iff, after it, at most `limit` recorded admissions
 * are newer than `now − windowMs`. Recorded stamps never decrease (a clock that
 * steps back records at the newest stamp), which keeps the bound conservative.
 *
 * @example
 * const rl = new SlidingWindowLimiter(2, 1_000);
 * rl.tryTake(0); rl.tryTake(10); // { ok: true } twice
 * rl.tryTake(500)   // { ok: false, reason: "window", retryAfterMs: 500 }
 * rl.tryTake(1_000) // { ok: true }: the admission at 0 left the window
 */
export class SlidingWindowLimiter {
  readonly limit: number;
  readonly windowMs: number;
  // Stryker disable next-line ArrayDeclaration: slots are written before they are read (#count bounds every read)
  #buf: number[] = [];
  #head = 0;
  #count = 0;

  constructor(limit: number, windowMs: number) {
    this.limit = int("limit", limit);
    this.windowMs = nonNegative("windowMs", windowMs, true);
  }

  /**
   * Would `tryTake(now, n)` succeed? Changes nothing.
   *
   * @example
   * new SlidingWindowLimiter(1, 1_000).check(0, 2) // { ok: false, reason: "exceeds_limit", retryAfterMs: Infinity }
   */
  check(now: number, n = 1): TakeResult {
    int("n", n);
    if (n > this.limit) return { ok: false, reason: "exceeds_limit", retryAfterMs: Number.POSITIVE_INFINITY };
    const k = this.#count + n - this.limit; // how many recorded stamps must have left the window
    if (k <= 0) return { ok: true };
    const wait = this.#at(k - 1) + this.windowMs - now;
    return wait <= 0 ? { ok: true } : { ok: false, reason: "window", retryAfterMs: wait };
  }

  /**
   * Takes `n` admissions at once, all or nothing. `holdMs` (default 0) is for
   * batch grants whose slots may be used any time in `[now, now + holdMs]`: they
   * are recorded at `now + holdMs`, so the bound still holds for the real uses.
   *
   * @example
   * const rl = new SlidingWindowLimiter(3, 1_000);
   * rl.tryTake(0, 2) // { ok: true }
   * rl.tryTake(1, 2) // { ok: false, reason: "window", retryAfterMs: 999 }
   */
  tryTake(now: number, n = 1, holdMs = 0): TakeResult {
    nonNegative("holdMs", holdMs);
    const r = this.check(now, n);
    if (!r.ok) return r;
    const stamp = this.#count > 0 ? Math.max(now + holdMs, this.#at(this.#count - 1)) : now + holdMs;
    for (let i = 0; i < n; i++) this.#push(stamp);
    return r;
  }

  /**
   * How many admissions `tryTake(now, n)` could take right now.
   *
   * @example
   * const rl = new SlidingWindowLimiter(5, 1_000); rl.tryTake(0, 3);
   * rl.available(10) // 2
   */
  available(now: number): number {
    // stamps are sorted: binary-search the first one still inside (now − windowMs, ∞)
    let lo = 0;
    let hi = this.#count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#at(mid) + this.windowMs <= now) lo = mid + 1;
      else hi = mid;
    }
    return this.limit - (this.#count - lo);
  }

  /** The newest recorded stamp (what the last take recorded), if any. */
  newest(): number | undefined {
    return this.#count > 0 ? this.#at(this.#count - 1) : undefined;
  }

  /**
   * Plain-JSON state for persistence.
   *
   * @example
   * JSON.stringify(rl.snapshot()) // '{"v":1,"limit":2,"windowMs":1000,"stamps":[0,10]}'
   */
  snapshot(): WindowSnapshot {
    const stamps: number[] = [];
    for (let i = 0; i < this.#count; i++) stamps.push(this.#at(i));
    return { v: 1, limit: this.limit, windowMs: this.windowMs, stamps };
  }

  /**
   * Rebuilds a limiter from {@link snapshot}. A snapshot taken under a larger limit
   * keeps only its newest `limit` stamps (all that matters for the bound).
   *
   * @example
   * const again = SlidingWindowLimiter.restore(rl.snapshot());
   */
  static restore(s: WindowSnapshot): SlidingWindowLimiter {
    version("window", s);
    const rl = new SlidingWindowLimiter(s.limit, s.windowMs);
    if (!Array.isArray(s.stamps)) throw new TypeError("window snapshot: stamps must be an array");
    let last = Number.NEGATIVE_INFINITY;
    for (const t of s.stamps.slice(Math.max(0, s.stamps.length - rl.limit))) {
      if (!Number.isFinite(t)) throw new TypeError("window snapshot: stamps must be finite numbers");
      last = Math.max(last, t);
      rl.#push(last);
    }
    return rl;
  }

  #at(i: number): number {
    return this.#buf[(this.#head + i) % this.limit] as number;
  }

  #push(t: number): void {
    if (this.#count < this.limit) {
      this.#buf[(this.#head + this.#count) % this.limit] = t;
      this.#count++;
    } else {
      this.#buf[this.#head] = t;
      this.#head = (this.#head + 1) % this.limit;
    }
  }
}
