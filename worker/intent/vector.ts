/**
 * Encoded text. Sparse vectors (hashed features) keep their indices strictly
 * increasing; dense vectors (embeddings) carry every coordinate.
 */
export type Vector =
  | { kind: "sparse"; dim: number; indices: Int32Array; values: Float32Array }
  | { kind: "dense"; values: Float32Array };

/** Dimension of a vector (declared `dim` for sparse, length for dense). */
export function vectorDim(v: Vector): number {
  return v.kind === "sparse" ? v.dim : v.values.length;
}

/** Euclidean norm of the stored values. */
export function l2Norm(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    s += x * x;
  }
  return Math.sqrt(s);
}

/**
 * Scales `values` in place to unit L2 norm (a zero vector stays zero).
 * @returns the same array, for chaining.
 */
export function l2NormalizeInPlace(values: Float32Array): Float32Array {
  const n = l2Norm(values);
  if (n > 0) for (let i = 0; i < values.length; i++) values[i] = values[i]! / n;
  return values;
}

/**
 * Builds an L2-normalised dense vector from plain numbers.
 * @example denseVector([3, 4]).values // Float32Array [0.6, 0.8]
 */
export function denseVector(values: ArrayLike<number>): Vector {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (!Number.isFinite(x)) throw new Error(`denseVector: non-finite value at ${i}`);
    out[i] = x;
  }
  return { kind: "dense", values: l2NormalizeInPlace(out) };
}

/** Dot product of two vectors of the same dimension (any mix of kinds). */
export function dot(a: Vector, b: Vector): number {
  if (vectorDim(a) !== vectorDim(b)) throw new Error("dot: dimension mismatch");
  if (a.kind === "dense" && b.kind === "dense") {
    let s = 0;
    for (let i = 0; i < a.values.length; i++) s += a.values[i]! * b.values[i]!;
    return s;
  }
  if (a.kind === "sparse" && b.kind === "sparse") {
    let s = 0;
    let i = 0;
    let j = 0;
    while (i < a.indices.length && j < b.indices.length) {
      const ai = a.indices[i]!;
      const bj = b.indices[j]!;
      if (ai === bj) s += a.values[i++]! * b.values[j++]!;
      else if (ai < bj) i++;
      else j++;
    }
    return s;
  }
  const [sp, de] = a.kind === "sparse" ? [a, b as Extract<Vector, { kind: "dense" }>] : [b as Extract<Vector, { kind: "sparse" }>, a];
  let s = 0;
  for (let i = 0; i < sp.indices.length; i++) s += sp.values[i]! * de.values[sp.indices[i]!]!;
  return s;
}
