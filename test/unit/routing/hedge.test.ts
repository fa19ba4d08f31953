import { describe, expect, it } from "vitest";
import { emptyHistogram, observe, quantile } from "../../../worker/observe/histogram.ts";
import { DEFAULT_HEDGE_DELAY, HedgeBudget, hedgeDelay, hedgeDelayMs, hedgedRace, type HedgeRaceOptions } from "../../../worker/routing/hedge.ts";

type Res = { ok: true; by: string } | { ok: false; error: string };

/** A fake clock: `sleep` resolves when `advance` passes its deadline, or at once when its signal aborts. No real timers. */
function fakeClock(start = 1_000) {
  let now = start;
  const timers: Array<{ at: number; fire: () => void }> = [];
  const sleeps: AbortSignal[] = [];
  const flush = async () => {
    for (let i = 0; i < 20; i++) await Promise.resolve();
  };
  return {
    now: () => now,
    sleeps,
    sleep: (ms: number, signal: AbortSignal) =>
      new Promise<void>((resolve) => {
        sleeps.push(signal);
        const t = { at: now + ms, fire: resolve };
        timers.push(t);
        signal.addEventListener("abort", () => resolve(), { once: true });
      }),
    async advance(ms: number) {
      now += ms;
      const due = timers.filter((t) => t.at <= now);
      timers.splice(0, timers.length, ...timers.filter((t) => t.at > now));
      for (const t of due) t.fire();
      await flush();
    },
    flush,
  };
}

/** A fake upstream call: settled by hand; on abort it fails with "aborted" (its lease released). */
function fakeCall(by: string) {
  const c = {
    started: false,
    signal: undefined as AbortSignal | undefined,
    resolve: (_r: Res) => {},
    reject: (_e: unknown) => {},
    run: (signal: AbortSignal) => {
      c.started = true;
      c.signal = signal;
      return new Promise<Res>((resolve, reject) => {
        c.resolve = resolve;
        c.reject = reject;
        signal.addEventListener("abort", () => resolve({ ok: false, error: "aborted" }), { once: true });
      });
    },
    ok: () => c.resolve({ ok: true, by }),
    fail: (error = `${by} failed`) => c.resolve({ ok: false, error }),
  };
  return c;
}

function setup(delayMs = 100, budget = new HedgeBudget({ maxExtraCalls: 5, windowMs: 60_000 })) {
  const clock = fakeClock();
  const p = fakeCall("a");
  const h = fakeCall("b");
  const o: HedgeRaceOptions<Res> = { delayMs, budget, now: clock.now, sleep: clock.sleep, toFailure: (e, who) => ({ ok: false, error: `${who}: ${String(e)}` }) };
  return { clock, p, h, o, budget };
}

describe("hedgeDelay", () => {
  const hist = (values: number[]) => {
    const h = emptyHistogram();
    for (const v of values) observe(h, v);
    return h;
  };

  it("uses a fixed delay as is and rejects a bad one", () => {
    expect(hedgeDelay(250, undefined)).toEqual({ delayMs: 250, source: "fixed" });
    expect(hedgeDelayMs(0, hist([5]))).toBe(0);
    expect(() => hedgeDelay(-1, undefined)).toThrow(RangeError);
    expect(() => hedgeDelay(Number.NaN, undefined)).toThrow(RangeError);
  });

  it("takes the histogram's p95 (as /v1/metrics computes it) once there are minSamples observations", () => {
    const h = hist(Array.from({ length: 40 }, (_, i) => 100 + i * 10));
    const d = hedgeDelay("p95", h);
    expect(d).toEqual({ delayMs: quantile(h, 0.95), source: "p95", samples: 40 });
    expect(d.delayMs).toBeGreaterThanOrEqual(470);
  });

  it("falls back below minSamples (20: below it the p95 is the max) and with no stats", () => {
    const h = hist([...Array.from({ length: 18 }, () => 100), 9_000]);
    expect(hedgeDelay("p95", h)).toEqual({ delayMs: 1_000, source: "fallback", samples: 19 });
    observe(h, 100);
    expect(hedgeDelay("p95", h).source).toBe("p95");
    expect(hedgeDelay("p95", emptyHistogram())).toEqual({ delayMs: DEFAULT_HEDGE_DELAY.fallbackMs, source: "fallback", samples: 0 });
    expect(hedgeDelay("p95", undefined)).toEqual({ delayMs: 1_000, source: "fallback" });
  });

  it("clamps a p95 (given or computed) and the fallback to [minMs, maxMs]", () => {
    const bounds = { minMs: 50, maxMs: 2_000, fallbackMs: 5_000, minSamples: 20 };
    expect(hedgeDelay("p95", 20, bounds)).toEqual({ delayMs: 50, source: "p95" });
    expect(hedgeDelay("p95", 60_000, bounds)).toEqual({ delayMs: 2_000, source: "p95" });
    expect(hedgeDelayMs("p95", hist(Array.from({ length: 30 }, () => 5)), bounds)).toBe(50);
    expect(hedgeDelayMs("p95", null, bounds)).toBe(2_000);
    expect(() => hedgeDelay("p95", -3, bounds)).toThrow(RangeError);
    expect(() => hedgeDelay("p95", 100, { ...bounds, minMs: 3_000 })).toThrow(/maxMs/);
  });
});

describe("hedgedRace", () => {
  it("a primary answering before the delay wins alone: no hedge, no budget taken", async () => {
    const { clock, p, h, o, budget } = setup();
    const race = hedgedRace(p.run, h.run, o);
    await clock.advance(50);
    p.ok();
    const r = await race;
    expect(r).toMatchObject({ result: { ok: true, by: "a" }, winner: "primary", hedged: false, abortedLoser: false, budgetDenied: false, aborted: false });
    expect(r.hedgeStartedAtMs).toBeUndefined();
    expect(clock.sleeps.map((s) => s.aborted)).toEqual([true]); // the wait is released (a real timer would be cleared)
    await clock.advance(1_000);
    expect(h.started).toBe(false);
    expect(budget.available(clock.now())).toBe(5);
  });

  it("starts the hedge at the delay; the hedge wins and the primary's signal is aborted", async () => {
    const { clock, p, h, o, budget } = setup(100);
    const race = hedgedRace(p.run, h.run, o);
    await clock.advance(99);
    expect(h.started).toBe(false);
    await clock.advance(1);
    expect(h.started).toBe(true);
    expect(budget.available(clock.now())).toBe(4);
    h.ok();
    const r = await race;
    expect(r).toMatchObject({ result: { ok: true, by: "b" }, winner: "hedge", hedged: true, abortedLoser: true, hedgeStartedAtMs: 1_100 });
    expect(p.signal?.aborted).toBe(true);
    expect(h.signal?.aborted).toBe(false);
    await r.settled; // the loser released what it held on its abort
  });

  it("the primary winning after the hedge started aborts the hedge", async () => {
    const { clock, p, h, o } = setup(100);
    const race = hedgedRace(p.run, h.run, o);
    await clock.advance(100);
    p.ok();
    const r = await race;
    expect(r).toMatchObject({ winner: "primary", hedged: true, abortedLoser: true });
    expect(h.signal?.aborted).toBe(true);
    expect(p.signal?.aborted).toBe(false);
  });

  it("a budget refusal starts no hedge and the race waits for the primary", async () => {
    const budget = new HedgeBudget({ maxExtraCalls: 1, windowMs: 60_000 });
    budget.tryTake(900);
    const { clock, p, h, o } = setup(100, budget);
    const race = hedgedRace(p.run, h.run, o);
    await clock.advance(5_000);
    expect(h.started).toBe(false);
    p.ok();
    expect(await race).toMatchObject({ winner: "primary", hedged: false, budgetDenied: true, abortedLoser: false });
  });

  it("a primary failing before the delay starts no hedge: its failure is the result", async () => {
    const { clock, p, h, o, budget } = setup(100);
    const race = hedgedRace(p.run, h.run, o);
    await clock.advance(10);
    p.fail();
    const r = await race;
    expect(r).toMatchObject({ result: { ok: false, error: "a failed" }, winner: "primary", hedged: false });
    await clock.advance(1_000);
    expect(h.started).toBe(false);
    expect(budget.available(clock.now())).toBe(5);
  });

  it("the first to finish failing waits for the other; both failing gives the last failure", async () => {
    const { clock, p, h, o } = setup(100);
    const race = hedgedRace(p.run, h.run, o);
    await clock.advance(100);
    p.fail();
    await clock.flush();
    h.ok();
    expect(await race).toMatchObject({ result: { ok: true, by: "b" }, winner: "hedge", abortedLoser: false });

    const s = setup(100);
    const race2 = hedgedRace(s.p.run, s.h.run, s.o);
    await s.clock.advance(100);
    s.h.fail();
    await s.clock.flush();
    s.p.fail();
    expect(await race2).toMatchObject({ result: { ok: false, error: "a failed" }, winner: "primary", hedged: true, abortedLoser: false });
  });

  it("a call that throws synchronously or rejects is a failure via toFailure", async () => {
    const { h, o } = setup(100);
    const throwing = (): Promise<Res> => {
      throw new Error("boom");
    };
    const r = await hedgedRace(throwing, h.run, o);
    expect(r).toMatchObject({ result: { ok: false, error: "primary: Error: boom" }, hedged: false });

    const s = setup(100);
    const race = hedgedRace(s.p.run, s.h.run, s.o);
    await s.clock.advance(100);
    s.h.reject(new Error("reset"));
    await s.clock.flush();
    s.p.ok();
    expect(await race).toMatchObject({ result: { ok: true, by: "a" }, winner: "primary", hedged: true, abortedLoser: false });
  });

  it("the caller's abort aborts both calls and the wait", async () => {
    const { clock, p, h, o } = setup(100);
    const caller = new AbortController();
    const race = hedgedRace(p.run, h.run, { ...o, signal: caller.signal });
    await clock.advance(100);
    caller.abort(new Error("client went away"));
    const r = await race;
    expect(p.signal?.aborted && h.signal?.aborted).toBe(true);
    expect(r).toMatchObject({ result: { ok: false, error: "aborted" }, aborted: true, hedged: true });

    const s = setup(100);
    const c2 = new AbortController();
    const race2 = hedgedRace(s.p.run, s.h.run, { ...s.o, signal: c2.signal });
    c2.abort();
    await s.clock.advance(1_000);
    expect(await race2).toMatchObject({ aborted: true, hedged: false });
    expect(s.h.started).toBe(false);
  });

  it("an already aborted signal starts nothing; Infinity never hedges; a negative delay throws", async () => {
    const { clock, p, h, o } = setup(Number.POSITIVE_INFINITY);
    const r = await hedgedRace(p.run, h.run, { ...o, signal: AbortSignal.abort("gone") });
    expect(r).toMatchObject({ result: { ok: false, error: "primary: gone" }, aborted: true, hedged: false });
    expect(p.started).toBe(false);
    const race = hedgedRace(p.run, h.run, o);
    await clock.advance(1e9);
    p.ok();
    expect(await race).toMatchObject({ winner: "primary", hedged: false, budgetDenied: false });
    expect(() => hedgedRace(p.run, h.run, { ...o, delayMs: -1 })).toThrow(RangeError);
  });
});

describe("hedgedRace with a budget kept elsewhere (a Durable Object: an async answer)", () => {
  /** A budget whose answers the test settles: a thenable like a Durable Object stub's RPC answer (not a Promise instance). */
  function remoteBudget() {
    const asked: number[] = [];
    const given: unknown[] = [];
    let answer: (g: { ok: boolean; at?: number }) => void = () => {};
    let fail: (e: unknown) => void = () => {};
    const budget = {
      tryTake: (now: number) => {
        asked.push(now);
        const p = new Promise<{ ok: boolean; at?: number }>((res, rej) => ((answer = res), (fail = rej)));
        return { then: p.then.bind(p) } as unknown as Promise<{ ok: boolean }>;
      },
      giveBack: (g: unknown) => void given.push(g),
    };
    return { budget, asked, given, answer: (g: { ok: boolean; at?: number }) => answer(g), fail: (e: unknown) => fail(e) };
  }

  it("starts the hedge once the (thenable) budget grants it", async () => {
    const { clock, p, h, o } = setup();
    const b = remoteBudget();
    const race = hedgedRace(p.run, h.run, { ...o, budget: b.budget });
    await clock.advance(100);
    expect(b.asked).toEqual([1_100]);
    expect(h.started).toBe(false); // not before the answer
    b.answer({ ok: true, at: 1_100 });
    await clock.flush();
    expect(h.started).toBe(true);
    h.ok();
    expect(await race).toMatchObject({ winner: "hedge", hedged: true, abortedLoser: true, hedgeStartedAtMs: 1_100 });
    expect(b.given).toEqual([]);
  });

  it("gives a grant back when the primary settled while the budget answered, and starts no hedge", async () => {
    const { clock, p, h, o } = setup();
    const b = remoteBudget();
    const race = hedgedRace(p.run, h.run, { ...o, budget: b.budget });
    await clock.advance(100);
    p.ok();
    await clock.flush();
    b.answer({ ok: true, at: 1_100 });
    await clock.flush();
    expect(await race).toMatchObject({ winner: "primary", hedged: false, budgetDenied: false });
    expect(h.started).toBe(false);
    expect(b.given).toEqual([{ ok: true, at: 1_100 }]);
  });

  it("a denial or a budget that fails is no hedge, and said as budgetDenied", async () => {
    for (const settle of [(b: ReturnType<typeof remoteBudget>) => b.answer({ ok: false }), (b: ReturnType<typeof remoteBudget>) => b.fail(new Error("pool unreachable"))]) {
      const { clock, p, h, o } = setup();
      const b = remoteBudget();
      const race = hedgedRace(p.run, h.run, { ...o, budget: b.budget });
      await clock.advance(100);
      settle(b);
      await clock.flush();
      expect(h.started).toBe(false);
      p.ok();
      expect(await race).toMatchObject({ winner: "primary", hedged: false, budgetDenied: true });
    }
  });

  it("a budget that throws synchronously denies too", async () => {
    const { clock, p, h, o } = setup();
    const race = hedgedRace(p.run, h.run, { ...o, budget: { tryTake: () => { throw new Error("no budget"); } } });
    await clock.advance(100);
    p.ok();
    expect(await race).toMatchObject({ hedged: false, budgetDenied: true });
    expect(h.started).toBe(false);
  });
});
