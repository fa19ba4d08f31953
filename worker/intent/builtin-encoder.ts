import type { Encoder } from "./encoder.ts";
import { FNV_OFFSET, fingerprintHex, fmix32, fnv1a, fnvStep } from "./hash.ts";
import { normalizeInput } from "./normalize.ts";
import type { Vector } from "./vector.ts";

/** Tunables of {@link BuiltinEncoder}; the defaults are the measured best on CLINC150 val. */
export interface BuiltinEncoderOptions {
  /** log2 of the hashed dimension (default 14 → 16,384; measured as accurate as 18 on CLINC150 and faster to fit). */
  dimBits?: number;
  /** Shortest / longest character n-gram inside a word, boundary marks included (default 2..5). */
  charMin?: number;
  charMax?: number;
  /** Weights of the feature groups after per-group L2 normalisation. */
  wordWeight?: number;
  bigramWeight?: number;
  charWeight?: number;
  /** Map every digit to "0" so numbers generalise (default true). */
  foldDigits?: boolean;
}

const DEFAULTS: Required<BuiltinEncoderOptions> = {
  dimBits: 14,
  charMin: 2,
  charMax: 5,
  wordWeight: 1,
  bigramWeight: 0.7,
  charWeight: 1,
  foldDigits: true,
};

/** Version of the feature extraction: bump whenever features change. */
const VERSION = "builtin-hash/1";
const SEED_WORD = 0x1b873593;
const SEED_BIGRAM = 0x68e31da4;
const SEED_CHAR = 0x3c6ef372;
const MAX_TOKEN_CHARS = 40;
const TOKEN_RE = /[\p{L}\p{N}]+/gu;

/**
 * Built-in hashed-feature text encoder: word unigrams, word bigrams (with
 * sentence boundaries) and character n-grams inside word boundaries, each
 * group with sublinear tf (1 + ln tf) and L2-normalised, then weighted, summed
 * and L2-normalised again. FNV-1a over UTF-16 code units + murmur3 finaliser,
 * so output depends only on the text. Not thread-safe (reuses scratch buffers),
 * which is fine in a Worker isolate.
 *
 * @example
 * const enc = new BuiltinEncoder();
 * const v = enc.encodeOne("What's my balance?"); // sparse, unit L2 norm
 */
export class BuiltinEncoder implements Encoder {
  /** Versioned id ("builtin-hash/1", plus an options tag when not default). */
  readonly id: string;
  /** Hashed dimension. */
  readonly dim: number;
  private readonly opts: Required<BuiltinEncoderOptions>;
  private readonly mask: number;
  private readonly group: Float32Array;
  private readonly groupTouched: number[] = [];
  private readonly acc: Float32Array;
  private readonly accTouched: number[] = [];

  constructor(options: BuiltinEncoderOptions = {}) {
    const o = { ...DEFAULTS, ...options };
    if (!Number.isInteger(o.dimBits) || o.dimBits < 4 || o.dimBits > 24) throw new Error("dimBits must be 4..24");
    if (o.charMin < 1 || o.charMax < o.charMin) throw new Error("bad char n-gram range");
    this.opts = o;
    this.dim = 1 << o.dimBits;
    this.mask = this.dim - 1;
    this.group = new Float32Array(this.dim);
    this.acc = new Float32Array(this.dim);
    const tag = JSON.stringify(Object.entries(o).filter(([k, v]) => DEFAULTS[k as keyof typeof DEFAULTS] !== v));
    this.id = tag === "[]" ? VERSION : `${VERSION}+${fingerprintHex(tag).slice(0, 8)}`;
  }

  /** Async interface of {@link Encoder}; same vectors as {@link encodeOne}. */
  encode(texts: readonly string[]): Promise<Vector[]> {
    return Promise.resolve(texts.map((t) => this.encodeOne(t)));
  }

  /** Synchronous encoding of one text (normalised here with `normalizeInput`). */
  encodeOne(text: string): Vector {
    const o = this.opts;
    let t = normalizeInput(text).replace(/['\u2019`]/g, "");
    if (o.foldDigits) t = t.replace(/\p{Nd}/gu, "0");
    const tokens = t.match(TOKEN_RE) ?? [];
    const wordHashes = tokens.map((w) => fnv1a(w, SEED_WORD));
    // word unigrams
    for (const h of wordHashes) this.add(fmix32(h));
    this.flush(o.wordWeight);
    // word bigrams, with start/end marks
    if (o.bigramWeight > 0 && tokens.length > 0) {
      let prev = SEED_BIGRAM;
      for (const h of wordHashes) {
        this.add(fmix32(Math.imul(prev, 0x2c1b3c6d) ^ h ^ SEED_BIGRAM));
        prev = h;
      }
      this.add(fmix32(Math.imul(prev, 0x2c1b3c6d) ^ 0x5bd1e995 ^ SEED_BIGRAM));
      this.flush(o.bigramWeight);
    }
    // character n-grams within "<word>"
    if (o.charWeight > 0) {
      for (const w of tokens) this.charGrams(w);
      this.flush(o.charWeight);
    }
    return this.take();
  }

  private charGrams(w: string): void {
    const { charMin, charMax } = this.opts;
    const L = Math.min(w.length, MAX_TOKEN_CHARS) + 2;
    for (let i = 0; i < L; i++) {
      let h = FNV_OFFSET ^ SEED_CHAR;
      for (let n = 1; n <= charMax && i + n <= L; n++) {
        const p = i + n - 1;
        h = fnvStep(h, p === 0 ? 2 : p === L - 1 ? 3 : w.charCodeAt(p - 1));
        if (n >= charMin) this.add(fmix32(h));
      }
    }
  }

  private add(h: number): void {
    const i = h & this.mask;
    if (this.group[i] === 0) this.groupTouched.push(i);
    this.group[i]! += 1;
  }

  /** Moves the current group into the accumulator: sublinear tf, L2-normalised, weighted. */
  private flush(weight: number): void {
    const touched = this.groupTouched;
    let ss = 0;
    for (const i of touched) {
      const v = 1 + Math.log(this.group[i]!);
      this.group[i] = v;
      ss += v * v;
    }
    const scale = ss > 0 ? weight / Math.sqrt(ss) : 0;
    for (const i of touched) {
      const v = this.group[i]! * scale;
      this.group[i] = 0;
      if (v === 0) continue;
      if (this.acc[i] === 0) this.accTouched.push(i);
      this.acc[i]! += v;
    }
    touched.length = 0;
  }

  private take(): Vector {
    const idx = Int32Array.from(this.accTouched).sort();
    this.accTouched.length = 0;
    const values = new Float32Array(idx.length);
    let ss = 0;
    for (let k = 0; k < idx.length; k++) {
      const v = this.acc[idx[k]!]!;
      this.acc[idx[k]!] = 0;
      values[k] = v;
      ss += v * v;
    }
    const inv = ss > 0 ? 1 / Math.sqrt(ss) : 0;
    for (let k = 0; k < values.length; k++) values[k] = values[k]! * inv;
    return { kind: "sparse", dim: this.dim, indices: idx, values };
  }
}
