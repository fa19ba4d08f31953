import { describe, expect, it } from "vitest";
import { asyncMode, prefersAsync, retryAfterSeconds } from "../../../worker/hops/prefer.ts";

describe("Prefer: respond-async (RFC 7240)", () => {
  it("finds the preference among others, whatever its case, with parameters or a value", () => {
    for (const h of ["respond-async", "Respond-Async", "wait=10, respond-async", "respond-async; foo=bar", " respond-async ,return=minimal", "return=minimal, respond-async"]) expect(prefersAsync(h), h).toBe(true);
    for (const h of [undefined, null, "", "return=minimal", "respond-asynchronously", "wait=respond-async", "x-respond-async"]) expect(prefersAsync(h), String(h)).toBe(false);
  });

  it("a body's async decides when present; the header otherwise; a replay is never async", () => {
    expect(asyncMode(undefined, "respond-async", false)).toEqual({ async: true, preferenceApplied: true });
    expect(asyncMode(true, undefined, false)).toEqual({ async: true, preferenceApplied: false });
    expect(asyncMode(true, "respond-async", false)).toEqual({ async: true, preferenceApplied: true });
    expect(asyncMode(false, "respond-async", false)).toEqual({ async: false, preferenceApplied: false });
    expect(asyncMode(undefined, undefined, false)).toEqual({ async: false, preferenceApplied: false });
    expect(asyncMode(true, "respond-async", true)).toEqual({ async: false, preferenceApplied: false });
  });

  it("reads Retry-After as seconds or an HTTP date", () => {
    const now = Date.parse("2026-06-15T12:00:00Z");
    expect(retryAfterSeconds("60", now)).toBe(60);
    expect(retryAfterSeconds("0", now)).toBe(0);
    expect(retryAfterSeconds("Mon, 15 Jun 2026 12:02:00 GMT", now)).toBe(120);
    expect(retryAfterSeconds("Mon, 15 Jun 2026 11:00:00 GMT", now)).toBe(0);
    for (const v of [undefined, null, "", "soon", "-5", "1.5"]) expect(retryAfterSeconds(v, now), String(v)).toBeUndefined();
  });
});

describe("Retry-After, edge by edge", () => {
  it("reads a value with spaces around it", () => {
    const now = Date.parse("2026-06-15T12:00:00Z");
    expect(retryAfterSeconds(" 60 ", now)).toBe(60);
    expect(retryAfterSeconds("\t30", now)).toBe(30);
    expect(retryAfterSeconds("  Mon, 15 Jun 2026 12:02:00 GMT ", now)).toBe(120);
    expect(retryAfterSeconds("   ", now)).toBeUndefined();
  });

  it("takes a date only in an HTTP-date form, which begins with the day's name: not ISO 8601, not a bare number with a unit", () => {
    const now = Date.parse("2026-06-15T12:00:00Z");
    expect(retryAfterSeconds("2026-06-15T12:02:00Z", now)).toBeUndefined();
    expect(retryAfterSeconds("15 Jun 2026 12:02:00 GMT", now)).toBeUndefined();
    expect(retryAfterSeconds("Monday, 15-Jun-26 12:02:00 GMT", now)).toBe(120);
  });
});
