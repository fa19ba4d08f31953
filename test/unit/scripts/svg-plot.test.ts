import { describe, expect, it } from "vitest";
import { barChart, esc, lineChart, niceStep, PALETTE } from "../../../scripts/lib/svg-plot.ts";

/** The attributes of each mark with data-value, in order. */
function marks(svg: string, tag: "rect" | "circle"): Record<string, string>[] {
  return [...svg.matchAll(new RegExp(`<${tag} ([^>]*data-value[^>]*)>`, "g"))].map((m) => Object.fromEntries([...m[1]!.matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!])));
}

describe("esc", () => {
  it("escapes markup and quotes", () => expect(esc(`<a href="x">&'`)).toBe("&lt;a href=&quot;x&quot;&gt;&amp;&#39;"));
});

describe("niceStep", () => {
  it.each([
    [100, 20],
    [1, 0.2],
    [7, 2],
    [0.35, 0.1],
    [0, 1],
  ])("%s → %s", (x, step) => expect(niceStep(x)).toBeCloseTo(step));
});

describe("barChart", () => {
  const svg = barChart({ title: "Ratio <against> target", axis: "×", series: ["p50", "p99"], rows: [{ label: "direct", values: [1, 2] }, { label: "cached", values: [3, undefined] }], reference: { value: 2, label: "target 2" }, max: 4, width: 470 });

  it("has a title and an accessible name", () => {
    expect(svg).toContain("<title>Ratio &lt;against&gt; target</title>");
    expect(svg).toContain('role="img" aria-label="Ratio &lt;against&gt; target"');
  });
  it("draws each value as a bar whose width is proportional to it (plot 200 px for max 4 at width 470)", () => {
    const bars = marks(svg, "rect");
    expect(bars.map((b) => [b["data-label"], b["data-series"], b["data-value"], b.width])).toEqual([
      ["direct", "p50", "1", "50"],
      ["direct", "p99", "2", "100"],
      ["cached", "p50", "3", "150"],
    ]);
    expect(bars[1]!.fill).toBe(PALETTE[1]);
    expect(svg).toContain("<title>direct (p99): 2</title>");
  });
  it("says when a value was not measured, and draws the reference line at its value", () => {
    expect(svg).toMatch(/class="na" data-series="p99" data-label="cached">not measured/);
    expect(svg).toMatch(/<line x1="300" y1="\d+" x2="300" [^>]*data-reference="2"/);
    expect(svg).toContain(">target 2</text>");
  });
  it("clips values past the axis maximum to the plot", () => {
    const big = barChart({ title: "t", axis: "a", series: ["s"], rows: [{ label: "x", values: [10] }], max: 5, width: 470 });
    expect(marks(big, "rect")[0]!.width).toBe("200");
  });
});

describe("lineChart", () => {
  const svg = lineChart({ title: "Few-shot", xAxis: "k", yAxis: "%", xs: ["5", "10", "all"], series: [{ name: "accuracy", points: [{ y: 50, lo: 40, hi: 60 }, { y: 75 }, undefined] }], yMin: 0, yMax: 100, width: 284 });

  it("puts each point at its value on the y axis (plot 220 px high)", () => {
    const pts = marks(svg, "circle");
    expect(pts.map((p) => [p["data-label"], p["data-value"]])).toEqual([
      ["5", "50"],
      ["10", "75"],
    ]);
    const top = Number(pts[0]!.cy) - 110; // y = 50 is half way down the 220 px plot
    expect(Number(pts[1]!.cy)).toBeCloseTo(top + 55);
  });
  it("draws the range as an error bar and names it in the tooltip; a gap is no point", () => {
    expect(svg).toContain("<title>accuracy, k 5: 50 (40–60)</title>");
    expect(svg).not.toContain('data-label="all"');
    expect(svg).toMatch(/<polyline [^>]*points="[\d.]+,[\d.]+ [\d.]+,[\d.]+"/);
  });
  it("has a legend entry and axis captions", () => {
    expect(svg).toContain(">accuracy</text>");
    expect(svg).toContain(">k</text>");
    expect(svg).toContain('rotate(-90)" text-anchor="middle">%</text>');
  });
});

describe("barChart labels", () => {
  it("cuts a label too long for its room, keeping it whole in a tooltip", () => {
    const svg = barChart({ title: "t", axis: "a", series: ["s"], rows: [{ label: "x".repeat(40), values: [1] }], left: 75 });
    expect(svg).toContain(`>${"x".repeat(9)}…<title>${"x".repeat(40)}</title></text>`);
  });
});
