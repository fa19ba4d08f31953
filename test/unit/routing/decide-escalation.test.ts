import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../worker/config/load.ts";
import { escalatedRecord, type EscalationAnswer } from "../../../worker/intent/escalation.ts";
import type { CachedIntent } from "../../../worker/intent/record.ts";
import { decide } from "../../../worker/routing/decide.ts";

const config = loadConfig({
  router: { fallback: "general" },
  specialists: ["math", "units", "general"].map((id, i) => ({
    id,
    endpoint: { type: "http", url: `https://${id}.example/` },
    intents: [{ label: `${id}.x`, examples: [id] }],
    costPerCall: 3 - i, // general is the cheapest: a margin would put it first
  })),
});
const registry = new Map(config.specialists.map((s) => [s.id, s]));

/** The classifier's unsure answer: general.x at 0.3, out of scope under 0.35. */
const unsure = (over: Partial<CachedIntent> = {}): CachedIntent => ({
  id: `in_${"a".repeat(32)}`,
  label: "general.x",
  specialist: "general",
  confidence: 0.3,
  inScope: false,
  topK: [
    { label: "general.x", specialist: "general", confidence: 0.3 },
    { label: "math.x", specialist: "math", confidence: 0.29 },
    { label: "units.x", specialist: "units", confidence: 0.2 },
  ],
  encoder: "e",
  model: "m",
  createdAt: "2026-01-01T00:00:00Z",
  input: "how much is a dozen",
  ...over,
});
const escalated = (a: Partial<EscalationAnswer>, over: Partial<CachedIntent> = {}) =>
  escalatedRecord(unsure(over), { by: "llm", outcome: "picked", ms: 1, costUsd: 0, ...a }, 0.5, unsure().topK, "general");

describe("decide on an escalated intent", () => {
  it("routes to the pick alone, with a reason that names the escalation", () => {
    const r = decide({ intent: escalated({ pick: { label: "units.x", specialist: "units" } }), registry, minConfidence: 0.35, costMargin: 1 });
    expect(r).toMatchObject({
      ok: true,
      decision: { specialist: "units", candidates: ["units"], reason: "intent 'general.x' at 0.30 < 0.5: escalated to 'llm', picked 'units.x' ('units')" },
    });
    if (r.ok) expect(r.decision.alternatives.map((a) => a.specialist)).toEqual(["general", "math"]);
  });

  it("sends a none to the fallback, saying so", () => {
    const r = decide({ intent: escalated({ outcome: "none", pick: { label: null } }, { inScope: true, specialist: "math", label: "math.x" }), registry, minConfidence: 0.1 });
    expect(r).toMatchObject({ ok: true, decision: { specialist: "general", candidates: ["general"], reason: "intent 'math.x' at 0.30 < 0.5: escalated to 'llm', none fits: out of scope, fallback 'general'" } });
  });

  it("adds a note to the classifier's reason when its answer was kept", () => {
    const out = decide({ intent: escalated({ outcome: "timeout", detail: "late" }), registry, minConfidence: 0.35 });
    expect(out).toMatchObject({
      ok: true,
      decision: { specialist: "general", reason: "intent 'general.x' at 0.30 < 0.35: out of scope, fallback 'general'; escalated to 'llm': timeout (late), the classifier's answer kept" },
    });
    const kept = decide({ intent: escalated({ outcome: "invalid", detail: "prose" }, { inScope: true, label: "math.x", specialist: "math" }), registry, minConfidence: 0.2 });
    // the classifier's own choice, cheapest within the margin included
    expect(kept).toMatchObject({
      ok: true,
      decision: { specialist: "general", reason: "intent 'math.x' at 0.30 ≥ 0.2; 'general' is the cheapest of 2 capable within 0 ($1/call vs $3); escalated to 'llm': invalid (prose), the classifier's answer kept" },
    });
  });

  it("still refuses a pick that cannot honour the request, falling to an able one", () => {
    const r = decide({
      intent: escalated({ pick: { label: "units.x", specialist: "units" } }),
      registry,
      minConfidence: 0.35,
      unable: (s) => (s.id === "units" ? { param: "tools", detail: "no tools" } : undefined),
    });
    expect(r).toMatchObject({ ok: true, decision: { specialist: "general" } });
  });
});
