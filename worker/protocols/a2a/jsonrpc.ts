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
  CONTENT_TYPE_NOT_SUPPORTED: -32005,
  INVALID_AGENT_RESPONSE: -32006,
  EXTENDED_CARD_NOT_CONFIGURED: -32007,
  EXTENSION_SUPPORT_REQUIRED: -32008,
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

/**
 * Known A2A methods the router does not offer, with the A2A error that says so (A2A 1.0
 * §3.3.4: with `capabilities.extendedAgentCard` false, GetExtendedAgentCard is
 * UnsupportedOperation; 0.3 answered its `agent/getAuthenticatedExtendedCard` with -32007).
 */
const UNSUPPORTED: Readonly<Record<string, { code: number; wire: Wire }>> = {
  GetExtendedAgentCard: { code: RPC.UNSUPPORTED_OPERATION, wire: "1.0" },
  "agent/getAuthenticatedExtendedCard": { code: RPC.EXTENDED_CARD_NOT_CONFIGURED, wire: "0.3" },
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

/** A call's parse failure: the error, and the wire format of its method when the method is known. */
export type ParseFailure = { ok: false; id: RpcId; error: RpcError; wire?: Wire };

/**
 * Parses a request body into a call, or the error response to send instead:
 * -32700 for a body that is not JSON, -32600 for anything that is not a single
 * JSON-RPC 2.0 request with an id (batches and notifications are not served) or that
 * has a member named `__proto__` (its path in `data.path`: a JavaScript copy loses it),
 * -32601 for unknown methods, and the A2A errors for known methods not offered.
 * Params members that are `null` are dropped ({@link withoutNulls}).
 *
 * @example
 * parseCall('{"jsonrpc":"2.0","id":1,"method":"tasks/get","params":{"id":"task_…"}}')
 * // { ok: true, call: { id: 1, method: "tasks/get", op: "get", wire: "0.3", params: { id: "task_…" } } }
 */
export function parseCall(body: string): { ok: true; call: RpcCall } | ParseFailure {
  let json: unknown;
  if (jsonDepth(body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH)
    return { ok: false, id: null, error: { code: RPC.INVALID_REQUEST, message: `Invalid Request: JSON nested deeper than ${MAX_JSON_DEPTH} levels` } };
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, id: null, error: { code: RPC.PARSE_ERROR, message: "Parse error: the body is not valid JSON" } };
  }
  const invalid = (message: string): RpcError => ({ code: RPC.INVALID_REQUEST, message: `Invalid Request: ${message}` });
  if (Array.isArray(json)) return { ok: false, id: null, error: invalid("batch requests are not supported; send one request per call") };
  if (!isRecord(json)) return { ok: false, id: null, error: invalid("the body must be a JSON-RPC request object") };
  const rawId = json.id;
  const idOk = typeof rawId === "string" || (typeof rawId === "number" && Number.isFinite(rawId));
  const id: RpcId = idOk ? (rawId as string | number) : null;
  // the method's version, when it names one, shapes every error from here on
  const method = typeof json.method === "string" ? json.method : "";
  const known = Object.hasOwn(METHODS, method) ? METHODS[method] : undefined;
  const unsupported = Object.hasOwn(UNSUPPORTED, method) ? UNSUPPORTED[method] : undefined;
  const wire = known?.wire ?? unsupported?.wire;
  const failed = (error: RpcError): ParseFailure => ({ ok: false, id, error, ...(wire ? { wire } : {}) });
  const proto = protoPath(json);
  if (proto) return failed({ code: RPC.INVALID_REQUEST, message: `Invalid Request: ${protoDetail(proto)}`, data: { path: proto } });
  if (json.jsonrpc !== "2.0") return failed(invalid("'jsonrpc' must be \"2.0\""));
  if (!("id" in json) || rawId === null) return failed(invalid("an 'id' is required (notifications are not served)"));
  if (!idOk) return failed(invalid("'id' must be a string or a number"));
  if (method === "") return failed(invalid("'method' must be a non-empty string"));
  // `params: null` is absent (ProtoJSON), like every null member below
  if (json.params !== undefined && json.params !== null && !isRecord(json.params)) return failed(invalid("'params' must be an object"));
  if (unsupported) return failed({ code: unsupported.code, message: `${method} is not supported by this agent`, data: { method } });
  if (!known) return failed({ code: RPC.METHOD_NOT_FOUND, message: `Method not found: ${method}`, data: { method } });
  const params = isRecord(json.params) ? (known.wire === "1.0" ? protoNames(withoutNulls(json.params)) : withoutNulls(json.params)) : {};
  return { ok: true, call: { id: id as string | number, method, op: known.op, wire: known.wire, params } };
}

/**
 * Params without their `null` members, at any depth: ProtoJSON reads `null` as "the
 * field's default" (absent), so A2A 1.0 clients may send `"contextId": null` or
 * `"configuration": null`. Left as sent: the value of `data` (a `google.protobuf.Value`,
 * where `null` is a value) and everything inside `metadata` (a `Struct` of the
 * client's own values); elements of arrays are not members, so `[null]` stays.
 *
 * @example
 * withoutNulls({ message: { contextId: null, metadata: { a: null } }, configuration: null })
 * // { message: { metadata: { a: null } } }
 */
export function withoutNulls(o: Record<string, unknown>): Record<string, unknown> {
  const clean = (v: unknown): unknown => (Array.isArray(v) ? v.map(clean) : isRecord(v) ? withoutNulls(v) : v);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === null && k !== "data") continue;
    out[k] = k === "data" || k === "metadata" ? v : clean(v);
  }
  return out;
}

/**
 * 1.x params with proto field names (`history_length`, `task_id`) read as their JSON
 * names (`historyLength`, `taskId`): a ProtoJSON parser accepts both (A2A 1.0 §5.5,
 * protobuf's JSON mapping). A member whose JSON name is also given is left as it is
 * (and refused as unknown). Like {@link withoutNulls}, the values of `data` and
 * `metadata` are the client's own and left as sent.
 *
 * @example
 * protoNames({ id: "t", history_length: 2, metadata: { a_b: 1 } }) // { id: "t", historyLength: 2, metadata: { a_b: 1 } }
 */
export function protoNames(o: Record<string, unknown>): Record<string, unknown> {
  const clean = (v: unknown): unknown => (Array.isArray(v) ? v.map(clean) : isRecord(v) ? protoNames(v) : v);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    const camel = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$/.test(k) ? k.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase()) : k;
    const name = camel !== k && !Object.hasOwn(o, camel) ? camel : k;
    out[name] = k === "data" || k === "metadata" ? v : clean(v);
  }
  return out;
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
