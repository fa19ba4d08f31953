import { describe, expect, it } from "vitest";
import { inputTooLong } from "../../../worker/routing/input-limit.ts";

describe("inputTooLong", () => {
  it("lets an input of exactly the limit through and refuses one character more, saying both numbers", () => {
    expect(inputTooLong("x".repeat(10), 10)).toBeUndefined();
    expect(inputTooLong("", 0)).toBeUndefined();
    expect(inputTooLong("x".repeat(11), 10)).toBe("input is 11 characters, more than the router's limit of 10 (router.maxInputChars)");
  });

  it("names what was too long", () => {
    expect(inputTooLong("abcd", 3, "the message")).toMatch(/^the message is 4 characters/);
  });

  it("counts UTF-16 code units, as String.length does", () => {
    expect(inputTooLong("😀", 1)).toMatch(/is 2 characters/);
  });
});
