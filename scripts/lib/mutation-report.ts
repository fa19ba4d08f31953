import { readFileSync } from "node:fs";
import { AREAS, areaOf, type Area } from "../../test/mutation/scope.ts";

/** One row of the per-area score table. */
export interface AreaScore {
  area: Area;
  files: number;
  mutants: number;
  killed: number;
  survived: number;
  noCoverage: number;
  /** Mutants disabled with `// Stryker disable … : reason` (equivalent, justified in the source). */
  equivalent: number;
  /** Static mutants (module-level code) not run: `ignoreStatic` (stryker.config.mjs). */
  staticIgnored: number;
  /** (killed + timed out) / (killed + timed out + survived + no coverage), in %. */
  score: number;
  target: number;
}

interface Report {
  files: Record<string, { mutants: { status: string; statusReason?: string }[] }>;
}

/**
 * Scores by area from Stryker's JSON report (reports/mutation/mutation.json), of
 * `only` these files when given (a run over a few files scores those files).
 */
export function areaScores(reportFile = "reports/mutation/mutation.json", only?: readonly string[]): AreaScore[] {
  const report = JSON.parse(readFileSync(reportFile, "utf8")) as Report;
  const rows = new Map<Area, AreaScore>();
  for (const [file, { mutants }] of Object.entries(report.files)) {
    const path = file.replaceAll("\\", "/");
    const area = areaOf(path);
    if (!area || (only && !only.includes(path))) continue; // a report can carry files an earlier incremental run mutated
    const row = rows.get(area) ?? { area, files: 0, mutants: 0, killed: 0, survived: 0, noCoverage: 0, equivalent: 0, staticIgnored: 0, score: 0, target: AREAS[area].target };
    row.files += 1;
    for (const { status, statusReason } of mutants) {
      if (status === "Killed" || status === "Timeout") row.killed += 1;
      else if (status === "Survived") row.survived += 1;
      else if (status === "NoCoverage") row.noCoverage += 1;
      else if (status === "Ignored" && /static/i.test(statusReason ?? "")) row.staticIgnored += 1;
      else if (status === "Ignored") row.equivalent += 1;
      else continue; // CompileError, RuntimeError: the mutant never ran, as in Stryker's own score
      row.mutants += 1;
    }
    rows.set(area, row);
  }
  const order = Object.keys(AREAS) as Area[];
  return [...rows.values()]
    .map((r) => {
      const valid = r.killed + r.survived + r.noCoverage;
      return { ...r, score: valid === 0 ? 100 : (100 * r.killed) / valid };
    })
    .sort((a, b) => order.indexOf(a.area) - order.indexOf(b.area));
}

/** The table as Markdown, as docs/development.md shows it. */
export function scoreTable(rows: readonly AreaScore[]): string {
  const total = rows.reduce(
    (t, r) => ({ m: t.m + r.mutants, k: t.k + r.killed, s: t.s + r.survived, n: t.n + r.noCoverage, e: t.e + r.equivalent, st: t.st + r.staticIgnored }),
    { m: 0, k: 0, s: 0, n: 0, e: 0, st: 0 },
  );
  const pct = (x: number) => `${x.toFixed(1)} %`;
  const lines = [
    "| area | files | mutants | killed | survived | no coverage | score | target | equivalent (justified) | static (not run) |",
    "| --- | --: | --: | --: | --: | --: | --: | --: | --: | --: |",
    ...rows.map(
      (r) => `| ${r.area} | ${r.files} | ${r.mutants} | ${r.killed} | ${r.survived} | ${r.noCoverage} | ${pct(r.score)} | ${r.target} % | ${r.equivalent} | ${r.staticIgnored} |`,
    ),
    `| all | ${rows.reduce((t, r) => t + r.files, 0)} | ${total.m} | ${total.k} | ${total.s} | ${total.n} | ${pct((100 * total.k) / Math.max(1, total.k + total.s + total.n))} | | ${total.e} | ${total.st} |`,
  ];
  return lines.join("\n");
}

/** Areas scoring under their target. */
export function belowTarget(rows: readonly AreaScore[]): AreaScore[] {
  return rows.filter((r) => r.score < r.target);
}
