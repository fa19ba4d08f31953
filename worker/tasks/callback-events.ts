import type { Json, JsonObject } from "../json.ts";
import type { StepDoc, TaskDoc } from "./types.ts";

/**
 * The state changes a task's callback is told of (docs/queues.md, "Webhooks"): its end,
 * whichever it is, and every pause for a human. Progress events (`step.*`) are not
 * sent: the SSE feed has them.
 */
export const CALLBACK_EVENT_TYPES: ReadonlySet<string> = new Set(["task.succeeded", "task.failed", "task.cancelled", "task.rejected", "task.awaiting_approval"]);

/** The largest `data` of a task event, as JSON characters: an envelope holds at most 120 KB (worker/queues/envelope.ts). */
export const MAX_EVENT_DATA_CHARS = 96 * 1024;

/** A task as a callback event carries it: `GET /v1/tasks/:id`'s view (no secret is in it). */
export type TaskEventView = TaskDoc & { steps: StepDoc[]; links: Record<string, string> };

/**
 * A view small enough for one queue message: the task without its result, context and
 * plan, its steps without inputs and outputs, and `truncated: true` (the receiver reads
 * the whole task from `links.self`).
 */
function compact(view: TaskEventView): JsonObject {
  const { result: _r, context: _c, plan: _p, steps, ...rest } = view;
  const small = steps.map((s) => ({ id: s.id, status: s.status, attempts: s.attempts, ...(s.specialist ? { specialist: s.specialist } : {}), ...(s.error ? { error: s.error.slice(0, 500) } : {}) }));
  const out = { ...rest, error: rest.error?.slice(0, 2000), steps: small, truncated: true } as unknown as JsonObject;
  if (out.error === undefined) delete out.error;
  return JSON.stringify(out).length <= MAX_EVENT_DATA_CHARS ? out : ({ ...out, steps: [] } as JsonObject);
}

/**
 * The callback event of a task's state change: its id `<task id>:<event seq>` (the
 * change is recorded once, so a delivery retried or enqueued again keeps the id the
 * receiver deduplicates on), the SSE event's type and time, and the task as
 * `GET /v1/tasks/:id` shows it, compacted when it would not fit in one queue message.
 *
 * @example
 * taskCallbackEvent(view, { seq: 8, type: "task.succeeded", at: "2026-11-30T04:00:00.000Z" })
 * // { id: "task_…:8", type: "task.succeeded", occurredAt: "2026-11-30T04:00:00.000Z", data: { task: { id: "task_…", status: "succeeded", … } } }
 */
export function taskCallbackEvent(view: TaskEventView, e: { seq: number; type: string; at: string }): { id: string; type: string; occurredAt: string; data: JsonObject } {
  const text = JSON.stringify(view);
  const task = text.length <= MAX_EVENT_DATA_CHARS ? (JSON.parse(text) as Json) : compact(view);
  return { id: `${view.id}:${e.seq}`, type: e.type, occurredAt: e.at, data: { task } };
}
