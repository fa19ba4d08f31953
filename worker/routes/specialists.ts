import { createRoute, z } from "@hono/zod-openapi";
import { routeGroup } from "../http/openapi-app.ts";
import { commonProblems } from "../http/schemas.ts";
import { getRuntime } from "../runtime.ts";
import { specialistPoolView } from "../routing/pool-views.ts";
import type { Endpoint } from "../config/schema.ts";

const SpecialistView = z
  .object({
    id: z.string(),
    description: z.string(),
    endpoint: z.object({ type: z.string(), target: z.string() }),
    intents: z.array(z.object({ label: z.string(), description: z.string().optional(), examples: z.number().int() })),
    costPerCall: z.number(),
    limits: z.record(z.string(), z.number()),
    timeoutMs: z.number(),
    retries: z.number(),
    fallbacks: z.array(z.string()),
    isFallback: z.boolean(),
    health: z.object({
      pool: z.string().nullable(),
      breaker: z.enum(["closed", "open", "half-open"]).nullable().openapi({ description: "the worst state across the pool's shards (open if any shard is open); null without a breaker" }),
      limited: z.boolean(),
    }),
  })
  .openapi("Specialist");

const list = createRoute({
  method: "get",
  path: "/v1/specialists",
  summary: "The specialist registry",
  responses: {
    200: { description: "Registered specialists", content: { "application/json": { schema: z.object({ specialists: z.array(SpecialistView) }) } } },
    ...commonProblems,
  },
});

/** Where an endpoint is reached, without secrets: a binding and path, a model on a binding, or a URL's origin. */
function endpointTarget(e: Endpoint): string {
  if (e.type === "service") return `${e.binding}${e.path}`;
  if (e.type === "workers-ai") return `${e.binding}:${e.model}`;
  return new URL(e.url).origin;
}

/** `GET /v1/specialists`: what is registered, how it is reached (no secrets), what it serves. */
export const specialistRoutes = routeGroup().openapi(list, async (c) => {
  const { config } = await getRuntime(c.env);
  const health = async (s: (typeof config.specialists)[number]) => {
    const pool = await specialistPoolView(c.env, s, config.router);
    return pool ? { pool: pool.name, breaker: pool.breaker?.state ?? null, limited: pool.limited } : { pool: null, breaker: null, limited: false };
  };
  const specialists = await Promise.all(config.specialists.map(async (s) => ({
    id: s.id,
    description: s.description,
    endpoint: { type: s.endpoint.type, target: endpointTarget(s.endpoint) },
    intents: s.intents.map((i) => ({ label: i.label, ...(i.description ? { description: i.description } : {}), examples: i.examples.length })),
    costPerCall: s.costPerCall,
    limits: s.limits as Record<string, number>,
    timeoutMs: s.timeoutMs,
    retries: s.retries,
    fallbacks: s.fallbacks,
    isFallback: config.router.fallback === s.id,
    health: await health(s),
  })));
  return c.json({ specialists }, 200);
});
