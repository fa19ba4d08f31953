import type { ContentfulStatusCode } from "hono/utils/http-status";

/** A validation issue reported in a problem's `errors` member. */
export interface ProblemIssue {
  path: string;
  message: string;
}

/** Fields of an RFC 9457 problem document, as Switchyard sends them. */
export interface ProblemInit {
  status: ContentfulStatusCode;
  /** Short slug; the `type` URI is `urn:switchyard:problem:<slug>`. */
  slug: string;
  title: string;
  detail: string;
  errors?: ProblemIssue[];
  /** Sets `Retry-After` (seconds) on 429/503 responses. */
  retryAfterSeconds?: number;
  /** Extra members, e.g. `tried` on a 503. */
  extra?: Record<string, unknown>;
}

/**
 * The one error type routes throw for expected failures; `app.onError` turns it
 * into `application/problem+json`.
 *
 * @example
 * throw new ProblemError({ status: 404, slug: "unknown-intent", title: "Unknown intent", detail: `no intent ${id}` });
 */
export class ProblemError extends Error {
  override readonly name = "ProblemError";
  readonly problem: ProblemInit;
  constructor(problem: ProblemInit) {
    super(problem.detail);
    this.problem = problem;
  }
}

/** Serialises a problem to a `Response` (the only place that does). */
export function problemResponse(p: ProblemInit, headers: HeadersInit = {}): Response {
  const body = {
    type: `urn:switchyard:problem:${p.slug}`,
    title: p.title,
    status: p.status,
    detail: p.detail,
    ...(p.errors ? { errors: p.errors } : {}),
    ...p.extra,
  };
  const h = new Headers(headers);
  h.set("content-type", "application/problem+json");
  if (p.retryAfterSeconds !== undefined) h.set("retry-after", String(Math.max(0, Math.ceil(p.retryAfterSeconds))));
  return new Response(JSON.stringify(body), { status: p.status, headers: h });
}

/** 400 with the zod issues listed in `errors`. */
export function badRequest(detail: string, errors?: ProblemIssue[]): ProblemError {
  return new ProblemError({ status: 400, slug: "bad-request", title: "Bad request", detail, ...(errors ? { errors } : {}) });
}

/** 404 for an unknown id of any kind. */
export function notFound(detail: string): ProblemError {
  return new ProblemError({ status: 404, slug: "not-found", title: "Not found", detail });
}

/** 422: screening flagged the content and its mode refuses it; the verdict goes in `screening`. */
export function contentFlagged(detail: string, screening: { flagged: boolean; score: number; signals: string[] }): ProblemError {
  return new ProblemError({ status: 422, slug: "content-flagged", title: "Content flagged", detail, extra: { screening } });
}
