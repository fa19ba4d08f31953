import { createRoute, z } from "@hono/zod-openapi";
import { routeGroup } from "../http/openapi-app.ts";
import { notFound } from "../http/problem.ts";
import { commonProblems, problemResponse } from "../http/schemas.ts";
import type { PoolView } from "../pools/pool.ts";
import { shardConfig } from "../pools/shards.ts";
import { poolConfigOf, poolName, poolStub, tenantPoolOf } from "../routing/admission.ts";
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
    const view = (await poolStub(c.env, name)!.view(pool.config)) as PoolView;
    return c.json({ name, tenant, limited: true, totals: { requestsUsed: view.requests?.used ?? 0, tokensUsed: view.tokens.used, activeLeases: view.leases?.active ?? 0, spentUsd: view.budget?.spentUsd ?? 0 }, breaker: null, shards: [{ name, ...view }] } as never, 200);
  }
  const id = name.slice("specialist:".length);
  const s = rt.registry.get(id);
  const pc = s ? poolConfigOf(s, rt.config.router) : undefined;
  if (!s || !pc || !c.env.RATE_LIMIT_POOL) throw notFound(`no pool '${name}' (the specialist is unknown or has neither limits nor a breaker)`);
  const shards = await Promise.all(
    Array.from({ length: pc.shards }, async (_, i) => {
      const config = pc.shards > 1 ? shardConfig(pc.config, pc.shards, i) : pc.config;
      const view = (await poolStub(c.env, poolName(id, i, pc.shards))!.view(config)) as PoolView;
      return { name: poolName(id, i, pc.shards), ...view };
    }),
  );
  const sum = (f: (v: PoolView) => number | undefined) => shards.reduce((n, v) => n + (f(v) ?? 0), 0);
  return c.json(
    {
      name,
      specialist: id,
      limited: pc.limited,
      totals: {
        requestsUsed: sum((v) => v.requests?.used),
        tokensUsed: sum((v) => v.tokens.used),
        activeLeases: sum((v) => v.leases?.active),
        spentUsd: Math.round(sum((v) => v.budget?.spentUsd) * 1e6) / 1e6,
      },
      breaker: shards[0]!.breaker,
      shards,
    } as never,
    200,
  );
});
