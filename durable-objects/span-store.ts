import type { SpanRecord } from "../worker/observe/span.ts";

/** Most spans one task keeps; later ones are counted, not stored. */
export const MAX_TASK_SPANS = 5_000;

/**
 * A task's spans in its TaskAgent's SQLite: one row per span, written as each span
 * ends (the task's own span is written open, then closed when the task ends).
 */
export class SpanStore {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS spans (seq INTEGER PRIMARY KEY AUTOINCREMENT, span_id TEXT NOT NULL UNIQUE, name TEXT NOT NULL, doc TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS span_meta (k TEXT PRIMARY KEY, n INTEGER NOT NULL);`);
  }

  /** Stores a span, or replaces the stored span of the same id (closing an open one). */
  put(span: SpanRecord): void {
    const exists = this.#sql.exec("SELECT 1 FROM spans WHERE span_id = ?", span.spanId).toArray().length > 0;
    if (!exists && this.count() >= MAX_TASK_SPANS) {
      this.#sql.exec("INSERT INTO span_meta (k, n) VALUES ('dropped', 1) ON CONFLICT (k) DO UPDATE SET n = n + 1");
      return;
    }
    if (exists) this.#sql.exec("UPDATE spans SET doc = ? WHERE span_id = ?", JSON.stringify(span), span.spanId);
    else this.#sql.exec("INSERT INTO spans (span_id, name, doc) VALUES (?, ?, ?)", span.spanId, span.name, JSON.stringify(span));
  }

  /** Every span, in the order they were first written. */
  all(): SpanRecord[] {
    return this.#sql
      .exec<{ doc: string }>("SELECT doc FROM spans ORDER BY seq")
      .toArray()
      .map((r) => JSON.parse(r.doc) as SpanRecord);
  }

  /** The first span named `name` (the task's own span: `task`). */
  first(name: string): SpanRecord | undefined {
    const row = this.#sql.exec<{ doc: string }>("SELECT doc FROM spans WHERE name = ? ORDER BY seq LIMIT 1", name).toArray()[0];
    return row ? (JSON.parse(row.doc) as SpanRecord) : undefined;
  }

  count(): number {
    return this.#sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM spans").one().n;
  }

  /** Spans not stored because the task had reached {@link MAX_TASK_SPANS}. */
  dropped(): number {
    return this.#sql.exec<{ n: number }>("SELECT n FROM span_meta WHERE k = 'dropped'").toArray()[0]?.n ?? 0;
  }
}
