import type { Specialist } from "../config/schema.ts";
import { callCeilingUsd } from "../pools/reservation.ts";
import type { DispatchDeps } from "./dispatch.ts";
import { withinTaskLimits, type PolicyDecision, type PolicySet } from "../policy/policy.ts";

type Admit = NonNullable<DispatchDeps["admit"]>;

/** What the policy sees of a hop besides the specialist being tried. */
export interface GuardContext {
  tenant: string;
  /** Labels the hop was classified as or named with (the specialist's own declared labels are added per specialist). */
  intents: readonly string[];
  inputChars: number;
  /** The tool a tool call calls (policy rules match it by `tool` glob). */
  tool?: string | undefined;
  /**
   * Totals of the task this hop belongs to (for `maxHopsPerTask` / `maxCostPerTaskUsd`),
   * shared by the task's steps running in parallel: an admitted call reserves its hop
   * and cost here before it is made (released if its pool refuses it), so parallel
   * steps cannot together exceed the limits.
   */
  task?: { hops: number; costUsd: number } | undefined;
  /** A human already approved this hop (a task's approval gate): `require: approval` passes. */
  approved?: boolean | undefined;
}

/** The labels a call to `s` is about: the hop's own, then every label `s` declares. */
export function callLabels(hop: readonly string[], s: Pick<Specialist, "intents">): string[] {
  const out = [...hop];
  for (const i of s.intents) if (!out.includes(i.label)) out.push(i.label);
  return out;
}

/**
 * Wraps admission with the policy engine: every specialist a hop may be sent to is
 * evaluated first, on what the call is (tenant, specialist, every label it is about:
 * {@link callLabels}) however it was reached (classified, pinned, named by label); a denial (or a task limit) skips it with `policy_denied`, a rule
 * requiring approval with `approval_required`. `decisions` records each evaluation
 * by specialist, for the explanation in `decision.reason` and the audit log.
 */
export function policyGuard(policy: PolicySet, ctx: GuardContext, admit: Admit, decisions: Map<string, PolicyDecision>): Admit {
  return async (s, attempt) => {
    const d = policy.evaluate({ tenant: ctx.tenant, intents: callLabels(ctx.intents, s), specialist: s.id, tool: ctx.tool, inputChars: ctx.inputChars, costUsd: s.costPerCall });
    decisions.set(s.id, d);
    if (d.effect === "deny") return { ok: false, failure: { kind: "policy_denied", detail: d.reason } };
    if (d.effect === "require_approval" && !ctx.approved) return { ok: false, failure: { kind: "approval_required", detail: d.reason } };
    const totals = ctx.task;
    if (!totals) return admit(s, attempt);
    // a call reserves its cost ceiling (pools/reservation.ts: costPerCall, or limits.maxCallCostUsd)
    const ceiling = callCeilingUsd(s);
    const within = withinTaskLimits(d.limits, totals, { costUsd: ceiling });
    if (!within.ok) return { ok: false, failure: { kind: "policy_denied", detail: `${within.reason} (policy limits)` } };
    totals.hops += 1;
    totals.costUsd += ceiling;
    const a = await admit(s, attempt);
    if (!a.ok) {
      totals.hops -= 1; // not called: the reservation goes back
      totals.costUsd -= ceiling;
    }
    return a;
  };
}
