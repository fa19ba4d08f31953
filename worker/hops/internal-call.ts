import type { Principal } from "../env.ts";
import type { ProblemInit } from "../http/problem.ts";

/**
 * A request the router makes to its own app, in process: the queue consumer replaying
 * an async hop as the tenant that submitted it. Counts the specialist calls the replay
 * made, so the consumer knows whether an error came before any of them (safe to retry)
 * or after (never repeated).
 */
export interface InternalCall {
  principal: Principal;
  /** The async hop's id: the replayed hop gets it (its trace, its problem's `hop`, the specialist's default `Idempotency-Key`). */
  hopId: string;
  specialistCalls: number;
  /**
   * Answer this problem instead of serving the request: the door's own error handling
   * then writes it in the door's shape (OpenAI's error on the chat door), as it writes
   * every other answer of the hop.
   */
  refuse?: ProblemInit | undefined;
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
