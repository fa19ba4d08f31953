import { createRoute, z } from "@hono/zod-openapi";
import { actorOf } from "../http/auth.ts";
import { idempotencyKeyHeader } from "../http/idempotency-key.ts";
import { routeGroup } from "../http/openapi-app.ts";
import { badRequest, ProblemError } from "../http/problem.ts";
import { commonProblems, problemResponse } from "../http/schemas.ts";
import { AuditView } from "../http/task-schemas.ts";
import { bodyHash, bodyOf, correctionIssues, targetOf, viewOf, type FeedbackRecord } from "../feedback/record.ts";
import { feedbackStub, resolveTarget } from "../feedback/resolve.ts";
import { FeedbackList, FeedbackListQuery, FeedbackRequest, FeedbackView } from "../feedback/schema.ts";
import { takesHops } from "../routing/capabilities.ts";
import { getRuntime, type Runtime } from "../runtime.ts";
import { learnCorrection } from "../learning.ts";
import { requireAdmin } from "./admin.ts";

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });
const SpecialistQuery = z.object({ specialist: z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, "a specialist id") });

const give = createRoute({
  method: "post",
  path: "/v1/feedback",
  summary: "Feedback on a hop, a task step or an intent: good or bad, with an optional correction, score and comment (one per target; latest wins)",
  request: {
    headers: z.object({ "idempotency-key": z.string().optional().openapi({ description: "optional: reused with another target or body, a 409" }) }),
    body: { required: true, content: { "application/json": { schema: FeedbackRequest } } },
  },
  responses: {
    201: json(FeedbackView, "Stored: the first feedback on this target"),
    200: json(FeedbackView, "The same body again (the stored record, counted once), or a different body that replaced it (replaced: true)"),
    404: problemResponse("Unknown target (or another tenant's, or a hop older than observability.feedbackWindowSeconds)"),
    409: problemResponse("The Idempotency-Key was used with another target or body, or the step has not run"),
    ...commonProblems,
  },
});
const list = createRoute({
  method: "get",
  path: "/v1/feedback",
  summary: "The caller's feedback, newest first",
  request: { query: FeedbackListQuery },
  responses: { 200: json(FeedbackList, "Feedback records"), ...commonProblems },
});
const audit = createRoute({
  method: "get",
  path: "/v1/feedback/audit",
  summary: "A specialist's feedback audit chain (every tenant's) and whether it verifies against its anchor (admin key)",
  request: { query: SpecialistQuery },
  responses: { 200: json(AuditView, "Entries and verification"), ...commonProblems, 403: problemResponse("Not an admin key, or the tenant is stopped by a kill switch") },
});

/** Refuses a specialist the config does not have (its object would be created empty). */
function configured(rt: Runtime, id: string, path: string): void {
  if (!rt.registry.has(id)) throw badRequest(`no specialist '${id}'`, [{ path, message: "not a configured specialist" }]);
}

/**
 * `POST /v1/feedback`, `GET /v1/feedback` and `GET /v1/feedback/audit`
 * (docs/http-api.md, "Feedback"). Every check (body, correction against the config,
 * idempotency key, target) comes before anything is stored; the record is stored in
 * the target's specialist's Metrics object (durable-objects/metrics.ts).
 */
export const feedbackRoutes = routeGroup();
feedbackRoutes.use("/v1/feedback/audit", requireAdmin());
feedbackRoutes
  .openapi(give, async (c) => {
    const rt = await getRuntime(c.env);
    const req = c.req.valid("json");
    const key = idempotencyKeyHeader(c.req.header("idempotency-key"));
    const body = bodyOf(req);
    const labels = new Set(rt.config.specialists.flatMap((s) => s.intents.map((i) => i.label)));
    const issues = correctionIssues(body, labels, (id) => {
      const s = rt.registry.get(id);
      return s ? takesHops(s) : undefined;
    });
    if (issues.length) throw badRequest(`invalid request body: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`, issues);
    const p = c.get("principal");
    const target = targetOf(req);
    const resolved = await resolveTarget(c.env, rt, p.tenant, target, (pr) => c.executionCtx.waitUntil(pr));
    const answer = await feedbackStub(c.env, resolved.specialist).submitFeedback({ tenant: p.tenant, actor: actorOf(p), target, resolved, body, bodyHash: await bodyHash(body), idempotencyKey: key });
    if (answer.kind === "conflict")
      throw new ProblemError({ status: 409, slug: "idempotency-conflict", title: "Idempotency conflict", detail: "this Idempotency-Key was used with another target or body" });
    // a correction teaches the classifier (worker/learning.ts): once per version of the feedback
    const learned =
      answer.kind === "same" ? undefined : await learnCorrection(c.env, rt.config, { ...answer.record, by: actorOf(p), replaced: answer.kind === "replaced" }, (pr) => c.executionCtx.waitUntil(pr));
    return c.json({ ...viewOf(answer.record), ...(learned ? { learned } : {}) }, answer.kind === "created" ? 201 : 200);
  })
  .openapi(list, async (c) => {
    const rt = await getRuntime(c.env);
    const q = c.req.valid("query");
    if (q.specialist !== undefined) configured(rt, q.specialist, "specialist");
    const ids = q.specialist !== undefined ? [q.specialist] : rt.config.specialists.map((s) => s.id);
    const tenant = c.get("principal").tenant;
    const lists = await Promise.all(ids.map((id) => feedbackStub(c.env, id).feedbackList(tenant, { label: q.label, outcome: q.outcome, limit: q.limit })));
    const merged: FeedbackRecord[] = lists.flat().sort((a, b) => b.at - a.at || (a.id < b.id ? -1 : 1));
    return c.json({ feedback: merged.slice(0, q.limit).map(viewOf) }, 200);
  })
  .openapi(audit, async (c) => {
    const rt = await getRuntime(c.env);
    const { specialist } = c.req.valid("query");
    configured(rt, specialist, "specialist");
    return c.json(await feedbackStub(c.env, specialist).feedbackAudit(specialist), 200);
  });
