import { DurableObject } from "cloudflare:workers";
import type { Env } from "../worker/env.ts";
import { addDays, emptyDay, type SpecialistDay } from "../worker/observe/metrics-model.ts";

/** Days of counters a Metrics object keeps (today and the week before). */
export const KEEP_DAYS = 8;

/**
 * One specialist's request counters, error counts, cost and latency histogram per
 * UTC day (`GET /v1/metrics`), named `specialist:<id>`. One object per specialist
 * rather than one for all: each object's write rate is its specialist's call rate
 * (the rate its RateLimitPool already takes), not the sum of every specialist's,
 * and a slow or hot specialist never delays another's counters. Workers send their
 * deltas after the response (`waitUntil`), never on the response path.
 */
export class Metrics extends DurableObject<Env> {
  readonly #sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#sql.exec("CREATE TABLE IF NOT EXISTS days (day TEXT PRIMARY KEY, doc TEXT NOT NULL)");
  }

  #get(specialist: string, day: string): SpecialistDay {
    const row = this.#sql.exec<{ doc: string }>("SELECT doc FROM days WHERE day = ?", day).toArray()[0];
    return row ? (JSON.parse(row.doc) as SpecialistDay) : emptyDay(specialist, day);
  }

  /** Adds deltas (one per UTC day) to the stored counters; drops days older than {@link KEEP_DAYS}. */
  record(deltas: SpecialistDay[]): void {
    for (const d of deltas) {
      const sum = addDays(this.#get(d.specialist, d.day), d);
      this.#sql.exec("INSERT OR REPLACE INTO days (day, doc) VALUES (?, ?)", d.day, JSON.stringify(sum));
    }
    const oldest = new Date(Date.now() - KEEP_DAYS * 86_400_000).toISOString().slice(0, 10);
    this.#sql.exec("DELETE FROM days WHERE day < ?", oldest);
  }

  /** The counters of one UTC day (zeros when nothing was recorded). */
  day(specialist: string, day: string): SpecialistDay {
    return this.#get(specialist, day);
  }
}
