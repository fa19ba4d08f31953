/**
 * JSON-RPC errors in each version's shape. 0.3: `data` is an object (the router's
 * detail as is). 1.0 (§3.3.2, §9.5): `data` is an array of typed objects, each with
 * an `@type` (ProtoJSON `Any`): a `google.rpc.ErrorInfo` for the A2A errors (reason,
 * domain `a2a-protocol.org`) or for a router problem (its slug, domain `switchyard`),
 * with the detail's scalar members as string `metadata`; a `google.rpc.BadRequest` with
 * the field violations of invalid params; a `google.rpc.RetryInfo` when a retry may
 * help later; and a `google.protobuf.Struct` with any other member (attempts tried,
 * screening signals…), so nothing the 0.3 object says is lost. Pure.
 */
import { RPC, type RpcError, type RpcId, type Wire } from "./jsonrpc.ts";

export const ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo";
export const BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest";
export const RETRY_INFO = "type.googleapis.com/google.rpc.RetryInfo";
export const STRUCT = "type.googleapis.com/google.protobuf.Struct";
/** ErrorInfo `domain` of the A2A errors (§10.6). */
export const A2A_DOMAIN = "a2a-protocol.org";
/** ErrorInfo `domain` of the router's own reasons (its problem types, `urn:switchyard:problem:<slug>`). */
export const ROUTER_DOMAIN = "switchyard";

/** The A2A errors' reasons: the error's name in UPPER_SNAKE_CASE without "Error" (§10.6), by code (§5.4). */
export const A2A_REASONS: Readonly<Record<number, string>> = {
  [RPC.TASK_NOT_FOUND]: "TASK_NOT_FOUND",
  [RPC.TASK_NOT_CANCELABLE]: "TASK_NOT_CANCELABLE",
  [RPC.PUSH_NOTIFICATION_NOT_SUPPORTED]: "PUSH_NOTIFICATION_NOT_SUPPORTED",
  [RPC.UNSUPPORTED_OPERATION]: "UNSUPPORTED_OPERATION",
  [RPC.CONTENT_TYPE_NOT_SUPPORTED]: "CONTENT_TYPE_NOT_SUPPORTED",
  [RPC.INVALID_AGENT_RESPONSE]: "INVALID_AGENT_RESPONSE",
  [RPC.EXTENDED_CARD_NOT_CONFIGURED]: "EXTENDED_AGENT_CARD_NOT_CONFIGURED",
  [RPC.EXTENSION_SUPPORT_REQUIRED]: "EXTENSION_SUPPORT_REQUIRED",
  [RPC.VERSION_NOT_SUPPORTED]: "VERSION_NOT_SUPPORTED",
};

/** JSON-RPC's own errors, for the router's ErrorInfo when no problem names a reason. */
const JSONRPC_REASONS: Readonly<Record<number, string>> = {
  [RPC.PARSE_ERROR]: "PARSE_ERROR",
  [RPC.INVALID_REQUEST]: "INVALID_REQUEST",
  [RPC.METHOD_NOT_FOUND]: "METHOD_NOT_FOUND",
  [RPC.INVALID_PARAMS]: "INVALID_PARAMS",
  [RPC.INTERNAL_ERROR]: "INTERNAL_ERROR",
};

const PROBLEM = "urn:switchyard:problem:";

type Obj = Record<string, unknown>;
const isRecord = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const isScalar = (v: unknown): v is string | number | boolean => typeof v === "string" || typeof v === "number" || typeof v === "boolean";
const isIssue = (v: unknown): v is { path: string; message: string } => isRecord(v) && typeof v.path === "string" && typeof v.message === "string";

/** `specialist-failed` → `SPECIALIST_FAILED`. */
const upperSnake = (slug: string) => slug.replace(/[^A-Za-z0-9]+/g, "_").toUpperCase();

/**
 * The 1.0 `data` array of an error whose 0.3 `data` is `detail`.
 *
 * @example
 * typedDetails(-32001, { taskId: "task_1" })
 * // [{ "@type": ERROR_INFO, reason: "TASK_NOT_FOUND", domain: "a2a-protocol.org", metadata: { taskId: "task_1" } }]
 * typedDetails(-32602, { errors: [{ path: "message", message: "Required" }] })
 * // [{ "@type": BAD_REQUEST, fieldViolations: [{ field: "message", description: "Required" }] }]
 */
export function typedDetails(code: number, detail: unknown): Obj[] {
  const d: Obj = isRecord(detail) ? detail : detail === undefined ? {} : { detail };
  const metadata: Record<string, string> = {};
  const rest: Obj = {};
  let violations: { field: string; description: string }[] | undefined;
  let retryAfter: number | undefined;
  const validation = code === RPC.INVALID_PARAMS || code === RPC.INVALID_REQUEST;
  for (const [k, v] of Object.entries(d)) {
    if (k === "errors" && validation && Array.isArray(v) && v.every(isIssue)) violations = v.map((i) => ({ field: i.path, description: i.message }));
    else if (k === "retryAfterSeconds" && typeof v === "number") retryAfter = v;
    else if (isScalar(v)) metadata[k] = String(v);
    else if (v !== undefined) rest[k] = v;
  }
  const out: Obj[] = [];
  const slug = typeof d.type === "string" && d.type.startsWith(PROBLEM) ? d.type.slice(PROBLEM.length) : undefined;
  const info = (reason: string, domain: string) => ({ "@type": ERROR_INFO, reason, domain, ...(Object.keys(metadata).length ? { metadata } : {}) });
  if (A2A_REASONS[code]) out.push(info(A2A_REASONS[code], A2A_DOMAIN));
  else if (slug) out.push(info(upperSnake(slug), ROUTER_DOMAIN));
  else if (Object.keys(metadata).length) out.push(info(JSONRPC_REASONS[code] ?? `CODE_${Math.abs(code)}`, ROUTER_DOMAIN));
  if (violations) out.push({ "@type": BAD_REQUEST, fieldViolations: violations });
  if (retryAfter !== undefined) out.push({ "@type": RETRY_INFO, retryDelay: `${retryAfter}s` });
  if (Object.keys(rest).length) out.push({ "@type": STRUCT, value: rest });
  return out;
}

/**
 * An error in a version's shape: 0.3 as is; 1.0 with `data` as typed details (none: no `data`).
 * A2A-specific errors always carry their ErrorInfo in 1.0, with or without detail.
 */
export function wireError(e: RpcError, wire: Wire): RpcError {
  if (wire === "0.3") return e;
  const { data, ...rest } = e;
  const details = typedDetails(e.code, data);
  return details.length ? { ...rest, data: details } : rest;
}

/** A JSON-RPC error response in a version's shape. */
export const rpcErrorFor = (id: RpcId, e: RpcError, wire: Wire) => ({ jsonrpc: "2.0" as const, id, error: wireError(e, wire) });
