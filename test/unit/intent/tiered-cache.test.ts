import { describe, expect, it } from "vitest";
import { TieredCache, type CacheTier } from "../../../worker/intent/tiered-cache.ts";

function memoryTier(name: string, fail = false) {
  const store = new Map<string, { value: number; ttl: number }>();
  const tier: CacheTier<number> & { store: typeof store; gets: number; puts: number } = {
    name,
    store,
    gets: 0,
    puts: 0,
    async get(key) {
      tier.gets++;
      if (fail) throw new Error(`${name} down`);
      return store.get(key)?.value;
    },
    async put(key, value, ttl) {
      tier.puts++;
      if (fail) throw new Error(`${name} down`);
      store.set(key, { value, ttl });
    },
  };
  return tier;
}


describe("TieredCache", () => {
  it("writes through every tier with the ttl, and answers from the LRU first", async () => {
    const cacheApi = memoryTier("cache");
    const kv = memoryTier("kv");
    const c = new TieredCache(10, [cacheApi, kv], 3600);
    await c.set("k", 42);
    expect(cacheApi.store.get("k")).toEqual({ value: 42, ttl: 3600 });
    expect(kv.store.get("k")).toEqual({ value: 42, ttl: 3600 });
    const gets = cacheApi.gets + kv.gets;
    expect(await c.get("k")).toEqual({ value: 42, source: "lru" });
    expect(cacheApi.gets + kv.gets).toBe(gets);
  });

  it("does not write again what a shared tier already holds (another isolate classified it first)", async () => {
    const cacheApi = memoryTier("cache");
    const kv = memoryTier("kv");
    kv.store.set("k", { value: 42, ttl: 3600 });
    await new TieredCache(10, [cacheApi, kv], 3600).set("k", 42);
    expect(kv.puts).toBe(0);
    expect(cacheApi.puts).toBe(1);
    expect(cacheApi.store.get("k")?.value).toBe(42);
  });

  it("finds an entry in a lower tier (another isolate wrote it) and backfills upper tiers", async () => {
    const cacheApi = memoryTier("cache");
    const kv = memoryTier("kv");
    kv.store.set("k", { value: 7, ttl: 1 });
    const c = new TieredCache(10, [cacheApi, kv], 60);
    const deferred: Promise<unknown>[] = [];
    expect(await c.get("k", (p) => deferred.push(p))).toEqual({ value: 7, source: "kv" });
    await Promise.all(deferred);
    expect(cacheApi.store.get("k")?.value).toBe(7);
    expect(c.peek("k")).toBe(7);
    expect(await c.get("missing")).toBeUndefined();
  });

  it("treats a failing tier as a miss and reports it", async () => {
    const errors: string[] = [];
    const broken = memoryTier("cache", true);
    const kv = memoryTier("kv");
    kv.store.set("k", { value: 1, ttl: 1 });
    const c = new TieredCache(10, [broken, kv], 60, (tier, op) => errors.push(`${tier}:${op}`));
    expect(await c.get("k")).toEqual({ value: 1, source: "kv" });
    await c.set("j", 2);
    // the get misses, the backfill of the kv hit fails, and the write's read-first fails on the broken tier
    expect(errors).toEqual(["cache:get", "cache:put", "cache:put"]);
    expect(broken.puts).toBe(1);
    expect(kv.store.get("j")?.value).toBe(2);
  });
});
