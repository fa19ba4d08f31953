/**
 * `npm run check-config [-- FILE]`: validates a Switchyard config (default
 * switchyard.config.json) with the same schema the Worker uses at start, then fits
 * the intent model on it and prints a summary. Exit code 1 on any problem.
 */
import { readFileSync } from "node:fs";
import { parseConfig } from "../worker/config/load.ts";
import { BuiltinEncoder } from "../worker/intent/builtin-encoder.ts";
import { buildIntentModel } from "../worker/intent/model.ts";

const file = process.argv[2] ?? "switchyard.config.json";
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
  for (const i of parsed.issues) console.error(`  ${i.path || "(root)"}: ${i.message}`);
  process.exit(1);
}
const { config } = parsed;
const sources = config.specialists.flatMap((s) => s.intents.map((i) => ({ specialist: s.id, label: i.label, examples: i.examples })));
const started = performance.now();
const model = await buildIntentModel(sources, new BuiltinEncoder());
const fitMs = performance.now() - started;
console.log(`${file}: ok`);
console.log(`  specialists: ${config.specialists.map((s) => `${s.id} (${s.endpoint.type})`).join(", ")}`);
console.log(`  fallback:    ${config.router.fallback ?? "(none: low-confidence inputs go to the top intent)"}`);
console.log(`  intents:     ${sources.length} labels, ${sources.reduce((n, s) => n + s.examples.length, 0)} examples`);
console.log(`  model:       ${model.classifier.fingerprint} fitted in ${fitMs.toFixed(1)} ms with ${model.encoder.id}`);
if (config.router.encoder === "workers-ai") console.log("  note: router.encoder is workers-ai; the deployed Worker needs an [ai] binding named AI");
