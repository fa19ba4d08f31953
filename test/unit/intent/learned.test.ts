import { describe, expect, it } from "vitest";
import { admit, GLOBAL_SCOPE, labelCap, withLearned } from "../../../worker/intent/learned.ts";

const limits = { perHour: 3, labelCap: 2, maxPerScope: 10 };
const counts = (over: Partial<{ lastHour: number; activeForLabel: number; held: number }> = {}) => ({ lastHour: 0, activeForLabel: 0, held: 0, ...over });

describe("admit: the guards a new learned example passes", () => {
  it("an example under every limit is active", () => {
    expect(admit(counts({ lastHour: 2, activeForLabel: 1, held: 9 }), limits, false)).toEqual({ status: "active" });
  });

  it("the hourly rate refuses at the limit, before anything else", () => {
    const r = admit(counts({ lastHour: 3, held: 10 }), limits, true);
    expect(r).toMatchObject({ refused: "rate", detail: expect.stringContaining("learning.correctionsPerHour") });
    expect(admit(counts({ lastHour: 2 }), limits, false)).toEqual({ status: "active" });
  });

  it("a full scope refuses at its limit", () => {
    expect(admit(counts({ held: 10 }), limits, false)).toMatchObject({ refused: "full", detail: expect.stringContaining("learning.maxPerScope") });
    expect(admit(counts({ held: 9 }), limits, false)).toEqual({ status: "active" });
  });

  it("a label at its cap holds the example for review", () => {
    expect(admit(counts({ activeForLabel: 2 }), limits, false)).toEqual({ status: "pending", note: expect.stringContaining("cap without review") });
    expect(admit(counts({ activeForLabel: 1 }), limits, false)).toEqual({ status: "active" });
  });

  it("a proposal waits for review whatever the cap", () => {
    expect(admit(counts(), limits, true)).toEqual({ status: "pending", note: "proposed for review" });
  });
});

describe("labelCap", () => {
  it("is a share of the label's configured examples, never under the minimum", () => {
    expect(labelCap(20, { maxShare: 0.5, minPerLabel: 5 })).toBe(10);
    expect(labelCap(21, { maxShare: 0.5, minPerLabel: 5 })).toBe(10);
    expect(labelCap(4, { maxShare: 0.5, minPerLabel: 5 })).toBe(5);
    expect(labelCap(10, { maxShare: 0, minPerLabel: 0 })).toBe(0);
  });
});

describe("withLearned: the sources a scope's model is fitted on", () => {
  const base = [
    { specialist: "units", label: "units.convert", examples: ["5 km in miles", "convert 3 feet to cm"] },
    { specialist: "math", label: "math.evaluate", examples: ["what is 2+2"] },
  ];
  const x = (id: string, label: string, input: string, createdAt = "2026-11-30T00:00:00.000Z") => ({ id, label, input, createdAt });

  it("no examples: the config's sources as they are", () => {
    expect(withLearned(base, [])).toEqual(base);
  });

  it("appends one source per label, labels in order, examples oldest first then by id", () => {
    const out = withLearned(base, [
      x("lx_b", "units.convert", "how many ounces in a pound", "2026-11-30T00:00:02.000Z"),
      x("lx_c", "math.evaluate", "seven squared"),
      x("lx_a", "units.convert", "inches to cm", "2026-11-30T00:00:02.000Z"),
      x("lx_d", "units.convert", "miles to km please", "2026-11-30T00:00:01.000Z"),
    ]);
    expect(out).toEqual([
      ...base,
      { specialist: "math", label: "math.evaluate", examples: ["seven squared"] },
      { specialist: "units", label: "units.convert", examples: ["miles to km please", "inches to cm", "how many ounces in a pound"] },
    ]);
  });

  it("orders by time before id, and by id among equal times, whatever the input order", () => {
    const xs = [
      x("lx_9", "units.convert", "nine", "2026-11-30T00:00:00.000Z"),
      x("lx_1", "units.convert", "one", "2026-11-30T00:00:05.000Z"),
      x("lx_5", "units.convert", "five", "2026-11-30T00:00:05.000Z"),
      x("lx_3", "units.convert", "three", "2026-11-30T00:00:05.000Z"),
    ];
    const want = [...base, { specialist: "units", label: "units.convert", examples: ["nine", "one", "three", "five"] }];
    for (const order of [xs, [...xs].reverse(), [xs[2]!, xs[0]!, xs[3]!, xs[1]!], [xs[1]!, xs[3]!, xs[2]!, xs[0]!]]) expect(withLearned(base, order)).toEqual(want);
  });

  it("appends labels in name order, not in the order their examples came", () => {
    const out = withLearned(base, [x("lx_1", "units.convert", "first", "2026-11-30T00:00:00.000Z"), x("lx_2", "math.evaluate", "second", "2026-11-30T00:00:01.000Z")]);
    expect(out.slice(base.length).map((s) => s.label)).toEqual(["math.evaluate", "units.convert"]);
  });

  it("the same examples in any order give the same sources", () => {
    const xs = [x("lx_1", "math.evaluate", "a"), x("lx_2", "math.evaluate", "b"), x("lx_3", "units.convert", "c")];
    expect(withLearned(base, [...xs].reverse())).toEqual(withLearned(base, xs));
  });

  it("leaves out labels the config lacks and inputs the label already has (normalised), once each", () => {
    const out = withLearned(base, [x("lx_1", "gone.label", "anything"), x("lx_2", "units.convert", "  5 KM in Miles "), x("lx_3", "math.evaluate", "ten times ten"), x("lx_4", "math.evaluate", "Ten times ten")]);
    expect(out).toEqual([...base, { specialist: "math", label: "math.evaluate", examples: ["ten times ten"] }]);
  });

  it("the global scope is named '*'", () => {
    expect(GLOBAL_SCOPE).toBe("*");
  });
});
