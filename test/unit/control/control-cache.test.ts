import { describe, expect, it, vi } from "vitest";
import { PolledValue, withDeadline } from "../../../worker/control-cache.ts";

/** A read whose completion the test controls. */
function deferred<T>() {
  let resolve!: (v: T) => void, reject!: (e: unknown) => void;
  const promise = new Promise<T>((a, b) => ((resolve = a), (reject = b)));
  return { promise, resolve, reject };
}

describe("PolledValue", () => {
  it("serves the cached value while it is younger than maxAgeMs, then reads again", async () => {
    const v = new PolledValue<number>(1000);
    const read = vi.fn().mockResolvedValueOnce(1).mockResolvedValueOnce(2);
    expect(await v.get(read, { now: 0 })).toBe(1);
    expect(await v.get(read, { now: 999 })).toBe(1);
    expect(await v.get(read, { now: 1000 })).toBe(2);
    expect(read).toHaveBeenCalledTimes(2);
  });

  it("treats an age below zero (a clock that went back, or now = 0) as expired", async () => {
    const v = new PolledValue<number>(1000);
    const read = vi.fn().mockResolvedValueOnce(1).mockResolvedValueOnce(2);
    await v.get(read, { now: 5000 });
    expect(await v.get(read, { now: 0 })).toBe(2);
  });

  it("shares one read among concurrent callers (single-flight); a fresh read does not join it", async () => {
    const v = new PolledValue<number>(1000);
    const d = deferred<number>();
    const read = vi.fn().mockReturnValueOnce(d.promise).mockResolvedValueOnce(9);
    const waiting = Array.from({ length: 5 }, () => v.get(read, { now: 0 }));
    expect(read).toHaveBeenCalledTimes(1);
    expect(await v.get(read, { now: 0, fresh: true })).toBe(9);
    d.resolve(7);
    expect(await Promise.all(waiting)).toEqual([7, 7, 7, 7, 7]);
  });

  it("a read that started before a newer value was set does not replace it", async () => {
    const v = new PolledValue<string>(1000);
    const d = deferred<string>();
    const slow = v.get(() => d.promise, { now: 10 });
    v.set("written here", 20);
    d.resolve("older");
    expect(await slow).toBe("older");
    expect(await v.get(() => Promise.resolve("unused"), { now: 30 })).toBe("written here");
  });

  it("on a failed read serves the last good value, marked stale, and keeps it for another maxAgeMs", async () => {
    const onStale = vi.fn();
    const v = new PolledValue<number>(1000, onStale);
    await v.get(() => Promise.resolve(1), { now: 0 });
    expect(v.freshness).toBe("fresh");
    const failing = vi.fn().mockRejectedValue(new Error("down"));
    expect(await v.get(failing, { now: 5000 })).toBe(1);
    expect(v.freshness).toBe("stale");
    expect(onStale).toHaveBeenCalledWith(expect.objectContaining({ message: "down" }), 5000);
    expect(await v.get(failing, { now: 5999 })).toBe(1);
    expect(failing).toHaveBeenCalledTimes(1);
    expect(await v.get(failing, { now: 6000, fresh: true })).toBe(1);
    expect(onStale).toHaveBeenLastCalledWith(expect.anything(), 6000);
    expect(await v.get(() => Promise.resolve(2), { now: 7000 })).toBe(2);
    expect(v.freshness).toBe("fresh");
  });

  it("with no good value yet, a failed read rejects with its error, and the next call tries again", async () => {
    const v = new PolledValue<number>(1000);
    await expect(v.get(() => Promise.reject(new Error("down")), { now: 0 })).rejects.toThrow("down");
    expect(v.freshness).toBeUndefined();
    expect(await v.get(() => Promise.resolve(3), { now: 1 })).toBe(3);
  });

  describe("a read that never answers", () => {
    it("fails at timeoutMs: the last good value is served (stale), and the callers waiting on it are released", async () => {
      vi.useFakeTimers();
      try {
        const onStale = vi.fn();
        const v = new PolledValue<number>(1000, onStale);
        await v.get(() => Promise.resolve(1), { now: 0 });
        const never = vi.fn(() => new Promise<number>(() => {}));
        const waiting = Promise.all([v.get(never, { now: 5000, timeoutMs: 500 }), v.get(never, { now: 5000, timeoutMs: 500 })]);
        expect(never).toHaveBeenCalledTimes(1);
        await vi.advanceTimersByTimeAsync(500);
        expect(await waiting).toEqual([1, 1]);
        expect(v.freshness).toBe("stale");
        expect(onStale).toHaveBeenCalledWith(expect.objectContaining({ message: expect.stringMatching(/no answer within 500 ms/) }), 5000);
      } finally {
        vi.useRealTimers();
      }
    });

    it("with no good value yet, rejects at timeoutMs; the next call reads again", async () => {
      vi.useFakeTimers();
      try {
        const v = new PolledValue<number>(1000);
        const first = v.get(() => new Promise<number>(() => {}), { now: 0, timeoutMs: 500 });
        const settled = expect(first).rejects.toThrow(/no answer within 500 ms/);
        await vi.advanceTimersByTimeAsync(500);
        await settled;
        expect(await v.get(() => Promise.resolve(3), { now: 1 })).toBe(3);
      } finally {
        vi.useRealTimers();
      }
    });
  });
});

describe("withDeadline", () => {
  it("passes an answer in time through and rejects one that does not come, naming what was awaited", async () => {
    vi.useFakeTimers();
    try {
      expect(await withDeadline(Promise.resolve(4), 100, "the thing")).toBe(4);
      await expect(withDeadline(Promise.reject(new Error("no")), 100, "the thing")).rejects.toThrow("no");
      const late = withDeadline(new Promise(() => {}), 100, "the thing");
      const settled = expect(late).rejects.toThrow("the thing: no answer within 100 ms");
      await vi.advanceTimersByTimeAsync(100);
      await settled;
    } finally {
      vi.useRealTimers();
    }
  });
});
