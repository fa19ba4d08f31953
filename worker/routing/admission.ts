import type { PoolGrant, RateLimitPool } from "../../durable-objects/rate-limit-pool.ts";
import { joined } from "../joined.ts";
import type { SpecialistFailure, SpecialistOutcome } from "./hop.ts";
import type { Config, Specialist } from "../config/schema.ts";
import type { Env } from "../env.ts";
import type { PoolConfig } from "../pools/pool.ts";
import { GrantCache, grantBatchCap, type GrantAnswer } from "../pools/grants.ts";
import { pickShards, shardConfig } from "../pools/shards.ts";
import type { DispatchDeps } from "./dispatch.ts";
import { switchState } from "../control.ts";
import { namedId } from "../object-ids.ts";

type Admit = NonNullable<DispatchDeps["admit"]>;
type AdmitResult = Awaited<ReturnType<Admit>>;

/** The pool config of a specialist (its limits and its breaker), or undefined if it has neither. */
export function poolConfigOf(s: Specialist, router: Config["router"]): { config: PoolConfig; limited: boolean; shards: number } | undefined {
  const l = s.limits;
  const breaker = s.breaker === undefined ? router.breaker : s.breaker;
  const limited = l.rpm !== undefined || l.tpm !== undefined || l.concurrency !== undefined || l.dailyBudgetUsd !== undefined;
  if (!limited && breaker === false) return undefined;
  const config: PoolConfig = {
    ...(l.rpm !== undefined ? { rpm: l.rpm } : {}),
    ...(l.tpm !== undefined ? { tpm: l.tpm } : {}),
    ...(l.concurrency !== undefined ? { concurrency: l.concurrency } : {}),
    ...(l.dailyBudgetUsd !== undefined ? { dailyBudgetUsd: l.dailyBudgetUsd } : {}),
    ...(l.leaseTtlMs !== undefined ? { leaseTtlMs: l.leaseTtlMs } : { leaseTtlMs: Math.max(30_000, s.timeoutMs * 2) }),
    ...(breaker !== false ? { breaker } : {}),
  };
  return { config, limited, shards: limited ? l.shards : 1 };
}

/** The pool config of a tenant with limits, if it has any. */
export function tenantPoolOf(config: Config, tenant: string): { name: string; config: PoolConfig } | undefined {
  const l = config.tenants[tenant]?.limits;
  if (!l) return undefined;
  return {
    name: tenant,
    config: {
      ...(l.rpm !== undefined ? { rpm: l.rpm } : {}),
      ...(l.tpm !== undefined ? { tpm: l.tpm } : {}),
      ...(l.concurrency !== undefined ? { concurrency: l.concurrency } : {}),
      ...(l.dailyBudgetUsd !== undefined ? { dailyBudgetUsd: l.dailyBudgetUsd } : {}),
    },
  };
}

/** Durable Object name of a specialist's pool (shard). */
export function poolName(specialist: string, shard: number, shards: number): string {
  return shards > 1 ? `specialist:${specialist}#${shard}` : `specialist:${specialist}`;
}

/** The specialist whose pool (shard) is named `name` ({@link poolName}); undefined for other pools (a tenant's, a hedge budget). */
export function specialistOfPool(name: string | undefined): string | undefined {
  return /^specialist:([^#]+)(?:#\d+)?$/.exec(name ?? "")?.[1];
}

/** The pool named `name` (a tenant's, a specialist's shard, a tenant's stream slots). */
export function poolStub(ns: DurableObjectNamespace<RateLimitPool>, name: string): DurableObjectStub<RateLimitPool> {
  return ns.get(namedId(ns, name));
}

/** What the breaker counts as a specialist failure: its own faults, not a request it refused (4xx) or a caller that went away. */
export function breakerFailure(o: SpecialistOutcome): boolean {
  if (o.ok) return false;
  const f = o.failure;
  return f.kind === "timeout" || f.kind === "unreachable" || f.kind === "truncated" || f.kind === "bad_response" || f.kind === "rate_limited" || (f.kind === "http_error" && (f.status ?? 500) >= 500);
}

/**
 * How long an isolate trusts a breaker it saw closed (a specialist without limits) and
 * calls the specialist without asking its pool; after that, the next call asks again.
 */
export const BREAKER_TRUST_MS = 5_000;

/**
 * Breaker states learned from pools, per isolate: `openUntil` (epoch ms) while open, 0
 * when seen closed at `checkedAt`. No entry: ask the pool.
 */
const learned = new Map<string, { openUntil: number; checkedAt: number; lastFailureAt: number }>();

/** Remembers what a pool said about a specialist's breaker (half-open: forget, so the next call asks). */
function learn(id: string, report: { state: string; retryAfterMs: number }, at: number, failedAt?: number): void {
  const lastFailureAt = failedAt ?? learned.get(id)?.lastFailureAt ?? 0;
  if (report.state === "open") learned.set(id, { openUntil: at + report.retryAfterMs, checkedAt: at, lastFailureAt });
  else if (report.state === "half-open") learned.delete(id);
  else learned.set(id, { openUntil: 0, checkedAt: at, lastFailureAt });
}

/** The pool asks in flight per specialist (settled when answered either way): concurrent calls of an isolate share one. */
const asking = new Map<string, Promise<void>>();

/** What a refill of a specialist's grants got: slots, or why none (its rate limit, or its breaker open or half-open), from which pool. */
type SpecialistGrant = GrantAnswer & { kind: "rate" | "open" | "half-open"; pool: string };

/** This isolate's batched rate slots, per rpm-only specialist pool (worker/pools/grants.ts). */
const grants = new GrantCache<SpecialistGrant>();

/** When this isolate last saw a call served from grants fail, per grant key: successes are reported to the breaker while that is recent. */
const grantFailedAt = new Map<string, number>();

/** Forgets what this isolate learned: breakers, grants (tests). */
export function resetLearnedBreakers(): void {
  learned.clear();
  asking.clear();
  grants.clear();
  grantFailedAt.clear();
}

const denied = (failure: SpecialistFailure) => ({ ok: false as const, failure });

/**
 * Admission for one hop. Specialists with limits are admitted by their pool
 * (strict, one Durable Object call on the path; `finish` runs after the response).
 * Specialists with only a breaker are called directly: the isolate remembers an
 * open breaker it learned from the pool and reports failures (and the successes
 * that follow them) after the response, so a healthy specialist costs no pool call.
 */
export function admission(
  env: Env,
  router: Config["router"],
  hopId: string,
  deferRaw: (p: Promise<unknown>) => void,
  rng: () => number = Math.random,
  tenant?: { name: string; config: PoolConfig },
  reserveUsd: (s: Specialist) => number = (s) => s.costPerCall,
): Admit {
  // bookkeeping after the response must never fail the hop
  const defer = (p: Promise<unknown>) => deferRaw(p.catch((e: unknown) => console.warn(JSON.stringify({ msg: "pool bookkeeping failed", error: String(e) }))));
  const specialist = specialistAdmission(env, router, hopId, defer, rng, reserveUsd);
  return tenant && env.RATE_LIMIT_POOL ? tenantAdmission(env.RATE_LIMIT_POOL, hopId, defer, tenant, specialist, reserveUsd) : specialist;
}

/** The tenant's pool (`tenant:<name>`) admits every call of the tenant first; then the specialist's. */
function tenantAdmission(pools: DurableObjectNamespace<RateLimitPool>, hopId: string, defer: (p: Promise<unknown>) => void, tenant: { name: string; config: PoolConfig }, inner: Admit, reserveUsd: (s: Specialist) => number): Admit {
  return async (s, attempt) => {
    const stub = poolStub(pools, `tenant:${tenant.name}`);
    const leaseId = `${hopId}/tenant/${s.id}/${attempt}`;
    const t = await stub.admit(tenant.config, { leaseId, costUsd: reserveUsd(s) });
    if (!t.ok)
      return denied({
        kind: "over_limit",
        detail: `tenant '${tenant.name}' is at its ${t.reason} limit`,
        retryAfterSeconds: Number.isFinite(t.retryAfterMs) ? t.retryAfterMs / 1000 : 86_400,
      });
    const a = await inner(s, attempt);
    if (!a.ok) {
      defer(stub.finish(tenant.config, leaseId, { ok: true, costUsd: 0 })); // not called: frees the lease, refunds the cost
      return a;
    }
    return {
      ok: true,
      done: (o) => {
        const tokens = o.ok ? (o.usage.inputTokens ?? 0) + (o.usage.outputTokens ?? 0) : 0;
        defer(stub.finish(tenant.config, leaseId, { ok: true, costUsd: s.costPerCall + (o.ok ? (o.usage.costUsd ?? 0) : 0), ...(tokens > 0 ? { tokens } : {}) }));
        a.done(o);
      },
    };
  };
}

/**
 * Kill switch, then the specialist's own pool (strict) or, for a specialist without
 * limits, its breaker: while this isolate saw it closed within `BREAKER_TRUST_MS`, the
 * specialist is called directly and failures are reported to the pool; while it saw it
 * open, calls fail fast; otherwise (not known, stale, or half-open) the call is
 * admitted by the pool, which lets through at most `halfOpenProbes` probes at once
 * across every isolate.
 */
function specialistAdmission(env: Env, router: Config["router"], hopId: string, defer: (p: Promise<unknown>) => void, rng: () => number, reserveUsd: (s: Specialist) => number): Admit {
  return async (s, attempt) => {
    const sw = (await switchState(env)).specialists[s.id];
    if (sw?.disabled) return denied({ kind: "disabled", detail: `'${s.id}' is disabled by a kill switch (${sw.reason})` });
    const pc = poolConfigOf(s, router);
    const pools = env.RATE_LIMIT_POOL;
    if (!pc || !pools) return { ok: true, done: () => {} };
    const leaseId = `${hopId}/${s.id}/${attempt}`;
    if (!pc.limited) {
      const stub = poolStub(pools, poolName(s.id, 0, 1));
      const windowMs = pc.config.breaker?.windowMs ?? 0;
      const open = (retryAfterMs: number) => denied({ kind: "circuit_open", detail: `circuit open for '${s.id}'`, retryAfterSeconds: retryAfterMs / 1000 });
      /** What this isolate knows well enough to act on without the pool: an open breaker (fail fast), or one seen closed lately (call directly). */
      const fromLearned = (): AdmitResult | undefined => {
        const known = learned.get(s.id);
        const now = Date.now();
        if (known && known.openUntil > now) return open(known.openUntil - now);
        if (!known || known.openUntil !== 0 || now - known.checkedAt < 0 || now - known.checkedAt >= BREAKER_TRUST_MS) return undefined;
        // seen closed lately: call directly, report failures (and successes while failures are recent)
        return {
          ok: true,
          done: (o) => {
            const failed = breakerFailure(o);
            if (failed || Date.now() - known.lastFailureAt < windowMs)
              defer(stub.record(pc.config, leaseId, !failed).then((r) => learn(s.id, r, Date.now(), failed ? Date.now() : undefined)));
          },
        };
      };
      const decided = fromLearned();
      if (decided) return decided;
      // another call of this isolate is asking the pool: wait for its answer (one ask at a time per specialist), then act on what it learned
      const pending = asking.get(s.id);
      if (pending) {
        await joined(pending); // another request's ask: resumed in this request's context
        const after = fromLearned();
        if (after) return after;
      }
      // not known, no longer trusted, or past its open period (half-open): the pool decides (and enforces halfOpenProbes)
      const ask = stub.admit(pc.config, { leaseId, costUsd: 0 }).then((r) => {
        if (!r.ok) learn(s.id, { state: "open", retryAfterMs: Number.isFinite(r.retryAfterMs) ? r.retryAfterMs : BREAKER_TRUST_MS }, Date.now());
        else if (!r.probe) learn(s.id, { state: "closed", retryAfterMs: 0 }, Date.now());
        return r;
      });
      const settledAsk = ask.then(
        () => {},
        () => {},
      );
      if (!pending) {
        asking.set(s.id, settledAsk);
        void settledAsk.then(() => {
          if (asking.get(s.id) === settledAsk) asking.delete(s.id);
        });
      }
      const r = await ask;
      if (!r.ok) return open(r.retryAfterMs);
      return {
        ok: true,
        done: (o) => {
          const failed = breakerFailure(o);
          defer(stub.finish(pc.config, leaseId, { ok: !failed, costUsd: 0 }).then((report) => learn(s.id, report, Date.now(), failed ? Date.now() : undefined)));
        },
      };
    }
    const order = pc.shards > 1 ? pickShards(hopId, pc.shards, rng) : [0];
    const configOf = (shard: number) => (pc.shards > 1 ? shardConfig(pc.config, pc.shards, shard) : pc.config);
    const granted = await fromGrants(pools, s, pc.config, pc.shards, order, configOf, leaseId, defer);
    if (granted) return granted;
    let last: SpecialistFailure | undefined;
    for (const shard of order) {
      const config = configOf(shard);
      const stub = poolStub(pools, poolName(s.id, shard, pc.shards));
      const r = await stub.admit(config, { leaseId, costUsd: reserveUsd(s) });
      if (r.ok)
        return {
          ok: true,
          done: (o) => {
            const tokens = o.ok ? (o.usage.inputTokens ?? 0) + (o.usage.outputTokens ?? 0) : 0;
            const costUsd = s.costPerCall + (o.ok ? (o.usage.costUsd ?? 0) : 0);
            defer(stub.finish(config, leaseId, { ok: !breakerFailure(o), costUsd, ...(tokens > 0 ? { tokens } : {}) }));
          },
        };
      const retryAfterSeconds = Number.isFinite(r.retryAfterMs) ? r.retryAfterMs / 1000 : 86_400;
      if (r.reason === "breaker") return denied({ kind: "circuit_open", detail: `circuit open for '${s.id}'`, retryAfterSeconds });
      last = { kind: "over_limit", detail: `pool '${poolName(s.id, shard, pc.shards)}' is at its ${r.reason} limit`, retryAfterSeconds };
    }
    return denied(last!);
  };
}

/**
 * A specialist whose pool has only an rpm limit (and a breaker): admitted from this
 * isolate's grants (`grantBatchCap`), so most hops make no pool call. Undefined when
 * the call must be admitted one by one: the pool has other limits or a small rpm,
 * its breaker is half-open (the probes), or other calls of this isolate took every
 * granted slot (contended). Failures, and the successes that follow them within the
 * breaker's window, are reported after the response (`record`, no rate slot); a
 * report that the breaker opened drops the isolate's slots. A sharded pool's denials
 * (two shards' answer) are not served to the isolate's other hops.
 */
async function fromGrants(
  pools: DurableObjectNamespace<RateLimitPool>,
  s: Specialist,
  config: PoolConfig,
  shards: number,
  order: number[],
  configOf: (shard: number) => PoolConfig,
  leaseId: string,
  defer: (p: Promise<unknown>) => void,
): Promise<AdmitResult | undefined> {
  const cap = grantBatchCap(configOf(shards - 1)); // the last shard has the smallest share
  if (cap === 0) return undefined;
  const key = `${s.id}|${shards}|${config.rpm}|${config.windowMs ?? ""}`;
  const source = async (n: number, validForMs: number): Promise<SpecialistGrant> => {
    let last: SpecialistGrant | undefined;
    for (const shard of order) {
      const pool = poolName(s.id, shard, shards);
      const g: PoolGrant = await poolStub(pools, pool).grant(configOf(shard), n, validForMs);
      // a sharded pool's denial is its hop's two shards' (others may have slots, or a closed breaker): not served to the isolate's other hops
      const remember = shards === 1;
      if (g.breaker === "open" || g.breaker === "half-open") return { granted: 0, retryAfterMs: g.retryAfterMs, kind: g.breaker, pool, remember };
      last = { granted: g.granted, retryAfterMs: g.retryAfterMs, kind: "rate", pool, remember };
      if (g.granted > 0) break;
    }
    return last!;
  };
  const r = await grants.take(key, Date.now, source, cap);
  if (!r.ok) {
    if (r.reason === "contended" || r.answer.kind === "half-open") return undefined;
    const retryAfterSeconds = Number.isFinite(r.retryAfterMs) ? r.retryAfterMs / 1000 : 86_400;
    if (r.answer.kind === "open") return denied({ kind: "circuit_open", detail: `circuit open for '${s.id}'`, retryAfterSeconds });
    return denied({ kind: "over_limit", detail: `pool '${r.answer.pool}' is at its rate limit`, retryAfterSeconds });
  }
  if (r.refill) defer(r.refill);
  const breaker = config.breaker;
  return {
    ok: true,
    done: (o) => {
      if (!breaker) return;
      const failed = breakerFailure(o);
      const now = Date.now();
      if (!failed && now - (grantFailedAt.get(key) ?? Number.NEGATIVE_INFINITY) >= breaker.windowMs) return;
      if (failed) grantFailedAt.set(key, now);
      const pool = poolName(s.id, order[0]!, shards);
      defer(
        poolStub(pools, pool)
          .record(configOf(order[0]!), leaseId, !failed)
          .then((b) => {
            if (b.state === "open" && shards === 1) grants.deny(key, Date.now(), { granted: 0, retryAfterMs: b.retryAfterMs, kind: "open", pool }, b.retryAfterMs);
          }),
      );
    },
  };
}
