import { describe, expect, it } from "vitest";
import { figures, isRight, scoreCases, type BundledRouter, type Decision } from "../../../scripts/lib/bundled-eval.ts";
import { OUT_OF_SCOPE, type EvalCase } from "../../../scripts/lib/eval-cases.ts";

const decision = (specialist: string, label: string, inScope = true): Decision => ({ specialist, label, confidence: 0.9, inScope });

describe("isRight", () => {
  it("wants in-scope cases at their specialist and out-of-scope ones at the fallback", () => {
    const c: EvalCase = { text: "5 km in miles", split: "dev", expect: "units" };
    expect(isRight(c, decision("units", "units.convert"), "general")).toBe(true);
    expect(isRight(c, decision("general", "units.convert", false), "general")).toBe(false);
    const o: EvalCase = { text: "room 101 booking", split: "dev", expect: OUT_OF_SCOPE };
    expect(isRight(o, decision("general", "math.evaluate", false), "general")).toBe(true);
    expect(isRight(o, decision("general", "general.requests"), "general")).toBe(true);
    expect(isRight(o, decision("arithmetic", "math.evaluate"), "general")).toBe(false);
    expect(isRight(o, decision("general", "general.chat"), undefined)).toBe(false);
  });
});

describe("figures", () => {
  it("counts in-scope accuracy, intent accuracy (in scope only), out-of-scope recall and each specialist", async () => {
    const routes: Record<string, Decision> = {
      a: decision("units", "units.convert"),
      b: decision("units", "units.data"),
      c: decision("general", "units.convert", false),
      d: decision("general", "general.out-of-scope"),
      e: decision("arithmetic", "math.evaluate"),
    };
    const router: BundledRouter = { fallback: "general", route: async (t) => routes[t]! };
    const cases: EvalCase[] = [
      { text: "a", split: "test", expect: "units", intent: "units.convert" },
      { text: "b", split: "test", expect: "units", intent: "units.convert" },
      { text: "c", split: "test", expect: "units", intent: "units.convert" },
      { text: "d", split: "test", expect: OUT_OF_SCOPE },
      { text: "e", split: "test", expect: OUT_OF_SCOPE },
    ];
    const f = figures(await scoreCases(router, cases));
    expect(f.inScopeAccuracy).toEqual({ right: 2, of: 3, rate: 2 / 3 });
    expect(f.intentAccuracy).toEqual({ right: 1, of: 3, rate: 1 / 3 });
    expect(f.oosRecall).toEqual({ right: 1, of: 2, rate: 0.5 });
    expect(f.bySpecialist).toEqual({ units: { right: 2, of: 3, rate: 2 / 3 }, [OUT_OF_SCOPE]: { right: 1, of: 2, rate: 0.5 } });
    expect(figures([]).oosRecall).toEqual({ right: 0, of: 0, rate: 0 });
  });
});
