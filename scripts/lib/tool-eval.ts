/**
 * `npm run eval -- --tools`: tool retrieval for the MCP gateway's `find_tools`
 * (issue 16). Builds the index of worker/intent/tool-index.ts from the tool
 * catalogue of eval/tools/ (names, descriptions and schemas only) and ranks the
 * catalogue for each labelled task description: recall@1, recall@k and MRR on the
 * dev split (chosen on) and the test split (held out), overall and per server.
 */
import { readFileSync } from "node:fs";
import { buildToolIndex, type ToolDoc, type ToolIndex } from "../../worker/intent/tool-index.ts";
import { SPLITS, type Split } from "./eval-cases.ts";

/** Default locations of the catalogue and the queries, relative to the repository root. */
export const TOOL_EVAL_PATHS = { catalogue: "eval/tools/catalogue.json", queries: "eval/tools/queries.json" } as const;

/** One labelled task description: any of `tools` is a right answer. */
export interface ToolQuery {
  query: string;
  tools: string[];
}

/** File shape of `eval/tools/queries.json`. */
export type ToolQueryFile = Record<Split, ToolQuery[]>;

/** The server id of a namespaced tool name (`github__create_issue` → `github`). */
export const serverOf = (name: string): string => name.split("__")[0]!;

/**
 * Reads the catalogue (`{ tools: ToolDoc[] }`) and the queries and checks them: tool
 * names unique and namespaced `<server>__<tool>`; every query non-empty, labelled
 * with 1+ catalogue tools, in exactly one split, never repeated (case-insensitive).
 * @throws Error naming the first problem.
 */
export function readToolEval(paths: { catalogue: string; queries: string } = TOOL_EVAL_PATHS): { tools: ToolDoc[]; queries: ToolQueryFile } {
  const tools = (JSON.parse(readFileSync(paths.catalogue, "utf8")) as { tools: ToolDoc[] }).tools;
  const queries = JSON.parse(readFileSync(paths.queries, "utf8")) as ToolQueryFile;
  checkToolEval(tools, queries);
  return { tools, queries };
}

/** The checks of {@link readToolEval}, on parsed data. @throws Error naming the first problem. */
export function checkToolEval(tools: readonly ToolDoc[], queries: ToolQueryFile): void {
  if (!Array.isArray(tools)) throw new Error("catalogue: `tools` must be an array");
  const names = new Set<string>();
  for (const t of tools) {
    if (!/^[a-z0-9-]+__\S+$/u.test(t.name)) throw new Error(`catalogue: "${t.name}" is not namespaced <server>__<tool>`);
    if (names.has(t.name)) throw new Error(`catalogue: "${t.name}" is listed twice`);
    names.add(t.name);
  }
  const seen = new Set<string>();
  for (const split of SPLITS) {
    if (!Array.isArray(queries[split])) throw new Error(`queries: "${split}" must be an array`);
    for (const q of queries[split]) {
      const key = q.query?.trim().toLowerCase();
      if (!key) throw new Error(`queries (${split}): an empty query`);
      if (seen.has(key)) throw new Error(`queries (${split}): "${q.query}" is repeated`);
      seen.add(key);
      if (!Array.isArray(q.tools) || q.tools.length === 0) throw new Error(`queries (${split}): "${q.query}" has no label`);
      for (const t of q.tools) if (!names.has(t)) throw new Error(`queries (${split}): "${q.query}" names "${t}", not in the catalogue`);
    }
  }
}

/** Retrieval figures of a set of queries (fractions in [0, 1]). */
export interface RetrievalFigures {
  cases: number;
  recallAt1: number;
  /** Recall at the report's k. */
  recallAtK: number;
  /** Mean reciprocal rank of the first right tool over the whole ranking. */
  mrr: number;
}

/** 1-based rank of the first right tool in the index's full ranking of `q` (0 if none: cannot happen for a catalogue tool). */
export function rankOf(index: ToolIndex, q: ToolQuery): number {
  return index.search(q.query, index.size).findIndex((h) => q.tools.includes(h.name)) + 1;
}

/** Figures from ranks (1-based, 0 = not found). */
export function retrievalFigures(ranks: readonly number[], k: number): RetrievalFigures {
  const n = Math.max(1, ranks.length);
  return {
    cases: ranks.length,
    recallAt1: ranks.filter((r) => r === 1).length / n,
    recallAtK: ranks.filter((r) => r >= 1 && r <= k).length / n,
    mrr: ranks.reduce((a, r) => a + (r > 0 ? 1 / r : 0), 0) / n,
  };
}

/** Everything `--tools` reports. */
export interface ToolEvalReport {
  catalogue: { tools: number; servers: number };
  k: number;
  buildMs: number;
  /** Per split: overall, and per server of the (first) expected tool. */
  splits: Record<Split, RetrievalFigures & { byServer: Record<string, RetrievalFigures> }>;
}

/** Builds the index and scores both splits. */
export function toolEvalReport(tools: readonly ToolDoc[], queries: ToolQueryFile, k: number): ToolEvalReport {
  const started = performance.now();
  const index = buildToolIndex(tools);
  const buildMs = performance.now() - started;
  const splits = {} as ToolEvalReport["splits"];
  for (const split of SPLITS) {
    const ranked = queries[split].map((q) => ({ server: serverOf(q.tools[0]!), rank: rankOf(index, q) }));
    const byServer: Record<string, RetrievalFigures> = {};
    for (const server of [...new Set(ranked.map((r) => r.server))].sort())
      byServer[server] = retrievalFigures(ranked.filter((r) => r.server === server).map((r) => r.rank), k);
    splits[split] = { ...retrievalFigures(ranked.map((r) => r.rank), k), byServer };
  }
  return { catalogue: { tools: tools.length, servers: new Set(tools.map((t) => serverOf(t.name))).size }, k, buildMs, splits };
}

const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;

/** Runs the tool evaluation and prints it (a table, or JSON with `json`). */
export function runToolEval(args: { json: boolean; k: number }, paths = TOOL_EVAL_PATHS): void {
  const { tools, queries } = readToolEval(paths);
  const report = toolEvalReport(tools, queries, args.k);
  if (args.json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  const cell = (f: RetrievalFigures | undefined) => (f ? `${pct(f.recallAt1)}  ${pct(f.recallAtK)}  ${f.mrr.toFixed(3)}  (${f.cases})` : "-");
  const rows: [string, string, string][] = [[`recall@1  recall@${args.k}  MRR  (cases)`, "dev (chosen on)", "test (held out)"]];
  rows.push(["all", cell(report.splits.dev), cell(report.splits.test)]);
  const servers = [...new Set([...Object.keys(report.splits.dev.byServer), ...Object.keys(report.splits.test.byServer)])].sort();
  for (const s of servers) rows.push([`  ${s}`, cell(report.splits.dev.byServer[s]), cell(report.splits.test.byServer[s])]);
  console.log(`catalogue ${paths.catalogue}: ${report.catalogue.tools} tools from ${report.catalogue.servers} servers, index built in ${report.buildMs.toFixed(0)} ms\n`);
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  for (const [a, b, c] of rows) console.log(`${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c}`);
}
