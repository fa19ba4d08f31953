import { describe, expect, it } from "vitest";
import { identityForm, normalizeInput } from "../../../worker/intent/normalize.ts";

describe("normalizeInput", () => {
  it("applies NFKC, lower-cases, collapses whitespace and trims", () => {
    expect(normalizeInput("  Ｈｅｌｌｏ\t\n  WORLD ")).toBe("hello world");
    expect(normalizeInput("ﬁle Ⅻ")).toBe("file xii");
    expect(normalizeInput("a\u00a0\u2003b")).toBe("a b");
    expect(normalizeInput("a   b\n\n\nc")).toBe("a b c");
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

describe("identityForm (what an intent id is made from)", () => {
  it("folds only what cannot change meaning: NFC, line endings, trailing and surrounding whitespace", () => {
    expect(identityForm("  convert 8 Mb \r\n to kB ")).toBe("convert 8 Mb\n to kB");
    expect(identityForm("Cafe\u0301")).toBe("Café");
    expect(identityForm("a\rb")).toBe("a\nb");
    expect(identityForm("a  \t\nb \r\nc\u00a0\u2003\n  d")).toBe("a\nb\nc\n  d");
    expect(identityForm("\n\n  x  \n\n")).toBe("x");
  });

  it("keeps case, line breaks and indentation, which can change what an input asks", () => {
    expect(identityForm("8 Mb")).not.toBe(identityForm("8 MB"));
    const paragraphs = "Count the paragraphs in this:\n\nOne.\n\nTwo.";
    expect(identityForm(paragraphs)).not.toBe(identityForm(paragraphs.replaceAll("\n", " ")));
    expect(identityForm("def f():\n    return 1")).not.toBe(identityForm("def f():\n  return 1"));
    expect(identityForm("ﬁle")).toBe("ﬁle"); // compatibility characters are not folded (NFKC would)
  });
});
