import { describe, expect, it } from "vitest";
import { cacheApiTier, cacheUrl } from "../../../worker/bindings/intent-tiers.ts";
import type { CachedIntent } from "../../../worker/intent/record.ts";

/** A Cache API stand-in that keys entries as the real one does: by URL, without its fragment. */
function urlCache() {
  const store = new Map<string, string>();
  const norm = (u: string) => {
    const url = new URL(u);
    url.hash = "";
    return url.href;
  };
  return {
    store,
    cache: {
      match: async (u: string) => (store.has(norm(u)) ? new Response(store.get(norm(u))) : undefined),
      put: async (u: string, r: Response) => void store.set(norm(u), await r.text()),
    } as unknown as Cache,
  };
}

const record = (input: string): CachedIntent =>
  ({ id: `in_${"a".repeat(32)}`, label: "general.chat", specialist: "general", confidence: 0.9, inScope: true, topK: [], encoder: "e", model: "m", createdAt: "2026-01-01T00:00:00Z", input }) as CachedIntent;

describe("cache keys encode their parts", () => {
  it("tenants whose names hold '#' or ':' never read each other's records in the Cache API", async () => {
    const { cache, store } = urlCache();
    const tier = cacheApiTier(cache);
    const key = (tenant: string) => `model1:${tenant}:in_${"a".repeat(32)}`; // raw: the tier itself must keep it whole
    await tier.put(key("acme#eu"), record("eu secret"), 60);
    await tier.put(key("acme#us"), record("us secret"), 60);
    await tier.put(key("acme:x"), record("colon"), 60);
    expect(store.size).toBe(3);
    expect((await tier.get(key("acme#eu")))?.input).toBe("eu secret");
    expect((await tier.get(key("acme#us")))?.input).toBe("us secret");
    expect(await tier.get(key("acme"))).toBeUndefined();
    expect(cacheUrl("a#b?c")).not.toMatch(/[#?]/);
  });
});
