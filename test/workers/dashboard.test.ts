import { describe, expect, it } from "vitest";
import { call, callWith } from "./helpers.ts";
import { submit, waitFor } from "./task-helpers.ts";
import bundled from "../../switchyard.config.json" with { type: "json" };
import { cookieOf, csrfIn, signIn, ui } from "./dashboard-helpers.ts";

describe("dashboard sign-out", () => {
  it("revokes the session server-side: a copy of the cookie stops working at once", async () => {
    const { cookie, csrf } = await signIn("dev-key");
    expect((await ui("/", { cookie })).status).toBe(200);
    const out = await ui("/ui/sign-out", { cookie, form: { _csrf: csrf } });
    expect(out.status).toBe(303);
    const again = await ui("/", { cookie }); // the browser deleted it; a stolen copy is refused too
    expect(again.status).toBe(303);
    expect(again.headers.get("location")).toBe("/ui/sign-in");
    const other = await signIn("dev-key"); // other sessions stay
    expect((await ui("/", { cookie: other.cookie })).status).toBe(200);
  });
});

describe("dashboard sign-in", () => {
  it("redirects to the sign-in form without a session", async () => {
    const res = await ui("/");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/ui/sign-in");
  });

  it("sets an HttpOnly, SameSite=Strict, Secure cookie that does not hold the key in clear", async () => {
    const form = await ui("/ui/sign-in");
    expect(form.headers.get("content-security-policy")).toContain("default-src 'none'");
    const html = await form.text();
    expect(html.startsWith("<!doctype html>")).toBe(true);
    const res = await ui("/ui/sign-in", { cookie: cookieOf(form, "sy_login")!, form: { _csrf: csrfIn(html), key: "dev-admin-key" } });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/");
    const line = res.headers.getSetCookie().find((c) => c.startsWith("sy_session="))!;
    expect(line).toMatch(/HttpOnly/);
    expect(line).toMatch(/SameSite=Strict/);
    expect(line).toMatch(/Secure/);
    expect(line).not.toContain("dev-admin-key");
  });

  it("refuses an unknown key (401) and a sign-in post without its form token (403)", async () => {
    const form = await ui("/ui/sign-in");
    const login = cookieOf(form, "sy_login")!;
    const wrong = await ui("/ui/sign-in", { cookie: login, form: { _csrf: csrfIn(await form.text()), key: "not-a-key" } });
    expect(wrong.status).toBe(401);
    expect(cookieOf(wrong, "sy_session")).toBeUndefined();
    expect(await wrong.text()).toContain("Unknown API key");
    const forged = await ui("/ui/sign-in", { form: { _csrf: "guess", key: "dev-key" } });
    expect(forged.status).toBe(403);
    expect(cookieOf(forged, "sy_session")).toBeUndefined();
  });

  it("treats a tampered session cookie as no session", async () => {
    const { cookie } = await signIn("dev-key");
    const [name, value] = cookie.split("=") as [string, string];
    const flipped = `${name}=${value.slice(0, 20)}${value[20] === "A" ? "B" : "A"}${value.slice(21)}`;
    const res = await ui("/", { cookie: flipped });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/ui/sign-in");
  });
});

describe("dashboard pages", () => {
  it("shows specialists with health and the tenant's recent tasks; admin-only parts only for admin", async () => {
    const { id } = await submit({ goal: "dashboard <b>overview</b> task", plan: { steps: [{ id: "x", specialist: "fault-ok" }] } });
    await waitFor(id, ["succeeded"]);
    const admin = await signIn("dev-admin-key");
    const html = await (await ui("/", { cookie: admin.cookie })).text();
    expect(html).toContain('data-specialist="units"');
    expect(html).toContain('data-specialist="fault-ok"');
    expect(html).toContain("Kill switches");
    expect(html).toContain(`data-task="${id}"`);
    expect(html).toContain("dashboard &lt;b&gt;overview&lt;/b&gt; task");
    expect(html).not.toContain("<b>overview</b>");
    const tenant = await signIn("dev-key");
    const plain = await (await ui("/", { cookie: tenant.cookie })).text();
    expect(plain).toContain(`data-task="${id}"`);
    expect(plain).not.toContain("Kill switches");
  });

  it("shows the admin the per-intent table: label, specialist, calls, success, verified, feedback, latency, cost", async () => {
    const routed = (await (await callWith({}, "/v1/route", { json: { input: "convert 17 km to miles" } })).json()) as { id: string };
    expect((await callWith({}, "/v1/feedback", { json: { hopId: routed.id, outcome: "good" } })).status).toBe(201);
    const metrics = (await (await callWith({}, "/v1/metrics", { headers: { authorization: "Bearer dev-admin-key" } })).json()) as { intents: { label: string; specialist: string; requests: number; feedback: { good: number; bad: number } }[] };
    const row = metrics.intents.find((r) => r.label === "units.convert" && r.specialist === "units")!;
    const admin = await signIn("dev-admin-key");
    const html = await (await ui("/", { cookie: admin.cookie })).text();
    expect(html).toContain('<table class="grid" id="intents">');
    const tr = /<tr data-intent="units\.convert" data-specialist="units">(.*?)<\/tr>/s.exec(html)?.[1] ?? "";
    expect(tr).toContain(`<td class="num">${row.requests}</td>`);
    expect(tr).toContain(`data-feedback="${row.feedback.good}/${row.feedback.bad}"`);
    expect(row.feedback.good).toBeGreaterThanOrEqual(1);
    const tenant = await signIn("dev-key");
    expect(await (await ui("/", { cookie: tenant.cookie })).text()).not.toContain('id="intents"');
  });

  it("renders a task: status, DAG, audit verification and the approval forms", async () => {
    const { id } = await submit({ goal: "gated", plan: { steps: [{ id: "prep", specialist: "fault-ok" }, { id: "pay", specialist: "fault-ok", requireApproval: true, dependsOn: ["prep"] }] } });
    await waitFor(id, ["awaiting_approval"]);
    const { cookie } = await signIn("dev-key");
    const res = await ui(`/ui/tasks/${id}`, { cookie });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<g class="node st-succeeded" data-step="prep">');
    expect(html).toContain('<g class="node st-awaiting_approval" data-step="pay">');
    expect(html).toContain('class="edge"');
    expect(html).toContain("chain verifies");
    expect(html).toContain(`action="/ui/tasks/${id}/approve"`);
    expect(html).toContain(`action="/ui/tasks/${id}/reject"`);
    expect(html).not.toContain('http-equiv="refresh"');
    expect(html).toContain("Waterfall");
  });

  it("shows a step's ensemble: who was asked, the agreement, who agreed and the decision", async () => {
    const { id } = await submit({ goal: "vote", input: "x", plan: { steps: [{ id: "ask", ensemble: { specialists: ["ens-a", "ens-b", "ens-c"], combine: "vote" } }] } });
    await waitFor(id, ["succeeded"]);
    const { cookie } = await signIn("dev-key");
    const html = await (await ui(`/ui/tasks/${id}`, { cookie })).text();
    expect(html).toMatch(/<div class="small coordination good" title="the step&#39;s own ensemble of &#39;ens-a&#39;, &#39;ens-b&#39;, &#39;ens-c&#39;, combine vote">vote of ens-a, ens-b, ens-c: agreement 0\.667 \(ens-a, ens-b\) → accepted<\/div>/);
  });

  it("answers 404 for a task of no one or of another shape", async () => {
    const { cookie } = await signIn("dev-key");
    expect((await ui(`/ui/tasks/task_${"0".repeat(32)}`, { cookie })).status).toBe(404);
    expect((await ui("/ui/tasks/nope", { cookie })).status).toBe(404);
  });
});

describe("dashboard forms", () => {
  it("refuses approve without the CSRF token, or with another session's, and changes nothing", async () => {
    const { id } = await submit({ goal: "csrf", plan: { steps: [{ id: "x", specialist: "fault-ok", requireApproval: true }] } });
    await waitFor(id, ["awaiting_approval"]);
    const mine = await signIn("dev-key");
    const other = await signIn("dev-key");
    const form = { by: "eve", reason: "sneaky" };
    expect((await ui(`/ui/tasks/${id}/approve`, { cookie: mine.cookie, form })).status).toBe(403);
    expect((await ui(`/ui/tasks/${id}/approve`, { cookie: mine.cookie, form: { ...form, _csrf: other.csrf } })).status).toBe(403);
    expect((await ui(`/ui/tasks/${id}/approve`, { cookie: mine.cookie, form: { ...form, _csrf: mine.csrf }, headers: { "sec-fetch-site": "cross-site" } })).status).toBe(403);
    expect((await ui(`/ui/tasks/${id}/approve`, { form: { ...form, _csrf: mine.csrf } })).headers.get("location")).toBe("/ui/sign-in");
    expect((await waitFor(id, ["awaiting_approval"])).status).toBe("awaiting_approval");
    expect((await ui(`/ui/tasks/${id}/approve`, { cookie: mine.cookie })).status).toBe(405); // the form posts; a GET is the wrong method
    expect((await ui("/ui/intents", { cookie: mine.cookie, form: { _csrf: mine.csrf, text: "x".repeat(1024 * 1024 + 1) } })).status).toBe(413);
  });

  it("approves through the form: the task finishes and the audit names who and why", async () => {
    const { id } = await submit({ goal: "approve me", plan: { steps: [{ id: "x", specialist: "fault-ok", requireApproval: true }] } });
    await waitFor(id, ["awaiting_approval"]);
    const { cookie, csrf } = await signIn("dev-key");
    const res = await ui(`/ui/tasks/${id}/approve`, { cookie, form: { _csrf: csrf, by: "alice", reason: "ship it" } });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/ui/tasks/${id}`);
    expect((await waitFor(id, ["succeeded", "failed"])).status).toBe("succeeded");
    const html = await (await ui(`/ui/tasks/${id}`, { cookie })).text();
    expect(html).toContain("approval.granted");
    expect(html).toMatch(/(tenant|admin):dev as (&quot;|&#34;|")alice/); // the authenticated principal, the claimed name marked as a claim
    const again = await ui(`/ui/tasks/${id}/approve`, { cookie, form: { _csrf: csrf, by: "alice", reason: "twice" } });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain("has already ended");
  });

  it("follows a running task with a meta refresh, and cancels it through the kill-switch form", async () => {
    const { id } = await submit({ goal: "held", plan: { steps: [{ id: "slow", specialist: "fault-held-effect" }] } }); // in flight until cancelled
    const { cookie, csrf } = await signIn("dev-key");
    const html = await (await ui(`/ui/tasks/${id}`, { cookie })).text();
    expect(html).toContain('<meta http-equiv="refresh" content="2"/>');
    expect(html).toContain(`action="/ui/tasks/${id}/cancel"`);
    const res = await ui(`/ui/tasks/${id}/cancel`, { cookie, form: { _csrf: csrf, by: "ops", reason: "" } });
    expect(res.status).toBe(303);
    expect((await waitFor(id, ["cancelled"])).status).toBe("cancelled");
    const after = await (await ui(`/ui/tasks/${id}`, { cookie })).text();
    expect(after).not.toContain("http-equiv");
    expect(after).not.toContain(`action="/ui/tasks/${id}/cancel"`);
  });

  it("starts a task from the form (a workflow with approval on its final step) and replays a re-post", async () => {
    const { cookie, csrf } = await signIn("dev-key");
    const form = { _csrf: csrf, goal: "summarize then count", input: "One sentence here. Another one there. A third to finish.", mode: "workflow:approved-summary", approval: "on", idem: "dash-start-1" };
    const res = await ui("/ui/tasks", { cookie, form });
    expect(res.status).toBe(303);
    const id = /\/ui\/tasks\/(task_[0-9a-f]{32})$/.exec(res.headers.get("location") ?? "")?.[1];
    expect(id).toBeDefined();
    const t = await waitFor(id!, ["awaiting_approval"]);
    expect(t.awaiting?.step).toBe("count");
    expect((await ui("/ui/tasks", { cookie, form })).headers.get("location")).toBe(`/ui/tasks/${id}`);
    const bad = await ui("/ui/tasks", { cookie, form: { ...form, mode: "planner", idem: "dash-start-2" } });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("planner");
  });

  it("classifies in the intent playground and shows the decision with its reason and top-k", async () => {
    const { cookie, csrf } = await signIn("dev-key");
    const res = await ui("/ui/intents", { cookie, form: { _csrf: csrf, text: "convert 5 km to miles" } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<b id="decided-specialist">units</b>');
    const min = String(bundled.router.minConfidence).replace(".", "\\."); // the bundled config's threshold
    expect(html).toMatch(new RegExp(`intent &#39;units\\.convert&#39; at [0-9.]+ ≥ ${min}|intent 'units\\.convert' at [0-9.]+ ≥ ${min}`));
    expect(html).toContain('id="topk"');
  });
});

describe("dashboard approvals inbox", () => {
  type Approval = { taskId: string; assignee: string | null };
  const inbox = async (query = ""): Promise<Approval[]> => ((await (await call(`/v1/approvals${query}`)).json()) as { approvals: Approval[] }).approvals;
  const gated = async (goal: string, approvalTtlSeconds: number) => {
    const { id } = await submit({ goal, approvalTtlSeconds, plan: { steps: [{ id: "x", specialist: "fault-ok", requireApproval: true }] } });
    await expect.poll(async () => (await inbox()).some((a) => a.taskId === id), { timeout: 15_000 }).toBe(true);
    return id;
  };

  it("lists the tenant's open approvals soonest-expiring first, with assign, approve and reject forms", async () => {
    const later = await gated("inbox <i>later</i>", 90_000);
    const sooner = await gated("inbox sooner", 80_000);
    const { cookie } = await signIn("dev-key");
    const res = await ui("/ui/approvals", { cookie });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).toContain('<a href="/ui/approvals">Approvals</a>'); // in the navigation
    expect(html.indexOf(`data-approval="${sooner}"`)).toBeGreaterThan(0);
    expect(html.indexOf(`data-approval="${sooner}"`)).toBeLessThan(html.indexOf(`data-approval="${later}"`));
    expect(html).toContain("inbox &lt;i&gt;later&lt;/i&gt;");
    expect(html).not.toContain("<i>later</i>");
    for (const action of ["assign", "approve", "reject"]) expect(html).toContain(`action="/ui/approvals/${sooner}/${action}"`);
    expect(html).toContain("step 'x' requires approval".replaceAll("'", "&#39;"));
    expect(html).toMatch(/in (2[0-2] h|1 d)/); // its expiry, for people
  });

  it("assigns and unassigns through the forms (CSRF-guarded), and filters by reviewer", async () => {
    const id = await gated("inbox assign", 86_400);
    const mine = await signIn("dev-key");
    const other = await signIn("dev-key");
    const form = { reviewer: "alice", by: "lead" };
    expect((await ui(`/ui/approvals/${id}/assign`, { cookie: mine.cookie, form })).status).toBe(403);
    expect((await ui(`/ui/approvals/${id}/assign`, { cookie: mine.cookie, form: { ...form, _csrf: other.csrf } })).status).toBe(403);
    expect((await ui(`/ui/approvals/${id}/assign`, { cookie: mine.cookie, form: { ...form, _csrf: mine.csrf }, headers: { "sec-fetch-site": "cross-site" } })).status).toBe(403);
    expect((await inbox()).find((a) => a.taskId === id)?.assignee).toBeNull();

    const res = await ui(`/ui/approvals/${id}/assign`, { cookie: mine.cookie, form: { ...form, _csrf: mine.csrf } });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/ui/approvals");
    expect((await inbox()).find((a) => a.taskId === id)?.assignee).toBe("alice");
    const hers = await (await ui("/ui/approvals?assignee=alice", { cookie: mine.cookie })).text();
    expect(hers).toContain(`data-approval="${id}"`);
    expect(hers).toMatch(/by tenant:dev as (&quot;|&#34;|")lead/);
    expect(await (await ui("/ui/approvals?unassigned=true", { cookie: mine.cookie })).text()).not.toContain(`data-approval="${id}"`);

    const un = await ui(`/ui/approvals/${id}/assign`, { cookie: mine.cookie, form: { _csrf: mine.csrf, reviewer: "" } });
    expect(un.status).toBe(303);
    expect((await inbox()).find((a) => a.taskId === id)?.assignee).toBeNull();
    const bad = await ui(`/ui/approvals/${id}/assign`, { cookie: mine.cookie, form: { _csrf: mine.csrf, reviewer: "r".repeat(201) } });
    expect(bad.status).toBe(400);
    expect((await ui(`/ui/approvals/task_${"0".repeat(32)}/assign`, { cookie: mine.cookie, form: { _csrf: mine.csrf, reviewer: "alice" } })).status).toBe(404);
    expect((await ui("/ui/approvals/nope/assign", { cookie: mine.cookie, form: { _csrf: mine.csrf, reviewer: "alice" } })).status).toBe(404);
    expect((await ui("/ui/approvals?assignee=%20", { cookie: mine.cookie })).status).toBe(200); // a blank name is no filter
  });

  it("approves and rejects through the inbox's forms as the task page does: same audit, back to the inbox", async () => {
    const approved = await gated("inbox approve", 86_400);
    const rejected = await gated("inbox reject", 86_400);
    const { cookie, csrf } = await signIn("dev-key");
    expect((await ui(`/ui/approvals/${approved}/approve`, { cookie, form: { by: "alice", reason: "ship it" } })).status).toBe(403);
    const res = await ui(`/ui/approvals/${approved}/approve`, { cookie, form: { _csrf: csrf, by: "alice", reason: "ship it" } });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/ui/approvals");
    expect((await waitFor(approved, ["succeeded", "failed"])).status).toBe("succeeded");
    const audit = (await (await call(`/v1/tasks/${approved}/audit`)).json()) as { entries: { actor: string; action: string; detail: Record<string, unknown> }[] };
    expect(audit.entries.find((e) => e.action === "approval.granted")).toMatchObject({ actor: 'tenant:dev as "alice"', detail: { step: "x", reason: "ship it" } });

    const no = await ui(`/ui/approvals/${rejected}/reject`, { cookie, form: { _csrf: csrf, by: "bob", reason: "not now" } });
    expect(no.status).toBe(303);
    expect((await waitFor(rejected, ["rejected"])).error).toBe('rejected by tenant:dev as "bob": not now');

    await expect.poll(async () => (await inbox()).filter((a) => a.taskId === approved || a.taskId === rejected), { timeout: 15_000 }).toEqual([]);
    expect(await (await ui("/ui/approvals", { cookie })).text()).not.toContain(`data-approval="${approved}"`);
    const again = await ui(`/ui/approvals/${approved}/approve`, { cookie, form: { _csrf: csrf, by: "alice", reason: "twice" } });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain("has already ended");
    expect((await ui(`/ui/approvals/${approved}/approve`, { cookie, form: { _csrf: csrf, by: "alice" } })).status).toBe(400); // the reason is required, as on the task page
  });
});
