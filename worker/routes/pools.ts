import { createRoute, z } from "@hono/zod-openapi";
import { routeGroup } from "../http/openapi-app.ts";
import { notFound } from "../http/problem.ts";
import { commonProblems, problemResponse } from "../http/schemas.ts";
import { mergeShardViews } from "../pools/shard-view.ts";
import { tenantPoolOf } from "../routing/admission.ts";
import { specialistPoolView } from "../routing/pool-views.ts";
import { getRuntime } from "../runtime.ts";

const PoolName = z.string().regex(/^(specialist:[a-z][a-z0-9_-]{0,63}|tenant:[A-Za-z0-9][A-Za-z0-9_.-]{0,63})$/, "a pool name: 'specialist:<id>' or 'tenant:<name>'");

const Breaker = z.object({ state: z.enum(["closed", "open", "half-open"]) }).nullable();
const n = z.number().nullable();
/** One pool (shard) as its RateLimitPool object sees it (PoolView); null: not limited, not tracked. */
const PoolShard = z
  .object({
    name: z.string(),
    limits: z.object({ rpm: n, tpm: n, concurrency: n, dailyBudgetUsd: n, windowMs: z.number(), leaseTtlMs: z.number() }),
    requests: z.object({ used: z.number(), available: z.number() }).nullable(),
    tokens: z.object({ used: z.number(), available: n }),
    leases: z.object({ active: z.number(), available: n }).nullable(),
    budget: z.object({ spentUsd: z.number(), remainingUsd: z.number(), resetsAt: z.number().openapi({ description: "epoch ms" }) }).nullable(),
    breaker: Breaker,
  })
  .openapi("PoolShard");
const PoolView = z
  .object({
    name: z.string(),
    specialist: z.string().optional().openapi({ description: "a specialist's pool" }),
    tenant: z.string().optional().openapi({ description: "a tenant's pool" }),
    limited: z.boolean(),
    totals: z.object({ requestsUsed: z.number(), tokensUsed: z.number(), activeLeases: z.number(), spentUsd: z.number() }).openapi({ description: "summed over the shards" }),
    breaker: Breaker.openapi({ description: "the worst state across the shards (open if any is open); null without a breaker" }),
    shards: z.array(PoolShard),
  })
  .openapi("Pool");

const get = createRoute({
  method: "get",
  path: "/v1/pools/{name}",
  summary: "A pool's limits and live usage (every shard), and its breaker",
  request: { params: z.object({ name: PoolName }) },
  responses: {
    200: { description: "The pool", content: { "application/json": { schema: PoolView } } },
    404: problemResponse("Unknown pool"),
    ...commonProblems,
  },
});

/**
 * `GET /v1/pools/:name`: a specialist's pool (shared capacity; no tenant data) or a
 * tenant's own pool, as the Durable Object(s) see it now.
 */
export const poolRoutes = routeGroup().openapi(get, async (c) => {
  const { name } = c.req.valid("param");
  const rt = await getRuntime(c.env);
  if (name.startsWith("tenant:")) {
    // a tenant sees its own pool only (admins see every tenant's)
    const tenant = name.slice("tenant:".length);
    const p = c.get("principal");
    const pool = tenantPoolOf(rt.config, tenant);
    if ((!p.admin && p.tenant !== tenant) || !pool || !c.env.RATE_LIMIT_POOL) throw notFound(`no pool '${name}'`);
    const ns = c.env.RATE_LIMIT_POOL;
    const view = await ns.get(ns.idFromName(name)).view(pool.config);
    // one shard, and no breaker (breakers are a specialist's)
    const { totals, breaker } = mergeShardViews([view]);
    return c.json({ name, tenant, limited: true, totals, breaker, shards: [{ name, ...view }] }, 200);
  }
  const id = name.slice("specialist:".length);
  const s = rt.registry.get(id);
  const pool = s ? await specialistPoolView(c.env, s, rt.config.router) : undefined;
  if (!pool) throw notFound(`no pool '${name}' (the specialist is unknown or has neither limits nor a breaker)`);
  return c.json({ name, specialist: id, limited: pool.limited, totals: pool.totals, breaker: pool.breaker, shards: pool.shards }, 200);
});
