import type { ProblemInit } from "../../http/problem.ts";
import { jsonDepth, MAX_JSON_DEPTH, protoDetail, protoPath } from "../../http/json-guard.ts";

/**
 * The JSON-RPC 2.0 envelope of the A2A front door: parsing a request body into a
 * call, the method table (A2A 1.x names and the 0.3 names), and error objects.
 * Pure: no Workers imports.
 */

/** Which wire format a call uses: A2A 1.x (protobuf JSON) or 0.3 (`kind` fields). */
export type Wire = "1.0" | "0.3";

/** What a method does, whichever protocol version named it. */
export type Op = "send" | "stream" | "get" | "cancel" | "subscribe" | "list" | "pushCreate" | "pushGet" | "pushList" | "pushDelete";

export type RpcId = string | number | null;

/** JSON-RPC and A2A error codes. */
export const RPC = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  TASK_NOT_FOUND: -32001,
  TASK_NOT_CANCELABLE: -32002,
  PUSH_NOTIFICATION_NOT_SUPPORTED: -32003,
  UNSUPPORTED_OPERATION: -32004,
  EXTENDED_CARD_NOT_CONFIGURED: -32007,
  VERSION_NOT_SUPPORTED: -32009,
} as const;

/** The A2A methods served, by name. 1.x names answer in the 1.x wire format, 0.3 names in 0.3's. */
export const METHODS: Readonly<Record<string, { op: Op; wire: Wire }>> = {
  SendMessage: { op: "send", wire: "1.0" },
  SendStreamingMessage: { op: "stream", wire: "1.0" },
  GetTask: { op: "get", wire: "1.0" },
  CancelTask: { op: "cancel", wire: "1.0" },
  SubscribeToTask: { op: "subscribe", wire: "1.0" },
  ListTasks: { op: "list", wire: "1.0" },
  CreateTaskPushNotificationConfig: { op: "pushCreate", wire: "1.0" },
  GetTaskPushNotificationConfig: { op: "pushGet", wire: "1.0" },
  ListTaskPushNotificationConfigs: { op: "pushList", wire: "1.0" },
  DeleteTaskPushNotificationConfig: { op: "pushDelete", wire: "1.0" },
  "message/send": { op: "send", wire: "0.3" },
  "message/stream": { op: "stream", wire: "0.3" },
  "tasks/get": { op: "get", wire: "0.3" },
  "tasks/cancel": { op: "cancel", wire: "0.3" },
  "tasks/resubscribe": { op: "subscribe", wire: "0.3" },
  "tasks/pushNotificationConfig/set": { op: "pushCreate", wire: "0.3" },
  "tasks/pushNotificationConfig/get": { op: "pushGet", wire: "0.3" },
  "tasks/pushNotificationConfig/list": { op: "pushList", wire: "0.3" },
  "tasks/pushNotificationConfig/delete": { op: "pushDelete", wire: "0.3" },
};

/** Known A2A methods the router does not offer, with the A2A error that says so. */
const UNSUPPORTED: Readonly<Record<string, number>> = {
  GetExtendedAgentCard: RPC.EXTENDED_CARD_NOT_CONFIGURED,
  "agent/getAuthenticatedExtendedCard": RPC.EXTENDED_CARD_NOT_CONFIGURED,
};

/** A JSON-RPC error object. */
export interface RpcError {
  code: number;
  message: string;
  data?: unknown;
}

/** An error a handler throws; the route answers it as a JSON-RPC error response. */
export class RpcFailure extends Error {
  override readonly name = "RpcFailure";
  readonly error: RpcError;
  constructor(code: number, message: string, data?: unknown) {
    super(message);
    this.error = { code, message, ...(data !== undefined ? { data } : {}) };
  }
}

/** A call the router will serve. */
export interface RpcCall {
  id: string | number;
  method: string;
  op: Op;
  wire: Wire;
  params: Record<string, unknown>;
}

/** A JSON-RPC success response. */
export const rpcResult = (id: RpcId, result: unknown) => ({ jsonrpc: "2.0" as const, id, result });

/** A JSON-RPC error response. */
export const rpcError = (id: RpcId, error: RpcError) => ({ jsonrpc: "2.0" as const, id, error });

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Parses a request body into a call, or the error response to send instead:
 * -32700 for a body that is not JSON, -32600 for anything that is not a single
 * JSON-RPC 2.0 request with an id (batches and notifications are not served) or that
 * has a member named `__proto__` (its path in `data.path`: a JavaScript copy loses it),
 * -32601 for unknown methods, and the A2A errors for known methods not offered.
 *
 * @example
 * parseCall('{"jsonrpc":"2.0","id":1,"method":"tasks/get","params":{"id":"task_…"}}')
 * // { ok: true, call: { id: 1, method: "tasks/get", op: "get", wire: "0.3", params: { id: "task_…" } } }
 */
export function parseCall(body: string): { ok: true; call: RpcCall } | { ok: false; id: RpcId; error: RpcError } {
  let json: unknown;
  if (jsonDepth(body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH)
    return { ok: false, id: null, error: { code: RPC.INVALID_REQUEST, message: `Invalid Request: JSON nested deeper than ${MAX_JSON_DEPTH} levels` } };
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, id: null, error: { code: RPC.PARSE_ERROR, message: "Parse error: the body is not valid JSON" } };
  }
  const invalid = (message: string, id: RpcId = null) => ({ ok: false as const, id, error: { code: RPC.INVALID_REQUEST, message: `Invalid Request: ${message}` } });
  if (Array.isArray(json)) return invalid("batch requests are not supported; send one request per call");
  if (!isRecord(json)) return invalid("the body must be a JSON-RPC request object");
  const rawId = json.id;
  const idOk = typeof rawId === "string" || (typeof rawId === "number" && Number.isFinite(rawId));
  const id: RpcId = idOk ? (rawId as string | number) : null;
  const proto = protoPath(json);
  if (proto) return { ok: false, id, error: { code: RPC.INVALID_REQUEST, message: `Invalid Request: ${protoDetail(proto)}`, data: { path: proto } } };
  if (json.jsonrpc !== "2.0") return invalid("'jsonrpc' must be \"2.0\"", id);
  if (!("id" in json) || rawId === null) return invalid("an 'id' is required (notifications are not served)", id);
  if (!idOk) return invalid("'id' must be a string or a number");
  if (typeof json.method !== "string" || json.method === "") return invalid("'method' must be a non-empty string", id);
  if (json.params !== undefined && !isRecord(json.params)) return invalid("'params' must be an object", id);
  const method = json.method;
  const known = Object.hasOwn(METHODS, method) ? METHODS[method] : undefined;
  if (!known) {
    const code = Object.hasOwn(UNSUPPORTED, method) ? UNSUPPORTED[method]! : RPC.METHOD_NOT_FOUND;
    const message = code === RPC.METHOD_NOT_FOUND ? `Method not found: ${method}` : `${method} is not supported by this agent`;
    return { ok: false, id, error: { code, message } };
  }
  return { ok: true, call: { id: id as string | number, method, op: known.op, wire: known.wire, params: (json.params as Record<string, unknown>) ?? {} } };
}

/**
 * Whether an `A2A-Version` request header names a version the router speaks
 * (any 1.x, or 0.3). An absent header is fine: the method name tells the version.
 */
export function versionSupported(header: string | undefined): boolean {
  if (header === undefined || header.trim() === "") return true;
  const m = /^(\d+)(?:\.(\d+))?(?:\.\d+)?$/.exec(header.trim());
  if (!m) return false;
  const major = Number(m[1]);
  const minor = Number(m[2] ?? "0");
  return major === 1 || (major === 0 && minor === 3);
}

/**
 * A router problem (what `/v1/route` would answer as problem+json) as a JSON-RPC
 * error: the caller's mistakes and refusals (400, 403, 404, 409, 413, 422) are
 * -32602, everything else (429, 502, 503, 504) is -32603; `data` keeps the HTTP status, the problem type,
 * `Retry-After` seconds and the attempts.
 */
export function problemToRpc(p: ProblemInit): RpcError {
  const code = [400, 403, 404, 409, 413, 422].includes(p.status) ? RPC.INVALID_PARAMS : RPC.INTERNAL_ERROR;
  const data = {
    status: p.status,
    type: `urn:switchyard:problem:${p.slug}`,
    title: p.title,
    ...(p.retryAfterSeconds !== undefined ? { retryAfterSeconds: p.retryAfterSeconds } : {}),
    ...(p.errors ? { errors: p.errors } : {}),
    ...p.extra,
  };
  return { code, message: `${p.title}: ${p.detail}`, data };
}
