import { Lru } from "./lru.ts";

/** A slower, shared cache tier (the Cache API of one location, or KV everywhere). */
export interface CacheTier<V> {
  readonly name: string;
  get(key: string): Promise<V | undefined>;
  put(key: string, value: V, ttlSeconds: number): Promise<void>;
}

/** Where a {@link TieredCache.get} found its value. */
export type CacheSource = "lru" | (string & {});

/**
 * Isolate LRU in front of slower shared tiers (Cache API → KV). A hit in a lower
 * tier is copied into the tiers above it; a miss everywhere returns `undefined`.
 * Writes to shared tiers are returned as a promise so the caller can hand it to
 * `waitUntil` and answer first. A failing shared tier counts as a miss: the cache
 * is an accelerator, never a reason to fail a request.
 *
 * @example
 * const cache = new TieredCache<IntentRecord>(10_000, [cacheApiTier, kvTier], 86_400);
 * const hit = await cache.get(key); // { value, source: "kv" } | undefined
 */
export class TieredCache<V> {
  readonly #lru: Lru<string, V>;
  readonly tiers: readonly CacheTier<V>[];
  readonly ttlSeconds: number;
  readonly onError: (tier: string, op: "get" | "put", error: unknown) => void;
  constructor(
    capacity: number,
    tiers: readonly CacheTier<V>[],
    ttlSeconds: number,
    onError: (tier: string, op: "get" | "put", error: unknown) => void = () => {},
  ) {
    this.#lru = new Lru(capacity);
    this.tiers = tiers;
    this.ttlSeconds = ttlSeconds;
    this.onError = onError;
  }

  /** Synchronous LRU lookup: the hot path for repeated inputs in one isolate. */
  peek(key: string): V | undefined {
    return this.#lru.get(key);
  }

  /** Looks through every tier; `backfill` receives the writes to the upper shared tiers. */
  async get(key: string, backfill: (p: Promise<unknown>) => void = () => {}): Promise<{ value: V; source: CacheSource } | undefined> {
    const hit = this.#lru.get(key);
    if (hit !== undefined) return { value: hit, source: "lru" };
    for (let i = 0; i < this.tiers.length; i++) {
      const tier = this.tiers[i]!;
      let value: V | undefined;
      try {
        value = await tier.get(key);
      } catch (e) {
        this.onError(tier.name, "get", e);
        continue;
      }
      if (value === undefined) continue;
      this.#lru.set(key, value);
      if (i > 0) backfill(this.#putTiers(key, value, this.tiers.slice(0, i)));
      return { value, source: tier.name };
    }
    return undefined;
  }

  /**
   * Stores in the LRU now; returns the promise of the shared-tier writes. A shared
   * tier that already holds the key is read, not written again (keys are content
   * addressed, so what it holds is the same record): every cold isolate classifies
   * the common inputs again, and without this each one would rewrite them to KV.
   * With `replace`, every tier is written whatever it holds (a value that supersedes
   * the one under its key: an escalated intent record).
   */
  set(key: string, value: V, replace = false): Promise<void> {
    this.#lru.set(key, value);
    return this.#putTiers(key, value, this.tiers, !replace);
  }

  async #putTiers(key: string, value: V, tiers: readonly CacheTier<V>[], readFirst = false): Promise<void> {
    await Promise.all(
      tiers.map(async (t) => {
        try {
          if (readFirst && (await t.get(key)) !== undefined) return;
          await t.put(key, value, this.ttlSeconds);
        } catch (e) {
          this.onError(t.name, "put", e);
        }
      }),
    );
  }
}
