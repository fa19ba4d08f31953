import { describe, expect, it } from "vitest";
import { BuiltinEncoder } from "../../../worker/intent/builtin-encoder.ts";
import { dot, l2Norm, type Vector } from "../../../worker/intent/vector.ts";

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
});
