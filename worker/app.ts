import { OpenAPIHono } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { bodyLimit } from "hono/body-limit";
import { timing } from "hono/timing";
import { ConfigError } from "./config/load.ts";
import type { AppEnv } from "./env.ts";
import { authenticate } from "./http/auth.ts";
import { killSwitches } from "./http/switches.ts";
import { jsonDepthGuard } from "./http/json-guard.ts";
import { adminRoutes } from "./routes/admin.ts";
import { learnedRoutes } from "./routes/learned.ts";
import { deadLetterRoutes } from "./routes/dead-letters.ts";
import { ProblemError, problemResponse } from "./http/problem.ts";
import { childContext, formatTraceparent, parseTraceparent, parseTracestate } from "./http/traceparent.ts";
import { healthRoutes } from "./routes/health.ts";
import { intentRoutes } from "./routes/intents.ts";
import { routeRoutes } from "./routes/route.ts";
import { specialistRoutes } from "./routes/specialists.ts";
import { taskRoutes } from "./routes/tasks.ts";
import { approvalRoutes } from "./routes/approvals.ts";
import { poolRoutes } from "./routes/pools.ts";
import { callSpecialist, FRONT_DOORS } from "./protocols/registry.ts";
import type { GuardedPath } from "./protocols/types.ts";
import { traceRoutes } from "./routes/traces.ts";
import { hopRoutes } from "./routes/hops.ts";
import { metricsRoutes } from "./routes/metrics.ts";
import { feedbackRoutes } from "./routes/feedback.ts";
import { dashboardRoutes } from "./ui/routes.tsx";
import { baseConfig } from "./runtime.ts";
import { routerDefaults } from "./config/schema.ts";
import pkg from "../package.json";

/** The router's hono app: middleware, route groups, and the one error serialiser. */
export const app = new OpenAPIHono<AppEnv>();

app.use("*", async function traceContext(c, next) {
  const parent = parseTraceparent(c.req.header("traceparent"));
  const base = baseConfig(c.env);
  const own = childContext(parent, base.ok ? base.config.observability.sampleRatio : 1);
  const traceparent = formatTraceparent(own);
  c.set("traceparent", traceparent);
  c.set("trace", { own, caller: parent });
  // tracestate belongs to the trace it came with: kept only when that trace continues
  const tracestate = parent ? parseTracestate(c.req.header("tracestate")) : undefined;
  c.set("tracestate", tracestate);
  c.set("callSpecialist", callSpecialist);
  await next();
  c.res.headers.set("traceparent", traceparent);
  if (tracestate) c.res.headers.set("tracestate", tracestate);
});
app.use("*", timing({ totalDescription: "router total" }));
// a front door's paths answer errors in its protocol's shape (before auth, so 401s are covered)
for (const { errorShape } of FRONT_DOORS) if (errorShape) for (const path of errorShape.paths) app.use(path, errorShape.middleware());
/** `/v1/*` and every front door's own guarded paths (e.g. `/a2a`, `POST /`; an agent card stays public). */
const GUARDED: readonly GuardedPath[] = ["/v1/*", ...FRONT_DOORS.flatMap((d) => d.guardedPaths ?? [])];
/** Headers other than `Authorization` that carry the key on a door's paths (`x-api-key` on the Anthropic door). */
const KEY_HEADERS = FRONT_DOORS.flatMap((d) => (d.keyHeader ? [d.keyHeader] : []));
/** Runs `mw` on a guarded path: every method of it, or the one it names (`POST /` leaves `GET /`, the dashboard, alone). */
const guard = (g: GuardedPath, mw: MiddlewareHandler<AppEnv>) => (typeof g === "string" ? app.use(g, mw) : app.on(g.method, g.path, mw));
for (const path of GUARDED) {
  guard(path, authenticate(KEY_HEADERS));
  guard(path, killSwitches());
}
const bodyLimits = new Map<number, MiddlewareHandler<AppEnv>>();
/** `bodyLimit` for a size, built once per size rather than per request. */
function bodyLimitFor(maxSize: number): MiddlewareHandler<AppEnv> {
  let mw = bodyLimits.get(maxSize);
  if (!mw) {
    mw = bodyLimit({
      maxSize,
      onError: () => {
        throw new ProblemError({ status: 413, slug: "body-too-large", title: "Body too large", detail: `request bodies are limited to ${maxSize} bytes` });
      },
    });
    bodyLimits.set(maxSize, mw);
  }
  return mw;
}
/** The body limit of the base config (the default when even that does not validate: the routes say why). */
function limitBody(): MiddlewareHandler<AppEnv> {
  return async function limitBody(c, next) {
    const base = baseConfig(c.env);
    return bodyLimitFor(base.ok ? base.config.router.maxBodyBytes : routerDefaults().maxBodyBytes)(c, next);
  };
}
for (const path of GUARDED) guard(path, limitBody());

app.use("/v1/*", jsonDepthGuard());

app.route("/", healthRoutes);
app.route("/", intentRoutes);
app.route("/", routeRoutes);
app.route("/", specialistRoutes);
app.route("/", taskRoutes);
app.route("/", approvalRoutes);
app.route("/", poolRoutes);
app.route("/", learnedRoutes);
app.route("/", adminRoutes);
app.route("/", deadLetterRoutes);
for (const door of FRONT_DOORS) app.route("/", door.routes);
app.route("/", traceRoutes);
app.route("/", hopRoutes);
app.route("/", metricsRoutes);
app.route("/", feedbackRoutes);
// the operator dashboard (GET / and /ui/*) calls this app in process with the operator's key
app.route("/", dashboardRoutes((req, env, ctx) => app.fetch(req, env, ctx)));

// every operation takes the bearer key unless it says otherwise (the health check, the agent card and this document are public)
app.doc31("/openapi.json", { openapi: "3.1.0", info: { title: "Switchyard", version: pkg.version }, security: [{ bearer: [] }] });
app.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer" });

let allowed: { re: RegExp; method: string }[] | undefined;
/** The methods a path is routed for (RFC 9110 §15.5.6: a 405 says them in `Allow`). */
function methodsFor(path: string): string[] {
  allowed ??= app.routes
    .filter((r) => r.method !== "ALL" && !r.path.endsWith("*"))
    .map((r) => ({ method: r.method, re: new RegExp(`^${r.path.replace(/[.+?^$()|[\]\\]/g, "\\$&").replace(/:[A-Za-z0-9_]+(\{[^}]*\})?/g, "[^/]+")}/?$`) }));
  return [...new Set(allowed.filter((r) => r.re.test(path)).map((r) => r.method))];
}

app.notFound((c) => {
  const methods = methodsFor(c.req.path);
  // the route exists for this method without the trailing slash: routes are matched exactly
  if (methods.includes(c.req.method) && c.req.path.endsWith("/"))
    return problemResponse({ status: 404, slug: "not-found", title: "Not found", detail: `no route for ${c.req.method} ${c.req.path}; did you mean ${c.req.path.replace(/\/+$/, "")}?` });
  if (methods.length)
    return problemResponse(
      { status: 405, slug: "method-not-allowed", title: "Method not allowed", detail: `${c.req.path} takes ${methods.join(", ")}, not ${c.req.method}` },
      { allow: methods.join(", ") },
    );
  return problemResponse({ status: 404, slug: "not-found", title: "Not found", detail: `no route for ${c.req.method} ${c.req.path}` });
});

app.onError((err, c) => {
  if (err instanceof ProblemError) return problemResponse(err.problem, err.problem.status === 401 ? { "www-authenticate": "Bearer" } : {});
  if (err instanceof ConfigError)
    return problemResponse({ status: 503, slug: "misconfigured", title: "Router misconfigured", detail: "the router's config does not validate", errors: err.issues });
  if (err instanceof HTTPException && err.status < 500) {
    const [slug, title] = err.status === 415 ? ["unsupported-media-type", "Unsupported media type"] : err.status === 400 ? ["bad-request", "Bad request"] : ["client-error", "Request refused"];
    const detail = err.status === 415 ? "the body must be JSON: send it with Content-Type: application/json" : err.message || title.toLowerCase();
    return problemResponse({ status: err.status, slug, title, detail });
  }
  console.error(JSON.stringify({ msg: "unhandled error", path: c.req.path, error: String(err), stack: (err as Error)?.stack }));
  return problemResponse({ status: 500, slug: "internal", title: "Internal error", detail: "the router failed unexpectedly; see its logs" });
});
