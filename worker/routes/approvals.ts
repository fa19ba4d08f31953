import { createRoute, z } from "@hono/zod-openapi";
import { ApprovalInbox, ApprovalItem, ApprovalsQuery, AssignRequest, ReviewerAtCapacity } from "../http/approval-schemas.ts";
import { actorOf } from "../http/auth.ts";
import { routeGroup } from "../http/openapi-app.ts";
import { badRequest, notFound, ProblemError } from "../http/problem.ts";
import { commonProblems, problemResponse } from "../http/schemas.ts";
import { ApproveDecision, Decision, TaskId, TaskView } from "../http/task-schemas.ts";
import { controlStub } from "../control.ts";
import { getRuntime } from "../runtime.ts";
import { approvalItem, reviewerName } from "../tasks/approvals.ts";
import { taskStub } from "../tasks/task-stub.ts";
import { decideGate } from "./tasks.ts";

const Params = z.object({ taskId: TaskId });
const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });

const list = createRoute({
  method: "get",
  path: "/v1/approvals",
  summary: "The approvals inbox: the caller's tasks waiting for a human, soonest-expiring first",
  request: { query: ApprovalsQuery },
  responses: { 200: json(ApprovalInbox, "Open approvals"), ...commonProblems },
});
const assign = createRoute({
  method: "post",
  path: "/v1/approvals/{taskId}/assign",
  summary: "Assign an open approval to a reviewer (null unassigns)",
  request: { params: Params, body: { required: true, content: { "application/json": { schema: AssignRequest } } } },
  responses: {
    200: json(ApprovalItem, "The approval after the change"),
    404: problemResponse("No open approval of this task (unknown, another tenant's, not waiting, or expired)"),
    409: { description: "The reviewer already holds the per-reviewer cap of open approvals", content: { "application/problem+json": { schema: ReviewerAtCapacity } } },
    ...commonProblems,
  },
});
const gate = (action: "approve" | "reject") =>
  createRoute({
    method: "post",
    path: `/v1/approvals/{taskId}/${action}`,
    summary: `${action === "approve" ? "Approve" : "Reject"} from the inbox: the same as POST /v1/tasks/{id}/${action}`,
    request: { params: Params, body: { required: true, content: { "application/json": { schema: action === "approve" ? ApproveDecision : Decision } } } },
    responses: { 200: json(TaskView, "The task after the decision"), 404: problemResponse("Unknown task"), 409: problemResponse("Not awaiting approval / already ended"), ...commonProblems },
  });

/** The control plane, which keeps the inbox; a router without one has no inbox to change. */
function inbox(env: Parameters<typeof controlStub>[0]) {
  const stub = controlStub(env);
  if (!stub) throw new ProblemError({ status: 503, slug: "control-plane-unavailable", title: "Control plane unavailable", detail: "this router has no control plane (CONTROL_PLANE binding): it keeps no approvals inbox" });
  return stub;
}

/**
 * `/v1/approvals…`: the approvals inbox across the caller's tasks (the control plane's
 * rows, fed by each TaskAgent as its gates open and close). Approve and reject are
 * the task routes' own code path (`decideGate`).
 */
export const approvalRoutes = routeGroup()
  .openapi(list, async (c) => {
    const { assignee: asked, unassigned, limit } = c.req.valid("query");
    const assignee = asked === undefined ? undefined : reviewerName(asked);
    if (assignee !== undefined && unassigned === "true") throw badRequest("invalid query: give assignee or unassigned=true, not both", [{ path: "unassigned", message: "not with assignee" }]);
    const cap = (await getRuntime(c.env)).config.tasks.maxOpenApprovalsPerReviewer;
    const stub = controlStub(c.env);
    const rows = stub ? await stub.approvals(c.get("principal").tenant, { assignee, unassigned: unassigned === "true" }, Date.now(), limit) : [];
    return c.json({ approvals: rows.map(approvalItem), maxOpenPerReviewer: cap }, 200);
  })
  .openapi(assign, async (c) => {
    const { taskId } = c.req.valid("param");
    const { reviewer: named, by } = c.req.valid("json");
    const reviewer = named === null ? null : reviewerName(named);
    const p = c.get("principal");
    const cap = (await getRuntime(c.env)).config.tasks.maxOpenApprovalsPerReviewer;
    const control = inbox(c.env);
    // the task has the last word on whether it waits: a row whose report of the gate's end was lost goes now
    const task = await taskStub(c.env, taskId).get(p.tenant);
    if (task?.status !== "awaiting_approval") {
      if (task) await control.dropApproval(p.tenant, taskId);
      throw notFound(task ? `task '${taskId}' is not awaiting approval` : `no task '${taskId}'`);
    }
    const { decision, row } = await control.assignApproval(p.tenant, taskId, reviewer, actorOf(p, by), cap, Date.now());
    if (decision.ok && row) return c.json(approvalItem(row), 200);
    if (!decision.ok && decision.reason === "at_capacity")
      throw new ProblemError({
        status: 409,
        slug: "reviewer-at-capacity",
        title: "Reviewer at capacity",
        detail: `reviewer '${reviewer}' already holds ${decision.held} open approvals, the cap (tasks.maxOpenApprovalsPerReviewer = ${decision.cap}); unassign one or assign someone else`,
        extra: { reviewer, held: decision.held, cap: decision.cap },
      });
    throw notFound(`no open approval of task '${taskId}' in the inbox (it expired, or its gate was never reported)`);
  })
  .openapi(gate("approve"), async (c) => decideGate(c, c.req.valid("param").taskId, { action: "approve", ...c.req.valid("json") }))
  .openapi(gate("reject"), async (c) => decideGate(c, c.req.valid("param").taskId, { action: "reject", ...c.req.valid("json") }));
