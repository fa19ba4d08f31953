import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../worker/config/load.ts";
import type { CachedIntent } from "../../../worker/intent/record.ts";
import { capabilitiesOf, defaultCapabilities, unmet, unmetDetail } from "../../../worker/routing/capabilities.ts";
import { decide, type Unable } from "../../../worker/routing/decide.ts";
import type { Specialist } from "../../../worker/config/schema.ts";

const llm = (id: string, extra: Record<string, unknown> = {}) => ({ id, endpoint: { type: "openai-chat", url: `https://${id}.example/v1`, model: id }, ...extra });
const config = loadConfig({
  router: { fallback: "general" },
  specialists: [
    { id: "units", endpoint: { type: "http", url: "https://units.example/" }, intents: [{ label: "units.convert", examples: ["convert"] }] },
    { id: "general", endpoint: { type: "http", url: "https://general.example/" }, intents: [{ label: "general.chat", examples: ["hi"] }] },
    llm("cheap-llm", { costPerCall: 0.001 }),
    llm("vision-llm", { costPerCall: 0.01, capabilities: { vision: true, maxContextTokens: 1000 } }),
  ],
});
const registry = new Map(config.specialists.map((s) => [s.id, s]));
const get = (id: string) => registry.get(id)!;

/** "Cannot honour" in the terms decide() uses, for one list of needs. */
const unableFor =
  (needs: Parameters<typeof unmet>[1]) =>
  (s: Specialist): Unable | undefined => {
    const r = unmet(capabilitiesOf(s), needs);
    return r ? { param: r.param, detail: unmetDetail(s.id, r, capabilitiesOf(s).maxContextTokens) } : undefined;
  };

const intent = (over: Partial<CachedIntent> = {}): CachedIntent => ({
  id: `in_${"a".repeat(32)}`,
  label: "units.convert",
  specialist: "units",
  confidence: 0.9,
  inScope: true,
  topK: [
    { label: "units.convert", specialist: "units", confidence: 0.9 },
    { label: "general.chat", specialist: "general", confidence: 0.05 },
  ],
  encoder: "e",
  model: "m",
  createdAt: "2026-01-01T00:00:00Z",
  input: "convert 5 km",
  ...over,
});

describe("capabilities", () => {
  it("defaults: chat models the common set (no vision, audio or files), everything else text only", () => {
    expect(defaultCapabilities("openai-chat")).toMatchObject({ tools: true, jsonSchema: true, streaming: true, multipleChoices: true, logprobs: true, passThrough: true, vision: false, audio: false, files: false });
    for (const t of ["service", "http"] as const)
      expect(Object.entries(defaultCapabilities(t)).filter(([, v]) => v === true)).toEqual([]);
    // an A2A agent streams its text when its card says so (decided at call time)
    expect(Object.entries(defaultCapabilities("a2a")).filter(([, v]) => v === true)).toEqual([["streaming", true]]);
    expect(capabilitiesOf(get("vision-llm"))).toMatchObject({ vision: true, tools: true, maxContextTokens: 1000 });
  });

  it("finds the first unmet need; streaming is never unmet; context only against a declared maximum", () => {
    const caps = capabilitiesOf(get("units"));
    expect(unmet(caps, [{ capability: "streaming", param: "stream" }])).toBeUndefined();
    expect(unmet(caps, [{ capability: "context", param: "messages", tokens: 1e9 }])).toBeUndefined();
    expect(unmet(caps, [{ capability: "streaming", param: "stream" }, { capability: "tools", param: "tools" }, { capability: "vision", param: "messages.0.content.1" }])).toEqual({ capability: "tools", param: "tools" });
    const vision = capabilitiesOf(get("vision-llm"));
    expect(unmet(vision, [{ capability: "context", param: "messages", tokens: 1001 }])).toMatchObject({ capability: "context" });
    expect(unmet(vision, [{ capability: "context", param: "messages", tokens: 1000 }])).toBeUndefined();
    expect(unmetDetail("units", { capability: "tools", param: "tools" })).toBe("'units' cannot honour 'tools' (it does not declare capabilities.tools)");
    expect(unmetDetail("v", { capability: "context", param: "messages", tokens: 2000 }, 1000)).toMatch(/at most 1000 tokens.*about 2000/);
  });
});

describe("decide with capabilities", () => {
  it("filters the intent's candidates before the confidence/cost choice: the cheapest able chat model takes tools", () => {
    const r = decide({ intent: intent(), registry, minConfidence: 0.35, unable: unableFor([{ capability: "tools", param: "tools" }]), fallback: "general" });
    expect(r).toMatchObject({ ok: true, decision: { specialist: "cheap-llm", candidates: ["cheap-llm", "vision-llm"], reason: "intent 'units.convert' at 0.90 → 'units', which cannot honour 'tools'; 'cheap-llm' can" } });
  });

  it("an image needs vision: only the declared vision model is left", () => {
    const r = decide({ intent: intent(), registry, minConfidence: 0.35, unable: unableFor([{ capability: "vision", param: "messages.0.content.1" }]) });
    expect(r).toMatchObject({ ok: true, decision: { specialist: "vision-llm", candidates: ["vision-llm"] } });
  });

  it("refuses with 'unsupported' naming the field when nobody is able", () => {
    const r = decide({ intent: intent(), registry, minConfidence: 0.35, unable: unableFor([{ capability: "audio", param: "messages.1.content.0" }]) });
    expect(r).toEqual({ ok: false, reason: "unsupported", param: "messages.1.content.0", detail: expect.stringMatching(/^no specialist can honour 'messages.1.content.0': 'units' cannot honour/) });
    const tooLong = decide({ intent: intent(), registry, minConfidence: 0.35, unable: unableFor([{ capability: "vision", param: "messages.0.content.0" }, { capability: "context", param: "messages", tokens: 5000 }]) });
    expect(tooLong).toMatchObject({ ok: false, reason: "unsupported", param: "messages.0.content.0" });
  });

  it("a pinned specialist that cannot honour a field is refused, never degraded", () => {
    expect(decide({ pinned: "units", registry, minConfidence: 0.35, unable: unableFor([{ capability: "jsonSchema", param: "response_format" }]) })).toMatchObject({ ok: false, reason: "unsupported", param: "response_format" });
    expect(decide({ pinned: "cheap-llm", registry, minConfidence: 0.35, unable: unableFor([{ capability: "jsonSchema", param: "response_format" }]) })).toMatchObject({ ok: true, decision: { specialist: "cheap-llm" } });
  });

  it("without text to classify, routes by capability alone: the able fallback, else the cheapest able", () => {
    const r = decide({ registry, minConfidence: 0.35, unable: unableFor([{ capability: "vision", param: "messages.0.content.0" }]), fallback: "general" });
    expect(r).toMatchObject({ ok: true, decision: { specialist: "vision-llm", reason: "no text to classify: routed by capability to 'vision-llm'" } });
    const any = decide({ registry, minConfidence: 0.35, unable: unableFor([{ capability: "passThrough", param: "messages" }]), fallback: "general" });
    expect(any).toMatchObject({ ok: true, decision: { specialist: "cheap-llm", candidates: ["cheap-llm", "vision-llm"] } });
    expect(decide({ registry, minConfidence: 0.35, unable: unableFor([{ capability: "audio", param: "audio" }]), fallback: "general" })).toMatchObject({ ok: false, reason: "unsupported", param: "audio" });
  });

  it("an out-of-scope input goes to the fallback when it is able, else to an able specialist", () => {
    const oos = intent({ inScope: false, specialist: "general", label: "units.convert", confidence: 0.2 });
    expect(decide({ intent: oos, registry, minConfidence: 0.35, unable: unableFor([]) })).toMatchObject({ ok: true, decision: { specialist: "general" } });
    expect(decide({ intent: oos, registry, minConfidence: 0.35, unable: unableFor([{ capability: "tools", param: "tools" }]), fallback: "general" })).toMatchObject({ ok: true, decision: { specialist: "cheap-llm" } });
  });
});
