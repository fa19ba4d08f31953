import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { requireControl } from "../control.ts";
import type { AppEnv } from "../env.ts";
import { actorOf } from "../http/auth.ts";
import { routeGroup } from "../http/openapi-app.ts";
import { badRequest, notFound, ProblemError } from "../http/problem.ts";
import { commonProblems, problemResponse } from "../http/schemas.ts";
import { GLOBAL_SCOPE } from "../intent/learned.ts";
import { teach, warm } from "../learning.ts";
import { getRuntime } from "../runtime.ts";
import { requireAdmin } from "./admin.ts";

const Scope = z
  .string()
  .regex(/^(\*|[A-Za-z0-9][A-Za-z0-9_.-]{0,63})$/, "a tenant name, or '*' for the global scope")
  .openapi({ description: "A tenant's name, or `*`: the examples every tenant's model learns" });
const Status = z.enum(["active", "pending", "rejected", "reverted"]);
const LearnedExample = z
  .object({
    id: z.string(),
    scope: z.string(),
    label: z.string(),
    specialist: z.string(),
    input: z.string(),
    status: Status,
    origin: z.enum(["feedback", "escalation", "admin"]),
    ref: z.string().optional().openapi({ description: "The feedback's id, or the escalated intent's id" }),
    by: z.string(),
    note: z.string().optional().openapi({ description: "Why it is in its status (the guard that held it, a reviewer's note)" }),
    createdAt: z.string(),
    updatedAt: z.string(),
    reviewedBy: z.string().optional(),
  })
  .openapi("LearnedExample");
const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });
const body = <T extends z.ZodType>(schema: T) => ({ required: true, content: { "application/json": { schema } } });
const problems = { ...commonProblems, 403: problemResponse("Not an admin key") };
const Note = z.strictObject({ note: z.string().min(1).max(2000).optional() });

const list = createRoute({
  method: "get",
  path: "/v1/admin/learned",
  summary: "Learned examples, newest first (filter by scope, status, label)",
  request: { query: z.object({ scope: Scope.optional(), status: Status.optional(), label: z.string().max(128).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }) },
  responses: {
    200: json(
      z.object({
        learning: z.number().int().openapi({ description: "The learning version (bumped by every change of the active examples)" }),
        model: z
          .object({ source: z.string(), key: z.string(), fingerprint: z.string(), examples: z.number().int().optional() })
          .optional()
          .openapi({
            description:
              "With `scope`: the model that scope routes with in this isolate now — a tenant's own (`examples`: its active ones; `source` `interim` while the fitter fits it, `shared` without examples of its own), or for `*` the shared one",
          }),
        examples: z.array(LearnedExample),
      }),
      "The examples",
    ),
    ...problems,
  },
});
const add = createRoute({
  method: "post",
  path: "/v1/admin/learned",
  summary: "Teach an example (active unless its label is at its cap; the hourly limit does not apply to admins)",
  request: { body: body(z.strictObject({ input: z.string().min(1).max(2000), label: z.string().min(1).max(128), scope: Scope.default(GLOBAL_SCOPE) })) },
  responses: { ...problems, 201: json(LearnedExample, "Stored"), 200: json(LearnedExample, "The same example was already held"), 400: problemResponse("Unknown label, or input too long"), 409: problemResponse("The scope is full") },
});
const review = (action: "approve" | "reject" | "revert", summary: string) =>
  createRoute({
    method: "post",
    path: `/v1/admin/learned/{id}/${action}`,
    summary,
    request: { params: z.object({ id: z.string().regex(/^lx_[0-9a-f]{24}$/, "a learned example id (lx_…)") }), body: body(Note) },
    responses: { 200: json(LearnedExample, "The example after the decision"), 404: problemResponse("No such example"), 409: problemResponse("Not in a status this applies to"), ...problems },
  });
const bulk = createRoute({
  method: "post",
  path: "/v1/admin/learned/revert",
  summary: "Revert a scope's active and pending examples (all, or those taught since a time)",
  request: { body: body(z.strictObject({ scope: Scope, since: z.iso.datetime({ offset: true }).optional(), note: z.string().max(2000).optional() })) },
  responses: { 200: json(z.object({ reverted: z.number().int() }), "How many were reverted"), ...problems },
});

const control = (c: Context<AppEnv>) => requireControl(c.env);
const defer = (c: Context<AppEnv>) => (p: Promise<unknown>) => c.executionCtx.waitUntil(p);

/** A review's effect on the models: warm the one it changed (a tenant's, or the global one as the reviewer's tenant sees it). */
function rewarm(c: Context<AppEnv>, scope: string): void {
  c.executionCtx.waitUntil(warm(c.env, scope === GLOBAL_SCOPE ? c.get("principal").tenant : scope));
}

/** `/v1/admin/learned*`: list, teach, review and revert learned examples (admin key only; docs/intents.md "Learning from feedback"). */
export const learnedRoutes = routeGroup();
learnedRoutes.use("/v1/admin/learned", requireAdmin());
learnedRoutes.use("/v1/admin/learned/*", requireAdmin());
learnedRoutes
  .openapi(list, async (c) => {
    const q = c.req.valid("query");
    const stub = control(c);
    const [examples, { learning }] = await Promise.all([stub.listLearned(q), stub.switches()]);
    if (q.scope === undefined) return c.json({ learning, examples }, 200);
    const rt = await getRuntime(c.env);
    if (q.scope === GLOBAL_SCOPE) return c.json({ learning, model: rt.intentModel, examples }, 200);
    await rt.intentsFor(q.scope);
    return c.json({ learning, model: rt.tenantModel(q.scope), examples }, 200);
  })
  .openapi(add, async (c) => {
    const b = c.req.valid("json");
    const rt = await getRuntime(c.env);
    const r = await teach(c.env, rt.config, { tenant: c.get("principal").tenant, input: b.input, label: b.label, origin: "admin", by: actorOf(c.get("principal")), scope: b.scope }, defer(c));
    if (!r.ok) throw new ProblemError({ status: r.refused === "rate" ? 429 : 409, slug: r.refused === "rate" ? "learning-rate-limited" : "learning-full", title: "Not learned", detail: r.detail });
    return c.json(r.example, r.existing ? 200 : 201);
  })
  .openapi(review("approve", "Approve a pending example: it becomes active"), (c) => decide(c, "approve", c.req.valid("param").id, c.req.valid("json").note))
  .openapi(review("reject", "Reject a pending example"), (c) => decide(c, "reject", c.req.valid("param").id, c.req.valid("json").note))
  .openapi(review("revert", "Revert an active or pending example: no model learns it any more"), (c) => decide(c, "revert", c.req.valid("param").id, c.req.valid("json").note))
  .openapi(bulk, async (c) => {
    const b = c.req.valid("json");
    // compared as stored (UTC, milliseconds): any offset or precision the caller wrote means the same instant
    const since = b.since === undefined ? undefined : new Date(b.since).toISOString();
    // stored times are four-digit years: one outside them (an offset past 9999-12-31) would compare as text to everything
    if (since !== undefined && !/^\d{4}-/.test(since)) throw badRequest(`since: ${b.since} is outside the years 0000–9999 (UTC)`, [{ path: "since", message: "a time within the years 0000–9999 (UTC)" }]);
    const reverted = await control(c).revertLearned(b.scope, actorOf(c.get("principal"), b.note), since);
    if (reverted > 0) rewarm(c, b.scope);
    return c.json({ reverted }, 200);
  });

async function decide(c: Context<AppEnv>, action: "approve" | "reject" | "revert", id: string, note: string | undefined) {
  const r = await control(c).reviewLearned(id, action, actorOf(c.get("principal")), note);
  if (!r.ok) {
    if (r.reason === "missing") throw notFound(r.detail);
    throw new ProblemError({ status: 409, slug: "learned-status-conflict", title: "Conflict", detail: r.detail });
  }
  if (action !== "reject") rewarm(c, r.example.scope);
  return c.json(r.example, 200);
}
