/**
 * The pipeline simulation's strategies, plans and router config (pure; pipeline-model.ts
 * has the fake specialists' decisions, pipeline-run.ts runs them through `wrangler dev`).
 */
import bundled from "../../switchyard.config.json" with { type: "json" };
import { question, STEPS, type ErrorModel } from "./pipeline-model.ts";

/** The strategies, one plan shape each (the step shape below, on all 5 steps). */
export const STRATEGIES = ["plain", "verifier", "vote", "judge", "vote-approval-all", "vote-approval-2of3", "plain-slow", "hedge"] as const;
export type Strategy = (typeof STRATEGIES)[number];

/** What each strategy is, for the table's notes. */
export const STRATEGY_NOTES: Record<Strategy, string> = {
  plain: "one worker (w1) per step",
  verifier: "w1, checked by a verifier; on a failed check w1's fallback w2, checked again; then a human gate",
  vote: "w1, w2, w3 in parallel, majority vote (onDisagreement best)",
  judge: "w1, w2, w3 in parallel, a judge picks",
  "vote-approval-all": "vote; any disagreement (minAgreement 1) goes to a human, who picks a right candidate or rejects",
  "vote-approval-2of3": "vote; no 2-of-3 majority (minAgreement 0.6) goes to a human",
  "plain-slow": "one slow-tail worker (slow1: 10 % of calls take 1.5 s) per step",
  hedge: "slow1, hedged after 200 ms with slow2 (an equivalent slow-tail worker)",
};

/** Cost per call (USD) of the fake specialists: workers, the verifier, the judge. */
export const COSTS = { worker: 0.001, verifier: 0.0005, judge: 0.001 } as const;

const WORKERS = ["w1", "w2", "w3"];

/** One step's strategy part (merged into `{ id, input, dependsOn }`). */
export function stepShape(strategy: Strategy): Record<string, unknown> {
  const ensemble = (extra: Record<string, unknown>) => ({ specialist: "w1", ensemble: { specialists: WORKERS, ...extra } });
  switch (strategy) {
    case "plain":
      return { specialist: "w1" };
    case "verifier":
      return { specialist: "w1", verifier: "checker" };
    case "vote":
      return ensemble({ combine: "vote" });
    case "judge":
      return ensemble({ combine: "judge", judge: "judge" });
    case "vote-approval-all":
      return ensemble({ combine: "vote", minAgreement: 1, onDisagreement: "approval" });
    case "vote-approval-2of3":
      return ensemble({ combine: "vote", minAgreement: 0.6, onDisagreement: "approval" });
    case "plain-slow":
      return { specialist: "slow1" };
    case "hedge":
      return { specialist: "slow1", hedge: { delayMs: 200 } };
  }
}

/** The plan of task `task` (starting value `v0`): 5 steps, each asked about the previous step's answer. */
export function pipelinePlan(strategy: Strategy, model: ErrorModel, task: number, v0: number): { steps: Record<string, unknown>[]; combine: "last" } {
  const steps = Array.from({ length: STEPS }, (_, i) => {
    const s = i + 1;
    const value = s === 1 ? v0 : `{{steps.s${s - 1}.output.text}}`;
    return { id: `s${s}`, input: question(model, task, s, value), dependsOn: s === 1 ? [] : [`s${s - 1}`], ...stepShape(strategy) };
  });
  return { steps, combine: "last" };
}

/**
 * The router's config (SWITCHYARD_CONFIG): the bundled one, private networks allowed
 * (the fakes listen on 127.0.0.1), a hedge budget no run exhausts, and the fakes:
 * workers w1 (fallback w2), w2, w3; slow-tail workers slow1 (fallback slow2), slow2;
 * the verifier `checker` and the `judge`. No retries: a call's answer is its draw.
 */
export function pipelineConfig(url: string): Record<string, unknown> {
  const config = structuredClone(bundled) as { router: Record<string, unknown>; specialists: Record<string, unknown>[]; [k: string]: unknown };
  config.router = { ...config.router, allowPrivateNetworks: true };
  const fake = (id: string, path: string, costPerCall: number, extra: Record<string, unknown> = {}) =>
    config.specialists.push({ id, description: `pipeline simulation: ${id}`, endpoint: { type: "http", url: `${url}${path}` }, costPerCall, retries: 0, timeoutMs: 10_000, ...extra });
  fake("w1", "/worker/w1", COSTS.worker, { fallbacks: ["w2"] });
  fake("w2", "/worker/w2", COSTS.worker);
  fake("w3", "/worker/w3", COSTS.worker);
  fake("slow1", "/worker/slow1?slow=1", COSTS.worker, { fallbacks: ["slow2"] });
  fake("slow2", "/worker/slow2?slow=1", COSTS.worker);
  fake("checker", "/verifier", COSTS.verifier);
  fake("judge", "/judge", COSTS.judge);
  config.hedging = { maxExtraCalls: 1_000_000, windowSeconds: 60 };
  return config;
}
