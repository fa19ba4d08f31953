/**
 * The two stored forms of a fitted classifier and the arrays a classifier predicts
 * from. The JSON form ({@link ClassifierSnapshot}, varints in base64) is compact and
 * readable; the packed form ({@link packSnapshot}) is one binary blob whose sections are
 * the prediction arrays themselves, so loading it is a header parse and typed-array
 * views (no decoding per weight): what a Worker isolate loads on a cold start (the
 * build-time snapshot of the bundled config, snapshots fitted off the request path).
 */
import { ByteReader, ByteWriter, base64ToBytes, bytesToBase64 } from "./codec.ts";

/** The only classifier format: a linear softmax over sparse int8 rows. */
export const FORMAT = "switchyard-linear-softmax/1";

/**
 * JSON form of a fitted classifier: a linear softmax model whose int8 weights
 * are stored as sparse rows (one per feature that kept a weight), base64-coded.
 * `features`: varint deltas of the strictly increasing feature indices;
 * `rows`: per feature, its entry count then the class-index deltas (varints);
 * `weights`: one int8 µ-law code q per entry (µ = 255); real weight =
 * sign(q) · scale · (exp(|q|/127 · ln 256) − 1).
 */
export interface ClassifierSnapshot {
  format: "switchyard-linear-softmax/1";
  labels: string[];
  dim: number;
  scale: number;
  bias: number[];
  features: string;
  rows: string;
  weights: string;
  /** Optional group index of each label (fitted with `FitOptions.groups`); changes the confidence only. */
  groups?: number[];
}

/**
 * What a classifier predicts from: row `r` holds feature `keys[r]` (strictly
 * increasing, < `dim`), its entries `rowPtr[r] … rowPtr[r+1]−1`, entry `e` the class
 * `cls[e]` (< labels.length) with weight code `q[e]`.
 */
export interface ClassifierArrays {
  labels: readonly string[];
  dim: number;
  scale: number;
  bias: readonly number[];
  groups?: readonly number[];
  keys: Int32Array;
  rowPtr: Int32Array;
  cls: Uint8Array | Uint16Array | Int32Array;
  q: Int8Array;
}

function fail(msg: string): never {
  throw new Error(`loadClassifier: ${msg}`);
}

/** Checks the scalar members every form shares; throws `loadClassifier: …` naming the first fault. */
function checkHead(s: { labels: unknown; dim: unknown; scale: unknown; bias: unknown; groups?: unknown }): void {
  const { labels, dim, scale, bias, groups } = s;
  if (!Array.isArray(labels) || labels.length === 0 || !labels.every((l) => typeof l === "string" && l !== "")) fail("labels must be non-empty strings");
  if (new Set(labels).size !== labels.length) fail("duplicate labels");
  if (!Number.isInteger(dim) || (dim as number) <= 0 || (dim as number) > 2 ** 31 - 1) fail("bad dim");
  if (typeof scale !== "number" || !(scale > 0) || !Number.isFinite(scale)) fail("bad scale");
  if (!Array.isArray(bias) || bias.length !== labels.length || !bias.every(Number.isFinite)) fail("bad bias");
  if (groups !== undefined && (!Array.isArray(groups) || groups.length !== labels.length || !groups.every((g) => Number.isInteger(g) && g >= 0))) fail("bad groups");
}

/**
 * The arrays of a JSON snapshot.
 * @throws Error `loadClassifier: …` if the snapshot is malformed or inconsistent.
 */
export function decodeSnapshot(s: ClassifierSnapshot): ClassifierArrays {
  if (typeof s !== "object" || s === null || s.format !== FORMAT) fail("unknown format");
  checkHead(s);
  if (typeof s.features !== "string" || typeof s.rows !== "string" || typeof s.weights !== "string") fail("features/rows/weights must be base64 strings");
  const C = s.labels.length;
  const q = new Int8Array(base64ToBytes(s.weights).buffer);
  const fr = new ByteReader(base64ToBytes(s.features));
  const rr = new ByteReader(base64ToBytes(s.rows));
  const keys: number[] = [];
  const rowPtr: number[] = [0];
  const cls = new Int32Array(q.length);
  let e = 0;
  let prev = -1;
  while (!fr.done()) {
    const f = prev + 1 + fr.varint();
    if (f >= s.dim) fail("feature index out of range");
    keys.push((prev = f));
    const n = rr.varint();
    let c = -1;
    for (let i = 0; i < n; i++) {
      c += 1 + rr.varint();
      if (c >= C || e >= q.length) fail("row entry out of range");
      cls[e++] = c;
    }
    rowPtr.push(e);
  }
  if (!rr.done() || e !== q.length) fail("rows and weights disagree");
  return { labels: s.labels, dim: s.dim, scale: s.scale, bias: s.bias, ...(s.groups ? { groups: s.groups } : {}), keys: Int32Array.from(keys), rowPtr: Int32Array.from(rowPtr), cls, q };
}

/** The JSON snapshot of these arrays (the inverse of {@link decodeSnapshot}). */
export function encodeSnapshot(a: ClassifierArrays): ClassifierSnapshot {
  const feats = new ByteWriter();
  const rows = new ByteWriter();
  let prev = -1;
  for (let r = 0; r < a.keys.length; r++) {
    feats.varint(a.keys[r]! - prev - 1);
    prev = a.keys[r]!;
    const start = a.rowPtr[r]!;
    const end = a.rowPtr[r + 1]!;
    rows.varint(end - start);
    let c = -1;
    for (let e = start; e < end; e++) {
      rows.varint(a.cls[e]! - c - 1);
      c = a.cls[e]!;
    }
  }
  return {
    format: FORMAT,
    labels: [...a.labels],
    dim: a.dim,
    scale: a.scale,
    bias: [...a.bias],
    features: bytesToBase64(feats.bytes()),
    rows: bytesToBase64(rows.bytes()),
    weights: bytesToBase64(new Uint8Array(a.q.buffer, a.q.byteOffset, a.q.length)),
    ...(a.groups ? { groups: [...a.groups] } : {}),
  };
}

/** First 4 bytes of a packed snapshot: "SYP1". */
const MAGIC = 0x31505953;

/** The packed form's header (JSON, after the magic and its length). */
interface PackedHeader {
  format: typeof FORMAT;
  labels: string[];
  dim: number;
  scale: number;
  bias: number[];
  groups?: number[];
  /** The classifier's fingerprint (of its JSON snapshot), so loading need not compute it. */
  fingerprint: string;
  rows: number;
  entries: number;
  /** Bytes per class index in the `cls` section: 1 (at most 256 labels) or 2. */
  clsBytes: 1 | 2;
}

const align = (n: number, to: number) => Math.ceil(n / to) * to;

/**
 * The packed form: `"SYP1"`, the header's length (u32 LE), the header (UTF-8 JSON:
 * labels, dim, scale, bias, groups, fingerprint, counts), then, each 4-byte aligned,
 * `keys` (i32 × rows), `rowPtr` (i32 × rows+1), `q` (i8 × entries) and `cls`
 * (u8 or u16 × entries), little-endian.
 */
export function packSnapshot(a: ClassifierArrays, fingerprint: string): Uint8Array {
  const clsBytes = a.labels.length <= 256 ? 1 : 2;
  const header: PackedHeader = { format: FORMAT, labels: [...a.labels], dim: a.dim, scale: a.scale, bias: [...a.bias], ...(a.groups ? { groups: [...a.groups] } : {}), fingerprint, rows: a.keys.length, entries: a.q.length, clsBytes };
  const head = new TextEncoder().encode(JSON.stringify(header));
  const R = a.keys.length;
  const E = a.q.length;
  const keysAt = align(8 + head.length, 4);
  const rowPtrAt = keysAt + 4 * R;
  const qAt = rowPtrAt + 4 * (R + 1);
  const clsAt = align(qAt + E, 4);
  const out = new Uint8Array(clsAt + clsBytes * E);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, head.length, true);
  out.set(head, 8);
  for (let r = 0; r < R; r++) view.setInt32(keysAt + 4 * r, a.keys[r]!, true);
  for (let r = 0; r <= R; r++) view.setInt32(rowPtrAt + 4 * r, a.rowPtr[r]!, true);
  out.set(new Uint8Array(a.q.buffer, a.q.byteOffset, E), qAt);
  for (let e = 0; e < E; e++) if (clsBytes === 1) out[clsAt + e] = a.cls[e]!;
  else view.setUint16(clsAt + 2 * e, a.cls[e]!, true);
  return out;
}

/** True on little-endian hosts (all Workers and Node hosts): the packed sections are viewed in place there. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The arrays and fingerprint of a packed snapshot, as views of its bytes (copied
 * once when they are not 4-byte aligned). Checks the header and the sections' sizes
 * always, and with `verify` (the default) every entry too (row pointers monotone and
 * in range, features increasing and < dim, classes < labels), so a corrupt blob from
 * storage fails here rather than mispredicting. `verify: false` is for bytes the
 * build wrote into the Worker's own bundle (a linear pass over every weight is most
 * of a cold load).
 * @throws Error `loadClassifier: …` naming the fault.
 */
export function unpackSnapshot(input: Uint8Array | ArrayBuffer, { verify = true }: { verify?: boolean } = {}): { arrays: ClassifierArrays; fingerprint: string } {
  let bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  if (bytes.byteOffset % 4 !== 0) bytes = bytes.slice();
  if (!LITTLE_ENDIAN) fail("packed snapshots need a little-endian host");
  if (bytes.length < 8) fail("packed snapshot truncated");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  if (view.getUint32(0, true) !== MAGIC) fail("not a packed snapshot");
  const headLength = view.getUint32(4, true);
  if (8 + headLength > bytes.length) fail("packed snapshot truncated");
  let h: PackedHeader;
  try {
    h = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headLength))) as PackedHeader;
  } catch {
    fail("packed header is not JSON");
  }
  if (typeof h !== "object" || h === null || h.format !== FORMAT) fail("unknown format");
  checkHead(h);
  const { rows: R, entries: E, clsBytes } = h;
  if (!Number.isInteger(R) || R < 0 || !Number.isInteger(E) || E < 0 || (clsBytes !== 1 && clsBytes !== 2) || typeof h.fingerprint !== "string") fail("bad packed header");
  const keysAt = align(8 + headLength, 4);
  const rowPtrAt = keysAt + 4 * R;
  const qAt = rowPtrAt + 4 * (R + 1);
  const clsAt = align(qAt + E, 4);
  if (clsAt + clsBytes * E !== bytes.length) fail("packed sections disagree with the header");
  const base = bytes.byteOffset;
  const keys = new Int32Array(bytes.buffer, base + keysAt, R);
  const rowPtr = new Int32Array(bytes.buffer, base + rowPtrAt, R + 1);
  const q = new Int8Array(bytes.buffer, base + qAt, E);
  const cls = clsBytes === 1 ? new Uint8Array(bytes.buffer, base + clsAt, E) : new Uint16Array(bytes.buffer, base + clsAt, E);
  if (rowPtr[0] !== 0 || rowPtr[R] !== E) fail("rows and weights disagree");
  if (!verify) return { arrays: { labels: h.labels, dim: h.dim, scale: h.scale, bias: h.bias, ...(h.groups ? { groups: h.groups } : {}), keys, rowPtr, cls, q }, fingerprint: h.fingerprint };
  for (let r = 0; r < R; r++) {
    if (keys[r]! >= h.dim || keys[r]! < 0 || (r > 0 && keys[r]! <= keys[r - 1]!)) fail("feature index out of range");
    if (rowPtr[r + 1]! < rowPtr[r]!) fail("rows and weights disagree");
  }
  const C = h.labels.length;
  for (let e = 0; e < E; e++) if (cls[e]! >= C) fail("row entry out of range");
  return { arrays: { labels: h.labels, dim: h.dim, scale: h.scale, bias: h.bias, ...(h.groups ? { groups: h.groups } : {}), keys, rowPtr, cls, q }, fingerprint: h.fingerprint };
}
