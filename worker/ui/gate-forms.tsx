import type { Context } from "hono";
import { problemText } from "./api.ts";
import { ErrorPage } from "./forms.tsx";
import type { UiEnv } from "./guard.ts";
import { Csrf, type Viewer } from "./layout.tsx";

/** A task id, as the dashboard's paths take it (anything else is a 404 before the API is asked). */
export const TASK_ID = /^task_[0-9a-f]{32}$/;

/**
 * A gate's form (who and why), posted to `url`: the same form on a task's page and in
 * the approvals inbox, so a decision is asked for the same way wherever it is made.
 */
export const GateForm = ({ url, action, viewer, label, reasonRequired }: { url: string; action: string; viewer: Viewer; label: string; reasonRequired: boolean }) => (
  <form method="post" action={url} class={`gate gate-${action}`}>
    <Csrf token={viewer.csrf} />
    <input name="by" placeholder="who" required maxlength={200} value={`${viewer.tenant}-operator`} aria-label={`${label}: who`} />
    <input name="reason" placeholder="why" required={reasonRequired} maxlength={2000} aria-label={`${label}: why`} />
    <button type="submit" class={`btn ${action}`}>
      {label}
    </button>
  </form>
);

/**
 * Handles a posted gate form (after the session and CSRF guards): sends its `by` and
 * `reason` to `apiPath` (the API decides and validates, as for any caller with the
 * operator's key) and goes `back`, or shows the API's problem with its status.
 */
export async function submitGateForm(c: Context<UiEnv>, fields: Record<string, string>, apiPath: string, back: string): Promise<Response> {
  const by = fields.by?.trim() || undefined;
  const reason = fields.reason?.trim() || undefined;
  const r = await c.get("api").post(apiPath, { ...(by ? { by } : {}), ...(reason ? { reason } : {}) });
  if (!r.ok) return c.html(<ErrorPage viewer={c.get("viewer")} status={r.status} text={problemText(r)} back={back} />, r.status === 404 || r.status === 409 || r.status === 400 ? r.status : 502);
  return c.redirect(back, 303);
}
