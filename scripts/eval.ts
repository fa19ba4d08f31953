/**
 * Routing-quality evaluation, four modes.
 *
 *   node scripts/eval.ts [--config FILE] [--json] [--misses dev|test] [--seed N]
 *       The bundled specialists (default): fits FILE (default switchyard.config.json)
 *       exactly as the Worker does (--seed N: with fit seed N instead) and reports the
 *       scope set (in-scope accuracy, out-of-scope recall), the long-input set and
 *       their robustness sets of eval/bundled/, dev and held-out test side by side,
 *       per specialist. --misses lists wrong decisions. The CLINC-only options are refused.
 *
 *   node scripts/eval.ts --train FILE --test FILE [--domains FILE] [--threshold X] [--json]
 *       [--max-acc-loss 0.003] [--no-oos-class] [--epochs N] [--lr X] [--dim-bits N]
 *       [--no-groups] [--group-weight X] [--smoothing X] [--dropout X] [--seed N]
 *       CLINC-format data (scripts/lib/clinc-eval.ts).
 *
 *   node scripts/eval.ts --tools [--json] [--k 5]
 *       Tool retrieval for the MCP gateway's find_tools (scripts/lib/tool-eval.ts): the
 *       index of eval/tools/catalogue.json, recall@1, recall@k and MRR on the queries'
 *       dev and test splits, per server.
 *
 *   node scripts/eval.ts --drift [--json]
 *       The drift simulation of outcome-aware choice (scripts/lib/drift-eval.ts): two
 *       equivalent specialists, one starts failing 30 % of calls; requests until the
 *       traffic moved, and the regret against an oracle and against the static choice.
 *
 *   node scripts/eval.ts --few-shot [--seeds 5] [--train FILE --domains FILE] [--json]
 *       Few-shot curves (scripts/lib/few-shot-eval.ts): CLINC150 fits on k = 5, 10, 20
 *       examples per intent, in-scope accuracy and out-of-scope recall on val, mean and
 *       range over seeds, beside the fit on all of train. FILE defaults: ../shared/datasets/clinc150.
 *
 *   node scripts/eval.ts --corrections [--seeds 5] [--refit-every 50] [--train FILE --domains FILE] [--json]
 *       The correction simulation (scripts/lib/correction-eval.ts): from k = 10 per intent,
 *       misrouted val queries of one half corrected with probability p = 0.1, 0.5, 1.0;
 *       accuracy on the other half before and after.
 *
 *   node scripts/eval.ts --escalation [--train FILE --domains FILE] [--json]
 *       Escalation to an LLM router below a confidence threshold (scripts/lib/escalation-eval.ts):
 *       a fake LLM right with probability q; accuracy, share escalated and cost per threshold.
 *
 *   node scripts/eval.ts --pipeline [--tasks 200] [--seed 1] [--concurrency 6] [--json] [--html FILE]
 *       Error propagation in a 5-step pipeline through the real task engine (`wrangler dev`;
 *       scripts/lib/pipeline-run.ts): seeded fake workers right 90 % of the time, errors
 *       independent and correlated; end-to-end success, silent errors, human decisions, cost
 *       and latency of plain, verifier, vote, judge, vote + approval and hedged steps.
 *
 * --html FILE (with --few-shot, --corrections, --escalation, --pipeline and --train/--test): also
 * writes the results as one self-contained HTML page with SVG plots (scripts/lib/eval-html.ts).
 * FILE is checked before the run: not a folder, and its folder must exist (eval/out/ and
 * bench/out/ are made when missing).
 * The long modes show progress on stderr (scripts/lib/progress.ts): a bar on a terminal, plain
 * lines with the ETA otherwise (CI logs, `--json` piped).
 */
import { runBundledEval } from "./lib/bundled-report.ts";
import { runClincEval } from "./lib/clinc-eval.ts";
import { runCorrectionEval } from "./lib/correction-eval.ts";
import { runDriftEval } from "./lib/drift-eval.ts";
import { runEscalationEval } from "./lib/escalation-eval.ts";
import { loadClinc } from "./lib/few-shot-data.ts";
import { runFewShotEval } from "./lib/few-shot-eval.ts";
import { learningOptions, learningUsage } from "./lib/learning-args.ts";
import { runToolEval } from "./lib/tool-eval.ts";
import { runPipelineEval } from "./lib/pipeline-run.ts";
import { clincSections, correctionSections, escalationSections, fewShotSections, pipelineSections } from "./lib/eval-html.ts";
import { htmlPage, htmlTarget, writeHtml, type Section } from "./lib/html-report.ts";
import { parseCommandLine } from "./lib/cli-args.ts";

/** The modes' usage lines (what each does: this file's header). */
const USAGE = `usage: node scripts/eval.ts [--config FILE] [--json] [--misses dev|test] [--seed N]
       node scripts/eval.ts --train FILE --test FILE [--domains FILE] [--threshold X] [--json] [--html FILE]
           [--max-acc-loss 0.003] [--no-oos-class] [--epochs N] [--lr X] [--dim-bits N] [--no-groups]
           [--group-weight X] [--smoothing X] [--dropout X] [--seed N]
       node scripts/eval.ts --tools [--json] [--k 5]
       node scripts/eval.ts --drift [--json]
       node scripts/eval.ts --few-shot [--seeds 5] [--train FILE --domains FILE] [--json] [--html FILE]
       node scripts/eval.ts --corrections [--seeds 5] [--refit-every 50] [--train FILE --domains FILE] [--json] [--html FILE]
       node scripts/eval.ts --escalation [--train FILE --domains FILE] [--json] [--html FILE]
       node scripts/eval.ts --pipeline [--tasks 200] [--seed 1] [--concurrency 6] [--json] [--html FILE]
(npm run eval -- … the same; what each mode does: the header of scripts/eval.ts)`;

const { values: args } = parseCommandLine(
  {
    options: {
      config: { type: "string" },
      misses: { type: "string" },
      train: { type: "string" },
      test: { type: "string" },
      domains: { type: "string" },
      threshold: { type: "string" },
      "max-acc-loss": { type: "string", default: "0.003" },
      "no-oos-class": { type: "boolean", default: false },
      epochs: { type: "string" },
      lr: { type: "string" },
      "dim-bits": { type: "string" },
      "no-groups": { type: "boolean", default: false },
      "group-weight": { type: "string" },
      smoothing: { type: "string" },
      dropout: { type: "string" },
      seed: { type: "string" },
      json: { type: "boolean", default: false },
      tools: { type: "boolean", default: false },
      drift: { type: "boolean", default: false },
      k: { type: "string" },
      "few-shot": { type: "boolean", default: false },
      corrections: { type: "boolean", default: false },
      escalation: { type: "boolean", default: false },
      seeds: { type: "string" },
      "refit-every": { type: "string" },
      pipeline: { type: "boolean", default: false },
      tasks: { type: "string" },
      concurrency: { type: "string" },
      html: { type: "string" },
    },
  },
  USAGE,
);

/** `--html FILE`: the page of `sections`, and where it went (on stderr). */
function html(title: string, sections: Section[]): void {
  if (args.html === undefined) return;
  const command = ["npm run eval --", ...process.argv.slice(2)].join(" ");
  const path = writeHtml(args.html, htmlPage(title, `${command} — ${new Date().toISOString()}`, sections));
  process.stderr.write(`HTML report: ${path}\n`);
}
// before the run, not after it: a folder, or a folder that does not exist, is refused now
const htmlProblem = args.html === undefined ? undefined : (htmlTarget(args.html) as { error?: string }).error;
if (htmlProblem !== undefined) {
  console.error(htmlProblem);
  process.exit(2);
}

if (args.pipeline || args.tasks !== undefined || args.concurrency !== undefined) {
  const usage = "usage: node scripts/eval.ts --pipeline [--tasks 200] [--seed 1] [--concurrency 6] [--json] [--html FILE]";
  const others = Object.entries(args).filter(([key, v]) => !["pipeline", "json", "html", "tasks", "seed", "concurrency"].includes(key) && v !== undefined && v !== false && !(key === "max-acc-loss" && v === "0.003"));
  const int = (v: string | undefined, d: number, min: number, max: number) => (v === undefined ? d : /^\d+$/.test(v) && Number(v) >= min && Number(v) <= max ? Number(v) : NaN);
  const o = { tasks: int(args.tasks, 200, 1, 5000), seed: int(args.seed, 1, 0, 2 ** 31), concurrency: int(args.concurrency, 6, 1, 32) };
  const bad = Object.entries(o).filter(([, v]) => Number.isNaN(v)).map(([k]) => `--${k}`);
  if (!args.pipeline || others.length > 0 || bad.length > 0) {
    console.error(`${!args.pipeline ? "--tasks, --concurrency: only with --pipeline" : others.length > 0 ? `${others.map(([key]) => `--${key}`).join(", ")}: not with --pipeline` : `${bad.join(", ")}: out of range (tasks 1..5000, seed ≥ 0, concurrency 1..32)`}\n${usage}`);
    process.exit(2);
  }
  const { rows } = await runPipelineEval({ ...o, json: args.json });
  html("Switchyard pipeline evaluation", pipelineSections(rows));
  process.exit(0);
}

// the learning evaluations of issue 17, on CLINC150 train/val (never its test split)
const learning = learningOptions(args);
if (learning !== undefined) {
  if ("error" in learning) {
    console.error(learning.error);
    process.exit(2);
  }
  let data: ReturnType<typeof loadClinc>;
  try {
    data = learning.data ? loadClinc(learning.data.train, learning.data.domains) : loadClinc();
  } catch (e) {
    console.error(`${(e as Error).message}\n${learningUsage(learning.mode)}`);
    process.exit(2);
  }
  const started = performance.now();
  if (learning.mode === "few-shot") html("Switchyard few-shot curves", fewShotSections(await runFewShotEval(data, learning)));
  else if (learning.mode === "corrections") html("Switchyard correction simulation", correctionSections(await runCorrectionEval(data, learning)));
  else html("Switchyard escalation evaluation", escalationSections(await runEscalationEval(data, learning)));
  process.stderr.write(`--${learning.mode}: ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
  process.exit(0);
}
const learningOnly = (["seeds", "refit-every"] as const).filter((o) => args[o] !== undefined);
if (learningOnly.length > 0) {
  console.error(`${learningOnly.map((o) => `--${o}`).join(", ")}: only with --few-shot or --corrections`);
  process.exit(2);
}

if (args.drift) {
  const others = Object.entries(args).filter(([key, v]) => !["drift", "json"].includes(key) && v !== undefined && v !== false && !(key === "max-acc-loss" && v === "0.003"));
  if (others.length > 0) {
    console.error(`${others.map(([key]) => `--${key}`).join(", ")}: not with --drift\nusage: node scripts/eval.ts --drift [--json]`);
    process.exit(2);
  }
  runDriftEval({ json: args.json });
  process.exit(0);
}
if (args.tools) {
  const usage = "usage: node scripts/eval.ts --tools [--json] [--k 5]";
  // options of the other modes, when given (max-acc-loss has a default: only another value counts)
  const others = Object.entries(args).filter(([key, v]) => !["tools", "json", "k"].includes(key) && v !== undefined && v !== false && !(key === "max-acc-loss" && v === "0.003"));
  const k = Number(args.k ?? "5");
  if (others.length > 0 || !Number.isInteger(k) || k < 1) {
    console.error(`${others.length > 0 ? `${others.map(([key]) => `--${key}`).join(", ")}: not with --tools` : `--k must be a positive integer, got ${JSON.stringify(args.k)}`}\n${usage}`);
    process.exit(2);
  }
  runToolEval({ json: args.json, k });
  process.exit(0);
}
if (args.k !== undefined) {
  console.error("--k: only with --tools");
  process.exit(2);
}

if (args.train !== undefined || args.test !== undefined) {
  if (!args.train || !args.test) {
    console.error("usage: node scripts/eval.ts --train FILE --test FILE [--domains FILE] [--threshold X] [--json] [--html FILE]");
    process.exit(2);
  }
  html("Switchyard CLINC-format evaluation", clincSections(await runClincEval({ ...args, train: args.train, test: args.test })));
} else {
  const usage = "usage: node scripts/eval.ts [--config FILE] [--json] [--misses dev|test] [--seed N]";
  if (args.misses !== undefined && args.misses !== "dev" && args.misses !== "test") {
    console.error(usage);
    process.exit(2);
  }
  const clincOnly = ["domains", "threshold", "epochs", "lr", "dim-bits", "group-weight", "smoothing", "dropout"].filter((k) => args[k as keyof typeof args] !== undefined);
  if (args["no-oos-class"]) clincOnly.push("no-oos-class");
  if (args["no-groups"]) clincOnly.push("no-groups");
  if (args.html !== undefined) {
    console.error(`--html: only with --few-shot, --corrections, --escalation, --pipeline or --train/--test\n${usage}`);
    process.exit(2);
  }
  if (clincOnly.length > 0) {
    console.error(`${clincOnly.map((k) => `--${k}`).join(", ")}: only with --train/--test (CLINC-format data); the bundled mode fits as the Worker does.\n${usage}`);
    process.exit(2);
  }
  const seed = args.seed === undefined ? undefined : Number(args.seed);
  if (seed !== undefined && !Number.isInteger(seed)) {
    console.error(`--seed must be an integer, got ${JSON.stringify(args.seed)}\n${usage}`);
    process.exit(2);
  }
  await runBundledEval({ config: args.config ?? "switchyard.config.json", json: args.json, misses: args.misses, ...(seed === undefined ? {} : { seed }) });
}
