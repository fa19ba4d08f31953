import type { AuditEntry } from "../worker/tasks/audit.ts";
import type { JsonObject } from "../worker/json.ts";
import { AuditLog } from "./audit-log.ts";
import { SpanStore } from "./span-store.ts";
import type { StepDoc, TaskDoc, TaskEvent } from "../worker/tasks/types.ts";

/** Fields of a step stored by reference when large. */
const LARGE_STEP_FIELDS = ["output", "unverifiedOutput"] as const;
/** A field whose JSON is longer than this is stored by reference. */
export const INLINE_FIELD_CHARS = 256 * 1024;
/** Chunk size of a field stored by reference (well under SQLite's 2 MB row limit). */
const PART_CHARS = 512 * 1024;

/**
 * The TaskAgent's SQLite storage: one task row, its steps, its events (the SSE
 * feed) and its hash-chained audit log. Every write goes through here.
 */
export class TaskStore {
  readonly #sql: SqlStorage;
  readonly #audit: AuditLog;
  readonly #listeners = new Set<() => void>();
  readonly #recorded: ((e: { seq: number; type: string; at: string }) => void) | undefined;
  /** The task's trace (GET /v1/tasks/:id/trace). */
  readonly spans: SpanStore;

  /**
   * `anchor` records each new head of the audit chain outside this object; `recorded`
   * hears of each progress event as it is written, in the same synchronous step (its
   * own writes commit with the event's: the callback outbox, durable-objects/task-callbacks.ts).
   */
  constructor(sql: SqlStorage, anchor?: (head: { seq: number; hash: string }) => Promise<void>, recorded?: (e: { seq: number; type: string; at: string }) => void) {
    this.#sql = sql;
    this.#recorded = recorded;
    sql.exec(`CREATE TABLE IF NOT EXISTS task (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS steps (id TEXT PRIMARY KEY, pos INTEGER NOT NULL, doc TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY AUTOINCREMENT, type TEXT NOT NULL, at TEXT NOT NULL, data TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS blobs (hash TEXT PRIMARY KEY, body TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS parts (key TEXT NOT NULL, n INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (key, n));`);
    this.#audit = new AuditLog(sql, anchor);
    this.spans = new SpanStore(sql);
  }

  task(): TaskDoc | undefined {
    const row = this.#sql.exec<{ doc: string }>("SELECT doc FROM task LIMIT 1").toArray()[0];
    return row ? this.#hydrate(JSON.parse(row.doc) as TaskDoc, ["result"]) : undefined;
  }

  /**
   * The task, for code that runs only once it exists (the engine, a gate on an owned
   * task); throws a clear error rather than a TypeError deep inside if it does not.
   */
  requireTask(): TaskDoc {
    const task = this.task();
    if (!task) throw new Error("no task in this TaskAgent: it was never created");
    return task;
  }

  saveTask(task: TaskDoc): void {
    task.updatedAt = new Date().toISOString();
    this.#sql.exec("INSERT OR REPLACE INTO task (id, doc) VALUES (?, ?)", task.id, this.#dehydrate(task, "task", ["result"]));
  }

  steps(): StepDoc[] {
    return this.#sql.exec<{ doc: string }>("SELECT doc FROM steps ORDER BY pos").toArray().map((r) => this.#hydrate(JSON.parse(r.doc) as StepDoc, LARGE_STEP_FIELDS));
  }

  /** One step by id, read alone (not the whole list), or undefined. */
  step(id: string): StepDoc | undefined {
    const row = this.#sql.exec<{ doc: string }>("SELECT doc FROM steps WHERE id = ?", id).toArray()[0];
    return row ? this.#hydrate(JSON.parse(row.doc) as StepDoc, LARGE_STEP_FIELDS) : undefined;
  }

  /** A step of the task by id; throws a clear error if the task has no such step. */
  requireStep(id: string, steps: readonly StepDoc[] = this.steps()): StepDoc {
    const step = steps.find((s) => s.id === id);
    if (!step) throw new Error(`the task has no step '${id}'`);
    return step;
  }

  saveStep(step: StepDoc, pos?: number): void {
    const doc = this.#dehydrate(step, `step:${step.id}`, LARGE_STEP_FIELDS);
    if (pos !== undefined) this.#sql.exec("INSERT OR REPLACE INTO steps (id, pos, doc) VALUES (?, ?, ?)", step.id, pos, doc);
    else this.#sql.exec("UPDATE steps SET doc = ? WHERE id = ?", doc, step.id);
  }

  /**
   * A document as stored: each large field (over {@link INLINE_FIELD_CHARS} of JSON)
   * moved to the `parts` table in chunks (a SQLite row holds at most 2 MB) and
   * replaced by a reference `{ $ref: key, chars }`, so a large step output or task
   * result never fails the write that records it.
   */
  #dehydrate(doc: object, owner: string, fields: readonly string[]): string {
    const copy = { ...doc } as Record<string, unknown>;
    for (const f of fields) {
      const key = `${owner}:${f}`;
      this.#sql.exec("DELETE FROM parts WHERE key = ?", key);
      if (copy[f] === undefined) continue;
      const json = JSON.stringify(copy[f]);
      if (json.length <= INLINE_FIELD_CHARS) continue;
      for (let i = 0, n = 0; i < json.length; i += PART_CHARS, n++) this.#sql.exec("INSERT INTO parts (key, n, body) VALUES (?, ?, ?)", key, n, json.slice(i, i + PART_CHARS));
      copy[f] = { $ref: key, chars: json.length };
    }
    return JSON.stringify(copy);
  }

  #hydrate<T extends object>(doc: T, fields: readonly string[]): T {
    const d = doc as Record<string, unknown>;
    for (const f of fields) {
      const v = d[f] as { $ref?: unknown } | undefined;
      if (typeof v !== "object" || v === null || typeof v.$ref !== "string" || Object.keys(v).length !== 2) continue;
      const parts = this.#sql.exec<{ body: string }>("SELECT body FROM parts WHERE key = ? ORDER BY n", v.$ref).toArray();
      d[f] = JSON.parse(parts.map((p) => p.body).join(""));
    }
    return doc;
  }

  /** Appends a progress event; returns its sequence number (the SSE id). */
  event(type: string, data: JsonObject = {}): number {
    const at = new Date().toISOString();
    const seq = this.#sql.exec<{ seq: number }>("INSERT INTO events (type, at, data) VALUES (?, ?, ?) RETURNING seq", type, at, JSON.stringify(data)).one().seq;
    this.#recorded?.({ seq, type, at });
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
      .map((r) => ({ seq: r.seq, type: r.type, at: r.at, data: JSON.parse(r.data) as JsonObject }));
  }

  /** Appends an audit entry chained to the last one. */
  audit(actor: string, action: string, detail: JsonObject): Promise<AuditEntry> {
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
