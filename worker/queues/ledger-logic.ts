/**
 * The message ledger's rules (pure): what a consumer may do with a message id, given
 * what earlier deliveries of it did. Cloudflare Queues deliver at least once
 * (https://developers.cloudflare.com/queues/reference/delivery-guarantees/): a message
 * is redelivered when its consumer threw, called `retry()`, or ended before acking.
 * The ledger turns that into an effect at most once per id within the dedup window:
 * a consumer claims the id before its effect and completes it after; a redelivery
 * finds it done (ack, do nothing) or still claimed.
 */

/** One message id's entry. Times are epoch milliseconds. */
export interface LedgerEntry {
  id: string;
  /**
   * `claimed`: an effect began (and may be under way); `released`: the last attempt
   * failed before (or without) its effect, a redelivery may try again; `done`: it
   * ended, `outcome` says how.
   */
  state: "claimed" | "released" | "done";
  /** Deliveries that claimed it (1 for the first). */
  claims: number;
  claimedAt: number;
  /** Until then a claim is live: a redelivery waits instead of starting the effect again. */
  leaseUntil: number;
  /** The effect's outcome (JSON), once done. */
  outcome: unknown;
  /** Failed attempts noted by consumers, the first and last of them, and the last reason. */
  failures: number;
  firstFailureAt: number | null;
  lastFailureAt: number | null;
  lastError: string | null;
  /** When the entry may be forgotten (the dedup window after its last change). */
  expiresAt: number;
}

/**
 * What a claim found:
 * - `claimed`: no effect yet for this id; this delivery holds it until `leaseUntil`;
 * - `done`: the effect already happened (`outcome`): acknowledge, do not repeat it;
 * - `busy`: another delivery holds a live claim: retry after `retryAfterMs`;
 * - `stale`: an earlier delivery claimed it and vanished before completing (its
 *   consumer crashed or timed out mid-effect): the effect may or may not have
 *   happened. This delivery now holds the claim; the consumer decides (an effect that
 *   must not repeat, such as a specialist call, completes as interrupted; a
 *   repeatable one runs again).
 */
export type ClaimResult =
  | { state: "claimed"; claims: number }
  | { state: "done"; outcome: unknown }
  | { state: "busy"; retryAfterMs: number }
  | { state: "stale"; claims: number; claimedAt: number };

/** The default dedup window: a redelivery within it never repeats an effect. */
export const DEDUP_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * Applies a claim to an id's entry (or its absence) at `now`: the result, and the
 * entry to store (undefined: unchanged).
 */
export function claim(entry: LedgerEntry | undefined, id: string, now: number, leaseMs: number, windowMs = DEDUP_WINDOW_MS): { result: ClaimResult; store?: LedgerEntry } {
  if (!entry || entry.expiresAt <= now)
    return {
      result: { state: "claimed", claims: 1 },
      store: { id, state: "claimed", claims: 1, claimedAt: now, leaseUntil: now + leaseMs, outcome: null, failures: entry?.failures ?? 0, firstFailureAt: entry?.firstFailureAt ?? null, lastFailureAt: entry?.lastFailureAt ?? null, lastError: entry?.lastError ?? null, expiresAt: now + windowMs },
    };
  if (entry.state === "done") return { result: { state: "done", outcome: entry.outcome } };
  if (entry.state === "released") {
    const claims = entry.claims + 1;
    return { result: { state: "claimed", claims }, store: { ...entry, state: "claimed", claims, claimedAt: now, leaseUntil: now + leaseMs, expiresAt: now + windowMs } };
  }
  if (entry.leaseUntil > now) return { result: { state: "busy", retryAfterMs: entry.leaseUntil - now } };
  const claims = entry.claims + 1;
  return { result: { state: "stale", claims, claimedAt: entry.claimedAt }, store: { ...entry, claims, claimedAt: now, leaseUntil: now + leaseMs, expiresAt: now + windowMs } };
}

/** Marks an id's effect done with its outcome (creates the entry if there was no claim). */
export function complete(entry: LedgerEntry | undefined, id: string, outcome: unknown, now: number, windowMs = DEDUP_WINDOW_MS): LedgerEntry {
  const base = entry ?? { id, claims: 0, claimedAt: now, failures: 0, firstFailureAt: null, lastFailureAt: null, lastError: null };
  return { ...base, state: "done", leaseUntil: now, outcome, expiresAt: now + windowMs };
}

/**
 * Notes a failed attempt (`error`: why, truncated to 1,000 characters). With `release`,
 * gives the claim up so a redelivery may try the effect again: for failures known to
 * have happened before the effect, or where the effect is safe to repeat. Without it,
 * a live claim stays (a redelivery after its lease finds it `stale`). A done entry is
 * left as it is.
 */
export function fail(entry: LedgerEntry | undefined, id: string, error: string, now: number, release: boolean, windowMs = DEDUP_WINDOW_MS): LedgerEntry {
  const base: LedgerEntry = entry ?? { id, state: "released", claims: 0, claimedAt: now, leaseUntil: now, outcome: null, failures: 0, firstFailureAt: null, lastFailureAt: null, lastError: null, expiresAt: now + windowMs };
  if (base.state === "done") return base;
  const noted = { ...base, failures: base.failures + 1, firstFailureAt: base.firstFailureAt ?? now, lastFailureAt: now, lastError: error.slice(0, 1000), expiresAt: now + windowMs };
  return release ? { ...noted, state: "released", leaseUntil: now } : noted;
}

/** The shard of the ledger an id lives in (FNV-1a over its UTF-16 code units), in [0, shards). */
export function ledgerShard(id: string, shards: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % shards;
}
