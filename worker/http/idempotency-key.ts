import { badRequest } from "./problem.ts";

/** Longest idempotency key, characters: the `Idempotency-Key` header and every body's `idempotencyKey` alike. */
export const MAX_IDEMPOTENCY_KEY = 255;

/**
 * The request's `Idempotency-Key` header (undefined when absent or empty), or a 400
 * naming it when it is longer than {@link MAX_IDEMPOTENCY_KEY}: a key the router
 * cannot keep is refused, never dropped (a retry would then not be deduplicated).
 * Each front door's error middleware puts the 400 in its own shape.
 */
export function idempotencyKeyHeader(header: string | undefined): string | undefined {
  if (header === undefined || header === "") return undefined;
  if (header.length > MAX_IDEMPOTENCY_KEY) throw badRequest(`the Idempotency-Key header is longer than ${MAX_IDEMPOTENCY_KEY} characters`, [{ path: "idempotency-key", message: "too long" }]);
  return header;
}
