import { describe, expect, it } from "vitest";
import { durationMs, randomSpanId, sampled, Tracer } from "../../../worker/observe/span.ts";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

/** A clock the test moves by hand. */
function manualClock(start = 1_700_000_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

describe("Tracer", () => {
  it("records spans with parent links, the injected clock's times, attributes and status", () => {
    const clock = manualClock();
    let n = 0;
    const ended: string[] = [];
    const t = new Tracer({ traceId: TRACE, clock: clock.now, ids: () => String(++n).padStart(16, "0"), onEnd: (s) => ended.push(s.name) });
    const root = t.start("POST /v1/route", { spanId: "00f067aa0ba902b7", parent: "b7ad6b7169203331", kind: "server" });
    clock.advance(2);
    const child = t.start("intent", { parent: root.spanId, attributes: { "switchyard.intent.source": "lru", skipped: undefined } });
    clock.advance(3);
    child.end({ code: "ok" }, { "switchyard.intent.label": "units.convert" });
    root.end({ code: "error", message: "boom" });
    expect(ended).toEqual(["intent", "POST /v1/route"]);
    const [intent, req] = t.spans;
    expect(req).toMatchObject({ traceId: TRACE, spanId: "00f067aa0ba902b7", parentSpanId: "b7ad6b7169203331", kind: "server", status: { code: "error", message: "boom" } });
    expect(intent).toMatchObject({ spanId: "0000000000000001", parentSpanId: "00f067aa0ba902b7", kind: "internal", startMs: 1_700_000_000_002, endMs: 1_700_000_000_005 });
    expect(intent!.attributes).toEqual({ "switchyard.intent.source": "lru", "switchyard.intent.label": "units.convert" });
    expect(durationMs(intent!)).toBe(3);
  });

  it("ends a span once, and never before it started", () => {
    let now = 100;
    const t = new Tracer({ traceId: TRACE, clock: () => now });
    const s = t.start("x");
    now = 50; // a clock that went backwards
    const first = s.end({ code: "ok" });
    expect(first.endMs).toBe(100);
    expect(s.end({ code: "error" })).toBe(first);
    expect(t.spans).toHaveLength(1);
  });

  it("gives a traceparent naming the span as parent", () => {
    const t = new Tracer({ traceId: TRACE, flags: "00" });
    const s = t.start("call");
    expect(s.traceparent()).toBe(`00-${TRACE}-${s.spanId}-00`);
    expect(s.spanId).toMatch(/^[0-9a-f]{16}$/);
  });

  it("inSpan ends with ok, or error with the thrown message", async () => {
    const t = new Tracer({ traceId: TRACE, clock: () => 1 });
    await expect(t.inSpan("good", {}, async () => 7)).resolves.toBe(7);
    await expect(t.inSpan("bad", {}, async () => Promise.reject(new Error("nope")))).rejects.toThrow("nope");
    expect(t.spans.map((s) => [s.name, s.status])).toEqual([
      ["good", { code: "ok" }],
      ["bad", { code: "error", message: "nope" }],
    ]);
  });

  it("drops non-finite numbers from attributes", () => {
    const t = new Tracer({ traceId: TRACE });
    const s = t.start("x", { attributes: { a: Number.NaN, b: 1, c: Number.POSITIVE_INFINITY } }).end();
    expect(s.attributes).toEqual({ b: 1 });
  });
});

describe("ids and flags", () => {
  it("random span ids are 16 hex digits and differ", () => {
    const ids = new Set(Array.from({ length: 100 }, randomSpanId));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{16}$/);
  });

  it("reads the sampled bit of W3C flags", () => {
    expect(sampled("01")).toBe(true);
    expect(sampled("03")).toBe(true);
    expect(sampled("00")).toBe(false);
    expect(sampled("02")).toBe(false);
  });
});
