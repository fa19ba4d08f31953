/**
 * The bodies of A2A push notifications (A2A 1.0 §4.3.3; 0.3 §9.5), pure: for a config
 * made with a 1.0 method a StreamResponse (`{ statusUpdate }`, `{ artifactUpdate }`, or
 * `{ task }` for the task as it is when a SendMessage registers the config), for one made
 * with a 0.3 method the task itself (0.3 shape). Each fits one queue message.
 */
import type { TaskEvent } from "../../tasks/types.ts";
import type { Wire } from "./jsonrpc.ts";
import { progressEvents, taskToA2A, type TaskViewLike } from "./mapping.ts";
import { encodeStreamEvent, encodeTask } from "./wire.ts";

type Obj = Record<string, unknown>;

/**
 * The task events a notification is sent for: the state changes A2A reports (a pause for
 * approval, its approval, the end with the result artifact). Step progress is not sent:
 * streams carry it.
 */
export const PUSH_EVENT_TYPES: ReadonlySet<string> = new Set(["task.awaiting_approval", "task.approved", "task.succeeded", "task.failed", "task.cancelled", "task.rejected"]);

/** The largest notification body, as UTF-8 bytes of JSON (with its headers and target it fits one queue message). */
export const MAX_PUSH_BYTES = 96 * 1024;

/** One notification: `key` tells it apart from the others of the same event, `type` names its payload. */
export interface PushPayload {
  key: string;
  type: "task" | "statusUpdate" | "artifactUpdate";
  body: Obj;
}

const encoder = new TextEncoder();
const bytes = (v: unknown) => encoder.encode(JSON.stringify(v)).length;
const CUT = 1000;
const TOO_LARGE = "(cut: too large for a notification; read the task with GetTask)";

/**
 * A body that fits {@link MAX_PUSH_BYTES}: as it is; else with every string cut to 1,000
 * characters, the data of parts and Switchyard's metadata left out and
 * `metadata.switchyard.truncated: true` on the event; else the bare event (ids and state).
 */
export function fitPush(body: Obj): Obj {
  if (bytes(body) <= MAX_PUSH_BYTES) return body;
  const [kind, inner] = pick(body);
  const cut = JSON.parse(
    JSON.stringify(inner, (k, v: unknown) => {
      if (k === "metadata") return undefined;
      if (k === "data") return { cut: true };
      return typeof v === "string" && v.length > CUT ? `${v.slice(0, CUT)}… ${TOO_LARGE}` : v;
    }),
  ) as Obj;
  const marked = { ...cut, metadata: { switchyard: { truncated: true } } };
  const smaller = kind ? { [kind]: marked } : marked;
  if (bytes(smaller) <= MAX_PUSH_BYTES) return smaller;
  const status = inner.status as Obj | undefined;
  const bare = { ...pickKeys(inner, ["kind", "id", "taskId", "contextId"]), ...(status ? { status: pickKeys(status, ["state", "timestamp"]) } : {}), metadata: { switchyard: { truncated: true } } };
  return kind ? { [kind]: bare } : bare;
}

/** The wrapper member of a 1.0 StreamResponse and what it wraps; a 0.3 Task (it has `kind`) is its own body. */
function pick(body: Obj): [string, Obj] {
  if (body.kind !== undefined) return ["", body];
  const [k, v] = Object.entries(body)[0]!;
  return [k, v as Obj];
}

const pickKeys = (o: Obj, keys: string[]): Obj => Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));

/**
 * The notifications of a task event for a config of `wire`: 1.0 the stream's events for it
 * (the result artifact, then the status update; a status update alone before the end),
 * 0.3 the task as it now is.
 *
 * @example
 * pushPayloads({ seq: 9, type: "task.succeeded", at, data: {} }, view, "1.0")
 * // [{ key: ":artifact", type: "artifactUpdate", body: { artifactUpdate: … } }, { key: "", type: "statusUpdate", body: { statusUpdate: … } }]
 */
export function pushPayloads(e: TaskEvent, view: TaskViewLike, wire: Wire): PushPayload[] {
  if (wire === "0.3") return [{ key: "", type: "task", body: fitPush(encodeTask(taskToA2A(view), "0.3")) }];
  return progressEvents(e, view).map((ev) => (ev.kind === "artifact" ? { key: ":artifact", type: "artifactUpdate", body: fitPush(encodeStreamEvent(ev, "1.0")) } : { key: "", type: "statusUpdate", body: fitPush(encodeStreamEvent(ev, "1.0")) }));
}

/** The notification of the task as it is (when a SendMessage registers a config on the task it made): 1.0 `{ task }`, 0.3 the task. */
export function pushSnapshot(view: TaskViewLike, wire: Wire): PushPayload {
  const task = encodeTask(taskToA2A(view), wire);
  return { key: ":task", type: "task", body: fitPush(wire === "1.0" ? { task } : task) };
}
