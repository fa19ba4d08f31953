import type { Json, JsonObject } from "../json.ts";
import type { StepDoc, TaskDoc } from "./types.ts";

/**
 * The state changes a task's callback is told of (docs/queues.md, "Webhooks"): its end,
 * whichever it is, and every pause for a human. Progress events (`step.*`) are not
 * sent: the SSE feed has them.
 */
export const CALLBACK_EVENT_TYPES: ReadonlySet<string> = new Set(["task.succeeded", "task.failed", "task.cancelled", "task.rejected", "task.awaiting_approval"]);

/** The largest `data` of a task event, as UTF-8 bytes of JSON: an envelope holds at most 120 KiB (worker/queues/envelope.ts). */
export const MAX_EVENT_DATA_BYTES = 96 * 1024;

const encoder = new TextEncoder();
/** UTF-8 bytes of a value's JSON (what a queue message is measured in, not characters). */
const jsonBytes = (value: unknown) => encoder.encode(JSON.stringify(value)).length;
/** A string cut to `max` characters (at most 4 bytes each in UTF-8). */
const cut = (text: string, max: number) => (text.length > max ? text.slice(0, max) : text);

/** A task as a callback event carries it: `GET /v1/tasks/:id`'s view (no secret is in it). */
export type TaskEventView = TaskDoc & { steps: StepDoc[]; links: Record<string, string> };

/**
 * A view small enough for one queue message, with `truncated: true` (the receiver reads
 * the whole task from `links.self`): the task without its result, context and plan, its
 * goal and input cut to 1,000 characters, its steps without inputs and outputs; if that
 * is still too large (many steps, long errors), without steps; at the least its id,
 * tenant, status, times, error (cut) and links, which always fit.
 */
function compact(view: TaskEventView): JsonObject {
  const { result: _r, context: _c, plan: _p, steps, ...rest } = view;
  const small = steps.map((s) => ({ id: s.id, status: s.status, attempts: s.attempts, ...(s.specialist ? { specialist: s.specialist } : {}), ...(s.error ? { error: cut(s.error, 500) } : {}) }));
  const base = { ...rest, goal: cut(rest.goal, 1000), input: cut(rest.input, 1000), ...(rest.error !== undefined ? { error: cut(rest.error, 2000) } : {}), truncated: true } as unknown as JsonObject;
  const withSteps = { ...base, steps: small } as JsonObject;
  if (jsonBytes(withSteps) <= MAX_EVENT_DATA_BYTES) return withSteps;
  const withoutSteps = { ...base, steps: [] } as JsonObject;
  if (jsonBytes(withoutSteps) <= MAX_EVENT_DATA_BYTES) return withoutSteps;
  return { id: view.id, tenant: view.tenant, status: view.status, createdAt: view.createdAt, updatedAt: view.updatedAt, ...(view.error !== undefined ? { error: cut(view.error, 2000) } : {}), links: view.links, steps: [], truncated: true } as unknown as JsonObject;
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
  const task = encoder.encode(text).length <= MAX_EVENT_DATA_BYTES ? (JSON.parse(text) as Json) : compact(view);
  return { id: `${view.id}:${e.seq}`, type: e.type, occurredAt: e.at, data: { task } };
}
