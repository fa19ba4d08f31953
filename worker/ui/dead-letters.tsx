import { Card, Csrf, Page, Problem, When, type Viewer } from "./layout.tsx";

/** A dead letter as `GET /v1/admin/dead-letters` lists it (secrets already redacted). */
export interface DeadLetterRow {
  seq: number;
  queue: string;
  messageId: string;
  envelopeId: string | null;
  kind: string | null;
  tenant: string | null;
  reason: string;
  attempts: number;
  firstFailureAt: string | null;
  lastFailureAt: string | null;
  deadAt: string;
  body: unknown;
}

/** What the page shows: the filters, one page of letters (or why there is none), and where the next page starts. */
export interface DeadLettersData {
  filter: { queue?: string; tenant?: string; after?: number };
  letters: DeadLetterRow[] | { error: string };
  next: number | null;
  queues: readonly string[];
}

const Resolve = ({ viewer, seq, action }: { viewer: Viewer; seq: number; action: "replay" | "discard" }) => (
  <form method="post" action={`/ui/dead-letters/${seq}/${action}`} class="gate">
    <Csrf token={viewer.csrf} />
    <input name="reason" maxlength={2000} placeholder="reason (audited)" />
    <button type="submit" class={`btn ${action === "replay" ? "approve" : "reject"}`}>
      {action === "replay" ? "Replay" : "Discard"}
    </button>
  </form>
);

const query = (f: DeadLettersData["filter"], after: number) => new URLSearchParams({ ...(f.queue ? { queue: f.queue } : {}), ...(f.tenant ? { tenant: f.tenant } : {}), after: String(after) }).toString();

/**
 * `GET /ui/dead-letters` (admin): the dead letters of the router's queues, filtered by
 * queue and tenant, each with why it died, its body (secrets redacted) and Replay /
 * Discard forms (docs/dashboard.md).
 */
export const DeadLettersPage = ({ viewer, data }: { viewer: Viewer; data: DeadLettersData }) => (
  <Page title="Dead letters" viewer={viewer}>
    <Card title="Filter">
      <form method="get" action="/ui/dead-letters" class="gate" id="dead-letter-filter">
        <select name="queue">
          <option value="" selected={!data.filter.queue}>
            every queue
          </option>
          {data.queues.map((q) => (
            <option value={q} selected={data.filter.queue === q}>
              {q}
            </option>
          ))}
        </select>
        <input name="tenant" maxlength={64} placeholder="tenant" value={data.filter.tenant ?? ""} />
        <button type="submit" class="btn">
          Show
        </button>
      </form>
    </Card>
    <Card title="Letters" note="oldest first · a replay re-sends the original message (secrets included) to its work queue">
      {"error" in data.letters ? (
        <Problem text={data.letters.error} />
      ) : data.letters.length === 0 ? (
        <p class="muted" id="no-dead-letters">
          No dead letters{data.filter.queue || data.filter.tenant ? " match" : ""}.
        </p>
      ) : (
        <div class="scroll">
          <table class="grid" id="dead-letters">
            <thead>
              <tr>
                <th>#</th>
                <th>queue · kind</th>
                <th>tenant</th>
                <th>why</th>
                <th class="num">attempts</th>
                <th>died</th>
                <th>act</th>
              </tr>
            </thead>
            <tbody>
              {data.letters.map((d) => (
                <tr data-seq={String(d.seq)}>
                  <td>{d.seq}</td>
                  <td class="small">
                    <b>{d.queue}</b> <code>{d.kind ?? "—"}</code>
                    <div class="muted">{d.envelopeId ?? d.messageId}</div>
                  </td>
                  <td>{d.tenant ?? <span class="muted">—</span>}</td>
                  <td class="out">
                    {d.reason}
                    <details>
                      <summary class="muted small">message</summary>
                      <pre class="result small">{JSON.stringify(d.body, null, 2)}</pre>
                    </details>
                  </td>
                  <td class="num">{d.attempts}</td>
                  <td class="nowrap">
                    <When iso={d.deadAt} />
                    {d.lastFailureAt ? (
                      <div class="muted small">
                        last failure <When iso={d.lastFailureAt} />
                      </div>
                    ) : null}
                  </td>
                  <td>
                    <div class="gates">
                      <Resolve viewer={viewer} seq={d.seq} action="replay" />
                      <Resolve viewer={viewer} seq={d.seq} action="discard" />
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {data.next !== null ? (
        <p>
          <a href={`/ui/dead-letters?${query(data.filter, data.next)}`} id="next-page">
            Next page →
          </a>
        </p>
      ) : null}
    </Card>
  </Page>
);
