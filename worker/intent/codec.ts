/** Compact binary codecs for classifier snapshots (pure JS, no Buffer/atob). */

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64_INV = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++) B64_INV[B64.charCodeAt(i)] = i;

/** Standard base64 (with padding) of raw bytes. */
export function bytesToBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  let chunk = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i]!;
    const b1 = i + 1 < bytes.length ? bytes[i + 1]! : 0;
    const b2 = i + 2 < bytes.length ? bytes[i + 2]! : 0;
    chunk += B64[b0 >> 2]! + B64[((b0 & 3) << 4) | (b1 >> 4)]!;
    chunk += i + 1 < bytes.length ? B64[((b1 & 15) << 2) | (b2 >> 6)]! : "=";
    chunk += i + 2 < bytes.length ? B64[b2 & 63]! : "=";
    // Stryker disable next-line ConditionalExpression,EqualityOperator: chunks only bound each concatenated string; joined, the output is the same
    if (chunk.length >= 8192) {
      parts.push(chunk);
      chunk = "";
    }
  }
  parts.push(chunk);
  return parts.join("");
}

/** Decodes standard base64; throws on malformed input. */
export function base64ToBytes(s: string): Uint8Array {
  if (s.length % 4 !== 0) throw new Error("base64: length not a multiple of 4");
  const pad = s.endsWith("==") ? 2 : s.endsWith("=") ? 1 : 0;
  const out = new Uint8Array((s.length / 4) * 3 - pad);
  const sextet = (i: number): number => {
    const ch = s.charCodeAt(i);
    if (ch === 61 && i >= s.length - pad) return 0;
    const v = ch < 128 ? B64_INV[ch]! : -1;
    if (v < 0) throw new Error("base64: invalid character");
    return v;
  };
  let o = 0;
  for (let i = 0; i < s.length; i += 4) {
    const n = (sextet(i) << 18) | (sextet(i + 1) << 12) | (sextet(i + 2) << 6) | sextet(i + 3);
    if (o < out.length) out[o++] = (n >> 16) & 255;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}

/** Growable byte buffer with unsigned LEB128 varints. */
export class ByteWriter {
  private buf = new Uint8Array(1024);
  private len = 0;

  /** Appends one byte. */
  byte(b: number): void {
    if (this.len === this.buf.length) {
      const next = new Uint8Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.len++] = b & 255;
  }

  /** Appends a non-negative integer (< 2^32) as LEB128. */
  varint(n: number): void {
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`varint out of range: ${n}`);
    while (n >= 128) {
      this.byte((n & 127) | 128);
      n = Math.floor(n / 128);
    }
    this.byte(n);
  }

  /** The bytes written so far. */
  bytes(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/** Reads LEB128 varints written by {@link ByteWriter}; throws on truncation. */
export class ByteReader {
  private pos = 0;
  private readonly buf: Uint8Array;
  constructor(buf: Uint8Array) {
    this.buf = buf;
  }

  /** Next varint. */
  varint(): number {
    let n = 0;
    let mul = 1;
    for (;;) {
      if (this.pos >= this.buf.length) throw new Error("varint: truncated");
      const b = this.buf[this.pos++]!;
      n += (b & 127) * mul;
      if (b < 128) return n;
      mul *= 128;
      if (mul > 2 ** 35) throw new Error("varint: too long");
    }
  }

  /** True when every byte was consumed. */
  done(): boolean {
    return this.pos === this.buf.length;
  }
}
