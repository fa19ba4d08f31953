import { describe, expect, it } from "vitest";
import { FIT_DEFAULTS, forEachEntry, resolveFitOptions, trainSoftmax, type FloatModel } from "../../../worker/intent/train.ts";
import { denseVector, type Vector } from "../../../worker/intent/vector.ts";

const sp = (dim: number, entries: [number, number][]): Vector => ({
  kind: "sparse",
  dim,
  indices: Int32Array.from(entries.map((e) => e[0])),
  values: Float32Array.from(entries.map((e) => e[1])),
});

/** Three separable classes over a few sparse features (feature 7 is shared by a and b). */
const ROWS = [
  { vector: sp(50, [[1, 1], [7, 0.5]]), label: "a" },
  { vector: sp(50, [[1, 0.8], [9, 0.6]]), label: "a" },
  { vector: sp(50, [[3, 1], [7, 0.4]]), label: "b" },
  { vector: sp(50, [[3, 0.7], [12, 0.7]]), label: "b" },
  { vector: sp(50, [[20, 1]]), label: "c" },
  { vector: sp(50, [[20, 0.6], [40, 0.8]]), label: "c" },
];
const FAST = { minUpdates: 300 };
const PLAIN = { labelSmoothing: 0, inputDropout: 0 };

/** Softmax probabilities of a float model for a vector (what the model means). */
function probabilities(m: FloatModel, v: Vector): number[] {
  const C = m.labels.length;
  const z = Array.from(m.bias);
  forEachEntry(v, (index, value) => {
    const f = m.features.indexOf(index);
    if (f >= 0) for (let c = 0; c < C; c++) z[c]! += value * m.weights[f * C + c]!;
  });
  const max = Math.max(...z);
  const e = z.map((x) => Math.exp(x - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / sum);
}
const trueProbabilities = (m: FloatModel, rows = ROWS) => rows.map((r) => probabilities(m, r.vector)[m.labels.indexOf(r.label)]!);
const maxAbs = (a: ArrayLike<number>) => Array.from(a).reduce((m, x) => Math.max(m, Math.abs(x)), 0);

describe("resolveFitOptions", () => {
  it("fills the defaults, keeps given values, and ignores undefined and unknown fields", () => {
    expect(resolveFitOptions()).toEqual({ ...FIT_DEFAULTS, groups: undefined });
    expect(resolveFitOptions({ epochs: undefined, seed: 9 })).toEqual({ ...FIT_DEFAULTS, seed: 9, groups: undefined });
    expect(resolveFitOptions({ foo: 1 } as never)).not.toHaveProperty("foo");
    expect(FIT_DEFAULTS).toEqual({ epochs: 6, learningRate: 4, l2: 1e-6, seed: 1, minUpdates: 10_000, maxNonZeros: 400_000, labelSmoothing: 0.1, inputDropout: 0.2, groupWeight: 1 });
  });

  it("takes groups as a record or a Map, and whole passes", () => {
    expect(resolveFitOptions({ groups: { a: "x", b: "y" } }).groups).toEqual(new Map([["a", "x"], ["b", "y"]]));
    const m = new Map([["a", "x"]]);
    expect(resolveFitOptions({ groups: m }).groups).toBe(m);
    expect(resolveFitOptions({ epochs: 2.9 }).epochs).toBe(2);
  });

  it("accepts the edges of every range", () => {
    expect(() => resolveFitOptions({ epochs: 1, l2: 0, labelSmoothing: 0, inputDropout: 0, groupWeight: 0, maxNonZeros: 1 })).not.toThrow();
    expect(() => resolveFitOptions({ l2: 0.2, learningRate: 4 })).not.toThrow();
  });

  it.each([
    { epochs: 0 },
    { epochs: 0.5 },
    { epochs: Number.NaN },
    { learningRate: 0 },
    { learningRate: -1 },
    { l2: -1e-9 },
    { l2: 0.25, learningRate: 4 },
    { l2: 1, learningRate: 2 },
    { maxNonZeros: 0 },
    { labelSmoothing: -0.1 },
    { labelSmoothing: 1 },
    { labelSmoothing: Number.NaN },
    { inputDropout: -0.1 },
    { inputDropout: 1 },
    { groupWeight: -0.5 },
    { groupWeight: Number.NaN },
  ])("rejects %o", (bad) => {
    expect(() => resolveFitOptions(bad)).toThrow("fitClassifier: invalid options");
  });
});

describe("forEachEntry", () => {
  it("visits a sparse vector's entries in order, and a dense vector's non-zero coordinates", () => {
    const seen: [number, number][] = [];
    forEachEntry(sp(10, [[2, 0.5], [7, 0.25]]), (i, v) => seen.push([i, v]));
    forEachEntry({ kind: "dense", values: Float32Array.from([0, 0.5, 0, 0.25]) }, (i, v) => seen.push([i, v]));
    expect(seen).toEqual([[2, 0.5], [7, 0.25], [1, 0.5], [3, 0.25]]);
  });
});

describe("trainSoftmax", () => {
  it("rejects invalid options, an empty set, empty labels and mixed dimensions", () => {
    expect(() => trainSoftmax(ROWS, { epochs: 0 })).toThrow("fitClassifier: invalid options");
    expect(() => trainSoftmax([])).toThrow("fitClassifier: no training rows");
    expect(() => trainSoftmax([...ROWS, { vector: sp(50, [[1, 1]]), label: "" }])).toThrow("fitClassifier: empty label");
    expect(() => trainSoftmax([...ROWS, { vector: sp(50, [[1, 1]]), label: 5 as unknown as string }])).toThrow("fitClassifier: empty label");
    expect(() => trainSoftmax([...ROWS, { vector: sp(51, [[1, 1]]), label: "a" }])).toThrow("fitClassifier: vectors of different dimensions");
    expect(() => trainSoftmax([{ vector: denseVector([1, 0]), label: "a" }, { vector: denseVector([1, 0, 0]), label: "b" }])).toThrow(/different dimensions/);
  });

  it("returns labels in first-seen order and one weight per used feature and label", () => {
    const m = trainSoftmax([...ROWS].reverse(), FAST);
    expect(m.labels).toEqual(["c", "b", "a"]);
    expect(m.dim).toBe(50);
    expect(Array.from(m.features)).toEqual([1, 3, 7, 9, 12, 20, 40]);
    expect(m.weights).toHaveLength(7 * 3);
    expect(m.bias).toHaveLength(3);
    expect(m.groups).toBeUndefined();
    expect(Array.from(m.weights).every(Number.isFinite)).toBe(true);
  });

  it("learns separable classes: every training row gets its label", () => {
    for (const o of [FAST, { ...FAST, ...PLAIN }, {}]) {
      const m = trainSoftmax(ROWS, o);
      for (const r of ROWS) {
        const p = probabilities(m, r.vector);
        expect(m.labels[p.indexOf(Math.max(...p))]).toBe(r.label);
      }
    }
  });

  it("is deterministic for a seed, and the seed matters", () => {
    const a = trainSoftmax(ROWS, FAST);
    expect(trainSoftmax(ROWS, FAST)).toEqual(a);
    expect(Array.from(trainSoftmax(ROWS, { ...FAST, seed: 2 }).weights)).not.toEqual(Array.from(a.weights));
  });

  it("dense rows: features are the non-zero coordinates", () => {
    const rows = [
      { vector: denseVector([1, 0, 0, 0]), label: "x" },
      { vector: denseVector([0, 0, 1, 0]), label: "y" },
    ];
    const m = trainSoftmax(rows, FAST);
    expect(m.dim).toBe(4);
    expect(Array.from(m.features)).toEqual([0, 2]);
    expect(probabilities(m, denseVector([1, 0, 0, 0]))[0]).toBeGreaterThan(0.8);
    expect(probabilities(m, denseVector([0, 0, 1, 0]))[1]).toBeGreaterThan(0.8);
  });

  it("converges to the smoothed target: 1 − ε on the label", () => {
    const sharp = trueProbabilities(trainSoftmax(ROWS, PLAIN));
    for (const p of sharp) expect(p).toBeGreaterThan(0.99);
    const smoothed = trueProbabilities(trainSoftmax(ROWS, { labelSmoothing: 0.3, inputDropout: 0 }));
    for (const p of smoothed) expect(p).toBeCloseTo(0.7, 1);
    // ε is spread evenly over the other labels
    const m = trainSoftmax(ROWS, { labelSmoothing: 0.3, inputDropout: 0 });
    for (const r of ROWS) {
      const p = probabilities(m, r.vector);
      for (let c = 0; c < 3; c++) if (m.labels[c] !== r.label) expect(p[c]).toBeCloseTo(0.15, 1);
    }
  });

  it("makes small sets take at least minUpdates updates", () => {
    const once = trueProbabilities(trainSoftmax(ROWS, { ...PLAIN, epochs: 1, minUpdates: 1 }));
    const raised = trueProbabilities(trainSoftmax(ROWS, { ...PLAIN, epochs: 1 }));
    expect(Math.min(...once)).toBeLessThan(0.95);
    expect(Math.min(...raised)).toBeGreaterThan(0.99);
  });

  it("shrinks weights with the L2 penalty and stays finite under a strong one", () => {
    const free = trainSoftmax(ROWS, { ...PLAIN, ...FAST, l2: 0 });
    const weak = trainSoftmax(ROWS, { ...PLAIN, ...FAST, l2: 0.01 });
    const strong = trainSoftmax(ROWS, { ...PLAIN, l2: 0.2 });
    expect(maxAbs(weak.weights)).toBeLessThan(maxAbs(free.weights));
    expect(Array.from(strong.weights).every(Number.isFinite)).toBe(true);
    expect(maxAbs(strong.weights)).toBeLessThan(maxAbs(weak.weights));
    expect(maxAbs(strong.weights)).toBeGreaterThan(0.1);
    for (const r of ROWS) {
      const p = probabilities(strong, r.vector);
      expect(strong.labels[p.indexOf(Math.max(...p))]).toBe(r.label);
    }
  });

  it("with dropout, still learns, and the learning rate scales the steps", () => {
    const dropped = trainSoftmax(ROWS, { inputDropout: 0.5, labelSmoothing: 0 });
    for (const p of trueProbabilities(dropped)) expect(p).toBeGreaterThan(0.9);
    const slow = trainSoftmax(ROWS, { ...PLAIN, epochs: 1, minUpdates: 1, learningRate: 0.01 });
    for (const p of trueProbabilities(slow)) expect(p).toBeLessThan(0.4);
  });

  it("with groups: a group per label, a label outside the map its own group", () => {
    const m = trainSoftmax(ROWS, { ...FAST, groups: { a: "ab", b: "ab" } });
    expect(m.labels).toEqual(["a", "b", "c"]);
    expect(m.groups).toEqual([0, 0, 1]);
    expect(trainSoftmax(ROWS, { ...FAST, groups: { c: "g1", a: "g2", b: "g1" } }).groups).toEqual([0, 1, 1]);
  });

  it("folds the group head into the label weights as label + α · group", () => {
    const groups = { a: "ab", b: "ab", c: "c" };
    const at = (alpha: number) => trainSoftmax(ROWS, { ...FAST, groups, groupWeight: alpha });
    const plain = trainSoftmax(ROWS, FAST);
    const [m0, m1, m2] = [at(0), at(1), at(2)];
    // α = 0: the label columns alone, trained exactly as without groups
    expect(Array.from(m0.weights)).toEqual(Array.from(plain.weights));
    expect(Array.from(m0.bias)).toEqual(Array.from(plain.bias));
    expect(Array.from(m1.weights)).not.toEqual(Array.from(m0.weights));
    for (let i = 0; i < m0.weights.length; i++) expect(m2.weights[i]! - m0.weights[i]!).toBeCloseTo(2 * (m1.weights[i]! - m0.weights[i]!), 4);
    for (let c = 0; c < 3; c++) expect(m2.bias[c]! - m0.bias[c]!).toBeCloseTo(2 * (m1.bias[c]! - m0.bias[c]!), 6);
    // a and b share a group: the group head moves them the same way
    const f1 = Array.from(m0.features).indexOf(1);
    expect(m1.weights[f1 * 3]! - m0.weights[f1 * 3]!).toBeCloseTo(m1.weights[f1 * 3 + 1]! - m0.weights[f1 * 3 + 1]!, 5);
    expect(m1.bias[0]! - m0.bias[0]!).toBeCloseTo(m1.bias[1]! - m0.bias[1]!, 9);
    // the group head makes the model surer of a row's group
    const groupMass = (m: FloatModel, v: Vector) => probabilities(m, v)[0]! + probabilities(m, v)[1]!;
    expect(groupMass(m1, ROWS[0]!.vector)).toBeGreaterThan(groupMass(m0, ROWS[0]!.vector));
  });

  it("a single group adds nothing: it is always right", () => {
    const plain = trainSoftmax(ROWS, FAST);
    const one = trainSoftmax(ROWS, { ...FAST, groups: { a: "all", b: "all", c: "all" } });
    expect(one.groups).toEqual([0, 0, 0]);
    expect(Array.from(one.weights)).toEqual(Array.from(plain.weights));
    expect(Array.from(one.bias)).toEqual(Array.from(plain.bias));
  });

  it("a single label learns nothing to tell apart", () => {
    const m = trainSoftmax(ROWS.map((r) => ({ ...r, label: "only" })), FAST);
    expect(m.labels).toEqual(["only"]);
    expect(maxAbs(m.weights)).toBe(0);
    expect(Array.from(m.bias)).toEqual([0]);
  });

  it("skips the classes whose gradient |p − target| is under 2e-3", () => {
    const rows = ["a", "b", "c"].map((label, i) => ({ vector: sp(3, [[i, 1]]), label }));
    // at the start p = 1/3 for every label; smoothing puts the other labels' target 1.5e-3 under it, then 3e-3 under it
    const onePass = (gap: number) => trainSoftmax(rows, { epochs: 1, minUpdates: 1, learningRate: 0.01, inputDropout: 0, labelSmoothing: 2 * (1 / 3 - gap) });
    const skipped = onePass(0.0015);
    for (let f = 0; f < 3; f++)
      for (let c = 0; c < 3; c++) {
        if (c === f) expect(skipped.weights[f * 3 + c]).toBeGreaterThan(0);
        else expect(skipped.weights[f * 3 + c], `feature ${f}, label ${c}`).toBe(0);
      }
    const updated = onePass(0.003);
    for (let f = 0; f < 3; f++) for (let c = 0; c < 3; c++) if (c !== f) expect(updated.weights[f * 3 + c]).toBeLessThan(0);
  });
});
