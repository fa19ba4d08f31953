import bundledConfig from "../switchyard.config.json";
import type { Config, Specialist } from "./config/schema.ts";
import { loadConfig } from "./config/load.ts";
import { cacheApiTier, kvTier } from "./bindings/intent-tiers.ts";
import type { Env } from "./env.ts";
import { BuiltinEncoder } from "./intent/builtin-encoder.ts";
import type { Encoder } from "./intent/encoder.ts";
import { IntentService } from "./intent/intent-service.ts";
import { buildIntentModel } from "./intent/model.ts";
import type { CachedIntent } from "./intent/record.ts";
import { TieredCache, type CacheTier } from "./intent/tiered-cache.ts";
import { WorkersAiEncoder } from "./intent/workers-ai-encoder.ts";
import { ProblemError } from "./http/problem.ts";

/** Everything one isolate builds once from its config and reuses for every request. */
export interface Runtime {
  config: Config;
  registry: ReadonlyMap<string, Specialist>;
  intents: IntentService;
}

/** The bundled config is validated when the module loads: a bad file stops `wrangler dev`/`deploy`. */
export const BUNDLED_CONFIG: Config = loadConfig(bundledConfig);

let current: { raw: string | undefined; runtime: Promise<Runtime> } | undefined;

function encoderFor(config: Config, env: Env): Encoder {
  if (config.router.encoder === "builtin") return new BuiltinEncoder();
  if (!env.AI) throw new ProblemError({ status: 503, slug: "misconfigured", title: "Router misconfigured", detail: "router.encoder is 'workers-ai' but no AI binding is configured" });
  return new WorkersAiEncoder(env.AI, config.router.workersAiModel);
}

async function build(config: Config, env: Env): Promise<Runtime> {
  const sources = config.specialists.flatMap((s) => s.intents.map((i) => ({ specialist: s.id, label: i.label, examples: i.examples })));
  const model = await buildIntentModel(sources, encoderFor(config, env));
  const tiers: CacheTier<CachedIntent>[] = [];
  if (typeof caches !== "undefined") tiers.push(cacheApiTier(caches.default));
  if (env.INTENTS) tiers.push(kvTier(env.INTENTS));
  const r = config.router;
  const cache = new TieredCache<CachedIntent>(r.lruSize, tiers, r.intentTtlSeconds, (tier, op, e) =>
    console.warn(JSON.stringify({ msg: "intent cache tier failed", tier, op, error: String(e) })),
  );
  const intents = await IntentService.create(model, cache, { minConfidence: r.minConfidence, fallback: r.fallback, topK: r.topK });
  return { config, registry: new Map(config.specialists.map((s) => [s.id, s])), intents };
}

/**
 * The isolate's runtime for this env, built on first use and rebuilt only when
 * `SWITCHYARD_CONFIG` changes. An invalid override is a 503 naming the bad fields.
 */
export function getRuntime(env: Env): Promise<Runtime> {
  const raw = env.SWITCHYARD_CONFIG;
  if (current?.raw !== raw || current === undefined) {
    const runtime = (async () => build(raw === undefined ? BUNDLED_CONFIG : loadConfig(raw), env))();
    current = { raw, runtime };
    runtime.catch(() => {
      if (current?.runtime === runtime) current = undefined;
    });
  }
  return current.runtime;
}
