import type { Json } from "../worker/json.ts";
import type { AuditLog } from "./audit-log.ts";

/** The dead letters the store keeps (the newest; older ones are dropped). */
export const MAX_DEAD_LETTERS = 10_000;

/** A dead letter to store (worker/queues/dead-letters.ts). Times ISO 8601. */
export interface DeadLetterRecord {
  /** The work queue it came from: `hops`, `webhooks`, `steps`. */
  queue: string;
  /** The Queues message id. */
  messageId: string;
  /** The envelope's idempotency id, kind and tenant, when it was an envelope. */
  envelopeId: string | null;
  kind: string | null;
  tenant: string | null;
  /** The message body as delivered. */
  body: Json;
  reason: string;
  attempts: number;
  firstFailureAt: string | null;
  lastFailureAt: string | null;
}

/** A stored dead letter: its sequence number (its id in the admin API) and when it was stored. */
export interface DeadLetter extends DeadLetterRecord {
  seq: number;
  deadAt: string;
}

interface DeadLetterRow extends Record<string, SqlStorageValue> {
  seq: number;
  queue: string;
  message_id: string;
  envelope_id: string | null;
  kind: string | null;
  tenant: string | null;
  body: string;
  reason: string;
  attempts: number;
  first_failure_at: string | null;
  last_failure_at: string | null;
  dead_at: string;
}

function deadLetterOf(r: DeadLetterRow): DeadLetter {
  return {
    seq: r.seq,
    queue: r.queue,
    messageId: r.message_id,
    envelopeId: r.envelope_id,
    kind: r.kind,
    tenant: r.tenant,
    body: JSON.parse(r.body) as Json,
    reason: r.reason,
    attempts: r.attempts,
    firstFailureAt: r.first_failure_at,
    lastFailureAt: r.last_failure_at,
    deadAt: r.dead_at,
  };
}

/** Which dead letters to list: after a sequence number, of one queue and/or tenant, at most `limit`. */
export interface DeadLetterFilter {
  queue?: string | undefined;
  tenant?: string | undefined;
  after?: number | undefined;
  limit: number;
}

/**
 * The control plane's dead-letter store (its SQLite table `dead_letters`): what the
 * router's queues gave up on (worker/queues/), listed, replayed or discarded by an
 * admin, each resolution audited in the control plane's chain.
 */
export class DeadLetterTable {
  readonly #sql: SqlStorage;
  readonly #audit: AuditLog;

  constructor(sql: SqlStorage, audit: AuditLog) {
    this.#sql = sql;
    this.#audit = audit;
    // dead letters of the router's queues (worker/queues/): listed, replayed or discarded by an admin
    sql.exec(`CREATE TABLE IF NOT EXISTS dead_letters (seq INTEGER PRIMARY KEY AUTOINCREMENT, queue TEXT NOT NULL, message_id TEXT NOT NULL UNIQUE,
      envelope_id TEXT, kind TEXT, tenant TEXT, body TEXT NOT NULL, reason TEXT NOT NULL, attempts INTEGER NOT NULL, first_failure_at TEXT, last_failure_at TEXT, dead_at TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS dead_letters_by_queue ON dead_letters (queue, seq);`);
  }

  /**
   * Stores a dead letter (once per Queues message id: the dead-letter queue delivers at
   * least once too). Keeps the newest {@link MAX_DEAD_LETTERS}; returns its sequence
   * number, or the existing one.
   */
  record(letter: DeadLetterRecord): number {
    const existing = this.#sql.exec<{ seq: number }>("SELECT seq FROM dead_letters WHERE message_id = ?", letter.messageId).toArray()[0];
    if (existing) return existing.seq;
    const seq = this.#sql
      .exec<{ seq: number }>(
        "INSERT INTO dead_letters (queue, message_id, envelope_id, kind, tenant, body, reason, attempts, first_failure_at, last_failure_at, dead_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq",
        letter.queue,
        letter.messageId,
        letter.envelopeId,
        letter.kind,
        letter.tenant,
        JSON.stringify(letter.body),
        letter.reason.slice(0, 2000),
        letter.attempts,
        letter.firstFailureAt,
        letter.lastFailureAt,
        new Date().toISOString(),
      )
      .one().seq;
    this.#sql.exec("DELETE FROM dead_letters WHERE seq <= ?", seq - MAX_DEAD_LETTERS);
    return seq;
  }

  /** Dead letters, oldest first, after `after` (a sequence number), optionally of one queue and/or tenant; at most `limit`. */
  list(filter: DeadLetterFilter): DeadLetter[] {
    const rows = this.#sql
      .exec<DeadLetterRow>(
        "SELECT * FROM dead_letters WHERE seq > ? AND (? IS NULL OR queue = ?) AND (? IS NULL OR tenant = ?) ORDER BY seq LIMIT ?",
        filter.after ?? 0,
        filter.queue ?? null,
        filter.queue ?? null,
        filter.tenant ?? null,
        filter.tenant ?? null,
        filter.limit,
      )
      .toArray();
    return rows.map(deadLetterOf);
  }

  /** One dead letter by sequence number. */
  get(seq: number): DeadLetter | null {
    const r = this.#sql.exec<DeadLetterRow>("SELECT * FROM dead_letters WHERE seq = ?", seq).toArray()[0];
    return r ? deadLetterOf(r) : null;
  }

  /**
   * Removes a dead letter that was replayed (re-sent to its work queue by the caller
   * first) or discarded, audited (`dead_letter.replayed` / `dead_letter.discarded`).
   * False if it was already gone.
   */
  async resolve(seq: number, action: "replayed" | "discarded", by: string, reason: string): Promise<boolean> {
    const gone = this.#sql.exec<DeadLetterRow>("DELETE FROM dead_letters WHERE seq = ? RETURNING *", seq).toArray()[0];
    if (!gone) return false;
    await this.#audit.append(by, `dead_letter.${action}`, {
      seq,
      queue: gone.queue,
      messageId: gone.message_id,
      ...(gone.envelope_id ? { id: gone.envelope_id } : {}),
      ...(gone.kind ? { kind: gone.kind } : {}),
      ...(gone.tenant ? { tenant: gone.tenant } : {}),
      reason,
    });
    return true;
  }

  // ── the approvals inbox (issue 14): every open approval gate of a tenant's tasks ──
}
