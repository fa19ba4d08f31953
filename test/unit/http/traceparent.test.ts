import { describe, expect, it } from "vitest";
import { childContext, formatTraceparent, parseTraceparent, parseTracestate, traceIdSampled } from "../../../worker/http/traceparent.ts";

describe("traceparent", () => {
  const valid = `00-${"4bf92f3577b34da6a3ce929d0e0e4736"}-${"00f067aa0ba902b7"}-01`;
  it("parses a valid header and rejects malformed or all-zero ones", () => {
    expect(parseTraceparent(valid)).toEqual({ traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", flags: "01" });
    for (const bad of [
      undefined,
      "",
      `00-${"0".repeat(32)}-00f067aa0ba902b7-01`,
      "00-xyz-00f067aa0ba902b7-01",
      `00-${"4bf92f3577b34da6a3ce929d0e0e4736"}-${"0".repeat(16)}-01`,
      valid.toUpperCase(), // uppercase hex is invalid (§3.2.2): a new trace starts
      `00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01`,
      "ff-" + valid.slice(3), // version ff is invalid
      `${valid}-extra`, // version 00 has exactly four fields
    ])
      expect(parseTraceparent(bad), String(bad)).toBeUndefined();
  });
  it("parses a higher version as 00, ignoring its trailing fields (§4.3)", () => {
    expect(parseTraceparent("01-" + valid.slice(3))).toEqual({ traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", flags: "01" });
    expect(parseTraceparent(`cc-${valid.slice(3)}-what-the-future-holds`)).toEqual({ traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", flags: "01" });
  });
  it("continues the caller's trace with a new span, or starts a new trace", () => {
    const child = childContext(parseTraceparent(valid));
    expect(child.traceId).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    expect(child.spanId).not.toBe("00f067aa0ba902b7");
    expect(formatTraceparent(child)).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    const fresh = childContext(undefined);
    expect(formatTraceparent(fresh)).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(childContext(undefined).traceId).not.toBe(fresh.traceId);
  });
  it("samples new traces at the ratio, from the trace id alone; a caller's flags decide for its own trace", () => {
    expect(traceIdSampled("0".repeat(24) + "19999999", 0.1)).toBe(true); // 0x19999999 / 2^32 < 0.1
    expect(traceIdSampled("0".repeat(24) + "1999999a", 0.1)).toBe(false);
    expect(traceIdSampled("f".repeat(32), 1)).toBe(true);
    expect(traceIdSampled("0".repeat(31) + "1", 0)).toBe(false);
    const flags = Array.from({ length: 2000 }, () => childContext(undefined, 0.25).flags);
    const share = flags.filter((f) => f === "01").length / flags.length;
    expect(share).toBeGreaterThan(0.18);
    expect(share).toBeLessThan(0.32);
    expect(flags.every((f) => f === "01" || f === "00")).toBe(true);
    expect(childContext(parseTraceparent(valid), 0).flags).toBe("01");
    expect(childContext(parseTraceparent(valid.slice(0, -2) + "00"), 1).flags).toBe("00");
  });
});

describe("tracestate", () => {
  it("keeps a valid list and drops an invalid one (§3.3)", () => {
    expect(parseTracestate("congo=t61rcWkgMzE, rojo=00f067aa0ba902b7")).toBe("congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");
    expect(parseTracestate("tenant1@vendor=value")).toBe("tenant1@vendor=value");
    for (const bad of ["=x", "Upper=x", "k=a,b", "k=", "k=v=w", Array.from({ length: 33 }, (_, i) => `k${i}=v`).join(","), undefined, ""])
      expect(parseTracestate(bad), String(bad)).toBeUndefined();
  });
});
