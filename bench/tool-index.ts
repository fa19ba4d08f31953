/**
 * `node bench/tool-index.ts [--tools 500] [--runs 7] [--json]`: in-process
 * micro-benchmark of the MCP gateway's tool index (worker/intent/tool-index.ts) in
 * plain Node: how long building the index for N tools takes (what a Worker pays on
 * the first `find_tools` of an isolate) and how long one search takes. The tools are
 * the catalogue of eval/tools/ (299 real tools), copied under other server ids up to
 * N, so descriptions and schemas have real lengths. Medians over `runs` builds (the
 * first, cold, is reported apart) and over every query of eval/tools/queries.json.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { buildToolIndex, type ToolDoc } from "../worker/intent/tool-index.ts";

const { values: args } = parseArgs({ options: { tools: { type: "string", default: "500" }, runs: { type: "string", default: "7" }, json: { type: "boolean", default: false } } });
const n = Number(args.tools);
const runs = Number(args.runs);
if (!Number.isInteger(n) || n < 1 || !Number.isInteger(runs) || runs < 1) {
  console.error("usage: node bench/tool-index.ts [--tools N ≥ 1] [--runs N ≥ 1] [--json]");
  process.exit(2);
}

const real = (JSON.parse(readFileSync("eval/tools/catalogue.json", "utf8")) as { tools: ToolDoc[] }).tools;
const queries = Object.values(JSON.parse(readFileSync("eval/tools/queries.json", "utf8")) as Record<string, { query: string }[]>).flat().map((q) => q.query);
/** The first n tools of the catalogue repeated, copies renamed `copy<i>-<server>__<tool>`. */
const tools: ToolDoc[] = Array.from({ length: n }, (_, i) => {
  const t = real[i % real.length]!;
  const copy = Math.floor(i / real.length);
  return copy === 0 ? t : { ...t, name: `copy${copy}-${t.name}` };
});
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const chars = tools.reduce((a, t) => a + JSON.stringify(t).length, 0);

const builds: number[] = [];
let index = buildToolIndex([]);
for (let r = 0; r <= runs; r++) {
  const t0 = performance.now();
  index = buildToolIndex(tools);
  builds.push(performance.now() - t0);
}
const searches: number[] = [];
for (const k of [5]) {
  for (const q of queries) index.search(q, k); // warm-up
  for (const q of queries) {
    const t0 = performance.now();
    index.search(q, k);
    searches.push((performance.now() - t0) * 1000);
  }
}
const result = {
  tools: n,
  catalogueChars: chars,
  coldBuildMs: builds[0]!,
  buildMs: median(builds.slice(1)),
  searchUs: { p50: median(searches), p99: [...searches].sort((a, b) => a - b)[Math.floor(searches.length * 0.99)]!, queries: searches.length, k: 5 },
};
if (args.json) console.log(JSON.stringify(result, null, 2));
else
  console.log(
    `tool index, ${n} tools (${(chars / 1e6).toFixed(2)} MB of tool JSON): build ${result.buildMs.toFixed(1)} ms (median of ${runs}; first, cold: ${result.coldBuildMs.toFixed(1)} ms), ` +
      `search top-5 p50 ${result.searchUs.p50.toFixed(0)} µs, p99 ${result.searchUs.p99.toFixed(0)} µs (${searches.length} queries)`,
  );
