/**
 * `node scripts/mutation-scores.ts [REPORT] [--check]`: the per-area mutation score
 * table (Markdown) from the last Stryker run's JSON report (default
 * reports/mutation/mutation.json). With `--check`, exit code 1 when an area scores
 * under its target (test/mutation/scope.ts).
 */
import { areaScores, belowTarget, scoreTable } from "./lib/mutation-report.ts";

const args = process.argv.slice(2);
const rows = areaScores(args.find((a) => !a.startsWith("--")));
console.log(scoreTable(rows));
const low = belowTarget(rows);
if (args.includes("--check") && low.length > 0) {
  for (const r of low) console.error(`${r.area}: mutation score ${r.score.toFixed(1)} % is under its target of ${r.target} %`);
  process.exit(1);
}
