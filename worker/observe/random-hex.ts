/**
 * Random lowercase hex for trace and span ids (W3C Trace Context §3.2.2.3–4: 16 bytes
 * of trace id, 8 of span id), drawn from a buffer of random bytes refilled 4 KiB at a
 * time: one `crypto.getRandomValues` call per 256 span ids instead of one per id, and
 * no per-byte string padding. The buffer is filled on first use (Workers refuse random
 * values at a script's top level). Ids are not secrets; nothing else draws from it.
 */
const POOL_BYTES = 4096;
const pool = new Uint8Array(POOL_BYTES);
let at = POOL_BYTES;
const HEX = Array.from({ length: 256 }, (_, i) => (i < 16 ? "0" : "") + i.toString(16));

/**
 * `bytes` random bytes as `2 × bytes` lowercase hex digits (`bytes` ≤ 4096).
 *
 * @example
 * randomHex(8) // "5f1c0b2e9a7d3e41"
 */
export function randomHex(bytes: number): string {
  if (at + bytes > POOL_BYTES) {
    crypto.getRandomValues(pool);
    at = 0;
  }
  let out = "";
  for (let i = at; i < at + bytes; i++) out += HEX[pool[i]!];
  at += bytes;
  return out;
}

/**
 * A random id of `bytes` bytes that is not all zeros (W3C Trace Context: an all-zero
 * trace id or parent id is invalid).
 */
export function nonZeroHex(bytes: number): string {
  for (;;) {
    const id = randomHex(bytes);
    for (let i = 0; i < id.length; i++) if (id.charCodeAt(i) !== 48) return id;
  }
}
