import { createRoute } from "@hono/zod-openapi";
import { routeGroup } from "../http/openapi-app.ts";
import { badRequest } from "../http/problem.ts";
import { commonProblems, problemResponse, RouteRequest, RouteResponse } from "../http/schemas.ts";
import { isIntentId } from "../intent/record.ts";
import { inputTooLong } from "../routing/input-limit.ts";
import { serveHop } from "../routing/serve-hop.ts";
import { getRuntime } from "../runtime.ts";

const route = createRoute({
  method: "post",
  path: "/v1/route",
  summary: "Route one hop: classify (or reuse a cached intent), pick a specialist, call it",
  request: { body: { required: true, content: { "application/json": { schema: RouteRequest } } } },
  responses: {
    200: { description: "The specialist's output and the routing decision", content: { "application/json": { schema: RouteResponse } } },
    ...commonProblems,
    404: problemResponse("Unknown intent id or specialist"),
    429: problemResponse("Specialist rate-limited (see Retry-After)"),
    502: problemResponse("Specialist failed"),
    503: problemResponse("No specialist available"),
    504: problemResponse("Specialist timed out"),
  },
});

const ms = (a: number, b: number) => Math.round((b - a) * 1000) / 1000;

/** `POST /v1/route`: DESIGN §3. Parse → {@link serveHop} (intent → decide → dispatch) → JSON. */
export const routeRoutes = routeGroup().openapi(route, async (c) => {
  const t0 = performance.now();
  const rt = await getRuntime(c.env);
  const body = c.req.valid("json");
  const intentIdIn = body.intent ?? c.req.header("x-intent-id");
  if (intentIdIn !== undefined && !isIntentId(intentIdIn)) throw badRequest("intent (or X-Intent-Id) must be 'in_' and 32 hex digits");
  if (body.input === undefined && intentIdIn === undefined) throw badRequest("send 'input', or 'intent' (an intent id from an earlier hop)");
  const tooLong = body.input === undefined ? undefined : inputTooLong(body.input, rt.config.router.maxInputChars);
  if (tooLong) throw badRequest(tooLong, [{ path: "input", message: "too long" }]);
  const hop = await serveHop(c, { input: body.input, intentId: intentIdIn, pinned: body.specialist, context: body.context, idempotencyKey: body.idempotencyKey, t0, call: c.var.callSpecialist });
  const { intent, result } = hop;

  if (intent) c.header("x-intent-id", intent.id);
  c.header("x-switchyard-specialist", result.specialist.id);
  const { costUsd: reportedCost, ...usage } = result.usage;
  return c.json(
    {
      id: hop.id,
      decision: {
        ...hop.decision,
        specialist: result.specialist.id,
        reason: hop.reason,
        intent: intent ? { id: intent.id, label: intent.label, confidence: intent.confidence } : null,
      },
      output: result.output,
      usage: { specialist: result.specialist.id, costUsd: result.specialist.costPerCall + (reportedCost ?? 0), attempts: result.attempts.length, ...usage },
      attempts: result.attempts.map((a) => ({ specialist: a.specialist, attempt: a.attempt, ok: a.ok, ms: ms(0, a.ms), ...(a.failure ? { failure: a.failure.kind } : {}) })),
      timings: hop.timings,
      ...(hop.screening ? { screening: hop.screening } : {}),
    },
    200,
  );
});
