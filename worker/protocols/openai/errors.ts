import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../../env.ts";
import { problemShape } from "../problem-shape.ts";

/** The problem+json members the mapping reads. */
export interface ProblemBody {
  type: string;
  status: number;
  detail: string;
  errors?: { path: string; message: string }[];
  /** A specialist's refusal: its status and, from an OpenAI-compatible specialist, its `error` as sent. */
  upstream?: { status: number | null; error?: OpenAIError["error"] };
}

/** OpenAI's error body: `{ error: { message, type, param, code } }`. */
export interface OpenAIError {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/**
 * The OpenAI error for a problem: same status, OpenAI's `type`
 * (`invalid_request_error`, `authentication_error`, `rate_limit_error`,
 * `server_error`), the problem slug as `code` (`model_not_found`,
 * `invalid_api_key`, `rate_limit_exceeded` where OpenAI has one), and the first bad
 * field as `param`.
 *
 * @example
 * openAIError({ type: "urn:switchyard:problem:model-not-found", status: 404, detail: "…" })
 * // { error: { message: "…", type: "invalid_request_error", param: "model", code: "model_not_found" } }
 */
export function openAIError(p: ProblemBody): OpenAIError {
  const slug = p.type.replace(/^urn:switchyard:problem:/, "");
  const type =
    p.status === 401 || p.status === 403 ? "authentication_error" : p.status === 429 ? "rate_limit_error" : p.status >= 500 ? "server_error" : "invalid_request_error";
  const known: Record<string, { code: string; param?: string }> = {
    "model-not-found": { code: "model_not_found", param: "model" },
    "unknown-specialist": { code: "model_not_found", param: "model" },
    unauthorized: { code: "invalid_api_key" },
    "rate-limited": { code: "rate_limit_exceeded" },
    "over-limit": { code: "rate_limit_exceeded" },
    "body-too-large": { code: "request_too_large" },
    "unsupported-field": { code: "unsupported_parameter" },
  };
  const k = known[slug];
  const param = k?.param ?? p.errors?.[0]?.path ?? null;
  return { error: { message: p.detail, type, param: param === "" ? null : param, code: k?.code ?? slug.replace(/-/g, "_") } };
}

/**
 * Path-scoped error shape: every problem+json response of the wrapped paths
 * (validation, auth, routing and specialist failures, unknown paths) is re-sent in
 * OpenAI's error shape with the same status and `Retry-After` (a refusal by an
 * OpenAI-compatible specialist: its own error object and status). Register it before
 * the auth middleware so 401s are covered too.
 */
export function openAIErrorShape(): MiddlewareHandler<AppEnv> {
  return problemShape<ProblemBody>((problem, status) => {
    // an OpenAI-compatible specialist's own refusal reaches OpenAI clients as it sent it
    const up = problem.upstream;
    return up?.error && up.status !== null ? { status: up.status, body: { error: up.error } } : { status, body: openAIError(problem) };
  });
}
