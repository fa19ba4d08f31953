import { describe, expect, it } from "vitest";
import { jsonDepth } from "../../../worker/http/json-guard.ts";

describe("jsonDepth", () => {
  it("counts nesting outside strings", () => {
    expect(jsonDepth("1", 32)).toBe(0);
    expect(jsonDepth('{"a":[1,[2]]}', 32)).toBe(3);
    expect(jsonDepth('{"a":"[[[[{{{{"}', 32)).toBe(1);
    expect(jsonDepth('{"a":"\\"[[[["}', 32)).toBe(1);
  });
  it("stops early on hostile bodies", () => {
    const evil = "[".repeat(200_000);
    expect(jsonDepth(evil, 32)).toBe(33);
  });
});
