import { describe, expect, it } from "vitest";
import bundled from "../../../switchyard.config.json";
import { ConfigError, loadConfig, parseConfig } from "../../../worker/config/load.ts";

/** The issues of a refused config; a config that was accepted fails the test. */
function issuesOf(r: ReturnType<typeof parseConfig>) {
  if (r.ok) throw new Error("expected the config to be refused");
  return r.issues;
}

const minimal = () => ({
  specialists: [
    { id: "a", endpoint: { type: "http", url: "https://a.example/run" }, intents: [{ label: "a.x", examples: ["do a"] }] },
    { id: "b", endpoint: { type: "service", binding: "SPECIALISTS", path: "/b" }, intents: [{ label: "b.x", examples: ["do b"] }] },
  ],
});

describe("config", () => {
  it("accepts the bundled switchyard.config.json", () => {
    const r = parseConfig(bundled);
    expect(r.ok).toBe(true);
  });

  it("fills defaults", () => {
    const c = loadConfig(minimal());
    expect(c.router).toMatchObject({ encoder: "builtin", minConfidence: 0.35, topK: 3 });
    expect(c.specialists[0]).toMatchObject({ timeoutMs: 10_000, retries: 0, fallbacks: [], costPerCall: 0 });
    expect(c.specialists[1]!.endpoint).toEqual({ type: "service", binding: "SPECIALISTS", path: "/b" });
  });

  it("tasks.inlineSteps: 8 by default, at least 1, at most a plan's 256 steps", () => {
    expect(loadConfig(minimal()).tasks.inlineSteps).toBe(8);
    expect(loadConfig({ ...minimal(), tasks: { inlineSteps: 1 } }).tasks.inlineSteps).toBe(1);
    for (const inlineSteps of [0, 257, 2.5]) expect(issuesOf(parseConfig({ ...minimal(), tasks: { inlineSteps } })).map((i) => i.path)).toEqual(["tasks.inlineSteps"]);
  });

  it("names the path of a bad field", () => {
    const raw = minimal();
    (raw.specialists[0]!.endpoint as { url: string }).url = "not a url";
    expect(issuesOf(parseConfig(raw)).map((i) => i.path)).toContain("specialists.0.endpoint.url");
  });

  it("rejects unknown fields, unknown endpoint types and bad ids", () => {
    const raw = minimal() as { specialists: Record<string, unknown>[]; extra?: number };
    raw.extra = 1;
    raw.specialists[0]!.id = "Bad Id";
    (raw.specialists[1]!.endpoint as { type: string }).type = "carrier-pigeon";
    const paths = issuesOf(parseConfig(raw)).map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(["", "specialists.0.id", "specialists.1.endpoint.type"]));
  });

  it("checks cross references: duplicate ids and labels, fallback and fallbacks", () => {
    const raw = minimal() as any;
    raw.specialists[1].id = "a";
    raw.specialists[1].intents[0].label = "a.x";
    raw.specialists[0].fallbacks = ["nobody"];
    raw.router = { fallback: "ghost" };
    const byPath = Object.fromEntries(issuesOf(parseConfig(raw)).map((i) => [i.path, i.message]));
    expect(byPath["specialists.1.id"]).toMatch(/duplicate specialist id 'a'/);
    expect(byPath["specialists.1.intents.0.label"]).toMatch(/already declared/);
    expect(byPath["specialists.0.fallbacks.0"]).toMatch(/unknown specialist 'nobody'/);
    expect(byPath["router.fallback"]).toMatch(/unknown specialist 'ghost'/);
  });

  it("requires at least one intent overall", () => {
    const raw = minimal() as any;
    for (const s of raw.specialists) s.intents = [];
    const r = parseConfig(raw);
    expect(r.ok).toBe(false);
  });

  it("parses JSON strings and reports JSON syntax errors", () => {
    expect(parseConfig(JSON.stringify(minimal())).ok).toBe(true);
    expect(issuesOf(parseConfig("{ nope"))[0]!.message).toMatch(/not JSON/);
  });

  it("loadConfig throws a ConfigError listing the paths", () => {
    expect(() => loadConfig({ specialists: [] })).toThrow(ConfigError);
    expect(() => loadConfig({ specialists: [{ id: "x" }] })).toThrow(/specialists\.0\.endpoint/);
  });
});

describe("specialist headers and secrets", () => {
  const base = (endpoint: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    ...extra,
    specialists: [{ id: "s", endpoint: { type: "http", url: "https://s.example/", ...endpoint }, intents: [{ label: "s.x", examples: ["x"] }] }],
  });
  it("refuses header names and values the runtime would refuse (CRLF, NUL, bad names) and the router's own headers", () => {
    for (const [headers, path] of [
      [{ "x-a": "ok\r\nInjected: yes" }, "specialists.0.endpoint.headers.x-a"],
      [{ "x-a": "nul\u0000" }, "specialists.0.endpoint.headers.x-a"],
      [{ "bad name": "v" }, "specialists.0.endpoint.headers.bad name"],
      [{ Authorization: "Bearer x" }, "specialists.0.endpoint.headers.Authorization"],
    ] as const) {
      expect(issuesOf(parseConfig(base({ headers }))).map((i) => i.path), JSON.stringify(headers)).toContain(path);
    }
    expect(parseConfig(base({ headers: { "x-org": "acme\tteam", accept: "application/json" } })).ok).toBe(true);
  });

  it("an apiKeySecret must be declared in secrets, and secrets cannot name the router's own bindings", () => {
    expect(issuesOf(parseConfig(base({ apiKeySecret: "S_KEY" })))[0]).toMatchObject({ path: "specialists.0.endpoint.apiKeySecret", message: expect.stringMatching(/not declared/) });
    expect(parseConfig(base({ apiKeySecret: "S_KEY" }, { secrets: ["S_KEY"] })).ok).toBe(true);
    for (const name of ["API_KEYS", "ADMIN_KEY_SHA256", "SESSION_SECRET", "SWITCHYARD_CONFIG"]) {
      expect(issuesOf(parseConfig(base({ apiKeySecret: name }, { secrets: [name] }))).map((i) => i.path), name).toContain("secrets.0");
    }
  });
});

describe("examples", () => {
  const config = (a: string[], b: string[]) => ({
    specialists: [
      { id: "one", endpoint: { type: "http", url: "https://one.example/" }, intents: [{ label: "one.x", examples: a }] },
      { id: "two", endpoint: { type: "http", url: "https://two.example/" }, intents: [{ label: "two.x", examples: b }] },
    ],
  });
  it("refuses the same example under two intents, naming both places", () => {
    expect(issuesOf(parseConfig(config(["convert 5 km to miles", "hello"], ["  Convert 5 KM to miles "])))).toContainEqual({ path: "specialists.1.intents.0.examples.0", message: "the same example as specialists[one] intent 'one.x' example 0 (after normalising case and spaces)" });
  });
  it("refuses examples with no letter or digit (whitespace, emoji, punctuation)", () => {
    for (const ex of ["   ", "👍🎉", "?!"]) {
      expect(issuesOf(parseConfig(config(["fine example"], [ex]))).map((i) => i.message), ex).toContain("has no letter or digit: it teaches the classifier nothing");
    }
  });
});
