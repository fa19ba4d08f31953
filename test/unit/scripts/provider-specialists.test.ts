import { describe, expect, it } from "vitest";
import bundled from "../../../switchyard.config.json" with { type: "json" };
import { FAKE_PROVIDER_KEYS, PROVIDER_SPECIALISTS, providerConfig } from "../../../scripts/lib/provider-specialists.ts";
import { parseConfig } from "../../../worker/config/load.ts";

const urls = { openai: "http://127.0.0.1:1001", anthropic: "http://127.0.0.1:1002", gemini: "http://127.0.0.1:1003" };

describe("providerConfig (npm run dev:providers)", () => {
  it("is a valid config: the bundled specialists, then one per provider type and a -429 twin each, every key declared", () => {
    const r = parseConfig(providerConfig(urls));
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const ids = r.config.specialists.map((s) => s.id);
    expect(ids.slice(0, bundled.specialists.length)).toEqual(bundled.specialists.map((s) => s.id));
    expect(ids.slice(bundled.specialists.length)).toEqual(PROVIDER_SPECIALISTS.flatMap((p) => [p.id, `${p.id}-429`]));
    for (const p of PROVIDER_SPECIALISTS) expect(r.config.specialists.find((s) => s.id === p.id)!.endpoint).toMatchObject({ type: p.type, model: p.model });
    expect(r.config.secrets).toEqual(expect.arrayContaining(Object.keys(FAKE_PROVIDER_KEYS)));
  });

  it("points each provider at its fake's versioned base URL, Workers AI at the stand-in binding", () => {
    const byId = Object.fromEntries(providerConfig(urls).specialists.map((s) => [s.id, s.endpoint as Record<string, unknown>]));
    expect(byId.writer).toMatchObject({ url: "http://127.0.0.1:1001/v1", apiKeySecret: "WRITER_KEY" });
    expect(byId.claude).toMatchObject({ url: "http://127.0.0.1:1002/v1", apiKeySecret: "CLAUDE_KEY" });
    expect(byId.gemini).toMatchObject({ url: "http://127.0.0.1:1003/v1beta", apiKeySecret: "GEMINI_KEY" });
    expect(byId.wai).toMatchObject({ type: "workers-ai", binding: "EXAMPLE_AI" });
    expect(byId["wai-429"]).toMatchObject({ model: "@cf/test/capacity" });
  });

  it("adds no intents, so 'auto' routes as with the bundled config, and leaves the bundled config as it was", () => {
    const before = JSON.stringify(bundled);
    const c = providerConfig(urls);
    for (const s of c.specialists.slice(bundled.specialists.length)) {
      expect(s).not.toHaveProperty("intents");
      expect(s).not.toHaveProperty("description");
    }
    expect(JSON.stringify(bundled)).toBe(before);
  });
});
