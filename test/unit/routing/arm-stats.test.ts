import { describe, expect, it } from "vitest";
import { emptyIntentCounts, type IntentCounts } from "../../../worker/observe/intent-counts.ts";
import { afterCalls, ARM_SETTINGS, armNow, feedbackArms, withdrawn } from "../../../worker/routing/arm-stats.ts";
import { DEFAULT_SELECTION, recorded, type ArmStats } from "../../../worker/routing/selection.ts";

const T0 = Date.parse("2026-06-15T12:00:00Z");
const HOUR = 3_600_000;
const counts = (c: Partial<IntentCounts>): IntentCounts => ({ ...emptyIntentCounts(), ...c });

describe("arm settings", () => {
  it("are the default selection's half-life and latency weight", () => {
    expect(ARM_SETTINGS).toEqual({ halfLifeMs: DEFAULT_SELECTION.halfLifeMs, latencyAlpha: DEFAULT_SELECTION.latencyAlpha });
  });
});

describe("afterCalls: a batch of one label's calls and verdicts", () => {
  it("counts answered calls and passed verdicts as successes; failed, refused calls and failed verdicts as failures; cancelled calls as nothing", () => {
    const s = afterCalls(undefined, counts({ calls: 6, ok: 3, errors: 1, refused: 1, cancelled: 1, verifiedPass: 2, verifiedFail: 1, latencyMsSum: 60 }), T0)!;
    expect(s).toMatchObject({ successes: 5, failures: 3, at: T0 });
    expect(s.latencyMs).toBeCloseTo(10, 9); // every sample is the batch's mean (60 / 6)
  });

  it("is the same as recording each outcome one by one at the same instant", () => {
    const c = counts({ calls: 3, ok: 2, errors: 1, latencyMsSum: 30 });
    let one: ArmStats | undefined = { successes: 4, failures: 1, latencyMs: 50, at: T0 - HOUR };
    const batch = afterCalls(one, c, T0);
    for (const ok of [true, true, false]) one = recorded(one, { ok, latencyMs: 10 }, T0, ARM_SETTINGS);
    expect(batch).toEqual(one);
  });

  it("decays what was there before adding (half of it after one half-life)", () => {
    const s = afterCalls({ successes: 8, failures: 4, at: T0 }, counts({ calls: 1, ok: 1, latencyMsSum: 5 }), T0 + HOUR)!;
    expect(s.successes).toBeCloseTo(5, 9);
    expect(s.failures).toBeCloseTo(2, 9);
    expect(s.at).toBe(T0 + HOUR);
  });

  it("leaves no evidence as none, and keeps latency when a batch has only verdicts", () => {
    expect(afterCalls(undefined, emptyIntentCounts(), T0)).toBeUndefined();
    const s = afterCalls({ successes: 1, failures: 0, latencyMs: 40, at: T0 }, counts({ verifiedFail: 1 }), T0)!;
    expect(s).toEqual({ successes: 1, failures: 1, latencyMs: 40, at: T0 });
  });
});

describe("withdrawn: one outcome taken back", () => {
  it("takes back its weight as of now: 1 when it was just counted, ½ a half-life later", () => {
    const s: ArmStats = { successes: 3, failures: 2, at: T0 };
    expect(withdrawn(s, { ok: true, at: T0 }, T0)).toEqual({ successes: 2, failures: 2, at: T0 });
    const later = withdrawn(s, { ok: false, at: T0 }, T0 + HOUR);
    expect(later.successes).toBeCloseTo(1.5, 9);
    expect(later.failures).toBeCloseTo(0.5, 9); // 2 → 1 by decay, less ½
  });

  it("is the exact inverse of recording it, whenever that was", () => {
    const base: ArmStats = { successes: 5, failures: 5, at: T0 };
    const withOne = recorded(base, { ok: false }, T0 + HOUR, ARM_SETTINGS);
    const back = withdrawn(withOne, { ok: false, at: T0 + HOUR }, T0 + 3 * HOUR);
    const never = armNow(base, T0 + 3 * HOUR);
    expect(back.successes).toBeCloseTo(never.successes, 9);
    expect(back.failures).toBeCloseTo(never.failures, 9);
  });

  it("never goes below zero, and keeps the latency", () => {
    expect(withdrawn({ successes: 0.2, failures: 1, latencyMs: 7, at: T0 }, { ok: true, at: T0 }, T0)).toEqual({ successes: 0, failures: 1, latencyMs: 7, at: T0 });
  });
});

describe("feedbackArms: one target's feedback", () => {
  const arms: Record<string, ArmStats> = { a: { successes: 2, failures: 2, at: T0 }, b: { successes: 1, failures: 0, at: T0 } };
  const get = (l: string) => arms[l];

  it("records new feedback on its label's arm: good a success, bad a failure", () => {
    expect(feedbackArms(undefined, { label: "a", good: true }, get, T0)).toEqual({ a: { successes: 3, failures: 2, at: T0 } });
    expect(feedbackArms(undefined, { label: "a", good: false }, get, T0)).toEqual({ a: { successes: 2, failures: 3, at: T0 } });
    expect(feedbackArms(undefined, { label: "new", good: true }, get, T0)).toEqual({ new: { successes: 1, failures: 0, at: T0 } });
  });

  it("a replacement takes the earlier outcome back: bad, then good, counts as one success", () => {
    const first = feedbackArms(undefined, { label: "a", good: false }, get, T0);
    const second = feedbackArms({ label: "a", good: false, at: T0 }, { label: "a", good: true }, (l) => first[l] ?? arms[l], T0);
    expect(second).toEqual({ a: { successes: 3, failures: 2, at: T0 } });
  });

  it("takes back an earlier outcome by its weight now (on the fake clock, half of it a half-life on)", () => {
    const r = feedbackArms({ label: "a", good: true, at: T0 }, { label: "a", good: false }, get, T0 + HOUR);
    expect(r.a!.successes).toBeCloseTo(1 - 0.5, 9);
    expect(r.a!.failures).toBeCloseTo(1 + 1, 9);
  });

  it("the same label and outcome again changes nothing; a target without a label changes no arm", () => {
    expect(feedbackArms({ label: "a", good: true, at: T0 }, { label: "a", good: true }, get, T0 + HOUR)).toEqual({});
    expect(feedbackArms(undefined, { label: null, good: true }, get, T0)).toEqual({});
    expect(feedbackArms({ label: null, good: true, at: T0 }, { label: null, good: false }, get, T0)).toEqual({});
  });

  it("a label that changed moves the outcome from the old label's arm to the new one's", () => {
    expect(feedbackArms({ label: "a", good: true, at: T0 }, { label: "b", good: true }, get, T0)).toEqual({ a: { successes: 1, failures: 2, at: T0 }, b: { successes: 2, failures: 0, at: T0 } });
    expect(feedbackArms({ label: "a", good: false, at: T0 }, { label: null, good: false }, get, T0)).toEqual({ a: { successes: 2, failures: 1, at: T0 } });
  });
});
