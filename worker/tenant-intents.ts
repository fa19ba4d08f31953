/**
 * The intent models of tenants that taught the router their own examples
 * (`learning.scope: "tenant"`, docs/intents.md "Learning from feedback"). Each such
 * tenant routes with a model fitted on the config's examples, the global learned ones
 * and its own; every other tenant with the runtime's model. Like the runtime's, a
 * tenant's model is never fitted in an isolate: it comes from memory or KV, else the
 * `IntentFitter` Durable Object fits it while the tenant's previous model (or the
 * runtime's) serves, and the fitted one is swapped in when it arrives.
 */
import { PREVIOUS_KEYS, type IntentService } from "./intent/intent-service.ts";
import { Lru } from "./intent/lru.ts";
import type { LearnedExample } from "./intent/learned.ts";
import { modelKey, type IntentModel, type IntentSource } from "./intent/model.ts";
import { withLearned } from "./intent/learned.ts";
import type { SourcedModel } from "./intent-models.ts";

/** Tenants whose model history an isolate keeps (keys only: a few strings each). */
export const MAX_HISTORY = 4096;

/** Tenants' models one runtime keeps in hand (intent-models.ts `HeldModels` keeps as many). */
export const MAX_TENANT_MODELS = 16;

/** Where a tenant's model came from: the runtime's (no examples of its own), or as intent-models.ts says. */
export interface TenantModelInfo {
  source: SourcedModel["source"] | "shared";
  key: string;
  fingerprint: string;
  /** The tenant's own active learned examples. */
  examples: number;
}

/** What a tenant's model is built with: quick (memory/build/KV) or fitted (the IntentFitter), and a service around a model. */
export interface TenantModelMaker {
  quick(sources: readonly IntentSource[]): Promise<SourcedModel | undefined>;
  fitted(sources: readonly IntentSource[]): Promise<SourcedModel>;
  /** A service around `model`; `previousKeys`: the models it replaces (their records stay reachable by id). */
  service(model: IntentModel, previousKeys: readonly string[]): Promise<IntentService>;
  /** Keeps a promise alive after the response (the fitter's answer). */
  defer(p: Promise<unknown>): void;
}

interface Entry {
  service: Promise<IntentService>;
  info: TenantModelInfo;
  /** Settles when the model this entry waits for is in (or could not be had): resolved when none is awaited. */
  settled: Promise<void>;
}

/**
 * Per-tenant intent services, built on first use. `previous` (the last runtime's)
 * lends a tenant's model as the interim one while its changed model is fitted.
 */
export class TenantIntents {
  readonly #shared: IntentService;
  readonly #sharedInfo: TenantModelInfo;
  readonly #sources: readonly IntentSource[];
  readonly #byTenant: ReadonlyMap<string, LearnedExample[]>;
  readonly #make: TenantModelMaker;
  readonly #previous: TenantIntents | undefined;
  readonly #history: Lru<string, string[]>;
  readonly #entries = new Lru<string, Entry>(MAX_TENANT_MODELS);

  /**
   * `history`: per tenant, the model keys its intents were classified under (the
   * isolate's, kept across runtimes: a tenant idle through several changes still finds
   * its intents by id); at most {@link MAX_HISTORY} tenants.
   */
  constructor(
    shared: IntentService,
    sharedKey: string,
    sources: readonly IntentSource[],
    byTenant: ReadonlyMap<string, LearnedExample[]>,
    make: TenantModelMaker,
    previous?: TenantIntents,
    history: Lru<string, string[]> = new Lru(MAX_HISTORY),
  ) {
    this.#shared = shared;
    this.#sharedInfo = { source: "shared", key: sharedKey, fingerprint: shared.model.classifier.fingerprint, examples: 0 };
    this.#sources = sources;
    this.#byTenant = byTenant;
    this.#make = make;
    this.#previous = previous;
    this.#history = history;
  }

  /** The runtime's service (tenants without examples of their own). */
  get shared(): IntentService {
    return this.#shared;
  }

  /** Tenants with examples of their own. */
  get tenants(): number {
    return this.#byTenant.size;
  }

  /** The service `tenant`'s requests classify with. */
  for(tenant: string): Promise<IntentService> {
    return this.#entry(tenant)?.service ?? Promise.resolve(this.#shared);
  }

  /** Where `tenant`'s model came from (after {@link for} resolved, the model in force). */
  info(tenant: string): TenantModelInfo {
    return this.#entry(tenant)?.info ?? this.#sharedInfo;
  }

  /**
   * Settles when `tenant`'s model is in force, or the fitter failed (then the next
   * request asks again): what a caller waits on to have the fit done now, in its own
   * context, rather than by a later request.
   */
  settled(tenant: string): Promise<void> {
    return this.#entry(tenant)?.settled ?? Promise.resolve();
  }

  /** The service this object serves `tenant` with now, settled or not (none yet: undefined): the next runtime's interim. */
  serving(tenant: string): Promise<IntentService> | undefined {
    return this.#entries.get(tenant)?.service;
  }

  #entry(tenant: string): Entry | undefined {
    const own = this.#byTenant.get(tenant);
    if (!own) return undefined;
    // the most recently served tenants' models only: another comes back from memory or KV when it is next served
    const held = this.#entries.get(tenant);
    if (held) return held;
    const info: TenantModelInfo = { source: "interim", key: "", fingerprint: "", examples: own.length };
    const entry: Entry = { info, service: Promise.resolve(this.#shared), settled: Promise.resolve() };
    this.#entries.set(tenant, entry);
    entry.service = this.#resolve(withLearned(this.#sources, own), entry, tenant);
    return entry;
  }

  async #resolve(sources: IntentSource[], entry: Entry, tenant: string): Promise<IntentService> {
    const { info } = entry;
    // what served this tenant before: its previous model, or the shared one
    const before = (await this.#previous?.serving(tenant)?.catch(() => undefined)) ?? this.#shared;
    // and every model its intents were classified under lately: its own history, then the shared model's
    const previousKeys = [...(this.#history.get(tenant) ?? []), ...before.servedKeys, ...this.#shared.servedKeys];
    const settle = async (m: SourcedModel) => {
      const service = await this.#make.service(m.model, previousKeys);
      Object.assign(info, { source: m.source, key: m.key, fingerprint: m.model.classifier.fingerprint });
      this.#remember(tenant, service.servedKeys);
      return service;
    };
    const quick = await this.#make.quick(sources);
    if (quick) return settle(quick);
    // not held anywhere: the fitter fits it off this isolate; the tenant's previous model (or the shared one) serves meanwhile
    const interim = before;
    const fitted = this.#make.fitted(sources).then(settle);
    entry.settled = fitted.then(
      (service) => {
        entry.service = Promise.resolve(service);
      },
      (e: unknown) => {
        // not kept: the next request for this tenant asks the fitter again
        if (this.#entries.get(tenant) === entry) this.#entries.delete(tenant);
        console.error(JSON.stringify({ msg: "a tenant's intent model could not be fitted; its previous model serves until the next request asks again", tenant, error: String(e) }));
      },
    );
    this.#make.defer(entry.settled);
    Object.assign(info, { source: "interim", key: await modelKey(interim.model.encoder.id, sources), fingerprint: interim.model.classifier.fingerprint });
    this.#remember(tenant, [...interim.servedKeys, ...(this.#history.get(tenant) ?? [])]);
    return interim;
  }

  #remember(tenant: string, keys: readonly string[]): void {
    this.#history.set(tenant, [...new Set(keys)].slice(0, PREVIOUS_KEYS));
  }
}
