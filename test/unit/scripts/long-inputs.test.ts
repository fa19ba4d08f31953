import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { OUT_OF_SCOPE } from "../../../scripts/lib/eval-cases.ts";
import { expandLongInputs, prose, type LongInputSpec } from "../../../scripts/lib/long-inputs.ts";
import { mulberry32 } from "../../../worker/intent/hash.ts";

const spec = JSON.parse(readFileSync("eval/bundled/long-inputs.json", "utf8")) as LongInputSpec;
const cases = expandLongInputs(spec);

describe("prose", () => {
  it("draws sentences into paragraphs, stopping before the target unless it must reach the minimum", () => {
    const pool = ["One two three.", "Four five six.", "Seven eight nine."];
    const text = prose(pool, 100, 20, mulberry32(7));
    expect(text.length).toBeGreaterThanOrEqual(20);
    expect(text.length).toBeLessThanOrEqual(100);
    for (const s of text.split(/\s+(?=[A-Z])/u)) expect(pool).toContain(s.trim());
    expect(prose(pool, 5, 40, mulberry32(7)).length).toBeGreaterThanOrEqual(40);
    expect(() => prose(["Only one."], 50, 10, mulberry32(1))).toThrow(/at least 2/);
  });
});

describe("the long-input set (eval/bundled/long-inputs.json)", () => {
  it("expands the same way every time", () => {
    expect(expandLongInputs(spec)).toEqual(cases);
  });

  it("holds at least 100 held-out bundled-specialist requests, all between 200 and 20,000 characters, half under 2,000", () => {
    const test = cases.filter((c) => c.split === "test" && c.expect !== OUT_OF_SCOPE);
    expect(test.length).toBeGreaterThanOrEqual(100);
    for (const c of cases) {
      expect(c.text.length).toBeGreaterThanOrEqual(200);
      expect(c.text.length).toBeLessThanOrEqual(20_000);
    }
    expect(test.filter((c) => c.text.length < 2000).length).toBe(test.length / 2);
    expect(Math.max(...test.map((c) => c.text.length))).toBeGreaterThan(15_000);
    expect(new Set(test.map((c) => c.expect))).toEqual(new Set(["summarize", "text-stats", "units", "datetime", "arithmetic"]));
  });

  it("keeps dev and test apart: no template or prose sentence in both", () => {
    const dev = spec.splits.dev;
    const test = spec.splits.test;
    expect(dev.templates.filter((t) => test.templates.some((u) => u.text.toLowerCase() === t.text.toLowerCase()))).toEqual([]);
    expect(dev.prose.filter((s) => test.prose.includes(s))).toEqual([]);
  });

  it("rejects a template without exactly one {text}", () => {
    const bad = { ...spec, splits: { ...spec.splits, dev: { ...spec.splits.dev, templates: [{ specialist: "summarize", text: "summarize: {text} {text}" }] } } };
    expect(() => expandLongInputs(bad)).toThrow(/one \{text\}/);
  });
});
