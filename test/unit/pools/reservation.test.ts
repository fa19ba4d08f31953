import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../worker/config/load.ts";
import { Pool } from "../../../worker/pools/pool.ts";
import { callCeilingUsd } from "../../../worker/pools/reservation.ts";

const T0 = Date.UTC(2026, 4, 10, 12);
const config = loadConfig({
  specialists: [
    { id: "gpt", endpoint: { type: "openai-chat", url: "https://x.example/v1", model: "m", pricing: { inputPerMTok: 1_000, outputPerMTok: 2_000 } }, costPerCall: 0.001, intents: [{ label: "a", examples: ["a"] }] },
    { id: "capped", endpoint: { type: "openai-chat", url: "https://x.example/v1", model: "m", pricing: { inputPerMTok: 1_000, outputPerMTok: 2_000 } }, limits: { maxCallCostUsd: 0.05 } },
    { id: "svc", endpoint: { type: "http", url: "https://svc.example/" }, costPerCall: 0.002 },
    { id: "svc-capped", endpoint: { type: "http", url: "https://svc.example/" }, costPerCall: 0.002, limits: { maxCallCostUsd: 0.01 } },
  ],
});
const get = (id: string) => config.specialists.find((s) => s.id === id)!;

describe("what one call reserves against a budget", () => {
  it("a priced chat call that bounds its reply: costPerCall + the whole body's bytes as input tokens + the reply bound (× n) as output tokens", () => {
    const chat = { messages: [{ role: "user", content: "héllo" }], max_tokens: 10, tools: [{ type: "function", function: { name: "f", description: "d".repeat(60_000) } }] };
    const bytes = new TextEncoder().encode(JSON.stringify(chat)).length; // the whole body: a 60 KB tool description is billed too
    expect(bytes).toBeGreaterThan(60_000);
    expect(callCeilingUsd(get("gpt"), chat)).toBeCloseTo(0.001 + (bytes * 1_000 + 10 * 2_000) / 1e6, 12);
    const other = { ...chat, max_tokens: undefined, max_completion_tokens: 10, n: 3 };
    const otherBytes = new TextEncoder().encode(JSON.stringify(other)).length;
    expect(callCeilingUsd(get("gpt"), other)).toBeCloseTo(0.001 + (otherBytes * 1_000 + 30 * 2_000) / 1e6, 12);
  });

  it("the operator's ceiling caps a bound and stands in for a missing one; else costPerCall", () => {
    expect(callCeilingUsd(get("capped"), { messages: [], max_tokens: 1_000_000 })).toBe(0.05);
    expect(callCeilingUsd(get("capped"), { messages: [] })).toBe(0.05);
    expect(callCeilingUsd(get("gpt"), { messages: [] })).toBe(0.001);
    expect(callCeilingUsd(get("svc"))).toBe(0.002);
    expect(callCeilingUsd(get("svc-capped"))).toBe(0.01);
  });
});

describe("budgets under concurrency (property)", () => {
  it("any interleaving of admissions (reserving each call's ceiling) and settlements (a real cost up to the ceiling) never spends more than the budget", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        fc.array(fc.record({ ceiling: fc.double({ min: 0, max: 0.2, noNaN: true }), share: fc.double({ min: 0, max: 1, noNaN: true }), settleAfter: fc.nat(20) }), { minLength: 1, maxLength: 300 }),
        (budget, calls) => {
          const pool = new Pool({ dailyBudgetUsd: budget });
          const inFlight: { id: string; actual: number; at: number }[] = [];
          let step = 0;
          let spent = 0;
          const settle = (c: { id: string; actual: number }) => {
            pool.finish(T0, c.id, { ok: true, costUsd: c.actual });
            spent += c.actual;
          };
          calls.forEach((c, i) => {
            step++;
            for (const due of inFlight.filter((f) => f.at <= step)) settle(due);
            inFlight.splice(0, inFlight.length, ...inFlight.filter((f) => f.at > step));
            if (pool.admit(T0, { leaseId: `c${i}`, costUsd: c.ceiling }).ok) inFlight.push({ id: `c${i}`, actual: c.ceiling * c.share, at: step + c.settleAfter });
            expect(pool.view(T0).budget!.spentUsd).toBeLessThanOrEqual(budget + 1e-6);
          });
          inFlight.forEach(settle);
          expect(spent).toBeLessThanOrEqual(budget + 1e-6);
          expect(pool.view(T0).budget!.spentUsd).toBeCloseTo(spent, 5);
        },
      ),
      { numRuns: 300, seed: 42 },
    );
  });
});

describe("what one call reserves: edges", () => {
  const bytesOf = (x: unknown) => new TextEncoder().encode(JSON.stringify(x)).length;

  it("a specialist without pricing reserves costPerCall even when the request bounds its reply", () => {
    expect(callCeilingUsd(get("svc"), { messages: [], max_tokens: 100 })).toBe(0.002);
    expect(callCeilingUsd(get("svc-capped"), { messages: [], max_tokens: 100 })).toBe(0.01);
  });

  it("counts the system prompt's bytes as input too, and nothing for a missing one", () => {
    const [withPrompt] = loadConfig({
      specialists: [
        { id: "sys", endpoint: { type: "openai-chat", url: "https://x.example/v1", model: "m", systemPrompt: "Be brief, précis.", pricing: { inputPerMTok: 1_000, outputPerMTok: 0 } }, intents: [{ label: "a", examples: ["a"] }] },
      ],
    }).specialists;
    const chat = { messages: [], max_tokens: 1 };
    expect(callCeilingUsd(withPrompt!, chat)).toBeCloseTo(((bytesOf(chat) + new TextEncoder().encode("Be brief, précis.").length) * 1_000) / 1e6, 12);
    expect(callCeilingUsd(get("gpt"), chat)).toBeCloseTo(0.001 + (bytesOf(chat) * 1_000 + 2_000) / 1e6, 12);
  });

  it("a reply bound must be a number; n counts only when it is a number above 1", () => {
    expect(callCeilingUsd(get("gpt"), { messages: [], max_tokens: "100" })).toBe(0.001);
    for (const n of [0, -2, "3"]) {
      const chat = { messages: [], max_tokens: 10, n };
      expect(callCeilingUsd(get("gpt"), chat), `n = ${JSON.stringify(n)}`).toBeCloseTo(0.001 + (bytesOf(chat) * 1_000 + 10 * 2_000) / 1e6, 12);
    }
  });
});

describe("what one call reserves: provider endpoints", () => {
  const bytesOf = (x: unknown) => new TextEncoder().encode(JSON.stringify(x)).length;
  const one = (endpoint: Record<string, unknown>) =>
    loadConfig({ specialists: [{ id: "m", endpoint, costPerCall: 0.001, intents: [{ label: "a", examples: ["a"] }] }] }).specialists[0]!;

  it("an anthropic endpoint bounds every reply: a request without max_tokens reserves the endpoint's maxTokens", () => {
    const claude = one({ type: "anthropic", model: "claude-x", maxTokens: 50, pricing: { inputPerMTok: 1_000, outputPerMTok: 2_000 } });
    const chat = { messages: [{ role: "user", content: "hi" }] };
    expect(callCeilingUsd(claude, chat)).toBeCloseTo(0.001 + (bytesOf(chat) * 1_000 + 50 * 2_000) / 1e6, 12);
    const own = { ...chat, max_tokens: 7 };
    expect(callCeilingUsd(claude, own)).toBeCloseTo(0.001 + (bytesOf(own) * 1_000 + 7 * 2_000) / 1e6, 12);
  });

  it("a workers-ai endpoint without maxTokens leaves an unbounded request to costPerCall", () => {
    const llama = one({ type: "workers-ai", model: "@cf/meta/llama-3.1-8b-instruct", pricing: { inputPerMTok: 1_000, outputPerMTok: 2_000 } });
    expect(callCeilingUsd(llama, { messages: [] })).toBe(0.001);
    const bounded = one({ type: "workers-ai", model: "@cf/meta/llama-3.1-8b-instruct", maxTokens: 5, pricing: { inputPerMTok: 1_000, outputPerMTok: 2_000 } });
    expect(callCeilingUsd(bounded, { messages: [] })).toBeCloseTo(0.001 + (bytesOf({ messages: [] }) * 1_000 + 5 * 2_000) / 1e6, 12);
  });

  it("input is bounded at the dearest input price (a cache write can cost more than fresh input)", () => {
    const chat = { messages: [], max_tokens: 1 };
    for (const [pricing, price] of [
      [{ inputPerMTok: 1_000, outputPerMTok: 0, cacheWriteInputPerMTok: 1_250, cachedInputPerMTok: 100 }, 1_250],
      [{ inputPerMTok: 1_000, outputPerMTok: 0, cachedInputPerMTok: 3_000 }, 3_000],
      [{ inputPerMTok: 1_000, outputPerMTok: 0, cachedInputPerMTok: 100 }, 1_000],
    ] as const) {
      const s = one({ type: "gemini", model: "gemini-x", pricing });
      expect(callCeilingUsd(s, chat), JSON.stringify(pricing)).toBeCloseTo(0.001 + (bytesOf(chat) * price) / 1e6, 12);
    }
  });
});
