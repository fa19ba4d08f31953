import { chainEntry, verifyChain, type AuditEntry, type ChainVerdict } from "../worker/tasks/audit.ts";
import type { JsonObject } from "../worker/json.ts";

/**
 * An append-only, hash-chained audit log in a Durable Object's SQLite storage
 * (table `audit`). Appends are serialised: hashing is asynchronous, and two
 * interleaved appends would otherwise fork the chain.
 */
export class AuditLog {
  readonly #sql: SqlStorage;
  readonly #anchor: ((head: { seq: number; hash: string }) => Promise<void>) | undefined;
  #tail: Promise<unknown> = Promise.resolve();

  /** `anchor` records each new head outside this object (the control plane), so a rewritten or cut chain shows. */
  constructor(sql: SqlStorage, anchor?: (head: { seq: number; hash: string }) => Promise<void>) {
    this.#sql = sql;
    this.#anchor = anchor;
    sql.exec("CREATE TABLE IF NOT EXISTS audit (seq INTEGER PRIMARY KEY, entry TEXT NOT NULL)");
  }

  /** Appends an entry chained to the last one. */
  append(actor: string, action: string, detail: JsonObject): Promise<AuditEntry> {
    const next = this.#tail.then(() => this.#append(actor, action, detail));
    this.#tail = next.catch(() => {});
    return next;
  }

  async #append(actor: string, action: string, detail: JsonObject): Promise<AuditEntry> {
    const last = this.#sql.exec<{ entry: string }>("SELECT entry FROM audit ORDER BY seq DESC LIMIT 1").toArray()[0];
    const prev = last ? (JSON.parse(last.entry) as AuditEntry) : undefined;
    const entry = await chainEntry(prev, { seq: (prev?.seq ?? 0) + 1, at: new Date().toISOString(), actor, action, detail });
    this.#sql.exec("INSERT INTO audit (seq, entry) VALUES (?, ?)", entry.seq, JSON.stringify(entry));
    await this.#anchor?.({ seq: entry.seq, hash: entry.hash }).catch((e: unknown) => console.warn(JSON.stringify({ msg: "audit anchor failed", seq: entry.seq, error: String(e) })));
    return entry;
  }

  entries(): AuditEntry[] {
    return this.#sql.exec<{ entry: string }>("SELECT entry FROM audit ORDER BY seq").toArray().map((r) => JSON.parse(r.entry) as AuditEntry);
  }

  /** The whole chain and whether it verifies. */
  async read(): Promise<{ entries: AuditEntry[]; verification: ChainVerdict }> {
    const entries = this.entries();
    return { entries, verification: await verifyChain(entries) };
  }
}
