import { describe, expect, it } from "vitest";
import { fmt, linear, niceTicks, segments, seriesStyle, PALETTE, timeLabel, timeTicks, valueLabel } from "../../../worker/ui/chart-geometry.ts";
import { BarChart, LineChart, Matrix } from "../../../worker/ui/charts.tsx";

const H = (min: number) => Date.UTC(2026, 10, 30, 10, min);

describe("chart geometry", () => {
  it("linear scales, and a zero-width domain in the middle", () => {
    const y = linear([0, 100], [180, 20]);
    expect([y(0), y(50), y(100)]).toEqual([180, 100, 20]);
    expect(linear([5, 5], [0, 10])(5)).toBe(5);
    expect(linear([10, 20], [0, 100])(15)).toBe(50);
    expect(linear([-10, 10], [0, 100])(0)).toBe(50);
  });

  it("nice ticks from 0 past the maximum at 1, 2, 2.5 or 5 × 10ⁿ; no data gives [0, 1]", () => {
    expect(niceTicks(0, 87)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(0, 0.042, 4)).toEqual([0, 0.02, 0.04, 0.06]);
    expect(niceTicks(0, 1000, 4)).toEqual([0, 250, 500, 750, 1000]);
    expect(niceTicks(-30, 70, 4)).toEqual([-50, -25, 0, 25, 50, 75]);
    expect(niceTicks(0, 0)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, Number.NaN)[0]).toBe(0);
    expect(niceTicks(0, 100, 1000)).toHaveLength(50); // at most 50 ticks
    expect(niceTicks(0, 1e9, 2)).toEqual([0, 5e8, 1e9]);
    expect(niceTicks(0, 0.0003, 3)).toEqual([0, 0.0001, 0.0002, 0.0003]);
  });

  it("time ticks at a round step aligned in UTC, and their labels", () => {
    expect(timeTicks(H(7), H(120), 4)).toEqual([H(30), H(60), H(90), H(120)]);
    expect(timeTicks(H(0), H(0))).toEqual([H(0)]);
    expect(timeTicks(H(10), H(0))).toEqual([H(10)]);
    const week = 7 * 86_400_000;
    expect(timeTicks(0, 100 * week, 2)).toHaveLength(50); // a week apart at most, 50 ticks at most
    expect(timeTicks(0, 3 * week, 3)).toEqual([0, week, 2 * week, 3 * week]);
    // the overview's windows: 6 hours and a few minutes at 5-minute points is hourly (not two 3-hourly labels), two weeks every other day
    expect(timeTicks(H(-2), H(6 * 60 + 3), 6)).toEqual([0, 1, 2, 3, 4, 5, 6].map((h) => H(h * 60)));
    expect(timeTicks(Date.UTC(2026, 10, 17), Date.UTC(2026, 11, 1), 6)).toEqual([0, 2, 4, 6, 8, 10, 12, 14].map((d) => Date.UTC(2026, 10, 17 + d)));
    expect(timeLabel(H(30), 3_600_000)).toBe("10:30");
    expect(timeLabel(H(30), 5 * 86_400_000)).toBe("11-30");
  });

  it("segments break at gaps (null or not finite) and keep lone points", () => {
    const pts = [{ t: 0, v: 1 }, { t: 1, v: 2 }, { t: 2, v: null }, { t: 3, v: 4 }, { t: 4, v: Number.NaN }, { t: 5, v: 0.123 }];
    expect(segments(pts, (t) => t * 10, (v) => v)).toEqual(["0,1 10,2", "30,4", "50,0.12"]);
    expect(segments([], (t) => t, (v) => v)).toEqual([]);
    expect(fmt(1 / 3)).toBe("0.33");
    expect([valueLabel(0.000213), valueLabel(0.0002), valueLabel(1540), valueLabel(2_500_000), valueLabel(2), valueLabel(-1234)]).toEqual(["0.000213", "0.0002", "1.54k", "2.5M", "2", "-1.23k"]);
  });

  it("series colours from the Okabe–Ito palette, dashed once they repeat", () => {
    expect(seriesStyle(0)).toEqual({ color: "#0072B2" });
    expect(seriesStyle(PALETTE.length)).toEqual({ color: "#0072B2", dash: "5 3" });
  });
});

describe("charts as SVG", () => {
  it("a line chart: labelled svg, one polyline per run, a circle per point with its value, a legend and a data table", () => {
    const html = String(
      LineChart({ id: "traffic", title: "Requests per minute", desc: "requests of every specialist", from: H(0), to: H(3), series: [{ name: "units", points: [{ t: H(0), v: 4 }, { t: H(1), v: null }, { t: H(2), v: 9 }, { t: H(3), v: 1 }] }, { name: "general", points: [{ t: H(0), v: 2 }] }] }),
    );
    expect(html).toContain('role="img" aria-labelledby="traffic-t traffic-d"');
    expect(html).toContain('<title id="traffic-t">Requests per minute</title>');
    expect(html.match(/<polyline /g)).toHaveLength(3); // units: two runs around the gap; general: one point
    const points = [...html.matchAll(/<circle [^>]*data-t="(\d+)" data-v="([\d.]+)"/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(points).toEqual([[H(0), 4], [H(2), 9], [H(3), 1], [H(0), 2]]);
    expect(html).toContain('data-series="units"');
    expect(html).toContain("<title>units 2026-11-30 10:02Z: 9</title>");
    expect(html).toContain('stroke="#D55E00"'); // the second series' colour
    expect(html).toContain('<figure class="chart" id="traffic"><figcaption class="chart-title">Requests per minute</figcaption>'); // the figure's name is its title, not its legend
    expect(html).toContain('<div class="legend" aria-label="legend">');
    expect(html).toContain("<summary>data: Requests per minute</summary>");
    expect(html).toContain("<td>2026-11-30 10:01</td><td>—</td><td>—</td>");
    expect(html).not.toContain("style=");
  });

  it("a bar chart: a bar per label with its value, the limit as a tick, coloured by how near the limit it is", () => {
    const html = String(BarChart({ id: "pools", title: "Pool usage", desc: "requests in the window against the rpm limit", bars: [{ label: "units", value: 30, limit: 600 }, { label: "hot", value: 500, limit: 600 }, { label: "full", value: 600, limit: 600 }, { label: "free", value: 3 }] }));
    const bars = [...html.matchAll(/<g class="bar" data-label="([^"]+)" data-value="(\d+)"(?: data-limit="(\d+)")?>.*?<rect [^>]*fill="([^"]+)"/gs)].map((m) => [m[1], Number(m[2]), m[3] === undefined ? undefined : Number(m[3]), m[4]]);
    expect(bars).toEqual([["units", 30, 600, "#009E73"], ["hot", 500, 600, "#E69F00"], ["full", 600, 600, "#c23a3a"], ["free", 3, undefined, "#0072B2"]]);
    expect(html.match(/stroke-width="2"/g)).toHaveLength(3); // three limit ticks
    expect(html).toContain("<title>hot: 500 of 600</title>");
    const anchors = [...html.matchAll(/<g class="axis">.*?text-anchor="(\w+)"[^>]*>([^<]+)</gs)].map((m) => [m[2], m[1]]);
    expect(anchors.at(-1)).toEqual(["600", "end"]); // the last tick's label ends at the chart's edge, not past it
    expect(anchors.slice(0, -1).every(([, a]) => a === "middle")).toBe(true);
  });

  it("a matrix: a cell per row and column with its count, shaded by share of the largest", () => {
    const counts: Record<string, number> = { "a|b": 3, "b|a": 1 };
    const html = String(Matrix({ id: "confusion", title: "Corrected routes", desc: "routed label by corrected label", rows: ["a", "b"], cols: ["a", "b"], count: (r, c) => counts[`${r}|${c}`] ?? 0, rowHead: "routed", colHead: "corrected" }));
    const cells = [...html.matchAll(/fill-opacity="([\d.]+)" data-row="(\w)" data-col="(\w)" data-count="(\d+)"/g)].map((m) => [m[2], m[3], Number(m[4]), Number(m[1])]);
    expect(cells).toEqual([["a", "a", 0, 1], ["a", "b", 3, 1], ["b", "a", 1, 0.43], ["b", "b", 0, 1]]);
    expect(html).toContain("<title>routed a → corrected b: 3</title>");
  });
});
