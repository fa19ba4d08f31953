import { describe, expect, it } from "vitest";
import { ByteReader, ByteWriter, base64ToBytes, bytesToBase64 } from "../../../worker/intent/codec.ts";

const bytesOf = (n: number, mul = 97): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * mul + 13) & 255);

describe("bytesToBase64", () => {
  it("is standard padded base64 (as Node's Buffer writes it), every length and byte value", () => {
    expect(bytesToBase64(new Uint8Array())).toBe("");
    expect(bytesToBase64(Uint8Array.from([0xff]))).toBe("/w==");
    expect(bytesToBase64(Uint8Array.from([0xfb, 0xff]))).toBe("+/8=");
    expect(bytesToBase64(new TextEncoder().encode("Man"))).toBe("TWFu");
    for (let n = 0; n < 12; n++) {
      const b = bytesOf(n);
      expect(bytesToBase64(b)).toBe(Buffer.from(b).toString("base64"));
    }
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(bytesToBase64(all)).toBe(Buffer.from(all).toString("base64"));
  });

  it("encodes long inputs whole (past its internal chunk size)", () => {
    const big = bytesOf(20_000, 31);
    expect(bytesToBase64(big)).toBe(Buffer.from(big).toString("base64"));
  });
});

describe("base64ToBytes", () => {
  it("decodes what bytesToBase64 (and Buffer) write, every length", () => {
    expect(Array.from(base64ToBytes(""))).toEqual([]);
    expect(Array.from(base64ToBytes("TWFu"))).toEqual([77, 97, 110]);
    expect(Array.from(base64ToBytes("/w=="))).toEqual([255]);
    expect(Array.from(base64ToBytes("+/8="))).toEqual([0xfb, 0xff]);
    for (let n = 0; n < 12; n++) {
      const b = bytesOf(n);
      expect(Array.from(base64ToBytes(Buffer.from(b).toString("base64")))).toEqual(Array.from(b));
      expect(Array.from(base64ToBytes(bytesToBase64(b)))).toEqual(Array.from(b));
    }
    const big = bytesOf(20_000, 31);
    expect(base64ToBytes(bytesToBase64(big))).toEqual(big);
  });

  it("rejects a length that is not a multiple of 4", () => {
    for (const s of ["A", "AB", "ABC", "ABCDE"]) expect(() => base64ToBytes(s)).toThrow("base64: length not a multiple of 4");
  });

  it("rejects characters outside the alphabet, and padding before the end", () => {
    for (const s of ["AB-D", "AB_D", "A\u00e9CD", "AB C", "A=AA", "=AAA", "AA=A", "AAAA=AAA", "A===", "\u0080AAA", "\u0100AAA"])
      expect(() => base64ToBytes(s), s).toThrow("base64: invalid character");
  });
});

describe("ByteWriter and ByteReader", () => {
  it("write unsigned LEB128 varints", () => {
    const enc = (n: number) => {
      const w = new ByteWriter();
      w.varint(n);
      return Array.from(w.bytes());
    };
    expect(enc(0)).toEqual([0]);
    expect(enc(1)).toEqual([1]);
    expect(enc(127)).toEqual([0x7f]);
    expect(enc(128)).toEqual([0x80, 0x01]);
    expect(enc(300)).toEqual([0xac, 0x02]);
    expect(enc(16_384)).toEqual([0x80, 0x80, 0x01]);
    expect(enc(2 ** 32 - 1)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
  });

  it("round-trip varints and report when every byte was read", () => {
    const w = new ByteWriter();
    const nums = [0, 1, 127, 128, 255, 256, 300, 16_383, 16_384, 2 ** 21, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1];
    nums.forEach((n) => w.varint(n));
    const r = new ByteReader(w.bytes());
    const out: number[] = [];
    for (const _ of nums) {
      expect(r.done()).toBe(false);
      out.push(r.varint());
    }
    expect(out).toEqual(nums);
    expect(r.done()).toBe(true);
    expect(new ByteReader(new Uint8Array()).done()).toBe(true);
  });

  it("refuse to write what is not an integer in [0, 2^32)", () => {
    const w = new ByteWriter();
    for (const n of [-1, 1.5, 2 ** 32, Number.NaN, Infinity]) expect(() => w.varint(n)).toThrow(`varint out of range: ${n}`);
    expect(Array.from(w.bytes())).toEqual([]);
  });

  it("grow past their initial buffer and keep every byte, each masked to 8 bits", () => {
    const w = new ByteWriter();
    for (let i = 0; i < 5000; i++) w.byte(i);
    w.byte(0x1ff);
    const b = w.bytes();
    expect(b.length).toBe(5001);
    expect(Array.from(b.slice(0, 5000))).toEqual(Array.from({ length: 5000 }, (_, i) => i & 255));
    expect(b[5000]).toBe(0xff);
  });

  it("hand out a copy of the bytes written so far", () => {
    const w = new ByteWriter();
    w.varint(5);
    const first = w.bytes();
    first[0] = 99;
    w.varint(6);
    expect(Array.from(w.bytes())).toEqual([5, 6]);
  });

  it("reject a truncated varint and one longer than six bytes", () => {
    expect(() => new ByteReader(Uint8Array.from([0x80])).varint()).toThrow("varint: truncated");
    expect(() => new ByteReader(new Uint8Array()).varint()).toThrow("varint: truncated");
    const r = new ByteReader(Uint8Array.from([5]));
    r.varint();
    expect(() => r.varint()).toThrow("varint: truncated");
    expect(() => new ByteReader(Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x80])).varint()).toThrow("varint: truncated");
    expect(new ByteReader(Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x01])).varint()).toBe(2 ** 35);
    expect(() => new ByteReader(Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01])).varint()).toThrow("varint: too long");
  });
});
