import { describe, expect, it } from "vitest";
import config from "../../../switchyard.config.json" with { type: "json" };
import { OUT_OF_SCOPE, readScopeCases, scopeCases, type ScopeFile } from "../../../scripts/lib/eval-cases.ts";

const cases = readScopeCases("eval/bundled/scope.json");
const fold = (s: string) => s.toLowerCase().replace(/\s+/gu, " ").trim();

describe("scopeCases", () => {
  it("flattens splits, specialists and intents into cases, out-of-scope ones without an intent", () => {
    const file = { dev: { units: { "units.convert": ["5 km to miles"] }, "out-of-scope": ["order a pizza"] }, test: {} } as unknown as ScopeFile;
    expect(scopeCases(file)).toEqual([
      { text: "5 km to miles", split: "dev", expect: "units", intent: "units.convert" },
      { text: "order a pizza", split: "dev", expect: OUT_OF_SCOPE },
    ]);
  });

  it("refuses a missing split, a flat list for a specialist and an empty request", () => {
    expect(() => scopeCases({ dev: {} } as unknown as ScopeFile)).toThrow(/"test"/);
    expect(() => scopeCases({ dev: { units: ["x"] }, test: {} } as unknown as ScopeFile)).toThrow(/intent labels/);
    expect(() => scopeCases({ dev: { "out-of-scope": [" "] }, test: {} } as unknown as ScopeFile)).toThrow(/empty/);
  });
});

describe("the scope set (eval/bundled/scope.json)", () => {
  const test = cases.filter((c) => c.split === "test");

  it("has at least 300 held-out requests, a third of them out of scope, most of those with numbers", () => {
    expect(test.length).toBeGreaterThanOrEqual(300);
    const oos = test.filter((c) => c.expect === OUT_OF_SCOPE);
    expect(oos.length / test.length).toBeGreaterThanOrEqual(1 / 3);
    expect(oos.filter((c) => /\d/u.test(c.text)).length / oos.length).toBeGreaterThan(0.5);
  });

  it("never repeats a request, and shares none with the config's examples", () => {
    expect(new Set(cases.map((c) => fold(c.text))).size).toBe(cases.length);
    const examples = new Set(config.specialists.flatMap((s) => (s.intents ?? []).flatMap((i) => i.examples.map(fold))));
    expect(cases.filter((c) => examples.has(fold(c.text))).map((c) => c.text)).toEqual([]);
  });

  it("expects only specialists and intents the bundled config declares", () => {
    const declared = new Map(config.specialists.map((s) => [s.id, new Set((s.intents ?? []).map((i) => i.label))]));
    for (const c of cases.filter((c) => c.expect !== OUT_OF_SCOPE)) expect(declared.get(c.expect)?.has(c.intent!), `${c.expect} ${c.intent}`).toBe(true);
  });
});
