import { createRoute, z } from "@hono/zod-openapi";
import { routeGroup } from "../http/openapi-app.ts";
import { notFound } from "../http/problem.ts";
import { commonProblems, problemResponse } from "../http/schemas.ts";
import { TaskId } from "../http/task-schemas.ts";
import { readHopTrace } from "../observe/sinks.ts";
import type { SpanRecord } from "../observe/span.ts";
import { taskStub } from "../tasks/task-stub.ts";

const AttrValue = z.union([z.string(), z.number(), z.boolean()]);
/** A span as the trace routes show it (times in epoch ms, as the runtime's clock gave them). */
export const SpanView = z
  .object({
    traceId: z.string().regex(/^[0-9a-f]{32}$/),
    spanId: z.string().regex(/^[0-9a-f]{16}$/),
    parentSpanId: z.string().optional().openapi({ description: "absent for a trace's first span; the caller's span for a request span" }),
    name: z.string().openapi({ examples: ["POST /v1/route", "intent", "decide", "admission", "specialist.call", "task", "step", "plan", "verification"] }),
    kind: z.enum(["server", "client", "internal"]),
    startMs: z.number(),
    endMs: z.number().nullable().openapi({ description: "null while open (a running task's own span)" }),
    durationMs: z.number().nullable(),
    attributes: z.record(z.string(), AttrValue),
    status: z.object({ code: z.enum(["unset", "ok", "error"]), message: z.string().optional() }),
  })
  .openapi("Span");
const Trace = z.object({ id: z.string(), traceId: z.string(), spans: z.array(SpanView), droppedSpans: z.number().int().optional() }).openapi("Trace");
const json = (description: string) => ({ description, content: { "application/json": { schema: Trace } } });

const HopId = z.string().regex(/^hop_[0-9a-f-]{36}$/, "a hop id: 'hop_' and a UUID");

const taskTrace = createRoute({
  method: "get",
  path: "/v1/tasks/{id}/trace",
  summary: "A task's spans: the task, each step (and plan), intent, admission, every specialist call attempt, verification",
  request: { params: z.object({ id: TaskId }) },
  responses: { 200: json("The task's trace"), 404: problemResponse("Unknown task (or another tenant's)"), ...commonProblems },
});
const hopTrace = createRoute({
  method: "get",
  path: "/v1/hops/{id}/trace",
  summary: "A one-hop trace (/v1/route, chat completions, A2A): request, intent, decide, admission, every call attempt",
  request: { params: z.object({ id: HopId }) },
  responses: { 200: json("The hop's trace"), 404: problemResponse("Unknown or expired hop (or another tenant's, or not sampled)"), ...commonProblems },
});

/** Spans ordered by start, with their duration. */
function view(spans: readonly SpanRecord[]) {
  return [...spans].sort((a, b) => a.startMs - b.startMs).map((s) => ({ ...s, durationMs: s.endMs === null ? null : Math.max(0, s.endMs - s.startMs) }));
}

/** `GET /v1/tasks/:id/trace` and `GET /v1/hops/:id/trace`: stored spans, tenant-scoped. */
export const traceRoutes = routeGroup()
  .openapi(taskTrace, async (c) => {
    const { id } = c.req.valid("param");
    const t = await taskStub(c.env, id).traceOf(c.get("principal").tenant);
    if (!t) throw notFound(`no task '${id}'`);
    return c.json({ id, traceId: t.traceId, spans: view(t.spans), droppedSpans: t.droppedSpans }, 200);
  })
  .openapi(hopTrace, async (c) => {
    const { id } = c.req.valid("param");
    const t = await readHopTrace(c.env, id, c.get("principal").tenant);
    if (!t) throw notFound(`no trace of hop '${id}' (unknown, expired, another tenant's, or not sampled)`);
    return c.json({ id, traceId: t.traceId, spans: view(t.spans) }, 200);
  });
