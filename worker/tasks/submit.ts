import type { JsonObject } from "../json.ts";
import type { TaskInit, TaskView } from "../../durable-objects/task-agent.ts";
import type { Env } from "../env.ts";
import type { TaskRequest } from "../http/task-schemas.ts";
import { sha256Hex } from "../intent/record.ts";
import type { Runtime } from "../runtime.ts";
import { contentHash } from "./audit.ts";
import type { Plan } from "./plan.ts";
import { taskStub } from "./task-stub.ts";
import { inputTooLong } from "../routing/input-limit.ts";
import { screeningText, screenUnder, type ScreeningResult } from "../policy/screening.ts";
import { callbackUrlProblem, privateCallbacksAllowed } from "../queues/callbacks.ts";
import { strategySpecialistIssue } from "../config/coordination.ts";
import { splitToolName } from "../config/mcp.ts";

type Issue = { path: string; message: string };

/** Why a task was not started: an expected failure, for the door to map onto its wire. */
export type SubmitRefusal =
  | { ok: false; reason: "invalid"; detail: string; errors?: Issue[] }
  | { ok: false; reason: "flagged"; detail: string; flagged: ScreeningResult }
  | { ok: false; reason: "conflict"; detail: string };

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
    // the specialists a step's ensemble or hedge names, as its own (a config's workflows and rules are checked the same way: config/coordination.ts)
    const named: [string, string | undefined][] = [
      ...(s.ensemble?.specialists ?? []).map((id, j): [string, string] => [`ensemble.specialists.${j}`, id]),
      ["ensemble.judge", s.ensemble?.judge],
      ["hedge.specialist", s.hedge?.specialist],
    ];
    for (const [field, id] of named) {
      const why = id === undefined ? undefined : strategySpecialistIssue(id, rt.registry.get(id)?.endpoint.type);
      if (why !== undefined) issues.push({ path: `${prefix}.steps.${i}.${field}`, message: why });
    }
    const server = s.tool === undefined ? undefined : splitToolName(s.tool)?.server;
    if (server !== undefined && rt.registry.get(server)?.endpoint.type !== "mcp") issues.push({ path: `${prefix}.steps.${i}.tool`, message: `no MCP server '${server}' (an 'mcp' specialist)` });
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
): Promise<{ ok: true; init: TaskInit } | Exclude<SubmitRefusal, { reason: "conflict" }>> {
  const { body } = a;
  let plan: Plan | null = null;
  let planner: string | null = null;
  let workflow: string | null = null;
  if (body.plan) {
    const issues = planIssues(body.plan, rt, "plan");
    if (issues.length) return { ok: false, reason: "invalid", detail: "the plan names unknown specialists or intents", errors: issues };
    plan = body.plan;
  } else if (body.workflow) {
    const w = rt.config.workflows.find((x) => x.id === body.workflow);
    if (!w) return { ok: false, reason: "invalid", detail: `no workflow '${body.workflow}' (configured: ${rt.config.workflows.map((x) => x.id).join(", ") || "none"})`, errors: [{ path: "workflow", message: "unknown workflow" }] };
    plan = w.plan;
    workflow = w.id;
  } else if (body.planner !== undefined) {
    planner = body.planner === true ? (rt.config.tasks.planner ?? null) : body.planner;
    if (planner === null) return { ok: false, reason: "invalid", detail: "planner: true needs tasks.planner in the config", errors: [{ path: "planner", message: "no default planner configured" }] };
    if (!rt.registry.has(planner)) return { ok: false, reason: "invalid", detail: `unknown planner specialist '${planner}'`, errors: [{ path: "planner", message: "unknown specialist" }] };
  } else plan = SINGLE_STEP;
  const input = body.input ?? body.goal;
  const tooLong = inputTooLong(input, rt.config.router.maxInputChars);
  if (tooLong) return { ok: false, reason: "invalid", detail: tooLong, errors: [{ path: body.input === undefined ? "goal" : "input", message: "too long" }] };
  // everything the client wrote that can reach a specialist: goal, input, context, the inputs of its own plan (each string once)
  const untrusted = screeningText(body.goal, input, body.context, ...(body.plan ? body.plan.steps.map((st) => st.input ?? "") : []));
  const verdict = screenUnder(rt.config.screening, untrusted);
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
      return { ok: false, reason: "flagged", detail: `the goal, input, context or plan looks like a prompt injection (${verdict.result.signals.join(", ")}): refused by screening`, flagged: verdict.result };
  }
  const intent = (await (await rt.intentsFor(a.tenant)).classify(input, defer, a.tenant)).record;
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
      ...(body.callback ? { callback: body.callback } : {}),
      ...screening,
    },
  };
}

/**
 * The id of a tenant's task: from its idempotency key (the same key, the same task;
 * another tenant's same key, another task), else fresh.
 */
export async function taskIdFor(tenant: string, idempotencyKey: string | undefined): Promise<string> {
  const digest = idempotencyKey === undefined ? crypto.randomUUID().replaceAll("-", "") : await sha256Hex(`${tenant}\u0000${idempotencyKey}`);
  return `task_${digest.slice(0, 32)}`;
}

/**
 * Starts a task, the one way every door does (`POST /v1/tasks`, an A2A message that
 * becomes a task): its id from the idempotency key ({@link taskIdFor}), its init from
 * {@link startTask} (plan, registry checks, screening, the input's intent), then the
 * TaskAgent's `create`. The same key and body again returns the task as it is
 * (`replayed`); the same key with another body is a `conflict`.
 */
export async function submitTask(
  env: Env,
  rt: Runtime,
  a: {
    tenant: string;
    actor: string;
    idempotencyKey: string | undefined;
    body: Omit<TaskRequest, "idempotencyKey">;
    traceparent: string;
    /** An A2A message's parts beyond text (its data and files), for the steps that take the task's input. */
    inputParts?: JsonObject[] | undefined;
    /** An A2A message's contextId, kept with the task whatever the size of its context. */
    a2aContextId?: string | undefined;
  },
  defer: (p: Promise<unknown>) => void,
): Promise<{ ok: true; task: TaskView; replayed: boolean } | SubmitRefusal> {
  const refused = a.body.callback ? callbackUrlProblem(a.body.callback.url, privateCallbacksAllowed(env)) : undefined;
  if (refused) return { ok: false, reason: "invalid", detail: `callback.url ${refused}`, errors: [{ path: "callback.url", message: refused }] };
  const id = await taskIdFor(a.tenant, a.idempotencyKey);
  // the same key with other parts is another body too
  const hashed = a.inputParts ? { ...withoutCallbackSecret(a.body), inputParts: a.inputParts } : withoutCallbackSecret(a.body);
  const init = await startTask(rt, { id, tenant: a.tenant, actor: a.actor, body: a.body, bodyHash: await contentHash(hashed), traceparent: a.traceparent }, defer);
  if (!init.ok) return init;
  const r = await taskStub(env, id).create({ ...init.init, ...(a.inputParts ? { inputParts: a.inputParts } : {}), ...(a.a2aContextId ? { a2aContextId: a.a2aContextId } : {}) });
  switch (r.kind) {
    case "conflict":
      return { ok: false, reason: "conflict", detail: "this idempotency key was already used with a different body" };
    case "created":
    case "existing":
      return { ok: true, task: r.task, replayed: r.kind === "existing" };
  }
}

/**
 * The body as its `bodyHash` covers it: the callback's secret left out, because the
 * hash is shown to anyone who can read the task and a secret must not be guessable
 * offline from it. The TaskAgent compares a repeated submission's secret itself.
 */
function withoutCallbackSecret(body: Omit<TaskRequest, "idempotencyKey">): Omit<TaskRequest, "idempotencyKey"> {
  if (!body.callback?.secret) return body;
  const { secret: _secret, ...callback } = body.callback;
  return { ...body, callback };
}
