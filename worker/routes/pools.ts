import { createRoute, z } from "@hono/zod-openapi";
import { routeGroup } from "../http/openapi-app.ts";
import { notFound } from "../http/problem.ts";
import { commonProblems, problemResponse } from "../http/schemas.ts";
import { mergeShardViews } from "../pools/shard-view.ts";
import { tenantPoolOf } from "../routing/admission.ts";
import { specialistPoolView } from "../routing/pool-views.ts";
import { getRuntime } from "../runtime.ts";

const PoolName = z.string().regex(/^(specialist:[a-z][a-z0-9_-]{0,63}|tenant:[A-Za-z0-9][A-Za-z0-9_.-]{0,63})$/, "a pool name: 'specialist:<id>' or 'tenant:<name>'");

const get = createRoute({
  method: "get",
  path: "/v1/pools/{name}",
  summary: "A pool's limits and live usage (every shard), and its breaker",
  request: { params: z.object({ name: PoolName }) },
  responses: {
    200: { description: "The pool", content: { "application/json": { schema: z.object({ name: z.string(), shards: z.array(z.record(z.string(), z.unknown())) }).passthrough() } } },
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
    return c.json({ name, tenant, limited: true, totals, breaker, shards: [{ name, ...view }] } as never, 200);
  }
  const id = name.slice("specialist:".length);
  const s = rt.registry.get(id);
  const pool = s ? await specialistPoolView(c.env, s, rt.config.router) : undefined;
  if (!pool) throw notFound(`no pool '${name}' (the specialist is unknown or has neither limits nor a breaker)`);
  return c.json({ name, specialist: id, limited: pool.limited, totals: pool.totals, breaker: pool.breaker, shards: pool.shards } as never, 200);
});
