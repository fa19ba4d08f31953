import { DailyBudget } from "./budget.ts";
import { CircuitBreaker, type BreakerChange } from "./breaker.ts";
import { int, nonNegative, version } from "./guard.ts";
import { LeaseTable } from "./leases.ts";
import type { AdmitRequest, AdmitResult, DenyReason, FinishOutcome, GrantResult, LeaseData, PoolConfig, PoolSnapshot, PoolView } from "./pool-types.ts";
import { UsageWindow } from "./usage-window.ts";
import { SlidingWindowLimiter } from "./window.ts";

export type { AdmitRequest, AdmitResult, DenyReason, FinishOutcome, GrantResult, LeaseData, PoolConfig, PoolSnapshot, PoolView } from "./pool-types.ts";

/**
 * One pool's admission control: strict rpm window, tokens/window, concurrency
 * leases, daily USD budget and a circuit breaker. `admit` checks every limit
 * first and commits only if all pass, so a denial changes nothing; when several
 * deny, the reason is the one with the longest `retryAfterMs` (ties: breaker,
 * budget, concurrency, rate, tokens). A lease (`leaseId`, `expiresAt`) is taken
 * when something must be remembered until `finish`: a concurrency limit, a
 * budget or a breaker. Re-admitting a live `leaseId` returns it again and takes
 * nothing (safe retries). Tokens are always tracked, even without `tpm`.
 *
 * @example
 * const pool = new Pool({ rpm: 60, concurrency: 4, dailyBudgetUsd: 10 });
 * const a = pool.admit(now, { leaseId: "req_1", costUsd: 0.02 }); // { ok: true, leaseId: "req_1", expiresAt: now + 30000, probe: false }
 * pool.finish(now + 800, "req_1", { ok: true, costUsd: 0.015, tokens: 1200 });
 */
export class Pool {
  readonly config: Readonly<PoolConfig>;
  readonly windowMs: number;
  readonly leaseTtlMs: number;
  #rate: SlidingWindowLimiter | undefined;
  #tokens: UsageWindow;
  #leases: LeaseTable<LeaseData> | undefined;
  #budget: DailyBudget | undefined;
  #breaker: CircuitBreaker | undefined;

  constructor(config: PoolConfig) {
    const c = (this.config = copyConfig(config));
    // Stryker disable next-line BooleanLiteral: a zero window would pass here, but the UsageWindow built just below rejects it with the same RangeError
    this.windowMs = nonNegative("windowMs", c.windowMs ?? 60_000, true);
    this.leaseTtlMs = nonNegative("leaseTtlMs", c.leaseTtlMs ?? 30_000, true);
    if (c.tpm !== undefined) nonNegative("tpm", c.tpm);
    this.#rate = c.rpm === undefined ? undefined : new SlidingWindowLimiter(c.rpm, this.windowMs);
    this.#tokens = new UsageWindow(this.windowMs);
    const needsLease = c.concurrency !== undefined || c.dailyBudgetUsd !== undefined || c.breaker !== undefined;
    this.#leases = needsLease ? new LeaseTable<LeaseData>(c.concurrency ?? Number.POSITIVE_INFINITY) : undefined;
    this.#budget = c.dailyBudgetUsd === undefined ? undefined : new DailyBudget(c.dailyBudgetUsd);
    this.#breaker = c.breaker === undefined ? undefined : new CircuitBreaker({ probeTimeoutMs: this.leaseTtlMs, ...c.breaker });
  }

  /**
   * Admits one call (taking `units` request slots, a lease and its estimated cost) or says why not.
   *
   * @example
   * pool.admit(now, { leaseId: "req_2", costUsd: 0.02 }) // { ok: false, reason: "concurrency", retryAfterMs: 12000 }
   */
  admit(now: number, req: AdmitRequest): AdmitResult {
    const { leaseId, costUsd, units = 1 } = req;
    int("units", units);
    nonNegative("costUsd", costUsd);
    const held = this.#leases?.get(leaseId);
    if (held !== undefined && held.expiresAt > now) {
      // Stryker disable next-line OptionalChaining,BooleanLiteral: the pool's leases always carry data (admit passes it), so `?? false` is never reached
      const wasProbe = held.data?.probe ?? false;
      return { ok: true, leaseId, expiresAt: held.expiresAt, probe: wasProbe };
    }
    const checks: Array<[DenyReason, { ok: true } | { ok: false; retryAfterMs: number } | undefined]> = [
      ["breaker", this.#breaker?.check(now)],
      ["budget", this.#budget?.check(now, costUsd)],
      ["concurrency", this.#leases?.check(now)],
      ["rate", this.#rate?.check(now, units)],
      ["tokens", this.config.tpm === undefined ? undefined : this.#tokens.wouldAllow(now, this.config.tpm)],
    ];
    let denial: { ok: false; reason: DenyReason; retryAfterMs: number } | undefined;
    for (const [reason, r] of checks)
      if (r !== undefined && !r.ok && (denial === undefined || r.retryAfterMs > denial.retryAfterMs)) denial = { ok: false, reason, retryAfterMs: r.retryAfterMs };
    if (denial !== undefined) return denial;
    const b = this.#breaker?.allow(now);
    const probe = b?.ok === true && b.probe;
    this.#rate?.tryTake(now, units);
    this.#budget?.reserve(now, costUsd);
    const lease = this.#leases?.acquire(leaseId, now, this.leaseTtlMs, { reservedUsd: costUsd, at: now, probe });
    return lease?.ok === true ? { ok: true, leaseId, expiresAt: lease.expiresAt, probe } : { ok: true, probe };
  }

  /**
   * Ends a call: releases its lease, settles the budget by the real cost (default:
   * the reserved estimate), records its tokens and reports the outcome to the breaker.
   * Call it once per admitted call. Returns whether a lease was released.
   *
   * @example
   * pool.finish(now, "req_1", { ok: false }) // { released: true }
   */
  finish(now: number, leaseId: string, outcome: FinishOutcome): { released: boolean } {
    const data = this.#leases?.get(leaseId)?.data;
    const released = this.#leases?.release(leaseId) ?? false;
    const tokens = outcome.tokens ?? 0;
    if (tokens > 0) this.#tokens.record(now, tokens); // a negative count reported upstream is ignored
    if (data !== undefined) this.#budget?.settle(now, data.reservedUsd, outcome.costUsd ?? data.reservedUsd, data.at);
    this.#breaker?.record(now, outcome.ok, data?.probe ?? false);
    return { released };
  }

  /**
   * The breaker's state changes since the last call, oldest first (none without a
   * breaker); see breaker.ts `takeChanges`.
   *
   * @example
   * pool.finish(now, "req_1", { ok: false }); pool.takeBreakerChanges() // [{ at: now, to: "open", cause: "failures" }] at the threshold
   */
  takeBreakerChanges(): BreakerChange[] {
    return this.#breaker?.takeChanges() ?? [];
  }

  /**
   * Batch admission against the rate limit only: takes up to `n` request slots for
   * a caller that admits locally (e.g. an isolate's cached allowance). The slots
   * must be used by `validUntil`; they count against the window until
   * `validUntil + windowMs`, so the global bound holds for the real uses.
   *
   * @example
   * pool.grant(now, 10) // { granted: 10, validUntil: now + 1000, retryAfterMs: 0 }
   */
  grant(now: number, n: number, validForMs = 1_000): GrantResult {
    int("n", n);
    nonNegative("validForMs", validForMs);
    const validUntil = now + validForMs;
    if (this.#rate === undefined) return { granted: n, validUntil, retryAfterMs: 0 };
    const granted = Math.min(n, this.#rate.available(now));
    this.#rate.tryTake(now, granted, validForMs);
    const next = this.#rate.check(now, 1);
    return { granted, validUntil, retryAfterMs: next.ok ? 0 : next.retryAfterMs };
  }

  /**
   * JSON-able summary of limits and usage at `now`.
   *
   * @example
   * pool.view(now).leases // { active: 1, available: 3 }
   */
  view(now: number): PoolView {
    const c = this.config;
    const usedTokens = this.#tokens.used(now);
    const active = this.#leases?.active(now) ?? 0;
    return {
      limits: { rpm: c.rpm ?? null, tpm: c.tpm ?? null, concurrency: c.concurrency ?? null, dailyBudgetUsd: c.dailyBudgetUsd ?? null, windowMs: this.windowMs, leaseTtlMs: this.leaseTtlMs },
      requests: this.#rate === undefined ? null : { used: this.#rate.limit - this.#rate.available(now), available: this.#rate.available(now) },
      tokens: { used: usedTokens, available: c.tpm === undefined ? null : Math.max(0, c.tpm - usedTokens) },
      leases: this.#leases === undefined ? null : { active, available: c.concurrency === undefined ? null : Math.max(0, c.concurrency - active) },
      budget: this.#budget === undefined ? null : { spentUsd: this.#budget.spent(now), remainingUsd: this.#budget.remaining(now), resetsAt: this.#budget.resetsAt(now) },
      breaker: this.#breaker === undefined ? null : { state: this.#breaker.state(now) },
    };
  }

  /**
   * The stamp the rate window recorded for the last take (all of a take's units share
   * it): lets a store append each admission as one row instead of rewriting the window.
   */
  lastRateStamp(): number | undefined {
    return this.#rate?.newest();
  }

  /**
   * Plain-JSON state of the whole pool; `{ rate: false }` leaves the rate window out
   * (a store that keeps its stamps as rows passes them back to {@link restore}).
   *
   * @example
   * await storage.put("pool", pool.snapshot());
   */
  snapshot(options: { rate?: boolean } = {}): PoolSnapshot {
    return {
      v: 1,
      config: copyConfig(this.config),
      ...(this.#rate && options.rate !== false && { rate: this.#rate.snapshot() }),
      tokens: this.#tokens.snapshot(),
      ...(this.#leases && { leases: this.#leases.snapshot() }),
      ...(this.#budget && { budget: this.#budget.snapshot() }),
      ...(this.#breaker && { breaker: this.#breaker.snapshot() }),
    };
  }

  /**
   * Rebuilds a pool from {@link snapshot}; pass `config` to apply changed limits
   * while keeping the recorded usage, leases, spend and breaker state.
   *
   * @example
   * const pool = Pool.restore(await storage.get("pool"), currentConfig);
   */
  static restore(s: PoolSnapshot, config: PoolConfig = s.config, rateStamps?: readonly number[]): Pool {
    version("pool", s);
    const p = new Pool(config);
    const w = p.windowMs;
    if (p.#rate && rateStamps) p.#rate = SlidingWindowLimiter.restore({ v: 1, stamps: [...rateStamps], limit: p.#rate.limit, windowMs: w });
    else if (p.#rate && s.rate) p.#rate = SlidingWindowLimiter.restore({ ...s.rate, limit: p.#rate.limit, windowMs: w });
    p.#tokens = UsageWindow.restore({ ...s.tokens, windowMs: w });
    if (p.#leases && s.leases) p.#leases = LeaseTable.restore({ ...s.leases, limit: config.concurrency ?? null });
    if (p.#budget && s.budget) p.#budget = DailyBudget.restore({ ...s.budget, limitMicros: p.#budget.limitMicros });
    if (p.#breaker && s.breaker) p.#breaker = CircuitBreaker.restore({ ...s.breaker, config: p.#breaker.config });
    return p;
  }
}

function copyConfig(c: PoolConfig): PoolConfig {
  return c.breaker === undefined ? { ...c } : { ...c, breaker: { ...c.breaker } };
}
