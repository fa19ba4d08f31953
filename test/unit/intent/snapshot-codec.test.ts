import { describe, expect, it } from "vitest";
import { BuiltinEncoder } from "../../../worker/intent/builtin-encoder.ts";
import { fitClassifier, loadClassifier, loadPackedClassifier } from "../../../worker/intent/classifier.ts";
import { decodeSnapshot, encodeSnapshot, packSnapshot, unpackSnapshot } from "../../../worker/intent/snapshot-codec.ts";

const DATA: Record<string, string[]> = {
  balance: ["what is my account balance", "how much money do i have", "check my balance please"],
  weather: ["what is the weather today", "will it rain tomorrow", "how hot is it outside"],
  flight: ["book a flight to paris", "i need a plane ticket to rome", "find me flights to tokyo"],
};
const enc = new BuiltinEncoder();
const rows = Object.entries(DATA).flatMap(([label, texts]) => texts.map((t) => ({ vector: enc.encodeOne(t), label })));
const clf = fitClassifier(rows, { minUpdates: 200, groups: new Map([["balance", "bank"], ["weather", "home"], ["flight", "travel"]]) });
const QUERIES = ["how much is in my account", "is it raining", "a ticket to berlin", "something else"];

/** Byte offset of the first section after the header (keys), as packSnapshot lays it out. */
function sectionsAt(bytes: Uint8Array): number {
  return Math.ceil((8 + new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true)) / 4) * 4;
}

describe("the JSON snapshot and its arrays", () => {
  it("encodeSnapshot inverts decodeSnapshot exactly", () => {
    const snap = clf.snapshot();
    expect(encodeSnapshot(decodeSnapshot(snap))).toEqual(snap);
  });
});

describe("the packed snapshot", () => {
  it("predicts exactly like the classifier it was packed from, with its fingerprint and JSON snapshot", () => {
    const packed = loadPackedClassifier(clf.packed());
    expect(packed.labels).toEqual(clf.labels);
    expect(packed.fingerprint).toBe(clf.fingerprint);
    for (const q of QUERIES) expect(packed.predict(enc.encodeOne(q), 3)).toEqual(clf.predict(enc.encodeOne(q), 3));
    expect(packed.snapshot()).toEqual(clf.snapshot());
    expect(loadClassifier(packed.snapshot()).fingerprint).toBe(clf.fingerprint);
  });

  it("is deterministic, and loads from an ArrayBuffer or an unaligned view", () => {
    const a = clf.packed();
    expect(loadClassifier(clf.snapshot()).packed()).toEqual(a);
    const shifted = new Uint8Array(a.length + 1);
    shifted.set(a, 1);
    expect(loadPackedClassifier(shifted.subarray(1)).fingerprint).toBe(clf.fingerprint);
    expect(loadPackedClassifier(a.slice().buffer).fingerprint).toBe(clf.fingerprint);
  });

  it("uses one byte per class index up to 256 labels and two above", () => {
    const few = unpackSnapshot(clf.packed()).arrays;
    expect(few.cls).toBeInstanceOf(Uint8Array);
    const labels = Array.from({ length: 300 }, (_, i) => `l${i}`);
    const many = { ...few, labels, bias: labels.map(() => 0), groups: undefined, cls: Uint16Array.from(few.cls, (c) => c + 290) };
    const back = unpackSnapshot(packSnapshot(many, "f")).arrays;
    expect(back.cls).toBeInstanceOf(Uint16Array);
    expect([...back.cls]).toEqual([...many.cls]);
  });

  it("refuses bytes that are not a well-formed packed snapshot, naming the fault", () => {
    const good = clf.packed();
    expect(() => unpackSnapshot(new Uint8Array([1, 2, 3]))).toThrow("loadClassifier: packed snapshot truncated");
    expect(() => unpackSnapshot(new TextEncoder().encode(JSON.stringify(clf.snapshot())))).toThrow("loadClassifier: not a packed snapshot");
    const longHeader = good.slice();
    new DataView(longHeader.buffer).setUint32(4, good.length, true);
    expect(() => unpackSnapshot(longHeader)).toThrow("loadClassifier: packed snapshot truncated");
    expect(() => unpackSnapshot(good.subarray(0, good.length - 1).slice())).toThrow("loadClassifier: packed sections disagree with the header");
    const badKey = good.slice();
    new DataView(badKey.buffer).setInt32(sectionsAt(good), 1 << 30, true);
    expect(() => unpackSnapshot(badKey)).toThrow("loadClassifier: feature index out of range");
    const badClass = good.slice();
    badClass[badClass.length - 1] = 200; // the last class index, with 3 labels
    expect(() => unpackSnapshot(badClass)).toThrow("loadClassifier: row entry out of range");
    expect(unpackSnapshot(badClass, { verify: false }).arrays.cls.at(-1)).toBe(200); // the build's own bytes: entries not checked
    expect(() => unpackSnapshot(good.subarray(0, good.length - 1).slice(), { verify: false })).toThrow("loadClassifier: packed sections disagree with the header");
    const badHead = good.slice();
    badHead[8] = 0x20; // the header's opening brace
    badHead[9] = 0x7d;
    expect(() => unpackSnapshot(badHead)).toThrow(/loadClassifier: (packed header is not JSON|unknown format)/);
  });
});
