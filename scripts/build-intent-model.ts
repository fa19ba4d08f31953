/**
 * `npm run build:model [-- CONFIG_FILE]`: validates the bundled config into
 * worker/generated/bundled-config.ts (scripts/lib/config-module.ts), so no isolate
 * parses it when it starts, and fits its intent model into
 * worker/generated/intent-model.ts (scripts/lib/intent-model-module.ts), so no
 * Worker isolate fits it on a request. Run by `npm run dev`, `npm test`, `npm run
 * bench` and wrangler's `[build]` step (`wrangler dev`, `wrangler deploy`); a no-op
 * when the module is up to date.
 */
import { buildConfigModule, CONFIG_MODULE } from "./lib/config-module.ts";
import { buildModelModule, MODEL_MODULE } from "./lib/intent-model-module.ts";

const file = process.argv.slice(2).find((a) => !a.startsWith("--")) ?? "switchyard.config.json";
try {
  console.log(`${CONFIG_MODULE}: ${buildConfigModule(file).written ? "validated and written" : "up to date"}`);
  const r = await buildModelModule(file);
  if (r.key === null) console.log(`${MODEL_MODULE}: none built in (the config's encoder needs the AI binding)`);
  else console.log(`${MODEL_MODULE}: ${r.written ? `fitted in ${Math.round(r.fitMs)} ms` : "up to date"} (model ${r.key.slice(0, 12)})`);
} catch (e) {
  console.error(`${file}: cannot build the intent model: ${(e as Error).message}`);
  process.exit(1);
}
