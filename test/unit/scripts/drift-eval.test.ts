import { describe, expect, it } from "vitest";
import { DEFAULT_SELECTION } from "../../../worker/routing/selection.ts";
import { driftReport, driftRun } from "../../../scripts/lib/drift-eval.ts";

describe("the drift simulation (scripts/lib/drift-eval.ts)", () => {
  it("is deterministic per seed", () => {
    const o = { T: 200, horizon: 800, selection: { ...DEFAULT_SELECTION, halfLifeMs: 200 } };
    expect(driftRun(3, o)).toEqual(driftRun(3, o));
  });

  it("moves traffic off the specialist that starts failing, with far less regret than the static choice", () => {
    const r = driftReport({ seeds: 5, T: 300, horizon: 1500 });
    expect(r.runs).toHaveLength(5);
    for (const run of r.runs) {
      expect(run.movedAfter).not.toBeNull();
      expect(run.movedAfter!).toBeGreaterThanOrEqual(99); // the last 100 requests must all follow the drift
      expect(run.movedAfter!).toBeLessThan(600);
    }
    expect(r.medianMovedAfter).not.toBeNull();
    expect(r.staticRegret).toBeCloseTo((1500 - 300) * 0.28, 6);
    expect(r.meanRegret).toBeGreaterThan(0);
    expect(r.meanRegret).toBeLessThan(r.staticRegret / 10);
  });

  it("says when a seed never moved within the horizon", () => {
    const r = driftReport({ seeds: 2, T: 50, horizon: 60 }); // 10 requests after the drift: never 100 of them
    expect(r.runs.every((x) => x.movedAfter === null)).toBe(true);
    expect(r.medianMovedAfter).toBeNull();
  });
});
