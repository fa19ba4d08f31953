/**
 * Teaching the router: a correction (feedback with the right label), an LLM router's
 * pick or an admin's example becomes a learned example in the control plane
 * (durable-objects/learned-table.ts) under the config's guards (`learning`,
 * worker/intent/learned.ts). The models that learn it are fitted off the request path:
 * after the answer, this isolate rebuilds its runtime, which asks the `IntentFitter`
 * Durable Object for the new model (stored in KV); every other isolate reads the new
 * learning version with the kill switches (within `CONTROL_CACHE_MS`) and loads the
 * model from memory, KV or the fitter, serving with its previous model meanwhile.
 */
import type { LearnResult } from "../durable-objects/learned-table.ts";
import type { Config } from "./config/schema.ts";
import { controlStub, requireControl, switchState } from "./control.ts";
import type { Env } from "./env.ts";
import { ProblemError } from "./http/problem.ts";
import { GLOBAL_SCOPE, labelCap, type LearnedOrigin } from "./intent/learned.ts";
import { getRuntime } from "./runtime.ts";

/** One example to teach. `scope` defaults to the config's (`learning.scope`): the tenant's own, or global. */
export interface Lesson {
  tenant: string;
  input: string;
  label: string;
  origin: LearnedOrigin;
  /** The feedback's id, the escalated intent's id. */
  ref?: string | undefined;
  /** Who teaches it (`actorOf`). */
  by: string;
  /** Hold it for an admin whatever the cap (an escalation's proposal). */
  review?: boolean | undefined;
  scope?: string | undefined;
}

/** Why an input cannot be learned before it reaches the store: a label the config lacks, an input too long. */
export function unlearnable(config: Config, l: Pick<Lesson, "label" | "input">): string | undefined {
  if (!config.specialists.some((s) => s.intents.some((i) => i.label === l.label))) return `no intent '${l.label}' in the config`;
  if (!l.input.trim()) return "the input is empty";
  if (l.input.length > config.learning.maxExampleChars) return `the input has ${l.input.length} characters, more than learning.maxExampleChars (${config.learning.maxExampleChars})`;
  return undefined;
}

/**
 * Stores a lesson under the guards and, when it changed what a model learns, warms
 * that model after the response (`defer`). A refusal by a guard is returned (the
 * caller decides: feedback is still stored, a teaching admin gets a 429/409).
 *
 * @throws ProblemError 400 when the lesson cannot be learned at all ({@link unlearnable}); 503 without a control plane.
 */
export async function teach(env: Env, config: Config, lesson: Lesson, defer: (p: Promise<unknown>) => void): Promise<LearnResult> {
  const why = unlearnable(config, lesson);
  if (why) throw new ProblemError({ status: 400, slug: "not-learnable", title: "Not learnable", detail: why });
  const stub = requireControl(env, "nothing can be learned");
  const owner = config.specialists.find((s) => s.intents.some((i) => i.label === lesson.label))!;
  const configured = owner.intents.find((i) => i.label === lesson.label)!.examples.length;
  const scope = lesson.scope ?? (config.learning.scope === "global" ? GLOBAL_SCOPE : lesson.tenant);
  const result = await stub.learn(
    { scope, label: lesson.label, specialist: owner.id, input: lesson.input, origin: lesson.origin, ref: lesson.ref, by: lesson.by },
    { perHour: config.learning.correctionsPerHour, labelCap: labelCap(configured, config.learning), maxPerScope: config.learning.maxPerScope },
    lesson.review ?? false,
  );
  if (result.ok && !result.existing && result.example.status === "active") defer(warm(env, scope === GLOBAL_SCOPE ? lesson.tenant : scope));
  return result;
}

/**
 * What a feedback's correction did: learned (`active` or `pending` review), refused by a
 * guard, not learnable, or — a replacing version without a correction — the examples
 * the earlier version taught taken back (`withdrawn`).
 */
export type CorrectionOutcome =
  | { status: "active" | "pending"; example: string; note?: string | undefined }
  | { status: "refused"; reason: "rate" | "full"; detail: string; withdrawn?: number }
  | { status: "not-learned"; detail: string; withdrawn?: number }
  | { status: "withdrawn"; examples: number };

/**
 * Teaches a feedback's correction (`correctLabel`, or a `correctSpecialist` that
 * declares exactly one label) on the target's input, as the tenant; a version that
 * `replaced` an earlier one and corrects nothing withdraws what that one taught;
 * undefined when there was nothing to teach or take back. Never throws for the correction's sake: a refusal or a
 * reason it cannot be learned is the outcome (the feedback itself is stored anyway).
 */
export async function learnCorrection(
  env: Env,
  config: Config,
  f: { id: string; tenant: string; by: string; input?: string | undefined; correctLabel?: string | undefined; correctSpecialist?: string | undefined; replaced?: boolean | undefined },
  defer: (p: Promise<unknown>) => void,
): Promise<CorrectionOutcome | undefined> {
  if (f.correctLabel === undefined && f.correctSpecialist === undefined) {
    if (!f.replaced) return undefined;
    // latest wins: a version that no longer corrects takes back what an earlier one taught
    const n = (await controlStub(env)?.withdrawLearned(f.id, f.by)) ?? 0;
    if (n > 0) defer(warm(env, f.tenant));
    return n > 0 ? { status: "withdrawn", examples: n } : undefined;
  }
  let label = f.correctLabel;
  if (label === undefined) {
    const labels = config.specialists.find((s) => s.id === f.correctSpecialist)?.intents.map((i) => i.label) ?? [];
    if (labels.length !== 1) {
      const outcome = { status: "not-learned" as const, detail: `'${f.correctSpecialist}' declares ${labels.length} intent labels: give correctLabel to teach the classifier` };
      return f.replaced ? withdrawEarlier(env, f, outcome, defer) : outcome;
    }
    label = labels[0]!;
  }
  const outcome = await correct(env, config, f, label, defer);
  if ("detail" in outcome && f.replaced) return withdrawEarlier(env, f, outcome, defer);
  return outcome;
}

/** Latest wins: a replacing correction that teaches nothing takes back what the earlier version taught (`withdrawn`: how many). */
async function withdrawEarlier(env: Env, f: { id: string; tenant: string; by: string }, outcome: Extract<CorrectionOutcome, { status: "refused" | "not-learned" }>, defer: (p: Promise<unknown>) => void): Promise<CorrectionOutcome> {
  const n = (await controlStub(env)?.withdrawLearned(f.id, f.by)) ?? 0;
  if (n > 0) defer(warm(env, f.tenant));
  return n > 0 ? { ...outcome, withdrawn: n } : outcome;
}

async function correct(env: Env, config: Config, f: { id: string; tenant: string; by: string; input?: string | undefined }, label: string, defer: (p: Promise<unknown>) => void): Promise<CorrectionOutcome> {
  if (f.input === undefined) return { status: "not-learned", detail: "the target's input is no longer known (its intent record or hop reference expired)" };
  const why = unlearnable(config, { label, input: f.input });
  if (why) return { status: "not-learned", detail: why };
  const r = await teach(env, config, { tenant: f.tenant, input: f.input, label, origin: "feedback", ref: f.id, by: f.by }, defer);
  if (!r.ok) return { status: "refused", reason: r.refused, detail: r.detail };
  return { status: r.example.status === "active" ? "active" : "pending", example: r.example.id, ...(r.example.note ? { note: r.example.note } : {}) };
}

/**
 * Has the fitter fit the model a change needs now, not on the next request: reads the
 * switches fresh (the new learning version), builds this isolate's runtime and the
 * tenant's model, which asks the `IntentFitter` for them, and waits until both are in
 * force. Failures are logged: the next request asks again.
 */
export async function warm(env: Env, tenant: string): Promise<void> {
  try {
    await switchState(env, { fresh: true });
    // awaited here, in this request's after-response work: a fit left to a later waitUntil may be cut off with this context
    const rt = await getRuntime(env);
    await rt.pending;
    const now = await getRuntime(env);
    await now.intentsFor(tenant);
    await now.tenants.settled(tenant);
  } catch (e) {
    console.warn(JSON.stringify({ msg: "could not warm the learned model", tenant, error: String(e) }));
  }
}
