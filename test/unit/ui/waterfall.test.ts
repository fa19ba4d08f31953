import { describe, expect, it } from "vitest";
import { layoutWaterfall, rowsFromSteps, rowsFromTrace } from "../../../worker/ui/waterfall.ts";

describe("hop waterfall", () => {
  it("derives rows from the steps' start and finish times, leaving out steps that never started", () => {
    const rows = rowsFromSteps([
      { id: "a", status: "succeeded", specialist: "units", attempts: 2, startedAt: "2026-01-01T00:00:00.000Z", finishedAt: "2026-01-01T00:00:00.100Z" },
      { id: "b", status: "pending" },
    ]);
    expect(rows).toEqual([{ label: "a", detail: "units · 2 attempts", status: "succeeded", start: Date.parse("2026-01-01T00:00:00.000Z"), end: Date.parse("2026-01-01T00:00:00.100Z") }]);
  });

  it("reads trace spans: children under their parent, attributes as detail, status from the span", () => {
    const span = (spanId: string, parentSpanId: string | undefined, name: string, startMs: number, endMs: number | null, attributes: Record<string, unknown> = {}, code = "ok") => ({
      spanId,
      ...(parentSpanId ? { parentSpanId } : {}),
      name,
      startMs,
      endMs,
      durationMs: endMs === null ? null : endMs - startMs,
      attributes,
      status: { code },
    });
    const rows = rowsFromTrace({
      spans: [
        span("t", undefined, "task", 1000, null, {}, "unset"),
        span("s2", "t", "step", 1200, 1300, { "switchyard.step.id": "b" }),
        span("s1", "t", "step", 1010, 1100, { "switchyard.step.id": "a" }),
        span("c1", "s1", "specialist.call", 1020, 1090, { "switchyard.specialist": "units", "switchyard.attempt": 0, "switchyard.outcome": "error" }, "error"),
      ],
    });
    expect(rows).toEqual([
      { label: "task", status: "running", depth: 0, start: 1000 },
      { label: "step", detail: "a", status: "ok", depth: 1, start: 1010, end: 1100 },
      { label: "specialist.call", detail: "units · try 1 · error", status: "error", depth: 2, start: 1020, end: 1090 },
      { label: "step", detail: "b", status: "ok", depth: 1, start: 1200, end: 1300 },
    ]);
    expect(rowsFromTrace({ spans: [span("x", undefined, "a", 0, 5), span("y", undefined, "b", 1, 2)] }, 1)).toHaveLength(1);
    expect(rowsFromTrace({ spans: [] })).toBeUndefined();
    expect(rowsFromTrace("nope")).toBeUndefined();
  });

  it("places bars on one axis as percentages; a running bar extends to now", () => {
    const w = layoutWaterfall([{ label: "b", start: 150, end: 200 }, { label: "a", start: 100, end: 150 }, { label: "c", start: 180 }], "steps", 300);
    expect(w.totalMs).toBe(200);
    expect(w.bars.map((b) => [b.label, b.leftPct, b.widthPct, b.ms])).toEqual([
      ["a", 0, 25, 50],
      ["b", 25, 25, 50],
      ["c", 40, 60, undefined],
    ]);
    expect(layoutWaterfall([], "trace").bars).toEqual([]);
  });
});
