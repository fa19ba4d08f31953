import type { SpecialistFailure } from "../routing/hop.ts";
import type { Attempt } from "../routing/dispatch.ts";
import type { DecideResult } from "../routing/decide.ts";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ProblemError } from "./problem.ts";

const tried = (attempts: Attempt[]) =>
  attempts.map((a) => ({ specialist: a.specialist, attempt: a.attempt, failure: a.failure?.kind, status: a.failure?.status }));

/**
 * Maps the last failure of a hop to its status: 504 timeout, 429 rate-limited or over a
 * limit, 503 nobody healthy, 422 refused by policy or by the specialist (409/413 kept),
 * 502 otherwise.
 */
export function failureProblem(failure: SpecialistFailure, attempts: Attempt[]): ProblemError {
  const extra = { tried: tried(attempts) };
  const who = attempts.at(-1)?.specialist ?? "specialist";
  switch (failure.kind) {
    case "timeout":
      return new ProblemError({ status: 504, slug: "specialist-timeout", title: "Specialist timed out", detail: `${who}: ${failure.detail}`, extra });
    case "rate_limited":
      return new ProblemError({
        status: 429,
        slug: "rate-limited",
        title: "Specialist rate-limited",
        detail: `${who}: ${failure.detail}`,
        retryAfterSeconds: failure.retryAfterSeconds ?? 1,
        extra,
      });
    case "over_limit": {
      const waits = attempts.map((a) => a.failure?.retryAfterSeconds).filter((x): x is number => x !== undefined);
      return new ProblemError({
        status: 429,
        slug: "over-limit",
        title: "Over the specialist's limits",
        detail: `${who}: ${failure.detail}`,
        retryAfterSeconds: waits.length ? Math.min(...waits) : 1,
        extra,
      });
    }
    case "disabled":
      return new ProblemError({
        status: 503,
        slug: "specialist-disabled",
        title: "Specialist disabled",
        detail: `${failure.detail}; no fallback stands in for a disabled specialist; tried ${attempts.map((a) => `${a.specialist} (${a.failure?.kind})`).join(", ")}`,
        extra,
      });
    case "circuit_open":
      return new ProblemError({
        status: 503,
        slug: "no-healthy-specialist",
        title: "No healthy specialist",
        detail: `no specialist could take the hop; tried ${attempts.map((a) => `${a.specialist} (${a.failure?.kind})`).join(", ")}`,
        ...(failure.retryAfterSeconds !== undefined ? { retryAfterSeconds: failure.retryAfterSeconds } : {}),
        extra,
      });
    case "policy_denied":
    case "approval_required":
      return new ProblemError({
        status: 422,
        slug: "policy-refused",
        title: "Refused by policy",
        detail:
          failure.kind === "approval_required"
            ? `${failure.detail}; a one-hop route cannot wait for a human: submit it as a task (POST /v1/tasks)`
            : failure.detail,
        // the policy's own words, apart from the advice (the MCP door's approval gate quotes them)
        extra: { ...extra, policy: failure.detail },
      });
    case "refused": {
      // 409 and 413 keep their meaning; any other refusal says "this input cannot be served" (422)
      const up = failure.upstream;
      const status = up?.status === 409 || up?.status === 413 ? up.status : 422;
      return new ProblemError({
        status,
        slug: "specialist-refused",
        title: "Specialist refused the input",
        detail: `${who}: ${up?.message ?? failure.detail}`,
        extra: { ...extra, upstream: { status: up?.status ?? failure.status ?? null, ...(up?.openai ? { error: up.openai } : {}) } },
      });
    }
    case "client_closed":
      // nobody reads it: the caller has gone; the status is for logs and traces
      return new ProblemError({ status: 499 as ContentfulStatusCode, slug: "client-closed", title: "Client closed the request", detail: `${who}: ${failure.detail}`, extra });
    case "http_error":
    case "bad_response":
    case "unreachable":
    case "truncated":
    case "misconfigured":
      return new ProblemError({ status: 502, slug: "specialist-failed", title: "Specialist failed", detail: `${who}: ${failure.detail}`, extra });
    default: {
      const never: never = failure.kind;
      throw new Error(`unmapped failure ${String(never)}`);
    }
  }
}

/** Maps a routing refusal to 404 (unknown pinned specialist), 400 (nobody able to honour a field, named in `errors`) or 503 (nobody to send it to). */
export function decisionProblem(r: Extract<DecideResult, { ok: false }>): ProblemError {
  switch (r.reason) {
    case "unknown_specialist":
      return new ProblemError({ status: 404, slug: "unknown-specialist", title: "Unknown specialist", detail: `no specialist '${r.specialist}' is registered` });
    case "no_specialist":
      return new ProblemError({ status: 503, slug: "no-specialist", title: "No specialist available", detail: r.detail });
    case "unsupported":
      return new ProblemError({ status: 400, slug: "unsupported-field", title: "No specialist can honour the request", detail: r.detail, errors: [{ path: r.param, message: r.detail }] });
    default: {
      const never: never = r;
      throw new Error(`unmapped decision ${String(never)}`);
    }
  }
}
