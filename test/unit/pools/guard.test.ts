import { describe, expect, it } from "vitest";
import { int, nonNegative, version } from "../../../worker/pools/guard.ts";

describe("pool argument guards", () => {
  it("int: a safe integer at or above min passes through; anything else is a RangeError naming it", () => {
    expect(int("limit", 0)).toBe(0);
    expect(int("limit", 3, 3)).toBe(3);
    expect(() => int("limit", 2, 3)).toThrow(new RangeError("limit must be an integer ≥ 3, got 2"));
    expect(() => int("limit", -1)).toThrow(new RangeError("limit must be an integer ≥ 0, got -1"));
    expect(() => int("n", 1.5)).toThrow(new RangeError("n must be an integer ≥ 0, got 1.5"));
    expect(() => int("n", Number.NaN)).toThrow(new RangeError("n must be an integer ≥ 0, got NaN"));
    expect(() => int("n", 2 ** 53)).toThrow(RangeError);
  });

  it("int: Infinity only when allowed", () => {
    expect(int("limit", Number.POSITIVE_INFINITY, 0, true)).toBe(Number.POSITIVE_INFINITY);
    expect(() => int("limit", Number.POSITIVE_INFINITY)).toThrow(new RangeError("limit must be an integer ≥ 0, got Infinity"));
    expect(() => int("limit", Number.NEGATIVE_INFINITY, 0, true)).toThrow(RangeError);
  });

  it("nonNegative: finite and ≥ 0, or > 0 when positive", () => {
    expect(nonNegative("usd", 0)).toBe(0);
    expect(nonNegative("usd", 0.5)).toBe(0.5);
    expect(nonNegative("windowMs", 1, true)).toBe(1);
    expect(() => nonNegative("usd", -0.01)).toThrow(new RangeError("usd must be a finite number ≥ 0, got -0.01"));
    expect(() => nonNegative("usd", Number.NaN)).toThrow(new RangeError("usd must be a finite number ≥ 0, got NaN"));
    expect(() => nonNegative("usd", Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => nonNegative("windowMs", 0, true)).toThrow(new RangeError("windowMs must be a finite number > 0, got 0"));
  });

  it("version: only a version-1 object", () => {
    expect(() => version("window", { v: 1 })).not.toThrow();
    expect(() => version("window", { v: 2 })).toThrow(new TypeError("not a version-1 window snapshot"));
    expect(() => version("pool", {})).toThrow(new TypeError("not a version-1 pool snapshot"));
    expect(() => version("pool", null)).toThrow(new TypeError("not a version-1 pool snapshot"));
    expect(() => version("pool", undefined)).toThrow(new TypeError("not a version-1 pool snapshot"));
    expect(() => version("pool", "v1" as never)).toThrow(new TypeError("not a version-1 pool snapshot"));
  });
});
