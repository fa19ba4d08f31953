import type { AuditEntry } from "../worker/tasks/audit.ts";
import { AuditLog } from "./audit-log.ts";
import { SpanStore } from "./span-store.ts";
import type { StepDoc, TaskDoc, TaskEvent } from "../worker/tasks/types.ts";

/**
 * The TaskAgent's SQLite storage: one task row, its steps, its events (the SSE
 * feed) and its hash-chained audit log. Every write goes through here.
 */
export class TaskStore {
  readonly #sql: SqlStorage;
  readonly #audit: AuditLog;
  readonly #listeners = new Set<() => void>();
  /** The task's trace (GET /v1/tasks/:id/trace). */
  readonly spans: SpanStore;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS task (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS steps (id TEXT PRIMARY KEY, pos INTEGER NOT NULL, doc TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY AUTOINCREMENT, type TEXT NOT NULL, at TEXT NOT NULL, data TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS blobs (hash TEXT PRIMARY KEY, body TEXT NOT NULL);`);
    this.#audit = new AuditLog(sql);
    this.spans = new SpanStore(sql);
  }

  task(): TaskDoc | undefined {
    const row = this.#sql.exec<{ doc: string }>("SELECT doc FROM task LIMIT 1").toArray()[0];
    return row ? (JSON.parse(row.doc) as TaskDoc) : undefined;
  }

  saveTask(task: TaskDoc): void {
    task.updatedAt = new Date().toISOString();
    this.#sql.exec("INSERT OR REPLACE INTO task (id, doc) VALUES (?, ?)", task.id, JSON.stringify(task));
  }

  steps(): StepDoc[] {
    return this.#sql.exec<{ doc: string }>("SELECT doc FROM steps ORDER BY pos").toArray().map((r) => JSON.parse(r.doc) as StepDoc);
  }

  saveStep(step: StepDoc, pos?: number): void {
    if (pos !== undefined) this.#sql.exec("INSERT OR REPLACE INTO steps (id, pos, doc) VALUES (?, ?, ?)", step.id, pos, JSON.stringify(step));
    else this.#sql.exec("UPDATE steps SET doc = ? WHERE id = ?", JSON.stringify(step), step.id);
  }

  /** Appends a progress event; returns its sequence number (the SSE id). */
  event(type: string, data: Record<string, unknown> = {}): number {
    const at = new Date().toISOString();
    const seq = this.#sql.exec<{ seq: number }>("INSERT INTO events (type, at, data) VALUES (?, ?, ?) RETURNING seq", type, at, JSON.stringify(data)).one().seq;
    for (const l of this.#listeners) l();
    return seq;
  }

  /** Resolves at the next event, or after `ms` (long polling for the SSE feed). */
  nextEvent(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#listeners.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#listeners.add(done);
    });
  }

  eventsAfter(seq: number, limit = 500): TaskEvent[] {
    return this.#sql
      .exec<{ seq: number; type: string; at: string; data: string }>("SELECT seq, type, at, data FROM events WHERE seq > ? ORDER BY seq LIMIT ?", seq, limit)
      .toArray()
      .map((r) => ({ seq: r.seq, type: r.type, at: r.at, data: JSON.parse(r.data) as Record<string, unknown> }));
  }

  /** Appends an audit entry chained to the last one. */
  audit(actor: string, action: string, detail: Record<string, unknown>): Promise<AuditEntry> {
    return this.#audit.append(actor, action, detail);
  }

  auditLog(): AuditEntry[] {
    return this.#audit.entries();
  }

  putBlob(hash: string, body: string): void {
    this.#sql.exec("INSERT OR IGNORE INTO blobs (hash, body) VALUES (?, ?)", hash, body);
  }

  blob(hash: string): string | undefined {
    return this.#sql.exec<{ body: string }>("SELECT body FROM blobs WHERE hash = ?", hash).toArray()[0]?.body;
  }
}
