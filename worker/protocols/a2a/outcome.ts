/**
 * What a remote A2A agent's answer means for a hop, whichever way it came (a
 * `SendMessage` reply, a polled task, the events of a stream): the output of a
 * Message or a completed task, and the failure kind of every other end and of a
 * JSON-RPC error. Pure.
 */
import type { z } from "zod";
import { RPC } from "./jsonrpc.ts";
import { partsText, WireMessage, WireTask, type Part } from "./wire.ts";
import type { SpecialistFailure } from "../../routing/hop.ts";

/** A task as decoded from either wire format. */
export type RemoteTask = z.infer<typeof WireTask>;
/** A message as decoded from either wire format. */
export type RemoteMessage = z.infer<typeof WireMessage>;
type Failed = { ok: false; failure: SpecialistFailure };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const fail = (failure: SpecialistFailure): Failed => ({ ok: false, failure });

/** A JSON-RPC error of the agent as a failure kind (decides retries and the hop's status). */
export function rpcErrorFailure(e: { code: number; message: string }): SpecialistFailure {
  const detail = `A2A agent error ${e.code}: ${e.message}`;
  switch (e.code) {
    case RPC.INTERNAL_ERROR:
      return { kind: "http_error", status: 500, detail };
    case RPC.METHOD_NOT_FOUND:
    case RPC.VERSION_NOT_SUPPORTED:
      return { kind: "misconfigured", detail };
    case RPC.TASK_NOT_FOUND:
      return { kind: "bad_response", detail };
    case RPC.PARSE_ERROR:
    case RPC.INVALID_REQUEST:
    case RPC.INVALID_PARAMS:
      return { kind: "http_error", status: 400, detail };
    default:
      return { kind: "http_error", status: e.code <= -32000 && e.code >= -32099 ? 422 : 502, detail };
  }
}

/**
 * The result of one JSON-RPC response (`{ jsonrpc: "2.0", result }`), or the failure
 * its `error` stands for (or that it is not one). `what` names the call in details.
 */
export function rpcResult(env: unknown, what: string, status?: number): { ok: true; result: unknown } | Failed {
  const at = status === undefined ? {} : { status };
  if (!isRecord(env) || env.jsonrpc !== "2.0") return fail({ kind: "bad_response", ...at, detail: `${what}: the reply is not a JSON-RPC 2.0 response` });
  if (isRecord(env.error)) {
    const { code, message } = env.error;
    return fail(rpcErrorFailure({ code: typeof code === "number" ? code : RPC.INTERNAL_ERROR, message: typeof message === "string" ? message : "(no message)" }));
  }
  if (!("result" in env)) return fail({ kind: "bad_response", ...at, detail: `${what}: the reply has neither result nor error` });
  return { ok: true, result: env.result };
}

/** A SendMessage result in either version: 1.x `{ task }` / `{ message }`, 0.3 the object itself. */
export function decodeSendResult(result: unknown): { task: RemoteTask } | { message: RemoteMessage } | undefined {
  if (!isRecord(result)) return undefined;
  const inner = isRecord(result.task) ? result.task : isRecord(result.message) ? result.message : result;
  const isTask = inner === result.task || result.kind === "task" || (!isRecord(result.message) && "status" in inner);
  const parsed = isTask ? WireTask.safeParse(inner) : WireMessage.safeParse(inner);
  if (!parsed.success) return undefined;
  return isTask ? { task: parsed.data as RemoteTask } : { message: parsed.data as RemoteMessage };
}

/** The specialist output of an agent's answer: its text, its data parts, its files, where it came from. */
export function outputOf(parts: Part[], a2a: Record<string, string>): Record<string, unknown> {
  const data = parts.filter((p) => p.kind === "data").map((p) => p.data);
  const files = parts.filter((p) => p.kind === "file");
  return { text: partsText(parts), ...(data.length === 1 ? { data: data[0] } : data.length > 1 ? { data } : {}), ...(files.length ? { files } : {}), a2a };
}

/** A Message answer as the hop's output. */
export const messageOutput = (m: RemoteMessage): Record<string, unknown> => outputOf(m.parts, { messageId: m.messageId, ...(m.contextId ? { contextId: m.contextId } : {}) });

/** A finished task as an outcome: completed is output, every other end is a failure. */
export function taskOutcome(task: RemoteTask): { ok: true; output: Record<string, unknown> } | Failed {
  const s = task.status.state;
  const parts = (task.artifacts ?? []).flatMap((a) => a.parts);
  const said = task.status.message ? partsText(task.status.message.parts) : "";
  // Stryker disable next-line ArrayDeclaration: a completed task without parts: a list of a non-part gives the same output (no text, data or file part in it)
  if (s === "completed") return { ok: true, output: outputOf(parts.length ? parts : (task.status.message?.parts ?? []), { taskId: task.id, contextId: task.contextId, state: s }) };
  const detail = `A2A task ${task.id} ended ${s}${said ? `: ${said}` : ""}`;
  const status = s === "failed" ? 500 : s === "rejected" || s === "input-required" ? 422 : s === "auth-required" ? 401 : s === "canceled" ? 409 : undefined;
  return fail(status === undefined ? { kind: "bad_response", detail } : { kind: "http_error", status, detail });
}
