import { ByteWriter, bytesToBase64 } from "./codec.ts";
import { fingerprintHex } from "./hash.ts";
import { FORMAT, decodeSnapshot, encodeSnapshot, packSnapshot, unpackSnapshot, type ClassifierArrays, type ClassifierSnapshot } from "./snapshot-codec.ts";
import { resolveFitOptions, trainSoftmax, type FitOptions, type FloatModel } from "./train.ts";
import { vectorDim, type Vector } from "./vector.ts";

export type { FitOptions } from "./train.ts";
export type { ClassifierSnapshot } from "./snapshot-codec.ts";

/** One classification: the top label, its confidence score and the k best. */
export interface Prediction {
  label: string;
  /**
   * Confidence score of `label`, in [0, 1]: its softmax probability p, or, for a
   * classifier fitted with `groups`, the combined score √(p · P(group of label)) —
   * the geometric mean with the summed probability of the labels of its group. Not
   * a probability in the grouped case (scores of all labels need not sum to 1).
   */
  confidence: number;
  /**
   * The k most probable labels (at most k entries), each with its confidence score on
   * the same scale as `confidence`, so margins between them compare like with like:
   * the first is `label`, the others follow by score, highest first (with groups, an
   * alternative can score above `label`, which is chosen by probability).
   */
  topK: { label: string; confidence: number; probability: number }[];
}

/**
 * A fitted intent classifier.
 * @example
 * const clf = fitClassifier(rows);
 * clf.predict(vector, 3); // { label, confidence, topK: [...3] }
 */
export interface Classifier {
  readonly labels: readonly string[];
  /** Stable hex hash of the model (same snapshot ⇔ same fingerprint). */
  readonly fingerprint: string;
  /** Top-1 label and the `k` most probable labels for a vector of the fitted dimension. */
  predict(v: Vector, k: number): Prediction;
  /** JSON-serialisable form; `loadClassifier(snapshot())` predicts identically. */
  snapshot(): ClassifierSnapshot;
  /** The packed form (snapshot-codec.ts); `loadPackedClassifier(packed())` predicts identically, with the same fingerprint. */
  packed(): Uint8Array;
}
const DIRECT_LOOKUP_MAX_DIM = 1 << 22;

/**
 * Fits a multinomial logistic regression (sparse SGD), then quantises it to
 * int8 and keeps the `maxNonZeros` largest weights. The returned classifier
 * is the quantised one, so it predicts exactly like its reloaded snapshot.
 * Works for sparse and dense vectors; deterministic for the same rows/options.
 * @example
 * const clf = fitClassifier([{ vector: v1, label: "greet" }, { vector: v2, label: "bye" }]);
 */
export function fitClassifier(rows: readonly { vector: Vector; label: string }[], options?: FitOptions): Classifier {
  const o = resolveFitOptions(options);
  return loadClassifier(quantize(trainSoftmax(rows, o), o.maxNonZeros));
}

/** µ-law companding constant of the int8 weight code. */
const MU = 255;

/** Decoded value of each int8 code (index = code & 255) for unit `scale`. */
function codebook(scale: number): Float64Array {
  const table = new Float64Array(256);
  for (let q = -127; q <= 127; q++) table[q & 255] = Math.sign(q) * scale * Math.expm1((Math.abs(q) / 127) * Math.log1p(MU));
  return table;
}

function quantize(m: FloatModel, maxNonZeros: number): ClassifierSnapshot {
  const C = m.labels.length;
  let maxAbs = 0;
  for (const w of m.weights) maxAbs = Math.max(maxAbs, Math.abs(w));
  const scale = maxAbs > 0 ? maxAbs / MU : 1;
  const k = 127 / Math.log1p(MU);
  const q = new Int8Array(m.weights.length);
  const hist = new Int32Array(128);
  for (let i = 0; i < q.length; i++) {
    const w = m.weights[i]!;
    const v = Math.min(127, Math.round(k * Math.log1p(Math.abs(w) / scale)));
    q[i] = w < 0 ? -v : v;
    hist[v]!++;
  }
  let keepFrom = 1;
  let kept = q.length - hist[0]!;
  while (kept > maxNonZeros && keepFrom < 127) kept -= hist[keepFrom++]!;
  const feats = new ByteWriter();
  const rows = new ByteWriter();
  const weights: number[] = [];
  let prevFeature = -1;
  for (let f = 0; f < m.features.length; f++) {
    let n = 0;
    for (let c = 0; c < C; c++) if (Math.abs(q[f * C + c]!) >= keepFrom) n++;
    if (n === 0) continue;
    feats.varint(m.features[f]! - prevFeature - 1);
    prevFeature = m.features[f]!;
    rows.varint(n);
    let prevClass = -1;
    for (let c = 0; c < C; c++) {
      const v = q[f * C + c]!;
      if (Math.abs(v) < keepFrom) continue;
      rows.varint(c - prevClass - 1);
      prevClass = c;
      weights.push(v & 255);
    }
  }
  return {
    format: FORMAT,
    labels: [...m.labels],
    dim: m.dim,
    scale,
    bias: Array.from(m.bias),
    features: bytesToBase64(feats.bytes()),
    rows: bytesToBase64(rows.bytes()),
    weights: bytesToBase64(Uint8Array.from(weights)),
    ...(m.groups ? { groups: [...m.groups] } : {}),
  };
}

/**
 * Rebuilds a classifier from {@link Classifier.snapshot} output.
 * @throws Error if the snapshot is malformed or inconsistent.
 */
export function loadClassifier(s: ClassifierSnapshot): Classifier {
  return new LinearClassifier(decodeSnapshot(s), s);
}

/**
 * Rebuilds a classifier from {@link Classifier.packed} output: views of the bytes,
 * no per-weight decoding, the fingerprint read rather than computed (`verify`:
 * snapshot-codec.ts `unpackSnapshot`).
 * @throws Error `loadClassifier: …` if the bytes are not a well-formed packed snapshot.
 */
export function loadPackedClassifier(bytes: Uint8Array | ArrayBuffer, options?: { verify?: boolean }): Classifier {
  const { arrays, fingerprint } = unpackSnapshot(bytes, options);
  return new LinearClassifier(arrays, undefined, fingerprint);
}

class LinearClassifier implements Classifier {
  readonly labels: readonly string[];
  private snap: ClassifierSnapshot | undefined;
  private readonly arrays: ClassifierArrays;
  private readonly dim: number;
  private readonly bias: Float64Array;
  private readonly keys: Int32Array;
  private readonly direct: Int32Array | null;
  private readonly rowPtr: Int32Array;
  private readonly cls: ClassifierArrays["cls"];
  private readonly q: Int8Array;
  /** Each int8 code's weight, as a float32 (index = code & 255). */
  private readonly table: Float32Array;
  private readonly acc: Float64Array;
  private readonly groups: Int32Array | null;
  private fp: string | undefined;

  constructor(a: ClassifierArrays, snap?: ClassifierSnapshot, fingerprint?: string) {
    this.arrays = a;
    this.snap = snap;
    this.fp = fingerprint;
    this.labels = Object.freeze([...a.labels]);
    this.dim = a.dim;
    this.bias = Float64Array.from(a.bias);
    this.keys = a.keys;
    this.rowPtr = a.rowPtr;
    this.cls = a.cls;
    this.q = a.q;
    this.table = Float32Array.from(codebook(a.scale));
    this.acc = new Float64Array(a.labels.length);
    this.groups = a.groups ? Int32Array.from(a.groups) : null;
    this.direct = a.dim <= DIRECT_LOOKUP_MAX_DIM ? new Int32Array(a.dim).fill(-1) : null;
    if (this.direct) for (let r = 0; r < a.keys.length; r++) this.direct[a.keys[r]!] = r;
  }

  get fingerprint(): string {
    return (this.fp ??= fingerprintHex(JSON.stringify(this.snapshot())));
  }

  snapshot(): ClassifierSnapshot {
    const snap = (this.snap ??= encodeSnapshot(this.arrays));
    return { ...snap, labels: [...snap.labels], bias: [...snap.bias], ...(snap.groups ? { groups: [...snap.groups] } : {}) };
  }

  packed(): Uint8Array {
    return packSnapshot(this.arrays, this.fingerprint);
  }

  private row(index: number): number {
    if (this.direct) return this.direct[index]!;
    let lo = 0;
    let hi = this.keys.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const k = this.keys[mid]!;
      if (k === index) return mid;
      if (k < index) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  private addRow(index: number, value: number): void {
    const r = this.row(index);
    if (r < 0) return;
    const { acc, cls, q, table } = this;
    for (let e = this.rowPtr[r]!, end = this.rowPtr[r + 1]!; e < end; e++) acc[cls[e]!]! += value * table[q[e]! & 255]!;
  }

  predict(v: Vector, k: number): Prediction {
    if (vectorDim(v) !== this.dim) throw new Error(`predict: vector dim ${vectorDim(v)} ≠ model dim ${this.dim}`);
    const acc = this.acc;
    acc.fill(0);
    if (v.kind === "sparse") for (let i = 0; i < v.indices.length; i++) this.addRow(v.indices[i]!, v.values[i]!);
    else for (let i = 0; i < v.values.length; i++) if (v.values[i] !== 0) this.addRow(i, v.values[i]!);
    const C = acc.length;
    let max = -Infinity;
    for (let c = 0; c < C; c++) {
      acc[c] = this.bias[c]! + acc[c]!;
      if (acc[c]! > max) max = acc[c]!;
    }
    let sum = 0;
    for (let c = 0; c < C; c++) sum += acc[c] = Math.exp(acc[c]! - max);
    const kk = Math.max(0, Math.min(Math.floor(k), C));
    const topK: { label: string; confidence: number; probability: number }[] = [];
    const taken = new Uint8Array(C);
    const groups = this.groups;
    for (let n = 0; n < Math.max(kk, 1); n++) {
      let best = -1;
      for (let c = 0; c < C; c++) if (!taken[c] && (best < 0 || acc[c]! > acc[best]!)) best = c;
      taken[best] = 1;
      const p = acc[best]! / sum;
      if (!groups) {
        topK.push({ label: this.labels[best]!, confidence: p, probability: p });
        continue;
      }
      // the combined score: with the probability mass of the label's group
      let inGroup = 0;
      for (let c = 0; c < C; c++) if (groups[c] === groups[best]) inGroup += acc[c]!;
      topK.push({ label: this.labels[best]!, confidence: Math.min(1, Math.sqrt((p * inGroup) / sum)), probability: p });
    }
    const top = topK[0]!;
    const alternatives = topK.slice(1, kk).sort((a, b) => b.confidence - a.confidence);
    return { label: top.label, confidence: top.confidence, topK: kk === 0 ? [] : [top, ...alternatives] };
  }
}
