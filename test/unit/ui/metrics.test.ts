import { describe, expect, it } from "vitest";
import { breakerChanges, confidenceHistogram, correctionsFromFeedback, costLines, figuresFromMetrics, figuresFromPool, intentMix, intentRowsFromMetrics, poolGauges, timeCharts } from "../../../worker/ui/metrics.ts";

describe("overview figures", () => {
  it("reads usage, breaker and today's spend from a pool view", () => {
    const pool = { totals: { requestsUsed: 41, activeLeases: 3, spentUsd: 1.25 }, breaker: { state: "half-open" }, shards: [{ limits: { rpm: 600, concurrency: 20, dailyBudgetUsd: 50 } }] };
    expect(figuresFromPool(pool)).toEqual({ breaker: "half-open", costTodayUsd: 1.25, poolUsage: "3/20 in flight · 41/600 rpm · 1.25/50 USD today" });
    expect(figuresFromPool({ totals: {}, breaker: null, shards: [{ limits: {} }] })).toEqual({});
  });

  it("reads per-specialist metrics given as a list or a record, with derived error rate", () => {
    const list = figuresFromMetrics({ specialists: [{ id: "units", requests: 200, errors: 5, latency: { p50: 1.5, p95: 9 }, breaker: { state: "closed" }, costTodayUsd: 0.02 }] });
    expect(list.get("units")).toEqual({ requests: 200, errorRate: 0.025, p50Ms: 1.5, p95Ms: 9, costTodayUsd: 0.02, breaker: "closed" });
    const record = figuresFromMetrics({ specialists: { general: { count: 10, errorRate: 0.1, p50Ms: 2, p95Ms: 4, breaker: "open" } } });
    expect(record.get("general")).toEqual({ requests: 10, errorRate: 0.1, p50Ms: 2, p95Ms: 4, breaker: "open" });
    expect(figuresFromMetrics(null).size).toBe(0);
  });

  it("reads GET /v1/metrics: latency percentiles, today's cost and pool usage", () => {
    const doc = {
      specialists: [
        { id: "units", requests: 4, ok: 3, errors: 1, errorRate: 0.25, latencyMs: { p50: 2, p95: 7, p99: 7, max: 7, mean: 3 }, costUsd: 0.0004, breaker: "closed", pool: { name: "specialist:units", limited: true, requests: { used: 4, limit: 600 }, leases: { active: 0, limit: 20 }, budget: { spentUsd: 0.0004, limitUsd: null } } },
        { id: "idle", requests: 0, errors: 0, errorRate: 0, latencyMs: { p50: null, p95: null }, costUsd: 0, breaker: null, pool: null },
      ],
    };
    const f = figuresFromMetrics(doc);
    expect(f.get("units")).toEqual({ requests: 4, errorRate: 0.25, p50Ms: 2, p95Ms: 7, costTodayUsd: 0.0004, breaker: "closed", poolUsage: "0/20 in flight · 4/600 rpm" });
    expect(f.get("idle")).toEqual({ requests: 0, errorRate: 0, costTodayUsd: 0 });
  });

  it("reads the per-intent rows of GET /v1/metrics, skipping rows without a label or specialist", () => {
    const doc = {
      intents: [
        { label: "units.convert", specialist: "units", requests: 4, successRate: 0.75, verifications: { pass: 1, fail: 1 }, feedback: { good: 2, bad: 1 }, latencyMs: { mean: 3.5 }, costUsd: 0.0004 },
        { label: "units.data", specialist: "units", requests: 0, successRate: null, verifications: { pass: 0, fail: 0 }, feedback: { good: 0, bad: 1 }, latencyMs: { mean: null }, costUsd: 0 },
        { specialist: "x" },
        "junk",
      ],
    };
    expect(intentRowsFromMetrics(doc)).toEqual([
      { label: "units.convert", specialist: "units", requests: 4, successRate: 0.75, verified: { pass: 1, fail: 1 }, feedback: { good: 2, bad: 1 }, meanLatencyMs: 3.5, costUsd: 0.0004 },
      { label: "units.data", specialist: "units", requests: 0, verified: { pass: 0, fail: 0 }, feedback: { good: 0, bad: 1 }, costUsd: 0 },
    ]);
    expect(intentRowsFromMetrics({ specialists: [] })).toEqual([]);
    expect(intentRowsFromMetrics(null)).toEqual([]);
  });
});

describe("chart data from the API's documents", () => {
  it("poolGauges: each limit a pool has, per specialist, skipping limits that are absent or zero", () => {
    const doc = {
      specialists: [
        { id: "units", pool: { requests: { used: 41, limit: 600 }, leases: { active: 3, limit: 20 }, budget: { spentUsd: 1.5, limitUsd: null } } },
        { id: "free", pool: null },
        { id: "zero", pool: { requests: { used: 1, limit: 0 } } },
        { pool: { requests: { used: 1, limit: 5 } } },
      ],
    };
    expect(poolGauges(doc)).toEqual([
      { specialist: "units", what: "rpm", used: 41, limit: 600 },
      { specialist: "units", what: "in flight", used: 3, limit: 20 },
    ]);
    expect(poolGauges({})).toEqual([]);
    expect(poolGauges(null)).toEqual([]);
  });

  it("intentMix: requests per label over its specialists, most first, labels without requests left out", () => {
    const row = (label: string, specialist: string, requests: number) => ({ label, specialist, requests, verified: { pass: 0, fail: 0 }, feedback: { good: 0, bad: 0 } });
    expect(intentMix([row("a", "x", 2), row("b", "x", 5), row("a", "y", 4), row("c", "x", 0), row("d", "x", 6)])).toEqual([
      { label: "a", requests: 6 },
      { label: "d", requests: 6 },
      { label: "b", requests: 5 },
    ]);
  });

  it("correctionsFromFeedback: counts by (routed label → specialist, corrected label); records without both labels are left out", () => {
    const c = correctionsFromFeedback({ feedback: [{ label: "a", correctLabel: "b" }, { label: "a", correctLabel: "b" }, { label: "b", correctLabel: "a" }, { label: null, correctLabel: "a" }, { label: "a" }, "junk"] });
    expect([c.routed, c.corrected, c.total]).toEqual([["a", "b"], ["a", "b"], 3]);
    expect([c.count("a", "b"), c.count("b", "a"), c.count("a", "a")]).toEqual([2, 1, 0]);
    // a hop sent to the fallback below minConfidence: its label was right, the specialist was not
    const fallback = correctionsFromFeedback({ feedback: [{ label: "units.convert", specialist: "general", correctLabel: "units.convert" }, { label: "units.convert", specialist: "units", correctLabel: "units.convert" }] });
    expect(fallback.routed).toEqual(["units.convert → general", "units.convert → units"]);
    expect(fallback.count("units.convert → general", "units.convert")).toBe(1);
    expect(correctionsFromFeedback({}).total).toBe(0);
  });
});

describe("timeCharts: the overview's lines from a range of /v1/metrics", () => {
  const t0 = Date.UTC(2026, 10, 30, 10, 0);
  const m = (i: number) => t0 + i * 60_000;
  it("requests, error rate (%) and p95 per specialist, gaps where there were no requests, busiest first, empty series left out", () => {
    const doc = {
      from: new Date(t0).toISOString(),
      to: m(2),
      series: [
        { specialist: "quiet", points: [{ t: m(0), requests: 1, errors: 0, latencyMs: { p95: 5 } }] },
        { specialist: "busy", points: [{ t: m(0), requests: 4, errors: 1, latencyMs: { p50: 8, p95: 20 } }, { t: new Date(m(1)).toISOString(), requests: 0, errors: 0, latencyMs: { p50: null, p95: null } }, { t: m(2), requests: 6, errors: 0, latencyMs: { p50: 9.5, p95: 31.5 } }] },
        { specialist: "idle", points: [{ t: m(0), requests: 0 }] },
        { points: [{ t: m(0), requests: 3 }] },
      ],
    };
    const c = timeCharts(doc)!;
    expect([c.from, c.to]).toEqual([t0, m(2)]);
    expect(c.requests.map((s) => s.name)).toEqual(["busy", "quiet"]);
    expect(c.requests[0]!.points).toEqual([{ t: m(0), v: 4 }, { t: m(1), v: 0 }, { t: m(2), v: 6 }]);
    expect(c.errorRate[0]!.points).toEqual([{ t: m(0), v: 25 }, { t: m(1), v: null }, { t: m(2), v: 0 }]);
    expect(c.p95[0]!.points).toEqual([{ t: m(0), v: 20 }, { t: m(1), v: null }, { t: m(2), v: 31.5 }]);
    expect(c.p50[0]!.points).toEqual([{ t: m(0), v: 8 }, { t: m(1), v: null }, { t: m(2), v: 9.5 }]);
    expect(timeCharts({ ...doc, series: doc.series }, 1)!.requests.map((s) => s.name)).toEqual(["busy"]);
  });

  it("not a range document: undefined", () => {
    expect(timeCharts({ specialists: [] })).toBeUndefined();
    expect(timeCharts({ series: [], from: "nope", to: 1 })).toBeUndefined();
  });
});

describe("costLines: cost per interval per specialist", () => {
  it("USD per point, the costliest first, free specialists left out, at most max", () => {
    const d = (i: number) => Date.UTC(2026, 10, 20 + i);
    const doc = { from: d(0), to: new Date(d(2)).toISOString(), series: [{ specialist: "cheap", points: [{ t: d(0), costUsd: 0.001 }] }, { specialist: "dear", points: [{ t: d(0), costUsd: 0.5 }, { t: new Date(d(1)).toISOString(), costUsd: 0 }] }, { specialist: "free", points: [{ t: d(0), costUsd: 0 }] }] };
    const c = costLines(doc)!;
    expect([c.from, c.to]).toEqual([d(0), d(2)]);
    expect(c.lines).toEqual([{ name: "dear", points: [{ t: d(0), v: 0.5 }, { t: d(1), v: 0 }] }, { name: "cheap", points: [{ t: d(0), v: 0.001 }] }]);
    expect(costLines(doc, 1)!.lines.map((l) => l.name)).toEqual(["dear"]);
    expect(costLines({ specialists: [] })).toBeUndefined();
  });
});

describe("the chart readers' edges", () => {
  it("ties sort by name; points without a time or with junk are left out; a budget limit is a gauge of its own", () => {
    const row = (label: string, requests: number) => ({ label, specialist: "s", requests, verified: { pass: 0, fail: 0 }, feedback: { good: 0, bad: 0 } });
    expect(intentMix([row("b", 3), row("c", 3), row("a", 3)]).map((m) => m.label)).toEqual(["a", "b", "c"]);
    const t = Date.UTC(2026, 10, 30);
    const doc = { from: t, to: t + 60_000, series: [{ specialist: "z", points: [{ t, costUsd: 1 }] }, { specialist: "y", points: [{ t, costUsd: 1 }, { costUsd: 5 }, "junk"] }, { specialist: "x", points: "junk" }, "junk"] };
    expect(costLines(doc)!.lines).toEqual([{ name: "y", points: [{ t, v: 1 }] }, { name: "z", points: [{ t, v: 1 }] }]);
    expect(poolGauges({ specialists: [{ id: "u", pool: { budget: { spentUsd: 2, limitUsd: 10 }, requests: { used: 1 } } }, "junk"] })).toEqual([{ specialist: "u", what: "USD today", used: 2, limit: 10 }]);
    expect(poolGauges({ specialists: [{ id: "u", pool: { requests: { limit: 5 } } }] })).toEqual([{ specialist: "u", what: "rpm", used: 0, limit: 5 }]);
    expect(correctionsFromFeedback({ feedback: "junk" }).total).toBe(0);
    expect(correctionsFromFeedback({ feedback: ["junk", null] }).total).toBe(0);
  });
});

describe("confidenceHistogram", () => {
  it("sums the specialists' bins, labels them by range, and is undefined with nothing counted", () => {
    const h = confidenceHistogram({ specialists: [{ id: "a", confidence: [1, 0, 0, 0, 0, 0, 0, 0, 2, 3] }, { id: "b", confidence: [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 99] }, { id: "c" }, "junk"] })!;
    expect(h.map((b) => b.value)).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 3, 4]);
    expect([h[0]!.label, h[9]!.label]).toEqual(["0.0–0.1", "0.9–1.0"]);
    expect(confidenceHistogram({ specialists: [{ id: "a", confidence: new Array(10).fill(0) }] })).toBeUndefined();
    expect(confidenceHistogram({})).toBeUndefined();
  });
});

describe("breakerChanges", () => {
  const pt = (t: string, breaker: unknown) => ({ t, requests: 0, breaker });
  it("lists the intervals with changes, newest first, changes in state order, at most max; skips points without changes or junk", () => {
    const doc = {
      from: "2026-06-15T10:00:00Z",
      to: "2026-06-15T12:00:00Z",
      series: [
        { specialist: "a", points: [pt("2026-06-15T10:00:00Z", { changes: { closed: 1, open: 2, "half-open": 1 }, state: "closed" }), pt("2026-06-15T10:05:00Z", { changes: {}, state: null })] },
        { specialist: "b", points: [pt("2026-06-15T11:00:00Z", { changes: { open: 1 }, state: "open" }), pt("2026-06-15T10:00:00Z", { changes: { "half-open": 1 }, state: "half-open" })] },
        { specialist: "c", points: [pt("nope", { changes: { open: 1 }, state: "open" }), pt("2026-06-15T10:00:00Z", { changes: { open: 0 }, state: "open" }), pt("2026-06-15T10:00:00Z", "open"), { t: "2026-06-15T10:00:00Z" }] },
        { tenant: "acme", points: [pt("2026-06-15T10:00:00Z", { changes: { open: 1 }, state: "open" })] },
        "junk",
      ],
    };
    expect(breakerChanges(doc)).toEqual([
      { t: Date.parse("2026-06-15T11:00:00Z"), specialist: "b", changes: "open 1", state: "open" },
      { t: Date.parse("2026-06-15T10:00:00Z"), specialist: "a", changes: "open 2 · half-open 1 · closed 1", state: "closed" },
      { t: Date.parse("2026-06-15T10:00:00Z"), specialist: "b", changes: "half-open 1", state: "half-open" },
    ]);
    expect(breakerChanges(doc, 1)).toHaveLength(1);
    expect(breakerChanges({ specialists: [] })).toEqual([]);
    expect(breakerChanges(null)).toEqual([]);
  });
});
