import { describe, expect, it } from "vitest";
import { BuiltinEncoder } from "../../../worker/intent/builtin-encoder.ts";
import { fitClassifier, loadClassifier, type ClassifierSnapshot } from "../../../worker/intent/classifier.ts";
import { ByteReader, ByteWriter, base64ToBytes, bytesToBase64 } from "../../../worker/intent/codec.ts";
import { denseVector } from "../../../worker/intent/vector.ts";

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

const enc = new BuiltinEncoder();
const rows = Object.entries(DATA).flatMap(([label, texts]) => texts.map((t) => ({ vector: enc.encodeOne(t), label })));

describe("fitClassifier (sparse, tiny set)", () => {
  const clf = fitClassifier(rows);

  it("predicts the right labels with confidences in [0, 1]", () => {
    expect(clf.labels).toEqual(Object.keys(DATA));
    for (const [text, label] of QUERIES) {
      const p = clf.predict(enc.encodeOne(text), 3);
      expect(p.label).toBe(label);
      expect(p.confidence).toBeGreaterThan(0);
      expect(p.confidence).toBeLessThanOrEqual(1);
    }
  });

  it("returns topK sorted, k-limited and consistent with the top label", () => {
    const p = clf.predict(enc.encodeOne("play a song"), 4);
    expect(p.topK).toHaveLength(4);
    expect(p.topK[0]).toEqual({ label: p.label, confidence: p.confidence, probability: p.confidence }); // ungrouped: the score is the probability
    for (let i = 1; i < p.topK.length; i++) expect(p.topK[i]!.confidence).toBeLessThanOrEqual(p.topK[i - 1]!.confidence);
    expect(clf.predict(enc.encodeOne("play a song"), 100).topK).toHaveLength(6);
    expect(clf.predict(enc.encodeOne("play a song"), 0).topK).toHaveLength(0);
    const all = clf.predict(enc.encodeOne("play a song"), 6).topK.reduce((a, c) => a + c.confidence, 0);
    expect(all).toBeCloseTo(1, 6);
  });

  it("has a fingerprint stable for the same data and different for different data", () => {
    expect(fitClassifier(rows).fingerprint).toBe(clf.fingerprint);
    expect(clf.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    const fewer = rows.filter((r) => r.label !== "timer");
    expect(fitClassifier(fewer).fingerprint).not.toBe(clf.fingerprint);
    expect(fitClassifier(rows, { seed: 7 }).fingerprint).not.toBe(clf.fingerprint);
  });

  it("round-trips through a JSON snapshot and predicts identically", () => {
    const snap = JSON.parse(JSON.stringify(clf.snapshot())) as ClassifierSnapshot;
    const loaded = loadClassifier(snap);
    expect(loaded.fingerprint).toBe(clf.fingerprint);
    expect(loaded.labels).toEqual(clf.labels);
    for (const text of [...QUERIES.map((q) => q[0]), "something unrelated", ""])
      expect(loaded.predict(enc.encodeOne(text), 6)).toEqual(clf.predict(enc.encodeOne(text), 6));
  });

  it("rejects vectors of another dimension", () => {
    expect(() => clf.predict(new BuiltinEncoder({ dimBits: 10 }).encodeOne("hi"), 1)).toThrow(/dim/);
  });
});

describe("fitClassifier (dense)", () => {
  it("separates dense clusters", () => {
    const centres = { a: [1, 0, 0, 0.1], b: [0, 1, 0, 0.1], c: [0, 0, 1, 0.1] };
    const dense = Object.entries(centres).flatMap(([label, c]) =>
      [0, 1, 2].map((j) => ({ vector: denseVector(c.map((x, i) => x + 0.05 * ((i + j) % 3))), label })),
    );
    const clf = fitClassifier(dense);
    expect(clf.predict(denseVector([0.9, 0.1, 0, 0]), 2).label).toBe("a");
    expect(clf.predict(denseVector([0, 0.2, 0.9, 0]), 2).label).toBe("c");
    expect(loadClassifier(clf.snapshot()).predict(denseVector([0, 1, 0, 0]), 3)).toEqual(clf.predict(denseVector([0, 1, 0, 0]), 3));
  });

  it("rejects empty or inconsistent training sets", () => {
    expect(() => fitClassifier([])).toThrow();
    expect(() => fitClassifier([{ vector: denseVector([1, 0]), label: "a" }, { vector: denseVector([1, 0, 0]), label: "b" }])).toThrow(/dimension/);
    expect(() => fitClassifier(rows, { epochs: 0 })).toThrow(/options/);
  });
});

describe("loadClassifier", () => {
  const good = fitClassifier(rows).snapshot();
  const bad: [string, unknown][] = [
    ["null", null],
    ["wrong format", { ...good, format: "nope" }],
    ["no labels", { ...good, labels: [] }],
    ["duplicate labels", { ...good, labels: good.labels.map(() => "x") }],
    ["bias length", { ...good, bias: [0] }],
    ["bad dim", { ...good, dim: -1 }],
    ["bad scale", { ...good, scale: 0 }],
    ["weights not base64", { ...good, weights: "!!!!" }],
    ["weights truncated", { ...good, weights: bytesToBase64(base64ToBytes(good.weights).slice(0, 3)) }],
    ["rows missing", { ...good, rows: 42 }],
    ["features out of range", { ...good, dim: 8 }],
  ];
  it.each(bad)("throws on %s", (_, snap) => {
    expect(() => loadClassifier(snap as ClassifierSnapshot)).toThrow();
  });
});

describe("codec", () => {
  it("round-trips base64 and varints", () => {
    for (let n = 0; n < 7; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 97 + 13) & 255);
      expect(Array.from(base64ToBytes(bytesToBase64(bytes)))).toEqual(Array.from(bytes));
    }
    const w = new ByteWriter();
    const nums = [0, 1, 127, 128, 300, 2 ** 31 - 1, 2 ** 32 - 1];
    nums.forEach((n) => w.varint(n));
    const r = new ByteReader(w.bytes());
    expect(nums.map(() => r.varint())).toEqual(nums);
    expect(r.done()).toBe(true);
  });
});

describe("fitClassifier (groups, label smoothing, dropout)", () => {
  const groups = { balance: "bank", transfer: "bank", weather: "home", music: "home", flight: "travel", timer: "home" };
  const clf = fitClassifier(rows, { groups });

  it("predicts the right labels with a group-aware confidence in [0, 1]", () => {
    expect(clf.snapshot().groups).toHaveLength(clf.labels.length);
    for (const [text, label] of QUERIES) {
      const p = clf.predict(enc.encodeOne(text), 6);
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
    expect(fitClassifier(rows, { groups: new Map(Object.entries(groups)) }).fingerprint).toBe(clf.fingerprint);
    const loaded = loadClassifier(JSON.parse(JSON.stringify(clf.snapshot())) as ClassifierSnapshot);
    expect(loaded.predict(enc.encodeOne("play a song"), 3)).toEqual(clf.predict(enc.encodeOne("play a song"), 3));
    expect(() => loadClassifier({ ...clf.snapshot(), groups: [0] })).toThrow(/groups/);
  });

  it("still fits without smoothing or dropout, and validates them", () => {
    const plain = fitClassifier(rows, { labelSmoothing: 0, inputDropout: 0 });
    for (const [text, label] of QUERIES) expect(plain.predict(enc.encodeOne(text), 1).label).toBe(label);
    expect(() => fitClassifier(rows, { labelSmoothing: 1 })).toThrow(/invalid/);
    expect(() => fitClassifier(rows, { inputDropout: -0.1 })).toThrow(/invalid/);
  });
});
