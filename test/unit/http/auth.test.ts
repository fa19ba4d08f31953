import { describe, expect, it } from "vitest";
import { sameHex } from "../../../worker/http/auth.ts";

describe("sameHex", () => {
  it("compares digests fully", () => {
    expect(sameHex("ab12", "ab12")).toBe(true);
    expect(sameHex("ab12", "ab13")).toBe(false);
    expect(sameHex("ab12", "ab1")).toBe(false);
  });
});
