import type { Config, Specialist } from "./config/schema.ts";
import { joined } from "./joined.ts";
import { intentSettings, intentSources } from "./config/intent-sources.ts";
import { loadConfig } from "./config/load.ts";
import { BUNDLED_CONFIG, baseConfig } from "./config/base.ts";
import { cacheApiTier, kvTier } from "./bindings/intent-tiers.ts";
import type { Env } from "./env.ts";
import { BuiltinEncoder } from "./intent/builtin-encoder.ts";
import type { ClassifierSnapshot } from "./intent/classifier.ts";
import type { Encoder } from "./intent/encoder.ts";
import { IntentService } from "./intent/intent-service.ts";
import { FIT_VERSION, buildIntentModel, restoreIntentModel, type IntentModel, type IntentSource } from "./intent/model.ts";
import { sha256Hex, type CachedIntent } from "./intent/record.ts";
import { TieredCache, type CacheTier } from "./intent/tiered-cache.ts";
import { WorkersAiEncoder } from "./intent/workers-ai-encoder.ts";
import { ProblemError } from "./http/problem.ts";
import { registrationsAt, switchState } from "./control.ts";
import { PolicySet } from "./policy/policy.ts";

/** Everything one isolate builds once from its config and reuses for every request. */
export interface Runtime {
  config: Config;
  /** The config's policy rules, compiled. */
  policy: PolicySet;
  registry: ReadonlyMap<string, Specialist>;
  intents: IntentService;
}

export { BUNDLED_CONFIG, baseConfig };

let current: { raw: string | undefined; registrations: number; runtime: Promise<Runtime> } | undefined;

function encoderFor(config: Config, env: Env): Encoder {
  if (config.router.encoder === "builtin") return new BuiltinEncoder();
  if (!env.AI) throw new ProblemError({ status: 503, slug: "misconfigured", title: "Router misconfigured", detail: "router.encoder is 'workers-ai' but no AI binding is configured" });
  return new WorkersAiEncoder(env.AI, config.router.workersAiModel);
}

/** KV key of the model snapshot for these sources under this deployment, fit version and encoder. */
export async function modelStoreKey(env: Env, encoderId: string, sources: readonly IntentSource[]): Promise<string> {
  const version = env.CF_VERSION_METADATA?.id ?? "local";
  return `model:${(await sha256Hex(JSON.stringify([version, FIT_VERSION, encoderId, sources]))).slice(0, 40)}`;
}

/** How long a fitted model snapshot stays in KV for other isolates of the same deployment. */
const MODEL_TTL_SECONDS = 30 * 86_400;

/**
 * Fits the intent model, or restores the snapshot another isolate of the same
 * deployment stored in KV (key: deployment version + encoder + every example), so
 * a large config is fitted once per deployment rather than once per isolate. A fitted
 * snapshot is written in the background (`waitUntil`): the request that needed the
 * model does not wait for a ~1 MB KV write.
 */
async function intentModel(sources: IntentSource[], encoder: Encoder, env: Env): Promise<IntentModel> {
  const key = await modelStoreKey(env, encoder.id, sources);
  // read as a snapshot; one that is not (another version's, a corrupt value) makes loadClassifier throw, and is refitted below
  const stored = env.INTENTS ? await env.INTENTS.get<ClassifierSnapshot>(key, "json").catch(() => null) : null;
  if (stored) {
    try {
      return restoreIntentModel(sources, encoder, stored);
    } catch (e) {
      console.warn(JSON.stringify({ msg: "stored model snapshot rejected; refitting", key, error: String(e) }));
    }
  }
  const model = await buildIntentModel(sources, encoder);
  if (env.INTENTS) {
    const write = env.INTENTS.put(key, JSON.stringify(model.classifier.snapshot()), { expirationTtl: MODEL_TTL_SECONDS }).catch((e: unknown) =>
      console.warn(JSON.stringify({ msg: "could not store model snapshot", key, error: String(e) })),
    );
    // imported when needed: the module is also loaded by plain-Node tools (layout checks) that have no `cloudflare:workers`
    const { waitUntil } = await import("cloudflare:workers");
    waitUntil(write);
  }
  return model;
}

async function build(config: Config, env: Env): Promise<Runtime> {
  const sources = intentSources(config);
  const model = await intentModel(sources, encoderFor(config, env), env);
  const tiers: CacheTier<CachedIntent>[] = [];
  if (typeof caches !== "undefined") tiers.push(cacheApiTier(caches.default));
  if (env.INTENTS) tiers.push(kvTier(env.INTENTS));
  const r = config.router;
  const cache = new TieredCache<CachedIntent>(r.lruSize, tiers, r.intentTtlSeconds, (tier, op, e) =>
    console.warn(JSON.stringify({ msg: "intent cache tier failed", tier, op, error: String(e) })),
  );
  const intents = await IntentService.create(model, cache, intentSettings(r, model.encoder));
  return { config, policy: new PolicySet(config.policies), registry: new Map(config.specialists.map((s) => [s.id, s])), intents };
}

/**
 * The config in force: the bundled file (or the `SWITCHYARD_CONFIG` override) with
 * the specialists registered at runtime through the admin API added (a registered
 * id replaces the file's specialist of that id).
 */
export function effectiveConfig(base: Config, registered: Record<string, unknown>): Config {
  if (Object.keys(registered).length === 0) return base;
  return loadConfig({ ...base, specialists: [...base.specialists.filter((s) => !(s.id in registered)), ...Object.values(registered)] });
}

/**
 * The isolate's runtime for this env, built on first use and rebuilt only when
 * `SWITCHYARD_CONFIG` or the runtime registrations change (the classifier is
 * re-fitted then); a kill switch flipping changes neither. An invalid config is a 503
 * naming the bad fields; a control plane never reached, a 503
 * `control-plane-unavailable`.
 */
export async function getRuntime(env: Env): Promise<Runtime> {
  const raw = env.SWITCHYARD_CONFIG;
  const { registrations } = await switchState(env);
  if (current === undefined || current.raw !== raw || current.registrations !== registrations) {
    const runtime = (async () => {
      const { registered } = await registrationsAt(env, registrations);
      return build(effectiveConfig(raw === undefined ? BUNDLED_CONFIG : loadConfig(raw), registered), env);
    })();
    const entry = { raw, registrations, runtime };
    current = entry;
    runtime.catch(() => {
      if (current === entry) current = undefined;
    });
  }
  return joined(current.runtime); // built by the request that came first: resumed in this request's context
}
