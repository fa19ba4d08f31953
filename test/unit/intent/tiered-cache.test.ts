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

  it("with replace, writes every tier whatever it holds, without reading first", async () => {
    const cacheApi = memoryTier("cache");
    const kv = memoryTier("kv");
    kv.store.set("k", { value: 42, ttl: 3600 });
    const c = new TieredCache(10, [cacheApi, kv], 3600);
    await c.set("k", 43, true);
    expect([kv.gets, kv.puts, cacheApi.gets, cacheApi.puts]).toEqual([0, 1, 0, 1]);
    expect(kv.store.get("k")?.value).toBe(43);
    expect(c.peek("k")).toBe(43);
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

  it("answers from the first tier without backfilling, and passes a miss in one tier on to the next", async () => {
    const cacheApi = memoryTier("cache");
    const kv = memoryTier("kv");
    cacheApi.store.set("k", { value: 5, ttl: 1 });
    kv.store.set("j", { value: 6, ttl: 1 });
    const c = new TieredCache(10, [cacheApi, kv], 60);
    const deferred: Promise<unknown>[] = [];
    expect(await c.get("k", (p) => deferred.push(p))).toEqual({ value: 5, source: "cache" });
    expect(deferred).toHaveLength(0);
    expect(kv.gets).toBe(0);
    expect(await c.get("j", (p) => deferred.push(p))).toEqual({ value: 6, source: "kv" });
    expect(deferred).toHaveLength(1);
    await Promise.all(deferred);
    expect(cacheApi.store.get("j")).toEqual({ value: 6, ttl: 60 });
    expect(kv.puts).toBe(0); // the tier it came from is not written again
    expect(await c.get("k")).toEqual({ value: 5, source: "lru" });
  });

  it("backfills without being asked to defer, and fails quietly without an error handler", async () => {
    const cacheApi = memoryTier("cache");
    const kv = memoryTier("kv");
    kv.store.set("k", { value: 3, ttl: 1 });
    const c = new TieredCache(10, [cacheApi, kv], 60);
    expect(await c.get("k")).toEqual({ value: 3, source: "kv" });
    await Promise.resolve();
    await Promise.resolve();
    expect(cacheApi.store.get("k")?.value).toBe(3);
    const quiet = new TieredCache(10, [memoryTier("cache", true)], 60);
    expect(await quiet.get("x")).toBeUndefined();
    await expect(quiet.set("x", 1)).resolves.toBeUndefined();
    expect(quiet.peek("x")).toBe(1);
  });

  it("holds a value in the LRU as soon as it is set, and keeps only its capacity there", async () => {
    const kv = memoryTier("kv");
    const c = new TieredCache(1, [kv], 60);
    const write = c.set("a", 1);
    expect(c.peek("a")).toBe(1);
    await write;
    await c.set("b", 2);
    expect(c.peek("a")).toBeUndefined();
    expect(await c.get("a")).toEqual({ value: 1, source: "kv" });
    expect(c.ttlSeconds).toBe(60);
    expect(c.tiers).toEqual([kv]);
  });

  it("reports the failing tier, the operation and the error", async () => {
    const seen: [string, string, unknown][] = [];
    const broken = memoryTier("cache", true);
    const c = new TieredCache(10, [broken], 60, (tier, op, e) => seen.push([tier, op, e]));
    await c.get("k");
    await c.set("k", 1);
    expect(seen.map(([t, o, e]) => [t, o, (e as Error).message])).toEqual([
      ["cache", "get", "cache down"],
      ["cache", "put", "cache down"],
    ]);
  });
});
