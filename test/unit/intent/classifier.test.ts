import { describe, expect, it } from "vitest";
import { BuiltinEncoder } from "../../../worker/intent/builtin-encoder.ts";
import { fitClassifier, loadClassifier, type ClassifierSnapshot, type FitOptions } from "../../../worker/intent/classifier.ts";
import { ByteReader, ByteWriter, base64ToBytes, bytesToBase64 } from "../../../worker/intent/codec.ts";
import { forEachEntry, trainSoftmax, type FloatModel } from "../../../worker/intent/train.ts";
import { denseVector, type Vector } from "../../../worker/intent/vector.ts";

const DATA: Record<string, string[]> = {
  balance: ["what is my account balance", "how much money do i have", "check my balance please"],
  transfer: ["send money to my brother", "transfer 50 dollars to savings", "move funds between accounts"],
  weather: ["what is the weather today", "will it rain tomorrow", "how hot is it outside"],
  music: ["play some jazz", "put on my workout playlist", "play the next song"],
  flight: ["book a flight to paris", "i need a plane ticket to rome", "find me flights to tokyo"],
  timer: ["set a timer for ten minutes", "start a 5 minute countdown", "timer for one hour"],
};
const QUERIES: [string, string][] = [
  ["how much money is in my account", "balance"],
  ["send 20 dollars to my sister", "transfer"],
  ["is it going to rain today", "weather"],
  ["play some music", "music"],
  ["book me a flight to berlin", "flight"],
  ["set a timer for 3 minutes", "timer"],
];
const GROUPS = { balance: "bank", transfer: "bank", weather: "home", music: "home", flight: "travel", timer: "home" };

const enc = new BuiltinEncoder();
const rows = Object.entries(DATA).flatMap(([label, texts]) => texts.map((t) => ({ vector: enc.encodeOne(t), label })));
// Encoded once, here: the encoder's own tests are builtin-encoder.test.ts, so its mutants need not run these.
const vectors = new Map([...QUERIES.map((q) => q[0]), "play a song", "something unrelated", "", "hello there"].map((t) => [t, enc.encodeOne(t)]));
const vec = (text: string): Vector => vectors.get(text) ?? expect.fail(`not encoded above: ${text}`);
const otherDim = new BuiltinEncoder({ dimBits: 10 }).encodeOne("hi");
/** A few hundred updates fit this separable set (the default 10,000 is for real configs). */
const fit = (options: FitOptions = {}, on = rows) => fitClassifier(on, { minUpdates: 200, ...options });

/**
 * A snapshot written by hand in the documented format: `entries` maps a feature index to
 * its [class, int8 code] pairs; real weight = sign(q) · scale · (256^(|q|/127) − 1).
 */
function snapshot(
  labels: string[],
  dim: number,
  entries: [number, [number, number][]][],
  { bias = labels.map(() => 0), scale = 1 / 255, groups }: { bias?: number[]; scale?: number; groups?: number[] } = {},
): ClassifierSnapshot {
  const feats = new ByteWriter();
  const rowsW = new ByteWriter();
  const weights: number[] = [];
  let prev = -1;
  for (const [f, row] of entries) {
    feats.varint(f - prev - 1);
    prev = f;
    rowsW.varint(row.length);
    let pc = -1;
    for (const [c, q] of row) {
      rowsW.varint(c - pc - 1);
      pc = c;
      weights.push(q & 255);
    }
  }
  return {
    format: "switchyard-linear-softmax/1",
    labels,
    dim,
    scale,
    bias,
    features: bytesToBase64(feats.bytes()),
    rows: bytesToBase64(rowsW.bytes()),
    weights: bytesToBase64(Uint8Array.from(weights)),
    ...(groups ? { groups } : {}),
  };
}
const weightOf = (q: number, scale = 1 / 255) => Math.sign(q) * scale * (256 ** (Math.abs(q) / 127) - 1);
const softmax = (z: number[]) => {
  const m = Math.max(...z);
  const e = z.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
};
const sp = (dim: number, entries: [number, number][]): Vector => ({
  kind: "sparse",
  dim,
  indices: Int32Array.from(entries.map((e) => e[0])),
  values: Float32Array.from(entries.map((e) => e[1])),
});
const probs = (clf: ReturnType<typeof loadClassifier>, v: Vector) => {
  const p = clf.predict(v, clf.labels.length);
  return clf.labels.map((l) => p.topK.find((e) => e.label === l)!.probability);
};

describe("fitClassifier (sparse, tiny set)", () => {
  it("predicts the right labels with confidences in (0, 1]", () => {
    const clf = fit();
    expect(clf.labels).toEqual(Object.keys(DATA));
    for (const [text, label] of QUERIES) {
      const p = clf.predict(vec(text), 3);
      expect(p.label).toBe(label);
      expect(p.confidence).toBeGreaterThan(1 / 6);
      expect(p.confidence).toBeLessThanOrEqual(1);
    }
  });

  it("returns topK sorted, k-limited (k floored, at most every label) and consistent with the top label", () => {
    const clf = fit();
    const v = vec("play a song");
    const p = clf.predict(v, 4);
    expect(p.topK).toHaveLength(4);
    expect(p.topK[0]).toEqual({ label: p.label, confidence: p.confidence, probability: p.confidence }); // ungrouped: the score is the probability
    for (let i = 1; i < p.topK.length; i++) expect(p.topK[i]!.confidence).toBeLessThanOrEqual(p.topK[i - 1]!.confidence);
    expect(new Set(p.topK.map((e) => e.label)).size).toBe(4);
    expect(clf.predict(v, 100).topK).toHaveLength(6);
    expect(clf.predict(v, 2.9).topK).toEqual(p.topK.slice(0, 2));
    const none = clf.predict(v, 0);
    expect(none.topK).toEqual([]);
    expect(none).toMatchObject({ label: p.label, confidence: p.confidence });
    expect(clf.predict(v, -3)).toEqual(none);
    const all = clf.predict(v, 6).topK.reduce((a, c) => a + c.confidence, 0);
    expect(all).toBeCloseTo(1, 6);
  });

  it("has a fingerprint stable for the same data and different for different data", () => {
    const clf = fit();
    expect(fit().fingerprint).toBe(clf.fingerprint);
    expect(clf.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(fit({}, rows.filter((r) => r.label !== "timer")).fingerprint).not.toBe(clf.fingerprint);
    expect(fit({ seed: 7 }).fingerprint).not.toBe(clf.fingerprint);
  });

  it("round-trips through a JSON snapshot and predicts identically", () => {
    const clf = fit();
    const snap = JSON.parse(JSON.stringify(clf.snapshot())) as ClassifierSnapshot;
    expect(snap.format).toBe("switchyard-linear-softmax/1");
    expect(snap.dim).toBe(enc.dim);
    expect(snap).not.toHaveProperty("groups");
    const loaded = loadClassifier(snap);
    expect(loaded.fingerprint).toBe(clf.fingerprint);
    expect(loaded.labels).toEqual(clf.labels);
    for (const text of [...QUERIES.map((q) => q[0]), "something unrelated", ""])
      expect(loaded.predict(vec(text), 6)).toEqual(clf.predict(vec(text), 6));
  });

  it("hands out snapshots the caller may change without changing the classifier", () => {
    const clf = fit();
    const s = clf.snapshot();
    const fp = clf.fingerprint;
    s.labels[0] = "changed";
    s.bias[0] = 99;
    expect(clf.snapshot().labels[0]).toBe("balance");
    expect(clf.snapshot().bias[0]).not.toBe(99);
    expect(clf.fingerprint).toBe(fp);
    expect(() => ((clf.labels as string[])[0] = "x")).toThrow();
  });

  it("quantises the trained model closely (the fitted classifier is the quantised one)", () => {
    const options = { minUpdates: 200, labelSmoothing: 0.3 };
    const float: FloatModel = trainSoftmax(rows, options);
    const clf = fitClassifier(rows, options);
    const floatProbs = (v: Vector) => {
      const z = Array.from(float.bias);
      forEachEntry(v, (i, x) => {
        const f = float.features.indexOf(i);
        if (f >= 0) for (let c = 0; c < z.length; c++) z[c]! += x * float.weights[f * z.length + c]!;
      });
      return softmax(z);
    };
    for (const [text] of [...QUERIES, ["hello there"]]) {
      const v = vec(text!);
      const want = floatProbs(v);
      const got = probs(clf, v);
      for (let c = 0; c < want.length; c++) expect(Math.abs(got[c]! - want[c]!)).toBeLessThan(0.02);
    }
  });

  it("keeps at most maxNonZeros weights, the largest ones", () => {
    const full = fit();
    const stored = (s: ClassifierSnapshot) => base64ToBytes(s.weights).length;
    expect(stored(full.snapshot())).toBeGreaterThan(1000);
    const small = fit({ maxNonZeros: 300 });
    expect(stored(small.snapshot())).toBeLessThanOrEqual(300);
    expect(stored(small.snapshot())).toBeGreaterThan(100);
    // the biggest weights carry the model: still right on the training queries
    for (const [text, label] of QUERIES) expect(small.predict(vec(text), 1).label).toBe(label);
    const codes = Array.from(new Int8Array(base64ToBytes(small.snapshot().weights).buffer), Math.abs);
    const fullCodes = Array.from(new Int8Array(base64ToBytes(full.snapshot().weights).buffer), Math.abs).sort((a, b) => b - a);
    expect(Math.min(...codes)).toBeGreaterThanOrEqual(fullCodes[stored(small.snapshot()) - 1]!);
    expect(Math.max(...codes)).toBe(127); // the largest weight is the scale's full code
    expect(stored(fit({ maxNonZeros: 1 }).snapshot())).toBeGreaterThanOrEqual(1);
  });

  it("keeps every weight of the codes that fit the budget: a budget of exactly n keeps n", () => {
    const codesOf = (s: ClassifierSnapshot) => Array.from(new Int8Array(base64ToBytes(s.weights).buffer), Math.abs);
    const full = codesOf(fit().snapshot());
    for (const level of [20, 60, 100]) {
      const n = full.filter((q) => q >= level).length;
      const exact = codesOf(fit({ maxNonZeros: n }).snapshot());
      expect(exact).toHaveLength(n);
      expect(Math.min(...exact)).toBeGreaterThanOrEqual(level);
      // one weight fewer: the whole lowest code kept so far goes
      const under = codesOf(fit({ maxNonZeros: n - 1 }).snapshot());
      expect(under.length).toBeLessThan(n);
      expect(under).toHaveLength(full.filter((q) => q > Math.min(...exact)).length);
    }
  });

  it("stores a row only for a feature that kept a weight", () => {
    for (const s of [fit().snapshot(), fit({ maxNonZeros: 50 }).snapshot()]) {
      const features = new ByteReader(base64ToBytes(s.features));
      const rowsR = new ByteReader(base64ToBytes(s.rows));
      let entries = 0;
      while (!features.done()) {
        features.varint();
        const n = rowsR.varint();
        expect(n).toBeGreaterThanOrEqual(1);
        for (let i = 0; i < n; i++) rowsR.varint();
        entries += n;
      }
      expect(entries).toBe(base64ToBytes(s.weights).length);
    }
  });

  it("fits a set with a single label: it is always that label", () => {
    const one = fit({}, rows.map((r) => ({ ...r, label: "only" })));
    expect(one.labels).toEqual(["only"]);
    expect(one.predict(vec("play a song"), 3)).toEqual({ label: "only", confidence: 1, topK: [{ label: "only", confidence: 1, probability: 1 }] });
    expect(loadClassifier(one.snapshot()).fingerprint).toBe(one.fingerprint);
  });

  it("rejects vectors of another dimension", () => {
    expect(() => fit().predict(otherDim, 1)).toThrow(`predict: vector dim 1024 ≠ model dim ${enc.dim}`);
  });
});

describe("fitClassifier (dense)", () => {
  it("separates dense clusters", () => {
    const centres = { a: [1, 0, 0, 0.1], b: [0, 1, 0, 0.1], c: [0, 0, 1, 0.1] };
    const dense = Object.entries(centres).flatMap(([label, c]) =>
      [0, 1, 2].map((j) => ({ vector: denseVector(c.map((x, i) => x + 0.05 * ((i + j) % 3))), label })),
    );
    const clf = fit({}, dense);
    expect(clf.predict(denseVector([0.9, 0.1, 0, 0]), 2).label).toBe("a");
    expect(clf.predict(denseVector([0, 0.2, 0.9, 0]), 2).label).toBe("c");
    expect(clf.predict(denseVector([0, 1, 0, 0]), 2).label).toBe("b");
    expect(loadClassifier(clf.snapshot()).predict(denseVector([0, 1, 0, 0]), 3)).toEqual(clf.predict(denseVector([0, 1, 0, 0]), 3));
  });

  it("rejects empty or inconsistent training sets", () => {
    expect(() => fitClassifier([])).toThrow("no training rows");
    expect(() => fitClassifier([{ vector: denseVector([1, 0]), label: "a" }, { vector: denseVector([1, 0, 0]), label: "b" }])).toThrow(/dimension/);
    expect(() => fitClassifier(rows, { epochs: 0 })).toThrow(/options/);
  });
});

describe("loadClassifier (hand-written snapshots)", () => {
  it("scores a vector as bias + Σ value · weight and answers its softmax", () => {
    const clf = loadClassifier(snapshot(["a", "b", "c"], 16, [[2, [[0, 127], [2, -64]]], [5, [[1, 100]]], [9, [[0, -127], [1, 30], [2, 127]]]], { bias: [0.1, -0.2, 0.3] }));
    const v = sp(16, [[2, 0.5], [5, 1], [9, 0.25], [11, 7]]); // 11: no weights there
    const z = [0.1 + 0.5 * weightOf(127) + 0.25 * weightOf(-127), -0.2 + weightOf(100) + 0.25 * weightOf(30), 0.3 + 0.5 * weightOf(-64) + 0.25 * weightOf(127)];
    const want = softmax(z);
    const got = probs(clf, v);
    for (let c = 0; c < 3; c++) expect(got[c]).toBeCloseTo(want[c]!, 6);
    const dense = { kind: "dense", values: Float32Array.from({ length: 16 }, (_, i) => (i === 2 ? 0.5 : i === 5 ? 1 : i === 9 ? 0.25 : i === 11 ? 7 : 0)) } as Vector;
    const gotDense = probs(clf, dense);
    for (let c = 0; c < 3; c++) expect(gotDense[c]).toBeCloseTo(want[c]!, 6);
    const biasOnly = softmax([0.1, -0.2, 0.3]);
    probs(clf, sp(16, [])).forEach((p, c) => expect(p).toBeCloseTo(biasOnly[c]!, 12));
  });

  it("decodes the int8 µ-law code with its scale", () => {
    for (const q of [1, 5, 63, 64, 126, 127, -1, -127]) {
      const clf = loadClassifier(snapshot(["a", "b"], 4, [[0, [[0, q]]]], { scale: 0.5 }));
      const p = clf.predict(sp(4, [[0, 1]]), 2).topK.find((e) => e.label === "a")!.probability;
      expect(p).toBeCloseTo(1 / (1 + Math.exp(-weightOf(q, 0.5))), 6);
    }
    const zero = loadClassifier(snapshot(["a", "b"], 4, [[0, [[0, 0]]]]));
    expect(zero.predict(sp(4, [[0, 1]]), 1).confidence).toBe(0.5);
  });

  it("is numerically stable for large scores", () => {
    const clf = loadClassifier(snapshot(["a", "b"], 4, [], { bias: [800, 799] }));
    const p = clf.predict(sp(4, []), 2);
    expect(p.label).toBe("a");
    expect(p.confidence).toBeCloseTo(1 / (1 + Math.exp(-1)), 9);
    const low = loadClassifier(snapshot(["a", "b"], 4, [], { bias: [-800, -801] }));
    expect(low.predict(sp(4, []), 1).confidence).toBeCloseTo(1 / (1 + Math.exp(-1)), 9);
  });

  it("breaks ties by label order and takes each label once", () => {
    const clf = loadClassifier(snapshot(["a", "b", "c"], 4, [], { bias: [0, 1, 1] }));
    const p = clf.predict(sp(4, []), 3);
    expect(p.topK.map((e) => e.label)).toEqual(["b", "c", "a"]);
  });

  it("finds rows in a model too large for a direct table (binary search)", () => {
    const dim = 2 ** 31 - 1;
    const features = [0, 3, 1000, 65_536, 2 ** 22 + 1, 2 ** 30, dim - 1];
    const clf = loadClassifier(snapshot(["a", "b"], dim, features.map((f, i) => [f, [[i % 2, 127]]] as [number, [number, number][]])));
    for (const [i, f] of features.entries()) {
      const p = clf.predict(sp(dim, [[f, 1]]), 2);
      expect(p.label, `feature ${f}`).toBe(i % 2 === 0 ? "a" : "b");
      expect(p.confidence).toBeCloseTo(1 / (1 + Math.exp(-weightOf(127))), 5);
    }
    for (const f of [1, 2, 4, 999, 1001, 2 ** 29, dim - 2]) expect(clf.predict(sp(dim, [[f, 1]]), 2).confidence, `absent ${f}`).toBe(0.5);
    const small = loadClassifier(snapshot(["a", "b"], 64, [[0, [[1, 127]]], [40, [[0, 127]]]]));
    expect(small.predict(sp(64, [[0, 1]]), 1).label).toBe("b");
    expect(small.predict(sp(64, [[40, 1]]), 1).label).toBe("a");
    for (const f of [1, 39, 41, 63]) expect(small.predict(sp(64, [[f, 1]]), 1).confidence).toBe(0.5);
    expect(loadClassifier(snapshot(["a", "b"], dim, [])).predict(sp(dim, [[5, 1]]), 1).confidence).toBe(0.5);
  });

  it("with groups: the confidence is √(p · the group's mass); alternatives by probability, then ordered by that score", () => {
    const p = [0.32, 0.3, 0.28, 0.1];
    const clf = loadClassifier(snapshot(["a", "b", "c", "d"], 4, [], { bias: p.map(Math.log), groups: [0, 1, 2, 2] }));
    const r = clf.predict(sp(4, []), 3);
    expect(r.label).toBe("a");
    expect(r.confidence).toBeCloseTo(0.32, 9);
    expect(r.topK.map((e) => e.label)).toEqual(["a", "c", "b"]);
    expect(r.topK[1]!.confidence).toBeCloseTo(Math.sqrt(0.28 * 0.38), 9);
    expect(r.topK[1]!.probability).toBeCloseTo(0.28, 9);
    expect(r.topK[2]!.confidence).toBeCloseTo(0.3, 9);
    // d is fourth by probability: not among the top 3, though it shares c's group
    const four = clf.predict(sp(4, []), 4);
    expect(four.topK.map((e) => e.label)).toEqual(["a", "c", "b", "d"]);
    expect(four.topK[3]!.confidence).toBeCloseTo(Math.sqrt(0.1 * 0.38), 9);
    const one = loadClassifier(snapshot(["x", "y"], 4, [], { bias: [0.6, 0.4].map(Math.log), groups: [0, 0] }));
    expect(one.predict(sp(4, []), 1).confidence).toBeCloseTo(Math.sqrt(0.6), 9);
  });

  it("accepts a feature at the last index and a model of the largest dim", () => {
    expect(() => loadClassifier(snapshot(["a", "b"], 8, [[7, [[0, 1]]]]))).not.toThrow();
    expect(() => loadClassifier(snapshot(["a"], 2 ** 31 - 1, []))).not.toThrow();
    expect(() => loadClassifier(snapshot(["a", "b"], 8, [], { groups: [0, 3] }))).not.toThrow();
  });

  const good = snapshot(["a", "b"], 8, [[1, [[0, 10], [1, -10]]], [4, [[1, 5]]]]);
  const bad: [string, unknown, string][] = [
    ["null", null, "unknown format"],
    ["undefined", undefined, "unknown format"],
    ["a string", "switchyard-linear-softmax/1", "unknown format"],
    ["wrong format", { ...good, format: "nope" }, "unknown format"],
    ["no labels", { ...good, labels: [] }, "labels must be non-empty strings"],
    ["labels not an array", { ...good, labels: "ab" }, "labels must be non-empty strings"],
    ["an empty label", { ...good, labels: ["a", ""] }, "labels must be non-empty strings"],
    ["a label not a string", { ...good, labels: ["a", 2] }, "labels must be non-empty strings"],
    ["duplicate labels", { ...good, labels: ["x", "x"] }, "duplicate labels"],
    ["dim 0", { ...good, dim: 0 }, "bad dim"],
    ["dim -1", { ...good, dim: -1 }, "bad dim"],
    ["dim 1.5", { ...good, dim: 1.5 }, "bad dim"],
    ["dim 2^31", { ...good, dim: 2 ** 31 }, "bad dim"],
    ["scale 0", { ...good, scale: 0 }, "bad scale"],
    ["scale < 0", { ...good, scale: -1 }, "bad scale"],
    ["scale NaN", { ...good, scale: Number.NaN }, "bad scale"],
    ["scale Infinity", { ...good, scale: Infinity }, "bad scale"],
    ["scale a string", { ...good, scale: "1" }, "bad scale"],
    ["bias length", { ...good, bias: [0] }, "bad bias"],
    ["bias not an array", { ...good, bias: "00" }, "bad bias"],
    ["bias NaN", { ...good, bias: [0, Number.NaN] }, "bad bias"],
    ["features missing", { ...good, features: 1 }, "features/rows/weights must be base64 strings"],
    ["rows missing", { ...good, rows: 42 }, "features/rows/weights must be base64 strings"],
    ["weights missing", { ...good, weights: undefined }, "features/rows/weights must be base64 strings"],
    ["groups not an array", { ...good, groups: "01" }, "bad groups"],
    ["groups length", { ...good, groups: [0] }, "bad groups"],
    ["a negative group", { ...good, groups: [0, -1] }, "bad groups"],
    ["a fractional group", { ...good, groups: [0, 0.5] }, "bad groups"],
    ["features out of range", { ...good, dim: 4 }, "feature index out of range"],
    ["a class out of range", snapshot(["a", "b"], 8, [[1, [[2, 1]]]]), "row entry out of range"],
    ["more entries than weights", { ...good, weights: bytesToBase64(base64ToBytes(good.weights).slice(0, 2)) }, "row entry out of range"],
    ["fewer entries than weights", { ...good, weights: bytesToBase64(Uint8Array.from([...base64ToBytes(good.weights), 1])) }, "rows and weights disagree"],
    ["rows left over", { ...good, rows: bytesToBase64(Uint8Array.from([...base64ToBytes(good.rows), 0])) }, "rows and weights disagree"],
  ];
  it.each(bad)("throws on %s", (_, snap, message) => {
    expect(() => loadClassifier(snap as ClassifierSnapshot)).toThrow(`loadClassifier: ${message}`);
  });
  it("throws on snapshot strings that are not base64", () => {
    expect(() => loadClassifier({ ...good, weights: "!!!!" })).toThrow(/base64/);
  });
});

describe("fitClassifier (groups, label smoothing, dropout)", () => {
  it("predicts the right labels with a group-aware confidence in [0, 1]", () => {
    const clf = fit({ groups: GROUPS });
    expect(clf.snapshot().groups).toEqual([0, 0, 1, 1, 2, 1]);
    for (const [text, label] of QUERIES) {
      const p = clf.predict(vec(text), 6);
      expect(p.label).toBe(label);
      expect(p.confidence).toBeGreaterThan(0);
      expect(p.confidence).toBeLessThanOrEqual(1);
      expect(p.topK[0]).toMatchObject({ label: p.label, confidence: p.confidence });
      for (let i = 1; i < p.topK.length; i++) expect(p.topK[i]!.probability).toBeLessThanOrEqual(p.topK[0]!.probability);
      for (let i = 2; i < p.topK.length; i++) expect(p.topK[i]!.confidence).toBeLessThanOrEqual(p.topK[i - 1]!.confidence);
      // every entry carries the combined score, √(p · mass of its group), never below its own probability
      for (const e of p.topK) {
        expect(e.confidence).toBeGreaterThanOrEqual(e.probability - 1e-12);
        expect(e.confidence).toBeLessThanOrEqual(Math.sqrt(e.probability) + 1e-12);
      }
    }
  });

  it("accepts groups as a Map, round-trips its snapshot and rejects bad groups", () => {
    const clf = fit({ groups: GROUPS });
    expect(fit({ groups: new Map(Object.entries(GROUPS)) }).fingerprint).toBe(clf.fingerprint);
    const loaded = loadClassifier(JSON.parse(JSON.stringify(clf.snapshot())) as ClassifierSnapshot);
    expect(loaded.predict(vec("play a song"), 3)).toEqual(clf.predict(vec("play a song"), 3));
    expect(() => loadClassifier({ ...clf.snapshot(), groups: [0] })).toThrow(/groups/);
  });

  it("still fits without smoothing or dropout, and validates them", () => {
    const plain = fit({ labelSmoothing: 0, inputDropout: 0 });
    for (const [text, label] of QUERIES) expect(plain.predict(vec(text), 1).label).toBe(label);
    expect(() => fitClassifier(rows, { labelSmoothing: 1 })).toThrow(/invalid/);
    expect(() => fitClassifier(rows, { inputDropout: -0.1 })).toThrow(/invalid/);
  });
});
