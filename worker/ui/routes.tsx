import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { hasKeys, noKeysProblem, principalFor } from "../http/auth.ts";
import { sha256Hex, type IntentRecord } from "../intent/record.ts";
import { controlStub } from "../control.ts";
import { decide } from "../routing/decide.ts";
import { getRuntime } from "../runtime.ts";
import { problemText, type AppFetch } from "./api.ts";
import { ErrorPage, IntentsPage, SignInPage, StartPage } from "./forms.tsx";
import { formFields, isHttps, keysFor, requireCsrf, requireSession, uiHeaders, type UiEnv } from "./guard.ts";
import { confidenceHistogram, correctionsFromFeedback, figuresFromMetrics, figuresFromPool, intentRowsFromMetrics, poolGauges, timeCharts, costLines, breakerChanges, type SpecialistFigures } from "./metrics.ts";
import { OverviewPage, type OverviewData, type SpecialistRow } from "./overview.tsx";
import { SESSION_COOKIE, SESSION_TTL_SECONDS, nonce, openSession, sealSession } from "./session.ts";
import { taskBodyFromForm } from "./start-form.ts";
import { FAVICON, STYLESHEET } from "./style.ts";
import { TaskPage } from "./task-page.tsx";
import { approvalPages } from "./approvals-routes.tsx";
import { deadLetterPages } from "./dead-letters-routes.tsx";
import { TASK_ID, submitGateForm } from "./gate-forms.tsx";
import { layoutWaterfall, rowsFromSteps, rowsFromTrace } from "./waterfall.ts";

const LOGIN_COOKIE = "sy_login";

/**
 * The operator dashboard (`GET /` and `/ui/*`): server-rendered pages over the
 * router's own API, which they call in process with the operator's key
 * (`fetchApp`), so the dashboard can do nothing the API would refuse that key.
 */
export function dashboardRoutes(fetchApp: AppFetch): Hono<UiEnv> {
  const ui = new Hono<UiEnv>();
  const session = requireSession(fetchApp);
  ui.use("/", uiHeaders);
  ui.use("/ui/*", uiHeaders);
  // forms are small: refuse a huge body before parsing it
  ui.use("/ui/*", bodyLimit({ maxSize: 1024 * 1024, onError: (c) => c.text("413 Payload Too Large: dashboard forms are limited to 1 MiB", 413) }));

  ui.get("/ui/app.css", (c) => c.body(STYLESHEET, 200, { "content-type": "text/css; charset=utf-8", "cache-control": "public, max-age=300" }));
  ui.get("/ui/favicon.svg", (c) => c.body(FAVICON, 200, { "content-type": "image/svg+xml", "cache-control": "public, max-age=86400" }));

  ui.get("/ui/sign-in", (c) => {
    if (!hasKeys(c.env)) throw noKeysProblem();
    const token = nonce();
    setCookie(c, LOGIN_COOKIE, token, { path: "/ui/sign-in", httpOnly: true, sameSite: "Strict", secure: isHttps(c), maxAge: 600 });
    return c.html(<SignInPage token={token} devMode={c.env.DEV_MODE === "true"} />);
  });

  ui.post("/ui/sign-in", async (c) => {
    if (!hasKeys(c.env)) throw noKeysProblem();
    const f = await formFields(c);
    const expected = getCookie(c, LOGIN_COOKIE);
    const again = (status: 401 | 403, error: string) => {
      const token = nonce();
      setCookie(c, LOGIN_COOKIE, token, { path: "/ui/sign-in", httpOnly: true, sameSite: "Strict", secure: isHttps(c), maxAge: 600 });
      return c.html(<SignInPage token={token} error={error} devMode={c.env.DEV_MODE === "true"} />, status);
    };
    if (!expected || f._csrf !== expected || c.req.header("sec-fetch-site") === "cross-site") return again(403, "The sign-in form expired; try again.");
    const key = (f.key ?? "").trim();
    if (!key || key.length > 512 || !(await principalFor(c.env, key))) return again(401, "Unknown API key.");
    const sealed = await sealSession(await keysFor(c.env), { key, exp: Math.floor(Date.now() / 1000) + SESSION_TTL_SECONDS });
    setCookie(c, SESSION_COOKIE, sealed, { path: "/", httpOnly: true, sameSite: "Strict", secure: isHttps(c), maxAge: SESSION_TTL_SECONDS });
    deleteCookie(c, LOGIN_COOKIE, { path: "/ui/sign-in", secure: isHttps(c) });
    return c.redirect("/", 303);
  });

  ui.post("/ui/sign-out", session, requireCsrf, async (c) => {
    // revoked server-side too: a copy of the cookie stops working at once
    const cookie = getCookie(c, SESSION_COOKIE);
    const opened = cookie ? await openSession(await keysFor(c.env), cookie) : undefined;
    if (cookie && opened) await controlStub(c.env)?.revokeSession(await sha256Hex(cookie), opened.exp);
    deleteCookie(c, SESSION_COOKIE, { path: "/", secure: isHttps(c), httpOnly: true, sameSite: "Strict" });
    return c.redirect("/ui/sign-in", 303);
  });

  ui.get("/", session, async (c) => {
    const api = c.get("api");
    const viewer = c.get("viewer");
    const twoWeeks = new Date(Math.floor(Date.now() / 86_400_000 - 13) * 86_400_000).toISOString();
    const [specialists, tasks, metrics, control, feedback, series, days, tenantDays] = await Promise.all([
      api.get("/v1/specialists"),
      api.get("/v1/tasks?limit=20"),
      viewer.admin ? api.get("/v1/metrics") : undefined,
      viewer.admin ? api.get("/v1/admin/control") : undefined,
      api.get("/v1/feedback?outcome=bad&limit=500"),
      // the last 6 hours at 5 minutes: 72 points a line
      viewer.admin ? api.get(`/v1/metrics?from=${new Date(Date.now() - 6 * 3_600_000).toISOString()}&resolution=5m`) : undefined,
      // the last two weeks by UTC day, for cost
      viewer.admin ? api.get(`/v1/metrics?from=${twoWeeks}&resolution=1d`) : undefined,
      viewer.admin ? api.get(`/v1/metrics?from=${twoWeeks}&resolution=1d&groupBy=tenant`) : undefined,
    ]);
    const costs = days?.ok ? costLines(days.body) : undefined;
    const tenantCosts = tenantDays?.ok ? costLines(tenantDays.body) : undefined;
    const breakers = series?.ok ? breakerChanges(series.body) : [];
    const time = series?.ok ? timeCharts(series.body) : undefined;
    const list: SpecialistRow[] = specialists.ok ? specialists.body.specialists : [];
    let figures = new Map<string, SpecialistFigures>();
    let figuresSource: OverviewData["figuresSource"] = "none";
    if (metrics?.ok) {
      figures = figuresFromMetrics(metrics.body);
      figuresSource = "metrics";
    } else {
      const limited = list.filter((s) => s.health.limited && s.health.pool);
      const pools = await Promise.all(limited.map((s) => api.get(`/v1/pools/${s.health.pool}`)));
      limited.forEach((s, i) => {
        const pool = pools[i];
        if (pool?.ok) figures.set(s.id, figuresFromPool(pool.body));
      });
      if (limited.length) figuresSource = "pools";
    }
    const data: OverviewData = {
      specialists: specialists.ok ? list : { error: problemText(specialists) },
      figures,
      figuresSource,
      ...(metrics?.ok ? { intents: intentRowsFromMetrics(metrics.body), pools: poolGauges(metrics.body) } : {}),
      ...(metrics?.ok && confidenceHistogram(metrics.body) ? { confidence: confidenceHistogram(metrics.body)! } : {}),
      ...(feedback.ok ? { corrections: correctionsFromFeedback(feedback.body) } : {}),
      ...(time ? { time } : {}),
      ...(costs ? { costs } : {}),
      ...(tenantCosts ? { tenantCosts } : {}),
      ...(breakers.length > 0 ? { breakers } : {}),
      disabled: new Set(control?.ok ? Object.keys(control.body.specialists ?? {}) : []),
      tasks: tasks.ok ? tasks.body.tasks : { error: problemText(tasks) },
      ...(control ? { control: control.ok ? control.body : { error: problemText(control) } } : {}),
    };
    return c.html(<OverviewPage viewer={viewer} data={data} />);
  });

  ui.get("/ui/tasks/new", session, async (c) => {
    const { config } = await getRuntime(c.env);
    return c.html(<StartPage viewer={c.get("viewer")} workflows={config.workflows} idem={nonce()} />);
  });

  ui.post("/ui/tasks", session, requireCsrf, async (c) => {
    const { config } = await getRuntime(c.env);
    const f = await formFields(c);
    const built = taskBodyFromForm(f, config.workflows);
    const again = (status: 400 | 409 | 422 | 429 | 503, error: string) => c.html(<StartPage viewer={c.get("viewer")} workflows={config.workflows} form={f} error={error} idem={nonce()} />, status);
    if (!built.ok) return again(400, built.message);
    const r = await c.get("api").post("/v1/tasks", built.body);
    if (r.status !== 202) return again(([400, 409, 422, 429] as const).find((s) => s === r.status) ?? 503, problemText(r));
    return c.redirect(`/ui/tasks/${r.body.id}`, 303);
  });

  ui.get("/ui/tasks/:id", session, async (c) => {
    const id = c.req.param("id");
    const viewer = c.get("viewer");
    if (!TASK_ID.test(id)) return c.html(<ErrorPage viewer={viewer} status={404} text={`'${id}' is not a task id`} back="/" />, 404);
    const api = c.get("api");
    const [task, audit, trace] = await Promise.all([api.get(`/v1/tasks/${id}`), api.get(`/v1/tasks/${id}/audit`), api.get(`/v1/tasks/${id}/trace`)]);
    if (!task.ok) return c.html(<ErrorPage viewer={viewer} status={task.status} text={problemText(task)} back="/" />, task.status === 404 ? 404 : 502);
    const fromTrace = trace.ok ? rowsFromTrace(trace.body) : undefined;
    const waterfall = fromTrace ? layoutWaterfall(fromTrace, "trace") : layoutWaterfall(rowsFromSteps(task.body.steps ?? []), "steps");
    return c.html(<TaskPage viewer={viewer} data={{ task: task.body, audit: audit.ok ? audit.body : { error: problemText(audit) }, waterfall }} />);
  });

  for (const action of ["approve", "reject", "cancel"] as const)
    ui.post(`/ui/tasks/:id/${action}`, session, requireCsrf, async (c) => {
      const id = c.req.param("id");
      const viewer = c.get("viewer");
      const back = `/ui/tasks/${id}`;
      if (!TASK_ID.test(id)) return c.html(<ErrorPage viewer={viewer} status={404} text={`'${id}' is not a task id`} back="/" />, 404);
      return submitGateForm(c, await formFields(c), `/v1/tasks/${id}/${action}`, back);
    });

  approvalPages(ui, session);
  deadLetterPages(ui, session);

  ui.get("/ui/intents", session, (c) => c.html(<IntentsPage viewer={c.get("viewer")} />));

  ui.post("/ui/intents", session, requireCsrf, async (c) => {
    const text = (await formFields(c)).text ?? "";
    const viewer = c.get("viewer");
    if (!text.trim()) return c.html(<IntentsPage viewer={viewer} text={text} error="type something to classify" />, 400);
    const r = await c.get("api").post("/v1/intents", { input: text });
    if (!r.ok) return c.html(<IntentsPage viewer={viewer} text={text} error={problemText(r)} />, r.status === 400 ? 400 : 502);
    const rt = await getRuntime(c.env);
    const d = decide({ intent: r.body as IntentRecord, registry: rt.registry, minConfidence: rt.config.router.minConfidence, costMargin: rt.config.router.costMargin });
    return c.html(<IntentsPage viewer={viewer} text={text} result={{ record: r.body, ...(d.ok ? { decision: d.decision } : {}) }} />);
  });

  return ui;
}
