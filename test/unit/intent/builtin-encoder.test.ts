import { describe, expect, it } from "vitest";
import { BuiltinEncoder, type BuiltinEncoderOptions } from "../../../worker/intent/builtin-encoder.ts";
import { dot, l2Norm, type Vector } from "../../../worker/intent/vector.ts";

/** Only one feature group on, the others weighted 0 (a high dimension keeps hash collisions away). */
const only = (group: "word" | "bigram" | "char", extra: BuiltinEncoderOptions = {}) =>
  new BuiltinEncoder({ dimBits: 20, wordWeight: group === "word" ? 1 : 0, bigramWeight: group === "bigram" ? 1 : 0, charWeight: group === "char" ? 1 : 0, ...extra });
const values = (v: Vector) => Array.from(v.values).sort((a, b) => a - b);

function sparse(v: Vector): Extract<Vector, { kind: "sparse" }> {
  if (v.kind !== "sparse") throw new Error("expected sparse");
  return v;
}

describe("BuiltinEncoder", () => {
  it("has a versioned id that changes with the feature options", () => {
    expect(new BuiltinEncoder().id).toBe("builtin-hash/1");
    expect(new BuiltinEncoder({ dimBits: 14 }).id).toBe("builtin-hash/1");
    const custom = new BuiltinEncoder({ dimBits: 12 }).id;
    expect(custom).toMatch(/^builtin-hash\/1\+[0-9a-f]{8}$/);
    expect(new BuiltinEncoder({ charMax: 4 }).id).not.toBe(custom);
  });

  it("is deterministic across instances and calls", () => {
    const a = sparse(new BuiltinEncoder().encodeOne("What's my account balance?"));
    const enc = new BuiltinEncoder();
    enc.encodeOne("something else entirely");
    const b = sparse(enc.encodeOne("What's my account balance?"));
    expect(Array.from(b.indices)).toEqual(Array.from(a.indices));
    expect(Array.from(b.values)).toEqual(Array.from(a.values));
  });

  it("produces unit-norm sparse vectors with strictly increasing in-range indices", () => {
    const enc = new BuiltinEncoder();
    for (const text of ["hi", "book a table for two at 7pm", "¿Dónde está el baño? 🚻", "x".repeat(500)]) {
      const v = sparse(enc.encodeOne(text));
      expect(v.dim).toBe(enc.dim);
      expect(v.indices.length).toBe(v.values.length);
      expect(l2Norm(v.values)).toBeCloseTo(1, 5);
      for (let i = 0; i < v.indices.length; i++) {
        expect(v.indices[i]).toBeGreaterThanOrEqual(0);
        expect(v.indices[i]).toBeLessThan(enc.dim);
        if (i > 0) expect(v.indices[i]).toBeGreaterThan(v.indices[i - 1]!);
      }
    }
  });

  it("sums features that hash to the same index into one entry (a small dimension, many collisions)", () => {
    const enc = new BuiltinEncoder({ dimBits: 4 });
    const v = sparse(enc.encodeOne("the quick brown fox jumps over the lazy dog"));
    expect(v.indices.length).toBeLessThanOrEqual(16);
    for (let i = 1; i < v.indices.length; i++) expect(v.indices[i]).toBeGreaterThan(v.indices[i - 1]!);
    expect(l2Norm(v.values)).toBeCloseTo(1, 5);
  });

  it("normalises its input and maps blank text to the zero vector", () => {
    const enc = new BuiltinEncoder();
    expect(dot(enc.encodeOne("  BOOK a   Flight "), enc.encodeOne("book a flight"))).toBeCloseTo(1, 5);
    expect(sparse(enc.encodeOne("   ")).indices.length).toBe(0);
  });

  it("puts similar texts closer than unrelated ones", () => {
    const enc = new BuiltinEncoder();
    const a = enc.encodeOne("what is my bank balance");
    const b = enc.encodeOne("tell me my balance in the bank");
    const c = enc.encodeOne("play some jazz music");
    expect(dot(a, b)).toBeGreaterThan(dot(a, c));
  });

  it("encode() matches encodeOne()", async () => {
    const enc = new BuiltinEncoder();
    const [v] = await enc.encode(["order a pizza"]);
    expect(Array.from(sparse(v!).indices)).toEqual(Array.from(sparse(new BuiltinEncoder().encodeOne("order a pizza")).indices));
  });

  it("validates its options", () => {
    for (const dimBits of [3, 25, 4.5, Number.NaN]) expect(() => new BuiltinEncoder({ dimBits }), String(dimBits)).toThrow("dimBits must be 4..24");
    expect(new BuiltinEncoder({ dimBits: 4 }).dim).toBe(16);
    expect(new BuiltinEncoder({ dimBits: 24 }).dim).toBe(2 ** 24);
    expect(new BuiltinEncoder().dim).toBe(16_384);
    expect(() => new BuiltinEncoder({ charMin: 0 })).toThrow("bad char n-gram range");
    expect(() => new BuiltinEncoder({ charMin: 4, charMax: 3 })).toThrow("bad char n-gram range");
    expect(new BuiltinEncoder({ charMin: 3, charMax: 3 }).encodeOne("abc").kind).toBe("sparse");
    expect(new BuiltinEncoder({ charMin: 1 }).encodeOne("abc").kind).toBe("sparse");
  });

  it("gives every option that differs from its default its own id", () => {
    const ids = [
      { dimBits: 12 },
      { charMin: 3 },
      { charMax: 4 },
      { wordWeight: 0.5 },
      { bigramWeight: 0 },
      { charWeight: 2 },
      { foldDigits: false },
      { dimBits: 12, charMax: 4 },
    ].map((o) => new BuiltinEncoder(o).id);
    for (const id of ids) expect(id).toMatch(/^builtin-hash\/1\+[0-9a-f]{8}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new BuiltinEncoder({ charMax: 4, dimBits: 12 }).id).toBe(ids[7]);
    expect(new BuiltinEncoder({ dimBits: 14, charMin: 2, charMax: 5, wordWeight: 1, bigramWeight: 0.7, charWeight: 1, foldDigits: true }).id).toBe("builtin-hash/1");
  });

  it("keeps the features of builtin-hash/1 (a fitted classifier depends on them; bump the version to change them)", () => {
    const v = sparse(new BuiltinEncoder().encodeOne("Hi 42, hi!"));
    expect(Array.from(v.indices)).toEqual([115, 1741, 2306, 3532, 3745, 8588, 9365, 9729, 9843, 11533, 12037, 12898, 13201, 13206, 13273, 13309, 14796, 15843]);
    const want = [0.131568, 0.221803, 0.222765, 0.131568, 0.131568, 0.222765, 0.322276, 0.131568, 0.131568, 0.222765, 0.222765, 0.222765, 0.221803, 0.222765, 0.131568, 0.221803, 0.54566, 0.221803];
    Array.from(v.values).forEach((x, i) => expect(x).toBeCloseTo(want[i]!, 5));
  });

  it("word unigrams: one feature per distinct word, with sublinear term frequency 1 + ln tf", () => {
    const enc = only("word");
    expect(values(enc.encodeOne("alpha beta gamma"))).toEqual(Array(3).fill(Math.fround(1 / Math.sqrt(3))));
    const n = Math.hypot(1 + Math.log(3), 1);
    const rep = values(enc.encodeOne("alpha beta alpha alpha"));
    expect(rep).toHaveLength(2);
    expect(rep[0]).toBeCloseTo(1 / n, 6);
    expect(rep[1]).toBeCloseTo((1 + Math.log(3)) / n, 6);
    expect(dot(enc.encodeOne("dog bites man"), enc.encodeOne("man bites dog"))).toBeCloseTo(1, 6);
  });

  it("word bigrams: between neighbours and with the start and end of the text, so word order counts", () => {
    const enc = only("bigram");
    expect(sparse(enc.encodeOne("alpha")).indices).toHaveLength(2);
    expect(sparse(enc.encodeOne("alpha beta")).indices).toHaveLength(3);
    expect(sparse(enc.encodeOne("alpha beta gamma")).indices).toHaveLength(4);
    expect(sparse(enc.encodeOne("")).indices).toHaveLength(0);
    expect(dot(enc.encodeOne("dog bites man"), enc.encodeOne("man bites dog"))).toBeLessThan(0.01);
    // "alpha beta" and "beta alpha" share no bigram: the start and end marks differ
    expect(dot(enc.encodeOne("alpha beta"), enc.encodeOne("beta alpha"))).toBe(0);
    expect(dot(enc.encodeOne("alpha beta"), enc.encodeOne("alpha beta gamma"))).toBeCloseTo(2 / Math.sqrt(3 * 4), 6);
    expect(dot(new BuiltinEncoder().encodeOne("dog bites man"), new BuiltinEncoder().encodeOne("man bites dog"))).toBeLessThan(0.9);
  });

  it("character n-grams: charMin..charMax characters of each word between boundary marks", () => {
    const enc = only("char");
    // "<ab>": <a ab b> (2), <ab ab> (3), <ab> (4)
    expect(sparse(enc.encodeOne("ab")).indices).toHaveLength(6);
    expect(sparse(enc.encodeOne("a")).indices).toHaveLength(3);
    expect(sparse(enc.encodeOne("abcdef")).indices).toHaveLength(7 + 6 + 5 + 4);
    expect(sparse(only("char", { charMin: 1, charMax: 2 }).encodeOne("ab")).indices).toHaveLength(4 + 3);
    expect(sparse(only("char", { charMin: 3, charMax: 3 }).encodeOne("abcd")).indices).toHaveLength(4);
    // the marks: "ab" inside "abab" starts and ends the same way, "ba" does not
    const two = only("char", { charMax: 2 });
    expect(dot(two.encodeOne("ab"), two.encodeOne("cd"))).toBe(0);
    expect(dot(two.encodeOne("ab"), two.encodeOne("ba"))).toBe(0);
    expect(dot(two.encodeOne("ab"), two.encodeOne("abab"))).toBeCloseTo((2 + 1 + Math.log(2)) / (Math.sqrt(3) * Math.hypot(1, 1 + Math.log(2), 1, 1)), 6);
    expect(dot(two.encodeOne("ab"), two.encodeOne("a"))).toBeCloseTo(1 / Math.sqrt(6), 6); // <a
    expect(dot(two.encodeOne("ab"), two.encodeOne("b"))).toBeCloseTo(1 / Math.sqrt(6), 6); // b>
  });

  it("reads at most the first 40 characters of a word for its character n-grams", () => {
    const enc = only("char");
    const w = "abcdefghijklmnopqrstuvwxyz0123456789abcdefghij"; // 46 characters
    expect(dot(enc.encodeOne(w.slice(0, 40)), enc.encodeOne(w))).toBeCloseTo(1, 6);
    expect(dot(enc.encodeOne(w.slice(0, 39)), enc.encodeOne(w))).toBeLessThan(0.99);
  });

  it("weights each group after normalising it", () => {
    const text = "alpha beta";
    const w = only("word").encodeOne(text);
    const b = only("bigram").encodeOne(text);
    const c = only("char").encodeOne(text);
    const mixed = new BuiltinEncoder({ dimBits: 20, wordWeight: 1, bigramWeight: 0.5, charWeight: 2 }).encodeOne(text);
    const norm = Math.hypot(1, 0.5, 2);
    expect(dot(mixed, w)).toBeCloseTo(1 / norm, 5);
    expect(dot(mixed, b)).toBeCloseTo(0.5 / norm, 5);
    expect(dot(mixed, c)).toBeCloseTo(2 / norm, 5);
    expect(sparse(only("word").encodeOne("")).indices).toHaveLength(0);
  });

  it("drops apostrophes and folds digits (any script) unless told not to", () => {
    const enc = new BuiltinEncoder();
    for (const [a, b] of [["what's up", "whats up"], ["it\u2019s", "its"], ["don`t", "dont"], ["room 123", "room 456"], ["room \u0663", "room 7"], ["hello, world!", "hello world"]])
      expect(dot(enc.encodeOne(a!), enc.encodeOne(b!)), `${a} ~ ${b}`).toBeCloseTo(1, 5);
    const raw = new BuiltinEncoder({ foldDigits: false });
    expect(dot(raw.encodeOne("room 123"), raw.encodeOne("room 456"))).toBeLessThan(0.9);
    expect(dot(raw.encodeOne("room 123"), raw.encodeOne("room 123"))).toBeCloseTo(1, 5);
  });
});
