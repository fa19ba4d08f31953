/**
 * A remote A2A agent's event stream, read one event at a time. `SendStreamingMessage`
 * (1.x) and `message/stream` (0.3) answer Server-Sent Events whose `data` is each one
 * JSON-RPC response; its result is a StreamResponse: 1.x `{ task }`, `{ message }`,
 * `{ statusUpdate }` or `{ artifactUpdate }`, 0.3 the object itself with its `kind`
 * (`status-update` with `final`, `artifact-update`). Either stream is a Message alone,
 * or the Task followed by status and artifact updates up to a final state
 * (A2A 1.0 §3.1.2). {@link RemoteStream} folds the events into the task the agent
 * keeps (artifact chunks appended or replaced as the SDK's task store does), so the
 * hop's output is what `GetTask` would have answered at the end. Pure.
 */
import { z } from "zod";
import { deeperThan, MAX_REPLY_DEPTH, snippet } from "../json-protocol.ts";
import { decodeSendResult, messageOutput, rpcResult, taskOutcome, type RemoteMessage, type RemoteTask } from "./outcome.ts";
import { FINAL_STATES, partsText, WireArtifact, WireTask } from "./wire.ts";
import type { SpecialistFailure, SpecialistProgress } from "../../routing/hop.ts";

type Failed = { ok: false; failure: SpecialistFailure };
type Artifact = z.infer<typeof WireArtifact>;
type Status = RemoteTask["status"];

/** One event of a remote agent's stream, in either version's spelling. */
export type RemoteEvent =
  | { kind: "task"; task: RemoteTask }
  | { kind: "message"; message: RemoteMessage }
  | { kind: "status"; taskId: string; contextId: string; status: Status; final: boolean }
  | { kind: "artifact"; taskId: string; contextId: string; artifact: Artifact; append: boolean; lastChunk: boolean };

/** How the call ends: the hop's output (a Message, a completed task), or a failure. */
export type StreamEnd = { ok: true; output: Record<string, unknown> } | Failed;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const fail = (failure: SpecialistFailure): Failed => ({ ok: false, failure });

const StatusUpdate = z.object({ taskId: z.string().min(1), contextId: z.string().default(""), status: WireTask.shape.status, final: z.boolean().optional() });
const ArtifactUpdate = z.object({ taskId: z.string().min(1), contextId: z.string().default(""), artifact: WireArtifact, append: z.boolean().optional(), lastChunk: z.boolean().optional() });

/**
 * A StreamResponse in either version, or undefined when it is none.
 *
 * @example
 * decodeStreamResult({ statusUpdate: { taskId: "t", contextId: "c", status: { state: "TASK_STATE_WORKING" } } })
 * // { kind: "status", taskId: "t", contextId: "c", status: { state: "working" }, final: false }
 */
export function decodeStreamResult(result: unknown): RemoteEvent | undefined {
  if (!isRecord(result)) return undefined;
  const status = isRecord(result.statusUpdate) ? result.statusUpdate : result.kind === "status-update" ? result : undefined;
  if (status) {
    const p = StatusUpdate.safeParse(status);
    return p.success ? { kind: "status", taskId: p.data.taskId, contextId: p.data.contextId, status: p.data.status, final: p.data.final === true } : undefined;
  }
  const artifact = isRecord(result.artifactUpdate) ? result.artifactUpdate : result.kind === "artifact-update" ? result : undefined;
  if (artifact) {
    const p = ArtifactUpdate.safeParse(artifact);
    return p.success ? { kind: "artifact", taskId: p.data.taskId, contextId: p.data.contextId, artifact: p.data.artifact, append: p.data.append === true, lastChunk: p.data.lastChunk === true } : undefined;
  }
  const sent = decodeSendResult(result);
  if (!sent) return undefined;
  return "task" in sent ? { kind: "task", task: sent.task } : { kind: "message", message: sent.message };
}

/** One SSE event's `data` as a stream event, or the failure it is: not JSON, a JSON-RPC error, not a StreamResponse. */
export function decodeFrame(data: string): { ok: true; event: RemoteEvent } | Failed {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return fail({ kind: "bad_response", detail: "an event of the agent's stream is not JSON", body: snippet(data) });
  }
  if (deeperThan(json, MAX_REPLY_DEPTH)) return fail({ kind: "bad_response", detail: `an event of the agent's stream is JSON nested deeper than ${MAX_REPLY_DEPTH} levels` });
  const r = rpcResult(json, "stream event");
  if (!r.ok) return r;
  const event = decodeStreamResult(r.result);
  return event ? { ok: true, event } : fail({ kind: "bad_response", detail: "an event of the agent's stream is no Task, Message, status update or artifact update", body: snippet(data) });
}

/**
 * The state of a remote call as its events arrive: the task the agent keeps, what
 * each event says (progress), and how the call ends — at a Message, at a final or
 * interrupted state (`FINAL_STATES`) or a 0.3 `final: true`, mapped as a polled task
 * is (`taskOutcome`).
 *
 * @example
 * const s = new RemoteStream();
 * s.push({ kind: "task", task: { id: "t", contextId: "c", status: { state: "working" } } }); // { progress: { kind: "status", state: "working", remoteTaskId: "t" } }
 * s.push({ kind: "artifact", taskId: "t", contextId: "c", artifact: { artifactId: "a", parts: [{ kind: "text", text: "Hel" }] }, append: false, lastChunk: false });
 * s.text(); // "Hel"
 * s.push({ kind: "status", taskId: "t", contextId: "c", status: { state: "completed" }, final: true }); // { progress: …, end: { ok: true, output: { text: "Hel", a2a: { … } } } }
 */
export class RemoteStream {
  #task: RemoteTask | undefined;

  /** The remote task so far (undefined until a task or an update names one). */
  get task(): RemoteTask | undefined {
    return this.#task;
  }

  /** The answer's text so far: its artifacts' text parts (a completed task's output text starts with it, unless an artifact is replaced). */
  text(): string {
    return partsText((this.#task?.artifacts ?? []).flatMap((a) => a.parts));
  }

  /** Takes one event: what it says, and the call's end when it ends it. */
  push(e: RemoteEvent): { progress?: SpecialistProgress; end?: StreamEnd } {
    switch (e.kind) {
      case "message":
        return { end: { ok: true, output: messageOutput(e.message) } };
      case "task": {
        const artifacts = e.task.artifacts?.length ? e.task.artifacts : this.#task?.artifacts;
        this.#task = { ...e.task, ...(artifacts ? { artifacts } : {}) };
        return this.#status(false);
      }
      case "status":
        this.#taskOf(e).status = e.status;
        return this.#status(e.final);
      case "artifact": {
        const task = this.#taskOf(e);
        const artifacts = (task.artifacts ??= []);
        const at = artifacts.findIndex((a) => a.artifactId === e.artifact.artifactId);
        if (at === -1) artifacts.push(e.artifact);
        else if (e.append) artifacts[at] = { ...artifacts[at]!, parts: [...artifacts[at]!.parts, ...e.artifact.parts] };
        else artifacts[at] = e.artifact;
        const text = partsText(e.artifact.parts);
        return { progress: { kind: "artifact", artifactId: e.artifact.artifactId, remoteTaskId: task.id, ...(text ? { text } : {}) } };
      }
    }
  }

  /** The task an update is about: the one known, or a new one if the stream did not start with it. */
  #taskOf(e: { taskId: string; contextId: string }): RemoteTask {
    if (this.#task?.id !== e.taskId) this.#task = { id: e.taskId, contextId: e.contextId, status: { state: "submitted" } };
    return this.#task;
  }

  #status(final: boolean): { progress: SpecialistProgress; end?: StreamEnd } {
    const task = this.#task!;
    const said = task.status.message ? partsText(task.status.message.parts) : "";
    const progress: SpecialistProgress = { kind: "status", state: task.status.state, remoteTaskId: task.id, ...(said ? { text: said } : {}) };
    return final || FINAL_STATES.has(task.status.state) ? { progress, end: taskOutcome(task) } : { progress };
  }
}
