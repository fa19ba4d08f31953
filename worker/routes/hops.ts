import { createRoute, z } from "@hono/zod-openapi";
import { routeGroup } from "../http/openapi-app.ts";
import { notFound } from "../http/problem.ts";
import { commonProblems, problemResponse } from "../http/schemas.ts";
import { hopView, parsed } from "../hops/record.ts";
import { HopId, HopView } from "../hops/schemas.ts";
import { asyncHopStub } from "../hops/submit.ts";

const get = createRoute({
  method: "get",
  path: "/v1/hops/{id}",
  summary: "An async hop: queued, running, or ended with exactly what the synchronous request would have answered",
  request: { params: z.object({ id: HopId }) },
  responses: {
    200: { description: "The hop", content: { "application/json": { schema: HopView } } },
    404: problemResponse("Unknown or expired hop (or another tenant's)"),
    ...commonProblems,
  },
});

/** `GET /v1/hops/:id`: an async hop's record, tenant-scoped (docs/queues.md, "Async hops"). */
export const hopRoutes = routeGroup().openapi(get, async (c) => {
  const { id } = c.req.valid("param");
  const found = await asyncHopStub(c.env, id).read(c.get("principal").tenant);
  if (!found) throw notFound(`no async hop '${id}' (unknown, expired, or another tenant's)`);
  return c.json(hopView(found.hop, parsed(found.body)), 200);
});
