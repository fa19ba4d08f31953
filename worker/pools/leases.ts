import { int, nonNegative, version } from "./guard.ts";

/** One lease: held until `release(id)` or until `now ≥ expiresAt`. */
export interface Lease<T> {
  id: string;
  expiresAt: number;
  data: T | undefined;
}

/** `retryAfterMs`: exactly until the earliest active lease expires (if nobody releases first). */
export type AcquireResult = { ok: true; expiresAt: number } | { ok: false; retryAfterMs: number };

/** Plain-JSON state of a {@link LeaseTable}; `limit: null` means unlimited. */
export interface LeaseSnapshot<T> {
  v: 1;
  limit: number | null;
  leases: Array<{ id: string; expiresAt: number; data?: T }>;
}

/**
 * Concurrency leases with expiry: at most `limit` unexpired leases at once, and a
 * lease whose holder crashed frees itself at `expiresAt`. Expired leases are
 * purged lazily (on acquire / active). `limit` may be `Infinity` to only track.
 * Each lease can carry JSON-able `data` (e.g. what to settle when it ends).
 *
 * @example
 * const t = new LeaseTable(1);
 * t.acquire("a", 0, 30_000)  // { ok: true, expiresAt: 30000 }
 * t.acquire("b", 10, 30_000) // { ok: false, retryAfterMs: 29990 }
 * t.acquire("b", 30_000, 30_000) // { ok: true, expiresAt: 60000 }: "a" expired
 */
export class LeaseTable<T = undefined> {
  readonly limit: number;
  #leases = new Map<string, Lease<T>>();
  #minExpiry = Number.POSITIVE_INFINITY; // ≤ every live expiry (may be stale-low)

  constructor(limit: number) {
    this.limit = int("limit", limit, 0, true);
  }

  /**
   * Could a new lease be acquired at `now`? Changes nothing.
   *
   * @example
   * t.check(10) // { ok: false, retryAfterMs: 29990 }
   */
  check(now: number): { ok: true } | { ok: false; retryAfterMs: number } {
    let live = 0;
    let earliest = Number.POSITIVE_INFINITY;
    for (const l of this.#leases.values()) {
      if (l.expiresAt <= now) continue;
      live++;
      earliest = Math.min(earliest, l.expiresAt);
    }
    return live < this.limit ? { ok: true } : { ok: false, retryAfterMs: earliest - now };
  }

  /**
   * Takes lease `id` until `now + ttlMs`. Re-acquiring a live `id` renews it
   * (a heartbeat) without taking another slot; `data` replaces the old data when given.
   *
   * @example
   * t.acquire("a", 0, 30_000, { costUsd: 0.01 })
   */
  acquire(id: string, now: number, ttlMs: number, data?: T): AcquireResult {
    nonNegative("ttlMs", ttlMs, true);
    this.#purge(now);
    const held = this.#leases.get(id);
    if (held === undefined) {
      const c = this.check(now);
      if (!c.ok) return c;
    }
    const expiresAt = now + ttlMs;
    this.#leases.set(id, { id, expiresAt, data: data ?? held?.data });
    this.#minExpiry = Math.min(this.#minExpiry, expiresAt);
    return { ok: true, expiresAt };
  }

  /**
   * The lease `id`, even if expired but not yet purged; `undefined` if unknown.
   *
   * @example
   * t.get("a") // { id: "a", expiresAt: 30000, data: undefined }
   */
  get(id: string): Lease<T> | undefined {
    return this.#leases.get(id);
  }

  /**
   * Ends lease `id`; `true` if it was held (or expired but not yet purged).
   *
   * @example
   * t.release("a") // true
   * t.release("a") // false
   */
  release(id: string): boolean {
    return this.#leases.delete(id);
  }

  /**
   * Number of unexpired leases at `now` (purges the expired ones).
   *
   * @example
   * t.active(0) // 1
   */
  active(now: number): number {
    this.#purge(now);
    return this.#leases.size;
  }

  /**
   * Plain-JSON state for persistence (includes not-yet-purged expired leases).
   *
   * @example
   * t.snapshot() // { v: 1, limit: 1, leases: [{ id: "a", expiresAt: 30000 }] }
   */
  snapshot(): LeaseSnapshot<T> {
    const leases = [...this.#leases.values()].map((l) => (l.data === undefined ? { id: l.id, expiresAt: l.expiresAt } : { ...l, data: l.data }));
    return { v: 1, limit: Number.isFinite(this.limit) ? this.limit : null, leases };
  }

  /**
   * Rebuilds a table from {@link snapshot}.
   *
   * @example
   * const again = LeaseTable.restore(t.snapshot());
   */
  static restore<T = undefined>(s: LeaseSnapshot<T>): LeaseTable<T> {
    version("lease", s);
    const t = new LeaseTable<T>(s.limit ?? Number.POSITIVE_INFINITY);
    if (!Array.isArray(s.leases)) throw new TypeError("lease snapshot: leases must be an array");
    for (const l of s.leases) {
      if (typeof l.id !== "string" || !Number.isFinite(l.expiresAt)) throw new TypeError("lease snapshot: bad lease");
      t.#leases.set(l.id, { id: l.id, expiresAt: l.expiresAt, data: l.data });
      t.#minExpiry = Math.min(t.#minExpiry, l.expiresAt);
    }
    return t;
  }

  #purge(now: number): void {
    if (now < this.#minExpiry) return;
    let min = Number.POSITIVE_INFINITY;
    for (const [id, l] of this.#leases) {
      if (l.expiresAt <= now) this.#leases.delete(id);
      else min = Math.min(min, l.expiresAt);
    }
    this.#minExpiry = min;
  }
}
