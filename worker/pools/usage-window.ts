import { nonNegative, version } from "./guard.ts";

/** `retryAfterMs` is `Infinity` only when `limit ≤ 0` (nothing ever gets under it). */
export type UsageResult = { ok: true } | { ok: false; retryAfterMs: number };

/** Plain-JSON state of a {@link UsageWindow}: `[lastRecordedAt, units]` per bucket, oldest first. */
export interface UsageSnapshot {
  v: 1;
  windowMs: number;
  bucketMs: number;
  entries: Array<[number, number]>;
}

interface Entry {
  at: number;
  units: number;
}

/**
 * Sliding-window usage (e.g. tokens/minute) for costs known only after a call.
 * Records are coalesced into `bucketMs` buckets (default 1 s), so memory is at
 * most `windowMs / bucketMs + 1` entries. A bucket is stamped with its latest
 * record and counts until that record leaves the window `(now − windowMs, now]`:
 * coalescing can only over-count (by < bucketMs of lifetime), never under-count.
 *
 * @example
 * const tpm = new UsageWindow(60_000);
 * tpm.record(0, 900);
 * tpm.used(30_000) // 900
 * tpm.wouldAllow(30_000, 800) // { ok: false, retryAfterMs: 30_000 }
 */
export class UsageWindow {
  readonly windowMs: number;
  readonly bucketMs: number;
  #entries: Entry[] = [];

  constructor(windowMs: number, bucketMs = 1_000) {
    this.windowMs = nonNegative("windowMs", windowMs, true);
    this.bucketMs = nonNegative("bucketMs", bucketMs, true);
  }

  /**
   * Adds `units` of usage at `now` and drops buckets that left the window.
   *
   * @example
   * tpm.record(1_500, 120)
   */
  record(now: number, units: number): void {
    nonNegative("units", units);
    const live = this.#firstLive(now);
    this.#entries.splice(0, live);
    if (units === 0) return;
    const last = this.#entries.at(-1);
    if (last !== undefined && (now <= last.at || Math.floor(now / this.bucketMs) === Math.floor(last.at / this.bucketMs))) {
      last.units += units;
      last.at = Math.max(last.at, now);
    } else {
      this.#entries.push({ at: now, units });
    }
  }

  /**
   * Total usage recorded in `(now − windowMs, now]`.
   *
   * @example
   * tpm.used(60_000) // 0: the record at 0 has left the window
   */
  used(now: number): number {
    let sum = 0;
    for (let i = this.#firstLive(now); i < this.#entries.length; i++) sum += (this.#entries[i] as Entry).units;
    return sum;
  }

  /**
   * Whether usage is under `limit`. While `used ≥ limit` it denies, with the exact
   * time until enough usage expires to get under `limit`. Changes nothing.
   *
   * @example
   * tpm.wouldAllow(0, 1_000) // { ok: true } (900 < 1000)
   */
  wouldAllow(now: number, limit: number): UsageResult {
    let remaining = this.used(now);
    if (remaining < limit) return { ok: true };
    for (let i = this.#firstLive(now); i < this.#entries.length; i++) {
      const e = this.#entries[i] as Entry;
      remaining -= e.units;
      if (remaining < limit) return { ok: false, retryAfterMs: e.at + this.windowMs - now };
    }
    return { ok: false, retryAfterMs: Number.POSITIVE_INFINITY };
  }

  /**
   * Plain-JSON state for persistence.
   *
   * @example
   * tpm.snapshot() // { v: 1, windowMs: 60000, bucketMs: 1000, entries: [[0, 900]] }
   */
  snapshot(): UsageSnapshot {
    return { v: 1, windowMs: this.windowMs, bucketMs: this.bucketMs, entries: this.#entries.map((e) => [e.at, e.units]) };
  }

  /**
   * Rebuilds a window from {@link snapshot}.
   *
   * @example
   * const again = UsageWindow.restore(tpm.snapshot());
   */
  static restore(s: UsageSnapshot): UsageWindow {
    version("usage", s);
    const w = new UsageWindow(s.windowMs, s.bucketMs);
    if (!Array.isArray(s.entries)) throw new TypeError("usage snapshot: entries must be an array");
    for (const [at, units] of s.entries) {
      const prev = w.#entries.at(-1);
      if (!Number.isFinite(at) || !Number.isFinite(units) || units < 0 || (prev !== undefined && at < prev.at)) throw new TypeError("usage snapshot: bad entry");
      w.#entries.push({ at, units });
    }
    return w;
  }

  /** Index of the first entry still in the window (entries are sorted by `at`). */
  #firstLive(now: number): number {
    let i = 0;
    while (i < this.#entries.length && (this.#entries[i] as Entry).at + this.windowMs <= now) i++;
    return i;
  }
}
