import type { BreakerState } from "./breaker.ts";
import type { PoolView } from "./pool-types.ts";

/** A pool seen across its shards: usage summed over them, the breaker at its worst. */
export interface MergedPoolView {
  totals: { requestsUsed: number; tokensUsed: number; activeLeases: number; spentUsd: number };
  /** Null when no shard has a breaker. */
  breaker: { state: BreakerState } | null;
}

const SEVERITY: Record<BreakerState, number> = { closed: 0, "half-open": 1, open: 2 };

/**
 * The worst of several breaker states: `open` if any is open, else `half-open` if any
 * is, else `closed`; null when none has a breaker. Each shard of a pool trips on its
 * own (`shardConfig` copies the breaker), so a pool with one shard open is not healthy.
 *
 * @example
 * worstBreaker(["closed", "open", "half-open"]) // "open"
 * worstBreaker([null, null])                     // null
 */
export function worstBreaker(states: readonly (BreakerState | null | undefined)[]): BreakerState | null {
  let worst: BreakerState | null = null;
  for (const s of states) if (s != null && (worst === null || SEVERITY[s] > SEVERITY[worst])) worst = s;
  return worst;
}

/**
 * Merges the views of every shard of one pool (or the one view of an unsharded pool):
 * requests, tokens, leases and spend summed (spend rounded to micro-dollars, as the
 * budget counts), and the breaker at its worst ({@link worstBreaker}).
 *
 * @example
 * mergeShardViews([shard0, shard1]).breaker // { state: "open" } when shard 1 is open and shard 0 closed
 */
export function mergeShardViews(views: readonly PoolView[]): MergedPoolView {
  const sum = (f: (v: PoolView) => number | undefined) => views.reduce((n, v) => n + (f(v) ?? 0), 0);
  const state = worstBreaker(views.map((v) => v.breaker?.state));
  return {
    totals: {
      requestsUsed: sum((v) => v.requests?.used),
      tokensUsed: sum((v) => v.tokens.used),
      activeLeases: sum((v) => v.leases?.active),
      spentUsd: Math.round(sum((v) => v.budget?.spentUsd) * 1e6) / 1e6,
    },
    breaker: state === null ? null : { state },
  };
}
