import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../../env.ts";
import { problemShape } from "../problem-shape.ts";
import { anthropicErrorType, typeByStatus } from "./error-types.ts";
import { anthropicError } from "./stream-translate.ts";

/** The problem+json members the mapping reads (worker/http/problem.ts, failures.ts). */
export interface ProblemBody {
  type: string;
  status: number;
  detail: string;
  /** The attempts of a failed hop, with the upstream status of each. */
  tried?: { status?: number }[];
  /** A specialist's refusal: its status and its own error (`type`, `message`) as sent. */
  upstream?: { status: number | null; error?: { type: string; message: string } };
}

/** Anthropic's error body (API reference, "Errors"). */
export type AnthropicErrorBody = ReturnType<typeof anthropicError>;

/**
 * The Anthropic error for a problem (API reference, "Errors"): `type` by status
 * (error-types.ts `typeByStatus`: 409 and 422, the router's conflict, policy and
 * refusal statuses, are `invalid_request_error`); the router's
 * `no-healthy-specialist` (every candidate's circuit open) is Anthropic's 529
 * `overloaded_error`, and so is a specialist failure whose last attempt the upstream
 * answered 529. The status is kept otherwise; `message` is the problem's detail, which
 * names the bad field.
 *
 * @example
 * anthropicErrorOf({ type: "urn:switchyard:problem:model-not-found", status: 404, detail: "…" })
 * // { status: 404, body: { type: "error", error: { type: "not_found_error", message: "…" } } }
 */
export function anthropicErrorOf(p: ProblemBody): { status: number; body: AnthropicErrorBody } {
  const slug = p.type.replace(/^urn:switchyard:problem:/, "");
  const lastStatus = Array.isArray(p.tried) ? p.tried.at(-1)?.status : undefined;
  if (slug === "no-healthy-specialist" || (slug === "specialist-failed" && lastStatus === 529)) return { status: 529, body: anthropicError("overloaded_error", p.detail) };
  return { status: p.status, body: anthropicError(typeByStatus(p.status), p.detail) };
}

/**
 * Path-scoped error shape: every problem+json response of the wrapped paths
 * (validation, auth, body limit, kill switches, routing and specialist failures,
 * unknown paths) is re-sent as Anthropic's `{ type: "error", error: { type, message } }`
 * with `Retry-After` kept. A specialist's own refusal (an `anthropic` specialist's
 * error, or an OpenAI-compatible one's) keeps its status, type and message. Registered
 * before the auth middleware so 401s are covered too.
 */
export function anthropicErrorShape(): MiddlewareHandler<AppEnv> {
  return problemShape<ProblemBody>((problem) => {
    const up = problem.upstream;
    return up?.error && up.status !== null ? { status: up.status, body: anthropicError(anthropicErrorType(up.error.type, up.status), up.error.message) } : anthropicErrorOf(problem);
  });
}
