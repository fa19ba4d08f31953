import type { FeedbackRecord } from "../worker/feedback/record.ts";
import { emptyFeedbackCounts, type FeedbackTally } from "../worker/observe/intent-summary.ts";
import { utcDay } from "../worker/observe/metrics-model.ts";

/**
 * A specialist's feedback records in its Metrics object's SQLite: table `feedback`, one
 * row per (tenant, target), the latest version (its label, the UTC day it was given,
 * outcome and score as columns for counting and listing; the record as JSON), and
 * `feedback_keys`, the `Idempotency-Key`s it was given with (tenant, key → target and
 * body hash). Kept until deleted: the learned-example store reads corrections from them.
 */
export class FeedbackTable {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS feedback (tenant TEXT NOT NULL, target TEXT NOT NULL, label TEXT NOT NULL, day TEXT NOT NULL, at INTEGER NOT NULL,
        outcome TEXT NOT NULL, score REAL, doc TEXT NOT NULL, PRIMARY KEY (tenant, target));
      CREATE INDEX IF NOT EXISTS feedback_by_day ON feedback (day);
      CREATE INDEX IF NOT EXISTS feedback_recent ON feedback (tenant, at);
      CREATE TABLE IF NOT EXISTS feedback_keys (tenant TEXT NOT NULL, key TEXT NOT NULL, target TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (tenant, key));`);
  }

  /** The tenant's feedback on a target (its key: worker/feedback/record.ts `targetKey`). */
  get(tenant: string, target: string): FeedbackRecord | undefined {
    const row = this.#sql.exec<{ doc: string }>("SELECT doc FROM feedback WHERE tenant = ? AND target = ?", tenant, target).toArray()[0];
    return row ? (JSON.parse(row.doc) as FeedbackRecord) : undefined;
  }

  /** Stores a version (replacing the target's earlier one). */
  put(target: string, r: FeedbackRecord): void {
    this.#sql.exec(
      "INSERT OR REPLACE INTO feedback (tenant, target, label, day, at, outcome, score, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      r.tenant,
      target,
      r.label ?? "",
      utcDay(r.at),
      r.at,
      r.outcome,
      r.score ?? null,
      JSON.stringify(r),
    );
  }

  /** What an idempotency key was first used for. */
  key(tenant: string, key: string): { target: string; body: string } | undefined {
    return this.#sql.exec<{ target: string; body: string }>("SELECT target, body FROM feedback_keys WHERE tenant = ? AND key = ?", tenant, key).toArray()[0];
  }

  /** Remembers an idempotency key's first use (a later use keeps it). */
  putKey(tenant: string, key: string, target: string, body: string): void {
    this.#sql.exec("INSERT OR IGNORE INTO feedback_keys (tenant, key, target, body) VALUES (?, ?, ?, ?)", tenant, key, target, body);
  }

  /** A tenant's feedback, newest version first, optionally of one label and outcome. */
  list(tenant: string, q: { label?: string | undefined; outcome?: string | undefined; limit: number }): FeedbackRecord[] {
    const where = ["tenant = ?"];
    const args: (string | number)[] = [tenant];
    if (q.label !== undefined) where.push("label = ?"), args.push(q.label);
    if (q.outcome !== undefined) where.push("outcome = ?"), args.push(q.outcome);
    return this.#sql
      .exec<{ doc: string }>(`SELECT doc FROM feedback WHERE ${where.join(" AND ")} ORDER BY at DESC LIMIT ?`, ...args, q.limit)
      .toArray()
      .map((r) => JSON.parse(r.doc) as FeedbackRecord);
  }

  /** The feedback whose latest version was given on a UTC day, counted in all and per label. */
  tally(day: string): FeedbackTally {
    const rows = this.#sql
      .exec<{ label: string; outcome: string; n: number; scored: number; total: number | null }>(
        "SELECT label, outcome, COUNT(*) AS n, COUNT(score) AS scored, SUM(score) AS total FROM feedback WHERE day = ? GROUP BY label, outcome",
        day,
      )
      .toArray();
    const out: FeedbackTally = { total: emptyFeedbackCounts(), byLabel: {} };
    for (const r of rows)
      for (const c of r.label === "" ? [out.total] : [out.total, (out.byLabel[r.label] ??= emptyFeedbackCounts())]) {
        if (r.outcome === "good") c.good += r.n;
        else c.bad += r.n;
        c.scored += r.scored;
        c.scoreSum += r.total ?? 0;
      }
    return out;
  }
}
