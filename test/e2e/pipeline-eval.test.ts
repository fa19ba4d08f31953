import { beforeAll, describe, expect, it } from "vitest";
import { plainPredicted } from "../../scripts/lib/pipeline-model.ts";
import { COSTS } from "../../scripts/lib/pipeline-plans.ts";
import { runPipeline } from "../../scripts/lib/pipeline-run.ts";
import type { Row, TaskResult } from "../../scripts/lib/pipeline-report.ts";

/**
 * The pipeline simulation (`npm run eval -- --pipeline`, scripts/lib/pipeline-run.ts)
 * through `wrangler dev`, 4 tasks per strategy and error model. Its draws are
 * deterministic, so what plain does is known exactly; the rest is structure (calls
 * made, gates decided, hedges fired), never timing.
 */
const TASKS = 4;
const SEED = 1;
let results: TaskResult[];
let rows: Row[];

beforeAll(async () => {
  ({ results, rows } = await runPipeline({ tasks: TASKS, seed: SEED, concurrency: 4, taskTimeoutMs: 30_000 }));
}, 90_000);

const of = (model: string, strategy: string) => results.filter((r) => r.model === model && r.strategy === strategy);

describe("npm run eval -- --pipeline, through the real task engine", () => {
  it("ran every strategy's tasks to an end (none timed out, none lost)", () => {
    expect(results).toHaveLength(2 * 8 * TASKS);
    expect(results.filter((r) => r.status === "timeout" || r.status === "error")).toEqual([]);
    expect(rows).toHaveLength(16);
  });

  it("plain: 5 calls per task, each costing the worker's price; right exactly when the seeded oracle says so", () => {
    for (const model of ["independent", "correlated"] as const) {
      const plain = of(model, "plain");
      expect(plain.map((r) => r.status)).toEqual(Array(TASKS).fill("succeeded"));
      expect(plain.map((r) => r.hops)).toEqual(Array(TASKS).fill(5));
      for (const r of plain) expect(r.costUsd).toBeCloseTo(5 * COSTS.worker, 9);
      expect(plain.map((r) => r.correct)).toEqual(plain.map((r) => plainPredicted(SEED, model, r.task, "w1")));
      expect(plain.every((r) => r.humanDecisions === 0)).toBe(true);
    }
  });

  it("vote and judge call 3 workers per step (and the judge once more); a vote with onDisagreement best never asks a human", () => {
    for (const model of ["independent", "correlated"] as const) {
      expect(of(model, "vote").map((r) => r.hops)).toEqual(Array(TASKS).fill(15));
      expect(of(model, "vote").every((r) => r.status === "succeeded" && r.humanDecisions === 0)).toBe(true);
      expect(of(model, "judge").map((r) => r.hops)).toEqual(Array(TASKS).fill(20));
    }
  });

  it("vote + approval stops on a disagreement the human cannot settle, and never stops without a human decision", () => {
    for (const r of results.filter((x) => x.strategy.startsWith("vote-approval") || x.strategy === "verifier")) {
      if (r.status === "rejected") expect(r.humanDecisions).toBeGreaterThan(0);
      expect(r.status === "succeeded" || r.status === "rejected").toBe(true);
    }
    const all = results.filter((r) => r.strategy === "vote-approval-all");
    expect(all.reduce((a, r) => a + r.humanDecisions, 0)).toBeGreaterThan(0);
  });

  it("the verifier checks every step's answer: at least 2 calls per step that ran", () => {
    for (const r of results.filter((x) => x.strategy === "verifier" && x.status === "succeeded")) expect(r.hops).toBeGreaterThanOrEqual(10);
  });

  it("hedging hedged the slow-tail worker at least once, and only hedged steps make a 6th call", () => {
    const hedge = results.filter((r) => r.strategy === "hedge");
    expect(hedge.reduce((a, r) => a + r.hedged, 0)).toBeGreaterThan(0);
    for (const r of hedge) expect(r.hops).toBe(5 + r.hedged);
    for (const r of results.filter((x) => x.strategy === "plain-slow")) expect(r.hops).toBe(5);
  });
});
