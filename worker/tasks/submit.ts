import type { TaskInit } from "../../durable-objects/task-agent.ts";
import type { TaskRequest } from "../http/task-schemas.ts";
import type { Runtime } from "../runtime.ts";
import type { Plan } from "./plan.ts";
import { inputTooLong } from "../routing/input-limit.ts";
import { screenableText, screenUnder, type ScreeningResult } from "../policy/screening.ts";

type Issue = { path: string; message: string };

/** The plan used when a task names no plan, workflow or planner: one step, routed by its input. */
export const SINGLE_STEP: Plan = { steps: [{ id: "main", input: "{{input}}", dependsOn: [], requireApproval: false }], combine: "last" };

/** Every specialist a plan names must be registered (checked before the task exists). */
function planIssues(plan: Plan, rt: Runtime, prefix: string): Issue[] {
  const issues: Issue[] = [];
  plan.steps.forEach((s, i) => {
    for (const field of ["specialist", "verifier"] as const) {
      const id = s[field];
      if (id !== undefined && !rt.registry.has(id)) issues.push({ path: `${prefix}.steps.${i}.${field}`, message: `unknown specialist '${id}'` });
    }
    if (s.intent !== undefined && !rt.config.specialists.some((x) => x.intents.some((l) => l.label === s.intent)))
      issues.push({ path: `${prefix}.steps.${i}.intent`, message: `no specialist declares intent '${s.intent}'` });
  });
  return issues;
}

/**
 * Turns a validated `POST /v1/tasks` body into the TaskAgent's init: resolves the
 * plan source (explicit plan, named workflow, planner specialist, or one routed
 * step), checks it against the registry, and classifies the task's input once so
 * steps that reuse it carry the intent id instead of classifying again.
 */
export async function startTask(
  rt: Runtime,
  a: { id: string; tenant: string; actor: string; body: Omit<TaskRequest, "idempotencyKey">; bodyHash: string; traceparent: string },
  defer: (p: Promise<unknown>) => void,
): Promise<{ ok: true; init: TaskInit } | { ok: false; detail: string; errors?: Issue[]; flagged?: ScreeningResult }> {
  const { body } = a;
  let plan: Plan | null = null;
  let planner: string | null = null;
  let workflow: string | null = null;
  if (body.plan) {
    const issues = planIssues(body.plan, rt, "plan");
    if (issues.length) return { ok: false, detail: "the plan names unknown specialists or intents", errors: issues };
    plan = body.plan;
  } else if (body.workflow) {
    const w = rt.config.workflows.find((x) => x.id === body.workflow);
    if (!w) return { ok: false, detail: `no workflow '${body.workflow}' (configured: ${rt.config.workflows.map((x) => x.id).join(", ") || "none"})`, errors: [{ path: "workflow", message: "unknown workflow" }] };
    plan = w.plan;
    workflow = w.id;
  } else if (body.planner !== undefined) {
    planner = body.planner === true ? (rt.config.tasks.planner ?? null) : body.planner;
    if (planner === null) return { ok: false, detail: "planner: true needs tasks.planner in the config", errors: [{ path: "planner", message: "no default planner configured" }] };
    if (!rt.registry.has(planner)) return { ok: false, detail: `unknown planner specialist '${planner}'`, errors: [{ path: "planner", message: "unknown specialist" }] };
  } else plan = SINGLE_STEP;
  const input = body.input ?? body.goal;
  const tooLong = inputTooLong(input, rt.config.router.maxInputChars);
  if (tooLong) return { ok: false, detail: tooLong, errors: [{ path: body.input === undefined ? "goal" : "input", message: "too long" }] };
  // everything the client wrote that can reach a specialist: goal, input, context, the inputs of its own plan
  const untrusted = [body.goal, input, ...(body.context ? [screenableText(body.context)] : []), ...(body.plan ? body.plan.steps.map((st) => st.input ?? "") : [])];
  const verdict = screenUnder(rt.config.screening, untrusted.join("\n\n"));
  let screening: Pick<TaskInit, "inputScreening" | "inputGate"> = {};
  switch (verdict.action) {
    case "pass":
      break;
    case "flag":
      screening = { inputScreening: verdict.result };
      break;
    case "approval":
      screening = { inputScreening: verdict.result, inputGate: `input flagged as a possible prompt injection (${verdict.result.signals.join(", ")})` };
      break;
    case "deny":
      return { ok: false, detail: `the goal, input, context or plan looks like a prompt injection (${verdict.result.signals.join(", ")}): refused by screening`, flagged: verdict.result };
  }
  const intent = (await rt.intents.classify(input, defer, a.tenant)).record;
  return {
    ok: true,
    init: {
      id: a.id,
      tenant: a.tenant,
      actor: a.actor,
      goal: body.goal,
      input,
      plan,
      planner,
      workflow,
      bodyHash: a.bodyHash,
      ...(body.context ? { context: body.context } : {}),
      contextInlineBytes: rt.config.tasks.contextInlineBytes,
      approvalTtlSeconds: Math.min(body.approvalTtlSeconds ?? Infinity, rt.config.tasks.approvalTtlSeconds),
      intentId: intent.id,
      traceparent: a.traceparent,
      ...screening,
    },
  };
}
