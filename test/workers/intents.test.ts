import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { Env } from "../../worker/env.ts";
import { getRuntime } from "../../worker/runtime.ts";
import { cacheUrl } from "../../worker/bindings/intent-tiers.ts";
import { call, callWith, problem } from "./helpers.ts";

type Intent = { id: string; label: string; specialist: string; confidence: number; inScope: boolean; topK: { label: string; confidence: number }[]; encoder: string; cached: string | null };

describe("POST /v1/intents", () => {
  it("classifies, returns top-k and the id, then answers repeats from the LRU", async () => {
    const input = `convert ${Math.random().toFixed(6)} kilometers to miles`;
    const first = await call("/v1/intents", { json: { input } });
    expect(first.status).toBe(200);
    const a = (await first.json()) as Intent;
    expect(a).toMatchObject({ specialist: "units", inScope: true, cached: null });
    expect(a.id).toMatch(/^in_[0-9a-f]{32}$/);
    expect(first.headers.get("x-intent-id")).toBe(a.id);
    expect(a.topK.length).toBeLessThanOrEqual(3);
    expect(a.topK[0]!.label).toBe(a.label);
    const alternatives = a.topK.slice(1).map((t) => t.confidence);
    expect(alternatives).toEqual([...alternatives].sort((x, y) => y - x)); // after the chosen label, by score
    expect(first.headers.get("server-timing")).toMatch(/intent/);

    const again = (await (await call("/v1/intents", { json: { input: `  ${input} ` } })).json()) as Intent;
    expect(again.id).toBe(a.id); // surrounding whitespace does not change what an input means
    expect(again.cached).toBe("lru");
    const upper = (await (await call("/v1/intents", { json: { input: input.toUpperCase() } })).json()) as Intent;
    expect(upper.id).not.toBe(a.id); // case can (8 Mb is not 8 MB): another intent
  });

  it("does not run the classifier for a cached input", async () => {
    const rt = await getRuntime(env as unknown as Env);
    const input = `what is 19 times 23 plus ${Math.random().toFixed(6)}`;
    const spy = vi.spyOn(rt.intents.model, "classify");
    try {
      await call("/v1/intents", { json: { input } });
      expect(spy).toHaveBeenCalledTimes(1); // the spy sees the router's classifier: the first time, it runs
      const res = (await (await call("/v1/intents", { json: { input } })).json()) as Intent;
      expect(res.cached).toBe("lru");
      expect(spy).toHaveBeenCalledTimes(1); // the repeat did not run it
    } finally {
      spy.mockRestore();
    }
  });

  it("rejects bad input with 400 problem+json and never caches it", async () => {
    const cases: [RequestInit & { json?: unknown }, RegExp][] = [
      [{ json: {} }, /input/],
      [{ json: { input: "" } }, /input/],
      [{ json: { input: 42 } }, /input/],
      [{ json: { input: "hi", extra: true } }, /extra|unrecognized/i],
      [{ json: { input: "x".repeat(20_001) } }, /20001 characters, more than the router's limit of 20000/],
      [{ method: "POST", body: "{not json", headers: { "content-type": "application/json" } }, /json/i],
    ];
    for (const [init, detail] of cases) {
      const res = await call("/v1/intents", init);
      expect(res.status, JSON.stringify(init).slice(0, 80)).toBe(400);
      expect((await problem(res)).detail).toMatch(detail);
    }
  });

  it("413s a body over the limit", async () => {
    const res = await call("/v1/intents", { json: { input: "y".repeat(1024 * 1024 + 10) } });
    expect(res.status).toBe(413);
    expect((await problem(res)).detail).toMatch(/limited to 1048576 bytes/);
  });
});

describe("GET /v1/intents/:id", () => {
  it("returns a cached record without its input", async () => {
    const made = (await (await call("/v1/intents", { json: { input: "what day of the week is 2031-07-04" } })).json()) as Intent;
    const res = await call(`/v1/intents/${made.id}`);
    expect(res.status).toBe(200);
    const got = (await res.json()) as Intent & { input?: string };
    expect(got).toMatchObject({ id: made.id, label: made.label, specialist: made.specialist });
    expect(got.input).toBeUndefined();
  });

  it("finds a record that another isolate wrote to KV, and copies it into the Cache API", async () => {
    const rt = await getRuntime(env as unknown as Env);
    const id = `in_${"c".repeat(32)}`;
    const key = `${rt.intents.modelKey}:dev:${id}`;
    const record = { id, label: "units.convert", specialist: "units", confidence: 0.9, inScope: true, topK: [], encoder: "x", model: rt.intents.modelKey, createdAt: "2026-01-01T00:00:00Z", input: "5 km in miles" };
    await (env as unknown as Env).INTENTS!.put(key, JSON.stringify(record));
    expect(await caches.default.match(cacheUrl(key))).toBeUndefined();
    const res = await callWith({}, `/v1/intents/${id}`); // waits for the copy, written after the response
    expect(res.status).toBe(200);
    expect(((await res.json()) as Intent).label).toBe("units.convert");
    expect(((await (await caches.default.match(cacheUrl(key)))!.json()) as Intent).label).toBe("units.convert");
  });

  it("ignores a corrupt stored entry (a miss, not a crash)", async () => {
    const rt = await getRuntime(env as unknown as Env);
    const id = `in_${"d".repeat(32)}`;
    await (env as unknown as Env).INTENTS!.put(`${rt.intents.modelKey}:dev:${id}`, JSON.stringify({ id, label: 5 }));
    expect((await call(`/v1/intents/${id}`)).status).toBe(404);
  });

  it("404s an unknown id and 400s a malformed one", async () => {
    const unknown = await call(`/v1/intents/in_${"0".repeat(32)}`);
    expect(unknown.status).toBe(404);
    expect((await problem(unknown)).detail).toMatch(/no intent/);
    const bad = await call("/v1/intents/not-an-id");
    expect(bad.status).toBe(400);
    expect((await problem(bad)).errors?.[0]?.path).toBe("id");
  });
});

describe("the shared tiers of the intent cache (miniflare's KV and Cache API)", () => {
  it("a classified intent is written to KV and to the Cache API", async () => {
    const rt = await getRuntime(env as unknown as Env);
    const made = (await (await callWith({}, "/v1/intents", { json: { input: `convert ${Math.random().toFixed(6)} km to miles` } })).json()) as Intent;
    const key = `${rt.intents.modelKey}:dev:${made.id}`;
    const kv = (await (env as unknown as Env).INTENTS!.get(key, "json")) as Intent | null;
    expect(kv).toMatchObject({ id: made.id, label: made.label, specialist: "units" });
    const cached = await caches.default.match(cacheUrl(key));
    expect(((await cached!.json()) as Intent)).toMatchObject({ id: made.id, label: made.label, specialist: "units" });
  });

  it("a record that is only in the Cache API (not in this isolate's LRU, not in KV) is found by id", async () => {
    const rt = await getRuntime(env as unknown as Env);
    const id = `in_${"e".repeat(32)}`;
    const key = `${rt.intents.modelKey}:dev:${id}`;
    const record = { id, label: "math.evaluate", specialist: "arithmetic", confidence: 0.8, inScope: true, topK: [], encoder: "x", model: rt.intents.modelKey, createdAt: "2026-01-01T00:00:00Z", input: "2 + 2" };
    await caches.default.put(cacheUrl(key), new Response(JSON.stringify(record), { headers: { "content-type": "application/json", "cache-control": "public, max-age=600" } }));
    expect(await (env as unknown as Env).INTENTS!.get(key)).toBeNull();
    const res = await callWith({}, `/v1/intents/${id}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id, label: "math.evaluate", specialist: "arithmetic" });
  });
});

describe("content-free input", () => {
  it("whitespace-only is a 400 like empty; emoji-only and punctuation-only are out of scope", async () => {
    for (const path of ["/v1/intents", "/v1/route"]) {
      const res = await call(path, { json: { input: "   \n\t " } });
      expect(res.status, path).toBe(400);
      expect(((await res.json()) as { detail: string }).detail).toMatch(/input: is only whitespace/);
    }
    for (const input of ["👍👍🎉", "?!...", "— ¿¡ —"]) {
      const r = (await (await call("/v1/intents", { json: { input } })).json()) as { inScope: boolean; specialist: string };
      expect(r.inScope, input).toBe(false);
      expect(r.specialist, input).toBe("general"); // the router's fallback
    }
  });
});

describe("an intent id stands for one input", () => {
  it("inputs that differ in case get different ids, and each next hop by id answers its own question", async () => {
    const bits = (await (await call("/v1/route", { json: { input: "convert 8 Mb to kB" } })).json()) as { decision: { intent: { id: string } }; output: { text: string } };
    const bytes = (await (await call("/v1/route", { json: { input: "convert 8 MB to kB" } })).json()) as { decision: { intent: { id: string } }; output: { text: string } };
    expect(bits.decision.intent.id).not.toBe(bytes.decision.intent.id);
    const again = (await (await call("/v1/route", { json: { intent: bytes.decision.intent.id } })).json()) as { output: { text: string } };
    expect(again.output.text).toBe(bytes.output.text);
    const againBits = (await (await call("/v1/route", { json: { intent: bits.decision.intent.id } })).json()) as { output: { text: string } };
    expect(againBits.output.text).toBe(bits.output.text);
  });
});
