/**
 * The A2A front door's side of TaskAgent tasks: start one from a message, read
 * it, cancel it, wait for it, follow its progress events. Thin wrappers over the
 * TaskAgent RPC methods, as `worker/routes/tasks.ts` uses them.
 */
import type { Context } from "hono";
import type { InputPart } from "../../routing/hop.ts";
import type { JsonObject } from "../../json.ts";
import type { TaskView } from "../../../durable-objects/task-agent.ts";
import type { AppEnv } from "../../env.ts";
import { contentFlagged } from "../../http/problem.ts";
import { TaskRequest } from "../../http/task-schemas.ts";
import { actorOf } from "../../http/auth.ts";
import { MAX_EVENT_STREAM_MS } from "../../routing/stream-slots.ts";
import { taskStub } from "../../tasks/task-stub.ts";
import { getRuntime } from "../../runtime.ts";
import { submitTask } from "../../tasks/submit.ts";
import { openTaskFeed, settled, waitSettled } from "../../tasks/follow.ts";
import { RPC, RpcFailure } from "./jsonrpc.ts";
import { agentStatusesOf, CONTEXT_KEY, contextIdOf, isStopEvent, limitHistory, progressEvents, statusMessage, taskToA2A } from "./mapping.ts";
import type { ListParams, SwitchyardOptions } from "./params.ts";
import { decodePageToken, encodePageToken, GATE_ANSWER_HELP, gateAnswer, isMultiStep, parseParams } from "./params.ts";
import { controlStub } from "../../control.ts";
import { decodeState, encodeTask, type Message, type StreamEvent, type Task } from "./wire.ts";
import type { StoredMessage } from "../../../durable-objects/task-messages.ts";
import { TERMINAL } from "../../tasks/types.ts";

/** Longest a blocking send waits for its task before answering with the task as it is. */
export const BLOCKING_WAIT_MS = 60_000;
/** Longest a task stream stays open. */
export const MAX_STREAM_MS = MAX_EVENT_STREAM_MS;

const TASK_ID = /^task_[0-9a-f]{32}$/;

/** TaskNotFound (-32001), naming the task. */
const taskNotFound = (id: string) => new RpcFailure(RPC.TASK_NOT_FOUND, `Task not found: ${id}`, { taskId: id });

/** A task id the router could have made, or -32001 (an id that cannot exist is not found either). */
function checkId(id: string): string {
  if (!TASK_ID.test(id)) throw taskNotFound(id);
  return id;
}

/** A message as a task's history keeps it: in the task, in its context. */
const inTask = (m: Message, taskId: string, contextId: string): StoredMessage => ({ ...m, taskId, contextId }) as unknown as StoredMessage;

/**
 * Starts a TaskAgent task for a message (its text is the goal) and keeps the message
 * as the first of the task's history. The plan: the one given, a workflow, a planner,
 * else the configured planner for a multi-clause goal, else one step — pinned to `specialist` when the
 * options name one, routed otherwise. A message with data or file parts hands them
 * (`parts`) to the steps that take the task's input. The task id comes from the idempotency key
 * (`metadata.switchyard.idempotencyKey`, else the message id), so sending the same
 * message again returns the same task; the same id with another body is -32602.
 */
export async function startA2aTask(c: Context<AppEnv>, a: { text: string; message: Message; options: SwitchyardOptions; parts?: InputPart[] | undefined }): Promise<TaskView> {
  const rt = await getRuntime(c.env);
  const p = c.get("principal");
  const o = a.options;
  const pinned = o.specialist ? { plan: { steps: [{ id: "main", specialist: o.specialist, input: "{{input}}" }] } } : undefined;
  const source = o.plan ? { plan: o.plan } : o.workflow ? { workflow: o.workflow } : o.planner !== undefined ? { planner: o.planner } : pinned ? pinned : rt.config.tasks.planner && isMultiStep(a.text) ? { planner: true as const } : {};
  const contextId = a.message.contextId;
  const context = { ...o.context, ...(contextId ? { [CONTEXT_KEY]: contextId } : {}) };
  // a message of files only: its goal names them (its steps get the files themselves)
  const goal = a.text || `${a.parts?.length ?? 0} file part(s): ${(a.parts ?? []).map((p) => (p.kind === "file" ? (p.name ?? p.mediaType ?? "file") : p.kind)).join(", ")}`;
  const body = parseParams(TaskRequest, {
    goal,
    ...source,
    ...(Object.keys(context).length ? { context } : {}),
    ...(o.approvalTtlSeconds !== undefined ? { approvalTtlSeconds: o.approvalTtlSeconds } : {}),
  });
  const idempotencyKey = o.idempotencyKey ?? `a2a:${a.message.messageId}`;
  const inputParts = a.parts as unknown as JsonObject[] | undefined;
  const s = await submitTask(c.env, rt, { tenant: p.tenant, actor: `${actorOf(p)} over A2A`, idempotencyKey, body, traceparent: c.get("traceparent"), inputParts, a2aContextId: contextId }, (pr) => c.executionCtx.waitUntil(pr));
  if (s.ok) {
    // the first message of the history; a resent message is already there
    await taskStub(c.env, s.task.id).addMessages(p.tenant, [inTask(a.message, s.task.id, contextIdOf(s.task))]);
    return s.task;
  }
  switch (s.reason) {
    case "invalid":
      throw new RpcFailure(RPC.INVALID_PARAMS, `Invalid params: ${s.detail}`, s.errors ? { errors: s.errors } : undefined);
    case "flagged":
      throw contentFlagged(s.detail, s.flagged);
    case "conflict":
      throw new RpcFailure(RPC.INVALID_PARAMS, "Invalid params: this message id (or idempotencyKey) was already used for a different message", {
        errors: [{ path: o.idempotencyKey ? "metadata.switchyard.idempotencyKey" : "message.messageId", message: "already used for a different message" }],
      });
  }
}

/** The task as an A2A Task with its history (the last `historyLength` messages), or -32001. */
export async function getA2aTask(c: Context<AppEnv>, rawId: string, historyLength: number | undefined): Promise<Task> {
  const id = checkId(rawId);
  const r = await taskStub(c.env, id).getWithMessages(c.get("principal").tenant);
  if (!r) throw new RpcFailure(RPC.TASK_NOT_FOUND, `Task not found: ${id}`, { taskId: id });
  return taskToA2A(r.task, limitHistory(r.messages as unknown as Message[], historyLength));
}

/**
 * A follow-up message to a task (`message.taskId`, A2A 1.0 §3.4.2): the task must be
 * the caller's (-32001), its `contextId` the message's if it gives one (-32602), and the
 * task waiting at an approval gate (`input-required`): the message then approves or
 * rejects it (`gateAnswer`), through the same TaskAgent call and audit entry as
 * `POST /v1/tasks/{id}/approve`, by the caller's key, and joins the task's history
 * after the agent's question. A task that ended takes no more messages (-32004, §3.1.1);
 * a running one neither (it asks nothing). Resending a message the task already has
 * decides nothing again: the task is answered as it is.
 */
export async function answerTask(c: Context<AppEnv>, message: Message): Promise<TaskView> {
  const id = checkId(message.taskId ?? "");
  const p = c.get("principal");
  const stub = taskStub(c.env, id);
  const now = await stub.getWithMessages(p.tenant);
  if (!now) throw new RpcFailure(RPC.TASK_NOT_FOUND, `Task not found: ${id}`, { taskId: id });
  const { task: view, messages } = now;
  const contextId = contextIdOf(view);
  if (message.contextId !== undefined && message.contextId !== contextId)
    throw new RpcFailure(RPC.INVALID_PARAMS, `Invalid params: message.contextId '${message.contextId}' is not task ${id}'s contextId '${contextId}'`, {
      errors: [{ path: "message.contextId", message: "does not match the task's contextId" }],
    });
  if (messages.some((m) => m.messageId === message.messageId)) return view;
  const state = taskToA2A(view).status.state;
  if (TERMINAL.has(view.status))
    throw new RpcFailure(RPC.UNSUPPORTED_OPERATION, `Task ${id} is ${state} and takes no more messages; send a new message with contextId '${contextId}' to continue the conversation`, { taskId: id });
  if (view.status !== "awaiting_approval" || !view.awaiting)
    throw new RpcFailure(RPC.UNSUPPORTED_OPERATION, `Task ${id} is ${state}: it takes a message only while it waits for an approval (input-required)`, { taskId: id });
  const answer = gateAnswer(message.parts);
  if (answer && answer.reason.length > 2000)
    throw new RpcFailure(RPC.INVALID_PARAMS, "Invalid params: the reason is over 2,000 characters", { errors: [{ path: "message.parts", message: "a reason of up to 2,000 characters" }] });
  if (!answer)
    throw new RpcFailure(RPC.INVALID_PARAMS, `Invalid params: task ${id} waits for approval of step '${view.awaiting.step}': ${GATE_ANSWER_HELP}`, {
      errors: [{ path: "message.parts", message: GATE_ANSWER_HELP }],
    });
  const question = statusMessage(view);
  const actor = `${actorOf(p, answer.by)} over A2A`;
  const r = answer.decision === "approve" ? await stub.approve(p.tenant, actor, answer.reason) : await stub.reject(p.tenant, actor, answer.reason);
  if (!r.ok) {
    if (r.reason === "not_found") throw new RpcFailure(RPC.TASK_NOT_FOUND, `Task not found: ${id}`, { taskId: id });
    const why = r.reason === "expired" ? "its approval expired and the task was rejected" : "it no longer waits for an approval";
    throw new RpcFailure(RPC.UNSUPPORTED_OPERATION, `Task ${id} takes no answer: ${why}`, { taskId: id });
  }
  await stub.addMessages(p.tenant, [...(question ? [inTask(question, id, contextId)] : []), inTask(message, id, contextId)]);
  return r.task;
}

/** The task, or -32001 (unknown, or another tenant's). */
export async function getTaskView(c: Context<AppEnv>, rawId: string): Promise<TaskView> {
  const id = checkId(rawId);
  const view = await taskStub(c.env, id).get(c.get("principal").tenant);
  if (!view) throw taskNotFound(id);
  return view;
}

/**
 * The TaskAgent kill switch: -32001 unknown. Idempotent: a task already cancelled is
 * answered as it is; a task that ended otherwise (completed, failed, rejected) is -32002.
 */
export async function cancelTask(c: Context<AppEnv>, rawId: string, reason: string | undefined): Promise<Task> {
  const id = checkId(rawId);
  const p = c.get("principal");
  const stub = taskStub(c.env, id);
  const r = await stub.cancel(p.tenant, `${actorOf(p)} over A2A`, reason ?? "cancelled over A2A");
  if (r.ok) return taskToA2A(r.task);
  if (r.reason === "not_found") throw taskNotFound(id);
  const view = await stub.get(p.tenant);
  if (view?.status === "cancelled") return taskToA2A(view);
  throw new RpcFailure(RPC.TASK_NOT_CANCELABLE, `Task not cancelable: ${id} has already ended (${view ? taskToA2A(view).status.state : "ended"})`, view ? { taskId: id, state: taskToA2A(view).status.state } : { taskId: id });
}

/** Default and largest `pageSize` of ListTasks (A2A 1.0). */
export const LIST_DEFAULT_PAGE = 50;

/**
 * ListTasks: a page of the caller's tenant's tasks (never another tenant's), most
 * recently updated first, from the control plane's task index, each read from its
 * TaskAgent. Filters: status, contextId, statusTimestampAfter; artifacts only with
 * `includeArtifacts`; each task's history limited by `historyLength`.
 */
export async function listA2aTasks(c: Context<AppEnv>, p: ListParams): Promise<Record<string, unknown>> {
  const control = controlStub(c.env);
  if (!control) throw new RpcFailure(RPC.UNSUPPORTED_OPERATION, "ListTasks is not supported by this deployment: it has no control plane to index tasks");
  const tenant = c.get("principal").tenant;
  const limit = p.pageSize ?? LIST_DEFAULT_PAGE;
  const after = p.pageToken ? decodePageToken(p.pageToken) : undefined;
  const state = p.status && p.status !== "TASK_STATE_UNSPECIFIED" && p.status !== "UNRECOGNIZED" ? decodeState(p.status) : undefined;
  const { rows, total } = await control.listTasks(tenant, {
    ...(state ? { statuses: agentStatusesOf(state) } : {}),
    ...(p.contextId ? { contextId: p.contextId } : {}),
    ...(p.statusTimestampAfter ? { updatedAfter: new Date(p.statusTimestampAfter).toISOString() } : {}),
    ...(after ? { after } : {}),
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  const found = await Promise.all(page.map((r) => taskStub(c.env, r.id).getWithMessages(tenant)));
  const tasks = found.flatMap((v) => {
    if (!v) return [];
    const { artifacts, ...t } = taskToA2A(v.task, limitHistory(v.messages as unknown as Message[], p.historyLength));
    return [encodeTask(p.includeArtifacts && artifacts ? { ...t, artifacts } : t, "1.0")];
  });
  const last = page.at(-1);
  return { tasks, nextPageToken: rows.length > limit && last ? encodePageToken(last) : "", pageSize: limit, totalSize: total };
}

/** Waits for the task to end or pause for approval (following its events), for at most `BLOCKING_WAIT_MS`. */
export async function waitForTask(c: Context<AppEnv>, view: TaskView, maxMs = BLOCKING_WAIT_MS): Promise<TaskView> {
  if (settled(view.status)) return view;
  const now = await waitSettled(taskStub(c.env, checkId(view.id)), c.get("principal").tenant, { until: Date.now() + maxMs });
  if (!now) throw taskNotFound(view.id);
  return now;
}

/**
 * Streams a task: its current state as a `task` event, then a status update per
 * progress event, and at the end (or a pause for approval) the result artifact
 * and the final status. Stops when `emit` reports the client has gone.
 */
export async function followTask(c: Context<AppEnv>, id: string, emit: (e: StreamEvent) => Promise<boolean>): Promise<void> {
  const tenant = c.get("principal").tenant;
  const stub = taskStub(c.env, checkId(id));
  // the backlog is the history the first `task` event stands for; progress is what comes later
  const feed = await openTaskFeed(stub, tenant, 0, { until: Date.now() + MAX_STREAM_MS });
  const first = await stub.getWithMessages(tenant);
  if (!feed || !first) throw taskNotFound(id);
  let view = first.task;
  if (!(await emit({ kind: "task", task: taskToA2A(view, first.messages as unknown as Message[]) })) || settled(view.status)) return;
  for await (const e of feed.later) {
    if (isStopEvent(e)) view = (await stub.get(tenant)) ?? view;
    for (const out of progressEvents(e, view)) if (!(await emit(out))) return;
    if (isStopEvent(e)) return;
  }
}
