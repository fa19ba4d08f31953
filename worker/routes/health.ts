import { createRoute, z } from "@hono/zod-openapi";
import { routeGroup } from "../http/openapi-app.ts";
import { baseConfig, getRuntime } from "../runtime.ts";
import { switchFreshness } from "../control.ts";
import { ProblemError } from "../http/problem.ts";
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
      content: {
        "application/json": {
          schema: z.object({
            ok: z.literal(true),
            version: z.string(),
            encoder: z.string(),
            intentModel: z
              .object({
                source: z.enum(["memory", "built-in", "kv", "fitter", "interim"]),
                key: z.string(),
                fingerprint: z.string(),
              })
              .optional()
              .openapi({
                description:
                  "Where this isolate's intent model came from — built in at build time, a snapshot in memory or KV, the IntentFitter Durable Object, or `interim` (the previous model serves while the fitter fits a changed config) — with its key and fingerprint. Absent when the control plane was never reached.",
              }),
            specialists: z.number().int(),
            control: z.enum(["ok", "stale", "unavailable"]).openapi({
              description: "The control plane (kill switches, registrations): read; its last good state served (unreachable now); never reached (routed requests are 503 until it is)",
            }),
          }),
        },
      },
    },
  },
});

/**
 * `GET /healthz` (no auth). Building the runtime here also proves the config loads.
 * A control plane that cannot be read does not make the Worker unhealthy: it says so
 * in `control` (and the base config's specialists are counted).
 */
export const healthRoutes = routeGroup().openapi(health, async (c) => {
  if (!hasKeys(c.env)) throw noKeysProblem();
  const version = c.env.VERSION ?? pkg.version;
  try {
    const rt = await getRuntime(c.env);
    return c.json({ ok: true as const, version, encoder: rt.intents.model.encoder.id, intentModel: rt.intentModel, specialists: rt.registry.size, control: switchFreshness() === "stale" ? ("stale" as const) : ("ok" as const) }, 200);
  } catch (e) {
    const base = baseConfig(c.env);
    if (!(e instanceof ProblemError && e.problem.slug === "control-plane-unavailable") || !base.ok) throw e;
    return c.json({ ok: true as const, version, encoder: base.config.router.encoder, specialists: base.config.specialists.length, control: "unavailable" as const }, 200);
  }
});
