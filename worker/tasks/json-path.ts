import type { Json } from "../json.ts";

/**
 * A small subset of JSONPath (RFC 9535) for pointing at one value inside a structured
 * output: the root `$`, then any of
 * - `.name`: an object member, `name` of ASCII letters, digits and `_`, not starting
 *   with a digit (RFC 9535 §2.5.1.1, member-name-shorthand, ASCII only);
 * - `['name']` or `["name"]`: any member name (double quotes: a JSON string literal,
 *   escapes included; single quotes: no `'` or `\` inside);
 * - `[n]`: the array element at index n, a non-negative integer without leading zeros.
 *
 * Nothing else: no wildcards, slices, negative indices, filters or descendants (`..`),
 * so a path selects at most one value. Written here rather than taken from a library:
 * the JSONPath packages implement the whole language (and jsonpath-plus evaluates
 * script expressions), far more than one value by name and index needs.
 */
export type PathSegment = string | number;

/** What {@link parseJsonPath} makes of a path: its segments, or why it is not one. */
export type ParsedPath = { ok: true; segments: PathSegment[] } | { ok: false; detail: string };

/** The longest path accepted, in characters, and the most segments. */
export const MAX_PATH_CHARS = 256;
export const MAX_PATH_SEGMENTS = 32;

const SEGMENT = /^(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[(0|[1-9][0-9]{0,8})\]|\['([^'\\]*)'\]|\[("(?:[^"\\]|\\.)*")\])/;

/**
 * Parses a path of the subset above.
 *
 * @example
 * parseJsonPath("$.a.b[0]")        // { ok: true, segments: ["a", "b", 0] }
 * parseJsonPath("$['x y'][2]")     // { ok: true, segments: ["x y", 2] }
 * parseJsonPath("$.a[*]")          // { ok: false, detail: "at 3 ('[*]'): expected .name, ['name'] or [index]" }
 */
export function parseJsonPath(path: string): ParsedPath {
  if (path.length > MAX_PATH_CHARS) return { ok: false, detail: `longer than ${MAX_PATH_CHARS} characters` };
  if (!path.startsWith("$")) return { ok: false, detail: "a path starts with '$'" };
  const segments: PathSegment[] = [];
  let at = 1;
  while (at < path.length) {
    const m = SEGMENT.exec(path.slice(at));
    if (!m) return { ok: false, detail: `at ${at} ('${path.slice(at, at + 8)}'): expected .name, ['name'] or [index]` };
    if (m[1] !== undefined) segments.push(m[1]);
    else if (m[2] !== undefined) segments.push(Number(m[2]));
    else if (m[3] !== undefined) segments.push(m[3]);
    else {
      const name = parseJsonString(m[4]!);
      if (name === undefined) return { ok: false, detail: `at ${at}: ${m[4]} is not a JSON string` };
      segments.push(name);
    }
    at += m[0].length;
  }
  if (segments.length > MAX_PATH_SEGMENTS) return { ok: false, detail: `more than ${MAX_PATH_SEGMENTS} segments` };
  return { ok: true, segments };
}

function parseJsonString(literal: string): string | undefined {
  try {
    return JSON.parse(literal) as string;
  } catch {
    return undefined;
  }
}

/** What {@link selectPath} found: the value, or the first segment that is missing (as a path, for the reason). */
export type Selected = { found: true; value: Json } | { found: false; missing: string };

/**
 * The value `segments` point at in `value`. A name selects an own member of an object
 * (never of an array, never an inherited one such as `constructor`); an index selects an
 * element of an array (never a member of an object named "0").
 *
 * @example
 * selectPath({ a: [{ b: 1 }] }, ["a", 0, "b"]) // { found: true, value: 1 }
 * selectPath({ a: [] }, ["a", 0])               // { found: false, missing: "$.a[0]" }
 */
export function selectPath(value: Json, segments: readonly PathSegment[]): Selected {
  let v: Json = value;
  let walked = "$";
  for (const s of segments) {
    walked += typeof s === "number" ? `[${s}]` : /^[A-Za-z_][A-Za-z0-9_]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`;
    if (typeof s === "number") {
      if (!Array.isArray(v) || s >= v.length) return { found: false, missing: walked };
      v = v[s]!;
    } else {
      if (v === null || typeof v !== "object" || Array.isArray(v) || !Object.hasOwn(v, s)) return { found: false, missing: walked };
      v = v[s]!;
    }
  }
  return { found: true, value: v };
}
