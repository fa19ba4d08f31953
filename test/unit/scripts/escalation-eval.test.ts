import { describe, expect, it } from "vitest";
import { mulberry32 } from "../../../worker/intent/hash.ts";
import type { Scored } from "../../../scripts/lib/eval-data.ts";
import { callUsd, fakeLlmPick, promptTokens, PRICES, routeWithEscalation, sweep } from "../../../scripts/lib/escalation-eval.ts";

const labelToSpecialist = new Map([["balance", "bank"], ["transfer", "bank"], ["flight", "travel"], ["oos", "fallback"]]);
const labels = [...labelToSpecialist.keys()];

/** Seeded predictions: right about 60 % of the time, confidences in [0, 0.99). */
function scoredRows(n: number, seed: number): Scored[] {
  const rng = mulberry32(seed);
  return Array.from({ length: n }, () => {
    const gold = labels[Math.floor(rng() * labels.length)]!;
    const label = rng() < 0.6 ? gold : labels[Math.floor(rng() * labels.length)]!;
    return { gold, p: { label, confidence: rng() * 0.99, topK: [], specialist: labelToSpecialist.get(label)! } };
  });
}
const scored = scoredRows(400, 3);
const texts = scored.map((_, i) => `request number ${i}`);
const base = { scored, texts, labelToSpecialist, minConfidence: 0.2, seed: 5 };

describe("the escalation rule (scripts/lib/escalation-eval.ts)", () => {
  const s = { escalateBelow: 0.5, minConfidence: 0.2 };
  it("asks the LLM router below the escalation threshold and keeps its pick, out of scope included", () => {
    expect(routeWithEscalation({ label: "balance", confidence: 0.3 }, s, () => "flight")).toEqual({ label: "flight", escalated: true });
    expect(routeWithEscalation({ label: "balance", confidence: 0.1 }, s, () => "oos")).toEqual({ label: "oos", escalated: true });
  });

  it("keeps the classifier's decision at or above the threshold, or when the LLM gives no answer", () => {
    let asked = 0;
    expect(routeWithEscalation({ label: "balance", confidence: 0.5 }, s, () => (asked++, "flight"))).toEqual({ label: "balance", escalated: false });
    expect(asked).toBe(0);
    expect(routeWithEscalation({ label: "balance", confidence: 0.3 }, s, () => undefined)).toEqual({ label: "balance", escalated: false });
    expect(routeWithEscalation({ label: "balance", confidence: 0.1 }, s, () => undefined)).toEqual({ label: "oos", escalated: false });
    expect(routeWithEscalation({ label: "oos", confidence: 0.9 }, s, () => "flight")).toEqual({ label: "oos", escalated: false });
    expect(routeWithEscalation({ label: "balance", confidence: 0.3 }, { escalateBelow: 0.3, minConfidence: 0.4 }, () => "flight")).toEqual({ label: "oos", escalated: false });
  });

  it("has a fake LLM router that is right below q and otherwise picks another label", () => {
    expect(fakeLlmPick("transfer", labels, 0.9, 0.89, 0.5)).toBe("transfer");
    for (const v of [0, 0.3, 0.6, 0.999]) {
      const pick = fakeLlmPick("transfer", labels, 0.9, 0.9, v);
      expect(pick).not.toBe("transfer");
      expect(labels).toContain(pick);
    }
  });

  it("prices a call from its prompt (instruction, specialists and labels, query) and its answer", () => {
    const short = promptTokens(labelToSpecialist, "hi");
    expect(promptTokens(labelToSpecialist, "hi".repeat(100))).toBe(short + 50);
    expect(promptTokens(new Map([...labelToSpecialist, ["hotel", "travel"]]), "hi")).toBeGreaterThan(short);
    const model = "@cf/meta/llama-3.3-70b-instruct-fp8-fast";
    expect(callUsd(model, 1000)).toBeCloseTo((1000 * PRICES[model].input + 20 * PRICES[model].output) / 1e6, 12);
  });
});

describe("the threshold sweep", () => {
  it("with q = 1 and everything escalated (t = 1, confidences below 1) is always right, at the price of a call each", () => {
    const [p] = sweep({ ...base, thresholds: [1], qs: [1] });
    expect(p).toMatchObject({ accuracy: 1, inScopeAccuracy: 1, oosRecall: 1, escalatedShare: 1 });
    const model = "@cf/meta/llama-3.1-8b-instruct-fp8-fast";
    const perCall = texts.reduce((a, t) => a + callUsd(model, promptTokens(labelToSpecialist, t)), 0) / texts.length;
    expect(p!.usdPerMillion[model]).toBeCloseTo(perCall * 1e6, 6);
  });

  it("with t = 0 is the classifier alone, for free", () => {
    const [p] = sweep({ ...base, thresholds: [0], qs: [0.5] });
    const alone = scored.filter((s) => (s.p.label === "oos" || s.p.confidence < 0.2 ? "oos" : s.p.label) === s.gold).length / scored.length;
    expect(p).toMatchObject({ escalatedShare: 0, accuracy: alone });
    expect(Object.values(p!.usdPerMillion)).toEqual([0, 0]);
  });

  it("escalates more and costs more as the threshold rises; a better LLM router is never worse at one threshold", () => {
    const points = sweep({ ...base, thresholds: [0.2, 0.5, 0.8], qs: [0.8, 0.95] });
    const at = (q: number) => points.filter((p) => p.q === q);
    for (const q of [0.8, 0.95]) {
      const shares = at(q).map((p) => p.escalatedShare);
      expect(shares).toEqual([...shares].sort((a, b) => a - b));
      expect(shares[0]).toBeLessThan(shares[2]!);
    }
    at(0.95).forEach((p, i) => expect(p.accuracy).toBeGreaterThanOrEqual(at(0.8)[i]!.accuracy));
    expect(sweep({ ...base, thresholds: [0.5], qs: [0.9] })).toEqual(sweep({ ...base, thresholds: [0.5], qs: [0.9] }));
  });
});
