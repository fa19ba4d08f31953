import { describe, expect, it } from "vitest";
import { intentId, isIntentId, publicRecord, sha256Hex } from "../../../worker/intent/record.ts";

describe("intent ids", () => {
  it("are a content hash of encoder version and normalised input", async () => {
    const a = await intentId("builtin-hash/1", "what is 2 + 2");
    expect(a).toMatch(/^in_[0-9a-f]{32}$/);
    expect(isIntentId(a)).toBe(true);
    expect(await intentId("builtin-hash/1", "what is 2 + 2")).toBe(a);
    expect(await intentId("builtin-hash/2", "what is 2 + 2")).not.toBe(a);
    expect(await intentId("builtin-hash/1", "what is 2 + 3")).not.toBe(a);
    expect(a).toBe(`in_${(await sha256Hex("builtin-hash/1\u0000what is 2 + 2")).slice(0, 32)}`);
  });
  it("rejects malformed ids", () => {
    for (const bad of ["", "in_", "in_XYZ", `in_${"g".repeat(32)}`, `x${"a".repeat(34)}`]) expect(isIntentId(bad)).toBe(false);
  });
  it("sha256Hex matches a known vector", async () => {
    expect(await sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
  it("publicRecord drops the stored input", () => {
    const r = publicRecord({ id: "in_x", label: "l", specialist: "s", confidence: 1, inScope: true, topK: [], encoder: "e", model: "m", createdAt: "t", input: "secret" });
    expect(r).not.toHaveProperty("input");
    expect(r.label).toBe("l");
  });
});
