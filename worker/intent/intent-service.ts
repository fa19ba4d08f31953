import { joined } from "../joined.ts";
import { cachedOutcome, escalatedRecord, ESCALATION_FORMAT, wantsEscalation, type Escalator } from "./escalation.ts";
import type { IntentModel, IntentPrediction } from "./model.ts";
import { identityForm, normalizeInput } from "./normalize.ts";
import { intentId, sha256Hex, type CachedIntent, type IntentCandidate } from "./record.ts";
import { ROUTING_VIEW_VERSION, routingView } from "./routing-view.ts";
import type { CacheSource, TieredCache } from "./tiered-cache.ts";

/** How many replaced models' keys a lookup by id also searches. */
export const PREVIOUS_KEYS = 6;

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
  /**
   * `router.escalation`'s settings that shape a record (the chat specialist and the
   * threshold), when escalation is on: part of the model key, so turning it on, off or
   * changing it starts a fresh cache like any routing setting.
   */
  escalation?: { specialist: string; below: number; maxCandidates?: number | undefined } | undefined;
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
  /** Escalations in flight in this isolate, by cache key: a second request for the same input waits for the first's answer. */
  readonly #asking = new Map<string, Promise<CachedIntent>>();
  /**
   * Model keys of the services this one replaced in this isolate (re-fitted models:
   * learned examples, registrations), newest first, at most {@link PREVIOUS_KEYS}: a
   * lookup by id that misses under this model's key is tried under theirs (the cache is
   * the isolate's, shared by its services), so an intent classified just before the
   * model changed can still be named (a hop by id, feedback).
   */
  readonly previousKeys: readonly string[];
  private constructor(model: IntentModel, cache: TieredCache<CachedIntent>, settings: IntentSettings, modelKey: string, previousKeys: readonly string[]) {
    this.model = model;
    this.cache = cache;
    this.settings = settings;
    this.modelKey = modelKey;
    this.previousKeys = [...new Set(previousKeys)].filter((k) => k !== modelKey).slice(0, PREVIOUS_KEYS);
  }

  /** The model keys whose records this service finds by id: its own, then the ones it replaced, newest first (the next service's `previousKeys`). */
  get servedKeys(): string[] {
    return [this.modelKey, ...this.previousKeys];
  }

  /** Builds the service and its model key. */
  static async create(model: IntentModel, cache: TieredCache<CachedIntent>, settings: IntentSettings, previousKeys: readonly string[] = []): Promise<IntentService> {
    const key = await sha256Hex(
      JSON.stringify([model.encoder.id, model.classifier.fingerprint, [...model.labelToSpecialist], ROUTING_VIEW_VERSION, settings.minConfidence, settings.fallback ?? null, settings.topK, ...escalationKey(settings)]),
    );
    return new IntentService(model, cache, settings, key.slice(0, 16), previousKeys);
  }

  /** Cache key: scoped by model and by tenant, so one tenant never reads another's intents. */
  #key(id: string, tenant: string): string {
    return IntentService.#keyUnder(this.modelKey, id, tenant);
  }

  static #keyUnder(model: string, id: string, tenant: string): string {
    // every part encoded: a tenant name with ':' or '#' cannot reach into another tenant's key (or make the rest a URL fragment)
    return `${model}:${encodeURIComponent(tenant)}:${encodeURIComponent(id)}`;
  }

  /**
   * Returns the cached record for this input, or classifies it and caches the result.
   * With `escalate` (a hop's: routing/escalate.ts), a record the classifier is unsure
   * of and nobody asked about yet ({@link wantsEscalation}) is escalated first — unless
   * a shared tier already holds an escalated one — and the escalated record replaces
   * it in every tier when its outcome is one to keep ({@link cachedOutcome}).
   */
  async classify(input: string, defer: (p: Promise<unknown>) => void, tenant: string, escalate?: Escalator): Promise<IntentLookup> {
    const normalized = normalizeInput(input);
    const id = await intentId(this.model.encoder.id, identityForm(input)); // the id keeps case: "8 Mb" and "8 MB" are two intents
    const key = this.#key(id, tenant);
    const asks = (r: CachedIntent) => escalate !== undefined && wantsEscalation(r, escalate.below);
    const local = this.cache.peek(key);
    if (local && !asks(local)) return { record: local, source: "lru" };
    const cached = !local && this.settings.sharedReadsForInputs ? await this.cache.get(key, defer) : undefined;
    if (cached && !asks(cached.value)) return { record: cached.value, source: cached.source };
    const known = local ?? cached?.value;
    if (known) return { record: await this.#escalated(key, known, escalate!, defer, false), source: null };
    const record = await this.#classified(id, input, normalized);
    if (!asks(record)) {
      defer(this.cache.set(key, record));
      return { record, source: null };
    }
    // unsure: another isolate may have asked already (the shared tiers were not read above with a local encoder)
    const shared = this.settings.sharedReadsForInputs ? undefined : await this.cache.get(key, defer);
    if (shared && !asks(shared.value)) return { record: shared.value, source: shared.source };
    return { record: await this.#escalated(key, record, escalate!, defer, shared === undefined), source: null };
  }

  /** A new record for an input the cache does not hold. */
  async #classified(id: string, input: string, normalized: string): Promise<CachedIntent> {
    const p = await this.#predict(input, normalized, this.settings.topK);
    // no letter and no digit (emoji, punctuation): nothing to route by, so out of scope whatever the model says
    const contentFree = !/[\p{L}\p{N}]/u.test(normalized);
    const inScope = !contentFree && (p.confidence >= this.settings.minConfidence || this.settings.fallback === undefined);
    return {
      id,
      label: p.label,
      specialist: inScope ? p.specialist : (this.settings.fallback ?? p.specialist),
      confidence: p.confidence,
      inScope,
      topK: this.#candidates(p),
      encoder: this.model.encoder.id,
      model: this.modelKey,
      createdAt: new Date().toISOString(),
      input,
    };
  }

  /** A prediction's ranked labels with their specialists. */
  #candidates(p: IntentPrediction): IntentCandidate[] {
    // Stryker disable next-line StringLiteral: unreachable, every label of a model's classifier has a specialist (buildIntentModel and restoreIntentModel see to it)
    return p.topK.map((c) => ({ label: c.label, confidence: c.confidence, specialist: this.model.labelToSpecialist.get(c.label) ?? "" }));
  }

  /**
   * `record` escalated (one ask per key at a time in this isolate), cached when its
   * outcome is one to keep; otherwise the classifier's record is cached when it was
   * new (`fresh`), and the next request asks again.
   */
  async #escalated(key: string, record: CachedIntent, escalate: Escalator, defer: (p: Promise<unknown>) => void, fresh: boolean): Promise<CachedIntent> {
    const pending = this.#asking.get(key);
    if (pending) return joined(pending); // another request's ask: resumed in this request's context
    const ask = (async () => {
      const k = Math.min(escalate.maxCandidates ?? Number.POSITIVE_INFINITY, this.model.labelToSpecialist.size);
      const ranked = this.#candidates(await this.#predict(record.input, normalizeInput(record.input), k));
      const answer = await escalate.ask(record, ranked);
      const out = escalatedRecord(record, answer, escalate.below, ranked, this.settings.fallback);
      if (cachedOutcome(answer.outcome)) defer(this.cache.set(key, out, true));
      else if (fresh) defer(this.cache.set(key, record));
      return out;
    })();
    this.#asking.set(key, ask);
    try {
      return await ask;
    } finally {
      this.#asking.delete(key);
    }
  }

  /**
   * The prediction for an input: on its routing view (routing-view.ts) — the whole
   * text when short (and its instruction before ": "), else its head and its tail, the
   * most confident of them — so a long request routes as its instruction would. `normalized` is `input` normalised; `k` candidates are ranked.
   */
  async #predict(input: string, normalized: string, k: number): Promise<IntentPrediction> {
    const view = routingView(input);
    // Stryker disable next-line BooleanLiteral: `normalized` is normalizeInput(input), and normalising it again changes nothing (normalizeInput is idempotent)
    if (view.length === 1 && view[0] === input) return this.model.classify(normalized, k, true);
    let best: IntentPrediction | undefined;
    for (const part of view) {
      const p = await this.model.classify(part, k);
      if (best === undefined || p.confidence > best.confidence) best = p;
    }
    return best!;
  }

  /** Finds a record by id in any tier (no classification: the text is not known). */
  async lookup(id: string, defer: (p: Promise<unknown>) => void, tenant: string): Promise<IntentLookup | undefined> {
    for (const model of [this.modelKey, ...this.previousKeys]) {
      const hit = await this.cache.get(IntentService.#keyUnder(model, id, tenant), defer);
      if (hit) return { record: hit.value, source: hit.source };
    }
    return undefined;
  }
}

/** The model key's part for escalation: nothing when it is off (keys stay as they were before it existed). */
function escalationKey(settings: IntentSettings): unknown[] {
  const e = settings.escalation;
  return e ? [ESCALATION_FORMAT, e.specialist, e.below, e.maxCandidates ?? null] : [];
}
