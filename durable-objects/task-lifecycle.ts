import type { InputPart } from "../worker/routing/hop.ts";
import type { Env } from "../worker/env.ts";
import type { Json } from "../worker/json.ts";
import { canonicalJson, contentHash } from "../worker/tasks/audit.ts";
import { shownUrl } from "../worker/queues/webhooks.ts";
import type { TaskInit } from "./task-agent.ts";
import type { TaskCallbacks } from "./task-callbacks.ts";
import { Plan, type StepSpec } from "../worker/tasks/plan.ts";
import { callSpecialist } from "../worker/protocols/adapters.ts";
import { runStep, type StepCall } from "../worker/tasks/runner.ts";
import { TERMINAL, type StepDoc, type TaskDoc } from "../worker/tasks/types.ts";
import type { Runtime } from "../worker/runtime.ts";
import type { InFlight } from "./task-in-flight.ts";
import type { TaskStore } from "./task-store.ts";
import { closeTaskSpan, finishStepSpan, openTaskSpan, startStepSpan } from "./task-trace.ts";

// A task's lifecycle around its steps: planning, approval gates, the end, and how a
// step call is put together. The step engine (task-engine.ts) drives them.

/** What the engine needs from its Durable Object. */
export interface EngineHost {
  store: TaskStore;
  env: Env;
  setAlarm(at: number): Promise<void>;
  /** Cancel signal of the step currently running under this id. */
  abortSignal(stepId: string): AbortSignal;
  release(stepId: string): void;
  /** Told when the task's status changes (the control plane's task index). */
  statusChanged?(task: TaskDoc): Promise<void>;
  /**
   * The step runs in progress in this object and the totals they share (per-task
   * limits across inline and dispatched runs). Without it (a host made for a test),
   * each round counts against its own totals and dispatched runs cannot be told apart.
   */
  inFlight?: InFlight;
}

/** Work after a call (pool bookkeeping) runs on in the object; failures are logged, never thrown. */
export const background = (p: Promise<unknown>) => void p.catch((e: unknown) => console.warn(JSON.stringify({ msg: "task background work failed", error: String(e) })));

/** Initial step rows for a plan. */
export function initialSteps(plan: Plan): StepDoc[] {
  return plan.steps.map((s) => ({ id: s.id, status: "pending", attempts: 0, verdicts: [], costUsd: 0 }));
}

/** Opens an approval gate on a step: the task pauses until approve, reject or expiry. */
export async function openGate(h: EngineHost, stepId: string, reason: string): Promise<void> {
  const task = h.store.requireTask();
  const expiresAt = Date.now() + task.approvalTtlSeconds * 1000;
  task.status = "awaiting_approval";
  task.awaiting = { step: stepId, reason, since: new Date().toISOString(), expiresAt };
  h.store.saveTask(task);
  const step = h.store.requireStep(stepId);
  step.status = "awaiting_approval";
  h.store.saveStep(step);
  h.store.event("task.awaiting_approval", { step: stepId, reason, expiresAt: new Date(expiresAt).toISOString() });
  await h.store.audit("router", "approval.requested", { step: stepId, reason, expiresAt });
  await h.statusChanged?.(task);
  await h.setAlarm(expiresAt);
}

/** Ends a task (terminal status), marking what never ran. */
export async function finish(h: EngineHost, status: "succeeded" | "failed" | "cancelled" | "rejected", actor: string, detail: { result?: Json | undefined; error?: string; reason?: string }): Promise<void> {
  const task = h.store.requireTask();
  task.status = status;
  delete task.awaiting;
  if (detail.result !== undefined) task.result = detail.result;
  if (detail.error !== undefined) task.error = detail.error;
  h.store.saveTask(task);
  closeTaskSpan(h, status, detail.error ?? detail.reason);
  for (const s of h.store.steps())
    if (s.status === "pending" || s.status === "awaiting_approval" || s.status === "running") {
      s.status = status === "cancelled" ? "cancelled" : "skipped";
      s.finishedAt = new Date().toISOString();
      h.store.saveStep(s);
    }
  h.store.event(`task.${status}`, { ...(detail.error ? { error: detail.error } : {}), ...(detail.reason ? { reason: detail.reason } : {}), costUsd: task.costUsd, hops: task.hops });
  await h.store.audit(actor, `task.${status}`, { ...(detail.reason ? { reason: detail.reason } : {}), ...(detail.error ? { error: detail.error } : {}), resultHash: await contentHash(detail.result ?? null) });
  await h.statusChanged?.(task);
}

/** Asks the planner specialist for a plan and validates it; an invalid plan fails the task. */
export async function plan(h: EngineHost, rt: Runtime, task: TaskDoc): Promise<void> {
  const planner = rt.registry.get(task.planner ?? "");
  if (!planner) return finish(h, "failed", "router", { error: `planner '${task.planner}' is not registered` });
  const specialists = rt.config.specialists.map((s) => ({ id: s.id, description: s.description, intents: s.intents.map((i) => i.label) }));
  const span = startStepSpan(h, "plan", "plan");
  // the planner's call is a hop of the task like any other: governed by its per-task limits
  const totals = { hops: task.hops, costUsd: task.costUsd };
  // the planner plans from the goal's text: the message's files go to the steps, not to it
  const outcome = await runStep({ ...stepCall(h, rt, task, { id: "plan", input: task.goal, dependsOn: [], requireApproval: false }, task.goal, `${task.id}/plan`, { specialists }, planner), parts: undefined, task: totals, trace: span.trace }, background);
  finishStepSpan(h, rt, span, outcome.ok ? { status: "succeeded" } : { status: "failed", error: outcome.detail });
  if (!outcome.ok) return finish(h, "failed", "router", { error: `planner failed: ${outcome.detail}` });
  const raw = (outcome.output as { plan?: unknown })?.plan ?? outcome.output;
  const parsed = Plan.safeParse(raw);
  const unknown = parsed.success ? parsed.data.steps.flatMap((s) => [s.specialist, s.verifier, ...(s.ensemble?.specialists ?? []), s.ensemble?.judge, s.hedge?.specialist]).filter((id) => id !== undefined && !rt.registry.has(id)) : [];
  if (!parsed.success || unknown.length > 0) {
    const why = parsed.success ? `unknown specialists ${unknown.join(", ")}` : parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    return finish(h, "failed", "router", { error: `planner '${planner.id}' returned an invalid plan: ${why}` });
  }
  const t = h.store.requireTask();
  if (t.status !== "planning") return;
  t.plan = parsed.data;
  t.status = "running";
  t.costUsd += outcome.costUsd;
  t.hops += 1;
  h.store.saveTask(t);
  initialSteps(parsed.data).forEach((s, i) => h.store.saveStep(s, i));
  h.store.event("task.planned", { planner: planner.id, steps: parsed.data.steps.map((s) => s.id) });
  await h.statusChanged?.(t);
  await h.store.audit("router", "task.planned", { planner: planner.id, planHash: await contentHash(parsed.data) });
}

/** Most `step.progress` events one step call records; what the specialist says beyond that is not recorded (its answer is). */
export const MAX_PROGRESS_EVENTS = 100;
/** Longest text a `step.progress` event carries, in characters (an artifact chunk can be a whole document). */
export const MAX_PROGRESS_TEXT = 2_000;

/**
 * Records what a step's specialist says mid-call (a streaming A2A agent's status
 * updates and artifact chunks) as `step.progress` events, as it arrives, so the
 * task's SSE feed and A2A streams show it before the step ends: at most
 * {@link MAX_PROGRESS_EVENTS} per call, texts cut to {@link MAX_PROGRESS_TEXT}, none
 * once the task has ended (cancelled while the call runs). Progress is not audited
 * (it decides nothing) and never fails the step.
 */
export function progressRecorder(h: EngineHost, stepId: string, signal: AbortSignal): NonNullable<StepCall["progress"]> {
  let recorded = 0;
  return (p) => {
    if (recorded >= MAX_PROGRESS_EVENTS || signal.aborted) return;
    try {
      if (TERMINAL.has(h.store.task()?.status ?? "failed")) return;
      recorded++;
      const text = p.text !== undefined && p.text.length > MAX_PROGRESS_TEXT ? `${p.text.slice(0, MAX_PROGRESS_TEXT)}…` : p.text;
      h.store.event("step.progress", { step: stepId, ...p, ...(text !== undefined ? { text } : {}) });
    } catch (e) {
      console.warn(JSON.stringify({ msg: "step progress not recorded", step: stepId, error: String(e) }));
    }
  };
}

export function stepCall(h: EngineHost, rt: Runtime, task: TaskDoc, step: StepSpec, input: string, key: string, extra: Record<string, unknown> = {}, force?: StepCall["force"]): StepCall {
  const context: Record<string, unknown> = { ...(task.context ?? {}), task: { id: task.id, step: step.id }, ...extra };
  if (task.contextRef) context.contextRef = { url: `/v1/tasks/${task.id}/context/${task.contextRef.sha256}`, ...task.contextRef };
  const signal = h.abortSignal(step.id); // once: each call makes the step's cancel controller anew
  return {
    rt,
    env: h.env,
    call: callSpecialist,
    step,
    input,
    idempotencyKey: key,
    context,
    traceparent: task.traceparent,
    knownIntentId: input === task.input ? task.intentId : undefined,
    ...(input === task.input && task.inputParts ? { parts: task.inputParts as unknown as InputPart[] } : {}),
    signal,
    progress: progressRecorder(h, step.id, signal),
    tenant: task.tenant,
    ...(force ? { force } : {}),
  };
}

/**
 * Records a new task in its (empty) storage: the task document, its callback, its
 * context (inline, or stored once by hash when large), its spans, steps, first event
 * and the audit entries of its creation (hashes of what it was given, the message's
 * parts included). The caller arms the alarm and indexes it.
 */
export async function recordNewTask(store: TaskStore, callbacks: TaskCallbacks, init: TaskInit): Promise<TaskDoc> {
    const now = new Date().toISOString();
    const task: TaskDoc = {
      id: init.id,
      tenant: init.tenant,
      goal: init.goal,
      input: init.input,
      status: init.plan ? "running" : "planning",
      plan: init.plan,
      planner: init.planner,
      workflow: init.workflow,
      bodyHash: init.bodyHash,
      createdAt: now,
      updatedAt: now,
      approvalTtlSeconds: init.approvalTtlSeconds,
      traceparent: init.traceparent,
      costUsd: 0,
      hops: 0,
      ...(init.intentId ? { intentId: init.intentId } : {}),
      ...(init.inputParts ? { inputParts: init.inputParts } : {}),
      ...(init.a2aContextId ? { a2aContextId: init.a2aContextId } : {}),
      ...(init.inputGate ? { inputGate: init.inputGate } : {}),
      ...(init.inputScreening ? { inputScreening: init.inputScreening } : {}),
      ...(init.callback ? { callback: { url: init.callback.url, signed: init.callback.secret !== undefined } } : {}),
    };
    if (init.callback) callbacks.set(init.callback);
    if (init.context) {
      const json = canonicalJson(init.context);
      if (json.length >= init.contextInlineBytes) {
        const sha256 = await contentHash(init.context);
        store.putBlob(sha256, json);
        task.contextRef = { sha256, bytes: json.length };
      } else task.context = init.context;
    }
    store.saveTask(task);
    openTaskSpan(store, task);
    if (init.plan) initialSteps(init.plan).forEach((s, i) => store.saveStep(s, i));
    store.event("task.created", { status: task.status, steps: init.plan?.steps.map((s) => s.id) ?? [] });
    await store.audit(init.actor, "task.created", {
      source: init.plan ? (init.workflow ? `workflow:${init.workflow}` : "plan") : `planner:${init.planner}`,
      goalHash: await contentHash(init.goal),
      inputHash: await contentHash(init.input),
      planHash: await contentHash(init.plan),
      ...(init.inputParts ? { partsHash: await contentHash(init.inputParts) } : {}),
      ...(task.contextRef ? { contextHash: task.contextRef.sha256 } : {}),
    });
    if (init.callback) await store.audit(init.actor, "callback.set", { url: shownUrl(init.callback.url), urlHash: await contentHash(init.callback.url), signed: init.callback.secret !== undefined });
  return task;
}

/** A step whose gate a human approved: an unverified output becomes its output (succeeded), else it runs (pending); it will not pause again. Changes and returns `step`. */
export function approvedStep(step: StepDoc): StepDoc {
  if (step.unverifiedOutput !== undefined) {
    step.status = "succeeded";
    step.output = step.unverifiedOutput;
    delete step.unverifiedOutput;
    step.finishedAt = new Date().toISOString();
  } else step.status = "pending";
  step.approved = true;
  return step;
}
