import { describe, expect, it } from "vitest";
import { normalizeInput } from "../../../worker/intent/normalize.ts";

describe("normalizeInput", () => {
  it("applies NFKC, lower-cases, collapses whitespace and trims", () => {
    expect(normalizeInput("  Ｈｅｌｌｏ\t\n  WORLD ")).toBe("hello world");
    expect(normalizeInput("ﬁle Ⅻ")).toBe("file xii");
    expect(normalizeInput("a\u00a0\u2003b")).toBe("a b");
  });

  it("composes combining marks and is idempotent", () => {
    const once = normalizeInput("Cafe\u0301  Déjà");
    expect(once).toBe("café déjà");
    expect(normalizeInput(once)).toBe(once);
  });

  it("maps blank input to the empty string", () => {
    expect(normalizeInput(" \t\n ")).toBe("");
  });
});
