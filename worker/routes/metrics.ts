import { createRoute, z } from "@hono/zod-openapi";
import type { Env } from "../env.ts";
import type { Config, Specialist } from "../config/schema.ts";
import { routeGroup } from "../http/openapi-app.ts";
import { commonProblems, problemResponse } from "../http/schemas.ts";
import { emptyDay, summarize, utcDay } from "../observe/metrics-model.ts";
import { metricsStub } from "../observe/sinks.ts";
import { specialistPoolView } from "../routing/pool-views.ts";
import { getRuntime } from "../runtime.ts";
import { requireAdmin } from "./admin.ts";

const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "a UTC day: YYYY-MM-DD")
  .refine((d) => {
    const t = Date.parse(`${d}T00:00:00Z`);
    return !Number.isNaN(t) && new Date(t).toISOString().startsWith(d); // 2026-02-30 parses as March 2nd
  }, "not a calendar day");
const Latency = z.object({ p50: z.number().nullable(), p95: z.number().nullable(), p99: z.number().nullable(), max: z.number().nullable(), mean: z.number().nullable() });
const Counts = z.record(z.string(), z.number().int());
const Pool = z
  .object({
    name: z.string(),
    limited: z.boolean(),
    requests: z.object({ used: z.number(), limit: z.number().nullable() }),
    leases: z.object({ active: z.number(), limit: z.number().nullable() }),
    budget: z.object({ spentUsd: z.number(), limitUsd: z.number().nullable() }),
  })
  .nullable();
const SpecialistMetrics = z
  .object({
    id: z.string(),
    requests: z.number().int().openapi({ description: "calls made (every retry and fallback attempt)" }),
    ok: z.number().int(),
    errors: z.number().int().openapi({ description: "calls that failed (the specialist's fault): by kind in failures" }),
    errorRate: z.number().openapi({ description: "errors / requests; refusals and cancelled calls are not errors" }),
    failures: Counts,
    refused: z.number().int().openapi({ description: "calls whose input the specialist refused (its 4xx about the input)" }),
    cancelled: z.number().int().openapi({ description: "calls whose client went away" }),
    denied: z.number().int().openapi({ description: "attempts refused before a call: pool limit, breaker open, kill switch, policy" }),
    denials: Counts,
    latencyMs: Latency,
    costUsd: z.number(),
    tools: z
      .record(z.string(), z.object({ calls: z.number().int(), ok: z.number().int(), errors: z.number().int(), denied: z.number().int() }))
      .optional()
      .openapi({ description: "the MCP door's tool calls among these, per tool (its name in the door's catalogue: a server's `<server>__<tool>`, or the `route` or specialist tool it was reached by)" }),
    escalations: z
      .object({ count: z.number().int(), outcomes: Counts, costUsd: z.number() })
      .optional()
      .openapi({ description: "its escalations as the LLM router (router.escalation), by outcome, and their cost; each one's call is among the requests, its cost in costUsd" }),
    breaker: z.enum(["closed", "open", "half-open"]).nullable().openapi({ description: "the worst state across the pool's shards (open if any shard is open); null without a breaker" }),
    pool: Pool,
  })
  .openapi("SpecialistMetrics");
const MetricsView = z
  .object({
    day: Day,
    generatedAt: z.string(),
    totals: z.object({
      requests: z.number().int(),
      errors: z.number().int(),
      errorRate: z.number(),
      denied: z.number().int(),
      costUsd: z.number(),
      escalations: z.number().int().openapi({ description: "escalations to LLM routers (router.escalation)" }),
    }),
    specialists: z.array(SpecialistMetrics),
  })
  .openapi("Metrics");

const get = createRoute({
  method: "get",
  path: "/v1/metrics",
  summary: "Per-specialist requests, error rate, p50/p95 latency, breaker, pool usage and cost for a UTC day (admin key)",
  request: { query: z.object({ day: Day.optional().openapi({ description: "default: today (UTC); the last 8 days are kept" }) }) },
  responses: { 200: { description: "Metrics", content: { "application/json": { schema: MetricsView } } }, ...commonProblems, 403: problemResponse("Not an admin key, or the tenant is stopped by a kill switch") },
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
 * object, with its breaker and pool as its RateLimitPool objects see them now.
 */
export const metricsRoutes = routeGroup();
metricsRoutes.use("/v1/metrics", requireAdmin());
metricsRoutes.openapi(get, async (c) => {
  const rt = await getRuntime(c.env);
  const day = c.req.valid("query").day ?? utcDay(Date.now());
  const specialists = await Promise.all(
    rt.config.specialists.map(async (s) => {
      const [counters, pool] = await Promise.all([metricsStub(c.env, s.id)?.day(s.id, day), poolOf(c.env, s, rt.config.router)]);
      const summary = summarize(counters ?? emptyDay(s.id, day));
      return { id: s.id, ...summary, ...pool };
    }),
  );
  const requests = specialists.reduce((n, s) => n + s.requests, 0);
  const errors = specialists.reduce((n, s) => n + s.errors, 0);
  const totals = {
    requests,
    errors,
    errorRate: requests === 0 ? 0 : r6(errors / requests),
    denied: specialists.reduce((n, s) => n + s.denied, 0),
    costUsd: r6(specialists.reduce((n, s) => n + s.costUsd, 0)),
    escalations: specialists.reduce((n, s) => n + (s.escalations?.count ?? 0), 0),
  };
  return c.json({ day, generatedAt: new Date().toISOString(), totals, specialists }, 200);
});
