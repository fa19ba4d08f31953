import type { Hono, MiddlewareHandler } from "hono";
import { problemText } from "./api.ts";
import { ApprovalsPage } from "./approvals-page.tsx";
import { ErrorPage } from "./forms.tsx";
import { TASK_ID, submitGateForm } from "./gate-forms.tsx";
import { formFields, requireCsrf, type UiEnv } from "./guard.ts";
import { inboxQuery } from "./inbox.ts";

const INBOX = "/ui/approvals";

/**
 * The approvals inbox pages (`/ui/approvals…`) on the dashboard's app: the list (over
 * `GET /v1/approvals`) and its forms, which call the API with the operator's key like
 * every dashboard form (approve and reject: `POST /v1/approvals/:taskId/approve|reject`,
 * the task routes' own code path) and come back to the inbox.
 */
export function approvalPages(ui: Hono<UiEnv>, session: MiddlewareHandler<UiEnv>): void {
  ui.get(INBOX, session, async (c) => {
    const { filter, apiPath } = inboxQuery({ assignee: c.req.query("assignee"), unassigned: c.req.query("unassigned") });
    const r = await c.get("api").get(apiPath);
    const data = { approvals: r.ok ? r.body.approvals : { error: problemText(r) }, maxOpenPerReviewer: r.ok ? r.body.maxOpenPerReviewer : undefined, filter, now: Date.now() };
    return c.html(<ApprovalsPage viewer={c.get("viewer")} data={data} />, r.ok ? 200 : r.status === 400 ? 400 : 502);
  });

  ui.post(`${INBOX}/:id/assign`, session, requireCsrf, async (c) => {
    const id = c.req.param("id");
    const viewer = c.get("viewer");
    if (!TASK_ID.test(id)) return c.html(<ErrorPage viewer={viewer} status={404} text={`'${id}' is not a task id`} back={INBOX} />, 404);
    const f = await formFields(c);
    const reviewer = f.reviewer?.trim() || null;
    const by = f.by?.trim() || undefined;
    const r = await c.get("api").post(`/v1/approvals/${id}/assign`, { reviewer, ...(by ? { by } : {}) });
    if (!r.ok) return c.html(<ErrorPage viewer={viewer} status={r.status} text={problemText(r)} back={INBOX} />, r.status === 404 || r.status === 409 || r.status === 400 ? r.status : 502);
    return c.redirect(INBOX, 303);
  });

  for (const action of ["approve", "reject"] as const)
    ui.post(`${INBOX}/:id/${action}`, session, requireCsrf, async (c) => {
      const id = c.req.param("id");
      if (!TASK_ID.test(id)) return c.html(<ErrorPage viewer={c.get("viewer")} status={404} text={`'${id}' is not a task id`} back={INBOX} />, 404);
      return submitGateForm(c, await formFields(c), `/v1/approvals/${id}/${action}`, INBOX);
    });
}
