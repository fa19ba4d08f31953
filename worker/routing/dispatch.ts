import type { Specialist } from "../config/schema.ts";
import type { SpecialistFailure, SpecialistOutcome } from "../adapters/types.ts";

/** One call made while serving a hop. */
export interface Attempt {
  specialist: string;
  attempt: number;
  ok: boolean;
  ms: number;
  failure?: SpecialistFailure;
}

export type DispatchResult =
  | { ok: true; specialist: Specialist; output: unknown; usage: Extract<SpecialistOutcome, { ok: true }>["usage"]; attempts: Attempt[] }
  | { ok: false; failure: SpecialistFailure; attempts: Attempt[] };

export interface DispatchDeps {
  call(s: Specialist, attempt: number): Promise<SpecialistOutcome>;
  /**
   * Admission before each call (rate-limit pools, circuit breaker). A denial is
   * recorded as an attempt and the next specialist is tried; nothing is called.
   */
  admit?(s: Specialist, attempt: number): Promise<{ ok: true; done(outcome: SpecialistOutcome): void } | { ok: false; failure: SpecialistFailure }>;
  sleep(ms: number): Promise<void>;
  /** Uniform in [0, 1): jitter. */
  rng(): number;
  now(): number;
}

/** Longest upstream `Retry-After` the router waits out within one hop, in ms. */
export const MAX_RETRY_WAIT_MS = 2_000;
const BASE_BACKOFF_MS = 50;

/** Transient failures are retried on the same specialist; others go straight to the fallbacks. */
export function isRetryable(f: SpecialistFailure): boolean {
  if (f.kind === "unreachable") return true;
  if (f.kind === "rate_limited") return (f.retryAfterSeconds ?? 0) * 1000 <= MAX_RETRY_WAIT_MS;
  return f.kind === "http_error" && f.status !== undefined && f.status >= 500;
}

/** Exponential backoff with jitter in [½, 1] of the step, or the upstream's Retry-After. */
export function backoffMs(attempt: number, failure: SpecialistFailure, rng: () => number): number {
  if (failure.retryAfterSeconds !== undefined) return Math.min(MAX_RETRY_WAIT_MS, failure.retryAfterSeconds * 1000);
  return BASE_BACKOFF_MS * 2 ** attempt * (0.5 + rng() / 2);
}

/**
 * The specialist (or every capable candidate, in order), then their configured
 * fallbacks, each once, skipping unknown ids.
 */
export function fallbackChain(first: Specialist | readonly Specialist[], registry: ReadonlyMap<string, Specialist>): Specialist[] {
  const chain: Specialist[] = [];
  const add = (s: Specialist | undefined) => {
    if (s && !chain.some((c) => c.id === s.id)) chain.push(s);
  };
  const firsts = Array.isArray(first) ? first : [first as Specialist];
  firsts.forEach(add);
  for (const f of firsts) for (const id of f.fallbacks) add(registry.get(id));
  return chain;
}

/**
 * Serves a hop: tries each specialist of `chain` with up to `retries` retries on
 * transient failures, and returns the first success or the last failure.
 *
 * @example
 * const r = await dispatch(fallbackChain(s, registry), deps);
 * if (!r.ok) throw toProblem(r.failure, r.attempts);
 */
export async function dispatch(chain: readonly Specialist[], deps: DispatchDeps): Promise<DispatchResult> {
  const attempts: Attempt[] = [];
  let last: SpecialistFailure = { kind: "misconfigured", detail: "no specialist to call" };
  for (const s of chain) {
    for (let attempt = 0; attempt <= s.retries; attempt++) {
      const started = deps.now();
      const admission = deps.admit ? await deps.admit(s, attempt) : undefined;
      if (admission && !admission.ok) {
        attempts.push({ specialist: s.id, attempt, ok: false, ms: deps.now() - started, failure: admission.failure });
        last = admission.failure;
        break;
      }
      const outcome = await deps.call(s, attempt);
      admission?.done(outcome);
      const ms = deps.now() - started;
      if (outcome.ok) {
        attempts.push({ specialist: s.id, attempt, ok: true, ms });
        return { ok: true, specialist: s, output: outcome.output, usage: outcome.usage, attempts };
      }
      attempts.push({ specialist: s.id, attempt, ok: false, ms, failure: outcome.failure });
      last = outcome.failure;
      if (attempt === s.retries || !isRetryable(last)) break;
      await deps.sleep(backoffMs(attempt, last, deps.rng));
    }
  }
  return { ok: false, failure: last, attempts };
}
