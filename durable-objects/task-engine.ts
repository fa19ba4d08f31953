import { canonicalJson, contentHash } from "../worker/tasks/audit.ts";
import { blockedSteps, combineOutputs, readySteps, renderArguments, renderInput, type StepSpec, type StepStatus } from "../worker/tasks/plan.ts";
import { callsMade, runStep, verifyOutput } from "../worker/tasks/runner.ts";
import { coordinatedStep, coordinationSummary } from "./task-coordination.ts";
import { inputTooLong } from "../worker/routing/input-limit.ts";
import { screenableText, screenUnder, type ScreeningResult } from "../worker/policy/screening.ts";
import { TERMINAL } from "../worker/tasks/types.ts";
import { getRuntime, type Runtime } from "../worker/runtime.ts";
import { stoppedBy, switchState } from "../worker/control.ts";
import { background, finish, openGate, plan, stepCall, type EngineHost } from "./task-lifecycle.ts";
import { finishStepSpan, startStepSpan } from "./task-trace.ts";
import { launchRound } from "./task-dispatch.ts";
import type { Totals } from "./task-in-flight.ts";
import type { StepTrace } from "../worker/observe/step-spans.ts";
import type { StepOutcome } from "../worker/tasks/runner.ts";
import type { StepDoc } from "../worker/tasks/types.ts";

export { finish, initialSteps, type EngineHost } from "./task-lifecycle.ts";

/** Records a step's screening flag: on the step, as a `step.flagged` event and in the audit trail. */
async function recordFlag(h: EngineHost, rt: Runtime, doc: StepDoc, on: "input" | "output", result: ScreeningResult): Promise<void> {
  doc.screening = result;
  const detail = { step: doc.id, ...(on === "input" ? { on } : {}), signals: result.signals, score: result.score, mode: rt.config.screening.mode };
  h.store.event("step.flagged", detail);
  await h.store.audit("router", "step.flagged", detail);
}

/**
 * Screens a step's input or output under the configured mode and records a flag:
 * `undefined` to go on (it passed, or was only flagged), else what stops the step
 * (`approval`: a human gate; `deny`: a refusal) and why.
 */
async function screenStep(h: EngineHost, rt: Runtime, doc: StepDoc, on: "input" | "output", content: unknown): Promise<{ action: "approval" | "deny"; reason: string } | undefined> {
  const verdict = screenUnder(rt.config.screening, screenableText(content));
  if (verdict.action === "pass") return undefined;
  await recordFlag(h, rt, doc, on, verdict.result);
  if (verdict.action === "flag") return undefined;
  return { action: verdict.action, reason: `${on} flagged as a possible prompt injection (${verdict.result.signals.join(", ")})` };
}

/** Refusals that pass: a pool or tenant over its limit, an open circuit, the specialist's own 429. */
const TRANSIENT = new Set(["over_limit", "circuit_open", "rate_limited"]);

/**
 * Puts a step refused for a transient reason back to wait, instead of failing it: it
 * runs again after the refusal's `Retry-After` (at most 0.25 s × 2^waits, so a slot
 * that frees early is used early), for as long as `tasks.maxStepWaitSeconds` allows
 * from its first wait. True when it waits.
 */
async function waitOut(h: EngineHost, rt: Runtime, doc: StepDoc, outcome: Extract<StepOutcome, { ok: false }>): Promise<boolean> {
  if (!TRANSIENT.has(outcome.kind ?? "")) return false;
  const now = Date.now();
  const since = doc.waitingSince ?? now;
  const hinted = outcome.attempts.map((a) => a.failure?.retryAfterSeconds).filter((x): x is number => x !== undefined);
  const waits = doc.waits ?? 0;
  const seconds = Math.min(hinted.length ? Math.min(...hinted) : 1, 0.25 * 2 ** waits);
  if (now + seconds * 1000 - since > rt.config.tasks.maxStepWaitSeconds * 1000) return false;
  doc.status = "pending";
  doc.waitingSince = since;
  doc.waits = waits + 1;
  doc.notBefore = now + Math.ceil(seconds * 1000);
  h.store.saveStep(doc);
  h.store.event("step.waiting", { step: doc.id, reason: outcome.detail, until: new Date(doc.notBefore).toISOString() });
  return true;
}

/** Runs of a step that may end in an exception (or an interrupted run) before the step fails with the reason. */
export const MAX_STEP_CRASHES = 3;

/**
 * Runs one ready step in its span (task → step → intent, admission, calls,
 * verification). A run that throws (a bug, storage refusing a write) is counted; the
 * step runs again on the next round, and fails with the reason after
 * {@link MAX_STEP_CRASHES}, so a poison step cannot keep the task running forever.
 * The same for a step run inline in a drive round and for one dispatched through the
 * steps queue (`attempt`: the attempt it was dispatched as, already counted).
 */
export async function execute(h: EngineHost, rt: Runtime, spec: StepSpec, totals: Totals, attempt?: number): Promise<void> {
  const span = startStepSpan(h, "step", spec.id, spec.intent);
  try {
    await executeStep(h, rt, spec, span.trace, totals, attempt);
  } catch (e) {
    await crashed(h, spec.id, e);
  } finally {
    finishStepSpan(h, rt, span, h.store.steps().find((s) => s.id === spec.id));
  }
}

/** Whether the task has ended (cancelled, rejected) while this step was working. */
function ended(h: EngineHost): boolean {
  return TERMINAL.has(h.store.task()?.status ?? "failed");
}

/** Leaves a step of an ended task: the calls it made are counted, nothing else is written. */
async function discard(h: EngineHost, doc: StepDoc, cost: number, hops: number): Promise<void> {
  const task = h.store.requireTask();
  task.costUsd += cost;
  task.hops += hops;
  h.store.saveTask(task);
  h.release(doc.id);
}

/** Whether a kill switch stops this task's work now (read fresh from the control plane). */
export async function stoppedNow(h: EngineHost, task: { tenant: string }): Promise<string | undefined> {
  return stoppedBy(await switchState(h.env, { fresh: true }), task.tenant);
}

/** Cancels the task because a kill switch is on, after counting the calls the step already made. */
async function cancelByKillSwitch(h: EngineHost, doc: StepDoc, cost: number, hops: number): Promise<void> {
  const task = h.store.requireTask();
  const stop = await stoppedNow(h, task);
  h.release(doc.id);
  if (TERMINAL.has(task.status)) return;
  task.costUsd += cost;
  task.hops += hops;
  h.store.saveTask(task);
  await finish(h, "cancelled", "kill-switch", { reason: stop ?? "a kill switch", error: `cancelled by ${stop ?? "a kill switch"}` });
}

/** Ends a step as failed before or instead of its call: recorded, released, told (event and audit). */
async function failStep(h: EngineHost, doc: StepDoc, error: string): Promise<void> {
  doc.status = "failed";
  doc.error = error;
  doc.finishedAt = new Date().toISOString();
  delete doc.leaseUntil;
  h.store.saveStep(doc);
  h.release(doc.id);
  h.store.event("step.failed", { step: doc.id, error, attempts: doc.attempts });
  await h.store.audit("router", "step.failed", { step: doc.id, error });
}

async function crashed(h: EngineHost, id: string, e: unknown): Promise<void> {
  const reason = (e as Error)?.message ?? String(e);
  h.release(id);
  const doc = h.store.steps().find((s) => s.id === id);
  if (!doc || TERMINAL.has(h.store.task()?.status ?? "failed")) return;
  doc.crashes = (doc.crashes ?? 0) + 1;
  delete doc.leaseUntil;
  if (doc.crashes >= MAX_STEP_CRASHES) return failStep(h, doc, `the step crashed ${doc.crashes} times: ${reason}`);
  doc.status = "pending";
  h.store.saveStep(doc);
  h.store.event("step.crashed", { step: id, crashes: doc.crashes, error: reason });
  await h.store.audit("router", "step.crashed", { step: id, crashes: doc.crashes, error: reason });
}

/** Runs one ready step to its end: call, verify (fallback, then a human), record. */
async function executeStep(h: EngineHost, rt: Runtime, spec: StepSpec, trace: StepTrace, totals: Totals, attempt?: number): Promise<void> {
  const task = h.store.requireTask();
  const steps = h.store.steps();
  const doc = h.store.requireStep(spec.id, steps);
  const outputs = new Map(steps.filter((s) => s.status === "succeeded").map((s) => [s.id, s.output]));
  const vars = { input: task.input, goal: task.goal, outputs };
  const toolArguments = spec.tool ? renderArguments(spec.arguments ?? {}, vars) : undefined;
  // a tool step's input is its arguments' JSON: screened, bounded and hashed like any input
  const input = toolArguments ? canonicalJson(toolArguments) : renderInput(spec.input, vars);
  // a template can expand a small request into a huge specialist body: bounded like any input
  const tooLong = inputTooLong(input, rt.config.router.maxInputChars, "the step's templated input");
  if (tooLong) return failStep(h, doc, tooLong);
  const stop = doc.approved ? undefined : await screenStep(h, rt, doc, "input", input); // a rendered input can carry other steps' outputs
  if (stop?.action === "approval") {
    delete doc.leaseUntil;
    h.store.saveStep(doc);
    h.release(spec.id);
    return openGate(h, spec.id, stop.reason);
  }
  if (stop?.action === "deny") return failStep(h, doc, `${stop.reason}: refused by screening`);
  doc.status = "running";
  doc.attempts = attempt ?? doc.attempts + 1; // a dispatched run was counted when it was sent
  doc.input = input;
  doc.startedAt = new Date().toISOString();
  h.store.saveStep(doc);
  h.store.event("step.started", { step: spec.id, attempt: doc.attempts });
  await h.store.audit("router", "step.started", { step: spec.id, attempt: doc.attempts, inputHash: await contentHash(input) });

  const key = `${task.id}/${spec.id}`;
  const governed = { task: totals, approved: doc.approved === true };
  // an ensemble or hedge (a step's own, or a coordination rule's) makes its calls; else the step makes one
  const coordinated = await coordinatedStep(h, rt, task, spec, input, key, governed, trace);
  let outcome = coordinated?.outcome ?? (await runStep({ ...stepCall(h, rt, task, spec, input, key), ...governed, toolArguments, trace }, background));
  let cost = coordinated?.cost ?? (outcome.ok ? outcome.costUsd : 0);
  let hops = coordinated?.hops ?? callsMade(outcome.attempts);
  let gate: string | undefined = coordinated?.gate;
  if (coordinated) {
    doc.coordination = coordinated.record;
    h.store.event("step.coordinated", { step: spec.id, ...coordinationSummary(coordinated.record) });
    await h.store.audit("router", "step.coordinated", { step: spec.id, ...coordinationSummary(coordinated.record) });
  }
  if (outcome.ok && spec.verifier && !gate) {
    const verifier = rt.registry.get(spec.verifier);
    for (let round = 0; outcome.ok && verifier; round++) {
      if (ended(h)) return discard(h, doc, cost, hops);
      if (await stoppedNow(h, task)) return cancelByKillSwitch(h, doc, cost, hops);
      const verifyCalls = { n: 0, costUsd: 0 };
      const v = await verifyOutput({ ...stepCall(h, rt, task, spec, input, `${key}/verify/${round}`), ...governed, trace }, verifier, { output: outcome.output, specialist: outcome.specialist.id }, verifyCalls);
      hops += verifyCalls.n;
      cost += verifyCalls.costUsd; // the verifier's calls are the task's cost, as its hops
      if (ended(h)) return discard(h, doc, cost, hops); // cancelled while the verifier ran: nothing more is written or called
      doc.verdicts.push({ verifier: verifier.id, specialist: outcome.specialist.id, ...v, at: new Date().toISOString() });
      h.store.event("step.verified", { step: spec.id, specialist: outcome.specialist.id, pass: v.pass, score: v.score, reason: v.reason });
      await h.store.audit(verifier.id, "step.verified", { step: spec.id, specialist: outcome.specialist.id, pass: v.pass, score: v.score, reason: v.reason });
      if (v.pass) break;
      const fallback = round === 0 ? rt.registry.get(outcome.specialist.fallbacks[0] ?? "") : undefined;
      if (!fallback) {
        gate = `verification failed: ${v.reason}`;
        break;
      }
      if (ended(h)) return discard(h, doc, cost, hops);
      if (await stoppedNow(h, task)) return cancelByKillSwitch(h, doc, cost, hops);
      outcome = await runStep({ ...stepCall(h, rt, task, spec, input, `${key}/fallback`, {}, fallback), ...governed, trace }, background);
      cost += outcome.ok ? outcome.costUsd : 0;
      hops += callsMade(outcome.attempts);
    }
    if (!verifier) outcome = { ok: false, detail: `verifier '${spec.verifier}' is not registered`, attempts: outcome.attempts };
  }
  if (outcome.ok && !gate) {
    const stop = await screenStep(h, rt, doc, "output", outcome.output);
    if (stop?.action === "approval") gate = stop.reason;
    else if (stop?.action === "deny") outcome = { ok: false, detail: `${stop.reason}: refused by screening`, attempts: outcome.attempts };
  }

  const t = h.store.requireTask();
  t.costUsd += cost;
  t.hops += hops;
  h.store.saveTask(t);
  doc.costUsd += cost;
  delete doc.leaseUntil;
  h.release(spec.id);
  if (TERMINAL.has(t.status)) return; // cancelled while the call ran: the result is discarded
  if (!outcome.ok && await waitOut(h, rt, doc, outcome)) return;
  if (!outcome.ok && outcome.kind === "approval_required" && !doc.approved) {
    doc.status = "pending";
    h.store.saveStep(doc);
    return openGate(h, spec.id, outcome.detail.replace(/^[^:]+: /, ""));
  }
  if (!outcome.ok) {
    doc.status = "failed";
    doc.error = outcome.detail;
    doc.finishedAt = new Date().toISOString();
    h.store.saveStep(doc);
    h.store.event("step.failed", { step: spec.id, error: outcome.detail, attempts: outcome.attempts.length });
    await h.store.audit("router", "step.failed", { step: spec.id, error: outcome.detail });
    return;
  }
  doc.specialist = outcome.specialist.id;
  if (outcome.intentId) doc.intentId = outcome.intentId;
  if (gate) {
    if (await stoppedNow(h, task)) return cancelByKillSwitch(h, doc, cost, hops);
    doc.unverifiedOutput = outcome.output;
    h.store.saveStep(doc);
    return openGate(h, spec.id, gate);
  }
  doc.status = "succeeded";
  doc.output = outcome.output;
  doc.finishedAt = new Date().toISOString();
  h.store.saveStep(doc);
  h.store.event("step.succeeded", { step: spec.id, specialist: outcome.specialist.id, costUsd: cost });
  await h.store.audit(outcome.specialist.id, "step.succeeded", { step: spec.id, specialist: outcome.specialist.id, outputHash: await contentHash(outcome.output), costUsd: cost });
}

/** Rounds one alarm invocation runs before it re-arms the alarm and returns. */
export const MAX_DRIVE_ROUNDS = 1000;

/**
 * Drives a task as far as it can go now: plans, resumes runs whose lease expired
 * (a crash mid-step, a lost queue message), starts every ready step in parallel (the
 * first `tasks.inlineSteps` here, the rest dispatched through the steps queue:
 * task-dispatch.ts), opens approval gates,
 * and ends the task, arming the alarm for whatever it then waits on (a gate, a
 * backoff, a step's lease). After `MAX_DRIVE_ROUNDS` rounds it arms the alarm for now
 * (or `maxRounds`) and returns, so a task is never left without one. Called from the alarm; safe to
 * call again at any point.
 */
export async function drive(h: EngineHost, maxRounds = MAX_DRIVE_ROUNDS): Promise<void> {
  const rt = await getRuntime(h.env);
  for (let round = 0; round < maxRounds; round++) {
    const task = h.store.task();
    if (!task || TERMINAL.has(task.status)) return;
    if (task.status === "planning") {
      await plan(h, rt, task);
      continue;
    }
    const stoppedAtGate = task.status === "awaiting_approval" ? await stoppedNow(h, task) : undefined;
    if (stoppedAtGate) return finish(h, "cancelled", "kill-switch", { reason: stoppedAtGate, error: `cancelled by ${stoppedAtGate}` });
    if (task.status === "awaiting_approval") {
      if (task.awaiting && Date.now() >= task.awaiting.expiresAt) return finish(h, "rejected", "system", { reason: "approval expired", error: `approval for step '${task.awaiting.step}' expired` });
      return h.setAlarm(task.awaiting?.expiresAt ?? Date.now() + 60_000);
    }
    const plan_ = task.plan;
    // past planning a task always has its plan: without one it cannot go on, and says so
    if (!plan_) return finish(h, "failed", "router", { error: `the task is ${task.status} without a plan` });
    let steps = h.store.steps();
    const now = Date.now();
    for (const stale of steps)
      if (stale.status === "running" && (stale.leaseUntil ?? 0) <= now) {
        // read again: a dispatched run may have begun (renewing the lease) or ended while an earlier resume was audited
        const s = h.store.step(stale.id);
        if (!s || s.status !== "running" || (s.leaseUntil ?? 0) > now) continue;
        if (s.attempts >= MAX_STEP_CRASHES) {
          // interrupted run after run (it kills its isolate, or never finishes): fail it rather than call again
          await failStep(h, s, `the step was interrupted ${s.attempts} times (its lease expired each time)`);
          continue;
        }
        s.status = "pending";
        delete s.dispatch; // its message, if it still comes, finds the step no longer dispatched
        h.store.saveStep(s);
        h.store.event("step.resumed", { step: s.id, attempt: s.attempts });
        await h.store.audit("router", "step.resumed", { step: s.id, reason: "lease expired: the run was interrupted" });
      }
    steps = h.store.steps();
    const status = new Map<string, StepStatus>(steps.map((s) => [s.id, s.status]));
    const failed = steps.find((s) => s.status === "failed");
    if (failed && !steps.some((s) => s.status === "running")) return finish(h, "failed", "router", { error: `step '${failed.id}' failed: ${failed.error}` });
    for (const id of blockedSteps(plan_, status)) status.set(id, "skipped");
    if (steps.every((s) => s.status === "succeeded"))
      return finish(h, "succeeded", "router", { result: combineOutputs(plan_, new Map(steps.map((s) => [s.id, s.output]))) });
    const waiting = steps.filter((s) => s.status === "pending" && (s.notBefore ?? 0) > now);
    const ready = failed ? [] : readySteps(plan_, status).filter((s) => !waiting.some((w) => w.id === s.id));
    const gated = ready.find((s) => s.requireApproval && !h.store.requireStep(s.id, steps).approved);
    if (gated) return openGate(h, gated.id, `step '${gated.id}' requires approval`);
    if (task.inputGate && ready[0] && !steps.some((d) => d.approved)) return openGate(h, ready[0].id, task.inputGate);
    if (ready.length === 0) {
      const wakeUps = [...steps.filter((s) => s.status === "running").map((s) => s.leaseUntil ?? now), ...waiting.map((s) => s.notBefore ?? now)];
      return wakeUps.length ? h.setAlarm(Math.min(...wakeUps)) : undefined;
    }
    // every step start checks the kill switches (read fresh): a switched-off router or tenant cancels the task
    const stop = await stoppedNow(h, task);
    if (stop) return finish(h, "cancelled", "kill-switch", { reason: stop, error: `cancelled by ${stop}` });
    if (ended(h)) return; // cancelled while the switches were read
    // leases every ready step; runs the first tasks.inlineSteps here, dispatches the rest through the steps queue
    const inline = await launchRound(h, rt, task, ready, now);
    // the totals of the runs in progress: each admitted call reserves its hop and cost in them
    const stored = h.store.requireTask(); // read again: a dispatched run may have ended, and counted its calls, meanwhile
    const totals = h.inFlight ? h.inFlight.open(stored, inline.length) : { hops: stored.hops, costUsd: stored.costUsd };
    await Promise.all(inline.map((s) => execute(h, rt, s, totals).finally(() => h.inFlight?.close())));
  }
  // a long run of rounds: hand over to a fresh alarm invocation rather than stop with none armed
  await h.setAlarm(Date.now());
}
