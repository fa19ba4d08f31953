import { createRoute, z } from "@hono/zod-openapi";
import { endTime, startTime } from "hono/timing";
import { routeGroup } from "../http/openapi-app.ts";
import { badRequest, notFound } from "../http/problem.ts";
import { commonProblems, IntentId, IntentRequest, IntentResponse, IntentRecordSchema, problemResponse } from "../http/schemas.ts";
import { publicRecord } from "../intent/record.ts";
import { inputTooLong } from "../routing/input-limit.ts";
import { getRuntime, lookupIntent } from "../runtime.ts";

const classify = createRoute({
  method: "post",
  path: "/v1/intents",
  summary: "Classify an input into an intent (cached)",
  request: { body: { required: true, content: { "application/json": { schema: IntentRequest } } } },
  responses: { 200: { description: "The intent record", content: { "application/json": { schema: IntentResponse } } }, ...commonProblems },
});

const lookup = createRoute({
  method: "get",
  path: "/v1/intents/{id}",
  summary: "A cached intent record by id",
  request: { params: z.object({ id: IntentId }) },
  responses: {
    200: { description: "The intent record", content: { "application/json": { schema: IntentRecordSchema } } },
    404: problemResponse("Unknown or expired intent id"),
    ...commonProblems,
  },
});

/** `POST /v1/intents` and `GET /v1/intents/:id`. */
export const intentRoutes = routeGroup()
  .openapi(classify, async (c) => {
    const rt = await getRuntime(c.env);
    const { input } = c.req.valid("json");
    const tooLong = inputTooLong(input, rt.config.router.maxInputChars);
    if (tooLong) throw badRequest(tooLong, [{ path: "input", message: "too long" }]);
    startTime(c, "intent");
    const { record, source } = await (await rt.intentsFor(c.get("principal").tenant)).classify(input, (p) => c.executionCtx.waitUntil(p), c.get("principal").tenant);
    endTime(c, "intent");
    c.header("x-intent-id", record.id);
    return c.json({ ...publicRecord(record), cached: source }, 200);
  })
  .openapi(lookup, async (c) => {
    const rt = await getRuntime(c.env);
    const { id } = c.req.valid("param");
    startTime(c, "intent");
    const hit = await lookupIntent(c.env, rt, c.get("principal").tenant, id, (p) => c.executionCtx.waitUntil(p));
    endTime(c, "intent");
    if (!hit) throw notFound(`no intent '${id}' is cached for the current model (it may have expired or the model changed)`);
    c.header("x-intent-id", id);
    return c.json(publicRecord(hit.record), 200);
  });
