import { fmix32, fnv1a } from "../intent/hash.ts";
import { toMicros } from "./budget.ts";
import { int } from "./guard.ts";
import type { PoolConfig } from "./pool-types.ts";

/**
 * Splits an integer `limit` into `n` per-shard limits that sum exactly to
 * `limit`; the remainder goes one each to the first shards. With `limit < n`
 * the last shards get 0 (they deny everything: keep `n ≤ limit`).
 *
 * @example
 * splitLimit(10, 3) // [4, 3, 3]
 * splitLimit(2, 3)  // [1, 1, 0]
 */
export function splitLimit(limit: number, n: number): number[] {
  int("limit", limit);
  int("n", n, 1);
  const base = Math.floor(limit / n);
  const extra = limit - base * n;
  return Array.from({ length: n }, (_, i) => base + (i < extra ? 1 : 0));
}

/**
 * The pool config of shard `i` of `n`: `rpm`, `tpm`, `concurrency` and
 * `dailyBudgetUsd` (in micro-dollars) are split with {@link splitLimit}, so the
 * shards' limits sum exactly to the pool's; the breaker, `windowMs` and
 * `leaseTtlMs` are copied (each shard trips on its own).
 *
 * @example
 * shardConfig({ rpm: 100, dailyBudgetUsd: 1, breaker }, 3, 0) // { rpm: 34, dailyBudgetUsd: 0.333334, breaker }
 */
export function shardConfig(config: PoolConfig, n: number, i: number): PoolConfig {
  int("i", i);
  if (i >= n) throw new RangeError(`shard index ${i} out of range for ${n} shards`);
  const part = (limit: number): number => splitLimit(limit, n)[i] as number;
  const out: PoolConfig = { ...config };
  if (config.breaker !== undefined) out.breaker = { ...config.breaker };
  if (config.rpm !== undefined) out.rpm = part(config.rpm);
  if (config.tpm !== undefined) out.tpm = part(config.tpm);
  if (config.concurrency !== undefined) out.concurrency = part(config.concurrency);
  if (config.dailyBudgetUsd !== undefined) out.dailyBudgetUsd = part(toMicros(config.dailyBudgetUsd)) / 1_000_000;
  return out;
}

/**
 * Two distinct shards to try in order: the key hashes to two candidate shards, and
 * `rng` (uniform in [0, 1)) picks which to try first, so calls split evenly between
 * them and a shard that refuses spills to the other. This is not "power of two
 * choices": no load is compared (learning a shard's load would cost a second
 * Durable Object call per admission); the first shard takes the call if it can.
 * Pass a per-request key (e.g. the lease id) to spread over all shards, or a
 * tenant key for affinity. With `n = 1` the only shard is returned.
 *
 * @example
 * pickShards("req_42", 8, Math.random) // [6, 0] or [0, 6]
 */
export function pickShards(key: string, n: number, rng: () => number): number[] {
  int("n", n, 1);
  if (n === 1) return [0];
  const h1 = fnv1a(key);
  const h2 = fmix32(h1 ^ 0x9e3779b9);
  const a = h1 % n;
  const b = (a + 1 + (h2 % (n - 1))) % n;
  return rng() < 0.5 ? [a, b] : [b, a];
}
