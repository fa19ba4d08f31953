import { describe, expect, it } from "vitest";
import { unenforcedKeyword } from "../../../../worker/protocols/gemini/json-schema.ts";

describe("unenforcedKeyword", () => {
  it("something that is not a schema object has no keyword", () => {
    for (const s of [null, "pattern", 5, ["pattern"], [{ pattern: "x" }]]) expect(unenforcedKeyword(s, "p"), JSON.stringify(s)).toBeUndefined();
  });

  it("looks into $defs, items, additionalProperties, anyOf and prefixItems, naming the path", () => {
    const bad = { type: "string", pattern: "x" };
    expect(unenforcedKeyword({ $defs: { A: bad } }, "p")).toBe("p.$defs.A.pattern");
    expect(unenforcedKeyword({ type: "array", items: bad }, "p")).toBe("p.items.pattern");
    expect(unenforcedKeyword({ type: "object", additionalProperties: bad }, "p")).toBe("p.additionalProperties.pattern");
    expect(unenforcedKeyword({ anyOf: [{ type: "null" }, bad] }, "p")).toBe("p.anyOf.1.pattern");
    expect(unenforcedKeyword({ prefixItems: [{ type: "number" }, bad, { minLength: 1 }] }, "p")).toBe("p.prefixItems.1.pattern");
  });

  it("properties and $defs that are not objects, and prefixItems that is not a list, hold nothing to check", () => {
    expect(unenforcedKeyword({ prefixItems: { pattern: "x" } }, "p")).toBeUndefined();
    expect(unenforcedKeyword({ $defs: "x", properties: ["x"] }, "p")).toBeUndefined();
  });
});
