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

describe("decide: every branch says why", () => {
  const priced = loadConfig({
    specialists: [
      { id: "dear", costPerCall: 0.05, endpoint: { type: "http", url: "https://dear.example/" }, intents: [{ label: "q.dear", examples: ["dear"] }] },
      { id: "cheap", costPerCall: 0.01, endpoint: { type: "http", url: "https://cheap.example/" }, intents: [{ label: "q.cheap", examples: ["cheap"] }] },
      { id: "mid", costPerCall: 0.02, endpoint: { type: "http", url: "https://mid.example/" }, intents: [{ label: "q.mid", examples: ["mid"] }] },
    ],
  });
  const reg = new Map(priced.specialists.map((s) => [s.id, s]));
  const qIntent = (topK: { specialist: string; confidence: number }[], over: Partial<CachedIntent> = {}): CachedIntent =>
    intent({ label: "q.dear", specialist: "dear", confidence: 0.6, topK: topK.map((c) => ({ label: `q.${c.specialist}`, ...c })), ...over });

  it("without text: the cheapest able, or the only one, and why; none able: what no one can honour", () => {
    const all = decide({ registry: reg, minConfidence: 0.3, unable: () => undefined });
    expect(all).toMatchObject({ ok: true, decision: { specialist: "cheap", reason: "no text to classify: routed by capability to 'cheap' (cheapest of 3 able)", candidates: ["cheap", "mid", "dear"] } });
    const one = decide({ registry: reg, minConfidence: 0.3, unable: (s) => (s.id === "mid" ? undefined : { param: "tools", detail: "no tools" }) });
    expect(one).toMatchObject({ ok: true, decision: { specialist: "mid", reason: "no text to classify: routed by capability to 'mid'", alternatives: [] } });
    const fallbackFirst = decide({ registry: reg, minConfidence: 0.3, unable: () => undefined, fallback: "dear" });
    expect(fallbackFirst).toMatchObject({ ok: true, decision: { specialist: "dear", candidates: ["dear", "cheap", "mid"] } });
    const none = decide({ registry: reg, minConfidence: 0.3, unable: (s) => (s.id === "mid" ? { param: "audio", detail: "mid has no audio" } : { param: "tools", detail: "no tools" }), fallback: "mid" });
    expect(none).toEqual({ ok: false, reason: "unsupported", param: "audio", detail: "no specialist can honour 'audio': mid has no audio" });
    expect(decide({ registry: reg, minConfidence: 0.3 })).toEqual({ ok: false, reason: "no_specialist", detail: "neither an input, an intent nor a specialist was given" });
  });

  it("an intended specialist that cannot honour the request: the intent's next candidate, and why; none: why not", () => {
    const topK = [{ specialist: "dear", confidence: 0.6 }, { specialist: "mid", confidence: 0.3 }];
    const r = decide({ intent: qIntent(topK), registry: reg, minConfidence: 0.3, unable: (s) => (s.id === "dear" ? { param: "tools", detail: "no tools" } : undefined) });
    expect(r).toMatchObject({ ok: true, decision: { specialist: "mid", reason: "intent 'q.dear' at 0.60 → 'dear', which cannot honour 'tools'; 'mid' can", candidates: ["mid", "cheap"] } });
    const none = decide({ intent: qIntent(topK), registry: reg, minConfidence: 0.3, unable: () => ({ param: "tools", detail: "no tools" }) });
    expect(none).toEqual({ ok: false, reason: "unsupported", param: "tools", detail: "no specialist can honour 'tools': no tools" });
    expect(decide({ intent: qIntent(topK, { specialist: "gone" }), registry: reg, minConfidence: 0.3 })).toEqual({ ok: false, reason: "no_specialist", detail: "intent resolves to 'gone', which is not registered" });
  });

  it("capable within the margin: the cheapest, and why; at the bounds the candidate counts", () => {
    const topK = [{ specialist: "dear", confidence: 0.6 }, { specialist: "mid", confidence: 0.5 }, { specialist: "cheap", confidence: 0.3 }];
    expect(decide({ intent: qIntent(topK), registry: reg, minConfidence: 0.3, costMargin: 0.3 })).toMatchObject({
      ok: true,
      decision: { specialist: "cheap", reason: "intent 'q.dear' at 0.60 ≥ 0.3; 'cheap' is the cheapest of 3 capable within 0.3 ($0.01/call vs $0.05)", candidates: ["cheap", "mid", "dear"] },
    });
    expect(decide({ intent: qIntent(topK), registry: reg, minConfidence: 0.31, costMargin: 0.3 })).toMatchObject({ decision: { specialist: "mid", candidates: ["mid", "dear"] } });
    expect(decide({ intent: qIntent(topK), registry: reg, minConfidence: 0.3, costMargin: 0.1 })).toMatchObject({ decision: { specialist: "mid", candidates: ["mid", "dear"] } });
    expect(decide({ intent: qIntent(topK), registry: reg, minConfidence: 0.3, costMargin: 0.09 })).toMatchObject({ decision: { specialist: "dear", reason: "intent 'q.dear' at 0.60 ≥ 0.3", candidates: ["dear"] } });
  });

  it("the intended one is already the cheapest of several: says so", () => {
    const topK = [{ specialist: "cheap", confidence: 0.6 }, { specialist: "dear", confidence: 0.55 }];
    const r = decide({ intent: qIntent(topK, { label: "q.cheap", specialist: "cheap" }), registry: reg, minConfidence: 0.3, costMargin: 0.1 });
    expect(r).toMatchObject({ ok: true, decision: { specialist: "cheap", reason: "intent 'q.cheap' at 0.60 ≥ 0.3; cheapest of 2 capable within 0.1 ($0.01/call)" } });
  });

  it("equal prices: the more confident first; alternatives leave out unknown and empty specialists", () => {
    const same = loadConfig({
      specialists: ["a", "b"].map((id) => ({ id, costPerCall: 0.01, endpoint: { type: "http", url: `https://${id}.example/` }, intents: [{ label: `l.${id}`, examples: [id] }] })),
    });
    const r2 = new Map(same.specialists.map((s) => [s.id, s]));
    const i = intent({ label: "l.a", specialist: "a", confidence: 0.5, topK: [{ label: "l.b", specialist: "b", confidence: 0.5 }, { label: "l.a", specialist: "a", confidence: 0.5 }, { label: "x", specialist: "", confidence: 0.4 }, { label: "y", specialist: "nope", confidence: 0.3 }] });
    expect(decide({ intent: i, registry: r2, minConfidence: 0.3, costMargin: 0.5 })).toMatchObject({ ok: true, decision: { specialist: "a", candidates: ["a", "b"], alternatives: [{ specialist: "b", label: "l.b", confidence: 0.5 }] } });
    const more = intent({ label: "l.a", specialist: "a", confidence: 0.5, topK: [{ label: "l.b", specialist: "b", confidence: 0.6 }] });
    expect(decide({ intent: more, registry: r2, minConfidence: 0.3, costMargin: 0.5 })).toMatchObject({ decision: { specialist: "b", candidates: ["b", "a"] } });
  });
});
