import { describe, expect, it } from "vitest";
import { denseVector, dot, l2Norm, l2NormalizeInPlace, vectorDim, type Vector } from "../../../worker/intent/vector.ts";

const sparse = (dim: number, entries: [number, number][]): Vector => ({
  kind: "sparse",
  dim,
  indices: Int32Array.from(entries.map((e) => e[0])),
  values: Float32Array.from(entries.map((e) => e[1])),
});
const dense = (values: number[]): Vector => ({ kind: "dense", values: Float32Array.from(values) });

describe("vectorDim", () => {
  it("is the declared dim of a sparse vector and the length of a dense one", () => {
    expect(vectorDim(sparse(10, [[3, 1]]))).toBe(10);
    expect(vectorDim(sparse(7, []))).toBe(7);
    expect(vectorDim(dense([1, 2, 3]))).toBe(3);
  });
});

describe("l2Norm", () => {
  it("is the Euclidean norm, 0 for no values", () => {
    expect(l2Norm([3, 4])).toBe(5);
    expect(l2Norm([-3, -4])).toBe(5);
    expect(l2Norm([2])).toBe(2);
    expect(l2Norm([])).toBe(0);
    expect(l2Norm(Float32Array.from([1, 2, 2]))).toBe(3);
  });
});

describe("l2NormalizeInPlace", () => {
  it("scales to unit norm in place and returns the same array", () => {
    const v = Float32Array.from([3, 4]);
    const out = l2NormalizeInPlace(v);
    expect(out).toBe(v);
    expect(Array.from(v)).toEqual([Math.fround(0.6), Math.fround(0.8)]);
  });

  it("leaves a zero vector zero (no NaN)", () => {
    expect(Array.from(l2NormalizeInPlace(new Float32Array(3)))).toEqual([0, 0, 0]);
  });
});

describe("denseVector", () => {
  it("builds a unit-norm dense vector without touching its input", () => {
    const input = [3, 4];
    const v = denseVector(input);
    expect(v.kind).toBe("dense");
    expect(Array.from(v.values)).toEqual([Math.fround(0.6), Math.fround(0.8)]);
    expect(input).toEqual([3, 4]);
    expect(Array.from(denseVector([0, 0]).values)).toEqual([0, 0]);
  });

  it("rejects non-finite values, naming their position", () => {
    expect(() => denseVector([1, Number.NaN])).toThrow("denseVector: non-finite value at 1");
    expect(() => denseVector([Infinity])).toThrow("denseVector: non-finite value at 0");
    expect(() => denseVector([1, 2, -Infinity])).toThrow("denseVector: non-finite value at 2");
  });
});

describe("dot", () => {
  it("multiplies dense vectors coordinate by coordinate", () => {
    expect(dot(dense([1, 2, 3]), dense([4, -5, 6]))).toBe(12);
    expect(dot(dense([]), dense([]))).toBe(0);
  });

  it("sums the products of the indices two sparse vectors share, however they interleave", () => {
    const a = sparse(20, [[1, 2], [4, 3], [6, 5], [9, 7], [15, 1]]);
    const b = sparse(20, [[0, 10], [4, 2], [5, 100], [9, 3], [12, 100], [19, 100]]);
    expect(dot(a, b)).toBe(3 * 2 + 7 * 3);
    expect(dot(b, a)).toBe(27);
    expect(dot(a, a)).toBe(4 + 9 + 25 + 49 + 1);
    expect(dot(sparse(20, [[3, 1]]), sparse(20, [[2, 1], [3, 4]]))).toBe(4);
    expect(dot(sparse(20, [[2, 1], [3, 4]]), sparse(20, [[3, 2]]))).toBe(8);
    expect(dot(a, sparse(20, []))).toBe(0);
  });

  it("mixes sparse and dense in either order", () => {
    const s = sparse(4, [[0, 2], [3, -1]]);
    const d = dense([1, 5, 7, 3]);
    expect(dot(s, d)).toBe(2 - 3);
    expect(dot(d, s)).toBe(-1);
  });

  it("rejects vectors of different dimensions, of any kind", () => {
    expect(() => dot(dense([1, 2]), dense([1, 2, 3]))).toThrow("dot: dimension mismatch");
    expect(() => dot(sparse(3, []), sparse(4, []))).toThrow("dot: dimension mismatch");
    expect(() => dot(sparse(3, []), dense([1, 2]))).toThrow("dot: dimension mismatch");
    expect(dot(sparse(2, [[1, 3]]), dense([1, 2]))).toBe(6);
  });
});
