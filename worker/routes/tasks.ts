import { createRoute, z } from "@hono/zod-openapi";
import type { Context, TypedResponse } from "hono";
import { streamSSE } from "hono/streaming";
import type { AppEnv } from "../env.ts";
import { routeGroup } from "../http/openapi-app.ts";
import { actorOf } from "../http/auth.ts";
import { badRequest, contentFlagged, notFound, ProblemError } from "../http/problem.ts";
import { commonProblems, JsonValue, problemResponse } from "../http/schemas.ts";
import type { JsonObject } from "../json.ts";
import { ApproveDecision, AuditView, CancelRequest, Decision, TaskAccepted, TaskId, TaskRequest, TaskView } from "../http/task-schemas.ts";
import { getRuntime } from "../runtime.ts";
import { openTaskFeed } from "../tasks/follow.ts";
import { submitTask } from "../tasks/submit.ts";
import { taskLinks } from "../tasks/links.ts";
import { taskStub } from "../tasks/task-stub.ts";
import type { TaskEvent } from "../tasks/types.ts";
import { controlStub } from "../control.ts";
import { MAX_EVENT_STREAM_MS, streamSlot } from "../routing/stream-slots.ts";

const Params = z.object({ id: TaskId });
const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });

const links = taskLinks;

const submit = createRoute({
  method: "post",
  path: "/v1/tasks",
  summary: "Start a multi-step task",
  request: { body: { required: true, content: { "application/json": { schema: TaskRequest } } } },
  responses: { 202: json(TaskAccepted, "Accepted; follow links.events"), ...commonProblems, 409: problemResponse("Same idempotency key, other body") },
});
const list = createRoute({
  method: "get",
  path: "/v1/tasks",
  summary: "The caller's tasks, newest first",
  request: { query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }) },
  responses: {
    200: json(z.object({ tasks: z.array(z.object({ id: z.string(), goal: z.string(), status: z.string(), createdAt: z.string(), updatedAt: z.string() })) }), "Tasks"),
    ...commonProblems,
  },
});
const get = createRoute({ method: "get", path: "/v1/tasks/{id}", summary: "Task state", request: { params: Params }, responses: { 200: json(TaskView, "The task"), 404: problemResponse("Unknown task"), ...commonProblems } });
const audit = createRoute({ method: "get", path: "/v1/tasks/{id}/audit", summary: "Hash-chained audit log", request: { params: Params }, responses: { 200: json(AuditView, "Entries and verification"), 404: problemResponse("Unknown task"), ...commonProblems } });
const events = createRoute({
  method: "get",
  path: "/v1/tasks/{id}/events",
  summary: "Server-Sent Events of the task's progress (resumable with Last-Event-ID)",
  request: { params: Params },
  responses: { 200: { description: "text/event-stream", content: { "text/event-stream": { schema: z.string() } } }, 404: problemResponse("Unknown task"), ...commonProblems },
});
const gateResponses = { 200: json(TaskView, "The task after the decision"), 404: problemResponse("Unknown task"), 409: problemResponse("Not awaiting approval / already ended"), ...commonProblems };
const gate = (action: "approve" | "reject") =>
  createRoute({
    method: "post",
    path: `/v1/tasks/{id}/${action}`,
    summary: `${action === "approve" ? "Approve" : "Reject"} a task waiting for approval`,
    request: { params: Params, body: { required: true, content: { "application/json": { schema: action === "approve" ? ApproveDecision : Decision } } } },
    responses: gateResponses,
  });
const cancel = createRoute({
  method: "post",
  path: "/v1/tasks/{id}/cancel",
  summary: "Kill switch: stop the task now",
  request: { params: Params, body: { required: false, content: { "application/json": { schema: CancelRequest } } } },
  responses: gateResponses,
});

const blob = createRoute({
  method: "get",
  path: "/v1/tasks/{id}/context/{sha256}",
  summary: "A task's large shared context, stored once and passed to steps by reference",
  request: { params: Params.extend({ sha256: z.string().regex(/^[0-9a-f]{64}$/) }) },
  responses: { 200: json(z.record(z.string(), JsonValue), "The context object"), 404: problemResponse("Unknown task or hash"), ...commonProblems },
});

/** A human's decision on a gate (a reason is required), or a cancel (its reason is optional). */
export type GateDecision =
  | { action: "approve"; by?: string | undefined; reason: string; pick?: string | undefined }
  | { action: "reject"; by?: string | undefined; reason: string }
  | { action: "cancel"; by?: string | undefined; reason?: string | undefined };

/**
 * Decides a task's gate, or cancels it, as the caller's tenant: the one code path of
 * `POST /v1/tasks/:id/approve|reject|cancel` and of the approvals inbox
 * (`POST /v1/approvals/:taskId/approve|reject`). Answers the task with its links; an
 * unknown task (or another tenant's) is a 404, a task not in that state a 409 (and
 * the approvals inbox forgets it, in case the task's own report never arrived).
 */
export async function decideGate(c: Context<AppEnv>, id: string, d: GateDecision) {
  const p = c.get("principal");
  const actor = actorOf(p, d.by);
  const stub = taskStub(c.env, id);
  const r = await (d.action === "cancel" ? stub.cancel(p.tenant, actor, d.reason ?? "cancelled") : d.action === "approve" ? stub.approve(p.tenant, actor, d.reason, d.pick) : stub.reject(p.tenant, actor, d.reason));
  if (r.ok) return c.json({ ...r.task, links: links(id) }, 200);
  await controlStub(c.env)
    ?.dropApproval(p.tenant, id)
    .catch((e: unknown) => console.warn(JSON.stringify({ msg: "could not drop a stale approval", task: id, error: String(e) })));
  if (r.reason === "bad_pick") throw badRequest(r.detail, [{ path: "pick", message: r.detail }]);
  if (r.reason === "not_found") throw notFound(`no task '${id}'`);
  const detail = r.reason === "terminal" ? `task '${id}' has already ended` : r.reason === "expired" ? `task '${id}': its approval expired; the task was rejected` : `task '${id}' is not awaiting approval`;
  throw new ProblemError({ status: 409, slug: "task-state", title: "Task not in that state", detail });
}

/** `/v1/tasks…`: thin routes over the TaskAgent's RPC methods. */
export const taskRoutes = routeGroup()
  .openapi(list, async (c) => {
    const stub = controlStub(c.env);
    const tasks = stub ? await stub.recentTasks(c.get("principal").tenant, c.req.valid("query").limit) : [];
    return c.json({ tasks }, 200);
  })
  .openapi(submit, async (c) => {
    const { idempotencyKey, ...body } = c.req.valid("json");
    const p = c.get("principal");
    const s = await submitTask(c.env, await getRuntime(c.env), { tenant: p.tenant, actor: actorOf(p), idempotencyKey, body, traceparent: c.get("traceparent") }, (pr) => c.executionCtx.waitUntil(pr));
    if (!s.ok) {
      switch (s.reason) {
        case "invalid":
          throw badRequest(s.detail, s.errors);
        case "flagged":
          throw contentFlagged(s.detail, s.flagged);
        case "conflict":
          throw new ProblemError({ status: 409, slug: "idempotency-conflict", title: "Idempotency conflict", detail: "this idempotencyKey was used with a different body" });
      }
    }
    const { id, status } = s.task;
    if (s.replayed) c.header("idempotent-replayed", "true");
    c.header("location", `/v1/tasks/${id}`);
    return c.json({ id, status, links: links(id) }, 202);
  })
  .openapi(get, async (c) => {
    const { id } = c.req.valid("param");
    const task = await taskStub(c.env, id).get(c.get("principal").tenant);
    if (!task) throw notFound(`no task '${id}'`);
    return c.json({ ...task, links: links(id) }, 200);
  })
  .openapi(audit, async (c) => {
    const { id } = c.req.valid("param");
    const log = await taskStub(c.env, id).audit(c.get("principal").tenant);
    if (!log) throw notFound(`no task '${id}'`);
    return c.json(log, 200);
  })
  .openapi(events, async (c) => {
    const { id } = c.req.valid("param");
    const tenant = c.get("principal").tenant;
    const stub = taskStub(c.env, id);
    const lastId = Number(c.req.header("last-event-id") ?? "0");
    const feed = await openTaskFeed(stub, tenant, Number.isInteger(lastId) && lastId > 0 ? lastId : 0, { until: Date.now() + MAX_EVENT_STREAM_MS });
    if (!feed) throw notFound(`no task '${id}'`);
    const release = await streamSlot(c);
    return streamSSE(c, async (stream) => {
      try {
        const write = (e: TaskEvent) => stream.writeSSE({ id: String(e.seq), event: e.type, data: JSON.stringify({ ...e.data, at: e.at }) });
        for (const e of feed.backlog) {
          if (stream.aborted) return;
          await write(e);
        }
        for await (const e of feed.later) {
          if (stream.aborted) break;
          await write(e);
        }
      } finally {
        release();
      }
    });
  })
  .openapi(blob, async (c) => {
    const { id, sha256 } = c.req.valid("param");
    const body = await taskStub(c.env, id).context(c.get("principal").tenant, sha256);
    if (body === undefined) throw notFound(`no context ${sha256} in task '${id}'`);
    // the stored canonical JSON goes out byte for byte (its SHA-256 is the path's); c.json would write it anew
    const raw: Response = c.body(body, 200, { "content-type": "application/json", "x-content-sha256": sha256 });
    return raw as Response & TypedResponse<JsonObject, 200, "json">;
  })
  .openapi(gate("approve"), async (c) => decideGate(c, c.req.valid("param").id, { action: "approve", ...c.req.valid("json") }))
  .openapi(gate("reject"), async (c) => decideGate(c, c.req.valid("param").id, { action: "reject", ...c.req.valid("json") }))
  .openapi(cancel, async (c) => decideGate(c, c.req.valid("param").id, { action: "cancel", ...(c.req.valid("json") ?? {}) }));
