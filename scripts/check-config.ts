/**
 * `npm run check-config [-- FILE] [--quiet]`: validates a Switchyard config (default
 * switchyard.config.json) with the same schema the Worker uses at start, then fits
 * the intent model on it and prints a summary. Exit code 1 on any problem.
 */
import { readFileSync } from "node:fs";
import { intentSources } from "../worker/config/intent-sources.ts";
import { explainIssues, fewExamples, keysByPath } from "../worker/config/explain.ts";
import { parseConfig } from "../worker/config/load.ts";
import { Config } from "../worker/config/schema.ts";
import { BuiltinEncoder } from "../worker/intent/builtin-encoder.ts";
import { buildIntentModel } from "../worker/intent/model.ts";

const args = process.argv.slice(2);
const quiet = args.includes("--quiet"); // `npm run dev` checks the file first: one line when it is fine
const file = args.find((a) => !a.startsWith("--")) ?? "switchyard.config.json";
let text: string;
try {
  text = readFileSync(file, "utf8");
} catch (e) {
  console.error(`${file}: cannot read: ${(e as Error).message}`);
  process.exit(1);
}
const parsed = parseConfig(text);
if (!parsed.ok) {
  console.error(`${file}: invalid config`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    raw = undefined; // a syntax error: the parser's message says where
  }
  for (const i of explainIssues(parsed.issues, raw, keysByPath(Config))) console.error(`  ${i.path || "(root)"}: ${i.message}`);
  process.exit(1);
}
const { config } = parsed;
if (quiet) {
  console.log(`${file}: ok (${config.specialists.length} specialists)`);
  for (const w of fewExamples(config)) console.log(`  warning: ${w}`);
  process.exit(0);
}
const sources = intentSources(config);
const started = performance.now();
const model = await buildIntentModel(sources, new BuiltinEncoder());
const fitMs = performance.now() - started;
console.log(`${file}: ok`);
console.log(`  specialists: ${config.specialists.map((s) => `${s.id} (${s.endpoint.type})`).join(", ")}`);
console.log(`  fallback:    ${config.router.fallback ?? "(none: low-confidence inputs go to the top intent)"}`);
const escalation = config.router.escalation;
console.log(`  escalation:  ${escalation ? `inputs under ${escalation.below} are put to '${escalation.specialist}' (${escalation.timeoutMs} ms)` : "off"}`);
console.log(`  intents:     ${sources.length} labels, ${sources.reduce((n, s) => n + s.examples.length, 0)} examples`);
console.log(`  model:       ${model.classifier.fingerprint} fitted in ${fitMs.toFixed(1)} ms with ${model.encoder.id}`);
for (const w of fewExamples(config)) console.log(`  warning: ${w}`);
if (config.router.encoder === "workers-ai") console.log("  note: router.encoder is workers-ai; the deployed Worker needs an [ai] binding named AI");
if (config.router.publicUrl === undefined)
  console.log("  note: router.publicUrl is not set; a deployed router (DEV_MODE off) answers its A2A agent card with 503 until it is (npm run dev names the URL it is asked at)");
