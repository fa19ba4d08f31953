import { describe, expect, it } from "vitest";
import bundled from "../../../switchyard.config.json";
import { explainIssues, fewExamples, keysByPath, nearestKey } from "../../../worker/config/explain.ts";
import { parseConfig } from "../../../worker/config/load.ts";
import { Config } from "../../../worker/config/schema.ts";

const keys = keysByPath(Config);

describe("config issues as a person reads them", () => {
  it("knows the keys at each path of the schema", () => {
    expect([...keys.get("specialists.*")!]).toEqual(expect.arrayContaining(["id", "endpoint", "timeoutMs", "fallbacks", "capabilities"]));
    expect([...keys.get("specialists.*.endpoint")!]).toEqual(expect.arrayContaining(["type", "binding", "path", "url", "model", "apiKeySecret", "allowedOrigins"]));
    expect([...keys.get("router")!]).toEqual(expect.arrayContaining(["minConfidence", "fallback"]));
  });

  it("names specialists by id and suggests the key a typo meant", () => {
    const raw = structuredClone(bundled) as { specialists: Record<string, unknown>[]; router: Record<string, unknown> };
    raw.specialists[1]!.timeoutMS = 5;
    (raw.specialists[2]!.endpoint as Record<string, unknown>).pth = "/x";
    raw.router.minConfidense = 0.4;
    raw.specialists[3]!.retries = -1;
    const r = parseConfig(raw);
    if (r.ok) throw new Error("expected the config to be refused");
    const ids = raw.specialists.map((s) => s.id);
    expect(explainIssues(r.issues, raw, keys)).toEqual(
      expect.arrayContaining([
        { path: `specialists[${ids[1]}]`, message: 'Unrecognized key: "timeoutMS" (did you mean "timeoutMs" for "timeoutMS"?)' },
        { path: `specialists[${ids[2]}].endpoint`, message: 'Unrecognized key: "pth" (did you mean "path" for "pth"?)' },
        { path: "router", message: 'Unrecognized key: "minConfidense" (did you mean "minConfidence" for "minConfidense"?)' },
        { path: `specialists[${ids[3]}].retries`, message: expect.any(String) },
      ]),
    );
  });

  it("suggests only close keys", () => {
    expect(nearestKey("TIMEOUTMS", ["timeoutMs"])).toBe("timeoutMs");
    expect(nearestKey("colour", ["timeoutMs", "retries"])).toBeUndefined();
  });

  it("warns about intents with few examples", () => {
    expect(fewExamples({ specialists: [{ id: "s", intents: [{ label: "a", examples: ["x", "y"] }, { label: "b", examples: Array(15).fill("z") }] }] })).toEqual([
      "specialists[s] intent 'a' has 2 examples; 15–25 varied ones route it more reliably",
    ]);
  });
});
