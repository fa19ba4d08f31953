/**
 * Routing-quality evaluation, two modes.
 *
 *   node scripts/eval.ts [--config FILE] [--json] [--misses dev|test]
 *       The bundled specialists (default): fits FILE (default switchyard.config.json)
 *       exactly as the Worker does and reports the scope set (in-scope accuracy,
 *       out-of-scope recall) and the long-input set of eval/bundled/, dev and
 *       held-out test side by side, per specialist. --misses lists wrong decisions.
 *
 *   node scripts/eval.ts --train FILE --test FILE [--domains FILE] [--threshold X] [--json]
 *       [--max-acc-loss 0.003] [--no-oos-class] [--epochs N] [--lr X] [--dim-bits N]
 *       [--no-groups] [--group-weight X] [--smoothing X] [--dropout X] [--seed N]
 *       CLINC-format data (scripts/lib/clinc-eval.ts).
 */
import { parseArgs } from "node:util";
import { runBundledEval } from "./lib/bundled-report.ts";
import { runClincEval } from "./lib/clinc-eval.ts";

const { values: args } = parseArgs({
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
  },
});

if (args.train !== undefined || args.test !== undefined) {
  if (!args.train || !args.test) {
    console.error("usage: node scripts/eval.ts --train FILE --test FILE [--domains FILE] [--threshold X] [--json]");
    process.exit(2);
  }
  await runClincEval({ ...args, train: args.train, test: args.test });
} else {
  if (args.misses !== undefined && args.misses !== "dev" && args.misses !== "test") {
    console.error("usage: node scripts/eval.ts [--config FILE] [--json] [--misses dev|test]");
    process.exit(2);
  }
  await runBundledEval({ config: args.config ?? "switchyard.config.json", json: args.json, misses: args.misses });
}
