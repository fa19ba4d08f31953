import { int, nonNegative, version } from "./guard.ts";

/**
 * - `failureThreshold`: opens after this many CONSECUTIVE failures (no success in
 *   between) that all fall within `windowMs` (so old sporadic failures don't add up,
 *   and a high request volume with a low error rate never trips it).
 * - `openMs`: how long it stays open before going half-open.
 * - `halfOpenProbes`: calls let through concurrently while half-open.
 * - `probeTimeoutMs` (default `openMs`): a probe that never reports frees its slot
 *   after this long (its holder crashed) without deciding anything.
 */
export interface BreakerConfig {
  failureThreshold: number;
  windowMs: number;
  openMs: number;
  halfOpenProbes: number;
  probeTimeoutMs?: number;
}

export type BreakerState = "closed" | "open" | "half-open";

/**
 * A change of a breaker's state: the state entered, when (epoch ms) and why.
 * `open_elapsed` (open → half-open) happens at the end of `openMs` by itself; it is
 * reported when the first probe is let through, dated when it happened.
 */
export interface BreakerChange {
  at: number;
  to: BreakerState;
  cause: "failures" | "open_elapsed" | "probe_succeeded" | "probe_failed";
}

export type BreakerResult = { ok: true; probe: boolean } | { ok: false; retryAfterMs: number; state: "open" | "half-open" };

/** Plain-JSON state of a {@link CircuitBreaker}. */
export interface BreakerSnapshot {
  v: 1;
  config: BreakerConfig;
  mode: "closed" | "open";
  /** closed: timestamps of the current failure streak (≤ failureThreshold). */
  failures: number[];
  /** open: half-open from this time on. */
  openUntil: number;
  /** half-open: start times of the probes in flight. */
  probes: number[];
  /** Whether this half-open episode's change was reported (absent in older snapshots: false). */
  halfOpenNoted?: boolean;
}

/**
 * Circuit breaker: closed → (threshold failures) → open → (openMs) → half-open,
 * where at most `halfOpenProbes` probe calls run at once; a probe success closes
 * it, a probe failure re-opens it for `openMs`. Results of non-probe calls that
 * finish while open/half-open are ignored (they started before it opened).
 *
 * @example
 * const br = new CircuitBreaker({ failureThreshold: 2, windowMs: 10_000, openMs: 5_000, halfOpenProbes: 1 });
 * br.record(0, false, false); br.record(1, false, false);
 * br.allow(2)     // { ok: false, retryAfterMs: 4999, state: "open" }
 * br.allow(5_001) // { ok: true, probe: true }
 * br.record(5_100, true, true); br.state(5_100) // "closed"
 */
export class CircuitBreaker {
  readonly config: Readonly<BreakerConfig>;
  #mode: "closed" | "open" = "closed";
  #failures: number[] = [];
  #openUntil = 0;
  #probes: number[] = [];
  #halfOpenNoted = false;
  #changes: BreakerChange[] = [];

  constructor(config: BreakerConfig) {
    int("failureThreshold", config.failureThreshold, 1);
    nonNegative("windowMs", config.windowMs, true);
    nonNegative("openMs", config.openMs);
    int("halfOpenProbes", config.halfOpenProbes, 1);
    if (config.probeTimeoutMs !== undefined) nonNegative("probeTimeoutMs", config.probeTimeoutMs, true);
    this.config = { ...config };
  }

  get #probeTimeoutMs(): number {
    return this.config.probeTimeoutMs ?? Math.max(1, this.config.openMs);
  }

  /**
   * The state at `now`.
   *
   * @example
   * br.state(0) // "closed"
   */
  state(now: number): BreakerState {
    if (this.#mode === "closed") return "closed";
    return now < this.#openUntil ? "open" : "half-open";
  }

  /**
   * Would `allow(now)` let a call through? Changes nothing.
   *
   * @example
   * br.check(0) // { ok: true, probe: false }
   */
  check(now: number): BreakerResult {
    if (this.#mode === "closed") return { ok: true, probe: false };
    if (now < this.#openUntil) return { ok: false, retryAfterMs: this.#openUntil - now, state: "open" };
    const live = this.#liveProbes(now);
    if (live.length < this.config.halfOpenProbes) return { ok: true, probe: true };
    return { ok: false, retryAfterMs: (live[0] as number) + this.#probeTimeoutMs - now, state: "half-open" };
  }

  /**
   * Lets a call through or not; a call let through while half-open is a probe
   * (report it with `record(now, ok, true)`).
   *
   * @example
   * br.allow(0) // { ok: true, probe: false }
   */
  allow(now: number): BreakerResult {
    const r = this.check(now);
    if (r.ok && r.probe) {
      this.#probes = this.#liveProbes(now);
      this.#probes.push(now);
      if (!this.#halfOpenNoted) {
        this.#halfOpenNoted = true;
        this.#changes.push({ at: this.#openUntil, to: "half-open", cause: "open_elapsed" });
      }
    }
    return r;
  }

  /**
   * Reports a call's outcome. `probe` must be what `allow` returned for it.
   *
   * @example
   * br.record(10, false, false)
   */
  record(now: number, ok: boolean, probe: boolean): void {
    if (this.#mode === "closed") {
      if (ok) {
        this.#failures = [];
        return;
      }
      this.#failures.push(now);
      if (this.#failures.length > this.config.failureThreshold) this.#failures.shift();
      const first = this.#failures[0] as number;
      if (this.#failures.length >= this.config.failureThreshold && first > now - this.config.windowMs) this.#open(now, "failures");
      return;
    }
    // open / half-open: only a probe of the current half-open episode decides
    if (!probe || now < this.#openUntil || this.#probes.length === 0) return;
    if (ok) {
      this.#mode = "closed";
      this.#failures = [];
      this.#probes = [];
      this.#changes.push({ at: now, to: "closed", cause: "probe_succeeded" });
    } else {
      this.#open(now, "probe_failed");
    }
  }

  /**
   * The state changes since the last call, oldest first (and forgets them): not part
   * of the snapshot, so a caller that persists the breaker takes them in the same turn.
   *
   * @example
   * br.record(0, false, false); br.record(1, false, false);
   * br.takeChanges() // [{ at: 1, to: "open", cause: "failures" }]
   */
  takeChanges(): BreakerChange[] {
    const out = this.#changes;
    this.#changes = [];
    return out;
  }

  /**
   * Plain-JSON state for persistence.
   *
   * @example
   * br.snapshot().mode // "closed"
   */
  snapshot(): BreakerSnapshot {
    return { v: 1, config: { ...this.config }, mode: this.#mode, failures: [...this.#failures], openUntil: this.#openUntil, probes: [...this.#probes], halfOpenNoted: this.#halfOpenNoted };
  }

  /**
   * Rebuilds a breaker from {@link snapshot} (its `config` may be replaced with a new one).
   *
   * @example
   * const again = CircuitBreaker.restore(br.snapshot());
   */
  static restore(s: BreakerSnapshot): CircuitBreaker {
    version("breaker", s);
    const br = new CircuitBreaker(s.config);
    if (s.mode !== "closed" && s.mode !== "open") throw new TypeError("breaker snapshot: bad mode");
    const nums = (a: unknown): number[] => {
      if (!Array.isArray(a) || !a.every((x) => Number.isFinite(x))) throw new TypeError("breaker snapshot: bad timestamps");
      return [...(a as number[])];
    };
    br.#mode = s.mode;
    br.#failures = nums(s.failures).slice(-br.config.failureThreshold);
    br.#openUntil = nonNegative("openUntil", s.openUntil);
    br.#probes = nums(s.probes);
    br.#halfOpenNoted = s.halfOpenNoted === true;
    return br;
  }

  #liveProbes(now: number): number[] {
    return this.#probes.filter((t) => t + this.#probeTimeoutMs > now);
  }

  #open(now: number, cause: "failures" | "probe_failed"): void {
    this.#mode = "open";
    this.#openUntil = now + this.config.openMs;
    this.#failures = [];
    this.#probes = [];
    this.#halfOpenNoted = false;
    this.#changes.push({ at: now, to: "open", cause });
  }
}
