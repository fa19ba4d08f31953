import { createRoute, z } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import { type Config, Specialist } from "../config/schema.ts";
import { parseConfig } from "../config/load.ts";
import { controlState, rememberControl, requireControl } from "../control.ts";
import type { AppEnv } from "../env.ts";
import { routeGroup } from "../http/openapi-app.ts";
import { actorOf } from "../http/auth.ts";
import { badRequest, notFound, ProblemError } from "../http/problem.ts";
import { commonProblems, JsonValue, problemResponse } from "../http/schemas.ts";
import { AuditView } from "../http/task-schemas.ts";
import { baseConfig } from "../runtime.ts";
import { contentHash } from "../tasks/audit.ts";
import { taskStub } from "../tasks/task-stub.ts";

const Id = z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, "a specialist id");
const Tenant = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "a tenant name");
const Why = z.strictObject({ by: z.string().min(1).max(200).optional(), reason: z.string().min(1).max(2000) });
const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });
const Switch = z.object({ disabled: z.boolean(), by: z.string(), reason: z.string(), at: z.string() }).openapi("Switch");
const State = z
  .object({
    version: z.number().int().openapi({ description: "bumped by every change" }),
    registrations: z.number().int().openapi({ description: "bumped by every registration change" }),
    learning: z.number().int().openapi({ description: "bumped by every change of the active learned examples (GET /v1/admin/learned)" }),
    global: Switch.nullable(),
    tenants: z.record(z.string(), Switch),
    specialists: z.record(z.string(), Switch),
    registered: z.record(z.string(), JsonValue).openapi({ description: "specialists registered at runtime, as registered" }),
  })
  .openapi("ControlState");
const StateWithAudit = State.extend({ audit: AuditView }).openapi("ControlStateWithAudit");
const adminProblems = { ...commonProblems, 403: problemResponse("Not an admin key") };

/** Admin routes refuse tenant keys. */
export function requireAdmin(): MiddlewareHandler<AppEnv> {
  return async function requireAdmin(c, next) {
    if (!c.get("principal").admin) throw new ProblemError({ status: 403, slug: "forbidden", title: "Forbidden", detail: "this route needs the admin key" });
    await next();
  };
}

const control = (c: Context<AppEnv>) => requireControl(c.env);
const actor = (c: Context<AppEnv>, by?: string) => actorOf(c.get("principal"), by);

const switchRoute = <P extends z.ZodObject>(path: string, params: P, summary: string) =>
  createRoute({ method: "post", path, summary, request: { params, body: { required: true, content: { "application/json": { schema: Why } } } }, responses: { 200: json(State, "The control state after the change"), 404: problemResponse("Unknown specialist"), ...adminProblems } });

const put = createRoute({
  method: "put",
  path: "/v1/admin/specialists/{id}",
  summary: "Register (or replace) a specialist at runtime; the classifier is re-fitted",
  request: { params: z.object({ id: Id }), body: { required: true, content: { "application/json": { schema: z.record(z.string(), z.unknown()).openapi("SpecialistConfig") } } } },
  responses: { 200: json(z.object({ specialist: Specialist, version: z.number().int() }), "Stored (as the config reads it, defaults filled in)"), ...adminProblems },
});
const del = createRoute({
  method: "delete",
  path: "/v1/admin/specialists/{id}",
  summary: "Remove a runtime-registered specialist",
  request: { params: z.object({ id: Id }) },
  responses: { 200: json(z.object({ deleted: z.string() }), "Removed"), 404: problemResponse("Not registered at runtime"), 409: problemResponse("Other specialists depend on it (named in errors)"), ...adminProblems },
});
const state = createRoute({ method: "get", path: "/v1/admin/control", summary: "Kill switches, runtime registrations and the control audit log", responses: { 200: json(StateWithAudit, "State and audit"), ...adminProblems } });
const cancelAll = createRoute({
  method: "post",
  path: "/v1/admin/tenants/{tenant}/cancel-tasks",
  summary: "Cancel every running task of a tenant",
  request: { params: z.object({ tenant: Tenant }), body: { required: true, content: { "application/json": { schema: Why } } } },
  responses: {
    200: json(
      z.object({
        cancelled: z.array(z.string()),
        failed: z.array(z.object({ task: z.string(), detail: z.string() })).openapi({ description: "Tasks that could not be cancelled now (call again to retry them); audited too" }),
      }),
      "Cancelled tasks, and any that could not be",
    ),
    ...adminProblems,
  },
});

/**
 * The config the admin API reasons about, read without building the runtime: the
 * base config (file or `SWITCHYARD_CONFIG`) and the runtime registrations, fresh. The
 * admin API keeps working whatever the registrations hold, so a bad state can always
 * be undone through it.
 */
async function adminView(c: Context<AppEnv>): Promise<{ base: Config; registered: Record<string, unknown> }> {
  const base = baseConfig(c.env);
  if (!base.ok) throw new ProblemError({ status: 503, slug: "misconfigured", title: "Router misconfigured", detail: "SWITCHYARD_CONFIG does not validate", errors: base.issues });
  return { base: base.config, registered: (await controlState(c.env)).registered };
}

/** The whole config with these registrations, or its issues (and the ids of its specialists, in order, to name them). */
function withRegistrations(base: Config, registered: Record<string, unknown>) {
  const specialists = [...base.specialists.filter((s) => !(s.id in registered)), ...Object.values(registered)];
  const ids = specialists.map((s) => String((s as { id?: unknown }).id));
  return { ...parseConfig({ ...base, specialists }), ids };
}

/** 409 for a change that would leave the whole config invalid, naming what depends on what it changes. */
function wouldBreak(what: string, issues: { path: string; message: string }[], ids: readonly string[]): ProblemError {
  const named = issues.map((i) => ({ path: namePath(i.path, ids), message: i.message }));
  return new ProblemError({ status: 409, slug: "config-conflict", title: "The config would not validate", detail: `${what} would leave the config invalid: ${named.map((i) => `${i.path}: ${i.message}`).join("; ")}`, errors: named });
}

/** `specialists.3.fallbacks.0` as `specialists[x].fallbacks.0` (by id), when the index is known. */
function namePath(path: string, ids: readonly string[]): string {
  const m = /^specialists\.(\d+)(.*)$/.exec(path);
  const id = m ? ids[Number(m[1])] : undefined;
  return m && id ? `specialists[${id}]${m[2]}` : path;
}

async function flip(c: Context<AppEnv>, kind: "global" | "tenant" | "specialist", name: string, disabled: boolean, body: z.infer<typeof Why>) {
  if (kind === "specialist") {
    const { base, registered } = await adminView(c);
    if (!base.specialists.some((s) => s.id === name) && !(name in registered)) throw notFound(`no specialist '${name}'`);
  }
  const s = await control(c).setSwitch(kind, name, disabled, actor(c, body.by), body.reason);
  rememberControl(s);
  return c.json(s, 200);
}

const P = { specialist: z.object({ id: Id }), tenant: z.object({ tenant: Tenant }), none: z.object({}) };

/** `/v1/admin/*`: kill switches, runtime registration, tenant-wide cancel (admin key only). */
export const adminRoutes = routeGroup();
adminRoutes.use("/v1/admin/*", requireAdmin());
adminRoutes
  .openapi(switchRoute("/v1/admin/specialists/{id}/disable", P.specialist, "Kill switch: stop routing to a specialist"), async (c) => flip(c, "specialist", c.req.valid("param").id, true, c.req.valid("json")))
  .openapi(switchRoute("/v1/admin/specialists/{id}/enable", P.specialist, "Route to a specialist again"), async (c) => flip(c, "specialist", c.req.valid("param").id, false, c.req.valid("json")))
  .openapi(switchRoute("/v1/admin/tenants/{tenant}/disable", P.tenant, "Kill switch: refuse a tenant's requests"), async (c) => flip(c, "tenant", c.req.valid("param").tenant, true, c.req.valid("json")))
  .openapi(switchRoute("/v1/admin/tenants/{tenant}/enable", P.tenant, "Serve a tenant again"), async (c) => flip(c, "tenant", c.req.valid("param").tenant, false, c.req.valid("json")))
  .openapi(switchRoute("/v1/admin/disable", P.none, "Global kill switch: refuse every routed request"), async (c) => flip(c, "global", "*", true, c.req.valid("json")))
  .openapi(switchRoute("/v1/admin/enable", P.none, "Lift the global kill switch"), async (c) => flip(c, "global", "*", false, c.req.valid("json")))
  .openapi(put, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    if (body.id !== undefined && body.id !== id) throw badRequest(`the body's id '${String(body.id)}' differs from the path's '${id}'`, [{ path: "id", message: "must match the path" }]);
    const spec = Specialist.safeParse({ ...body, id });
    if (!spec.success) throw badRequest("invalid specialist", spec.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })));
    const { base, registered } = await adminView(c);
    const merged = withRegistrations(base, { ...registered, [id]: { ...body, id } });
    if (!merged.ok) throw badRequest("the config would not validate with this specialist", merged.issues);
    const s = await control(c).register(id, { ...body, id }, actor(c), await contentHash(body));
    rememberControl(s);
    return c.json({ specialist: spec.data, version: s.version }, 200);
  })
  .openapi(del, async (c) => {
    const { id } = c.req.valid("param");
    const { base, registered } = await adminView(c);
    if (id in registered) {
      const { [id]: _gone, ...rest } = registered;
      const before = withRegistrations(base, registered);
      const after = withRegistrations(base, rest);
      // refused only when it breaks a valid config: from an invalid one, any change is a way out
      if (!after.ok && before.ok) throw wouldBreak(`deleting '${id}'`, after.issues, after.ids);
    }
    if (!(await control(c).unregister(id, actor(c)))) throw notFound(`'${id}' is not registered at runtime (specialists from the config file can be disabled, not deleted)`);
    rememberControl(await control(c).state());
    return c.json({ deleted: id }, 200);
  })
  .openapi(state, async (c) => {
    const s = await controlState(c.env);
    const audit = await control(c).audit();
    return c.json({ ...s, audit }, 200);
  })
  .openapi(cancelAll, async (c) => {
    const { tenant } = c.req.valid("param");
    const body = c.req.valid("json");
    const ids = await control(c).runningTasks(tenant);
    const cancelled: string[] = [];
    const failed: { task: string; detail: string }[] = [];
    // each task on its own: one that cannot be reached does not stop the others, and is reported and audited
    await Promise.all(
      ids.map(async (id) => {
        try {
          const r = await taskStub(c.env, id).cancel(tenant, actor(c, body.by), body.reason);
          if (r.ok) cancelled.push(id);
        } catch (e) {
          failed.push({ task: id, detail: String(e) });
        }
      }),
    );
    cancelled.sort();
    failed.sort((a, b) => a.task.localeCompare(b.task));
    await control(c).recordCancelAll(tenant, actor(c, body.by), body.reason, cancelled, failed);
    return c.json({ cancelled, failed }, 200);
  });
