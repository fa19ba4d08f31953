import { createRoute, z } from "@hono/zod-openapi";
import type { Env } from "../env.ts";
import type { Config, Specialist } from "../config/schema.ts";
import { routeGroup } from "../http/openapi-app.ts";
import { commonProblems, problemResponse } from "../http/schemas.ts";
import { Day, MetricsView, SeriesView, type Pool } from "../http/metrics-schemas.ts";
import { emptyDay, summarize, utcDay } from "../observe/metrics-model.ts";
import { metricsStub } from "../observe/sinks.ts";
import { parseInstant } from "../observe/timeseries.ts";
import { TENANT_NAME } from "../http/auth.ts";
import { asksRange, seriesView } from "./metrics-series.ts";
import { specialistPoolView } from "../routing/pool-views.ts";
import { getRuntime } from "../runtime.ts";
import { requireAdmin } from "./admin.ts";

const Instant = z.string().refine((v) => parseInstant(v) !== undefined, "epoch ms, a date (2026-06-15) or an RFC 3339 date and time with seconds and a zone (2026-06-15T12:00:00Z, …+02:00, with + sent as %2B in a query) that exists");

const get = createRoute({
  method: "get",
  path: "/v1/metrics",
  summary: "Per-specialist and per-intent requests, error rate, p50/p95 latency, verifications, feedback, breaker, pool usage and cost for a UTC day (admin key)",
  description:
    "With `from` (and optionally `to`, `resolution`, `specialist`, `tenant`, `groupBy`): a time series instead of a day, `[from, to)` at the resolution, one series per specialist (or per tenant with `groupBy=tenant`) or one of a tenant's calls; minute buckets are kept 48 hours (1m, 5m, 15m), hour buckets 30 days (1h, 1d); at most 2000 points.",
  request: {
    query: z.object({
      day: Day.optional().openapi({ description: "default: today (UTC); the last 8 days are kept" }),
      from: Instant.optional().openapi({ description: "start of a time series range: epoch ms, a date, or an RFC 3339 date and time (seconds and a zone) (rounded down to the resolution; not in the future)" }),
      to: Instant.optional().openapi({ description: "end of the range, exclusive (rounded up to the resolution); default: the end of the current interval" }),
      resolution: z.enum(["1m", "5m", "15m", "1h", "1d"]).optional().openapi({ description: "default 1h" }),
      specialist: z.string().min(1).optional().openapi({ description: "only this specialist's series" }),
      tenant: z.string().regex(TENANT_NAME, "a tenant name: letters, digits, '_', '.', '-', starting with a letter or digit, at most 64").optional().openapi({ description: "one series of this tenant's calls (summed over the specialists, or of `specialist`)" }),
      groupBy: z.enum(["specialist", "tenant"]).optional().openapi({ description: "one series per specialist (default) or per tenant (summed over the specialists, or of `specialist`; not with `tenant`)" }),
    }),
  },
  responses: { 200: { description: "Metrics of a day, or a time series with `from`", content: { "application/json": { schema: z.union([MetricsView, SeriesView]) } } }, ...commonProblems, 403: problemResponse("Not an admin key, or the tenant is stopped by a kill switch") },
});

const r6 = (n: number) => Math.round(n * 1e6) / 1e6;

/** Breaker state (the worst across its shards) and live usage of a specialist's pool (summed over its shards), or nulls without one. */
async function poolOf(env: Env, s: Specialist, router: Config["router"]): Promise<{ breaker: "closed" | "open" | "half-open" | null; pool: z.infer<typeof Pool> }> {
  const p = await specialistPoolView(env, s, router);
  if (!p) return { breaker: null, pool: null };
  const l = s.limits;
  return {
    breaker: p.breaker?.state ?? null,
    pool: {
      name: p.name,
      limited: p.limited,
      requests: { used: p.totals.requestsUsed, limit: l.rpm ?? null },
      leases: { active: p.totals.activeLeases, limit: l.concurrency ?? null },
      budget: { spentUsd: p.totals.spentUsd, limitUsd: l.dailyBudgetUsd ?? null },
    },
  };
}

/**
 * `GET /v1/metrics` (admin): each specialist's counters for the day from its Metrics
 * object (in all and per intent label, with verifiers' verdicts and explicit
 * feedback), with its breaker and pool as its RateLimitPool objects see them now; and
 * the same per (intent label, specialist) in `intents`.
 */
export const metricsRoutes = routeGroup();
metricsRoutes.use("/v1/metrics", requireAdmin());
metricsRoutes.openapi(get, async (c) => {
  const rt = await getRuntime(c.env);
  const q = c.req.valid("query");
  if (asksRange(q)) return c.json(await seriesView(c.env, rt.config, q, Date.now()), 200);
  const day = q.day ?? utcDay(Date.now());
  const specialists = await Promise.all(
    rt.config.specialists.map(async (s) => {
      const [counters, pool] = await Promise.all([metricsStub(c.env, s.id)?.day(s.id, day), poolOf(c.env, s, rt.config.router)]);
      const summary = summarize(counters ?? emptyDay(s.id, day), counters?.feedback);
      return { id: s.id, ...summary, ...pool };
    }),
  );
  const requests = specialists.reduce((n, s) => n + s.requests, 0);
  const errors = specialists.reduce((n, s) => n + s.errors, 0);
  const good = specialists.reduce((n, s) => n + s.feedback.good, 0);
  const bad = specialists.reduce((n, s) => n + s.feedback.bad, 0);
  const scored = specialists.reduce((n, s) => n + s.feedback.scored, 0);
  const scoreSum = specialists.reduce((n, s) => n + (s.feedback.meanScore ?? 0) * s.feedback.scored, 0);
  const totals = {
    requests,
    errors,
    errorRate: requests === 0 ? 0 : r6(errors / requests),
    denied: specialists.reduce((n, s) => n + s.denied, 0),
    costUsd: r6(specialists.reduce((n, s) => n + s.costUsd, 0)),
    feedback: { good, bad, scored, meanScore: scored === 0 ? null : r6(scoreSum / scored) },
    escalations: specialists.reduce((n, s) => n + (s.escalations?.count ?? 0), 0),
  };
  const intents = specialists
    .flatMap((s) => s.intents.map((i) => ({ ...i, specialist: s.id })))
    .sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : a.specialist < b.specialist ? -1 : a.specialist > b.specialist ? 1 : 0));
  return c.json({ day, generatedAt: new Date().toISOString(), totals, specialists, intents }, 200);
});
