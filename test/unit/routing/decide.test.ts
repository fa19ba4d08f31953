import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../worker/config/load.ts";
import type { CachedIntent } from "../../../worker/intent/record.ts";
import { capableSpecialists, decide } from "../../../worker/routing/decide.ts";

const config = loadConfig({
  router: { fallback: "general" },
  specialists: ["math", "units", "general"].map((id) => ({
    id,
    endpoint: { type: "http", url: `https://${id}.example/` },
    intents: [{ label: `${id}.x`, examples: [id] }],
  })),
});
const registry = new Map(config.specialists.map((s) => [s.id, s]));

const intent = (over: Partial<CachedIntent> = {}): CachedIntent => ({
  id: `in_${"a".repeat(32)}`,
  label: "math.x",
  specialist: "math",
  confidence: 0.9,
  inScope: true,
  topK: [
    { label: "math.x", specialist: "math", confidence: 0.9 },
    { label: "units.x", specialist: "units", confidence: 0.07 },
    { label: "general.x", specialist: "general", confidence: 0.03 },
  ],
  encoder: "e",
  model: "m",
  createdAt: "2026-01-01T00:00:00Z",
  input: "2+2",
  ...over,
});

describe("decide", () => {
  it("routes by the intent and lists the other candidates as alternatives", () => {
    const r = decide({ intent: intent(), registry, minConfidence: 0.35 });
    expect(r).toEqual({
      ok: true,
      decision: {
        specialist: "math",
        reason: "intent 'math.x' at 0.90 ≥ 0.35",
        alternatives: [
          { specialist: "units", label: "units.x", confidence: 0.07 },
          { specialist: "general", label: "general.x", confidence: 0.03 },
        ],
        candidates: ["math"],
      },
    });
  });

  it("prefers the cheapest of the specialists within the cost margin, and explains it", () => {
    const priced = new Map(
      [...registry].map(([id, s]) => [id, { ...s, costPerCall: id === "math" ? 0.01 : id === "units" ? 0.001 : 0 }]),
    );
    const close = intent({
      confidence: 0.5,
      topK: [
        { label: "math.x", specialist: "math", confidence: 0.5 },
        { label: "units.x", specialist: "units", confidence: 0.45 },
        { label: "general.x", specialist: "general", confidence: 0.05 },
      ],
    });
    const r = decide({ intent: close, registry: priced, minConfidence: 0.35, costMargin: 0.1 });
    expect(r.ok && r.decision.candidates).toEqual(["units", "math"]);
    expect(r.ok && r.decision.specialist).toBe("units");
    expect(r.ok && r.decision.reason).toBe("intent 'math.x' at 0.50 ≥ 0.35; 'units' is the cheapest of 2 capable within 0.1 ($0.001/call vs $0.01)");
    // outside the margin, or below minConfidence, the best one stays alone
    expect(decide({ intent: close, registry: priced, minConfidence: 0.35, costMargin: 0.01 }).ok && true).toBe(true);
    const narrow = decide({ intent: close, registry: priced, minConfidence: 0.35, costMargin: 0.01 });
    expect(narrow.ok && narrow.decision.candidates).toEqual(["math"]);
    const low = decide({ intent: close, registry: priced, minConfidence: 0.48, costMargin: 0.1 });
    expect(low.ok && low.decision.candidates).toEqual(["math"]);
  });

  it("explains an out-of-scope fallback", () => {
    const r = decide({ intent: intent({ confidence: 0.2, inScope: false, specialist: "general" }), registry, minConfidence: 0.35 });
    expect(r.ok && r.decision.specialist).toBe("general");
    expect(r.ok && r.decision.reason).toMatch(/0\.20 < 0\.35: out of scope, fallback 'general'/);
  });

  it("a pinned specialist wins over the intent", () => {
    const r = decide({ pinned: "units", intent: intent(), registry, minConfidence: 0.35 });
    expect(r.ok && r.decision).toMatchObject({ specialist: "units", reason: "pinned by the request", candidates: ["units"] });
    expect(r.ok && r.decision.alternatives.map((a) => a.specialist)).toEqual(["math", "general"]);
  });

  it("refuses an unknown pinned specialist and an intent resolving to nobody", () => {
    expect(decide({ pinned: "ghost", registry, minConfidence: 0.35 })).toEqual({ ok: false, reason: "unknown_specialist", specialist: "ghost" });
    const r = decide({ intent: intent({ specialist: "gone" }), registry, minConfidence: 0.35 });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toBe("no_specialist");
    expect(decide({ registry, minConfidence: 0.35 }).ok).toBe(false);
  });
});

describe("lookups that can miss", () => {
  it("an intent whose specialist is no longer registered is no_specialist, not a crash", () => {
    expect(decide({ intent: intent({ specialist: "gone" }), registry, minConfidence: 0.35 })).toEqual({ ok: false, reason: "no_specialist", detail: "intent resolves to 'gone', which is not registered" });
    expect(decide({ intent: intent({ specialist: "gone" }), registry, minConfidence: 0.35, unable: () => undefined })).toMatchObject({ ok: false, reason: "no_specialist" });
  });

  it("capableSpecialists leaves out an unregistered intended specialist and keeps the registered candidates", () => {
    const top = intent({ specialist: "gone", confidence: 0.5, topK: [{ label: "units.x", specialist: "units", confidence: 0.45 }] });
    expect(capableSpecialists(top, registry, 0.35, 0.1).map((s) => s.id)).toEqual(["units"]);
  });

  it("with nobody able and an empty registry, the refusal says so instead of throwing", () => {
    const r = decide({ registry: new Map(), minConfidence: 0.35, unable: () => ({ param: "tools", detail: "no tools" }) });
    expect(r).toEqual({ ok: false, reason: "unsupported", param: "messages", detail: "no specialist can honour 'messages': no specialist can take this request" });
  });
});
