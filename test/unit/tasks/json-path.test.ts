import { describe, expect, it } from "vitest";
import { MAX_PATH_CHARS, MAX_PATH_SEGMENTS, parseJsonPath, selectPath } from "../../../worker/tasks/json-path.ts";

describe("parseJsonPath (a subset of RFC 9535)", () => {
  it("reads names, quoted names and indices", () => {
    expect(parseJsonPath("$")).toEqual({ ok: true, segments: [] });
    expect(parseJsonPath("$.a.b[0]")).toEqual({ ok: true, segments: ["a", "b", 0] });
    expect(parseJsonPath("$._x1[12]")).toEqual({ ok: true, segments: ["_x1", 12] });
    expect(parseJsonPath("$['x y'][2]")).toEqual({ ok: true, segments: ["x y", 2] });
    expect(parseJsonPath('$["a\\"b"]["0"]')).toEqual({ ok: true, segments: ['a"b', "0"] });
    expect(parseJsonPath('$["\\u00e9"]')).toEqual({ ok: true, segments: ["é"] });
  });

  it("refuses what the subset leaves out, saying where", () => {
    for (const p of ["", "a.b", "$.", "$..a", "$.a[*]", "$[-1]", "$[01]", "$.1a", "$.a-b", "$[?@.a]", "$[0:2]", "$['a\\'b']", "$.a ", '$["\\x"]'])
      expect(parseJsonPath(p).ok, p).toBe(false);
    expect(parseJsonPath("$.a[*]")).toEqual({ ok: false, detail: "at 3 ('[*]'): expected .name, ['name'] or [index]" });
    expect(parseJsonPath("a")).toEqual({ ok: false, detail: "a path starts with '$'" });
  });

  it("bounds length and segments", () => {
    expect(parseJsonPath(`$${".a".repeat(MAX_PATH_SEGMENTS)}`).ok).toBe(true);
    expect(parseJsonPath(`$${".a".repeat(MAX_PATH_SEGMENTS + 1)}`)).toEqual({ ok: false, detail: `more than ${MAX_PATH_SEGMENTS} segments` });
    expect(parseJsonPath(`$.${"a".repeat(MAX_PATH_CHARS)}`)).toEqual({ ok: false, detail: `longer than ${MAX_PATH_CHARS} characters` });
  });
});

describe("selectPath", () => {
  const doc = { a: [{ b: 1 }, null], "x y": { "0": "zero" }, n: null };
  it("finds own members of objects and elements of arrays", () => {
    expect(selectPath(doc, [])).toEqual({ found: true, value: doc });
    expect(selectPath(doc, ["a", 0, "b"])).toEqual({ found: true, value: 1 });
    expect(selectPath(doc, ["a", 1])).toEqual({ found: true, value: null });
    expect(selectPath(doc, ["n"])).toEqual({ found: true, value: null });
    expect(selectPath(doc, ["x y", "0"])).toEqual({ found: true, value: "zero" });
  });
  it("misses names on arrays, indices on objects, inherited members and out-of-range indices", () => {
    expect(selectPath(doc, ["a", "0"])).toEqual({ found: false, missing: '$.a["0"]' });
    expect(selectPath(doc, ["x y", 0])).toEqual({ found: false, missing: '$["x y"][0]' });
    expect(selectPath(doc, ["a", 2])).toEqual({ found: false, missing: "$.a[2]" });
    expect(selectPath(doc, ["toString"])).toEqual({ found: false, missing: "$.toString" });
    expect(selectPath(doc, ["n", "b"])).toEqual({ found: false, missing: "$.n.b" });
    expect(selectPath(doc, ["a", 0, "b", "c"])).toEqual({ found: false, missing: "$.a[0].b.c" });
  });
});
