import { Card, Csrf, Page, Problem, type Viewer } from "./layout.tsx";
import type { StartForm, WorkflowOption } from "./start-form.ts";

/** `GET /ui/sign-in`: trade an API key for a session cookie. */
export const SignInPage = ({ token, error, devMode }: { token: string; error?: string; devMode: boolean }) => (
  <Page title="Sign in">
    <Card title="Operator dashboard">
      {error ? <Problem text={error} /> : null}
      <form method="post" action="/ui/sign-in" class="stack narrow" id="sign-in">
        <input type="hidden" name="_csrf" value={token} />
        <label>
          API key
          <input type="password" name="key" required autocomplete="current-password" autofocus maxlength={512} />
        </label>
        <button type="submit" class="btn primary">
          Sign in
        </button>
      </form>
      <p class="muted small">
        Any key the API accepts works; admin-only parts show for the admin key. The key is kept sealed in an HttpOnly cookie for 12 hours.
        {devMode ? (
          <>
            {" "}
            This router runs with <code>DEV_MODE</code>: <code>dev-key</code> and <code>dev-admin-key</code> work.
          </>
        ) : null}
      </p>
    </Card>
  </Page>
);

/** `GET /ui/tasks/new`: goal, input, plan source, optional approval gate. */
export const StartPage = ({ viewer, workflows, form, error, idem }: { viewer: Viewer; workflows: readonly WorkflowOption[]; form?: StartForm; error?: string; idem: string }) => (
  <Page title="Start a task" viewer={viewer}>
    <Card title="New task">
      {error ? <Problem text={error} /> : null}
      <form method="post" action="/ui/tasks" class="stack" id="start-task">
        <Csrf token={viewer.csrf} />
        <input type="hidden" name="idem" value={idem} />
        <label>
          Goal
          <input name="goal" required maxlength={10000} value={form?.goal ?? ""} placeholder="convert 5 km to miles, then what is the result times 3" />
        </label>
        <label>
          Input <span class="muted small">(optional; the goal is used when empty)</span>
          <textarea name="input" rows={4} maxlength={100000}>
            {form?.input ?? ""}
          </textarea>
        </label>
        <label>
          Plan
          <select name="mode">
            <option value="single" selected={!form?.mode || form.mode === "single"}>
              One step, routed by the input's intent
            </option>
            <option value="planner" selected={form?.mode === "planner"}>
              Ask the planner to split the goal into steps
            </option>
            {workflows.map((w) => (
              <option value={`workflow:${w.id}`} selected={form?.mode === `workflow:${w.id}`}>
                {`Workflow ${w.id}: ${w.description || `${w.plan.steps.length} steps`}`}
              </option>
            ))}
          </select>
        </label>
        <label class="check">
          <input type="checkbox" name="approval" checked={form?.approval === "on"} /> Require approval before the final step
        </label>
        <button type="submit" class="btn primary">
          Start task
        </button>
      </form>
    </Card>
  </Page>
);

/** A classification and the routing decision it leads to. */
export interface IntentResult {
  record: { id: string; label: string; specialist: string; confidence: number; inScope: boolean; topK: { label: string; specialist: string; confidence: number }[]; encoder: string; cached: string | null };
  decision?: { specialist: string; reason: string };
}

/** `GET/POST /ui/intents`: type text, see the decision and the top-k. */
export const IntentsPage = ({ viewer, text, result, error }: { viewer: Viewer; text?: string; result?: IntentResult; error?: string }) => (
  <Page title="Intent playground" viewer={viewer}>
    <Card title="Classify">
      <form method="post" action="/ui/intents" class="stack" id="classify">
        <Csrf token={viewer.csrf} />
        <textarea name="text" rows={3} required maxlength={20000} placeholder="what is 12 * (3 + 4)?">
          {text ?? ""}
        </textarea>
        <button type="submit" class="btn primary">
          Classify
        </button>
      </form>
      {error ? <Problem text={error} /> : null}
    </Card>
    {result ? (
      <Card title="Decision" note={`${result.record.encoder}${result.record.cached ? ` · cached (${result.record.cached})` : ""}`} id="decision">
        <ul class="facts">
          <li>
            specialist <b id="decided-specialist">{result.decision?.specialist ?? result.record.specialist}</b>
          </li>
          <li>
            intent <code>{result.record.label}</code> at <b>{result.record.confidence.toFixed(3)}</b> {result.record.inScope ? <span class="pill st-succeeded">in scope</span> : <span class="pill st-failed">out of scope</span>}
          </li>
          <li>reason: {result.decision?.reason ?? "—"}</li>
          <li class="muted small">
            intent id <code>{result.record.id}</code> (send it as <code>X-Intent-Id</code> to route the next hop without classifying)
          </li>
        </ul>
        <table class="grid" id="topk">
          <thead>
            <tr>
              <th>#</th>
              <th>intent</th>
              <th>specialist</th>
              <th>confidence</th>
            </tr>
          </thead>
          <tbody>
            {result.record.topK.map((k, i) => (
              <tr>
                <td>{i + 1}</td>
                <td>
                  <code>{k.label}</code>
                </td>
                <td>{k.specialist}</td>
                <td class="meter">
                  <div class="meter-row">
                    <svg viewBox="0 0 100 10" preserveAspectRatio="none" class="wf-svg" aria-hidden="true">
                      <rect x="0" y="1" width={Math.max(0.5, k.confidence * 100)} height="8" rx="1" class="bar st-succeeded" />
                    </svg>
                    <span class="small">{k.confidence.toFixed(3)}</span>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
    ) : null}
  </Page>
);

/** A failed action: the API's problem, with a way back. */
export const ErrorPage = ({ viewer, status, text, back }: { viewer?: Viewer; status: number; text: string; back: string }) => (
  <Page title={`Could not do that (${status})`} viewer={viewer}>
    <Card title="What the API said">
      <Problem text={text} />
      <p>
        <a href={back}>← Back</a>
      </p>
    </Card>
  </Page>
);
