import { describe, expect, it } from "vitest";
import { FNV_OFFSET, fingerprintHex, fmix32, fnv1a, fnvStep, mulberry32 } from "../../../worker/intent/hash.ts";

describe("fnv1a", () => {
  it("is 32-bit FNV-1a (published test vectors), unsigned", () => {
    expect(FNV_OFFSET).toBe(0x811c9dc5);
    expect(fnv1a("")).toBe(0x811c9dc5);
    expect(fnv1a("a")).toBe(0xe40c292c);
    expect(fnv1a("foobar")).toBe(0xbf9cf968);
  });

  it("starts from a seed, and fnvStep is its step over one code unit", () => {
    expect(fnv1a("", 12345)).toBe(12345);
    expect(fnv1a("a", 12345)).not.toBe(fnv1a("a"));
    let h = FNV_OFFSET;
    for (const ch of "foobar") h = fnvStep(h, ch.charCodeAt(0));
    expect(h >>> 0).toBe(0xbf9cf968);
  });
});

describe("fmix32", () => {
  it("is murmur3's finaliser: 0 stays 0, and results are unsigned 32-bit", () => {
    expect(fmix32(0)).toBe(0);
    expect(fmix32(1)).toBe(0x514e28b7);
    expect(fmix32(0xffffffff)).toBe(0x81f16f39);
    for (let i = 0; i < 50; i++) {
      const h = fmix32(fnv1a(String(i)));
      expect(h).toBeGreaterThanOrEqual(0);
      expect(h).toBeLessThanOrEqual(0xffffffff);
      expect(Number.isInteger(h)).toBe(true);
    }
  });
});

describe("fingerprintHex", () => {
  it("is always 16 lowercase hex digits (each lane zero-padded), stable per string", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const fp = fingerprintHex(`model ${i}`);
      expect(fp).toMatch(/^[0-9a-f]{16}$/);
      expect(fingerprintHex(`model ${i}`)).toBe(fp);
      seen.add(fp);
    }
    expect(seen.size).toBe(300);
  });

  it("combines two differently seeded lanes", () => {
    const fp = fingerprintHex("abc");
    expect(fp.slice(8)).not.toBe(fp.slice(0, 8));
  });
});

describe("mulberry32", () => {
  it("yields the mulberry32 sequence in [0, 1), the same for the same seed", () => {
    const a = mulberry32(1);
    const first = [a(), a(), a()];
    expect(first[0]).toBeCloseTo(0.6270739405881613, 15);
    const b = mulberry32(1);
    expect([b(), b(), b()]).toEqual(first);
    expect(mulberry32(2)()).not.toBe(first[0]);
    const r = mulberry32(42);
    let lo = 1;
    let hi = 0;
    for (let i = 0; i < 2000; i++) {
      const x = r();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
    }
    expect(lo).toBeLessThan(0.01);
    expect(hi).toBeGreaterThan(0.99);
  });

  it("treats the seed as an unsigned 32-bit integer", () => {
    expect(mulberry32(-1)()).toBe(mulberry32(0xffffffff)());
    expect(mulberry32(2 ** 32 + 5)()).toBe(mulberry32(5)());
  });
});
