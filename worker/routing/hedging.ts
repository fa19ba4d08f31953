/**
 * Workers glue for hedged calls (routing/hedge.ts): a tenant's hedge budget kept in a
 * RateLimitPool Durable Object (`hedge:<tenant>`, so it holds across the edge), a
 * specialist's recent latency from its Metrics object, and one hedged call between two
 * specialists with what it did, for a step's record, a trace and metrics.
 */
import type { HedgingSettings, Hedge } from "../config/coordination.ts";
import type { Env } from "../env.ts";
import { metricsStub } from "../observe/sinks.ts";
import { utcDay } from "../observe/metrics-model.ts";
import type { Histogram } from "../observe/histogram.ts";
import { poolStub } from "./admission.ts";
import { ATTR } from "../observe/attributes.ts";
import { hedgedRace, hedgeDelay, type HedgeGrant, type HedgeReport, type Who } from "./hedge.ts";

/** The budget {@link hedgedRace} consults: the tenant's `hedging` settings, none when `maxExtraCalls` is 0 (the default) or there is no pool binding. */
export function tenantHedgeBudget(env: Env, tenant: string, settings: HedgingSettings): { tryTake(now: number): HedgeGrant | Promise<HedgeGrant>; giveBack(grant: HedgeGrant): void } {
  const budget = { maxExtraCalls: settings.maxExtraCalls, windowMs: settings.windowSeconds * 1000 };
  const ns = env.RATE_LIMIT_POOL;
  if (budget.maxExtraCalls === 0 || !ns) return { tryTake: () => ({ ok: false }), giveBack: () => {} };
  const stub = poolStub(ns, `hedge:${tenant}`);
  return {
    tryTake: () => stub.takeHedge(budget),
    giveBack: (g) => {
      const at = (g as { at?: unknown }).at;
      if (g.ok && typeof at === "number") void stub.refundHedge(budget, at).catch(() => {});
    },
  };
}

/** Today's (UTC) latency histogram of a specialist's calls, from its Metrics object; undefined when unknown or unreadable (the delay falls back). */
async function latencyOf(env: Env, specialist: string): Promise<Histogram | undefined> {
  try {
    return (await metricsStub(env, specialist)?.day(specialist, utcDay(Date.now())))?.latency;
  } catch {
    return undefined;
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(t), resolve()), { once: true });
  });
}

/** What a hedged call did: in a step's record, a span's attributes, and `GET /v1/metrics`. */
export interface HedgeRecord {
  primary: string;
  hedgeWith: string;
  delayMs: number;
  delaySource: "fixed" | "p95" | "fallback";
  hedged: boolean;
  winner: string;
  abortedLoser: boolean;
  budgetDenied: boolean;
  /** Why the hedge was refused before any call (a policy, a kill switch, a pool): then `hedged` is false and the budget given back. */
  hedgeRefused?: string;
}

/**
 * Calls `primary`, and `hedgeWith` too if `primary` has not answered OK within the
 * hedge's delay and the tenant's budget grants it; `call` makes one call (through
 * the specialist's policy, pool, budget and audit) and settles when the call has,
 * its lease released, also when its signal aborts. Settles once every started call
 * has: the winner's result and what happened.
 */
export async function hedgedCall<R extends { ok: boolean }>(
  env: Env,
  o: { tenant: string; settings: HedgingSettings; hedge: Hedge; primary: string; hedgeWith: string; signal?: AbortSignal | undefined },
  call: (specialist: string, signal: AbortSignal) => Promise<R>,
  toFailure: (error: unknown, specialist: string) => R,
  refused: (result: R) => string | undefined = () => undefined,
): Promise<{ result: R; record: HedgeRecord; report: HedgeReport<R> }> {
  const delay = hedgeDelay(o.hedge.delayMs, o.hedge.delayMs === "p95" ? await latencyOf(env, o.primary) : undefined);
  const who = (w: Who) => (w === "primary" ? o.primary : o.hedgeWith);
  const budget = tenantHedgeBudget(env, o.tenant, o.settings);
  let grant: HedgeGrant | undefined;
  let hedgeResult: R | undefined;
  const report = await hedgedRace((s) => call(o.primary, s), (s) => call(o.hedgeWith, s).then((r) => (hedgeResult = r)), {
    delayMs: delay.delayMs,
    budget: { tryTake: (now) => Promise.resolve(budget.tryTake(now)).then((g) => (grant = g)), giveBack: (g) => budget.giveBack(g) },
    now: () => Date.now(),
    sleep,
    signal: o.signal,
    toFailure: (e, w) => toFailure(e, who(w)),
  });
  await report.settled; // the loser's lease and its counts are settled before the result is recorded
  // a hedge refused before calling anyone (its policy, kill switch or pool) was no extra call: not hedged, its budget given back
  const why = report.hedged && hedgeResult !== undefined ? refused(hedgeResult) : undefined;
  if (why !== undefined && grant) budget.giveBack(grant);
  return {
    result: report.result,
    report,
    record: { primary: o.primary, hedgeWith: o.hedgeWith, delayMs: delay.delayMs, delaySource: delay.source, hedged: report.hedged && why === undefined, winner: who(report.winner), abortedLoser: report.abortedLoser, budgetDenied: report.budgetDenied, ...(why !== undefined ? { hedgeRefused: why } : {}) },
  };
}

/** A hedge or ensemble span's closing attributes (worker/observe/attributes.ts), which `GET /v1/metrics` counts per decided specialist. */
export function coordinationAttributes(r: { hedge?: HedgeRecord | undefined; ensemble?: { decision: string; agreement?: number | undefined } | undefined }): Record<string, string | number | boolean | undefined> {
  const h = r.hedge;
  if (h) return { [ATTR.hedgeWith]: h.hedgeWith, [ATTR.hedgeDelayMs]: h.delayMs, [ATTR.hedged]: h.hedged, [ATTR.hedgeWinner]: h.winner, [ATTR.hedgeBudgetDenied]: h.budgetDenied };
  const e = r.ensemble;
  return e ? { [ATTR.ensembleDecision]: e.decision, [ATTR.ensembleAgreement]: e.agreement } : {};
}

/** Why a signal aborted, in words (its reason's message). */
export function abortReason(signal: AbortSignal): string {
  const r = signal.reason as { message?: unknown } | undefined;
  return typeof r?.message === "string" ? r.message : String(r ?? "aborted");
}
