/**
 * Small deterministic, non-cryptographic helpers: the intent encoder's feature
 * hashing, model fingerprints, and the shard picker (`pools/shards.ts`). They are
 * fast and synchronous, and nothing depends on them resisting a chosen input.
 * Ids and digests that must (intent ids, audit hashes, key digests) use SHA-256
 * (`sha256Hex` in `record.ts`), which is asynchronous and far slower.
 */

/** FNV-1a 32-bit offset basis. */
export const FNV_OFFSET = 0x811c9dc5;

/** One FNV-1a step over a 16-bit code unit. */
export function fnvStep(h: number, code: number): number {
  return Math.imul(h ^ code, 0x01000193);
}

/** FNV-1a over the UTF-16 code units of `s`, starting from `seed`. */
export function fnv1a(s: string, seed: number = FNV_OFFSET): number {
  let h = seed | 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** murmur3 finaliser: spreads the bits of a 32-bit hash (unsigned result). */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** 64-bit-ish fingerprint of a string as 16 hex chars (two FNV lanes). */
export function fingerprintHex(s: string): string {
  const a = fmix32(fnv1a(s, FNV_OFFSET));
  const b = fmix32(fnv1a(s, 0x9747b28c));
  return a.toString(16).padStart(8, "0") + b.toString(16).padStart(8, "0");
}

/** Seeded PRNG (mulberry32): returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
