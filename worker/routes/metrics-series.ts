import type { Env } from "../env.ts";
import type { Config } from "../config/schema.ts";
import { badRequest } from "../http/problem.ts";
import { metricsStub } from "../observe/sinks.ts";
import { checkRange, denseSeries, parseInstant, RESOLUTIONS, type Bucket, type Resolution, type SeriesPoint } from "../observe/timeseries.ts";

/** The range parameters of `GET /v1/metrics` (strings as zod checked them). */
export interface SeriesQuery {
  from?: string | undefined;
  to?: string | undefined;
  resolution?: Resolution | undefined;
  specialist?: string | undefined;
  tenant?: string | undefined;
  groupBy?: "specialist" | "tenant" | undefined;
  day?: string | undefined;
}

/** Whether a query asks for a range (any range parameter), not a day. */
export const asksRange = (q: SeriesQuery) =>
  q.from !== undefined || q.to !== undefined || q.resolution !== undefined || q.specialist !== undefined || q.tenant !== undefined || q.groupBy !== undefined;

const bad = (param: string, message: string) => badRequest(`invalid query: ${param}: ${message}`, [{ path: param, message }]);

/**
 * `GET /v1/metrics?from=…` (worker/observe/timeseries.ts): `[from, to)` (`to` default:
 * the end of the current interval) at `resolution` (default `1h`), one series per specialist (or just `specialist`),
 * or with `tenant` one series of that tenant's calls summed over the specialists, or
 * with `groupBy=tenant` one series per tenant that has calls in the range (by name). Each
 * specialist's Metrics object merges its own buckets to the resolution; the series of
 * several are merged here. Bad ranges are 400s naming the parameter.
 */
export async function seriesView(env: Env, config: Config, q: SeriesQuery, now: number) {
  if (q.day !== undefined) throw bad("day", "a day and a range (from, to, resolution, specialist, tenant, groupBy) are not asked together");
  if (q.from === undefined) throw bad("from", "required with to, resolution, specialist, tenant or groupBy");
  if (q.groupBy === "tenant" && q.tenant !== undefined) throw bad("groupBy", "groupBy=tenant answers every tenant: not asked together with tenant");
  const from = parseInstant(q.from)!;
  // no `to`: through the current interval (`to` rounds up to the resolution)
  const to = q.to === undefined ? now + 1 : parseInstant(q.to)!;
  const resolution = q.resolution ?? "1h";
  const checked = checkRange(from, to, RESOLUTIONS[resolution], now);
  if (!checked.ok) throw bad(checked.param, checked.detail);
  const { range } = checked;
  const ids = config.specialists.map((s) => s.id).filter((id) => q.specialist === undefined || id === q.specialist);
  if (ids.length === 0) throw bad("specialist", `no specialist ${JSON.stringify(q.specialist)} in the config`);
  const ofSpecialist = q.specialist !== undefined ? { specialist: q.specialist } : {};
  let series: { specialist?: string; tenant?: string; points: SeriesPoint[] }[];
  if (q.groupBy === "tenant") {
    const byTenant = new Map<string, Bucket[]>();
    for (const rows of await Promise.all(ids.map(async (id) => (await metricsStub(env, id)?.seriesByTenant(range.base.stepMs, range.from, range.to, range.stepMs)) ?? [])))
      for (const { tenant, buckets } of rows) (byTenant.get(tenant) ?? byTenant.set(tenant, []).get(tenant)!).push(...buckets);
    series = [...byTenant.keys()].sort().map((tenant) => ({ ...ofSpecialist, tenant, points: denseSeries(byTenant.get(tenant)!, range) }));
  } else {
    const buckets = await Promise.all(ids.map(async (id) => (await metricsStub(env, id)?.series(range.base.stepMs, range.from, range.to, range.stepMs, q.tenant)) ?? ([] as Bucket[])));
    series = q.tenant !== undefined ? [{ ...ofSpecialist, tenant: q.tenant, points: denseSeries(buckets.flat(), range) }] : ids.map((id, i) => ({ specialist: id, points: denseSeries(buckets[i]!, range) }));
  }
  return { from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString(), resolution, series };
}
