import { describe, expect, it } from "vitest";
import { correctionSections, fewShotSections, pipelineSections } from "../../../scripts/lib/eval-html.ts";
import { htmlPage } from "../../../scripts/lib/html-report.ts";
import type { CorrectionReport } from "../../../scripts/lib/correction-eval.ts";
import type { FewShotReport } from "../../../scripts/lib/few-shot-eval.ts";
import type { Row } from "../../../scripts/lib/pipeline-report.ts";

const s = (mean: number, min = mean, max = mean) => ({ mean, min, max });
/** `data-series`, `data-label`, `data-value` of every mark in order. */
const points = (svg: string) => [...svg.matchAll(/data-series="([^"]*)" data-label="([^"]*)" data-value="([^"]*)"/g)].map((m) => [m[1], m[2], Number(m[3])]);

describe("fewShotSections", () => {
  const r = {
    ks: [5],
    seeds: [1, 2],
    valRows: { inScope: 3000, oos: 100 },
    fixedThreshold: 0.45,
    points: [],
    summary: [
      { k: 5, seeds: 2, inScopeAccuracy: s(0.7, 0.69, 0.71), oosRecall: s(0.2), threshold: s(0.1), fixed: { inScopeAccuracy: s(0.6), oosRecall: s(0.9) } },
      { k: null, seeds: 1, inScopeAccuracy: s(0.93), oosRecall: s(0.59), threshold: s(0.22), fixed: { inScopeAccuracy: s(0.91), oosRecall: s(0.85) } },
    ],
  } as unknown as FewShotReport;
  const [section] = fewShotSections(r);

  it("plots accuracy and recall against k, in percent, with the seeds' range", () => {
    const svg = section!.charts![0]!;
    expect(points(svg)).toEqual([
      ["in-scope accuracy (rule)", "5", 70],
      ["in-scope accuracy (rule)", "all", 93],
      ["oos recall (rule)", "5", 20],
      ["oos recall (rule)", "all", 59],
      ["in-scope accuracy (0.45)", "5", 60],
      ["in-scope accuracy (0.45)", "all", 91],
      ["oos recall (0.45)", "5", 90],
      ["oos recall (0.45)", "all", 85],
    ]);
    expect(svg).toContain("<title>in-scope accuracy (rule), k: examples per intent 5: 70.0 % (69.0 %–71.0 %)</title>");
  });
  it("has the table of the same figures", () => {
    expect(section!.table!.rows[0]).toEqual(["5", "2", "70.00 % (69.00–71.00)", "20 %", "60.00 %", "90 %"]);
  });
});

describe("correctionSections", () => {
  const acc = (i: number, o: number) => ({ inScopeAccuracy: s(i), oosRecall: s(o) });
  const r = {
    startK: 10,
    refitEvery: 50,
    ps: [0.1, 1],
    runs: [{}],
    summary: [
      { p: 0.1, before: acc(0.8, 0.2), after: acc(0.82, 0.25), corrections: s(30), refits: s(1) },
      { p: 1, before: acc(0.8, 0.2), after: acc(0.88, 0.5), corrections: s(300), refits: s(6) },
    ],
  } as unknown as CorrectionReport;
  it("starts the curve at before and adds a point per p", () => {
    const svg = correctionSections(r)[0]!.charts![0]!;
    expect(points(svg).filter((p) => p[0] === "in-scope accuracy")).toEqual([
      ["in-scope accuracy", "before", 80],
      ["in-scope accuracy", "p = 0.1", 82],
      ["in-scope accuracy", "p = 1", 88],
    ]);
  });
  it("draws the corrections used as bars", () => {
    expect(points(correctionSections(r)[0]!.charts![1]!)).toEqual([
      ["corrections", "p = 0.1", 30],
      ["corrections", "p = 1", 300],
    ]);
  });
});

describe("pipelineSections", () => {
  const row = (strategy: string, success: number, costXPlain: number): Row =>
    ({ strategy, model: "independent", tasks: 10, success, silentWrong: 1 - success, stopped: 0, humanPer100: 0, costPerTaskUsd: 0, costXPlain, callsPerTask: 5, harnessErrors: 0, hedgedTasks: 0, wallP50Ms: 100, wallP95Ms: 200, routerP50Ms: 0, routerP95Ms: 0 }) as Row;
  const [section] = pipelineSections([row("plain", 0.6, 1), row("vote", 0.95, 3)]);
  it("has success bars against the 90 % goal and cost bars against 3.5×", () => {
    const [success, cost] = section!.charts!;
    expect(points(success!).filter((p) => p[0] === "right end to end")).toEqual([
      ["right end to end", "plain", 60],
      ["right end to end", "vote", 95],
    ]);
    expect(success).toContain('data-reference="90"');
    expect(points(cost!)).toEqual([
      ["cost × plain", "plain", 1],
      ["cost × plain", "vote", 3],
    ]);
    expect(cost).toContain('data-reference="3.5"');
  });
  it("marks the strategies meeting the goal in the table", () => {
    expect(section!.table!.rows.map((r) => [r[0], r.at(-1)])).toEqual([
      ["plain", ""],
      ["vote", "✓"],
    ]);
  });
});

describe("htmlPage", () => {
  const page = htmlPage("T <1>", "npm run eval", [{ heading: "H", notes: ["a & b"], charts: ["<svg></svg>"], table: { head: ["x"], rows: [["<y>"]] } }]);
  it("is one self-contained page: no script, no external resource, text escaped", () => {
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).not.toMatch(/<script|<link|src=|https?:\/\//);
    expect(page).toContain("<title>T &lt;1&gt;</title>");
    expect(page).toContain("<p>a &amp; b</p>");
    expect(page).toContain("<figure><svg></svg></figure>");
    expect(page).toContain("<td>&lt;y&gt;</td>");
  });
});
