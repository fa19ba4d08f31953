import type { HopRef } from "../worker/observe/hop-refs.ts";

/**
 * The hops a specialist served, in its Metrics object's SQLite (table `hop_refs`): one
 * row per hop, sent with the metrics deltas, kept until its `expiresAt`
 * (`observability.feedbackWindowSeconds` after the hop), so feedback can name any hop,
 * sampled or not.
 */
export class HopRefTable {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS hop_refs (hop TEXT PRIMARY KEY, doc TEXT NOT NULL, expires INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS hop_refs_by_expiry ON hop_refs (expires);`);
  }

  /** Stores references, and drops the ones expired at `now`. */
  put(refs: readonly HopRef[], now: number): void {
    for (const r of refs) this.#sql.exec("INSERT OR REPLACE INTO hop_refs (hop, doc, expires) VALUES (?, ?, ?)", r.hop, JSON.stringify(r), r.expiresAt);
    this.#sql.exec("DELETE FROM hop_refs WHERE expires <= ?", now);
  }

  /** A hop's reference, if it is the tenant's and has not expired at `now`. */
  get(hop: string, tenant: string, now: number): HopRef | undefined {
    const row = this.#sql.exec<{ doc: string }>("SELECT doc FROM hop_refs WHERE hop = ? AND expires > ?", hop, now).toArray()[0];
    const ref = row ? (JSON.parse(row.doc) as HopRef) : undefined;
    return ref?.tenant === tenant ? ref : undefined;
  }
}
