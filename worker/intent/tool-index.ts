/**
 * Tool retrieval for the MCP gateway's `find_tools` (issue 16): given a task
 * description, the k tools of a catalogue that fit it best. Fitted on the tools'
 * own text only (names, titles, descriptions, input-schema properties), never on
 * labelled queries, so any catalogue of MCP servers works as listed. Pure: no
 * Workers API, runs in plain Node and in workerd.
 */
import { BuiltinEncoder, type BuiltinEncoderOptions } from "./builtin-encoder.ts";
import type { Vector } from "./vector.ts";

/** A tool as an MCP server lists it (`tools/list`), its name namespaced by the gateway (`github__create_issue`). */
export interface ToolDoc {
  name: string;
  title?: string;
  description?: string;
  /** JSON Schema of the arguments; its property names and descriptions are read. */
  inputSchema?: unknown;
}

/** One search result: the tool's name and its score (cosine similarity, in [0, 1]; higher is better). */
export interface ToolHit {
  name: string;
  score: number;
}

/** Tunables of {@link buildToolIndex}; the defaults are the measured best on the dev split of eval/tools/. */
export interface ToolIndexOptions {
  /** Options of the {@link BuiltinEncoder} the texts are encoded with (default: its defaults). */
  encoder?: BuiltinEncoderOptions;
  /** Weight of the best-matching chunk against the whole tool text, in [0, 1] (default 0.2). */
  chunkWeight?: number;
  /** Weigh features by their inverse document frequency over the catalogue's tools (default true). */
  idf?: boolean;
  /** Most characters of a tool's text read from its input schema (default 600). */
  schemaChars?: number;
}

/** A built index: search it with a task description. */
export interface ToolIndex {
  /** Number of tools indexed. */
  readonly size: number;
  /**
   * The (at most) `k` tools that fit `query` best, best first; ties keep catalogue
   * order. `k` is floored and clamped to [0, size] (NaN: 0); an empty or symbol-only query
   * scores every tool 0 and returns the first k in catalogue order.
   */
  search(query: string, k: number): ToolHit[];
}

const DEFAULTS: Required<Omit<ToolIndexOptions, "encoder">> = { chunkWeight: 0.2, idf: true, schemaChars: 600 };
/** Longest chunk of description, in characters: a long sentence is cut, not dropped. */
const CHUNK_CHARS = 300;
const MAX_SCHEMA_DEPTH = 3;

/**
 * Splits identifiers into words: every run of `_`, `-`, `.` and `/` becomes a space
 * (in prose too: the encoder reads only letters and digits) and camelCase is cut at
 * its humps (`getHTTPResponse` → `get HTTP Response`). Other text is kept.
 *
 * @example
 * splitIdentifiers("github__create_issue") // "github create issue"
 * splitIdentifiers("API-get-blockChildren") // "API get block Children"
 */
export function splitIdentifiers(text: string): string {
  return text
    .replace(/(\p{Ll}|\p{N})(\p{Lu})/gu, "$1 $2")
    .replace(/(\p{Lu})(\p{Lu}\p{Ll})/gu, "$1 $2")
    .replace(/[_\-./]+/gu, " ");
}

/**
 * What a tool is indexed by: first its name (split into words) with its title, then
 * its description cut into sentences (each at most 300 characters), then the
 * property names and descriptions of its input schema (at most `schemaChars`
 * characters). Every chunk has passed {@link splitIdentifiers}; empty ones are dropped.
 *
 * @example
 * toolChunks({ name: "github__create_issue", description: "Create a new issue. Needs a title." })
 * // ["github create issue", "Create a new issue", "Needs a title"]
 */
export function toolChunks(tool: ToolDoc, schemaChars = DEFAULTS.schemaChars): string[] {
  const head = [tool.name, tool.title ?? ""].join(" ");
  const sentences = (tool.description ?? "").split(/(?<=[.!?:])\s+|\n+/u).flatMap((s) => cut(s.trim(), CHUNK_CHARS));
  const schema: string[] = [];
  schemaText(tool.inputSchema, 0, schema);
  let budget = schemaChars;
  const kept: string[] = [];
  for (const s of schema) {
    if (budget <= 0) break;
    kept.push(s.slice(0, budget));
    budget -= s.length;
  }
  return [head, ...sentences, ...kept].map((c) => splitIdentifiers(c).replace(/\s+/gu, " ").trim()).filter((c) => /[\p{L}\p{N}]/u.test(c));
}

function cut(s: string, max: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.length; i += max) out.push(s.slice(i, i + max));
  return out;
}

/** Property names and descriptions of a JSON Schema, depth first, each property's as one string. */
function schemaText(schema: unknown, depth: number, out: string[]): void {
  if (depth > MAX_SCHEMA_DEPTH || typeof schema !== "object" || schema === null) return;
  const s = schema as Record<string, unknown>;
  const props = s.properties;
  if (typeof props === "object" && props !== null && !Array.isArray(props)) {
    for (const [name, p] of Object.entries(props as Record<string, unknown>)) {
      const d = typeof p === "object" && p !== null ? (p as Record<string, unknown>).description : undefined;
      out.push(typeof d === "string" ? `${name}: ${d}` : name);
      schemaText(p, depth + 1, out);
    }
  }
  if (s.items !== undefined) schemaText(s.items, depth + 1, out);
}

/**
 * Indexes `tools` for {@link ToolIndex.search}: each tool's whole text and each of its
 * {@link toolChunks} are encoded with the built-in encoder (hashed word, bigram and
 * character n-gram features), optionally re-weighted by inverse document frequency
 * over the tools; a query scores each tool by
 * `chunkWeight · max(cos(query, chunk)) + (1 − chunkWeight) · cos(query, whole text)`.
 * Deterministic: the same tools and options give the same index and the same hits.
 * Cost grows with the catalogue's text: for 500 real tools (0.5 MB of JSON), about
 * 240 ms to build and 3 ms per search in Node on a loaded 2-core machine
 * (`node bench/tool-index.ts`); build once per catalogue and keep the index.
 *
 * @throws Error `buildToolIndex: …` when a name is empty or repeated, or an option is out of range.
 * @example
 * const index = buildToolIndex([{ name: "github__create_issue", description: "Create a new issue in a GitHub repository" }]);
 * index.search("file a bug on our GitHub tracker", 5); // [{ name: "github__create_issue", score: 0.17… }]
 */
export function buildToolIndex(tools: readonly ToolDoc[], options: ToolIndexOptions = {}): ToolIndex {
  const o = { ...DEFAULTS, ...options };
  if (!(o.chunkWeight >= 0 && o.chunkWeight <= 1) || !(o.schemaChars >= 0)) throw new Error("buildToolIndex: chunkWeight must be in [0, 1], schemaChars ≥ 0");
  const seen = new Set<string>();
  for (const t of tools) {
    if (typeof t.name !== "string" || t.name === "") throw new Error("buildToolIndex: a tool has no name");
    if (seen.has(t.name)) throw new Error(`buildToolIndex: tool "${t.name}" is listed twice`);
    seen.add(t.name);
  }
  const encoder = new BuiltinEncoder(o.encoder);
  const chunkOf: number[] = [];
  const chunks: Vector[] = [];
  const wholes: Vector[] = [];
  tools.forEach((t, i) => {
    const parts = toolChunks(t, o.schemaChars);
    wholes.push(encoder.encodeOne(parts.join(". ")));
    for (const p of parts) {
      chunks.push(encoder.encodeOne(p));
      chunkOf.push(i);
    }
  });
  const idf = o.idf ? inverseDocumentFrequency(wholes, encoder.dim) : null;
  if (idf) for (const v of [...wholes, ...chunks]) reweigh(v, idf);
  return new VectorToolIndex(
    tools.map((t) => t.name),
    encoder,
    idf,
    { wholes: pack(wholes), chunks: pack(chunks), chunkOf: Int32Array.from(chunkOf) },
    o.chunkWeight,
  );
}

/** ln((N + 1) / (df + 1)) + 1 per feature, df counted over the tools' whole texts. */
function inverseDocumentFrequency(docs: readonly Vector[], dim: number): Float32Array {
  const df = new Float32Array(dim);
  for (const v of docs) if (v.kind === "sparse") for (const i of v.indices) df[i]!++;
  const idf = new Float32Array(dim);
  for (let i = 0; i < dim; i++) idf[i] = Math.log((docs.length + 1) / (df[i]! + 1)) + 1;
  return idf;
}

/** Scales a sparse vector's values by `w` in place and L2-normalises it again. */
function reweigh(v: Vector, w: Float32Array): void {
  if (v.kind !== "sparse") return;
  let ss = 0;
  for (let k = 0; k < v.values.length; k++) {
    const x = v.values[k]! * w[v.indices[k]!]!;
    v.values[k] = x;
    ss += x * x;
  }
  const inv = ss > 0 ? 1 / Math.sqrt(ss) : 0;
  for (let k = 0; k < v.values.length; k++) v.values[k] = v.values[k]! * inv;
}

/** Sparse rows packed back to back (CSR): row r is `indices`/`values` [offsets[r], offsets[r + 1]). */
interface Rows {
  offsets: Int32Array;
  indices: Int32Array;
  values: Float32Array;
}

function pack(vectors: readonly Vector[]): Rows {
  const offsets = new Int32Array(vectors.length + 1);
  vectors.forEach((v, r) => (offsets[r + 1] = offsets[r]! + (v.kind === "sparse" ? v.indices.length : 0)));
  const indices = new Int32Array(offsets[vectors.length]!);
  const values = new Float32Array(indices.length);
  vectors.forEach((v, r) => {
    if (v.kind !== "sparse") return;
    indices.set(v.indices, offsets[r]);
    values.set(v.values, offsets[r]);
  });
  return { offsets, indices, values };
}

/** Row r of `rows` · the dense vector. */
function dotRow(rows: Rows, r: number, dense: Float32Array): number {
  const { indices, values } = rows;
  let s = 0;
  for (let k = rows.offsets[r]!, end = rows.offsets[r + 1]!; k < end; k++) s += values[k]! * dense[indices[k]!]!;
  return s;
}

interface Encoded {
  /** One row per tool: its whole text. */
  wholes: Rows;
  /** One row per chunk. */
  chunks: Rows;
  /** Tool index of each chunk. */
  chunkOf: Int32Array;
}

class VectorToolIndex implements ToolIndex {
  readonly size: number;
  private readonly names: readonly string[];
  private readonly encoder: BuiltinEncoder;
  private readonly idf: Float32Array | null;
  private readonly enc: Encoded;
  private readonly chunkWeight: number;
  /** Scratch: the query as a dense vector, zeroed again after each search. */
  private readonly dense: Float32Array;

  constructor(names: readonly string[], encoder: BuiltinEncoder, idf: Float32Array | null, enc: Encoded, chunkWeight: number) {
    this.size = names.length;
    this.names = names;
    this.encoder = encoder;
    this.idf = idf;
    this.enc = enc;
    this.chunkWeight = chunkWeight;
    this.dense = new Float32Array(encoder.dim);
  }

  search(query: string, k: number): ToolHit[] {
    const n = Number.isNaN(k) ? 0 : Math.max(0, Math.min(Math.floor(k), this.size));
    if (n === 0) return [];
    const q = this.encoder.encodeOne(splitIdentifiers(query));
    if (this.idf) reweigh(q, this.idf);
    if (q.kind !== "sparse") return [];
    const { dense, enc } = this;
    for (let j = 0; j < q.indices.length; j++) dense[q.indices[j]!] = q.values[j]!;
    const best = new Float64Array(this.size);
    if (this.chunkWeight > 0)
      for (let c = 0; c < enc.chunkOf.length; c++) {
        const s = dotRow(enc.chunks, c, dense);
        const t = enc.chunkOf[c]!;
        if (s > best[t]!) best[t] = s;
      }
    const scores = new Float64Array(this.size);
    for (let t = 0; t < this.size; t++) scores[t] = this.chunkWeight * best[t]! + (1 - this.chunkWeight) * dotRow(enc.wholes, t, dense);
    for (let j = 0; j < q.indices.length; j++) dense[q.indices[j]!] = 0;
    return topByScore(scores, n).map((i) => ({ name: this.names[i]!, score: scores[i]! }));
  }
}

/** Indices of the n highest scores, highest first, lower index first among equals. */
function topByScore(scores: Float64Array, n: number): number[] {
  const before = (a: number, b: number) => scores[a]! > scores[b]! || (scores[a] === scores[b] && a < b);
  if (n * 8 >= scores.length) return Array.from(scores.keys()).sort((a, b) => (before(a, b) ? -1 : 1)).slice(0, n);
  const top: number[] = []; // kept sorted, at most n long: insertion beats a full sort for small n
  for (let i = 0; i < scores.length; i++) {
    if (top.length === n && !before(i, top[n - 1]!)) continue;
    let at = top.length === n ? n - 1 : top.length;
    while (at > 0 && before(i, top[at - 1]!)) {
      top[at] = top[at - 1]!;
      at--;
    }
    top[at] = i;
  }
  return top;
}
