import type { ApprovalItem } from "../tasks/approvals.ts";
import { GateForm } from "./gate-forms.tsx";
import { expiresIn, type InboxFilter } from "./inbox.ts";
import { Card, Csrf, Page, Problem, When, type Viewer } from "./layout.tsx";

/** An open approval as `GET /v1/approvals` lists it (the fields the page shows). */
export type ApprovalRowView = Pick<ApprovalItem, "taskId" | "goal" | "step" | "reason" | "requestedAt" | "expiresAt" | "assignee" | "assignedBy">;

/** Everything the inbox page shows; the list may have failed on its own. */
export interface ApprovalsPageData {
  approvals: ApprovalRowView[] | { error: string };
  maxOpenPerReviewer?: number;
  filter: InboxFilter;
  /** Epoch ms the page is rendered at (for "expires in"). */
  now: number;
}

const Filters = ({ filter }: { filter: InboxFilter }) => (
  <div class="filters">
    <a href="/ui/approvals" class={!filter.assignee && !filter.unassigned ? "on" : undefined}>
      All
    </a>
    <a href="/ui/approvals?unassigned=true" class={filter.unassigned ? "on" : undefined}>
      Unassigned
    </a>
    <form method="get" action="/ui/approvals" class="gate" id="reviewer-filter">
      <input name="assignee" placeholder="reviewer" maxlength={200} value={filter.assignee ?? ""} aria-label="a reviewer's approvals" />
      <button type="submit" class="btn">
        Show a reviewer's
      </button>
    </form>
  </div>
);

const Assign = ({ a, viewer }: { a: ApprovalRowView; viewer: Viewer }) => (
  <>
    <form method="post" action={`/ui/approvals/${a.taskId}/assign`} class="gate gate-assign">
      <Csrf token={viewer.csrf} />
      <input name="reviewer" placeholder="reviewer" maxlength={200} value={a.assignee ?? ""} aria-label="assign to" />
      <input name="by" placeholder="who" maxlength={200} value={`${viewer.tenant}-operator`} aria-label="assigned by" />
      <button type="submit" class="btn">
        Assign
      </button>
    </form>
    {a.assignee ? (
      <form method="post" action={`/ui/approvals/${a.taskId}/assign`} class="gate gate-unassign">
        <Csrf token={viewer.csrf} />
        <input type="hidden" name="reviewer" value="" />
        <input type="hidden" name="by" value={`${viewer.tenant}-operator`} />
        <button type="submit" class="btn">
          Unassign
        </button>
      </form>
    ) : null}
  </>
);

const Inbox = ({ viewer, data }: { viewer: Viewer; data: ApprovalsPageData }) => {
  if ("error" in data.approvals) return <Problem text={data.approvals.error} />;
  if (data.approvals.length === 0) return <p class="muted">Nothing is waiting for a human{data.filter.assignee ? ` assigned to ${data.filter.assignee}` : data.filter.unassigned ? " unassigned" : ""}.</p>;
  return (
    <div class="scroll">
      <table class="grid" id="approvals">
        <thead>
          <tr>
            <th>expires</th>
            <th>task</th>
            <th>waits on</th>
            <th>assignee</th>
            <th>decide</th>
          </tr>
        </thead>
        <tbody>
          {data.approvals.map((a) => (
            <tr data-approval={a.taskId}>
              <td class="nowrap">
                <When iso={a.expiresAt} />
                <div class="small muted">{expiresIn(a.expiresAt, data.now)}</div>
              </td>
              <td class="goal">
                <a href={`/ui/tasks/${a.taskId}`}>{a.goal}</a>
                <div class="small muted">
                  <code>{a.taskId.slice(0, 13)}…</code> requested <When iso={a.requestedAt} />
                </div>
              </td>
              <td class="out">
                step <b>{a.step}</b>: {a.reason}
              </td>
              <td class="assignee">
                {a.assignee ? <b>{a.assignee}</b> : <span class="muted">unassigned</span>}
                {a.assignedBy ? <div class="small muted">by {a.assignedBy}</div> : null}
                <Assign a={a} viewer={viewer} />
              </td>
              <td class="decide">
                <div class="gates">
                  <GateForm url={`/ui/approvals/${a.taskId}/approve`} action="approve" viewer={viewer} label="Approve" reasonRequired />
                  <GateForm url={`/ui/approvals/${a.taskId}/reject`} action="reject" viewer={viewer} label="Reject" reasonRequired />
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
};

/** `GET /ui/approvals`: the tenant's open approvals, soonest-expiring first, with assign / approve / reject forms. */
export const ApprovalsPage = ({ viewer, data }: { viewer: Viewer; data: ApprovalsPageData }) => (
  <Page title="Approvals" viewer={viewer}>
    <Card title="Waiting for a human" note={data.maxOpenPerReviewer ? `soonest-expiring first · at most ${data.maxOpenPerReviewer} open per reviewer` : "soonest-expiring first"}>
      <Filters filter={data.filter} />
      <Inbox viewer={viewer} data={data} />
    </Card>
  </Page>
);
