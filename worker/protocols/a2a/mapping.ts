/**
 * Switchyard → A2A: a routed hop as an agent Message, a TaskAgent task as an A2A
 * Task (status mapping below), and a task's progress events as stream events. Pure.
 *
 * | TaskAgent status     | A2A state        |
 * |----------------------|------------------|
 * | planning, running    | working          |
 * | awaiting_approval    | input-required   |
 * | succeeded            | completed        |
 * | failed               | failed           |
 * | cancelled            | canceled         |
 * | rejected             | rejected         |
 */
import type { TaskStatus as AgentStatus } from "../../tasks/types.ts";
import type { TaskEvent } from "../../tasks/types.ts";
import { A2A_CONTEXT_KEY } from "../../tasks/types.ts";
import { outputText } from "../../tasks/plan.ts";
import { settlingEvent } from "../../tasks/follow.ts";
import type { Artifact, Message, Part, StreamEvent, Task, TaskState } from "./wire.ts";

const STATE: Record<AgentStatus, TaskState> = {
  planning: "working",
  running: "working",
  awaiting_approval: "input-required",
  succeeded: "completed",
  failed: "failed",
  cancelled: "canceled",
  rejected: "rejected",
};

/** The A2A state of a TaskAgent status. */
export const a2aState = (s: AgentStatus): TaskState => STATE[s];

/** The TaskAgent statuses an A2A state stands for (none for `submitted`, `auth-required`, `unknown`). */
export const agentStatusesOf = (state: TaskState): AgentStatus[] => (Object.keys(STATE) as AgentStatus[]).filter((s) => STATE[s] === state);

/** What of a TaskAgent task (its `GET /v1/tasks/:id` view) the mapping reads. */
export interface TaskViewLike {
  id: string;
  status: AgentStatus;
  updatedAt: string;
  result?: unknown;
  error?: string;
  context?: Record<string, unknown>;
  a2aContextId?: string;
  costUsd: number;
  hops: number;
  awaiting?: { step: string; reason: string };
  steps: { id: string; status: string; specialist?: string }[];
}

/** Key in a task's `context` that keeps the A2A contextId the client chose. */
export const CONTEXT_KEY = A2A_CONTEXT_KEY;

/** Text and, for structured output, a data part. */
export function outputParts(output: unknown): Part[] {
  const parts: Part[] = [{ kind: "text", text: outputText(output) }];
  if (typeof output === "object" && output !== null) parts.push({ kind: "data", data: output });
  return parts;
}

const agentMessage = (messageId: string, text: string, contextId: string, taskId: string, data?: Record<string, unknown>): Message => ({
  messageId,
  role: "agent",
  contextId,
  taskId,
  parts: [{ kind: "text", text }, ...(data ? [{ kind: "data" as const, data }] : [])],
});

/** The A2A contextId of a task: the one its client sent, else the task id. */
export function contextIdOf(view: Pick<TaskViewLike, "id" | "context" | "a2aContextId">): string {
  const c = view.a2aContextId ?? view.context?.[CONTEXT_KEY];
  return typeof c === "string" && c !== "" ? c : view.id;
}

/** Why a task is where it is, for its status message (undefined when there is nothing to say). */
function statusText(view: TaskViewLike): string | undefined {
  switch (view.status) {
    case "awaiting_approval":
      return `waiting for approval of step '${view.awaiting?.step}': ${view.awaiting?.reason}; answer this task with a message 'approve: <reason>' or 'reject: <reason>' (or POST /v1/tasks/${view.id}/approve · /reject)`;
    case "failed":
    case "rejected":
      return view.error ?? `task ${view.status}`;
    case "cancelled":
      return "task cancelled";
    default:
      return undefined;
  }
}

/**
 * The id of a task's status message: one per status (and approval gate), the same on
 * every read, so a message a client saw is the one kept in the task's history.
 */
export const statusMessageId = (view: Pick<TaskViewLike, "id" | "status" | "awaiting">): string =>
  `${view.id}-${view.status}${view.awaiting ? `-${view.awaiting.step}` : ""}`;

/** The task's status message (why it is where it is), if it has one. */
export function statusMessage(view: TaskViewLike): Message | undefined {
  const text = statusText(view);
  return text ? agentMessage(statusMessageId(view), text, contextIdOf(view), view.id) : undefined;
}

/**
 * The last `historyLength` messages of a history (A2A 1.0 §3.2.4: unset is no limit,
 * 0 is none).
 */
export function limitHistory<T>(history: readonly T[], historyLength: number | undefined): T[] {
  if (historyLength === undefined) return [...history];
  return historyLength === 0 ? [] : history.slice(-historyLength);
}

/** The result artifact of a succeeded task. */
export function resultArtifact(view: TaskViewLike): Artifact | undefined {
  if (view.status !== "succeeded") return undefined;
  return { artifactId: "result", name: "result", parts: outputParts(view.result) };
}

/**
 * A TaskAgent task as an A2A Task; Switchyard's own view (steps, cost) is in
 * `metadata.switchyard`. With `history` (the task's stored messages, already limited
 * by the caller), the Task carries it, even when empty.
 */
export function taskToA2A(view: TaskViewLike, history?: Message[]): Task {
  const contextId = contextIdOf(view);
  const message = statusMessage(view);
  const artifact = resultArtifact(view);
  return {
    id: view.id,
    contextId,
    status: { state: a2aState(view.status), timestamp: view.updatedAt, ...(message ? { message } : {}) },
    ...(artifact ? { artifacts: [artifact] } : {}),
    ...(history ? { history } : {}),
    metadata: {
      switchyard: {
        status: view.status,
        steps: view.steps.map((s) => ({ id: s.id, status: s.status, ...(s.specialist ? { specialist: s.specialist } : {}) })),
        costUsd: view.costUsd,
        hops: view.hops,
        links: { self: `/v1/tasks/${view.id}`, events: `/v1/tasks/${view.id}/events`, approve: `/v1/tasks/${view.id}/approve`, reject: `/v1/tasks/${view.id}/reject` },
      },
    },
  };
}

/** A routed hop's answer as an agent Message; the routing decision is in `metadata.switchyard`. */
export function hopToMessage(hop: { id: string; output: unknown; contextId: string; switchyard: Record<string, unknown> }): Message {
  return { messageId: hop.id, role: "agent", contextId: hop.contextId, parts: outputParts(hop.output), metadata: { switchyard: hop.switchyard } };
}

/** A one-line description of a progress event. */
function eventText(e: TaskEvent): string {
  const d = e.data;
  switch (e.type) {
    case "task.created":
      return "task created";
    case "task.planned":
      return `planned steps: ${(d.steps as string[] | undefined)?.join(", ")}`;
    case "step.started":
      return `step '${d.step}' started`;
    case "step.succeeded":
      return `step '${d.step}' succeeded (${d.specialist})`;
    case "step.failed":
      return `step '${d.step}' failed: ${d.error}`;
    case "step.verified":
      return `step '${d.step}' ${d.pass ? "passed" : "failed"} verification: ${d.reason}`;
    case "step.progress":
      return typeof d.text === "string" ? `step '${d.step}' (${d.specialist}): ${d.text}` : `step '${d.step}' (${d.specialist}): ${d.state ?? d.kind}`;
    default:
      return e.type;
  }
}

/** Events that end a stream: the task's end, or a pause for approval (see tasks/follow.ts). */
export const isStopEvent: (e: TaskEvent) => boolean = settlingEvent;

/**
 * Stream events for one progress event. Progress is a `working` status update
 * carrying the event; a stop event gives the result artifact (if any) and the
 * final status from the task's view.
 */
export function progressEvents(e: TaskEvent, view: TaskViewLike): StreamEvent[] {
  const contextId = contextIdOf(view);
  if (!isStopEvent(e)) {
    const status = { state: "working" as const, timestamp: e.at, message: agentMessage(`${view.id}-event-${e.seq}`, eventText(e), contextId, view.id, { event: e.type, seq: e.seq, ...e.data }) };
    return [{ kind: "status", taskId: view.id, contextId, status, final: false }];
  }
  const task = taskToA2A(view);
  const artifact = task.artifacts?.[0];
  return [...(artifact ? [{ kind: "artifact" as const, taskId: view.id, contextId, artifact }] : []), { kind: "status", taskId: view.id, contextId, status: task.status, final: true }];
}
