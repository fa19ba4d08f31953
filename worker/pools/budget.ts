import { int, nonNegative, version } from "./guard.ts";

export const DAY_MS = 86_400_000;
const MICROS = 1_000_000;

/**
 * - `"exhausted"`: today's budget can't fit the cost; retry at the next UTC midnight.
 * - `"exceeds_budget"`: the cost alone is over the whole daily budget; `retryAfterMs` is `Infinity`.
 */
export type BudgetResult =
  | { ok: true }
  | { ok: false; reason: "exhausted"; retryAfterMs: number }
  | { ok: false; reason: "exceeds_budget"; retryAfterMs: typeof Number.POSITIVE_INFINITY };

/** Plain-JSON state of a {@link DailyBudget} (integer micro-dollars; `day` = UTC days since the epoch). */
export interface BudgetSnapshot {
  v: 1;
  limitMicros: number;
  day: number;
  spentMicros: number;
}

/**
 * USD → integer micro-dollars (rounded to the nearest micro-dollar).
 *
 * @example
 * toMicros(0.1) + toMicros(0.2) === toMicros(0.3) // true (unlike 0.1 + 0.2 === 0.3)
 */
export function toMicros(usd: number): number {
  return Math.round(nonNegative("usd", usd) * MICROS);
}

/**
 * A daily cost budget in USD that resets at UTC midnight. Costs are reserved at
 * admission from an estimate and settled by the difference once the real cost is
 * known. Amounts are kept as integer micro-dollars, so sums never drift.
 * A budget is exhausted once `spent ≥ limit`, even for a zero-cost reservation.
 *
 * @example
 * const b = new DailyBudget(5);
 * b.reserve(now, 0.25)          // { ok: true }
 * b.settle(now, 0.25, 0.40)     // spent += 0.15
 * b.spent(now)                  // 0.4
 */
export class DailyBudget {
  readonly limitMicros: number;
  #day = -1; // UTC day of #spent; a clock stepping back across midnight stays on the later day
  #spent = 0;

  constructor(limitUsd: number) {
    this.limitMicros = toMicros(limitUsd);
  }

  /** The daily limit in USD. @example new DailyBudget(5).limitUsd // 5 */
  get limitUsd(): number {
    return this.limitMicros / MICROS;
  }

  /**
   * Would `reserve(now, usd)` succeed? Changes nothing.
   *
   * @example
   * new DailyBudget(1).check(0, 2) // { ok: false, reason: "exceeds_budget", retryAfterMs: Infinity }
   */
  check(now: number, usd: number): BudgetResult {
    const cost = toMicros(usd);
    if (cost > this.limitMicros) return { ok: false, reason: "exceeds_budget", retryAfterMs: Number.POSITIVE_INFINITY };
    const spent = this.#spentMicros(now);
    if (spent >= this.limitMicros || spent + cost > this.limitMicros) return { ok: false, reason: "exhausted", retryAfterMs: this.resetsAt(now) - now };
    return { ok: true };
  }

  /**
   * Reserves the estimated cost `usd` against today's budget.
   *
   * @example
   * b.reserve(Date.UTC(2026, 0, 1, 23), 9) // { ok: false, reason: "exhausted", retryAfterMs: 3600000 }
   */
  reserve(now: number, usd: number): BudgetResult {
    const r = this.check(now, usd);
    if (r.ok) {
      this.#roll(now);
      this.#spent += toMicros(usd);
    }
    return r;
  }

  /**
   * Adjusts today's spend by `actualUsd − reservedUsd` (never below 0). If the
   * reservation was made on an earlier UTC day (`reservedAt`), that day is closed:
   * only an overrun (actual > reserved) is charged to today.
   *
   * @example
   * b.settle(now, 0.25, 0.10)        // refunds 0.15
   * b.settle(now, 0.25, 0.40, yday)  // charges 0.15 to today
   */
  settle(now: number, reservedUsd: number, actualUsd: number, reservedAt = now): void {
    const diff = toMicros(actualUsd) - toMicros(reservedUsd);
    this.#roll(now);
    if (Math.floor(reservedAt / DAY_MS) < this.#day && diff <= 0) return;
    this.#spent = Math.max(0, this.#spent + diff);
  }

  /**
   * USD spent (reserved and settled) today, UTC.
   *
   * @example
   * b.spent(now) // 0.4
   */
  spent(now: number): number {
    return this.#spentMicros(now) / MICROS;
  }

  /**
   * USD left today (0 when over budget).
   *
   * @example
   * b.remaining(now) // 4.6
   */
  remaining(now: number): number {
    return Math.max(0, this.limitMicros - this.#spentMicros(now)) / MICROS;
  }

  /**
   * The next UTC midnight after `now` (epoch ms).
   *
   * @example
   * b.resetsAt(Date.UTC(2026, 0, 1, 12)) // Date.UTC(2026, 0, 2)
   */
  resetsAt(now: number): number {
    return (Math.floor(now / DAY_MS) + 1) * DAY_MS;
  }

  /**
   * Plain-JSON state for persistence.
   *
   * @example
   * b.snapshot() // { v: 1, limitMicros: 5000000, day: 20454, spentMicros: 400000 }
   */
  snapshot(): BudgetSnapshot {
    return { v: 1, limitMicros: this.limitMicros, day: this.#day, spentMicros: this.#spent };
  }

  /**
   * Rebuilds a budget from {@link snapshot}.
   *
   * @example
   * const again = DailyBudget.restore(b.snapshot());
   */
  static restore(s: BudgetSnapshot): DailyBudget {
    version("budget", s);
    const b = new DailyBudget(int("limitMicros", s.limitMicros) / MICROS);
    b.#day = int("day", s.day, -1);
    b.#spent = int("spentMicros", s.spentMicros);
    return b;
  }

  #spentMicros(now: number): number {
    return Math.floor(now / DAY_MS) <= this.#day ? this.#spent : 0;
  }

  #roll(now: number): void {
    const day = Math.floor(now / DAY_MS);
    if (day > this.#day) {
      this.#day = day;
      this.#spent = 0;
    }
  }
}
