import { DurableObject } from "cloudflare:workers";
import type { Env } from "../worker/env.ts";
import type { Json } from "../worker/json.ts";
import { claim, complete, DEDUP_WINDOW_MS, fail, type ClaimResult, type LedgerEntry } from "../worker/queues/ledger-logic.ts";

interface Row extends Record<string, SqlStorageValue> {
  id: string;
  state: string;
  claims: number;
  claimed_at: number;
  lease_until: number;
  outcome: string | null;
  failures: number;
  first_failure_at: number | null;
  last_failure_at: number | null;
  last_error: string | null;
  expires_at: number;
}

/** An entry as RPC returns it (JSON, not `unknown`: RPC types a result holding `unknown` as `never`). */
export type LedgerView = Omit<LedgerEntry, "outcome"> & { outcome: Json };
/** A claim's result as RPC returns it. */
export type ClaimView = Exclude<ClaimResult, { state: "done" }> | { state: "done"; outcome: Json };

/**
 * One shard of the message ledger (worker/queues/ledger.ts names the shard of an
 * id): which queued messages had their effect, with the rules of
 * worker/queues/ledger-logic.ts. SQLite storage; entries are forgotten after the
 * dedup window (24 h), swept by an alarm.
 */
export class MessageLedger extends DurableObject<Env> {
  readonly #sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS entries (id TEXT PRIMARY KEY, state TEXT NOT NULL, claims INTEGER NOT NULL, claimed_at INTEGER NOT NULL,
      lease_until INTEGER NOT NULL, outcome TEXT, failures INTEGER NOT NULL, first_failure_at INTEGER, last_failure_at INTEGER, last_error TEXT, expires_at INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS entries_by_expiry ON entries (expires_at);`);
  }

  #read(id: string): LedgerEntry | undefined {
    const r = this.#sql.exec<Row>("SELECT * FROM entries WHERE id = ?", id).toArray()[0];
    if (!r) return undefined;
    return {
      id: r.id,
      state: r.state as LedgerEntry["state"],
      claims: r.claims,
      claimedAt: r.claimed_at,
      leaseUntil: r.lease_until,
      outcome: r.outcome === null ? null : JSON.parse(r.outcome),
      failures: r.failures,
      firstFailureAt: r.first_failure_at,
      lastFailureAt: r.last_failure_at,
      lastError: r.last_error,
      expiresAt: r.expires_at,
    };
  }

  async #write(e: LedgerEntry): Promise<void> {
    this.#sql.exec(
      "INSERT OR REPLACE INTO entries (id, state, claims, claimed_at, lease_until, outcome, failures, first_failure_at, last_failure_at, last_error, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      e.id,
      e.state,
      e.claims,
      e.claimedAt,
      e.leaseUntil,
      e.outcome === null || e.outcome === undefined ? null : JSON.stringify(e.outcome),
      e.failures,
      e.firstFailureAt,
      e.lastFailureAt,
      e.lastError,
      e.expiresAt,
    );
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(e.expiresAt);
  }

  /** Claims `id` for an effect, for `leaseMs` (ledger-logic.ts `claim`). */
  async claim(id: string, leaseMs: number): Promise<ClaimView> {
    const { result, store } = claim(this.#read(id), id, Date.now(), leaseMs, DEDUP_WINDOW_MS);
    if (store) await this.#write(store);
    return result as ClaimView;
  }

  /** Records that `id`'s effect happened, with its outcome (JSON). */
  async complete(id: string, outcome: Json): Promise<void> {
    await this.#write(complete(this.#read(id), id, outcome, Date.now(), DEDUP_WINDOW_MS));
  }

  /** Notes a failed attempt of `id`; with `release`, gives its claim up (a redelivery may try the effect again). */
  async fail(id: string, error: string, release: boolean): Promise<void> {
    await this.#write(fail(this.#read(id), id, error, Date.now(), release, DEDUP_WINDOW_MS));
  }

  /**
   * Forgets `id` (an admin replaying its dead letter): the next delivery claims it
   * afresh, as a first delivery, and its failures are counted anew. True if it had an entry.
   */
  forget(id: string): boolean {
    return this.#sql.exec<{ id: string }>("DELETE FROM entries WHERE id = ? RETURNING id", id).toArray().length > 0;
  }

  /** The entry of `id`, if it is within the window. */
  entry(id: string): LedgerView | null {
    const e = this.#read(id);
    return e && e.expiresAt > Date.now() ? (e as LedgerView) : null;
  }

  /** Forgets expired entries, and comes back for the next. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    this.#sql.exec("DELETE FROM entries WHERE expires_at <= ?", now);
    const next = this.#sql.exec<{ t: number | null }>("SELECT MIN(expires_at) AS t FROM entries").one().t;
    if (next !== null) await this.ctx.storage.setAlarm(next);
  }
}
