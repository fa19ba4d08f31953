import { DurableObject } from "cloudflare:workers";
import type { Env } from "../worker/env.ts";
import { canonicalJson } from "../worker/tasks/audit.ts";
import { HedgeBudget, type HedgeBudgetSettings, type HedgeTake } from "../worker/routing/hedge-budget.ts";
import { bucketsFromBreakerChanges } from "../worker/observe/timeseries.ts";
import { metricsStub } from "../worker/observe/sinks.ts";
import { specialistOfPool } from "../worker/routing/admission.ts";
import type { BreakerChange } from "../worker/pools/breaker.ts";
import { Pool, type AdmitRequest, type AdmitResult, type FinishOutcome, type GrantResult, type PoolConfig, type PoolSnapshot, type PoolView } from "../worker/pools/pool.ts";

/** Breaker state as an isolate caches it after reporting an outcome. */
export interface BreakerReport {
  state: "closed" | "open" | "half-open" | "none";
  /** While open: ms until probes are let through. */
  retryAfterMs: number;
}

/** A grant and the breaker state it was made under (nothing is granted unless it is closed or absent). */
export type PoolGrant = GrantResult & { breaker: BreakerReport["state"] };

/**
 * One shared limit (a specialist's pool, or one shard of it): a strict sliding
 * window for requests and tokens, concurrency leases that expire, a daily budget
 * and a circuit breaker, decided by the pure `Pool`. Every Worker isolate
 * everywhere calls the same object, so the limits hold across the whole edge.
 * State is written after each change, so a restart forgets nothing: each admission
 * appends one row (the rate window is rebuilt from the rows still in the window),
 * and the small rest (leases, budget, breaker, tokens) is one synchronous KV value. The caller passes the pool's config with every call
 * (the config file stays the one source of truth); changed limits apply at once
 * and keep the recorded usage. A specialist's pool sends its breaker's state changes to
 * the specialist's Metrics object (its time series' `breaker` counts) before answering
 * the call that made them.
 */
export class RateLimitPool extends DurableObject<Env> {
  #pool: Pool | undefined;
  #configKey: string | undefined;
  #inserts = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Every admission is one appended row (O(1) per call); the rest of the state is small.
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS stamps (t INTEGER NOT NULL, n INTEGER NOT NULL)");
  }

  #get(config: PoolConfig): Pool {
    const key = canonicalJson(config);
    if (this.#pool && this.#configKey === key) return this.#pool;
    const stored = this.ctx.storage.kv.get<PoolSnapshot>("pool");
    let pool: Pool;
    try {
      pool = stored ? Pool.restore(stored, config, this.#stamps(config)) : new Pool(config);
    } catch (e) {
      console.warn(JSON.stringify({ msg: "pool snapshot rejected; starting empty", error: String(e) }));
      pool = new Pool(config);
    }
    this.#pool = pool;
    this.#configKey = key;
    return pool;
  }

  /** The rate window's stamps still in the window, rebuilt from their rows. */
  #stamps(config: PoolConfig): number[] {
    const since = Date.now() - (config.windowMs ?? 60_000);
    const out: number[] = [];
    for (const r of this.ctx.storage.sql.exec<{ t: number; n: number }>("SELECT t, n FROM stamps WHERE t > ? ORDER BY rowid", since)) for (let i = 0; i < r.n; i++) out.push(r.t);
    return out;
  }

  /** Persists the small state; with `took`, appends that many admissions at the pool's newest stamp. */
  #save(pool: Pool, took = 0): void {
    if (took > 0) {
      const t = pool.lastRateStamp();
      if (t !== undefined) {
        this.ctx.storage.sql.exec("INSERT INTO stamps (t, n) VALUES (?, ?)", t, took);
        if (++this.#inserts % 1000 === 0) this.ctx.storage.sql.exec("DELETE FROM stamps WHERE t <= ?", Date.now() - pool.windowMs);
      }
    }
    this.ctx.storage.kv.put("pool", pool.snapshot({ rate: false }));
  }

  /** Admits one call or says why not (`retryAfterMs` until it could succeed). A denial changes nothing. */
  admit(config: PoolConfig, req: AdmitRequest): AdmitResult | Promise<AdmitResult> {
    const pool = this.#get(config);
    const r = pool.admit(Date.now(), req);
    if (r.ok) this.#save(pool, req.units ?? 1);
    return this.#reported(pool, r);
  }

  /** Ends an admitted call: frees its lease, settles its cost, records tokens and the breaker outcome. */
  finish(config: PoolConfig, leaseId: string, outcome: FinishOutcome): BreakerReport | Promise<BreakerReport> {
    const pool = this.#get(config);
    pool.finish(Date.now(), leaseId, outcome);
    this.#save(pool);
    return this.#reported(pool, this.#breaker(pool));
  }

  /**
   * Records the outcome of a call that was not admitted here (a specialist with a
   * breaker but no limits, or one served from grants: isolates call it directly and
   * report failures). Takes no rate slot (a granted call already holds one).
   */
  record(config: PoolConfig, leaseId: string, ok: boolean): BreakerReport | Promise<BreakerReport> {
    const pool = this.#get(config);
    const now = Date.now();
    const r = pool.admit(now, { leaseId, costUsd: 0, units: 0 });
    if (r.ok) {
      pool.finish(now, leaseId, { ok, costUsd: 0 });
      this.#save(pool);
    }
    return this.#reported(pool, this.#breaker(pool));
  }

  /**
   * `answer`, after sending the breaker's state changes (if the call made any) to the
   * specialist's Metrics object; a failed send is logged, never the caller's failure.
   * Without changes (nearly every call) it answers at once.
   */
  #reported<T>(pool: Pool, answer: T): T | Promise<T> {
    const changes = pool.takeBreakerChanges();
    if (changes.length === 0) return answer;
    const specialist = specialistOfPool(this.ctx.id.name);
    if (specialist === undefined) return answer;
    return this.#send(specialist, changes).then(() => answer);
  }

  async #send(specialist: string, changes: BreakerChange[]): Promise<void> {
    try {
      await metricsStub(this.env, specialist)?.record([], bucketsFromBreakerChanges(specialist, changes));
    } catch (e) {
      console.warn(JSON.stringify({ msg: "breaker changes not recorded in metrics", specialist, changes, error: String(e) }));
    }
  }

  /**
   * Takes up to `n` request slots at once for a caller that admits locally
   * (worker/pools/grants.ts), usable for `validForMs` (default 1,000). Only while
   * the breaker (if any) is closed: otherwise grants nothing and says so in `breaker`
   * (`"open"`, with `retryAfterMs` until probes are let through; `"half-open"`: admit
   * the next call with {@link admit}, which lets the probes through).
   */
  grant(config: PoolConfig, n: number, validForMs?: number): PoolGrant {
    const pool = this.#get(config);
    const b = this.#breaker(pool);
    if (b.state === "open" || b.state === "half-open") return { granted: 0, validUntil: Date.now(), retryAfterMs: b.retryAfterMs, breaker: b.state };
    const r = pool.grant(Date.now(), n, validForMs);
    if (r.granted > 0) this.#save(pool, r.granted);
    return { ...r, breaker: b.state };
  }

  /**
   * A tenant's hedge budget (this object named `hedge:<tenant>`; routing/hedge-budget.ts):
   * takes one extra call, or says how long until one is free. Changed settings apply at
   * once and keep the recorded hedges. A denial changes nothing.
   */
  takeHedge(settings: HedgeBudgetSettings): HedgeTake {
    const budget = this.#hedges(settings);
    const r = budget.tryTake(Date.now());
    if (r.ok) this.ctx.storage.kv.put("hedge", budget.snapshot());
    return r;
  }

  /** Gives back a hedge granted at `at` that called no one (the primary answered meanwhile). */
  refundHedge(settings: HedgeBudgetSettings, at: number): boolean {
    const budget = this.#hedges(settings);
    const back = budget.refund(at);
    if (back) this.ctx.storage.kv.put("hedge", budget.snapshot());
    return back;
  }

  #hedges(settings: HedgeBudgetSettings): HedgeBudget {
    const stored = this.ctx.storage.kv.get<{ v: 1; stamps: number[] }>("hedge");
    try {
      if (stored) return HedgeBudget.restore({ v: 1, limit: settings.maxExtraCalls, windowMs: settings.windowMs, stamps: stored.stamps });
    } catch (e) {
      console.warn(JSON.stringify({ msg: "hedge budget snapshot rejected; starting empty", error: String(e) }));
    }
    return new HedgeBudget(settings);
  }

  view(config: PoolConfig): PoolView {
    return this.#get(config).view(Date.now());
  }

  #breaker(pool: Pool): BreakerReport {
    const now = Date.now();
    const b = pool.view(now).breaker;
    if (!b) return { state: "none", retryAfterMs: 0 };
    if (b.state !== "open") return { state: b.state, retryAfterMs: 0 };
    const probe = pool.admit(now, { leaseId: "\u0000peek", costUsd: 0, units: 0 });
    return { state: "open", retryAfterMs: probe.ok ? 0 : probe.retryAfterMs };
  }
}
