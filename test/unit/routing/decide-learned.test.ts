import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../worker/config/load.ts";
import { mulberry32 } from "../../../worker/intent/hash.ts";
import type { CachedIntent } from "../../../worker/intent/record.ts";
import { decide, type LearnedChoice } from "../../../worker/routing/decide.ts";
import { DEFAULT_SELECTION, type ArmStats } from "../../../worker/routing/selection.ts";

/** Two equivalent translators (one a fallback of the other) and a third for another intent. */
const config = loadConfig({
  specialists: [
    { id: "fast", endpoint: { type: "http", url: "https://fast.example/" }, costPerCall: 0.001, fallbacks: ["steady"], intents: [{ label: "tr.x", examples: ["translate"] }] },
    { id: "steady", endpoint: { type: "http", url: "https://steady.example/" }, costPerCall: 0.002, intents: [{ label: "tr.y", examples: ["translate please"] }] },
    { id: "math", endpoint: { type: "http", url: "https://math.example/" }, intents: [{ label: "math.x", examples: ["2+2"] }] },
  ],
});
const registry = new Map(config.specialists.map((s) => [s.id, s]));

const intent = (over: Partial<CachedIntent> = {}): CachedIntent => ({
  id: `in_${"b".repeat(32)}`,
  label: "tr.x",
  specialist: "fast",
  confidence: 0.8,
  inScope: true,
  topK: [
    { label: "tr.x", specialist: "fast", confidence: 0.8 },
    { label: "math.x", specialist: "math", confidence: 0.1 },
  ],
  encoder: "e",
  model: "m",
  createdAt: "2026-01-01T00:00:00Z",
  input: "translate this",
  ...over,
});

const stats = (successes: number, failures: number): ArmStats => ({ successes, failures, at: 0 });
const learned = (m: Record<string, ArmStats>, seed = 1): LearnedChoice => ({ stats: new Map(Object.entries(m)), now: 0, rng: mulberry32(seed), settings: DEFAULT_SELECTION });

describe("decide with router.selection 'learned'", () => {
  it("a failing intended specialist loses the hop to its equivalent fallback, with the numbers in the reason", () => {
    const r = decide({ intent: intent(), registry, minConfidence: 0.35, learned: learned({ fast: stats(10, 90), steady: stats(95, 5) }) });
    if (!r.ok) throw new Error("refused");
    expect(r.decision.specialist).toBe("steady");
    expect(r.decision.candidates).toEqual(["steady", "fast"]);
    expect(r.decision.reason).toMatch(/^intent 'tr.x' at 0.80 ≥ 0.35; learned choice \(Thompson sampling\): 'fast' success 0.108 over 100 outcomes, drew [0-9.]+; 'steady' success 0.941 over 100 outcomes, drew [0-9.]+; 'steady' drew highest$/);
  });

  it("a good intended specialist keeps the hop, and over many seeds both are still tried while the evidence is thin", () => {
    const strong = decide({ intent: intent(), registry, minConfidence: 0.35, learned: learned({ fast: stats(95, 5), steady: stats(10, 90) }) });
    expect(strong.ok && strong.decision.specialist).toBe("fast");
    const picks = new Set<string>();
    for (let seed = 1; seed <= 40; seed++) {
      const r = decide({ intent: intent(), registry, minConfidence: 0.35, learned: learned({}, seed) });
      if (r.ok) picks.add(r.decision.specialist);
    }
    expect([...picks].sort()).toEqual(["fast", "steady"]);
  });

  it("with one candidate, static: the learned choice changes nothing", () => {
    const solo = intent({ label: "math.x", specialist: "math", topK: [{ label: "math.x", specialist: "math", confidence: 0.9 }] });
    const r = decide({ intent: solo, registry, minConfidence: 0.35, learned: learned({ math: stats(0, 50) }) });
    expect(r).toMatchObject({ ok: true, decision: { specialist: "math", reason: "intent 'math.x' at 0.80 ≥ 0.35", candidates: ["math"] } });
  });

  it("a fallback that cannot honour the request is not a candidate", () => {
    const r = decide({
      intent: intent(),
      registry,
      minConfidence: 0.35,
      unable: (s) => (s.id === "steady" ? { param: "tools", detail: "no tools" } : undefined),
      learned: learned({ fast: stats(0, 100), steady: stats(100, 0) }),
    });
    expect(r).toMatchObject({ ok: true, decision: { specialist: "fast", candidates: ["fast"] } });
  });

  it("out of scope and pinned hops are never chosen by outcomes", () => {
    const oos = decide({ intent: intent({ inScope: false, specialist: "math", confidence: 0.1 }), registry, minConfidence: 0.35, learned: learned({ math: stats(0, 100), fast: stats(100, 0) }) });
    expect(oos.ok && oos.decision.specialist).toBe("math");
    const pinned = decide({ pinned: "fast", intent: intent(), registry, minConfidence: 0.35, learned: learned({ fast: stats(0, 100), steady: stats(100, 0) }) });
    expect(pinned.ok && pinned.decision.specialist).toBe("fast");
  });

  it("the router's fallback is never a learned candidate (its 'no match' answers would count as successes), unless it is the intended one", () => {
    const withGeneral = loadConfig({
      router: { fallback: "general", costMargin: 0.5 },
      specialists: [
        { id: "fast", endpoint: { type: "http", url: "https://fast.example/" }, fallbacks: ["general", "steady"], intents: [{ label: "tr.x", examples: ["translate"] }] },
        { id: "steady", endpoint: { type: "http", url: "https://steady.example/" }, intents: [{ label: "tr.y", examples: ["translate please"] }] },
        { id: "general", endpoint: { type: "http", url: "https://general.example/" }, intents: [{ label: "general.chat", examples: ["hello"] }] },
      ],
    });
    const reg = new Map(withGeneral.specialists.map((s) => [s.id, s]));
    const topK = [
      { label: "tr.x", specialist: "fast", confidence: 0.6 },
      { label: "general.chat", specialist: "general", confidence: 0.4 },
    ];
    const r = decide({ intent: intent({ topK, confidence: 0.6 }), registry: reg, minConfidence: 0.35, costMargin: 0.5, fallback: "general", learned: learned({ fast: stats(0, 100), general: stats(100, 0), steady: stats(50, 50) }) });
    expect(r).toMatchObject({ ok: true, decision: { specialist: "steady", candidates: ["steady", "fast"] } });
    // the fallback as the intended specialist still competes with its own fallbacks
    const asIntended = decide({
      intent: intent({ label: "general.chat", specialist: "general", confidence: 0.9, topK: [{ label: "general.chat", specialist: "general", confidence: 0.9 }] }),
      registry: new Map([...reg, ["general", { ...reg.get("general")!, fallbacks: ["steady"] }]]),
      minConfidence: 0.35,
      fallback: "general",
      learned: learned({ general: stats(100, 0), steady: stats(0, 100) }),
    });
    expect(asIntended).toMatchObject({ ok: true, decision: { specialist: "general", candidates: ["general", "steady"] } });
  });

  it("without it, the static choice: the cheapest capable", () => {
    const r = decide({ intent: intent(), registry, minConfidence: 0.35 });
    expect(r).toMatchObject({ ok: true, decision: { specialist: "fast", candidates: ["fast"] } });
  });
});
