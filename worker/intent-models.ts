/**
 * Where an isolate gets its intent model without fitting one on a request.
 *
 * A model is a function of its sources (model.ts `modelKey`). In order:
 * 1. **memory**: a model this isolate already holds for that key;
 * 2. **built-in**: the bundled config's model, fitted at build time
 *    (worker/generated/intent-model.ts, `npm run build:model`);
 * 3. **kv**: a packed snapshot the fitter stored in `INTENTS` (key scoped by the
 *    deployment version);
 * 4. **fitter**: the `IntentFitter` Durable Object named by that key, which fits
 *    once per deployment and sources (off every isolate), stores the snapshot and
 *    answers every later ask from storage.
 * Steps 1–3 are quick ({@link quickModel}); step 4 ({@link fittedModel}) is awaited
 * only by an isolate that has no model to serve with meanwhile (runtime.ts).
 */
import { BUILT_IN_MODEL } from "./generated/intent-model.ts";
import type { Env } from "./env.ts";
import { base64ToBytes } from "./intent/codec.ts";
import type { Encoder } from "./intent/encoder.ts";
import { Lru } from "./intent/lru.ts";
import { modelKey, restoreIntentModel, type IntentModel, type IntentSource } from "./intent/model.ts";

/** The generated module's shape: the packed snapshot (base64) and the key and fingerprint it was fitted for. */
export interface BuiltInModel {
  key: string;
  fingerprint: string;
  packed: string;
}

/** Where the model in force came from; `interim` is a previous model serving while the fitter works. */
export type ModelSource = "memory" | "built-in" | "kv" | "fitter" | "interim";

/** A model and where it came from. */
export interface SourcedModel {
  model: IntentModel;
  source: ModelSource;
  /** model.ts `modelKey` of the sources it was fitted on. */
  key: string;
}

/** The encoder settings the fitter needs to build the same encoder as the isolate. */
export interface EncoderSpec {
  encoder: "builtin" | "workers-ai";
  workersAiModel: string;
}

/**
 * Models an isolate holds, by key: the last few (a registration flip-flop does not
 * refetch), and one per tenant with learned examples of its own (tenant-intents.ts).
 */
export class HeldModels {
  readonly #models: Lru<string, IntentModel>;

  constructor(max = 16) {
    this.#models = new Lru(max);
  }

  get(key: string): IntentModel | undefined {
    return this.#models.get(key);
  }

  hold(key: string, model: IntentModel): void {
    this.#models.set(key, model);
  }
}

/** This isolate's models. */
const isolateModels = new HeldModels();

/** Base64 to bytes: workerd's native decoder, else the pure one (plain Node tools). */
function fromBase64(s: string): Uint8Array {
  const native = (Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array }).fromBase64;
  return native ? native(s) : base64ToBytes(s);
}

/** KV key and Durable Object name of a model for these sources in this deployment. */
export function storeKey(env: Env, key: string): string {
  return `model:${env.CF_VERSION_METADATA?.id ?? "local"}:${key}`;
}

/** The built-in model, if it was fitted for exactly these sources and encoder. */
export function builtInModel(key: string, sources: readonly IntentSource[], encoder: Encoder): IntentModel | undefined {
  if (BUILT_IN_MODEL === null || BUILT_IN_MODEL.key !== key) return undefined;
  // the build's own bytes, in the bundle: the header and section sizes are checked, not every weight
  return restoreIntentModel(sources, encoder, fromBase64(BUILT_IN_MODEL.packed), { verify: false });
}

/**
 * The model for `sources` from memory, the build, or KV, with its source; undefined
 * when only the fitter can give it. A stored snapshot that does not load (corrupt,
 * another format) is logged and skipped.
 */
export async function quickModel(sources: readonly IntentSource[], encoder: Encoder, env: Env, held: HeldModels = isolateModels): Promise<SourcedModel | undefined> {
  const key = await modelKey(encoder.id, sources);
  const mem = held.get(key);
  if (mem) return { model: mem, source: "memory", key };
  const built = builtInModel(key, sources, encoder);
  if (built) {
    held.hold(key, built);
    return { model: built, source: "built-in", key };
  }
  const stored = env.INTENTS ? await env.INTENTS.get(storeKey(env, key), "arrayBuffer").catch(() => null) : null;
  if (stored) {
    try {
      const model = restoreIntentModel(sources, encoder, stored);
      held.hold(key, model);
      return { model, source: "kv", key };
    } catch (e) {
      console.warn(JSON.stringify({ msg: "stored model snapshot rejected; asking the fitter", key, error: String(e) }));
    }
  }
  return undefined;
}

/**
 * The model for `sources` from the `IntentFitter` Durable Object (which fits it if no
 * one has yet, and caches it in KV for the next isolates).
 * @throws Error when there is no `INTENT_FITTER` binding, or the fitter fails.
 */
export async function fittedModel(sources: readonly IntentSource[], encoder: Encoder, spec: EncoderSpec, env: Env, held: HeldModels = isolateModels): Promise<SourcedModel> {
  const key = await modelKey(encoder.id, sources);
  if (!env.INTENT_FITTER) throw new Error("no INTENT_FITTER Durable Object binding: the intent model cannot be fitted (wrangler.toml)");
  const name = storeKey(env, key);
  const fitted = await env.INTENT_FITTER.get(env.INTENT_FITTER.idFromName(name)).fit(name, [...sources], spec);
  if (!fitted.ok) throw new Error(`the intent model could not be fitted: ${fitted.error}`);
  const model = restoreIntentModel(sources, encoder, fitted.packed);
  held.hold(key, model);
  return { model, source: "fitter", key };
}
