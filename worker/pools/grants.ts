import { joined } from "../joined.ts";
import type { PoolConfig } from "./pool-types.ts";

/** How long a grant's slots may be used (ms): the pool counts them as used at `grantedAt + GRANT_VALID_MS`. */
export const GRANT_VALID_MS = 1_000;
/** The most slots an isolate asks for at once, whatever its rate (bounds what one idle isolate can waste). */
export const GRANT_MAX_BATCH = 256;

/**
 * How many slots one grant of a pool may hold (its batch cap), or 0 when the pool
 * must admit each call itself. Grants serve the rpm window only, so a pool with a
 * concurrency limit, a tpm limit or a daily budget (each needs a per-call lease and
 * settlement) is never served from grants; a breaker is fine (outcomes are reported
 * apart). The cap is one validity period's share of the rate
 * (`rpm × validForMs / windowMs`, at most {@link GRANT_MAX_BATCH}); below 2 a batch
 * would save nothing, so the pool admits each call (e.g. `rpm` under 120 a minute).
 *
 * @example
 * grantBatchCap({ rpm: 600 })                    // 10
 * grantBatchCap({ rpm: 1_000_000 })              // 256
 * grantBatchCap({ rpm: 600, concurrency: 5 })    // 0: leases per call
 * grantBatchCap({ rpm: 60 })                     // 0: one slot a second
 */
export function grantBatchCap(c: PoolConfig, validForMs = GRANT_VALID_MS): number {
  if (c.rpm === undefined || c.tpm !== undefined || c.concurrency !== undefined || c.dailyBudgetUsd !== undefined) return 0;
  const share = Math.floor((c.rpm * validForMs) / (c.windowMs ?? 60_000));
  return share < 2 ? 0 : Math.min(share, GRANT_MAX_BATCH);
}

/**
 * What a refill got from the pool: `granted` slots (≥ 0) and, when it got none, how
 * long until one frees (`Infinity`: never). `remember: false` says a denial speaks for
 * part of the pool only (e.g. the two shards one hop tried): it is not served locally.
 */
export interface GrantAnswer {
  granted: number;
  retryAfterMs: number;
  remember?: boolean;
}

/** Asks the pool for up to `n` slots usable for `validForMs` (e.g. `RateLimitPool.grant`). May reject (the pool is unreachable). */
export type GrantSource<A extends GrantAnswer> = (n: number, validForMs: number) => Promise<A>;

/**
 * The result of {@link GrantCache.take}:
 * - `ok`: a slot was taken; `refill`, when present, is a refill this take started
 *   ahead of need (keep it alive past the response, e.g. `waitUntil`).
 * - `denied`: the pool's last answer granted nothing (`answer`, as the source gave
 *   it); `retryAfterMs` counts from this take's `now`. A cached denial is served
 *   without asking the pool again until `min(retryAfterMs, validForMs)` has passed.
 * - `contended`: slots were granted but other callers of this isolate took them,
 *   round after round: admit this call some other way (one by one).
 */
export type GrantTake<A extends GrantAnswer> =
  | { ok: true; refill?: Promise<void> }
  | { ok: false; reason: "denied"; answer: A; retryAfterMs: number }
  | { ok: false; reason: "contended" };

/** Tunables; the defaults suit a pool on the request path. */
export interface GrantOptions {
  /** How long granted slots may be used, ms (default {@link GRANT_VALID_MS}). */
  validForMs?: number;
  /** Refill ahead of need when the slots left (at the observed rate) or the validity would run out within this many ms (default validForMs / 4). */
  leadMs?: number;
  /** Refills one take may join or start before it gives up (`contended`; default 4). */
  maxRounds?: number;
  /** Keys remembered (default 1,000): the oldest is forgotten first. */
  maxKeys?: number;
}

interface Batch {
  slots: number;
  /** Local deadline: when the refill was asked + validForMs (the pool's own `validUntil` is no earlier, whatever the clocks say). */
  until: number;
}

interface Allowance<A> {
  batches: Batch[];
  /** The size of the last batch asked for. */
  batch: number;
  /** Slots taken since `since` (the last ask); `rate`: what they made then, slots per ms. */
  taken: number;
  since: number;
  rate: number;
  refill: Promise<A> | undefined;
  waiting: number;
  /** A denial served locally until `askAgainAt`; `deniedUntil` is when the pool said a slot frees. */
  denial: { answer: A; deniedUntil: number; askAgainAt: number } | undefined;
}

/** What a key's allowance holds now (tests, views). */
export interface GrantStats {
  slots: number;
  batch: number;
  refilling: boolean;
  deniedFor: number;
}

/**
 * An isolate's cache of batched rate slots ("grants"), per pool key. Most takes are
 * served from a slot already granted: no pool call. When the slots run out (or
 * expire), one refill asks the pool for a batch and every concurrent taker of the
 * key waits for that one refill (single flight); under steady traffic the refill
 * starts ahead of need (`leadMs`), off the request path. The batch follows the
 * observed rate (about one validity period of takes, at most doubling from one
 * refill to the next, at least the callers waiting, at most the pool's cap).
 * Unused slots expire at their deadline and are not returned: the pool counted them,
 * so a fleet never goes over the limit; what it may lose is up to one batch per
 * isolate per validity period of slots nobody used. Time is injected (`now`).
 *
 * @example
 * const cache = new GrantCache<GrantAnswer>();
 * const r = await cache.take("specialist:x", Date.now, (n, ms) => stub.grant(config, n, ms), 10);
 * if (r.ok) callIt(); else if (r.reason === "denied") tooMany(r.retryAfterMs);
 */
export class GrantCache<A extends GrantAnswer> {
  readonly validForMs: number;
  readonly leadMs: number;
  readonly maxRounds: number;
  readonly maxKeys: number;
  #keys = new Map<string, Allowance<A>>();

  constructor(options: GrantOptions = {}) {
    this.validForMs = options.validForMs ?? GRANT_VALID_MS;
    this.leadMs = options.leadMs ?? this.validForMs / 4;
    this.maxRounds = options.maxRounds ?? 4;
    this.maxKeys = options.maxKeys ?? 1_000;
  }

  /**
   * Takes one slot of `key`, refilling from `source` (at most `cap` slots a batch,
   * ≥ 1) when none is left. `now` is read after each wait. Rejects only when a refill
   * this call started rejects.
   *
   * @example
   * await cache.take("k", () => Date.now(), source, 10) // { ok: true } or { ok: false, reason: "denied", answer, retryAfterMs: 850 }
   */
  async take(key: string, now: () => number, source: GrantSource<A>, cap: number): Promise<GrantTake<A>> {
    const e = this.#entry(key);
    for (let round = 0; round < this.maxRounds; round++) {
      const t = now();
      if (this.#takeLocal(e, t)) return { ok: true, ...this.#ahead(e, now, t, source, cap) };
      if (e.denial && t < e.denial.askAgainAt) return { ok: false, reason: "denied", answer: e.denial.answer, retryAfterMs: Math.max(0, e.denial.deniedUntil - t) };
      let answer: A | undefined;
      if (e.refill) {
        e.waiting++;
        answer = await joined(e.refill).catch(() => undefined); // another caller's refill (or a background one): its failure is not ours
        e.waiting--;
      } else {
        e.waiting++; // count this caller in the batch it asks for
        const mine = this.#refill(e, now, t, source, cap);
        e.waiting--;
        answer = await mine;
      }
      if (this.#takeLocal(e, now())) return { ok: true };
      if (answer !== undefined && answer.granted === 0) return { ok: false, reason: "denied", answer, retryAfterMs: answer.retryAfterMs };
    }
    return { ok: false, reason: "contended" };
  }

  /**
   * Drops `key`'s slots and serves denials with `answer` for `retryAfterMs` (e.g. its
   * breaker was reported open after a failure): the next refill asks the pool again.
   *
   * @example
   * cache.deny("k", Date.now(), { granted: 0, retryAfterMs: 30_000, kind: "breaker" }, 30_000)
   */
  deny(key: string, now: number, answer: A, retryAfterMs: number): void {
    const e = this.#entry(key);
    e.batches = [];
    this.#remember(e, now, answer, retryAfterMs);
  }

  /** What `key` holds at `now`. */
  stats(key: string, now: number): GrantStats {
    const e = this.#keys.get(key);
    if (!e) return { slots: 0, batch: 0, refilling: false, deniedFor: 0 };
    const slots = e.batches.reduce((sum, b) => sum + (b.until > now ? b.slots : 0), 0);
    return { slots, batch: e.batch, refilling: e.refill !== undefined, deniedFor: e.denial && now < e.denial.askAgainAt ? e.denial.deniedUntil - now : 0 };
  }

  /** Forgets every key (tests). */
  clear(): void {
    this.#keys.clear();
  }

  #entry(key: string): Allowance<A> {
    let e = this.#keys.get(key);
    if (e) return e;
    if (this.#keys.size >= this.maxKeys) this.#keys.delete(this.#keys.keys().next().value as string);
    e = { batches: [], batch: 0, taken: 0, since: Number.NaN, rate: 0, refill: undefined, waiting: 0, denial: undefined };
    this.#keys.set(key, e);
    return e;
  }

  /** Takes a slot from the oldest live batch, dropping expired ones. */
  #takeLocal(e: Allowance<A>, now: number): boolean {
    while (e.batches.length > 0) {
      const b = e.batches[0] as Batch;
      if (b.until > now && b.slots > 0) {
        b.slots--;
        e.taken++;
        return true;
      }
      e.batches.shift(); // used up or expired: unused slots are not returned (the pool counted them)
    }
    return false;
  }

  /**
   * Under steady traffic (batches of 2 or more), starts the next refill before the
   * slots run out: when a quarter of the last batch is left, or the newest batch
   * expires within `leadMs`.
   */
  #ahead(e: Allowance<A>, now: () => number, t: number, source: GrantSource<A>, cap: number): { refill?: Promise<void> } {
    if (e.refill || e.batch < 2) return {};
    const last = e.batches[e.batches.length - 1];
    const left = e.batches.reduce((sum, b) => sum + (b.until > t ? b.slots : 0), 0);
    if (last !== undefined && last.until - t > this.leadMs && left > Math.floor(e.batch / 4)) return {};
    return { refill: this.#refill(e, now, t, source, cap).then(() => {}) };
  }

  /** One refill of `e` (the single flight): sizes the batch, asks, and adds what was granted. */
  #refill(e: Allowance<A>, now: () => number, t: number, source: GrantSource<A>, cap: number): Promise<A> {
    if (t >= e.since) e.rate = e.taken / Math.max(1, t - e.since); // a burst within one clock tick reads as fast: the growth bound holds it back
    e.taken = 0;
    e.since = t;
    const wanted = Math.max(1, Math.ceil(Math.min(e.rate * this.validForMs, Number.MAX_SAFE_INTEGER)));
    const grown = Math.min(wanted, Math.max(1, 2 * e.batch)); // at most doubling: one noisy sample cannot grab a large batch
    const n = Math.max(1, Math.min(cap, Math.max(grown, e.waiting)));
    e.batch = n;
    const p = source(n, this.validForMs).then(
      (a) => {
        if (a.granted > 0) {
          e.batches.push({ slots: a.granted, until: t + this.validForMs });
          e.denial = undefined;
        } else if (a.remember !== false) this.#remember(e, now(), a, a.retryAfterMs); // counted from the answer: never earlier than the pool meant
        return a;
      },
    );
    const flight = p.finally(() => {
      if (e.refill === flight) e.refill = undefined;
    });
    e.refill = flight;
    return flight;
  }

  #remember(e: Allowance<A>, now: number, answer: A, retryAfterMs: number): void {
    e.denial = retryAfterMs > 0 ? { answer, deniedUntil: now + retryAfterMs, askAgainAt: now + Math.min(retryAfterMs, this.validForMs) } : undefined;
  }
}
