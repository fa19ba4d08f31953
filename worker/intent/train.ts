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
  /** Shuffling / dropout seed (default 1). */
  seed?: number;
  /**
   * Minimum total example updates, so small sets still converge (default 10,000: on
   * the bundled config's ~400 rows, 1,000 left fits that moved by ±2 pt between seeds;
   * sets of 1,667+ rows keep their 6 epochs).
   */
  minUpdates?: number;
  /** Budget of stored non-zero weights after int8 quantisation (default 400,000). */
  maxNonZeros?: number;
  /** Label smoothing ε: the target puts 1 − ε on the label, ε spread over the others (default 0.1). */
  labelSmoothing?: number;
  /** Probability of dropping each input feature of an example at each visit (default 0.2). */
  inputDropout?: number;
  /**
   * Optional label → group (e.g. intent → specialist). When given, a second
   * softmax head over groups is trained jointly, folded into the label scores
   * as score(label) + groupWeight · score(group(label)), and the prediction
   * confidence also accounts for the probability of the top label's group.
   */
  groups?: ReadonlyMap<string, string> | Readonly<Record<string, string>>;
  /** Weight α of the group head in the label scores (default 1). */
  groupWeight?: number;
}

/** Resolved options: numeric fields filled with their defaults; `groups` as a Map or undefined. */
export type ResolvedFitOptions = Required<Omit<FitOptions, "groups">> & { groups: ReadonlyMap<string, string> | undefined };

/** Defaults of the numeric options. */
export const FIT_DEFAULTS: Required<Omit<FitOptions, "groups">> = {
  epochs: 6,
  learningRate: 4,
  l2: 1e-6,
  seed: 1,
  minUpdates: 10_000,
  maxNonZeros: 400_000,
  labelSmoothing: 0.1,
  inputDropout: 0.2,
  groupWeight: 1,
};

/** Defaults merged with `options` (undefined fields keep the default); validates ranges. */
export function resolveFitOptions(options: FitOptions = {}): ResolvedFitOptions {
  const o: ResolvedFitOptions = { ...FIT_DEFAULTS, groups: undefined };
  for (const [k, v] of Object.entries(options)) {
    if (v === undefined) continue;
    if (k === "groups") o.groups = v instanceof Map ? v : new Map(Object.entries(v as Record<string, string>));
    else if (k in FIT_DEFAULTS) (o as unknown as Record<string, unknown>)[k] = v;
  }
  if (!(o.epochs >= 1) || !(o.learningRate > 0) || !(o.l2 >= 0) || !(o.l2 * o.learningRate < 1) || !(o.maxNonZeros >= 1))
    throw new Error("fitClassifier: invalid options");
  if (!(o.labelSmoothing >= 0 && o.labelSmoothing < 1) || !(o.inputDropout >= 0 && o.inputDropout < 1) || !(o.groupWeight >= 0))
    throw new Error("fitClassifier: invalid options");
  o.epochs = Math.floor(o.epochs);
  return o;
}

/** Float model out of training: `weights[f * C + c]` for compact feature f (group head already folded in). */
export interface FloatModel {
  labels: string[];
  dim: number;
  /** Compact feature f ↔ original vector index `features[f]` (strictly increasing). */
  features: Int32Array;
  weights: Float32Array;
  bias: Float64Array;
  /** Group index of each label, when trained with groups. */
  groups?: number[];
}

/** Classes whose |p - target| is below this skip the weight update (speed; ≈ no accuracy cost). */
const GRAD_EPS = 2e-3;

/** Visits the non-zero entries of a vector. */
export function forEachEntry(v: Vector, fn: (index: number, value: number) => void): void {
  if (v.kind === "sparse") for (let k = 0; k < v.indices.length; k++) fn(v.indices[k]!, v.values[k]!);
  else for (let i = 0; i < v.values.length; i++) if (v.values[i] !== 0) fn(i, v.values[i]!);
}

/** Compact CSR copy of the rows plus label/group indices. */
function prepare(rows: readonly { vector: Vector; label: string }[], groupOf: ReadonlyMap<string, string> | undefined) {
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
  const offsets = new Int32Array(rows.length + 1);
  const fi: number[] = [];
  const fv: number[] = [];
  rows.forEach((r, i) => {
    forEachEntry(r.vector, (idx, val) => {
      fi.push(compact.get(idx)!); // `!`: every index of every row went into `compact` above
      fv.push(val);
    });
    offsets[i + 1] = fi.length;
  });
  const names = new Map<string, number>();
  const groups = groupOf ? labels.map((l) => names.get(groupOf.get(l) ?? l) ?? names.set(groupOf.get(l) ?? l, names.size).size - 1) : undefined;
  return { labels, y, dim, features, offsets, X: Int32Array.from(fi), V: Float32Array.from(fv), groups, G: names.size };
}

/**
 * Multinomial logistic regression by shuffled SGD (linear step decay,
 * lazily-applied L2 via a global scale, label smoothing, input-feature
 * dropout), sparse in the inputs and in the gradient (classes with
 * |p − target| < 2e-3 are skipped). With `groups`, a group softmax head is trained jointly on the same
 * features and folded into the label weights. Deterministic for a given seed.
 */
export function trainSoftmax(rows: readonly { vector: Vector; label: string }[], options: FitOptions = {}): FloatModel {
  const o = resolveFitOptions(options);
  if (rows.length === 0) throw new Error("fitClassifier: no training rows");
  const { labels, y, dim, features, offsets, X, V, groups, G } = prepare(rows, o.groups);
  const C = labels.length;
  const K = C + G; // label columns, then group columns
  const F = features.length;
  const W = new Float32Array(F * K);
  const bias = new Float64Array(K);
  const z = new Float64Array(K);
  const active = new Int32Array(K);
  const grad = new Float64Array(K);
  const kept = new Int32Array(Math.max(1, ...Array.from({ length: rows.length }, (_, i) => offsets[i + 1]! - offsets[i]!)));
  const rng = mulberry32(o.seed);
  const order = new Int32Array(rows.length);
  const epochs = Math.max(o.epochs, Math.ceil(o.minUpdates / rows.length));
  const total = epochs * rows.length;
  const drop = o.inputDropout;
  const keepScale = 1 / (1 - drop);
  let scale = 1;
  let t = 0;
  let na = 0;
  /** Softmax over columns [lo, hi) with smoothed target `target`; collects the active gradient entries. */
  const head = (lo: number, hi: number, target: number, lr: number): void => {
    let max = -Infinity;
    for (let c = lo; c < hi; c++) if (z[c]! > max) max = z[c]!;
    let sum = 0;
    for (let c = lo; c < hi; c++) sum += z[c] = Math.exp(z[c]! - max);
    const n = hi - lo;
    const off = n > 1 ? o.labelSmoothing / (n - 1) : 0;
    const on = n > 1 ? 1 - o.labelSmoothing : 1;
    for (let c = lo; c < hi; c++) {
      const g = z[c]! / sum - (c === target ? on : off);
      if (g > GRAD_EPS || g < -GRAD_EPS) {
        active[na++] = c;
        grad[c] = g;
        bias[c]! -= lr * g;
      }
    }
  };
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
      let nk = 0;
      for (let k = offsets[r]!; k < offsets[r + 1]!; k++) if (drop === 0 || rng() >= drop) kept[nk++] = k;
      z.set(bias);
      forward(z, W, X, V, kept, nk, K, scale * keepScale);
      na = 0;
      head(0, C, y[r]!, lr);
      if (groups) head(C, K, C + groups[y[r]!]!, lr);
      scale *= 1 - lr * o.l2;
      if (na === 0) continue;
      const step = (lr / scale) * keepScale;
      for (let q = 0; q < nk; q++) {
        const k = kept[q]!;
        const base = X[k]! * K;
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
  return fold(labels, dim, features, W, bias, scale, C, K, groups, o.groupWeight);
}

/** Label weights + α · group weights, unscaled, as an F × C model. */
function fold(labels: string[], dim: number, features: Int32Array, W: Float32Array, bias: Float64Array, scale: number, C: number, K: number, groups: number[] | undefined, alpha: number): FloatModel {
  const F = features.length;
  const out = new Float32Array(F * C);
  const b = new Float64Array(C);
  for (let c = 0; c < C; c++) b[c] = bias[c]! + (groups ? alpha * bias[C + groups[c]!]! : 0);
  for (let f = 0; f < F; f++)
    for (let c = 0; c < C; c++) out[f * C + c] = scale * (W[f * K + c]! + (groups ? alpha * W[f * K + C + groups[c]!]! : 0));
  return groups ? { labels, dim, features, weights: out, bias: b, groups } : { labels, dim, features, weights: out, bias: b };
}

function forward(z: Float64Array, W: Float32Array, X: Int32Array, V: Float32Array, kept: Int32Array, nk: number, K: number, scale: number): void {
  for (let q = 0; q < nk; q++) {
    const k = kept[q]!;
    const base = X[k]! * K;
    const v = V[k]! * scale;
    let c = 0;
    for (; c + 3 < K; c += 4) {
      z[c] = z[c]! + v * W[base + c]!;
      z[c + 1] = z[c + 1]! + v * W[base + c + 1]!;
      z[c + 2] = z[c + 2]! + v * W[base + c + 2]!;
      z[c + 3] = z[c + 3]! + v * W[base + c + 3]!;
    }
    for (; c < K; c++) z[c] = z[c]! + v * W[base + c]!;
  }
}
