import { DurableObject } from "cloudflare:workers";
import type { Env } from "../worker/env.ts";
import { BuiltinEncoder } from "../worker/intent/builtin-encoder.ts";
import type { Encoder } from "../worker/intent/encoder.ts";
import { buildIntentModel, modelKey, type IntentSource } from "../worker/intent/model.ts";
import { WorkersAiEncoder } from "../worker/intent/workers-ai-encoder.ts";
import type { EncoderSpec } from "../worker/intent-models.ts";

/** How long a fitted snapshot stays in KV for isolates (the object keeps its own copy). */
const KV_TTL_SECONDS = 30 * 86_400;

/**
 * Fits intent models off the request path: one object per deployment and model key
 * (`model:<deployment>:<key>`, worker/intent-models.ts), so a config that was not
 * fitted at build time (a `SWITCHYARD_CONFIG` override, runtime registrations) is
 * fitted once per deployment, not once per isolate. The first `fit` fits and stores
 * the packed snapshot (SQLite storage, and `INTENTS` KV for isolates); later calls,
 * and calls that queued behind the first (an object runs one at a time), read it.
 */
export class IntentFitter extends DurableObject<Env> {
  readonly #sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#sql.exec("CREATE TABLE IF NOT EXISTS snapshot (name TEXT PRIMARY KEY, packed BLOB NOT NULL, fitted_at INTEGER NOT NULL, fit_ms REAL NOT NULL)");
  }

  /**
   * The packed snapshot of the model for `sources` (snapshot-codec.ts), fitted now if
   * this object has none; or why it cannot be (`name` — the object's own name — does
   * not match the sources, so one model cannot be stored under another's key; the
   * encoder failed). Failures are returned, not thrown, so the caller decides.
   */
  async fit(name: string, sources: IntentSource[], spec: EncoderSpec): Promise<{ ok: true; packed: Uint8Array } | { ok: false; error: string }> {
    const row = this.#sql.exec<{ packed: ArrayBuffer }>("SELECT packed FROM snapshot WHERE name = ?", name).toArray()[0];
    if (row) return { ok: true, packed: new Uint8Array(row.packed) };
    try {
      return { ok: true, packed: await this.#fit(name, sources, spec) };
    } catch (e) {
      return { ok: false, error: e instanceof Error ? e.message : String(e) };
    }
  }

  async #fit(name: string, sources: IntentSource[], spec: EncoderSpec): Promise<Uint8Array> {
    const encoder: Encoder = spec.encoder === "builtin" ? new BuiltinEncoder() : new WorkersAiEncoder(this.#ai(), spec.workersAiModel);
    const key = await modelKey(encoder.id, sources);
    if (!name.endsWith(`:${key}`)) throw new Error(`IntentFitter: '${name}' is not the name of these sources' model (${key})`);
    const started = performance.now();
    const model = await buildIntentModel(sources, encoder);
    const packed = model.classifier.packed();
    const fitMs = performance.now() - started;
    this.#sql.exec("INSERT OR REPLACE INTO snapshot (name, packed, fitted_at, fit_ms) VALUES (?, ?, ?, ?)", name, packed, Date.now(), fitMs);
    console.log(JSON.stringify({ msg: "intent model fitted", name, labels: model.classifier.labels.length, bytes: packed.length, fitMs: Math.round(fitMs) }));
    if (this.env.INTENTS)
      this.ctx.waitUntil(this.env.INTENTS.put(name, packed, { expirationTtl: KV_TTL_SECONDS }).catch((e: unknown) => console.warn(JSON.stringify({ msg: "could not cache model snapshot in KV", name, error: String(e) }))));
    return packed;
  }

  #ai() {
    if (!this.env.AI) throw new Error("router.encoder is 'workers-ai' but no AI binding is configured");
    return this.env.AI;
  }
}
