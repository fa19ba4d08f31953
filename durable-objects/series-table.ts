import { addBuckets, downsample, emptyBucket, floorTo, HOUR_MS, MINUTE_MS, retentionCutoffs, type Bucket, type BucketDelta } from "../worker/observe/timeseries.ts";

/** Prune expired buckets at most this often (on a write): a cheap DELETE by primary-key prefix. */
export const PRUNE_EVERY_MS = 10 * MINUTE_MS;

/**
 * A specialist's time series in its Metrics object's SQLite (table `series`: one row
 * per stored resolution (`res`: 60000 or 3600000 ms), bucket start and tenant, the
 * {@link Bucket} as JSON). Each minute delta is added to its minute row and its hour
 * row, so hours need no downsampling job; rows past retention (worker/observe/timeseries.ts
 * `retentionCutoffs`) are deleted on a write at most every {@link PRUNE_EVERY_MS}.
 */
export class SeriesTable {
  readonly #sql: SqlStorage;
  #prunedAt = -Infinity;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    sql.exec("CREATE TABLE IF NOT EXISTS series (res INTEGER NOT NULL, start INTEGER NOT NULL, tenant TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (res, start, tenant))");
  }

  #add(res: number, start: number, tenant: string, d: Bucket): void {
    const row = this.#sql.exec<{ doc: string }>("SELECT doc FROM series WHERE res = ? AND start = ? AND tenant = ?", res, start, tenant).toArray()[0];
    const sum = addBuckets(row ? (JSON.parse(row.doc) as Bucket) : emptyBucket(start), { ...d, start });
    this.#sql.exec("INSERT OR REPLACE INTO series (res, start, tenant, doc) VALUES (?, ?, ?, ?)", res, start, tenant, JSON.stringify(sum));
  }

  /** Adds minute deltas (to their minute and hour rows); prunes expired rows when due. */
  record(deltas: readonly BucketDelta[], now: number): void {
    for (const { specialist: _s, tenant, ...b } of deltas) {
      this.#add(MINUTE_MS, floorTo(b.start, MINUTE_MS), tenant, b);
      this.#add(HOUR_MS, floorTo(b.start, HOUR_MS), tenant, b);
    }
    if (now - this.#prunedAt < PRUNE_EVERY_MS) return;
    this.#prunedAt = now;
    const cut = retentionCutoffs(now);
    this.#sql.exec("DELETE FROM series WHERE res = ? AND start < ?", MINUTE_MS, cut.minute);
    this.#sql.exec("DELETE FROM series WHERE res = ? AND start < ?", HOUR_MS, cut.hour);
  }

  /**
   * The stored `res` buckets in `[from, to)`, of one tenant or summed over all,
   * merged to intervals of `stepMs` (sparse, by start).
   */
  range(res: number, from: number, to: number, stepMs: number, tenant?: string): Bucket[] {
    const rows =
      tenant === undefined
        ? this.#sql.exec<{ doc: string }>("SELECT doc FROM series WHERE res = ? AND start >= ? AND start < ?", res, from, to)
        : this.#sql.exec<{ doc: string }>("SELECT doc FROM series WHERE res = ? AND start >= ? AND start < ? AND tenant = ?", res, from, to, tenant);
    return downsample(
      rows.toArray().map((r) => JSON.parse(r.doc) as Bucket),
      stepMs,
    );
  }

  /**
   * The stored `res` buckets in `[from, to)` per tenant, each tenant's merged to
   * intervals of `stepMs`, tenants in name order. Rows of no tenant (`""`: the breaker's
   * state changes, which are the specialist's) are not a tenant's and are left out.
   */
  rangeByTenant(res: number, from: number, to: number, stepMs: number): { tenant: string; buckets: Bucket[] }[] {
    const byTenant = new Map<string, Bucket[]>();
    for (const r of this.#sql.exec<{ tenant: string; doc: string }>("SELECT tenant, doc FROM series WHERE res = ? AND start >= ? AND start < ? AND tenant != '' ORDER BY tenant", res, from, to)) {
      const list = byTenant.get(r.tenant) ?? byTenant.set(r.tenant, []).get(r.tenant)!;
      list.push(JSON.parse(r.doc) as Bucket);
    }
    return [...byTenant].map(([tenant, buckets]) => ({ tenant, buckets: downsample(buckets, stepMs) }));
  }
}
