import { createRoute, z } from "@hono/zod-openapi";
import { routeGroup } from "../http/openapi-app.ts";
import { getRuntime } from "../runtime.ts";
import { hasKeys, noKeysProblem } from "../http/auth.ts";
import pkg from "../../package.json";

const health = createRoute({
  method: "get",
  path: "/healthz",
  summary: "Liveness and version",
  security: [],
  responses: {
    200: {
      description: "The router is up",
      content: { "application/json": { schema: z.object({ ok: z.literal(true), version: z.string(), encoder: z.string(), specialists: z.number().int() }) } },
    },
  },
});

/** `GET /healthz` (no auth). Building the runtime here also proves the config loads. */
export const healthRoutes = routeGroup().openapi(health, async (c) => {
  if (!hasKeys(c.env)) throw noKeysProblem();
  const rt = await getRuntime(c.env);
  return c.json({ ok: true as const, version: c.env.VERSION ?? pkg.version, encoder: rt.intents.model.encoder.id, specialists: rt.registry.size }, 200);
});
