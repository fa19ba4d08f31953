import { describe, expect, it } from "vitest";
import { benchSections, ratios, type BenchResults } from "../../../bench/html.ts";

const lat = (p50: number, p99: number) => ({ count: 100, mean: p50, p50, p90: (p50 + p99) / 2, p99, max: p99 });
const results = {
  date: "2026-11-30T00:00:00Z",
  command: "npm run bench",
  scenarios: [
    { name: "direct", description: "", load: [{ connections: 50, rps: 9000, latency: lat(5, 9) }], sequential: { latency: lat(0.3, 0.9) } },
    { name: "cached-intent", description: "", load: [{ connections: 50, rps: 2500, latency: lat(10, 20) }], sequential: { latency: lat(0.55, 1.5) } },
    { name: "cache-miss", description: "", load: [], failed: "smoke check: HTTP 500" },
  ],
  summary: { connections: [50], rows: [], targets: [{ row: "limited", measure: "cpu", label: "limited CPU", op: "<=", target: 1.5, value: 3, met: false }, { row: "task-step", measure: "overheadPerStepMs", label: "task step", op: "<=", target: 5 }] },
} as unknown as BenchResults;
const points = (svg: string) => [...svg.matchAll(/data-series="([^"]*)" data-label="([^"]*)" data-value="([^"]*)"/g)].map((m) => [m[1], m[2], Number(m[3])]);

describe("ratios", () => {
  it("has report.ts's two headline targets from the scenarios, then the summary's", () => {
    const rs = ratios(results);
    expect(rs.map((r) => [r.op, r.target, r.value === undefined ? undefined : Number(r.value.toFixed(3))])).toEqual([
      ["<=", 0.5, 0.25],
      [">=", 5000, 2500],
      ["<=", 1.5, 3],
      ["<=", 5, undefined],
    ]);
  });
});

describe("benchSections", () => {
  const [targets, sequential, load, failed] = benchSections(results);
  it("draws each target as measured ÷ target with the line at 1, and says what was not measured", () => {
    const svg = targets!.charts![0]!;
    expect(points(svg).map((p) => [p[1], Number((p[2] as number).toFixed(3))])).toEqual([
      ["≤ cached intent: added p50, 1 conn", 0.5],
      ["≥ cached intent: req/s at 50 conns", 0.5],
      ["≤ limited CPU", 2],
    ]);
    expect(svg).toContain('data-reference="1"');
    expect(svg).toContain('data-label="≤ task step">not measured');
    expect(targets!.table!.rows.map((r) => r.at(-1))).toEqual(["met", "MISSED", "MISSED", "—"]);
  });
  it("draws the latency distribution per scenario: p50/p90/p99 of the sequential loop, p50/p99 at each connection count", () => {
    expect(points(sequential!.charts![0]!).filter((p) => p[1] === "cached-intent")).toEqual([
      ["p50", "cached-intent", 0.55],
      ["p90", "cached-intent", 1.025],
      ["p99", "cached-intent", 1.5],
    ]);
    const [at50, rps] = load!.charts!;
    expect(at50).toContain("Latency at 50 connections");
    expect(points(at50!)).toEqual([
      ["p50", "direct", 5],
      ["p99", "direct", 9],
      ["p50", "cached-intent", 10],
      ["p99", "cached-intent", 20],
    ]);
    expect(points(rps!)).toEqual([
      ["50 conns", "direct", 9000],
      ["50 conns", "cached-intent", 2500],
    ]);
  });
  it("lists the failed scenarios", () => {
    expect(failed!.table!.rows).toEqual([["cache-miss", "smoke check: HTTP 500"]]);
  });
});
