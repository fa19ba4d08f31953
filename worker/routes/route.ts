import { createRoute } from "@hono/zod-openapi";
import { routeGroup } from "../http/openapi-app.ts";
import { badRequest } from "../http/problem.ts";
import { commonProblems, problemResponse, RouteRequest, RouteResponse } from "../http/schemas.ts";
import { isIntentId } from "../intent/record.ts";
import { inputTooLong } from "../routing/input-limit.ts";
import { serveHop } from "../routing/serve-hop.ts";
import { getRuntime } from "../runtime.ts";
import { asyncMode } from "../hops/prefer.ts";
import { idempotencyKeyHeader } from "../http/idempotency-key.ts";
import { HopAccepted, PreferHeader } from "../hops/schemas.ts";
import { refusePinned, submitAsyncHop } from "../hops/submit.ts";

const route = createRoute({
  method: "post",
  path: "/v1/route",
  summary: "Route one hop: classify (or reuse a cached intent), pick a specialist, call it",
  request: { headers: PreferHeader, body: { required: true, content: { "application/json": { schema: RouteRequest } } } },
  responses: {
    200: { description: "The specialist's output and the routing decision", content: { "application/json": { schema: RouteResponse } } },
    202: { description: "An async hop (\"async\": true or Prefer: respond-async), queued: poll links.self (Location)", content: { "application/json": { schema: HopAccepted } } },
    409: problemResponse("An async hop's idempotencyKey reused with a different request"),
    ...commonProblems,
    404: problemResponse("Unknown intent id or specialist"),
    429: problemResponse("Specialist rate-limited (see Retry-After)"),
    502: problemResponse("Specialist failed"),
    503: problemResponse("No specialist available"),
    504: problemResponse("Specialist timed out"),
  },
});

const ms = (a: number, b: number) => Math.round((b - a) * 1000) / 1000;

/**
 * `POST /v1/route`: DESIGN §3. Parse → {@link serveHop} (intent → decide → dispatch) → JSON;
 * with `"async": true` (or `Prefer: respond-async`), parse → 202 with a hop id, the hop
 * run from the queue (worker/hops/).
 */
export const routeRoutes = routeGroup().openapi(route, async (c) => {
  const t0 = performance.now();
  const rt = await getRuntime(c.env);
  const body = c.req.valid("json");
  const intentIdIn = body.intent ?? c.req.header("x-intent-id");
  if (intentIdIn !== undefined && !isIntentId(intentIdIn)) throw badRequest("intent (or X-Intent-Id) must be 'in_' and 32 hex digits");
  if (body.input === undefined && intentIdIn === undefined) throw badRequest("send 'input', or 'intent' (an intent id from an earlier hop)");
  const tooLong = body.input === undefined ? undefined : inputTooLong(body.input, rt.config.router.maxInputChars);
  if (tooLong) throw badRequest(tooLong, [{ path: "input", message: "too long" }]);
  const headerKey = idempotencyKeyHeader(c.req.header("idempotency-key"));
  if (headerKey !== undefined && body.idempotencyKey !== undefined && headerKey !== body.idempotencyKey)
    throw badRequest("idempotencyKey and the Idempotency-Key header differ: send one", [{ path: "idempotencyKey", message: "differs from the Idempotency-Key header" }]);
  const idempotencyKey = body.idempotencyKey ?? headerKey;
  const mode = asyncMode(body.async, c.req.header("prefer"), c.get("asyncHop") !== undefined);
  if (body.callback && !mode.async) throw badRequest('a callback is for async hops: send "async": true (or Prefer: respond-async) with it', [{ path: "callback", message: "needs async" }]);
  if (mode.async) {
    refusePinned(rt, body.specialist);
    const { async: _async, callback, ...rest } = body;
    const sync = { ...rest, ...(idempotencyKey !== undefined ? { idempotencyKey } : {}) };
    const headers: Record<string, string> = body.intent === undefined && intentIdIn !== undefined ? { "x-intent-id": intentIdIn } : {};
    const submission = { door: "route" as const, path: "/v1/route", body: JSON.stringify(sync), headers, idempotencyKey, callback, preferenceApplied: mode.preferenceApplied };
    return c.json(await submitAsyncHop(c, submission, rt.config.router.allowPrivateNetworks), 202);
  }
  // the MCP door's tool calls come in process, carrying what only the router may say (worker/hops/internal-call.ts)
  const tool = c.var.internalTool;
  const hop = await serveHop(c, { input: body.input, intentId: intentIdIn, pinned: body.specialist, context: body.context, idempotencyKey, t0, call: c.var.callSpecialist, tool });
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
