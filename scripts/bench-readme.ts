/**
 * `npm run bench:readme [-- results.json]`: regenerates the benchmark summary block of
 * docs/evaluation-and-benchmarks.md (between `<!-- bench:summary:start -->` and
 * `<!-- bench:summary:end -->`) from a `bench/out/results-*.json` written by `npm run bench`
 * (default: the newest). The block: the run's date, command and machine, the summary table
 * (bench/summary.ts) and its targets. Rendering: scripts/lib/bench-readme.ts.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { replaceBlock, summaryMarkdown, type BenchResults } from "./lib/bench-readme.ts";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const DOC = join(ROOT, "docs/evaluation-and-benchmarks.md");
const OUT = join(ROOT, "bench/out");

/** The newest bench/out/results-<ISO timestamp>.json (the names sort by time). */
function newest(): string {
  let names: string[] = [];
  try {
    names = readdirSync(OUT).filter((n) => /^results-.*\.json$/.test(n));
  } catch {
    /* no bench/out yet */
  }
  const last = names.sort().at(-1);
  if (!last) throw new Error("no bench/out/results-*.json: run `npm run bench` first, or pass a results file");
  return join(OUT, last);
}

const file = process.argv[2] ? resolve(process.env.INIT_CWD ?? process.cwd(), process.argv[2]) : newest();
const results = JSON.parse(readFileSync(file, "utf8")) as BenchResults;
const block = summaryMarkdown(results, relative(ROOT, file));
const before = readFileSync(DOC, "utf8");
const after = replaceBlock(before, block);
writeFileSync(DOC, after);
console.log(`${relative(ROOT, DOC)}: ${before === after ? "unchanged" : "summary block regenerated"} from ${relative(ROOT, file)}`);
