import { DurableObject } from "cloudflare:workers";
import type { JsonObject } from "../worker/json.ts";
import { controlStub } from "../worker/control.ts";
import type { Env } from "../worker/env.ts";
import { anchored, verifyChain, type AuditEntry, type ChainVerdict } from "../worker/tasks/audit.ts";
import { approvalReport } from "../worker/tasks/approvals.ts";
import type { Plan } from "../worker/tasks/plan.ts";
import { A2A_CONTEXT_KEY, TERMINAL, type StepDoc, type TaskDoc, type TaskEvent } from "../worker/tasks/types.ts";
import { drive, finish, type EngineHost } from "./task-engine.ts";
import { approvedStep, recordNewTask } from "./task-lifecycle.ts";
import { runDispatched } from "./task-dispatched.ts";
import { InFlight } from "./task-in-flight.ts";
import type { StepReport } from "../worker/queues/step-run.ts";
import { TaskStore } from "./task-store.ts";
import { TaskCallbacks } from "./task-callbacks.ts";
import { TaskMessages, type AddResult, type StoredMessage } from "./task-messages.ts";
import { TaskPushConfigs, type PushConfigAnswer, type PushConfigOp } from "./task-push-configs.ts";
import type { SpanRecord } from "../worker/observe/span.ts";
import type { Callback } from "../worker/queues/callbacks.ts";
import { takePick } from "./task-coordination.ts";

/** What the Worker hands a new TaskAgent. */
export interface TaskInit {
  id: string;
  tenant: string;
  actor: string;
  goal: string;
  input: string;
  plan: Plan | null;
  planner: string | null;
  workflow: string | null;
  bodyHash: string;
  context?: JsonObject;
  /** Context at least this large (bytes of JSON) is stored once and sent by reference. */
  contextInlineBytes: number;
  approvalTtlSeconds: number;
  intentId?: string;
  traceparent: string;
  inputGate?: string;
  inputScreening?: { flagged: boolean; score: number; signals: string[] };
  /** Where state changes are POSTed (docs/queues.md, "Webhooks"); its secret is stored apart and never shown. */
  callback?: Callback;
  /** The A2A message's parts beyond text (TaskDoc `inputParts`: worker/routing/hop.ts `InputPart`s as JSON). */
  inputParts?: JsonObject[];
  /** The A2A message's contextId (TaskDoc `a2aContextId`). */
  a2aContextId?: string;
}

/** A task with its steps, as `GET /v1/tasks/:id` shows it. */
export type TaskView = TaskDoc & { steps: StepDoc[] };

export type CreateResult = { kind: "created" | "existing"; task: TaskView } | { kind: "conflict" };
export type GateResult = { ok: true; task: TaskView } | { ok: false; reason: "not_found" | "not_awaiting" | "terminal" | "expired" } | { ok: false; reason: "bad_pick"; detail: string };

/**
 * One task, from submission to its end (DESIGN §1): plan, steps, verification,
 * approvals and a hash-chained audit log, all in SQLite; one alarm drives it, so
 * a restart resumes where it stopped. Called through RPC; every method takes the
 * caller's tenant, and another tenant sees nothing.
 */

export class TaskAgent extends DurableObject<Env> {
  #storeInstance: TaskStore | undefined;
  #callbacksInstance: TaskCallbacks | undefined;
  #messagesInstance: TaskMessages | undefined;
  #pushInstance: TaskPushConfigs | undefined;
  readonly #aborts = new Map<string, AbortController>();
  /** The step runs going on in this instance, and the totals they share. */
  readonly #inFlight = new InFlight();
  #driving: Promise<void> | undefined;
  /** One more drive, queued behind the one running (an alarm that fired meanwhile). */
  #again: Promise<void> | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
  }

  /**
   * The task's storage, created on first use: an object asked about a task that does
   * not exist (a mistyped id) answers "not found" without writing anything.
   */
  get #store(): TaskStore {
    // each new head of the audit chain is anchored in the control plane, outside this object
    this.#storeInstance ??= new TaskStore(
      this.ctx.storage.sql,
      async (head) => {
        const id = this.#store.task()?.id;
        if (id) await controlStub(this.env)?.anchor(`task:${id}`, head.seq, head.hash);
      },
      (e) => (this.#callbacks.recorded(e), this.#push.recorded(e)),
    );
    return this.#storeInstance;
  }

  /** The task's callback and its outbox (created with the store, on first use). */
  get #callbacks(): TaskCallbacks {
    return (this.#callbacksInstance ??= new TaskCallbacks(this.ctx.storage.sql, () => this.#store));
  }

  /** The task's A2A message history (created on first use). */
  get #messages(): TaskMessages {
    this.#messagesInstance ??= new TaskMessages(this.ctx.storage.sql);
    return this.#messagesInstance;
  }

  /** The task's A2A push notification configs and their outbox (created on first use). */
  get #push(): TaskPushConfigs {
    return (this.#pushInstance ??= new TaskPushConfigs(this.ctx.storage.sql, () => this.#store));
  }

  /** Puts recorded callback events and push notifications on the webhooks queue (the alarm retries what it refused). */
  async #tell(): Promise<void> {
    await this.#callbacks.tell(this.env, this.ctx.storage);
    await this.#push.tell(this.env, this.ctx.storage);
  }

  /** Whether this object holds a task at all (without creating its tables). */
  #exists(): boolean {
    return this.#storeInstance !== undefined || this.ctx.storage.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'task'").toArray().length > 0;
  }

  #host(): EngineHost {
    return {
      store: this.#store,
      env: this.env,
      setAlarm: (at) => this.ctx.storage.setAlarm(at),
      abortSignal: (id) => {
        const c = new AbortController();
        this.#aborts.set(id, c);
        return c.signal;
      },
      release: (id) => void this.#aborts.delete(id),
      inFlight: this.#inFlight,
      statusChanged: async (task) => {
        // the status, and the approval gate it waits on (the approvals inbox), in one call
        await controlStub(this.env)
          ?.taskChanged(task.id, task.status, approvalReport(task))
          .catch((e: unknown) => console.warn(JSON.stringify({ msg: "could not index task status", task: task.id, error: String(e) })));
        await this.#tell();
      },
    };
  }

  /** The task with its steps: called once it exists (an owned or just created task). */
  #view(): TaskView {
    // the message's parts (files as base64) are the steps' input, not part of the view
    const { inputParts: _parts, ...task } = this.#store.requireTask();
    return { ...task, steps: this.#store.steps() };
  }

  #owned(tenant: string): TaskDoc | undefined {
    if (!this.#exists()) return undefined;
    const task = this.#store.task();
    return task && task.tenant === tenant ? task : undefined;
  }

  /**
   * Creates the task, or returns it again for the same body (idempotent), or reports a
   * conflict. The task is stored and its alarm armed before it is indexed in the
   * control plane; if indexing fails the call throws, and a retry with the same body
   * indexes it then (and re-arms an alarm that is missing), so no retry ever finds a
   * task that will not run.
   */
  async create(init: TaskInit): Promise<CreateResult> {
    const existing = this.#store.task();
    if (existing) {
      // the hash leaves the callback's secret out (it is shown): a different secret is a different body too
      if (existing.bodyHash !== init.bodyHash || existing.tenant !== init.tenant || this.#callbacks.get()?.secret !== init.callback?.secret) return { kind: "conflict" };
      await this.#started(existing);
      return { kind: "existing", task: this.#view() };
    }
    const task = await recordNewTask(this.#store, this.#callbacks, init);
    await this.ctx.storage.setAlarm(Date.now());
    await this.#started(task);
    return { kind: "created", task: this.#view() };
  }

  /** Makes sure a created task is indexed in the control plane and, unless it ended, has an alarm to drive it. */
  async #started(task: TaskDoc): Promise<void> {
    if (!TERMINAL.has(task.status) && (await this.ctx.storage.getAlarm()) === null && !this.#driving) await this.ctx.storage.setAlarm(Date.now());
    if (task.indexed) return;
    const control = controlStub(this.env);
    const a2aContext = task.a2aContextId ?? task.context?.[A2A_CONTEXT_KEY];
    if (control) await control.trackTask(task.id, task.tenant, task.goal, (this.#store.task() ?? task).status, typeof a2aContext === "string" && a2aContext !== "" ? a2aContext : undefined);
    const current = this.#store.task();
    if (current) this.#store.saveTask({ ...current, indexed: true });
  }

  /** The task with its steps, or undefined (unknown, or another tenant's). */
  get(tenant: string): TaskView | undefined {
    return this.#owned(tenant) ? this.#view() : undefined;
  }

  /** The task with its A2A message history (oldest first), or undefined (unknown, or another tenant's). */
  getWithMessages(tenant: string): { task: TaskView; messages: StoredMessage[] } | undefined {
    return this.#owned(tenant) ? { task: this.#view(), messages: this.#messages.all() } : undefined;
  }

  /** Appends messages to the task's A2A history (task-messages.ts): a message id already there is not added again. */
  addMessages(tenant: string, messages: StoredMessage[]): AddResult | "not_found" {
    return this.#owned(tenant) ? this.#messages.add(messages) : "not_found";
  }

  /**
   * Events after `seq` (the SSE feed) and whether the task has ended. With
   * `waitMs`, waits up to that long for the next event when there is none yet
   * (long polling: the feed hears of an event as soon as it is written).
   */
  async events(tenant: string, after: number, waitMs = 0): Promise<{ events: TaskEvent[]; done: boolean } | undefined> {
    const task = this.#owned(tenant);
    if (!task) return undefined;
    let events = this.#store.eventsAfter(after);
    if (events.length === 0 && waitMs > 0 && !TERMINAL.has(task.status)) {
      await this.#store.nextEvent(Math.min(waitMs, 30_000));
      events = this.#store.eventsAfter(after);
    }
    // read again after the wait: the task may have ended meanwhile
    return { events, done: TERMINAL.has(this.#store.requireTask().status) };
  }

  /** The audit chain and whether it verifies. */
  async audit(tenant: string): Promise<{ entries: AuditEntry[]; verification: ChainVerdict } | undefined> {
    const task = this.#owned(tenant);
    if (!task) return undefined;
    const entries = this.#store.auditLog();
    const chain = await verifyChain(entries);
    const anchor = await controlStub(this.env)?.anchorOf(`task:${task.id}`);
    return { entries, verification: anchored(chain, entries, anchor) };
  }

  /** The task's trace: its own span, each step's and plan's, and every span under them. */
  /* not `trace`: stubs reserve that name for the trace (tail) handler */
  traceOf(tenant: string): { traceId: string; spans: SpanRecord[]; droppedSpans: number } | undefined {
    if (!this.#owned(tenant)) return undefined;
    const spans = this.#store.spans.all();
    return { traceId: spans[0]?.traceId ?? "", spans, droppedSpans: this.#store.spans.dropped() };
  }

  /** Reads or changes the task's A2A push notification configs (task-push-configs.ts); undefined for an unknown task or another tenant's. */
  async pushConfigs(tenant: string, op: PushConfigOp, actor = `tenant:${tenant}`): Promise<PushConfigAnswer | undefined> {
    if (!this.#owned(tenant)) return undefined;
    const answer = this.#push.apply(op);
    await this.#push.audit(op, answer, actor);
    await this.#tell();
    return answer;
  }

  /** Large context stored by reference, by its hash. */
  context(tenant: string, sha256: string): string | undefined {
    return this.#owned(tenant) ? this.#store.blob(sha256) : undefined;
  }

  /** Resumes a task paused at an approval gate. An unverified output is accepted as the step's output. */
  async approve(tenant: string, actor: string, reason: string, pick?: string): Promise<GateResult> {
    const task = this.#owned(tenant);
    if (!task) return { ok: false, reason: "not_found" };
    if (task.status !== "awaiting_approval" || !task.awaiting) return { ok: false, reason: TERMINAL.has(task.status) ? "terminal" : "not_awaiting" };
    if (Date.now() >= task.awaiting.expiresAt) {
      // too late: the gate's expiry rule ends the task, whatever else is still running
      await finish(this.#host(), "rejected", "system", { reason: "approval expired", error: `approval for step '${task.awaiting.step}' expired` });
      for (const c of this.#aborts.values()) c.abort(new Error("approval expired"));
      return { ok: false, reason: "expired" };
    }
    const step = this.#store.requireStep(task.awaiting.step);
    const badPick = pick === undefined ? undefined : takePick(this.#store, step, pick);
    if (badPick !== undefined) return { ok: false, reason: "bad_pick", detail: badPick };
    this.#store.saveStep(approvedStep(step));
    const gate = task.awaiting;
    task.status = "running";
    delete task.awaiting;
    this.#store.saveTask(task);
    this.#store.event("task.approved", { step: gate.step, by: actor, reason, ...(pick ? { pick } : {}) });
    await this.#host().statusChanged?.(task);
    await this.#store.audit(actor, "approval.granted", { step: gate.step, reason, gate: gate.reason, ...(pick ? { pick } : {}) });
    await this.ctx.storage.setAlarm(Date.now());
    return { ok: true, task: this.#view() };
  }

  /** Ends a task paused at an approval gate as rejected. */
  async reject(tenant: string, actor: string, reason: string): Promise<GateResult> {
    const task = this.#owned(tenant);
    if (!task) return { ok: false, reason: "not_found" };
    if (task.status !== "awaiting_approval") return { ok: false, reason: TERMINAL.has(task.status) ? "terminal" : "not_awaiting" };
    await finish(this.#host(), "rejected", actor, { reason, error: `rejected by ${actor}: ${reason}` });
    await this.ctx.storage.deleteAlarm();
    await this.#tell(); // re-arms the alarm for an event the queue refused
    return { ok: true, task: this.#view() };
  }

  /** Kill switch: stops the task at once; calls in flight are aborted and their results discarded. */
  async cancel(tenant: string, actor: string, reason: string): Promise<GateResult> {
    const task = this.#owned(tenant);
    if (!task) return { ok: false, reason: "not_found" };
    if (TERMINAL.has(task.status)) return { ok: false, reason: "terminal" };
    await finish(this.#host(), "cancelled", actor, { reason });
    for (const c of this.#aborts.values()) c.abort(new Error("task cancelled"));
    await this.ctx.storage.deleteAlarm();
    await this.#tell(); // re-arms the alarm for an event the queue refused
    return { ok: true, task: this.#view() };
  }

  /**
   * Runs one step dispatched through the steps queue (the `step.run` consumer calls it
   * once the message ledger let its delivery through): in this call's own invocation,
   * through the same code as an inline step, recording the result here
   * (task-dispatched.ts). A report for another attempt, or for a task or step that
   * moved on, is ignored.
   */
  async runDispatchedStep(tenant: string, taskId: string, stepId: string, attempt: number): Promise<StepReport> {
    const task = this.#owned(tenant);
    if (!task || task.id !== taskId) return { ran: false, reason: "not_found" };
    return runDispatched(this.#host(), stepId, attempt);
  }

  /**
   * The only driver: runs whatever can run now, and re-arms itself for what waits. An
   * alarm that fires while a drive runs (a dispatched step's report arms one for now)
   * drives once more after it: that drive may have read the task before the report.
   */
  override async alarm(): Promise<void> {
    if (!this.#driving) await this.#drive();
    else {
      this.#again ??= this.#driving.then(
        () => this.#next(),
        () => this.#next(),
      );
      await this.#again;
    }
    if (this.#exists()) await this.#tell(); // and callback events the queue refused before
  }

  #next(): Promise<void> {
    this.#again = undefined;
    return this.#driving ?? this.#drive();
  }

  #drive(): Promise<void> {
    const d = drive(this.#host()).finally(() => {
      if (this.#driving === d) this.#driving = undefined;
    });
    this.#driving = d;
    return d;
  }
}
