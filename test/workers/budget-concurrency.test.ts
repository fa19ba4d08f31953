import { afterEach, beforeEach, describe, expect, inject, it } from "vitest";
import { callCeilingUsd } from "../../worker/pools/reservation.ts";
import { loadConfig } from "../../worker/config/load.ts";
import { fakeClock } from "./clock.ts";
import { callWith, configWith } from "./helpers.ts";

/**
 * Budgets hold under concurrency (issue 11): admission reserves each call's ceiling
 * (from its reply bound and prices, or the specialist's maxCallCostUsd) and settles
 * the real cost after, so in-flight calls count against the budget.
 */
const BUDGET = 0.5; // a call reserves ~$0.14 here (its whole body and system prompt at $1,000 per million tokens, plus 20 output tokens)
/** An rpm limit no test reaches: its window counts every call the pool admits (its decisions, whatever the upstream then answers). */
const COUNTED = 1_000_000;
const CONFIG = configWith((c) => {
  const chat = c.specialists.find((s) => s.id === "chat")!;
  const ep = chat.endpoint as { type: "openai-chat"; url: string; model: string };
  c.specialists.push({ ...chat, id: "chat-budget", endpoint: { ...ep, model: "fake-budget", pricing: { inputPerMTok: 1_000, outputPerMTok: 1_000 } }, limits: { dailyBudgetUsd: BUDGET, rpm: COUNTED }, breaker: false, timeoutMs: 60_000 });
  c.specialists.push({ id: "svc-budget", endpoint: { type: "http", url: `${inject("faultsUrl")}/ok` }, costPerCall: 0.001, limits: { dailyBudgetUsd: 0.05, maxCallCostUsd: 0.01, rpm: COUNTED }, breaker: false, timeoutMs: 60_000 });
});
type Pool = { totals: { requestsUsed: number; spentUsd: number } };
const pool = async (id: string) => (await (await callWith({ SWITCHYARD_CONFIG: CONFIG }, `/v1/pools/specialist:${id}`)).json()) as Pool;

// budgets are per UTC day: on a fake clock at noon, a run never crosses midnight
let clock: ReturnType<typeof fakeClock>;
beforeEach(() => void (clock = fakeClock()));
afterEach(() => clock.restore());
const fakeRequests = async () => ((await (await fetch(`${inject("openaiUrl")}/requests`)).json()) as { requests: { body: { model: string } }[] }).requests.filter((r) => r.body.model === "fake-budget").length;

describe("daily budgets under concurrency", () => {
  it("300 concurrent priced calls spend at most the budget (plus one call's ceiling); the upstream gets no call the pool did not admit (counted by the pool's decisions)", { timeout: 60_000 }, async () => {
    const body = { model: "chat-budget", max_tokens: 20, messages: [{ role: "user", content: "hi there" }] };
    const ceiling = callCeilingUsd(loadConfig(JSON.parse(CONFIG)).specialists.find((s) => s.id === "chat-budget")!, body);
    const before = await fakeRequests();
    const results = await Promise.all(Array.from({ length: 300 }, () => callWith({ SWITCHYARD_CONFIG: CONFIG }, "/v1/chat/completions", { json: body })));
    const limited = results.filter((r) => r.status === 429);
    const { totals } = await pool("chat-budget");
    expect(totals.requestsUsed).toBeGreaterThanOrEqual(1); // the pool admitted some, whatever the upstream answered them
    expect(totals.requestsUsed + limited.length).toBe(300); // and refused every other caller with a 429
    expect(limited.every((r) => Number(r.headers.get("retry-after")) > 0)).toBe(true);
    const reached = (await fakeRequests()) - before;
    expect(reached).toBeLessThanOrEqual(totals.requestsUsed); // nothing past admission (an admitted call can still fail to connect under load)
    expect(reached).toBeGreaterThanOrEqual(results.filter((r) => r.status === 200).length); // every answer came from the upstream
    expect(totals.spentUsd).toBeGreaterThan(0);
    expect(totals.spentUsd).toBeLessThanOrEqual(BUDGET + ceiling + 1e-9);
    await Promise.all(results.map((r) => r.body?.cancel()));
  });

  it("a service's calls reserve its maxCallCostUsd: no more admitted at once than the budget holds (counted by the pool's decisions)", { timeout: 60_000 }, async () => {
    const results = await Promise.all(Array.from({ length: 50 }, () => callWith({ SWITCHYARD_CONFIG: CONFIG }, "/v1/route", { json: { input: "x", specialist: "svc-budget" } })));
    const { totals } = await pool("svc-budget");
    expect(totals.requestsUsed + results.filter((r) => r.status === 429).length).toBe(50);
    expect(totals.requestsUsed).toBeGreaterThanOrEqual(5); // five ceilings fit the budget at once
    expect(totals.requestsUsed).toBeLessThan(50); // reserving only costPerCall (0.001) would have admitted all 50
    expect(totals.spentUsd).toBeCloseTo(totals.requestsUsed * 0.001, 6); // each settled to its real cost
    expect(totals.spentUsd).toBeLessThanOrEqual(0.05);
    await Promise.all(results.map((r) => r.body?.cancel()));
  });
});
