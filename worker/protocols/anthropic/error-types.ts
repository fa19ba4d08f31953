/**
 * Anthropic's error types (API reference, "Errors"), pure: by HTTP status, and from
 * another protocol's error type. Sent as `{ type: "error", error: { type, message } }`.
 */

/** The Anthropic error types a client may get. */
const TYPES: ReadonlySet<string> = new Set(["invalid_request_error", "authentication_error", "permission_error", "not_found_error", "request_too_large", "rate_limit_error", "api_error", "overloaded_error"]);

/**
 * Anthropic's error type for a status: 401 `authentication_error`, 403
 * `permission_error`, 404 `not_found_error`, 413 `request_too_large`, 429
 * `rate_limit_error`, 529 `overloaded_error`, other 5xx `api_error`, any other 4xx
 * (400, and the router's 409, 415, 422) `invalid_request_error`.
 *
 * @example
 * typeByStatus(404) // "not_found_error"
 */
export function typeByStatus(status: number): string {
  switch (status) {
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 529:
      return "overloaded_error";
    default:
      return status >= 500 ? "api_error" : "invalid_request_error";
  }
}

/**
 * An error type from elsewhere (an Anthropic specialist's own, or OpenAI's in the
 * router's stream error events) as an Anthropic type: one of Anthropic's as is, any
 * other by `status` when known, else `api_error` (OpenAI's `server_error`).
 *
 * @example
 * anthropicErrorType("server_error") // "api_error"
 * anthropicErrorType("rate_limit_error") // "rate_limit_error"
 */
export function anthropicErrorType(type: unknown, status?: number): string {
  if (typeof type === "string" && TYPES.has(type)) return type;
  return status === undefined ? "api_error" : typeByStatus(status);
}
