import type { Specialist } from "../config/schema.ts";
import type { SpecialistFailure, SpecialistOutcome } from "./hop.ts";

/** One call made while serving a hop. */
export interface Attempt {
  specialist: string;
  attempt: number;
  ok: boolean;
  ms: number;
  failure?: SpecialistFailure;
}

export type DispatchResult =
  | {
      ok: true;
      specialist: Specialist;
      output: unknown;
      usage: Extract<SpecialistOutcome, { ok: true }>["usage"];
      /** For a streamed reply: its final outcome once the stream ends. */
      settled?: Promise<SpecialistOutcome>;
      attempts: Attempt[];
    }
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

/** Failure kinds of attempts refused before any call (admission, policy, kill switch): no call was made. */
const DENIALS = new Set(["over_limit", "circuit_open", "disabled", "policy_denied", "approval_required"]);

/** Calls made among attempts: those admission refused are not calls (nor a task's hops). */
export function callsMade(attempts: readonly { ok: boolean; failure?: { kind: string } | undefined }[]): number {
  return attempts.filter((a) => a.ok || !DENIALS.has(a.failure?.kind ?? "")).length;
}

/** Longest upstream `Retry-After` the router waits out within one hop, in ms. */
export const MAX_RETRY_WAIT_MS = 2_000;
const BASE_BACKOFF_MS = 50;

/** Transient failures are retried on the same specialist; others go straight to the fallbacks. */
export function isRetryable(f: SpecialistFailure): boolean {
  if (f.kind === "unreachable" || f.kind === "truncated") return true;
  if (f.kind === "rate_limited") return (f.retryAfterSeconds ?? 0) * 1000 <= MAX_RETRY_WAIT_MS;
  return f.kind === "http_error" && f.status !== undefined && f.status >= 500;
}

/**
 * Failures that end the whole hop: the specialist refused the input itself (another
 * one would be asked the same question), or the caller went away.
 */
export function endsHop(f: SpecialistFailure): boolean {
  return f.kind === "refused" || f.kind === "client_closed";
}

/** Exponential backoff with jitter in [½, 1] of the step, or the upstream's Retry-After. */
export function backoffMs(attempt: number, failure: SpecialistFailure, rng: () => number): number {
  if (failure.retryAfterSeconds !== undefined) return Math.min(MAX_RETRY_WAIT_MS, failure.retryAfterSeconds * 1000);
  return BASE_BACKOFF_MS * 2 ** attempt * (0.5 + rng() / 2);
}

/** A specialist in a dispatch chain; `fallbackOf` names the specialist whose configured fallback it is. */
export type ChainLink = Specialist & { readonly fallbackOf?: string };

/**
 * The specialist (or every capable candidate, in order), then their configured
 * fallbacks, each once, skipping unknown ids and those `usable` rejects (a fallback
 * that cannot honour the request).
 */
export function fallbackChain(first: Specialist | readonly Specialist[], registry: ReadonlyMap<string, Specialist>, usable: (s: Specialist) => boolean = () => true): ChainLink[] {
  const chain: ChainLink[] = [];
  const firsts = Array.isArray(first) ? first : [first as Specialist];
  for (const s of firsts) if (!chain.some((c) => c.id === s.id)) chain.push(s);
  for (const f of firsts)
    for (const id of f.fallbacks) {
      const s = registry.get(id);
      if (s && usable(s) && !chain.some((c) => c.id === s.id)) chain.push({ ...s, fallbackOf: f.id });
    }
  return chain;
}

/**
 * Serves a hop: tries each specialist of `chain` with up to `retries` retries on
 * transient failures, and returns the first success or the last failure. A refusal
 * by the specialist or a caller that went away ends the hop at once ({@link endsHop});
 * a specialist disabled by a kill switch is not stood in for by its own fallbacks
 * (the caller learns it is disabled instead of getting another specialist's answer).
 *
 * @example
 * const r = await dispatch(fallbackChain(s, registry), deps);
 * if (!r.ok) throw toProblem(r.failure, r.attempts);
 */
export async function dispatch(chain: readonly ChainLink[], deps: DispatchDeps): Promise<DispatchResult> {
  const attempts: Attempt[] = [];
  const disabled = new Set<string>();
  let last: SpecialistFailure = { kind: "misconfigured", detail: "no specialist to call" };
  for (const s of chain) {
    if (s.fallbackOf !== undefined && disabled.has(s.fallbackOf)) continue;
    for (let attempt = 0; attempt <= s.retries; attempt++) {
      const started = deps.now();
      const admission = deps.admit ? await deps.admit(s, attempt) : undefined;
      if (admission && !admission.ok) {
        attempts.push({ specialist: s.id, attempt, ok: false, ms: deps.now() - started, failure: admission.failure });
        last = admission.failure;
        if (last.kind === "disabled") disabled.add(s.id);
        break;
      }
      let outcome: SpecialistOutcome;
      try {
        outcome = await deps.call(s, attempt);
      } catch (e) {
        // an adapter that throws (a header the runtime refuses, a bug) is a failed call, not a 500; its lease is released below
        outcome = { ok: false, failure: { kind: "misconfigured", detail: `the call could not be made: ${(e as Error)?.message ?? String(e)}` } };
      }
      admission?.done(outcome);
      const ms = deps.now() - started;
      if (outcome.ok) {
        attempts.push({ specialist: s.id, attempt, ok: true, ms });
        return { ok: true, specialist: s, output: outcome.output, usage: outcome.usage, ...(outcome.settled ? { settled: outcome.settled } : {}), attempts };
      }
      attempts.push({ specialist: s.id, attempt, ok: false, ms, failure: outcome.failure });
      last = outcome.failure;
      if (endsHop(last)) return { ok: false, failure: last, attempts };
      if (attempt === s.retries || !isRetryable(last)) break;
      await deps.sleep(backoffMs(attempt, last, deps.rng));
    }
  }
  return { ok: false, failure: last, attempts };
}
