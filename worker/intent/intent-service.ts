import type { IntentModel, IntentPrediction } from "./model.ts";
import { identityForm, normalizeInput } from "./normalize.ts";
import { intentId, sha256Hex, type CachedIntent } from "./record.ts";
import { ROUTING_VIEW_VERSION, routingView } from "./routing-view.ts";
import type { CacheSource, TieredCache } from "./tiered-cache.ts";

/** Routing settings that decide how a prediction becomes a record. */
export interface IntentSettings {
  minConfidence: number;
  fallback: string | undefined;
  topK: number;
  /**
   * Look in the shared tiers (Cache API, KV) before classifying an input. Worth it
   * only when classifying costs more than a network read (a remote encoder); with
   * the built-in encoder (~0.1 ms) a miss in the isolate LRU classifies at once.
   * Lookups by id always use every tier, and every record is written to all of them.
   */
  sharedReadsForInputs: boolean;
}

/** A classified (or cached) intent and where it came from (`null`: just classified). */
export interface IntentLookup {
  record: CachedIntent;
  source: CacheSource | null;
}

/**
 * Classifies inputs into intent records through the tiered cache. Cache keys are
 * scoped by a model key (classifier fingerprint + routing-view version + settings), so
 * a re-fitted model or a changed view never serves records of the old one. The id
 * and the stored input are the caller's text; only classification sees the view.
 */
export class IntentService {
  readonly model: IntentModel;
  readonly cache: TieredCache<CachedIntent>;
  readonly settings: IntentSettings;
  /** Hash of everything that shapes a record other than the input. */
  readonly modelKey: string;
  private constructor(model: IntentModel, cache: TieredCache<CachedIntent>, settings: IntentSettings, modelKey: string) {
    this.model = model;
    this.cache = cache;
    this.settings = settings;
    this.modelKey = modelKey;
  }

  /** Builds the service and its model key. */
  static async create(model: IntentModel, cache: TieredCache<CachedIntent>, settings: IntentSettings): Promise<IntentService> {
    const key = await sha256Hex(
      JSON.stringify([model.encoder.id, model.classifier.fingerprint, [...model.labelToSpecialist], ROUTING_VIEW_VERSION, settings.minConfidence, settings.fallback ?? null, settings.topK]),
    );
    return new IntentService(model, cache, settings, key.slice(0, 16));
  }

  /** Cache key: scoped by model and by tenant, so one tenant never reads another's intents. */
  #key(id: string, tenant: string): string {
    // every part encoded: a tenant name with ':' or '#' cannot reach into another tenant's key (or make the rest a URL fragment)
    return `${this.modelKey}:${encodeURIComponent(tenant)}:${encodeURIComponent(id)}`;
  }

  /** Returns the cached record for this input, or classifies it and caches the result. */
  async classify(input: string, defer: (p: Promise<unknown>) => void, tenant: string): Promise<IntentLookup> {
    const normalized = normalizeInput(input);
    const id = await intentId(this.model.encoder.id, identityForm(input)); // the id keeps case: "8 Mb" and "8 MB" are two intents
    const key = this.#key(id, tenant);
    const local = this.cache.peek(key);
    if (local) return { record: local, source: "lru" };
    const cached = this.settings.sharedReadsForInputs ? await this.cache.get(key, defer) : undefined;
    if (cached) return { record: cached.value, source: cached.source };
    const p = await this.#predict(input, normalized);
    // no letter and no digit (emoji, punctuation): nothing to route by, so out of scope whatever the model says
    const contentFree = !/[\p{L}\p{N}]/u.test(normalized);
    const inScope = !contentFree && (p.confidence >= this.settings.minConfidence || this.settings.fallback === undefined);
    const record: CachedIntent = {
      id,
      label: p.label,
      specialist: inScope ? p.specialist : (this.settings.fallback ?? p.specialist),
      confidence: p.confidence,
      inScope,
      // Stryker disable next-line StringLiteral: unreachable, every label of a model's classifier has a specialist (buildIntentModel and restoreIntentModel see to it)
      topK: p.topK.map((c) => ({ label: c.label, confidence: c.confidence, specialist: this.model.labelToSpecialist.get(c.label) ?? "" })),
      encoder: this.model.encoder.id,
      model: this.modelKey,
      createdAt: new Date().toISOString(),
      input,
    };
    defer(this.cache.set(key, record));
    return { record, source: null };
  }

  /**
   * The prediction for an input: on its routing view (routing-view.ts) — the whole
   * text when short (and its instruction before ": "), else its head and its tail, the
   * most confident of them — so a long request routes as its instruction would. `normalized` is `input` normalised.
   */
  async #predict(input: string, normalized: string): Promise<IntentPrediction> {
    const view = routingView(input);
    // Stryker disable next-line BooleanLiteral: `normalized` is normalizeInput(input), and normalising it again changes nothing (normalizeInput is idempotent)
    if (view.length === 1 && view[0] === input) return this.model.classify(normalized, this.settings.topK, true);
    let best: IntentPrediction | undefined;
    for (const part of view) {
      const p = await this.model.classify(part, this.settings.topK);
      if (best === undefined || p.confidence > best.confidence) best = p;
    }
    return best!;
  }

  /** Finds a record by id in any tier (no classification: the text is not known). */
  async lookup(id: string, defer: (p: Promise<unknown>) => void, tenant: string): Promise<IntentLookup | undefined> {
    const hit = await this.cache.get(this.#key(id, tenant), defer);
    return hit ? { record: hit.value, source: hit.source } : undefined;
  }
}
