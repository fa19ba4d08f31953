import type { JsonObject } from "../worker/json.ts";

/** Most messages one task keeps (the user's messages and the agent's replies to them). */
export const MAX_TASK_MESSAGES = 200;

/**
 * One message of a task's A2A history, as the router received or sent it (the
 * neutral shape of worker/protocols/a2a/wire.ts `Message`, stored as JSON).
 */
export interface StoredMessage extends JsonObject {
  messageId: string;
  role: "user" | "agent";
}

/** What adding a message did: stored, already there (same id: a client's retry), or the history is full. */
export type AddResult = "added" | "duplicate" | "full";

interface Row extends Record<string, SqlStorageValue> {
  body: string;
}

/**
 * A task's message history (A2A `Task.history`, spec §3.2.4 "History Length
 * Semantics"), in the TaskAgent's SQLite storage: the messages that started the task
 * and answered its approval gates, and the agent's messages at those gates, in the
 * order they happened. A message id is stored once, so a retried send adds nothing.
 */
export class TaskMessages {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    sql.exec("CREATE TABLE IF NOT EXISTS task_message (seq INTEGER PRIMARY KEY, message_id TEXT NOT NULL UNIQUE, body TEXT NOT NULL)");
  }

  /** Appends messages in order (a group: all or, when it would overflow, none); ids already stored are skipped. */
  add(messages: StoredMessage[]): AddResult {
    const fresh = messages.filter((m) => this.#sql.exec("SELECT 1 FROM task_message WHERE message_id = ?", m.messageId).toArray().length === 0);
    if (fresh.length === 0) return "duplicate";
    const count = this.#sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM task_message").one().n;
    if (count + fresh.length > MAX_TASK_MESSAGES) return "full";
    for (const m of fresh) this.#sql.exec("INSERT INTO task_message (message_id, body) VALUES (?, ?)", m.messageId, JSON.stringify(m));
    return "added";
  }

  /** Whether a message with this id is stored. */
  has(messageId: string): boolean {
    return this.#sql.exec("SELECT 1 FROM task_message WHERE message_id = ?", messageId).toArray().length > 0;
  }

  /** The history, oldest first. */
  all(): StoredMessage[] {
    return this.#sql
      .exec<Row>("SELECT body FROM task_message ORDER BY seq")
      .toArray()
      .map((r) => JSON.parse(r.body) as StoredMessage);
  }
}
