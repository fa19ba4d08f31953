import { DurableObject } from "cloudflare:workers";
import type { Env } from "../worker/env.ts";
import { claimHop, finishHop, hopState, newHop, releaseHop, requeueHop, type HopDoc, type HopReplay, type HopResult, type HopState } from "../worker/hops/record.ts";

/** Chunk size of a stored request or answer body (well under SQLite's 2 MB row limit). */
const PART_CHARS = 512 * 1024;

/** What a submission found: a new hop, the same request again (its hop as it is), or the key used with another request. */
export type Submitted = { kind: "created" | "existing"; hop: HopState } | { kind: "conflict"; hop: HopState };

/** A delivery's claim, with what it needs to act on it. */
export type ClaimView =
  | { state: "unknown" }
  | { state: "claimed"; claims: number; hop: HopState; request: HopReplay }
  | { state: "done"; hop: HopState }
  | { state: "busy"; retryAfterMs: number }
  | { state: "stale"; claims: number; hop: HopState; request: HopReplay };

/**
 * One async hop (worker/hops/): its request, where its execution is, its claim (the
 * exactly-once rules of worker/queues/ledger-logic.ts) and, once it ended, the door's
 * answer. One object per hop id, so a client polling `GET /v1/hops/:id` from anywhere
 * reads what the consumer wrote (strongly consistent). Persisted in SQLite on every
 * change, before the change is answered: a restart forgets nothing. The record is
 * forgotten the dedup window (24 h) after its last change, by an alarm.
 */
export class AsyncHop extends DurableObject<Env> {
  readonly #sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#schema();
  }

  #schema(): void {
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS hop (k INTEGER PRIMARY KEY CHECK (k = 0), doc TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS parts (key TEXT NOT NULL, n INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (key, n));`);
  }

  /** Forgets everything (`deleteAll` drops the tables too). */
  async #wipe(): Promise<void> {
    await this.ctx.storage.deleteAll();
    this.#schema();
  }

  /** The record, unless there is none or it expired. */
  #doc(now = Date.now()): HopDoc | undefined {
    const row = this.#sql.exec<{ doc: string }>("SELECT doc FROM hop WHERE k = 0").toArray()[0];
    if (!row) return undefined;
    const doc = JSON.parse(row.doc) as HopDoc;
    return doc.expiresAt > now ? doc : undefined;
  }

  async #save(doc: HopDoc): Promise<void> {
    this.#sql.exec("INSERT OR REPLACE INTO hop (k, doc) VALUES (0, ?)", JSON.stringify(doc));
    await this.ctx.storage.setAlarm(doc.expiresAt);
  }

  #putText(key: string, text: string): void {
    this.#sql.exec("DELETE FROM parts WHERE key = ?", key);
    for (let i = 0, n = 0; i === 0 || i < text.length; i += PART_CHARS, n++) this.#sql.exec("INSERT INTO parts (key, n, body) VALUES (?, ?, ?)", key, n, text.slice(i, i + PART_CHARS));
  }

  #text(key: string): string | null {
    const parts = this.#sql.exec<{ body: string }>("SELECT body FROM parts WHERE key = ? ORDER BY n", key).toArray();
    return parts.length ? parts.map((p) => p.body).join("") : null;
  }

  /**
   * Stores a submitted hop, or finds it: the same request again is `existing` (an
   * idempotent retry), another request under the same id is a `conflict`.
   */
  async submit(init: Pick<HopDoc, "id" | "tenant" | "admin" | "door" | "requestHash" | "callback">, request: HopReplay): Promise<Submitted> {
    const found = this.#doc();
    if (found) return { kind: found.requestHash === init.requestHash && found.tenant === init.tenant ? "existing" : "conflict", hop: hopState(found) };
    await this.#wipe(); // an expired record the alarm has not swept yet
    const doc = newHop(init, Date.now());
    this.#putText("request", JSON.stringify(request));
    await this.#save(doc);
    return { kind: "created", hop: hopState(doc) };
  }

  /** Forgets a hop that never ran (its message could not be enqueued), so a retry with the same key submits it again. */
  async forget(): Promise<void> {
    const doc = this.#doc();
    if (doc && doc.status === "queued" && doc.attempts === 0) await this.#wipe();
  }

  /** A delivery's claim for `leaseMs` (worker/hops/record.ts `claimHop`). */
  async claim(leaseMs: number): Promise<ClaimView> {
    const doc = this.#doc();
    if (!doc) return { state: "unknown" };
    const { verdict, store } = claimHop(doc, Date.now(), leaseMs);
    if (store) await this.#save(store);
    const hop = hopState(store ?? doc);
    switch (verdict.state) {
      case "claimed":
      case "stale":
        return { state: verdict.state, claims: verdict.claims, hop, request: JSON.parse(this.#text("request") ?? "null") as HopReplay };
      case "done":
        return { state: "done", hop };
      case "busy":
        return verdict;
    }
  }

  /** Ends the hop with the door's answer, if delivery `claims` still holds it; answers the hop as it now is. */
  async finish(claims: number, result: HopResult, body: string): Promise<{ applied: boolean; hop: HopState | null }> {
    const doc = this.#doc();
    if (!doc) return { applied: false, hop: null };
    const next = finishHop(doc, claims, result, Date.now());
    if (!next) return { applied: false, hop: hopState(doc) };
    this.#putText("result", body);
    await this.#save(next);
    return { applied: true, hop: hopState(next) };
  }

  /** Re-queues the hop until `retryAt` (over a limit), if delivery `claims` still holds it. */
  async requeue(claims: number, retryAt: number, why: string): Promise<boolean> {
    const doc = this.#doc();
    const next = doc && requeueHop(doc, claims, retryAt, why, Date.now());
    if (next) await this.#save(next);
    return Boolean(next);
  }

  /** Gives delivery `claims`' claim up after an internal error before any specialist call. */
  async release(claims: number, error: string): Promise<boolean> {
    const doc = this.#doc();
    const next = doc && releaseHop(doc, claims, error, Date.now());
    if (next) await this.#save(next);
    return Boolean(next);
  }

  /** Notes that the hop's end was handed to the webhooks queue. */
  async callbackQueued(): Promise<void> {
    const doc = this.#doc();
    if (doc && !doc.callbackQueued) await this.#save({ ...doc, callbackQueued: true });
  }

  /** The hop and its answer's body, for its tenant only (another tenant's, an expired or an unknown one: null). */
  read(tenant: string): { hop: HopState; body: string | null } | null {
    const doc = this.#doc();
    if (!doc || doc.tenant !== tenant) return null;
    return { hop: hopState(doc), body: doc.result ? this.#text("result") : null };
  }

  /** Forgets the hop once its window is over. */
  override async alarm(): Promise<void> {
    const row = this.#sql.exec<{ doc: string }>("SELECT doc FROM hop WHERE k = 0").toArray()[0];
    if (!row) return;
    const doc = JSON.parse(row.doc) as HopDoc;
    if (doc.expiresAt <= Date.now()) await this.#wipe();
    else await this.ctx.storage.setAlarm(doc.expiresAt);
  }
}
