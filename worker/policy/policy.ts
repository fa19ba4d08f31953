import { z } from "zod";
import { globMatcher } from "./glob.ts";

const Globs = z.lazy(() => z.union([z.string().min(1).max(200), z.array(z.string().min(1).max(200)).min(1).max(100)]));

/** Per-task limits a rule can impose (the tightest of all matching rules applies). */
export const PolicyLimits = z.lazy(() =>
  z.strictObject({
    maxHopsPerTask: z.number().int().min(1).max(10_000).optional(),
    maxCostPerTaskUsd: z.number().nonnegative().optional(),
  }),
);
export type PolicyLimits = z.infer<typeof PolicyLimits>;

/**
 * One declarative rule (DESIGN §4). `match` fields are ANDed; globs use `*` and `?`.
 * The first matching rule with an effect decides; matching rules' `limits` all apply.
 */
export const PolicyRule = z.lazy(() =>
  z
    .strictObject({
      id: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/).optional(),
      description: z.string().max(500).optional(),
      match: z
        .strictObject({
          tenant: Globs.optional(),
          intent: Globs.optional(),
          specialist: Globs.optional(),
          /** MCP tool names (`github__*`, `*__delete_*`): matches tool calls only (docs/governance.md). */
          tool: Globs.optional(),
          minInputChars: z.number().int().nonnegative().optional(),
          maxInputChars: z.number().int().nonnegative().optional(),
          minCostUsd: z.number().nonnegative().optional(),
        })
        .default({}),
      effect: z.enum(["allow", "deny"]).optional(),
      require: z.literal("approval").optional(),
      limits: PolicyLimits.optional(),
      reason: z.string().max(500).optional(),
    })
    .refine((r) => r.effect !== undefined || r.require !== undefined || r.limits !== undefined, { message: "a rule needs an effect, require: approval, or limits" })
    .refine((r) => !(r.effect !== undefined && r.require !== undefined), { message: "give either effect or require, not both" }),
);
export type PolicyRule = z.infer<typeof PolicyRule>;

/** What a hop is, as far as policy is concerned. */
export interface PolicyContext {
  tenant: string;
  /**
   * Every intent label the call is about: the label it was classified as or named
   * with, and every label the specialist it goes to declares. A rule's `intent` glob
   * matches when it matches any of them, so naming the specialist (or a label)
   * instead of sending text never skips a rule.
   */
  intents: readonly string[];
  specialist: string;
  /**
   * The tool called, for a tool call (the MCP door's name of it: `<server>__<tool>`, a
   * specialist's id, `route`); absent for a hop, which no `tool` rule matches.
   */
  tool?: string | undefined;
  inputChars: number;
  /** Estimated cost of the call in USD. */
  costUsd: number;
}

export type Effect = "allow" | "deny" | "require_approval";

/** A decision with the rule that made it (`null`: no rule matched, default allow). */
export interface PolicyDecision {
  effect: Effect;
  rule: string | null;
  reason: string;
  limits: PolicyLimits;
}

type Compiled = { id: string; rule: PolicyRule; matches: (c: PolicyContext) => boolean };

/**
 * A compiled rule set. Build once per config; `evaluate` is pure and cheap.
 *
 * @example
 * const p = new PolicySet([{ match: { intent: "payments.*" }, require: "approval" }]);
 * p.evaluate({ tenant: "acme", intents: ["payments.refund"], specialist: "pay", inputChars: 20, costUsd: 0 })
 * // { effect: "require_approval", rule: "policies[0]", reason: "…", limits: {} }
 */
export class PolicySet {
  readonly #rules: Compiled[];

  constructor(rules: readonly PolicyRule[]) {
    this.#rules = rules.map((rule, i) => {
      const m = rule.match;
      const tests: ((c: PolicyContext) => boolean)[] = [];
      if (m.tenant !== undefined) {
        const g = globMatcher(m.tenant);
        tests.push((c) => g(c.tenant));
      }
      if (m.intent !== undefined) {
        const g = globMatcher(m.intent);
        tests.push((c) => c.intents.some(g));
      }
      if (m.specialist !== undefined) {
        const g = globMatcher(m.specialist);
        tests.push((c) => g(c.specialist));
      }
      if (m.tool !== undefined) {
        const g = globMatcher(m.tool);
        tests.push((c) => c.tool !== undefined && g(c.tool));
      }
      const { minInputChars, maxInputChars, minCostUsd } = m;
      if (minInputChars !== undefined) tests.push((c) => c.inputChars >= minInputChars);
      if (maxInputChars !== undefined) tests.push((c) => c.inputChars <= maxInputChars);
      if (minCostUsd !== undefined) tests.push((c) => c.costUsd >= minCostUsd);
      return { id: rule.id ?? `policies[${i}]`, rule, matches: (c) => tests.every((t) => t(c)) };
    });
  }

  get size(): number {
    return this.#rules.length;
  }

  /** Evaluates every rule in order against one hop. */
  evaluate(ctx: PolicyContext): PolicyDecision {
    const limits: PolicyLimits = {};
    let decided: { effect: Effect; id: string; rule: PolicyRule } | undefined;
    for (const c of this.#rules) {
      if (!c.matches(ctx)) continue;
      const l = c.rule.limits;
      if (l?.maxHopsPerTask !== undefined) limits.maxHopsPerTask = Math.min(limits.maxHopsPerTask ?? Infinity, l.maxHopsPerTask);
      if (l?.maxCostPerTaskUsd !== undefined) limits.maxCostPerTaskUsd = Math.min(limits.maxCostPerTaskUsd ?? Infinity, l.maxCostPerTaskUsd);
      if (decided) continue;
      const effect: Effect | undefined = c.rule.require === "approval" ? "require_approval" : c.rule.effect;
      if (effect) decided = { effect, id: c.id, rule: c.rule };
    }
    if (!decided) return { effect: "allow", rule: null, reason: "allowed: no policy rule matched", limits };
    const what = decided.effect === "require_approval" ? "requires approval" : decided.effect === "deny" ? "denied" : "allowed";
    return { effect: decided.effect, rule: decided.id, reason: `${what} by policy '${decided.id}'${decided.rule.reason ? `: ${decided.rule.reason}` : ""}`, limits };
  }
}

/** Whether a task may take one more hop / spend more under the limits that apply. */
export function withinTaskLimits(limits: PolicyLimits, task: { hops: number; costUsd: number }, next: { costUsd: number }): { ok: true } | { ok: false; reason: string } {
  if (task.hops + 1 > (limits.maxHopsPerTask ?? Number.POSITIVE_INFINITY)) return { ok: false, reason: `the task would exceed ${limits.maxHopsPerTask} hops` };
  if (task.costUsd + next.costUsd > (limits.maxCostPerTaskUsd ?? Number.POSITIVE_INFINITY) + 1e-12)
    return { ok: false, reason: `the task would exceed $${limits.maxCostPerTaskUsd}` };
  return { ok: true };
}
