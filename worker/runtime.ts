import type { Config, Specialist } from "./config/schema.ts";
import { joined } from "./joined.ts";
import { intentSettings, intentSources } from "./config/intent-sources.ts";
import { loadConfig } from "./config/load.ts";
import { BUNDLED_CONFIG, baseConfig } from "./config/base.ts";
import { cacheApiTier, kvTier } from "./bindings/intent-tiers.ts";
import type { Env } from "./env.ts";
import { BuiltinEncoder } from "./intent/builtin-encoder.ts";
import type { Encoder } from "./intent/encoder.ts";
import { IntentService, type IntentLookup } from "./intent/intent-service.ts";
import { modelKey, withSpecialists, type IntentModel } from "./intent/model.ts";
import type { CachedIntent } from "./intent/record.ts";
import { fittedModel, quickModel, type ModelSource, type SourcedModel } from "./intent-models.ts";
import { TieredCache, type CacheTier } from "./intent/tiered-cache.ts";
import { WorkersAiEncoder } from "./intent/workers-ai-encoder.ts";
import { ProblemError } from "./http/problem.ts";
import { learnedAt, registrationsAt, switchState } from "./control.ts";
import { GLOBAL_SCOPE, withLearned, type LearnedExample } from "./intent/learned.ts";
import { MAX_HISTORY, TenantIntents, type TenantModelInfo } from "./tenant-intents.ts";
import { Lru } from "./intent/lru.ts";
import { PolicySet } from "./policy/policy.ts";

/** Everything one isolate builds once from its config and reuses for every request. */
export interface Runtime {
  config: Config;
  /** The config's policy rules, compiled. */
  policy: PolicySet;
  registry: ReadonlyMap<string, Specialist>;
  intents: IntentService;
  /** Where the intent model came from (never fitted in this isolate: intent-models.ts), its key and fingerprint. */
  intentModel: { source: ModelSource; key: string; fingerprint: string };
  /**
   * The intent service a tenant's requests classify with: its own model when it has
   * learned examples of its own (tenant-intents.ts), else `intents`.
   */
  intentsFor(tenant: string): Promise<IntentService>;
  /** Where a tenant's model came from. */
  tenantModel(tenant: string): TenantModelInfo;
  /** The learned examples this runtime routes with: their version, how many (global and every tenant's), tenants with their own. */
  learning: { version: number; examples: number; tenants: number };
  /** The tenants' own models (the next runtime borrows them as interim models). */
  tenants: TenantIntents;
  /** Settles when this runtime's own model is fitted, when it serves an interim one meanwhile (else at once). */
  pending: Promise<void>;
}

/** The learned examples a runtime is built with: the global ones go into its own model, each tenant's into that tenant's. */
interface Learned {
  version: number;
  global: LearnedExample[];
  byTenant: Map<string, LearnedExample[]>;
  count: number;
  /** The last runtime's tenant models (interim models while a tenant's changed model is fitted). */
  previous: TenantIntents | undefined;
}

function splitLearned(version: number, examples: readonly LearnedExample[], previous: TenantIntents | undefined): Learned {
  const byTenant = new Map<string, LearnedExample[]>();
  const global: LearnedExample[] = [];
  for (const x of examples) {
    if (x.scope === GLOBAL_SCOPE) global.push(x);
    else byTenant.set(x.scope, [...(byTenant.get(x.scope) ?? []), x]);
  }
  // a tenant's model learns the global examples too
  for (const [t, own] of byTenant) byTenant.set(t, [...global, ...own]);
  return { version, global, byTenant, count: examples.length, previous };
}

export { BUNDLED_CONFIG, baseConfig };

/** This isolate's runtime: for which config and registrations, the promise of it, and its value once built. */
interface Current {
  raw: string | undefined;
  registrations: number;
  learning: number;
  runtime: Promise<Runtime>;
  settled?: Runtime;
}

let current: Current | undefined;

function encoderFor(config: Config, env: Env): Encoder {
  if (config.router.encoder === "builtin") return new BuiltinEncoder();
  if (!env.AI) throw new ProblemError({ status: 503, slug: "misconfigured", title: "Router misconfigured", detail: "router.encoder is 'workers-ai' but no AI binding is configured" });
  return new WorkersAiEncoder(env.AI, config.router.workersAiModel);
}

/** The isolate's intent cache, shared by its intent services (keys are scoped by model), for the cache settings it was made with. */
let isolateCache: { settings: string; cache: TieredCache<CachedIntent> } | undefined;

function intentCache(config: Config, env: Env): TieredCache<CachedIntent> {
  const r = config.router;
  const settings = JSON.stringify([r.lruSize, r.intentTtlSeconds, env.INTENTS !== undefined]);
  if (isolateCache?.settings === settings) return isolateCache.cache;
  const tiers: CacheTier<CachedIntent>[] = [];
  if (typeof caches !== "undefined") tiers.push(cacheApiTier(caches.default));
  if (env.INTENTS) tiers.push(kvTier(env.INTENTS));
  const cache = new TieredCache<CachedIntent>(r.lruSize, tiers, r.intentTtlSeconds, (tier, op, e) =>
    console.warn(JSON.stringify({ msg: "intent cache tier failed", tier, op, error: String(e) })),
  );
  isolateCache = { settings, cache };
  return cache;
}

/** An intent service around `model` with the isolate's cache and the config's settings; `previousKeys`: the models it replaces (lookups by id search them too). */
function serviceFor(config: Config, env: Env, model: IntentModel, previousKeys: readonly string[] = []): Promise<IntentService> {
  return IntentService.create(model, intentCache(config, env), intentSettings(config.router, model.encoder), previousKeys);
}

/** Per tenant, the model keys its intents were last classified under in this isolate (tenant-intents.ts), across runtime rebuilds. */
const tenantHistory = new Lru<string, string[]>(MAX_HISTORY);

/** A runtime around a model already in hand (building it is cheap: no fit). */
async function build(config: Config, env: Env, m: SourcedModel, learned: Learned): Promise<Runtime> {
  const model = m.source === "interim" ? withSpecialists(m.model, new Set(config.specialists.map((s) => s.id)), config.router.fallback) : m.model;
  const intents = await serviceFor(config, env, model, learned.previous?.shared.servedKeys);
  const encoder = model.encoder;
  const spec = { encoder: config.router.encoder, workersAiModel: config.router.workersAiModel };
  const tenants = new TenantIntents(
    intents,
    m.key,
    intentSources(config),
    learned.byTenant,
    {
      quick: (s) => quickModel(s, encoder, env),
      fitted: (s) => fittedModel(s, encoder, spec, env),
      service: (x, previousKeys) => serviceFor(config, env, x, previousKeys),
      defer: (p) => void import("cloudflare:workers").then(({ waitUntil }) => waitUntil(p)),
    },
    learned.previous,
    tenantHistory,
  );
  return {
    config,
    policy: new PolicySet(config.policies),
    registry: new Map(config.specialists.map((s) => [s.id, s])),
    intents,
    intentModel: { source: m.source, key: m.key, fingerprint: model.classifier.fingerprint },
    intentsFor: (tenant) => tenants.for(tenant),
    tenantModel: (tenant) => tenants.info(tenant),
    learning: { version: learned.version, examples: learned.count, tenants: tenants.tenants },
    tenants,
    pending: Promise.resolve(),
  };
}

/**
 * The runtime for `config`, never fitting in this isolate: with a model from memory,
 * the build or KV at once; else, while the fitter works, with the model this
 * isolate already serves (`previous`) or the built-in one, swapped for the fitted
 * one when it arrives (`swap`); with neither, it waits for the fitter (once per
 * deployment and config: the fitter keeps the snapshot for every later isolate).
 */
async function resolve(config: Config, env: Env, learned: Learned, previous: IntentModel | "built-in" | undefined, swap: (next: Promise<Runtime>) => void): Promise<Runtime> {
  const sources = withLearned(intentSources(config), learned.global);
  const encoder = encoderFor(config, env);
  const quick = await quickModel(sources, encoder, env);
  if (quick) return build(config, env, quick, learned);
  const spec = { encoder: config.router.encoder, workersAiModel: config.router.workersAiModel };
  const fitted = fittedModel(sources, encoder, spec, env);
  const key = await modelKey(encoder.id, sources);
  const interim = previous === "built-in" ? (await quickModel(intentSources(BUNDLED_CONFIG), encoder, env))?.model : previous?.encoder.id === encoder.id ? previous : undefined;
  if (!interim)
    return build(
      config,
      env,
      await fitted.catch((e: unknown) => {
        throw new ProblemError({ status: 503, slug: "intent-model-unavailable", title: "Intent model unavailable", detail: `The config's intent model is not fitted yet and the fitter failed: ${e instanceof Error ? e.message : String(e)}` });
      }),
      learned,
    );
  const next = fitted.then((m) => build(config, env, m, learned));
  next.catch((e: unknown) => console.error(JSON.stringify({ msg: "intent model fit failed; the previous model keeps serving", key, error: String(e) })));
  void next.then(
    () => swap(next),
    () => undefined,
  );
  const { waitUntil } = await import("cloudflare:workers");
  waitUntil(next.catch(() => undefined));
  const rt = await build(config, env, { model: interim, source: "interim", key }, learned);
  rt.pending = next.then(
    () => undefined,
    () => undefined,
  );
  return rt;
}

/** How long a lookup by id that missed waits for a model being fitted (its records may be under that model's key). */
export const LOOKUP_WAIT_MS = 3_000;

/**
 * An intent record by id for `tenant` (hops by intent id, feedback on an intent): from
 * the model the tenant routes with and the models it replaced. A miss while that model
 * (or the runtime's) is still an interim one — a new deployment or isolate refitting,
 * a learned change — waits up to {@link LOOKUP_WAIT_MS} for the fitted one and asks it:
 * a record classified under that same model by another isolate is found then.
 */
export async function lookupIntent(env: Env, rt: Runtime, tenant: string, id: string, defer: (p: Promise<unknown>) => void): Promise<IntentLookup | undefined> {
  const service = await rt.intentsFor(tenant);
  const hit = await service.lookup(id, defer, tenant);
  if (hit || (rt.intentModel.source !== "interim" && rt.tenantModel(tenant).source !== "interim")) return hit;
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([Promise.all([rt.pending, rt.tenants.settled(tenant)]), new Promise<void>((r) => (timer = setTimeout(r, LOOKUP_WAIT_MS)))]);
  clearTimeout(timer);
  const now = await (await getRuntime(env)).intentsFor(tenant);
  return now === service ? undefined : now.lookup(id, defer, tenant);
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
 * `SWITCHYARD_CONFIG`, the runtime registrations or the learned examples change (its intent model is then
 * loaded or fitted off this isolate, never here: {@link resolve}); a kill switch
 * flipping changes neither. An invalid config is a 503
 * naming the bad fields; a control plane never reached, a 503
 * `control-plane-unavailable`.
 */
export async function getRuntime(env: Env): Promise<Runtime> {
  const raw = env.SWITCHYARD_CONFIG;
  const { registrations, learning } = await switchState(env);
  if (current === undefined || current.raw !== raw || current.registrations !== registrations || current.learning !== learning) {
    // what serves while a changed config's model is fitted: the model in force when only the registrations changed; the built-in one for the bundled config
    const previous = current !== undefined && current.raw === raw && current.settled ? current.settled.intents.model : raw === undefined ? ("built-in" as const) : undefined;
    const before = current?.settled?.tenants;
    const entry: Current = { raw, registrations, learning, runtime: undefined as unknown as Promise<Runtime> };
    entry.runtime = (async () => {
      const [{ registered }, taught] = await Promise.all([registrationsAt(env, registrations), learnedAt(env, learning)]);
      const learned = splitLearned(taught.learning, taught.examples, before);
      return resolve(effectiveConfig(raw === undefined ? BUNDLED_CONFIG : loadConfig(raw), registered), env, learned, previous, (next) => {
        if (current === entry) entry.runtime = next.then((rt) => (entry.settled = rt));
      });
    })().then((rt) => (entry.settled = rt));
    current = entry;
    entry.runtime.catch(() => {
      if (current === entry) current = undefined;
    });
  }
  return joined(current.runtime); // built by the request that came first: resumed in this request's context
}
