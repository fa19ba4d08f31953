import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { mulberry32 } from "../../../worker/intent/hash.ts";
import { fewShotSources, loadClinc, sampleK, shuffled } from "../../../scripts/lib/few-shot-data.ts";
import { fewShotReport, pctRange } from "../../../scripts/lib/few-shot-eval.ts";
import type { Row } from "../../../scripts/lib/eval-data.ts";
import { toyClinc } from "../../support/toy-clinc.ts";

const quiet = () => {};

const rows: Row[] = [..."abcdefgh"].flatMap((c) => [[`${c} one`, "x"], [`${c} two`, "y"]] as Row[]).concat([["only z", "z"]]);

describe("seeded k-per-intent samples (scripts/lib/few-shot-data.ts)", () => {
  it("draws k rows of each label without replacement, all of a label's rows when it has fewer", () => {
    const s = sampleK(rows, 3, mulberry32(1));
    expect(s.filter((r) => r[1] === "x")).toHaveLength(3);
    expect(s.filter((r) => r[1] === "y")).toHaveLength(3);
    expect(s.filter((r) => r[1] === "z")).toEqual([["only z", "z"]]);
    expect(new Set(s.map((r) => r[0])).size).toBe(s.length);
    for (const r of s) expect(rows).toContainEqual(r);
  });

  it("is the same for a seed and differs between seeds", () => {
    expect(sampleK(rows, 3, mulberry32(4))).toEqual(sampleK(rows, 3, mulberry32(4)));
    const draws = new Set([1, 2, 3, 4, 5].map((seed) => JSON.stringify(sampleK(rows, 3, mulberry32(seed)))));
    expect(draws.size).toBeGreaterThan(1);
  });

  it("shuffles a copy, keeping every row", () => {
    const a = shuffled(rows, mulberry32(2));
    expect(a).not.toBe(rows);
    expect([...a].sort()).toEqual([...rows].sort());
  });

  it("gives each intent its domain as specialist and the out-of-scope class k rows of oos_train, under the fallback", () => {
    const data = toyClinc();
    const sources = fewShotSources(data, 4, mulberry32(1));
    expect(sources).toHaveLength(7);
    for (const s of sources) expect(s.examples).toHaveLength(4);
    expect(sources.find((s) => s.label === "oos")).toMatchObject({ specialist: "fallback" });
    expect(sources.find((s) => s.label === "visa")).toMatchObject({ specialist: "travel" });
    expect(fewShotSources(data, undefined, mulberry32(1)).reduce((n, s) => n + s.examples.length, 0)).toBe(data.train.length + data.oosTrain.length);
  });

  it("reads train and val, never a test split", () => {
    const dir = mkdtempSync(join(tmpdir(), "clinc-"));
    const file = join(dir, "data.json");
    writeFileSync(file, JSON.stringify({ train: [["a", "x"]], val: [["b", "x"]], oos_train: [["c", "oos"]], oos_val: [["d", "oos"]], test: [["SECRET", "x"]], oos_test: [["SECRET", "oos"]] }));
    writeFileSync(join(dir, "domains.json"), JSON.stringify({ dom: ["x"] }));
    const data = loadClinc(file, join(dir, "domains.json"));
    expect(Object.keys(data).sort()).toEqual(["domains", "oosTrain", "oosVal", "train", "val"]);
    expect(JSON.stringify([...Object.values(data)].map((v) => (v instanceof Map ? [...v] : v)))).not.toContain("SECRET");
    expect(() => loadClinc(join(dir, "missing.json"), join(dir, "domains.json"))).toThrow(/missing\.json: not found/);
  });
});

describe("the few-shot curves (scripts/lib/few-shot-eval.ts)", () => {
  it("fits each k with every seed plus the reference on all of train, and more examples score better", async () => {
    const data = toyClinc();
    const r = await fewShotReport(data, { ks: [1, 10], seeds: 2, log: quiet });
    expect(r.points.map((p) => [p.k, p.seed])).toEqual([[1, 1], [1, 2], [10, 1], [10, 2], [null, 1]]);
    expect(r.points.map((p) => p.trainRows)).toEqual([7, 7, 70, 70, 190]);
    const [one, ten, all] = r.summary;
    expect(ten!.inScopeAccuracy.mean).toBeGreaterThan(one!.inScopeAccuracy.mean + 0.2);
    expect(all!.inScopeAccuracy.mean).toBeGreaterThanOrEqual(ten!.inScopeAccuracy.mean);
    expect(one!.inScopeAccuracy.min).toBeLessThanOrEqual(one!.inScopeAccuracy.mean);
    expect(one!.inScopeAccuracy.max).toBeGreaterThanOrEqual(one!.inScopeAccuracy.mean);
    for (const p of r.points) expect(p.threshold).toBeGreaterThanOrEqual(0);
  });

  it("is deterministic for its seeds", async () => {
    const strip = (r: Awaited<ReturnType<typeof fewShotReport>>) => r.points.map(({ fitMs: _, ...p }) => p);
    const data = toyClinc();
    expect(strip(await fewShotReport(data, { ks: [3], seeds: 2, full: false, log: quiet }))).toEqual(strip(await fewShotReport(data, { ks: [3], seeds: 2, full: false, log: quiet })));
  });

  it("prints a mean with its range, or the mean alone for one value", () => {
    expect(pctRange({ mean: 0.7186, min: 0.7087, max: 0.7267 }, 2)).toBe("71.86 % (70.87–72.67)");
    expect(pctRange({ mean: 0.59, min: 0.59, max: 0.59 }, 0)).toBe("59 %");
  });
});
