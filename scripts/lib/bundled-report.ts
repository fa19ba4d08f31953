/**
 * `npm run eval` with no arguments: routing figures of the bundled specialists on
 * the sets of `eval/bundled/` (scope and long inputs, and their robustness
 * additions), dev and held-out test side by side, per specialist, with the config
 * fitted exactly as the Worker fits it.
 */
import { readFileSync } from "node:fs";
import { loadConfig } from "../../worker/config/load.ts";
import { bundledRouter, figures, scoreCases, type Figures, type Rate, type Scored } from "./bundled-eval.ts";
import { SPLITS, type EvalCase, type Split } from "./eval-cases.ts";
import { readScopeCases } from "./eval-cases.ts";
import { readLongCases } from "./long-inputs.ts";

/** Default locations of the config and of the two sets, relative to the repository root. */
export const BUNDLED_PATHS = {
  config: "switchyard.config.json",
  scope: "eval/bundled/scope.json",
  long: "eval/bundled/long-inputs.json",
  scopeRobust: "eval/bundled/scope-robust.json",
  longRobust: "eval/bundled/long-robust.json",
} as const;

/** The sets, as the report names them. */
export type SetName = "scope" | "long" | "scopeRobust" | "longRobust";

/** Options of the bundled mode. `misses`: also list the wrong decisions of that split. */
export interface BundledArgs {
  config: string;
  json: boolean;
  misses?: Split;
  /** Fit seed (default: the Worker's, 1). */
  seed?: number;
}

/** Figures of one set, per split. */
export type SetReport = Record<Split, Figures & { cases: number }>;

/** Everything `npm run eval` reports in the bundled mode. */
export interface BundledReport {
  config: string;
  minConfidence: number;
  fallback: string | undefined;
  scope: SetReport;
  long: SetReport & { byLength: Record<Split, { under2000: Rate; from2000: Rate }> };
  /** Short requests the review found missing (scope-robust.json). */
  scopeRobust: SetReport;
  /** Long requests with sign-offs, instructions in the middle, tricky payloads (long-robust.json). */
  longRobust: SetReport;
  /** Each kind over its original and robustness sets together: scope + scopeRobust, long + longRobust. */
  scopeAll: SetReport;
  longAll: SetReport;
  seed: number | undefined;
  usPerLongDecision: number;
  avgLongChars: number;
}

const forSplit = (scored: readonly Scored[], split: Split) => scored.filter((s) => s.c.split === split);

function setReport(scored: readonly Scored[]): SetReport {
  const out = {} as SetReport;
  for (const split of SPLITS) {
    const part = forSplit(scored, split);
    out[split] = { cases: part.length, ...figures(part) };
  }
  return out;
}

/** Fits the config, routes both sets and returns the figures (and the scored cases). */
export async function bundledReport(
  args: Pick<BundledArgs, "config" | "seed">,
  paths = BUNDLED_PATHS,
): Promise<{ report: BundledReport; scope: Scored[]; long: Scored[]; scopeRobust: Scored[]; longRobust: Scored[] }> {
  const config = loadConfig(JSON.parse(readFileSync(args.config, "utf8")));
  const router = await bundledRouter(config, args.seed === undefined ? undefined : { seed: args.seed });
  const scope = await scoreCases(router, readScopeCases(paths.scope));
  const scopeRobust = await scoreCases(router, readScopeCases(paths.scopeRobust));
  const longRobust = await scoreCases(router, readLongCases(paths.longRobust));
  const longCases: EvalCase[] = readLongCases(paths.long);
  const started = performance.now();
  const long = await scoreCases(router, longCases);
  const usPerLongDecision = ((performance.now() - started) * 1000) / Math.max(1, longCases.length);
  const byLength = {} as BundledReport["long"]["byLength"];
  for (const split of SPLITS) {
    const part = forSplit(long, split);
    byLength[split] = {
      under2000: figures(part.filter((s) => s.c.text.length < 2000)).inScopeAccuracy,
      from2000: figures(part.filter((s) => s.c.text.length >= 2000)).inScopeAccuracy,
    };
  }
  return {
    report: {
      config: args.config,
      minConfidence: config.router.minConfidence,
      fallback: config.router.fallback,
      scope: setReport(scope),
      long: { ...setReport(long), byLength },
      scopeRobust: setReport(scopeRobust),
      longRobust: setReport(longRobust),
      scopeAll: setReport([...scope, ...scopeRobust]),
      longAll: setReport([...long, ...longRobust]),
      seed: args.seed,
      usPerLongDecision,
      avgLongChars: longCases.reduce((a, c) => a + c.text.length, 0) / Math.max(1, longCases.length),
    },
    scope,
    long,
    scopeRobust,
    longRobust,
  };
}

const pct = (r: Rate): string => `${(r.rate * 100).toFixed(1)} % (${r.right}/${r.of})`;

/** Runs the bundled evaluation and prints it (a table, or JSON with `json`). */
export async function runBundledEval(args: BundledArgs): Promise<void> {
  const { report, scope, long, scopeRobust, longRobust } = await bundledReport(args);
  if (args.json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  const rows: [string, string, string][] = [];
  const section = (title: string) => rows.push([title, "dev (tuned on)", "test (held out)"]);
  const line = (name: string, f: (s: Split) => string) => rows.push([`  ${name}`, f("dev"), f("test")]);
  section(`scope set (${BUNDLED_PATHS.scope})`);
  line("cases", (s) => String(report.scope[s].cases));
  line("in-scope accuracy", (s) => pct(report.scope[s].inScopeAccuracy));
  line("intent accuracy", (s) => pct(report.scope[s].intentAccuracy));
  line(`out-of-scope recall (→ ${report.fallback})`, (s) => pct(report.scope[s].oosRecall));
  for (const key of Object.keys(report.scope.test.bySpecialist)) line(`  ${key}`, (s) => (report.scope[s].bySpecialist[key] ? pct(report.scope[s].bySpecialist[key]) : "-"));
  section(`long-input set (${BUNDLED_PATHS.long}, 200–20,000 chars)`);
  line("cases", (s) => String(report.long[s].cases));
  line("accuracy (specialist)", (s) => pct(report.long[s].inScopeAccuracy));
  line("  under 2,000 chars", (s) => pct(report.long.byLength[s].under2000));
  line("  2,000 chars and over", (s) => pct(report.long.byLength[s].from2000));
  line("intent accuracy", (s) => pct(report.long[s].intentAccuracy));
  line(`out-of-scope recall (→ ${report.fallback})`, (s) => pct(report.long[s].oosRecall));
  for (const key of Object.keys(report.long.test.bySpecialist)) line(`  ${key}`, (s) => (report.long[s].bySpecialist[key] ? pct(report.long[s].bySpecialist[key]) : "-"));
  section(`robustness: short (${BUNDLED_PATHS.scopeRobust})`);
  line("cases", (s) => String(report.scopeRobust[s].cases));
  line("in-scope accuracy", (s) => pct(report.scopeRobust[s].inScopeAccuracy));
  line(`out-of-scope recall (→ ${report.fallback})`, (s) => pct(report.scopeRobust[s].oosRecall));
  section(`robustness: long (${BUNDLED_PATHS.longRobust})`);
  line("cases", (s) => String(report.longRobust[s].cases));
  line("accuracy (specialist)", (s) => pct(report.longRobust[s].inScopeAccuracy));
  line(`out-of-scope recall (→ ${report.fallback})`, (s) => pct(report.longRobust[s].oosRecall));
  section("whole halves (original + robustness sets)");
  line("short: in-scope accuracy", (s) => pct(report.scopeAll[s].inScopeAccuracy));
  line("short: out-of-scope recall", (s) => pct(report.scopeAll[s].oosRecall));
  line("long: accuracy (specialist)", (s) => pct(report.longAll[s].inScopeAccuracy));
  line("long: out-of-scope recall", (s) => pct(report.longAll[s].oosRecall));
  console.log(`config ${report.config}: minConfidence ${report.minConfidence}, fallback ${report.fallback ?? "(none)"}${report.seed === undefined ? "" : `, fit seed ${report.seed}`}\n`);
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  for (const [a, b, c] of rows) console.log(`${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c}`);
  console.log(`\nencode + classify a long input: ${report.usPerLongDecision.toFixed(0)} µs on average (avg ${report.avgLongChars.toFixed(0)} chars)`);
  if (args.misses) {
    console.log(`\nwrong decisions (${args.misses}):`);
    for (const s of [...scope, ...long, ...scopeRobust, ...longRobust].filter((x) => x.c.split === args.misses && !x.ok)) {
      const shown = s.c.text.length > 110 ? `${s.c.text.slice(0, 70)} … ${s.c.text.slice(-35)} [${s.c.text.length} chars]` : s.c.text;
      console.log(`  want ${s.c.expect.padEnd(12)} got ${s.d.specialist.padEnd(10)} ${s.d.label.padEnd(20)} ${s.d.confidence.toFixed(2)}  ${JSON.stringify(shown)}`);
    }
  }
}
