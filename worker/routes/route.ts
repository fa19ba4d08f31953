import { createRoute } from "@hono/zod-openapi";
import { endTime, startTime } from "hono/timing";
import { binding } from "../env.ts";
import { callEndpoint } from "../adapters/index.ts";
import { decisionProblem, failureProblem } from "../http/failures.ts";
import { routeGroup } from "../http/openapi-app.ts";
import { badRequest, notFound } from "../http/problem.ts";
import { commonProblems, problemResponse, RouteRequest, RouteResponse } from "../http/schemas.ts";
import { isIntentId } from "../intent/record.ts";
import { decide } from "../routing/decide.ts";
import { admission } from "../routing/admission.ts";
import { dispatch, fallbackChain } from "../routing/dispatch.ts";
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

/** `POST /v1/route`: DESIGN §3. Parse → intent → decide → dispatch → JSON. */
export const routeRoutes = routeGroup().openapi(route, async (c) => {
  const t0 = performance.now();
  const rt = await getRuntime(c.env);
  const body = c.req.valid("json");
  const intentIdIn = body.intent ?? c.req.header("x-intent-id");
  if (intentIdIn !== undefined && !isIntentId(intentIdIn)) throw badRequest("intent (or X-Intent-Id) must be 'in_' and 32 hex digits");
  if (body.input === undefined && intentIdIn === undefined) throw badRequest("send 'input', or 'intent' (an intent id from an earlier hop)");
  if (body.input !== undefined && body.input.length > rt.config.router.maxInputChars)
    throw badRequest(`input is longer than ${rt.config.router.maxInputChars} characters`);
  const defer = (p: Promise<unknown>) => c.executionCtx.waitUntil(p);

  startTime(c, "intent");
  const t1 = performance.now();
  let intent;
  if (intentIdIn !== undefined) {
    intent = (await rt.intents.lookup(intentIdIn, defer))?.record;
    if (!intent) throw notFound(`no intent '${intentIdIn}' is cached for the current model; send 'input' instead`);
  } else if (body.specialist === undefined) {
    intent = (await rt.intents.classify(body.input!, defer)).record;
  }
  endTime(c, "intent");

  startTime(c, "route");
  const t2 = performance.now();
  const r = decide({ pinned: body.specialist, intent, registry: rt.registry, minConfidence: rt.config.router.minConfidence, costMargin: rt.config.router.costMargin });
  if (!r.ok) throw decisionProblem(r);
  const chosen = rt.registry.get(r.decision.specialist)!;
  endTime(c, "route");

  startTime(c, "specialist");
  const t3 = performance.now();
  const hopId = `hop_${crypto.randomUUID()}`;
  const request = {
    input: body.input ?? intent!.input,
    ...(intent ? { intent: { id: intent.id, label: intent.label, confidence: intent.confidence } } : {}),
    ...(body.context ? { context: body.context } : {}),
    idempotencyKey: body.idempotencyKey ?? hopId,
    traceparent: c.get("traceparent"),
  };
  const candidates = r.decision.candidates.map((id) => rt.registry.get(id)!);
  const result = await dispatch(fallbackChain(candidates, rt.registry), {
    admit: admission(c.env, rt.config.router, hopId, defer),
    call: (s) => callEndpoint(s.endpoint, request, { binding: (n) => binding(c.env, n), signal: AbortSignal.timeout(s.timeoutMs) }),
    sleep: (d) => new Promise((res) => setTimeout(res, d)),
    rng: Math.random,
    now: () => performance.now(),
  });
  endTime(c, "specialist");
  if (!result.ok) throw failureProblem(result.failure, result.attempts);
  const t4 = performance.now();

  if (intent) c.header("x-intent-id", intent.id);
  c.header("x-switchyard-specialist", result.specialist.id);
  const { costUsd: reportedCost, ...usage } = result.usage;
  return c.json(
    {
      id: hopId,
      decision: {
        ...r.decision,
        specialist: result.specialist.id,
        ...(result.specialist.id !== chosen.id
          ? {
              reason: `${r.decision.reason}; ${result.attempts
                .filter((a) => !a.ok)
                .map((a) => `'${a.specialist}' ${a.failure?.kind === "over_limit" ? "over its limit" : a.failure?.kind === "circuit_open" ? "circuit open" : "failed"}`)
                .filter((x, i, all) => all.indexOf(x) === i)
                .join(", ")}, served by ${r.decision.candidates.includes(result.specialist.id) ? "candidate" : "fallback"} '${result.specialist.id}'`,
            }
          : {}),
        intent: intent ? { id: intent.id, label: intent.label, confidence: intent.confidence } : null,
      },
      output: result.output,
      usage: { specialist: result.specialist.id, costUsd: result.specialist.costPerCall + (reportedCost ?? 0), attempts: result.attempts.length, ...usage },
      attempts: result.attempts.map((a) => ({ specialist: a.specialist, attempt: a.attempt, ok: a.ok, ms: ms(0, a.ms), ...(a.failure ? { failure: a.failure.kind } : {}) })),
      timings: { intentMs: ms(t1, t2), routeMs: ms(t2, t3), specialistMs: ms(t3, t4), totalMs: ms(t0, t4) },
    },
    200,
  );
});
