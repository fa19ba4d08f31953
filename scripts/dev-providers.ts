/**
 * `npm run dev:providers [-- <wrangler dev options>]`: `npm run dev` with one chat
 * specialist per provider type added (scripts/lib/provider-specialists.ts): `writer`
 * (OpenAI-compatible), `claude` (Anthropic), `gemini` (Gemini) on local fakes of their
 * APIs started here on 127.0.0.1, and `wai` (Workers AI) on the stand-in binding the
 * example specialists serve; each with a `<id>-429` twin that is rate limited. No
 * account, no network. Extra options go to `wrangler dev` (e.g. `-- --port 8810`).
 * Ctrl-C stops wrangler and the fakes; the fakes also close after 12 hours.
 */
import { spawn } from "node:child_process";
import { startFakeAnthropic } from "../examples/fake-anthropic/server.ts";
import { startFakeGemini } from "../examples/fake-gemini/server.ts";
import { startFakeOpenAI } from "../examples/fake-openai/server.ts";
import { FAKE_PROVIDER_KEYS, PROVIDER_SPECIALISTS, providerConfig } from "./lib/provider-specialists.ts";

const lifetime = 12 * 3600_000;
const [openai, anthropic, gemini] = await Promise.all([
  startFakeOpenAI({ apiKey: FAKE_PROVIDER_KEYS.WRITER_KEY, maxLifetimeMs: lifetime }),
  startFakeAnthropic({ apiKey: FAKE_PROVIDER_KEYS.CLAUDE_KEY, maxLifetimeMs: lifetime }),
  startFakeGemini({ apiKey: FAKE_PROVIDER_KEYS.GEMINI_KEY, maxLifetimeMs: lifetime }),
]);
const config = providerConfig({ openai: openai.url, anthropic: anthropic.url, gemini: gemini.url });
const vars = { DEV_MODE: "true", SWITCHYARD_CONFIG: JSON.stringify(config), ...FAKE_PROVIDER_KEYS };

console.log(`fake provider APIs: OpenAI ${openai.url}, Anthropic ${anthropic.url}, Gemini ${gemini.url}; Workers AI: the EXAMPLE_AI stand-in binding`);
console.log(`specialists added (pinned only; name them as the model): ${PROVIDER_SPECIALISTS.map((s) => `${s.id} (${s.type})`).join(", ")}, and each with -429`);

const child = spawn(
  "wrangler",
  ["dev", "-c", "wrangler.toml", "-c", "examples/specialists/wrangler.toml", ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]), ...process.argv.slice(2)],
  { stdio: "inherit", env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
);
async function stop(code: number): Promise<never> {
  await Promise.all([openai.close(), anthropic.close(), gemini.close()]);
  process.exit(code);
}
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
child.on("exit", (code) => void stop(code ?? 1));
child.on("error", (e) => {
  console.error(`cannot start wrangler: ${e.message}`);
  void stop(1);
});
