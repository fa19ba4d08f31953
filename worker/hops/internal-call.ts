import type { Principal } from "../env.ts";
import type { ProblemInit } from "../http/problem.ts";
import type { ConnectionPool, SpecialistProgress, ToolCall } from "../routing/hop.ts";

/**
 * A request the router makes to its own app, in process: the queue consumer replaying
 * an async hop as the tenant that submitted it, or the MCP door's session calling a
 * tool as the session's tenant (`tool`). Counts the specialist calls the replay
 * made, so the consumer knows whether an error came before any of them (safe to retry)
 * or after (never repeated).
 */
export interface InternalCall {
  principal: Principal;
  /** The async hop's id, on its replay: the replayed hop gets it (its trace, its problem's `hop`, the specialist's default `Idempotency-Key`). */
  hopId?: string | undefined;
  /** The tool call this hop is, when the MCP door makes it (worker/protocols/mcp/). */
  tool?: InternalToolCall | undefined;
  specialistCalls: number;
  /**
   * Answer this problem instead of serving the request: the door's own error handling
   * then writes it in the door's shape (OpenAI's error on the chat door), as it writes
   * every other answer of the hop.
   */
  refuse?: ProblemInit | undefined;
}

/**
 * A tool call of the MCP door, made as a hop (`POST /v1/route`): what the route's body
 * cannot carry, because only the router may say it.
 */
export interface InternalToolCall {
  /** The tool's name in the door's catalogue (`<server>__<tool>`, a specialist's id, `route`): policy rules match it by `tool` glob. */
  name: string;
  /** The call sent to an MCP server (absent when the tool is a specialist or `route`: the hop's input is sent). */
  call?: ToolCall | undefined;
  /** A human approved this call (at the door's gate): a `require: approval` rule lets it through. */
  approved?: boolean | undefined;
  /** Told of what the server says mid-call (its `notifications/progress`). */
  progress?: ((p: SpecialistProgress) => void) | undefined;
  /** The session's open upstream MCP sessions. */
  connections?: ConnectionPool | undefined;
}

/**
 * Internal calls by their `Request` object. Only code in this isolate holds such an
 * object, so no HTTP client can forge one: nothing a client sends (no header, no body)
 * marks a request as internal.
 */
const calls = new WeakMap<Request, InternalCall>();

/**
 * Marks `request` as an internal call, to be handed to the app's `fetch` as it is (the
 * mark is the object itself: a copy is not marked).
 *
 * @example
 * const call = { principal: { tenant: "acme", admin: false }, hopId, specialistCalls: 0 };
 * await app.fetch(internalRequest(new Request(url, init), call), env, ctx);
 */
export function internalRequest(request: Request, call: InternalCall): Request {
  calls.set(request, call);
  return request;
}

/** The internal call a request is, if the router made it in process (checked first by the auth middleware). */
export function internalCallOf(request: Request): InternalCall | undefined {
  return calls.get(request);
}
