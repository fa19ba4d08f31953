import { vi } from "vitest";

const DAY_MS = 86_400_000;
/** Noon UTC: a clock frozen at noon is twelve hours from either day boundary. */
export const NOON = Date.parse("2026-06-15T12:00:00Z");

/** The latest time any fake clock of this isolate has shown: the next one starts after it. */
let latest = 0;

/**
 * A fake `Date.now()` for the router and its Durable Objects (they run in the test's
 * isolate and read this clock too), frozen until advanced. It starts at noon UTC,
 * on the first day whose noon is not before any time an earlier fake clock of this
 * isolate showed: the router keeps times it has seen (the last metrics send, the
 * control cache, breakers), and a clock that went back would make it wait. So use
 * it for every test of a file (`beforeEach`), not after tests on the real clock.
 * Timers and `AbortSignal.timeout` keep real time; only what reads the wall clock
 * (windows, budgets, breakers, leases, caches, metrics days) sees this one.
 *
 * @example
 * const clock = fakeClock();
 * try { …; clock.advance(60_000); … } finally { clock.restore(); }
 */
export function fakeClock(): { now(): number; advance(ms: number): void; restore(): void } {
  let now = NOON + Math.max(0, Math.ceil((latest - NOON) / DAY_MS)) * DAY_MS;
  latest = now;
  const spy = vi.spyOn(Date, "now").mockImplementation(() => now);
  return {
    now: () => now,
    advance: (ms) => void (latest = now += ms),
    restore: () => spy.mockRestore(),
  };
}
