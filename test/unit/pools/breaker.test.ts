import { describe, expect, it } from "vitest";
import { CircuitBreaker, type BreakerConfig } from "../../../worker/pools/breaker.ts";

const cfg: BreakerConfig = { failureThreshold: 3, windowMs: 10_000, openMs: 5_000, halfOpenProbes: 2, probeTimeoutMs: 20_000 };
const fail = (br: CircuitBreaker, ...times: number[]): void => times.forEach((t) => br.record(t, false, false));

/** A breaker opened at `t` (open until t + 5000). */
function openedAt(t: number): CircuitBreaker {
  const br = new CircuitBreaker(cfg);
  fail(br, t - 2, t - 1, t);
  return br;
}

describe("CircuitBreaker", () => {
  it("opens after failureThreshold consecutive failures within windowMs", () => {
    const br = new CircuitBreaker(cfg);
    fail(br, 0, 1);
    expect(br.allow(2)).toEqual({ ok: true, probe: false });
    fail(br, 3);
    expect(br.state(3)).toBe("open");
    expect(br.allow(4)).toEqual({ ok: false, retryAfterMs: 4_999, state: "open" });
  });

  it("a success resets the streak; failures spread wider than windowMs don't open it", () => {
    const br = new CircuitBreaker(cfg);
    fail(br, 0, 1);
    br.record(2, true, false);
    fail(br, 3, 4);
    expect(br.state(4)).toBe("closed");
    const slow = new CircuitBreaker(cfg);
    fail(slow, 0, 6_000, 10_000); // first one is exactly windowMs old
    expect(slow.state(10_000)).toBe("closed");
    fail(slow, 10_001); // 6000, 10000, 10001 are within the window
    expect(slow.state(10_001)).toBe("open");
  });

  it("closed → open → half-open → closed", () => {
    const br = openedAt(100);
    expect(br.state(5_099)).toBe("open");
    expect(br.state(5_100)).toBe("half-open");
    expect(br.allow(5_100)).toEqual({ ok: true, probe: true });
    br.record(5_300, true, true);
    expect(br.state(5_300)).toBe("closed");
    expect(br.allow(5_301)).toEqual({ ok: true, probe: false });
  });

  it("half-open lets at most halfOpenProbes through; a probe failure re-opens it for openMs", () => {
    const br = openedAt(100);
    expect(br.allow(5_100)).toEqual({ ok: true, probe: true });
    expect(br.allow(5_200)).toEqual({ ok: true, probe: true });
    expect(br.allow(5_300)).toEqual({ ok: false, retryAfterMs: 19_800, state: "half-open" });
    br.record(6_000, false, true);
    expect(br.state(6_000)).toBe("open");
    expect(br.allow(6_000)).toEqual({ ok: false, retryAfterMs: 5_000, state: "open" });
    br.record(6_500, true, true); // the other probe of the failed episode: ignored
    expect(br.state(10_999)).toBe("open");
    expect(br.allow(11_000)).toEqual({ ok: true, probe: true });
  });

  it("ignores non-probe results while open or half-open", () => {
    const br = openedAt(100);
    br.record(200, true, false);
    expect(br.state(200)).toBe("open");
    br.allow(5_100);
    br.record(5_200, true, false);
    br.record(5_200, false, false);
    expect(br.state(5_200)).toBe("half-open");
  });

  it("a probe that never reports frees its slot after probeTimeoutMs", () => {
    const br = new CircuitBreaker({ ...cfg, halfOpenProbes: 1 });
    fail(br, 0, 1, 2);
    expect(br.allow(5_002).ok).toBe(true);
    expect(br.allow(25_001)).toEqual({ ok: false, retryAfterMs: 1, state: "half-open" });
    expect(br.allow(25_002)).toEqual({ ok: true, probe: true });
  });

  it("check changes nothing; round-trips through JSON in every state", () => {
    const br = openedAt(100);
    const before = br.snapshot();
    expect(br.check(5_100)).toEqual({ ok: true, probe: true });
    expect(br.snapshot()).toEqual(before);
    for (const [now, act] of [[5_100, "allow"], [5_150, "allow"], [5_200, "fail"], [10_200, "allow"], [10_300, "ok"], [10_400, "allow"]] as const) {
      const copy = CircuitBreaker.restore(JSON.parse(JSON.stringify(br.snapshot())));
      const step = (b: CircuitBreaker): unknown => (act === "allow" ? b.allow(now) : b.record(now, act === "ok", true));
      expect(step(copy)).toEqual(step(br));
      expect(copy.snapshot()).toEqual(br.snapshot());
      expect(copy.state(now)).toBe(br.state(now));
    }
    expect(br.state(10_400)).toBe("closed");
  });

  it("rejects bad config", () => {
    expect(() => new CircuitBreaker({ ...cfg, failureThreshold: 0 })).toThrow(RangeError);
    expect(() => new CircuitBreaker({ ...cfg, halfOpenProbes: 0 })).toThrow(RangeError);
  });
});

describe("CircuitBreaker: edges", () => {
  const plain = { failureThreshold: 2, windowMs: 10_000, openMs: 1_000, halfOpenProbes: 1 };

  it("without probeTimeoutMs, a silent probe frees its slot after openMs (at least 1 ms)", () => {
    const br = new CircuitBreaker(plain);
    fail(br, 0, 0);
    expect(br.allow(1_000)).toEqual({ ok: true, probe: true });
    expect(br.allow(1_999)).toEqual({ ok: false, retryAfterMs: 1, state: "half-open" });
    expect(br.allow(2_000)).toEqual({ ok: true, probe: true });
    const instant = new CircuitBreaker({ ...plain, openMs: 0 });
    fail(instant, 0, 0);
    expect(instant.allow(0)).toEqual({ ok: true, probe: true });
    expect(instant.allow(0)).toEqual({ ok: false, retryAfterMs: 1, state: "half-open" });
    expect(instant.allow(1)).toEqual({ ok: true, probe: true });
  });

  it("a probe reported at the very instant it went half-open decides", () => {
    const br = new CircuitBreaker(plain);
    fail(br, 0, 0);
    expect(br.allow(1_000)).toEqual({ ok: true, probe: true });
    br.record(1_000, true, true);
    expect(br.state(1_000)).toBe("closed");
  });

  it("a late probe of an episode that already re-opened decides nothing", () => {
    const br = new CircuitBreaker({ ...plain, halfOpenProbes: 2 });
    fail(br, 0, 0);
    br.allow(1_000);
    br.allow(1_000);
    br.record(1_001, false, true); // re-opens until 2_001
    br.record(2_500, true, true); // the other probe, reported late: none is in flight any more
    expect(br.state(2_500)).toBe("half-open");
  });

  it("calls let through while closed are not probes", () => {
    const br = new CircuitBreaker(plain);
    br.allow(0);
    br.allow(1);
    expect(br.snapshot().probes).toEqual([]);
  });

  it("a snapshot keeps a failure streak in progress", () => {
    const br = new CircuitBreaker(plain);
    fail(br, 100);
    const again = CircuitBreaker.restore(JSON.parse(JSON.stringify(br.snapshot())));
    fail(again, 200);
    expect(again.state(200)).toBe("open");
  });

  it("restore keeps only the last failureThreshold failures", () => {
    const s = { ...new CircuitBreaker(plain).snapshot(), failures: [1, 2, 3, 4] };
    expect(CircuitBreaker.restore(s).snapshot().failures).toEqual([3, 4]);
  });

  it("names bad config and refuses foreign snapshots", () => {
    expect(() => new CircuitBreaker({ ...plain, failureThreshold: 0 })).toThrow(new RangeError("failureThreshold must be an integer ≥ 1, got 0"));
    expect(() => new CircuitBreaker({ ...plain, windowMs: 0 })).toThrow(new RangeError("windowMs must be a finite number > 0, got 0"));
    expect(() => new CircuitBreaker({ ...plain, openMs: -1 })).toThrow(new RangeError("openMs must be a finite number ≥ 0, got -1"));
    expect(() => new CircuitBreaker({ ...plain, halfOpenProbes: 0 })).toThrow(new RangeError("halfOpenProbes must be an integer ≥ 1, got 0"));
    expect(() => new CircuitBreaker({ ...plain, probeTimeoutMs: 0 })).toThrow(new RangeError("probeTimeoutMs must be a finite number > 0, got 0"));
    const good = new CircuitBreaker(plain).snapshot();
    expect(() => CircuitBreaker.restore({ ...good, v: 2 } as never)).toThrow(new TypeError("not a version-1 breaker snapshot"));
    expect(() => CircuitBreaker.restore({ ...good, mode: "half-open" } as never)).toThrow(new TypeError("breaker snapshot: bad mode"));
    expect(() => CircuitBreaker.restore({ ...good, failures: "1,2" } as never)).toThrow(new TypeError("breaker snapshot: bad timestamps"));
    expect(() => CircuitBreaker.restore({ ...good, probes: [1, Number.NaN] })).toThrow(new TypeError("breaker snapshot: bad timestamps"));
    expect(() => CircuitBreaker.restore({ ...good, openUntil: -1 })).toThrow(new RangeError("openUntil must be a finite number ≥ 0, got -1"));
  });
});

describe("CircuitBreaker: restored state", () => {
  it("a probe result reported while open (the clock stepped back) decides nothing", () => {
    const s = { ...new CircuitBreaker({ failureThreshold: 1, windowMs: 1_000, openMs: 1_000, halfOpenProbes: 1 }).snapshot(), mode: "open" as const, openUntil: 2_000, probes: [1_500] };
    const br = CircuitBreaker.restore(s);
    br.record(1_000, true, true);
    expect(br.state(1_000)).toBe("open");
  });
});

describe("CircuitBreaker: state changes (the metrics' breaker series)", () => {
  it("reports each change once, dated when it happened: open on failures, half-open when openMs ran out, closed on a good probe", () => {
    const br = new CircuitBreaker({ failureThreshold: 2, windowMs: 10_000, openMs: 5_000, halfOpenProbes: 2 });
    br.record(100, false, false);
    expect(br.takeChanges()).toEqual([]);
    br.record(200, false, false);
    expect(br.takeChanges()).toEqual([{ at: 200, to: "open", cause: "failures" }]);
    expect(br.takeChanges()).toEqual([]); // taken
    expect(br.allow(3_000).ok).toBe(false);
    expect(br.takeChanges()).toEqual([]); // still open: nothing changed
    // the first probe is let through well after openMs: the change is dated when openMs ran out
    expect(br.allow(9_000)).toEqual({ ok: true, probe: true });
    expect(br.allow(9_001)).toEqual({ ok: true, probe: true }); // a second probe of the same episode reports nothing
    expect(br.takeChanges()).toEqual([{ at: 5_200, to: "half-open", cause: "open_elapsed" }]);
    br.record(9_100, true, true);
    br.record(9_200, true, true); // the other probe: already closed, no second change
    expect(br.takeChanges()).toEqual([{ at: 9_100, to: "closed", cause: "probe_succeeded" }]);
  });

  it("a failed probe re-opens it, and the next half-open episode is reported again", () => {
    const br = new CircuitBreaker({ failureThreshold: 1, windowMs: 10_000, openMs: 1_000, halfOpenProbes: 1 });
    br.record(0, false, false);
    br.allow(1_000);
    br.record(1_050, false, true);
    br.allow(2_050);
    expect(br.takeChanges()).toEqual([
      { at: 0, to: "open", cause: "failures" },
      { at: 1_000, to: "half-open", cause: "open_elapsed" },
      { at: 1_050, to: "open", cause: "probe_failed" },
      { at: 2_050, to: "half-open", cause: "open_elapsed" },
    ]);
  });

  it("a restored breaker remembers that its half-open episode was reported", () => {
    const br = new CircuitBreaker({ failureThreshold: 1, windowMs: 10_000, openMs: 1_000, halfOpenProbes: 1, probeTimeoutMs: 100 });
    br.record(0, false, false);
    br.allow(1_000);
    br.takeChanges();
    const again = CircuitBreaker.restore(JSON.parse(JSON.stringify(br.snapshot())));
    expect(again.allow(1_200)).toEqual({ ok: true, probe: true }); // the first probe timed out: a second one, same episode
    expect(again.takeChanges()).toEqual([]);
    const old = CircuitBreaker.restore({ ...br.snapshot(), halfOpenNoted: undefined }); // a snapshot from before the field: reported (again) rather than never
    old.allow(1_200);
    expect(old.takeChanges()).toEqual([{ at: 1_000, to: "half-open", cause: "open_elapsed" }]);
  });
});
