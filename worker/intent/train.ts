import { mulberry32 } from "./hash.ts";
import { vectorDim, type Vector } from "./vector.ts";

/** Hyper-parameters of {@link trainSoftmax} (and of `fitClassifier`). */
export interface FitOptions {
  /** Passes over the data (default 6); raised automatically for tiny sets, see `minUpdates`. */
  epochs?: number;
  /** Initial SGD step, decayed linearly to 0 (default 4). */
  learningRate?: number;
  /** L2 penalty per example (default 1e-6). */
  l2?: number;
  /** Shuffling seed (default 1). */
  seed?: number;
  /** Minimum total example updates, so tiny sets still converge (default 1000). */
  minUpdates?: number;
  /** Budget of stored non-zero weights after int8 quantisation (default 400,000). */
  maxNonZeros?: number;
}

/** Resolved defaults. */
export const FIT_DEFAULTS: Required<FitOptions> = {
  epochs: 6,
  learningRate: 4,
  l2: 1e-6,
  seed: 1,
  minUpdates: 1000,
  maxNonZeros: 400_000,
};

/** Defaults merged with `options` (undefined fields keep the default); validates ranges. */
export function resolveFitOptions(options: FitOptions = {}): Required<FitOptions> {
  const o = { ...FIT_DEFAULTS };
  for (const [k, v] of Object.entries(options) as [keyof FitOptions, number | undefined][]) if (v !== undefined) o[k] = v;
  if (!(o.epochs >= 1) || !(o.learningRate > 0) || !(o.l2 >= 0) || !(o.l2 * o.learningRate < 1) || !(o.maxNonZeros >= 1))
    throw new Error("fitClassifier: invalid options");
  o.epochs = Math.floor(o.epochs);
  return o;
}

/** Float model out of training: `weights[f * C + c]` for compact feature f. */
export interface FloatModel {
  labels: string[];
  dim: number;
  /** Compact feature f ↔ original vector index `features[f]` (strictly increasing). */
  features: Int32Array;
  weights: Float32Array;
  bias: Float64Array;
}

/** Classes whose |p - y| is below this skip the weight update (speed; ≈ no accuracy cost). */
const GRAD_EPS = 2e-3;

/** Visits the non-zero entries of a vector. */
export function forEachEntry(v: Vector, fn: (index: number, value: number) => void): void {
  if (v.kind === "sparse") for (let k = 0; k < v.indices.length; k++) fn(v.indices[k]!, v.values[k]!);
  else for (let i = 0; i < v.values.length; i++) if (v.values[i] !== 0) fn(i, v.values[i]!);
}

/**
 * Multinomial logistic regression by shuffled SGD (linear step decay,
 * lazily-applied L2 via a global scale), sparse in the inputs and in the
 * gradient (classes with |p - y| < 2e-3 are skipped). Deterministic.
 */
export function trainSoftmax(rows: readonly { vector: Vector; label: string }[], options: FitOptions = {}): FloatModel {
  const o = resolveFitOptions(options);
  if (rows.length === 0) throw new Error("fitClassifier: no training rows");
  const labels: string[] = [];
  const labelIndex = new Map<string, number>();
  const y = new Int32Array(rows.length);
  const dim = vectorDim(rows[0]!.vector);
  const seen = new Set<number>();
  rows.forEach((r, i) => {
    if (typeof r.label !== "string" || r.label === "") throw new Error("fitClassifier: empty label");
    if (vectorDim(r.vector) !== dim) throw new Error("fitClassifier: vectors of different dimensions");
    let c = labelIndex.get(r.label);
    if (c === undefined) labelIndex.set(r.label, (c = labels.push(r.label) - 1));
    y[i] = c;
    forEachEntry(r.vector, (idx) => seen.add(idx));
  });
  const features = Int32Array.from(seen).sort();
  const compact = new Map<number, number>();
  features.forEach((f, i) => compact.set(f, i));
  // CSR copy of the inputs in compact feature ids
  const offsets = new Int32Array(rows.length + 1);
  const fi: number[] = [];
  const fv: number[] = [];
  rows.forEach((r, i) => {
    forEachEntry(r.vector, (idx, val) => {
      fi.push(compact.get(idx)!);
      fv.push(val);
    });
    offsets[i + 1] = fi.length;
  });
  const X = Int32Array.from(fi);
  const V = Float32Array.from(fv);
  const C = labels.length;
  const F = features.length;
  const W = new Float32Array(F * C);
  const bias = new Float64Array(C);
  const z = new Float64Array(C);
  const active = new Int32Array(C);
  const grad = new Float64Array(C);
  const rng = mulberry32(o.seed);
  const order = new Int32Array(rows.length);
  const epochs = Math.max(o.epochs, Math.ceil(o.minUpdates / rows.length));
  const total = epochs * rows.length;
  let scale = 1;
  let t = 0;
  for (let e = 0; e < epochs; e++) {
    for (let i = 0; i < order.length; i++) order[i] = i;
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      const tmp = order[i]!;
      order[i] = order[j]!;
      order[j] = tmp;
    }
    for (const r of order) {
      const lr = o.learningRate * (1 - t / total);
      t++;
      z.set(bias);
      forward(z, W, X, V, offsets[r]!, offsets[r + 1]!, C, scale);
      let max = -Infinity;
      for (let c = 0; c < C; c++) if (z[c]! > max) max = z[c]!;
      let sum = 0;
      for (let c = 0; c < C; c++) sum += z[c] = Math.exp(z[c]! - max);
      let na = 0;
      for (let c = 0; c < C; c++) {
        const g = z[c]! / sum - (c === y[r] ? 1 : 0);
        if (g > GRAD_EPS || g < -GRAD_EPS) {
          active[na++] = c;
          grad[c] = g;
          bias[c]! -= lr * g;
        }
      }
      scale *= 1 - lr * o.l2;
      if (na === 0) continue;
      const step = lr / scale;
      for (let k = offsets[r]!; k < offsets[r + 1]!; k++) {
        const base = X[k]! * C;
        const v = V[k]! * step;
        for (let a = 0; a < na; a++) {
          const c = active[a]!;
          W[base + c]! -= v * grad[c]!;
        }
      }
      if (scale < 1e-6) {
        for (let i = 0; i < W.length; i++) W[i] = W[i]! * scale;
        scale = 1;
      }
    }
  }
  for (let i = 0; i < W.length; i++) W[i] = W[i]! * scale;
  return { labels, dim, features, weights: W, bias };
}

function forward(z: Float64Array, W: Float32Array, X: Int32Array, V: Float32Array, from: number, to: number, C: number, scale: number): void {
  for (let k = from; k < to; k++) {
    const base = X[k]! * C;
    const v = V[k]! * scale;
    let c = 0;
    for (; c + 3 < C; c += 4) {
      z[c] = z[c]! + v * W[base + c]!;
      z[c + 1] = z[c + 1]! + v * W[base + c + 1]!;
      z[c + 2] = z[c + 2]! + v * W[base + c + 2]!;
      z[c + 3] = z[c + 3]! + v * W[base + c + 3]!;
    }
    for (; c < C; c++) z[c] = z[c]! + v * W[base + c]!;
  }
}
