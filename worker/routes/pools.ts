import { createRoute, z } from "@hono/zod-openapi";
import { routeGroup } from "../http/openapi-app.ts";
import { notFound } from "../http/problem.ts";
import { commonProblems, problemResponse } from "../http/schemas.ts";
import type { PoolView } from "../pools/pool.ts";
import { shardConfig } from "../pools/shards.ts";
import { poolConfigOf, poolName, poolStub } from "../routing/admission.ts";
import { getRuntime } from "../runtime.ts";

const PoolName = z.string().regex(/^specialist:[a-z][a-z0-9_-]{0,63}$/, "a pool name: 'specialist:<id>'");

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

/** `GET /v1/pools/:name`: the specialist's pool as its Durable Object(s) see it now. */
export const poolRoutes = routeGroup().openapi(get, async (c) => {
  const { name } = c.req.valid("param");
  const rt = await getRuntime(c.env);
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
