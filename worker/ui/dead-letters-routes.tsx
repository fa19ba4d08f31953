import type { Hono, MiddlewareHandler } from "hono";
import { WORK_QUEUES } from "../queues/names.ts";
import { problemText } from "./api.ts";
import { DeadLettersPage } from "./dead-letters.tsx";
import { ErrorPage } from "./forms.tsx";
import { formFields, requireCsrf, type UiEnv } from "./guard.ts";

const PAGE = "/ui/dead-letters";

/**
 * The dead-letter pages (`/ui/dead-letters…`, admin only) on the dashboard's app: the
 * list (over `GET /v1/admin/dead-letters`, filtered by queue and tenant, 50 a page) and
 * its Replay / Discard forms, which call the admin API with the operator's key like
 * every dashboard form, so a tenant's session is refused there (403) and nothing here
 * decides who may do what.
 */
export function deadLetterPages(ui: Hono<UiEnv>, session: MiddlewareHandler<UiEnv>): void {
  ui.get(PAGE, session, async (c) => {
    const viewer = c.get("viewer");
    const queue = c.req.query("queue") || undefined;
    const tenant = c.req.query("tenant")?.trim() || undefined;
    const afterRaw = Number(c.req.query("after") ?? "0");
    const after = Number.isInteger(afterRaw) && afterRaw > 0 ? afterRaw : undefined;
    const qs = new URLSearchParams({ limit: "50", ...(queue ? { queue } : {}), ...(tenant ? { tenant } : {}), ...(after ? { after: String(after) } : {}) });
    const r = await c.get("api").get(`/v1/admin/dead-letters?${qs}`);
    if (r.status === 403 || r.status === 401) return c.html(<ErrorPage viewer={viewer} status={403} text={problemText(r)} back="/" />, 403);
    const filter = { ...(queue ? { queue } : {}), ...(tenant ? { tenant } : {}), ...(after ? { after } : {}) };
    const queues = Object.keys(WORK_QUEUES);
    if (!r.ok) return c.html(<DeadLettersPage viewer={viewer} data={{ filter, letters: { error: problemText(r) }, next: null, queues }} />, r.status === 400 ? 400 : 502);
    return c.html(<DeadLettersPage viewer={viewer} data={{ filter, letters: r.body.deadLetters, next: r.body.next, queues }} />);
  });

  for (const action of ["replay", "discard"] as const)
    ui.post(`${PAGE}/:seq/${action}`, session, requireCsrf, async (c) => {
      const seq = c.req.param("seq");
      const viewer = c.get("viewer");
      if (!/^[1-9][0-9]{0,15}$/.test(seq)) return c.html(<ErrorPage viewer={viewer} status={404} text={`'${seq}' is not a dead letter's number`} back={PAGE} />, 404);
      const reason = (await formFields(c)).reason?.trim() || undefined;
      const r = await c.get("api").post(`/v1/admin/dead-letters/${seq}/${action}`, reason ? { reason } : {});
      if (!r.ok) return c.html(<ErrorPage viewer={viewer} status={r.status} text={problemText(r)} back={PAGE} />, r.status === 403 || r.status === 404 || r.status === 400 ? r.status : 502);
      return c.redirect(PAGE, 303);
    });
}
