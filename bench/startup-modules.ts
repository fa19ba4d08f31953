/**
 * `node bench/startup-modules.ts [--runs N] [--top K]`: where an isolate's startup goes,
 * module by module (issue 13: `wrangler check startup` says how long, not why).
 *
 * Bundles the router as `wrangler deploy` would (bench/build.ts), inserts a timestamp
 * at each module boundary esbuild marks in the bundle (its `// path` comment lines;
 * esbuild evaluates the modules of a bundle in that order, at top level), and imports
 * the result in a fresh Node process per run (V8, as in workerd; `cloudflare:workers`
 * replaced by a stub whose `DurableObject` is an empty class). Prints, as medians over
 * the runs, milliseconds:
 *
 * - **parse + compile**: from `import()` to the first module's first statement;
 * - **evaluation**: from there to the end of the last module, and per module (a
 *   package counts as one row: `zod/v4`, `hono/dist`), largest first.
 *
 * Node is not workerd: the absolute figures differ (workerd also compiles for its
 * inspector and counts its own startup), the ranking does not. Writes nothing.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { bundleRouter } from "./build.ts";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const { values: args } = parseArgs({ options: { runs: { type: "string", default: "5" }, top: { type: "string", default: "25" } } });
const RUNS = Number(args.runs);
const TOP = Number(args.top);
if (!(Number.isInteger(RUNS) && RUNS >= 1 && RUNS <= 50)) throw new Error("--runs must be an integer in [1, 50]");
if (!(Number.isInteger(TOP) && TOP >= 1)) throw new Error("--top must be a positive integer");

/** esbuild's module boundary comment, at column 0 (a bundle's top level). */
const BOUNDARY = /^\/\/ ([\w@.+\-/]+\.(?:[cm]?js|ts|json))$/;

/** The row a module counts in: a package (`zod/v4`, `@hono/zod-openapi`) or the project file. */
function rowOf(path: string): string {
  const i = path.lastIndexOf("node_modules/");
  if (i < 0) return path;
  const parts = path.slice(i + "node_modules/".length).split("/");
  return parts.slice(0, 2).join("/");
}

const bundle = await bundleRouter(ROOT);
try {
  const main = bundle.modules[0]!.path;
  const stub = join(bundle.dir, "cloudflare-workers-stub.mjs");
  writeFileSync(stub, "export class DurableObject { constructor(ctx, env) { this.ctx = ctx; this.env = env; } }\nexport class WorkerEntrypoint {}\nexport const env = {};\n");
  const out = ["const __marks = []; globalThis.__startupMarks = __marks; const __mark = (m) => __marks.push([m, performance.now()]);"];
  let boundaries = 0;
  for (const line of readFileSync(main, "utf8").split("\n")) {
    out.push(line.replace(/^(import .* from )"cloudflare:workers";$/, `$1${JSON.stringify(stub)};`));
    const m = BOUNDARY.exec(line);
    if (m) {
      out.push(`__mark(${JSON.stringify(m[1])});`);
      boundaries++;
    }
  }
  out.push('__mark("(end)");');
  const instrumented = join(bundle.dir, "instrumented.mjs");
  writeFileSync(instrumented, out.join("\n"));
  // A dynamic `import("cloudflare:workers")` inside a function is left alone: nothing calls it at startup.

  const probe = `const t0 = performance.now(); await import(${JSON.stringify(instrumented)}); console.log(JSON.stringify({ t0, marks: globalThis.__startupMarks }));`;
  const parse: number[] = [];
  const evaluation: number[] = [];
  const perRow = new Map<string, number[]>();
  for (let r = 0; r < RUNS; r++) {
    const { t0, marks } = JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", probe], { encoding: "utf8" })) as { t0: number; marks: [string, number][] };
    parse.push(marks[0]![1] - t0);
    evaluation.push(marks.at(-1)![1] - marks[0]![1]);
    const rows = new Map<string, number>();
    for (let i = 0; i < marks.length - 1; i++) {
      const row = rowOf(marks[i]![0]);
      rows.set(row, (rows.get(row) ?? 0) + marks[i + 1]![1] - marks[i]![1]);
    }
    for (const [row, ms] of rows) perRow.set(row, [...(perRow.get(row) ?? []), ms]);
    process.stderr.write(`run ${r + 1}/${RUNS}\n`);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const size = readFileSync(main).length;
  console.log(`\nRouter bundle ${(size / 1024).toFixed(0)} KiB, ${boundaries} modules; ${RUNS} fresh Node ${process.version} processes, medians:\n`);
  console.log(`${median(parse).toFixed(1).padStart(8)} ms  parse + compile (import() to the first module)`);
  console.log(`${median(evaluation).toFixed(1).padStart(8)} ms  evaluation (every module's top level), of which:`);
  const rows = [...perRow].map(([row, xs]) => [row, median(xs)] as const).sort((a, b) => b[1] - a[1]);
  for (const [row, ms] of rows.slice(0, TOP)) console.log(`${ms.toFixed(2).padStart(8)} ms    ${row}`);
  const rest = rows.slice(TOP).reduce((s, [, ms]) => s + ms, 0);
  if (rows.length > TOP) console.log(`${rest.toFixed(2).padStart(8)} ms    (${rows.length - TOP} more rows)`);
} finally {
  bundle.cleanup();
}
