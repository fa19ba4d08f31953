import { describe, expect, inject, it } from "vitest";
import { callCeilingUsd } from "../../worker/pools/reservation.ts";
import { loadConfig } from "../../worker/config/load.ts";
import { callWith, configWith } from "./helpers.ts";

/**
 * Budgets hold under concurrency (issue 11): admission reserves each call's ceiling
 * (from its reply bound and prices, or the specialist's maxCallCostUsd) and settles
 * the real cost after, so in-flight calls count against the budget.
 */
const BUDGET = 0.5; // a call reserves ~$0.14 here (its whole body and system prompt at $1,000 per million tokens, plus 20 output tokens)
const CONFIG = configWith((c) => {
  const chat = c.specialists.find((s) => s.id === "chat")!;
  const ep = chat.endpoint as { type: "openai-chat"; url: string; model: string };
  c.specialists.push({ ...chat, id: "chat-budget", endpoint: { ...ep, model: "fake-budget", pricing: { inputPerMTok: 1_000, outputPerMTok: 1_000 } }, limits: { dailyBudgetUsd: BUDGET }, breaker: false });
  c.specialists.push({ id: "svc-budget", endpoint: { type: "http", url: `${inject("faultsUrl")}/ok` }, costPerCall: 0.001, limits: { dailyBudgetUsd: 0.05, maxCallCostUsd: 0.01 }, breaker: false });
});
const fakeRequests = async () => ((await (await fetch(`${inject("openaiUrl")}/requests`)).json()) as { requests: { body: { model: string } }[] }).requests.filter((r) => r.body.model === "fake-budget").length;

describe("daily budgets under concurrency", () => {
  it("300 concurrent priced calls spend at most the budget (plus one call's ceiling); every admitted call was made once", { timeout: 30_000 }, async () => {
    const body = { model: "chat-budget", max_tokens: 20, messages: [{ role: "user", content: "hi there" }] };
    const ceiling = callCeilingUsd(loadConfig(JSON.parse(CONFIG)).specialists.find((s) => s.id === "chat-budget")!, body);
    const before = await fakeRequests();
    const results = await Promise.all(Array.from({ length: 300 }, () => callWith({ SWITCHYARD_CONFIG: CONFIG }, "/v1/chat/completions", { json: body })));
    const ok = results.filter((r) => r.status === 200).length;
    const limited = results.filter((r) => r.status === 429);
    expect(ok + limited.length).toBe(300);
    expect(ok).toBeGreaterThanOrEqual(1);
    expect(limited.every((r) => Number(r.headers.get("retry-after")) > 0)).toBe(true);
    expect((await fakeRequests()) - before).toBe(ok);
    const pool = (await (await callWith({ SWITCHYARD_CONFIG: CONFIG }, "/v1/pools/specialist:chat-budget")).json()) as { totals: { spentUsd: number } };
    expect(pool.totals.spentUsd).toBeGreaterThan(0);
    expect(pool.totals.spentUsd).toBeLessThanOrEqual(BUDGET + ceiling + 1e-9);
    await Promise.all(results.map((r) => r.body?.cancel()));
  });

  it("a service's calls reserve its maxCallCostUsd: no more admitted at once than the budget holds", { timeout: 30_000 }, async () => {
    const results = await Promise.all(Array.from({ length: 50 }, () => callWith({ SWITCHYARD_CONFIG: CONFIG }, "/v1/route", { json: { input: "x", specialist: "svc-budget" } })));
    const ok = results.filter((r) => r.status === 200).length;
    expect(ok).toBeGreaterThanOrEqual(5); // five ceilings fit the budget at once
    expect(ok).toBeLessThan(50); // reserving only costPerCall (0.001) would have admitted all 50
    const pool = (await (await callWith({ SWITCHYARD_CONFIG: CONFIG }, "/v1/pools/specialist:svc-budget")).json()) as { totals: { spentUsd: number } };
    expect(pool.totals.spentUsd).toBeCloseTo(ok * 0.001, 6); // settled to the real cost
    expect(pool.totals.spentUsd).toBeLessThanOrEqual(0.05);
    await Promise.all(results.map((r) => r.body?.cancel()));
  });
});
