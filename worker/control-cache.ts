/**
 * A value an isolate reads from one remote source and keeps for a while: fresh for
 * `maxAgeMs`, read by one call at a time however many requests want it
 * (single-flight), kept as the last good value when a read fails, and given up on
 * when it does not answer within a deadline (a source that hangs must not hang every
 * caller). Pure: the clock and the read are passed in.
 */
import { joined } from "./joined.ts";

/**
 * `p`, or a rejection naming `what` when it has not settled within `ms`: the one
 * deadline for reads of a remote source that may hang.
 *
 * @example
 * await withDeadline(stub.switches(), 3_000, "the control plane") // rejects "the control plane: no answer within 3000 ms" if it hangs
 */
export function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** How a read was answered. */
export type Freshness = "fresh" | "stale";

export interface PolledOptions {
  /** Read from the source now, not from the cache (a fresh read still falls back to the last good value on error). */
  fresh?: boolean;
  /** Current time (ms since the epoch). */
  now: number;
  /** How long a read this call starts may take before it counts as failed (no deadline when absent). */
  timeoutMs?: number | undefined;
}

export class PolledValue<T> {
  readonly maxAgeMs: number;
  #last: { at: number; value: T; stale: boolean; readAt: number } | undefined;
  #inflight: Promise<T> | undefined;
  /** Called when a read failed and the last good value was served instead. */
  readonly #onStale: (error: unknown, ageMs: number) => void;

  constructor(maxAgeMs: number, onStale: (error: unknown, ageMs: number) => void = () => {}) {
    this.maxAgeMs = maxAgeMs;
    this.#onStale = onStale;
  }

  /**
   * The value: the cached one while it is younger than `maxAgeMs` (an age below zero,
   * a clock that went back, counts as expired), else the read in flight, else a new
   * read. A failed read, or one that has not answered within `timeoutMs`, serves the
   * last good value (marked stale, and kept for another `maxAgeMs` before the next
   * try) or, with none, rejects with the error.
   */
  get(read: () => Promise<T>, opts: PolledOptions): Promise<T> {
    const last = this.#last;
    if (!opts.fresh && last) {
      const age = opts.now - last.at;
      if (age >= 0 && age < this.maxAgeMs) return Promise.resolve(last.value);
    }
    if (!opts.fresh && this.#inflight) return joined(this.#inflight); // another request's read: resumed in this request's context
    const started = opts.now;
    const reading = opts.timeoutMs === undefined ? read() : withDeadline(read(), opts.timeoutMs, "read");
    const p = reading.then(
      (value) => {
        this.#remember(value, started, false);
        return value;
      },
      (error: unknown) => {
        const good = this.#last;
        if (!good) throw error;
        this.#onStale(error, started - good.readAt);
        this.#remember(good.value, started, true);
        return good.value;
      },
    );
    if (!opts.fresh) {
      this.#inflight = p;
      const clear = () => {
        if (this.#inflight === p) this.#inflight = undefined;
      };
      p.then(clear, clear);
    }
    return p;
  }

  #remember(value: T, at: number, stale: boolean): void {
    // a slower read that started earlier never replaces a newer value
    if (this.#last && this.#last.at > at) return;
    this.#last = { at, value, stale, readAt: stale && this.#last ? this.#last.readAt : at };
  }

  /** Replaces the cached value (read-your-writes after a change made here). */
  set(value: T, now: number): void {
    this.#last = { at: now, value, stale: false, readAt: now };
  }

  /** How the last read was answered, if there was one. */
  get freshness(): Freshness | undefined {
    return this.#last ? (this.#last.stale ? "stale" : "fresh") : undefined;
  }

  /** Forgets everything (tests). */
  clear(): void {
    this.#last = undefined;
    this.#inflight = undefined;
  }
}
