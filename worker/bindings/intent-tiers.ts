import { CachedIntent } from "../intent/record.ts";
import type { CacheTier } from "../intent/tiered-cache.ts";

const CACHE_ORIGIN = "https://intent-cache.switchyard.internal/";

/** The Cache API URL of a key: the key is one encoded path segment, so no part of it becomes a query or a fragment. */
export const cacheUrl = (key: string): string => CACHE_ORIGIN + encodeURIComponent(key);

/** Parses a stored value back through the schema: a corrupt entry is a miss, not a crash. */
function readBack(value: unknown): CachedIntent | undefined {
  const r = CachedIntent.safeParse(value);
  return r.success ? r.data : undefined;
}

/** The Cache API of the current location (`caches.default`). */
export function cacheApiTier(cache: Cache): CacheTier<CachedIntent> {
  return {
    name: "cache",
    async get(key) {
      const res = await cache.match(cacheUrl(key));
      return res ? readBack(await res.json()) : undefined;
    },
    async put(key, value, ttl) {
      const res = new Response(JSON.stringify(value), {
        headers: { "content-type": "application/json", "cache-control": `public, max-age=${ttl}` },
      });
      await cache.put(cacheUrl(key), res);
    },
  };
}

/** Workers KV: the global tier, eventually consistent everywhere. */
export function kvTier(kv: KVNamespace): CacheTier<CachedIntent> {
  return {
    name: "kv",
    async get(key) {
      return readBack(await kv.get(key, "json"));
    },
    async put(key, value, ttl) {
      await kv.put(key, JSON.stringify(value), { expirationTtl: Math.max(60, ttl) });
    },
  };
}
