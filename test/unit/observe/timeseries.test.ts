import { describe, expect, it } from "vitest";
import { ATTR, SPAN } from "../../../worker/observe/attributes.ts";
import { quantile } from "../../../worker/observe/histogram.ts";
import { deltasFromSpans } from "../../../worker/observe/metrics-model.ts";
import type { SpanRecord } from "../../../worker/observe/span.ts";
import type { BreakerState } from "../../../worker/pools/breaker.ts";
import {
  addBuckets,
  bucketsFromBreakerChanges,
  bucketsFromSpans,
  checkRange,
  denseSeries,
  downsample,
  emptyBucket,
  HOUR_MS,
  MAX_POINTS,
  MINUTE_MS,
  parseInstant,
  retentionCutoffs,
  type Bucket,
} from "../../../worker/observe/timeseries.ts";

// a fake clock: every instant is given, none is read
const NOW = Date.parse("2026-06-15T12:00:00.000Z");
const EDGE = Date.parse("2026-06-15T11:59:00.000Z");
let n = 0;
function span(name: string, endMs: number, ms: number, attributes: SpanRecord["attributes"]): SpanRecord {
  return { traceId: "a".repeat(32), spanId: String(++n).padStart(16, "0"), name, kind: "internal", startMs: endMs - ms, endMs, attributes, status: { code: "unset" } };
}
const call = (specialist: string, outcome: string, endMs: number, ms: number, extra: SpanRecord["attributes"] = {}) =>
  span(SPAN.call, endMs, ms, { [ATTR.specialist]: specialist, [ATTR.outcome]: outcome, [ATTR.costUsd]: 0.001, ...extra });
const denial = (specialist: string, kind: string, endMs: number) => span(SPAN.admission, endMs, 0, { [ATTR.specialist]: specialist, [ATTR.admission]: "denied", [ATTR.errorType]: kind });
/** A minute bucket at `start` with `ms` latencies, all ok. */
function bucket(start: number, ...ms: number[]): Bucket {
  const [b] = bucketsFromSpans(ms.map((v) => call("units", "ok", start + 1000, v)));
  return b ?? emptyBucket(start);
}

describe("bucketing spans by minute", () => {
  it("puts a span in the minute it ended in: the last millisecond of a minute and the first of the next are apart", () => {
    const spans = [call("units", "ok", EDGE - 1, 10), call("units", "ok", EDGE, 20), call("units", "ok", EDGE + MINUTE_MS - 1, 30)];
    const out = bucketsFromSpans(spans, "acme");
    expect(out.map((b) => [b.start, b.calls])).toEqual([
      [EDGE - MINUTE_MS, 1],
      [EDGE, 2],
    ]);
    expect(out.every((b) => b.tenant === "acme" && b.specialist === "units")).toBe(true);
  });

  it("counts outcomes, denials, cost and tokens as the day counters do", () => {
    const spans = [
      call("units", "ok", EDGE + 1, 10, { [ATTR.inputTokens]: 12, [ATTR.outputTokens]: 5 }),
      call("units", "timeout", EDGE + 2, 300),
      call("units", "refused", EDGE + 3, 5),
      call("units", "client_closed", EDGE + 4, 5),
      denial("units", "circuit_open", EDGE + 5),
      denial("units", "policy_denied", EDGE + 6),
      span(SPAN.admission, EDGE + 7, 1, { [ATTR.specialist]: "units", [ATTR.admission]: "admitted" }),
      span(SPAN.intent, EDGE + 8, 1, { [ATTR.intentLabel]: "units.convert" }),
    ];
    const [b] = bucketsFromSpans(spans);
    expect(b).toMatchObject({ tenant: "", calls: 4, ok: 1, errors: 1, failures: { timeout: 1 }, refused: 1, cancelled: 1, denied: 2, denials: { circuit_open: 1, policy_denied: 1 }, inputTokens: 12, outputTokens: 5 });
    expect(b!.costUsd).toBeCloseTo(0.004, 9);
    expect(b!.latency.count).toBe(4);
    const [day] = deltasFromSpans(spans);
    expect({ calls: day!.calls, ok: day!.ok, errors: day!.errors, refused: day!.refused, cancelled: day!.cancelled, denied: day!.denied, denials: day!.denials }).toEqual({
      calls: b!.calls,
      ok: b!.ok,
      errors: b!.errors,
      refused: b!.refused,
      cancelled: b!.cancelled,
      denied: b!.denied,
      denials: b!.denials,
    });
  });

  it("keeps specialists apart and skips unfinished spans and spans of no specialist", () => {
    const spans = [call("units", "ok", EDGE, 1), call("general", "ok", EDGE, 1), { ...call("units", "ok", EDGE, 1), endMs: null }, span(SPAN.call, EDGE, 1, {})];
    expect(bucketsFromSpans(spans).map((b) => [b.specialist, b.calls])).toEqual([
      ["units", 1],
      ["general", 1],
    ]);
  });
});

describe("merging and downsampling", () => {
  it("adds buckets without changing either", () => {
    const a = bucket(EDGE, 10, 20);
    const b = bucket(EDGE, 30);
    const sum = addBuckets(a, b);
    expect(sum).toMatchObject({ start: EDGE, calls: 3, ok: 3 });
    expect(sum.latency.count).toBe(3);
    expect(a.calls).toBe(2);
  });

  it("downsamples minutes to hours: counts add up, percentiles come from the merged histogram", () => {
    const hour = Date.parse("2026-06-15T10:00:00.000Z");
    // 60 minutes: 54 fast calls (10 ms) and 6 slow ones (1000 ms) in six separate minutes
    const minutes = Array.from({ length: 60 }, (_, i) => bucket(hour + i * MINUTE_MS, i % 10 === 9 ? 1000 : 10));
    const [h, ...rest] = downsample([...minutes, bucket(hour + HOUR_MS, 5)], HOUR_MS);
    expect(rest).toHaveLength(1);
    expect(h).toMatchObject({ start: hour, calls: 60, ok: 60 });
    expect(h!.costUsd).toBeCloseTo(0.06, 9);
    expect(quantile(h!.latency, 0.5)).toBeLessThan(12); // ~10 ms
    expect(quantile(h!.latency, 0.95)).toBeGreaterThan(900); // the slow 10 %
    const averagedP95 = minutes.reduce((s, m) => s + quantile(m.latency, 0.95)!, 0) / 60;
    expect(averagedP95).toBeLessThan(200); // an average of the minutes' p95s is neither the fast nor the slow calls' latency
  });

  it("downsamples to 5m, 15m and 1d on UTC boundaries", () => {
    const mins = [0, 4, 5, 14, 15].map((i) => bucket(EDGE - 59 * MINUTE_MS + i * MINUTE_MS, 10)); // 11:00, 11:04, 11:05, 11:14, 11:15
    expect(downsample(mins, 5 * MINUTE_MS).map((b) => [new Date(b.start).toISOString().slice(11, 16), b.calls])).toEqual([
      ["11:00", 2],
      ["11:05", 1],
      ["11:10", 1],
      ["11:15", 1],
    ]);
    expect(downsample(mins, 15 * MINUTE_MS).map((b) => b.calls)).toEqual([4, 1]);
    expect(downsample(mins, 86_400_000).map((b) => [new Date(b.start).toISOString(), b.calls])).toEqual([["2026-06-15T00:00:00.000Z", 5]]);
  });
});

describe("breaker state changes", () => {
  const changes: { at: number; to: BreakerState }[] = [
    { at: EDGE + 10, to: "open" },
    { at: NOW - 1, to: "half-open" },
    { at: NOW + 5, to: "closed" },
    { at: NOW + 2, to: "open" }, // out of order: the latest by time is the last
    { at: NOW + 4, to: "half-open" },
  ];

  it("counts changes by the state entered, per minute, with the latest of each minute", () => {
    const b = bucketsFromBreakerChanges("units", changes);
    expect(b.map(({ specialist, tenant, start, breaker, calls }) => ({ specialist, tenant, start, breaker, calls }))).toEqual([
      { specialist: "units", tenant: "", start: EDGE, breaker: { changes: { open: 1, "half-open": 1 }, last: { at: NOW - 1, to: "half-open" } }, calls: 0 },
      { specialist: "units", tenant: "", start: NOW, breaker: { changes: { closed: 1, open: 1, "half-open": 1 }, last: { at: NOW + 5, to: "closed" } }, calls: 0 },
    ]);
    expect(bucketsFromBreakerChanges("units", [])).toEqual([]);
  });

  it("adds up through merging and downsampling, keeps the later last change, and reads old rows without the field as none", () => {
    const [a, b] = bucketsFromBreakerChanges("units", changes) as Bucket[] as [Bucket, Bucket];
    const traffic = bucketsFromSpans([call("units", "ok", NOW + 30, 10)])[0]!;
    expect(addBuckets(a, b).breaker).toEqual({ changes: { open: 2, "half-open": 2, closed: 1 }, last: { at: NOW + 5, to: "closed" } });
    expect(addBuckets(b, a).breaker!.last).toEqual({ at: NOW + 5, to: "closed" });
    expect(addBuckets(traffic, b)).toMatchObject({ calls: 1, breaker: b.breaker });
    expect(addBuckets(b, traffic)).toMatchObject({ calls: 1, breaker: b.breaker });
    expect("breaker" in addBuckets(traffic, traffic)).toBe(false); // a row of calls only stays as it was stored
    const tie: Bucket = { ...emptyBucket(NOW), breaker: { changes: { open: 1 }, last: { at: NOW + 5, to: "open" } } };
    expect(addBuckets(b, tie).breaker!.last).toEqual({ at: NOW + 5, to: "open" }); // same instant: the one added later
    const none = { ...emptyBucket(NOW), breaker: { changes: {}, last: null } };
    expect(addBuckets(none, b).breaker!.last).toEqual(b.breaker!.last);
    expect(addBuckets(b, none).breaker!.last).toEqual(b.breaker!.last);
    const range = checkRange(EDGE, NOW + MINUTE_MS, MINUTE_MS, NOW);
    if (!range.ok) throw new Error(range.detail);
    expect(denseSeries([a, b, traffic], range.range).map((p) => p.breaker)).toEqual([
      { changes: { open: 1, "half-open": 1 }, state: "half-open" },
      { changes: { closed: 1, open: 1, "half-open": 1 }, state: "closed" },
    ]);
    const hour = checkRange(NOW - HOUR_MS, NOW + MINUTE_MS, HOUR_MS, NOW);
    if (!hour.ok) throw new Error(hour.detail);
    expect(denseSeries([a, b], hour.range).map((p) => p.breaker)).toEqual([
      { changes: { open: 1, "half-open": 1 }, state: "half-open" },
      { changes: { closed: 1, open: 1, "half-open": 1 }, state: "closed" },
    ]);
    expect(denseSeries([traffic], range.range)[1]!.breaker).toEqual({ changes: {}, state: null });
  });
});

describe("retention", () => {
  it("keeps minutes 48 hours and hours 30 days", () => {
    const cut = retentionCutoffs(NOW + 30_000);
    expect(new Date(cut.minute).toISOString()).toBe("2026-06-13T12:00:00.000Z");
    expect(new Date(cut.hour).toISOString()).toBe("2026-05-16T12:00:00.000Z");
  });
});

describe("range queries", () => {
  it("answers a dense series: every interval of [from, to), zeros and null percentiles in the gaps", () => {
    const r = checkRange(NOW - 10 * MINUTE_MS, NOW, MINUTE_MS, NOW);
    if (!r.ok) throw new Error(r.detail);
    expect(r.range.points).toBe(10);
    const points = denseSeries([bucket(NOW - 10 * MINUTE_MS, 10), bucket(NOW - MINUTE_MS, 20, 30), bucket(NOW, 99)], r.range);
    expect(points).toHaveLength(10);
    expect(points[0]).toMatchObject({ t: "2026-06-15T11:50:00.000Z", requests: 1, latencyMs: { p50: 10 } });
    expect(points[5]).toEqual({
      t: "2026-06-15T11:55:00.000Z",
      requests: 0,
      ok: 0,
      errors: 0,
      errorsByKind: {},
      refused: 0,
      cancelled: 0,
      denied: 0,
      deniedByKind: {},
      costUsd: 0,
      inputTokens: 0,
      outputTokens: 0,
      latencyMs: { p50: null, p95: null },
      breaker: { changes: {}, state: null },
    });
    expect(points[9]).toMatchObject({ requests: 2 }); // the bucket at `to` is outside
  });

  it("rounds from down and to up to the resolution", () => {
    const r = checkRange(NOW - 90 * MINUTE_MS + 1, NOW + 1, HOUR_MS, NOW);
    expect(r.ok && [new Date(r.range.from).toISOString(), new Date(r.range.to).toISOString(), r.range.points]).toEqual(["2026-06-15T10:00:00.000Z", "2026-06-15T13:00:00.000Z", 3]);
  });

  it("refuses an empty or reversed range, a range beyond retention and too many points, naming the parameter", () => {
    expect(checkRange(NOW, NOW, MINUTE_MS, NOW)).toMatchObject({ ok: false, param: "to" });
    expect(checkRange(NOW, NOW - 1, MINUTE_MS, NOW)).toMatchObject({ ok: false, param: "to" });
    expect(checkRange(NOW - 49 * HOUR_MS, NOW, 15 * MINUTE_MS, NOW)).toMatchObject({ ok: false, param: "from", detail: expect.stringMatching(/48 hours/) });
    expect(checkRange(NOW - 49 * HOUR_MS, NOW, HOUR_MS, NOW)).toMatchObject({ ok: true }); // hours go back 30 days
    expect(checkRange(NOW - 31 * 86_400_000, NOW, HOUR_MS, NOW)).toMatchObject({ ok: false, param: "from", detail: expect.stringMatching(/30 days/) });
    expect(checkRange(NOW - 40 * HOUR_MS, NOW, MINUTE_MS, NOW)).toMatchObject({ ok: false, param: "resolution", detail: expect.stringContaining(`at most ${MAX_POINTS}`) });
    expect(checkRange(NOW - 33 * HOUR_MS, NOW, MINUTE_MS, NOW)).toMatchObject({ ok: true, range: { points: 1980 } });
    expect(checkRange(NOW + 1, NOW + HOUR_MS, MINUTE_MS, NOW)).toMatchObject({ ok: false, param: "from", detail: expect.stringMatching(/^from is in the future/) });
    expect(checkRange(NOW, NOW + 400 * 86_400_000, 86_400_000, NOW)).toMatchObject({ ok: true, range: { points: 401 } }); // to may be ahead: zeros
  });

  it("checks retention after rounding from: a first point older than what is kept would be partial", () => {
    // hours are kept from 30 days before NOW's hour: at 1d, from rounds to a midnight before that
    const oldestHour = NOW - 30 * 86_400_000;
    expect(checkRange(oldestHour, NOW, HOUR_MS, NOW)).toMatchObject({ ok: true });
    expect(checkRange(oldestHour, NOW, 86_400_000, NOW)).toMatchObject({ ok: false, param: "from", detail: expect.stringContaining("at this resolution from 2026-05-17T00:00:00.000Z on") });
    expect(checkRange(Date.parse("2026-05-17T00:00:00Z"), NOW, 86_400_000, NOW)).toMatchObject({ ok: true });
    // minutes are kept from 48 hours before NOW's minute: at 15m, from 11:59 two days back rounds to 11:45
    const oldestMinute = NOW - 48 * HOUR_MS;
    expect(checkRange(oldestMinute - MINUTE_MS, NOW, MINUTE_MS, NOW)).toMatchObject({ ok: false, param: "from" });
    expect(checkRange(oldestMinute, NOW, MINUTE_MS * 15, NOW)).toMatchObject({ ok: true });
    expect(checkRange(oldestMinute + MINUTE_MS, NOW, MINUTE_MS * 15, NOW)).toMatchObject({ ok: true });
    expect(checkRange(oldestMinute + 14 * MINUTE_MS, NOW, MINUTE_MS * 15, NOW)).toMatchObject({ ok: true });
    expect(checkRange(oldestMinute - 1, NOW, MINUTE_MS * 15, NOW)).toMatchObject({ ok: false, param: "from", detail: expect.stringContaining("at this resolution from 2026-06-13T12:00:00.000Z on") });
  });

  it("parses instants as epoch ms or RFC 3339 (zod's check), nothing else", () => {
    expect(parseInstant(String(NOW))).toBe(NOW);
    expect(parseInstant("2026-06-15T12:00:00Z")).toBe(NOW);
    expect(parseInstant("2026-06-15")).toBe(Date.parse("2026-06-15T00:00:00Z"));
    expect(parseInstant("2026-06-15T14:00:00.5+02:00")).toBe(NOW + 500);
    expect(parseInstant("2026-06-15T11:30:00.123-00:30")).toBe(NOW + 123);
    expect(parseInstant("2026-06-15T12:00:00.12Z")).toBe(NOW + 120);
    expect(parseInstant("2026-06-15T12:00:00.1234Z")).toBe(NOW + 123); // RFC 3339 takes any fraction: milliseconds kept
    expect(parseInstant("2024-02-29")).toBe(Date.UTC(2024, 1, 29)); // a leap day
    expect(parseInstant("2026-12-31T23:59:59Z")).toBe(Date.UTC(2026, 11, 31, 23, 59, 59));
    expect(parseInstant("0000-02-29")).toBe(new Date("0000-02-29T00:00:00Z").getTime()); // year 0 is a leap year, not 1900
    expect(parseInstant("0099-03-01T00:00:00Z")).toBe(new Date("0099-03-01T00:00:00Z").getTime());
    expect(parseInstant("2026-06-16T02:00:00+14:00")).toBe(NOW);
    expect(parseInstant("2026-06-15T00:00:00-12:00")).toBe(NOW);
    const refused = [
      ["yesterday", "", "12.5", "-5", "1e12", " 2026-06-15", "2026-06-15 "],
      ["2026-13-45T00:00:00Z", "2026-00-10", "2026-06-00", "2026-11-31T00:00:00Z", "2026-02-29", "2026-02-30"], // no such day: not rolled over
      ["2026-06-15T24:00:00Z", "2026-06-15T12:60:00Z", "2026-06-15T12:00:60Z", "2026-06-15T12:00:00+02:60", "2026-06-15T12:00:00+24:00", "2026-06-15T12:00:00+0200"],
      ["2026-06-15T12:00:00", "2026-06-15 12:00", "2026-06-15T12:00:00Z\u0000", "2026-06-15T12:00Z", "2026-06-15T12Z", "2026-6-15", "2026-06-15t12:00:00z"], // no zone or seconds, junk, or not the format
    ].flat();
    for (const v of refused) expect(parseInstant(v), v).toBeUndefined();
  });
});
