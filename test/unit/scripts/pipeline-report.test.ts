import { describe, expect, it } from "vitest";
import { pipelineConfig, pipelinePlan, STRATEGIES, stepShape } from "../../../scripts/lib/pipeline-plans.ts";
import { formatTables, meetsGoal, quantile, summarize, type TaskResult } from "../../../scripts/lib/pipeline-report.ts";
import { parseConfig } from "../../../worker/config/load.ts";
import { Plan } from "../../../worker/tasks/plan.ts";

const result = (o: Partial<TaskResult>): TaskResult => ({ strategy: "plain", model: "independent", task: 0, status: "succeeded", correct: true, costUsd: 0.005, hops: 5, humanDecisions: 0, hedged: 0, wallMs: 100, routerMs: 80, ...o });

describe("the pipeline simulation's plans, config and report (scripts/lib/pipeline-plans.ts, pipeline-report.ts)", () => {
  it("every strategy's plan is a valid 5-step chain, each step templated on the previous step's answer", () => {
    for (const s of STRATEGIES) {
      const plan = Plan.safeParse(pipelinePlan(s, "correlated", 3, 42));
      expect(plan.success, `${s}: ${JSON.stringify(plan.error?.issues)}`).toBe(true);
      expect(plan.data!.steps.map((x) => x.id)).toEqual(["s1", "s2", "s3", "s4", "s5"]);
      expect(plan.data!.steps[0]!.input).toBe("cor/t3/s1: apply the rule to value 42");
      expect(plan.data!.steps[4]!.input).toBe("cor/t3/s5: apply the rule to value {{steps.s4.output.text}}");
    }
    expect(stepShape("hedge")).toEqual({ specialist: "slow1", hedge: { delayMs: 200 } });
  });

  it("the config is valid and names every fake the plans use", () => {
    const parsed = parseConfig(JSON.stringify(pipelineConfig("http://127.0.0.1:9")));
    expect(parsed.ok, JSON.stringify(parsed)).toBe(true);
  });

  it("quantiles by nearest rank", () => {
    expect(quantile([], 0.5)).toBe(0);
    expect(quantile([5, 1, 3, 2, 4], 0.5)).toBe(3);
    expect(quantile(Array.from({ length: 100 }, (_, i) => i + 1), 0.95)).toBe(95);
  });

  it("summarizes shares, human decisions, cost against plain's, and flags the goal", () => {
    const rows = summarize([
      result({}),
      result({ correct: false }),
      result({ strategy: "vote", costUsd: 0.015, hops: 15 }),
      result({ strategy: "vote", status: "rejected", correct: false, costUsd: 0.005, hops: 5, humanDecisions: 1 }),
    ]);
    const plain = rows.find((r) => r.strategy === "plain")!;
    const vote = rows.find((r) => r.strategy === "vote")!;
    expect(plain).toMatchObject({ tasks: 2, success: 0.5, silentWrong: 0.5, stopped: 0, costXPlain: 1, callsPerTask: 5 });
    expect(vote).toMatchObject({ success: 0.5, silentWrong: 0, stopped: 0.5, humanPer100: 50, callsPerTask: 10 });
    expect(vote.costXPlain).toBeCloseTo(2, 9);
    expect(meetsGoal(vote)).toBe(false);
    expect(meetsGoal({ ...vote, success: 0.91 })).toBe(true);
    expect(meetsGoal({ ...vote, success: 180 / 200 })).toBe(false); // exactly 10 % error is not below 10 %
    expect(meetsGoal({ ...vote, success: 0.95, costXPlain: 3.5 })).toBe(true);
    expect(meetsGoal({ ...vote, success: 0.95, costXPlain: 3.6 })).toBe(false);
    const table = formatTables(rows);
    expect(table).toMatch(/\*\*independent errors\*\* \(2 tasks per strategy\)/);
    expect(table).toMatch(/\| vote \| 50\.0 % \| 0\.0 % \| 50\.0 % \| 50\.0 \| 2\.00× \| 10\.00 \|/);
  });
});
