import type { ArmStats } from "../worker/routing/selection.ts";

/** A specialist's {@link ArmStats} per intent label, in its Metrics object's SQLite (table `arms`: label → stats as JSON). */
export class ArmTable {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    sql.exec("CREATE TABLE IF NOT EXISTS arms (label TEXT PRIMARY KEY, stats TEXT NOT NULL)");
  }

  get(label: string): ArmStats | undefined {
    const row = this.#sql.exec<{ stats: string }>("SELECT stats FROM arms WHERE label = ?", label).toArray()[0];
    return row ? (JSON.parse(row.stats) as ArmStats) : undefined;
  }

  put(label: string, s: ArmStats): void {
    this.#sql.exec("INSERT OR REPLACE INTO arms (label, stats) VALUES (?, ?)", label, JSON.stringify(s));
  }

  /** Every label's stats, as stored. */
  all(): Record<string, ArmStats> {
    return Object.fromEntries(this.#sql.exec<{ label: string; stats: string }>("SELECT label, stats FROM arms ORDER BY label").toArray().map((r) => [r.label, JSON.parse(r.stats) as ArmStats]));
  }
}
