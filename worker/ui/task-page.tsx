import { layoutDag, type DagStep } from "./dag.ts";
import { GateForm } from "./gate-forms.tsx";
import { Card, Page, Problem, Status, When, isTerminal, usd, type Viewer } from "./layout.tsx";
import type { Waterfall } from "./waterfall.ts";

type Obj = Record<string, any>;

/** Everything the task page shows; the audit and waterfall may have failed on their own. */
export interface TaskPageData {
  task: Obj;
  audit: { entries: Obj[]; verification: Obj } | { error: string };
  waterfall: Waterfall;
}

/** Plan steps joined with their live state, for the DAG. */
export function dagSteps(task: Obj): DagStep[] {
  const live = new Map<string, Obj>((task.steps ?? []).map((s: Obj) => [s.id, s]));
  const planSteps: Obj[] = task.plan?.steps ?? [...live.values()].map((s) => ({ id: s.id, dependsOn: [] }));
  return planSteps.map((p) => {
    const s = live.get(p.id);
    const label = s?.specialist ?? p.specialist ?? (p.intent ? `intent ${p.intent}` : "routed by input");
    return { id: p.id, dependsOn: p.dependsOn ?? [], status: s?.status ?? "pending", label, requireApproval: Boolean(p.requireApproval) };
  });
}

const Dag = ({ steps }: { steps: DagStep[] }) => {
  const g = layoutDag(steps);
  return (
    <div class="scroll">
      <svg class="dag" width={g.width} height={g.height} viewBox={`0 0 ${g.width} ${g.height}`} role="img" aria-label="step dependency graph">
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" class="arrowhead" />
          </marker>
        </defs>
        {g.edges.map((e) => (
          <path class="edge" marker-end="url(#arrow)" d={`M ${e.x1} ${e.y1} C ${e.x1 + 28} ${e.y1}, ${e.x2 - 28} ${e.y2}, ${e.x2 - 2} ${e.y2}`} />
        ))}
        {g.nodes.map((n) => (
          <g class={`node st-${n.status}`} data-step={n.id}>
            <rect x={n.x} y={n.y} width={g.node.w} height={g.node.h} rx="8" />
            <text x={n.x + 10} y={n.y + 20} class="node-id">
              {n.id}
            </text>
            {n.requireApproval ? (
              <text x={n.x + g.node.w - 8} y={n.y + 18} text-anchor="end" class="gate-mark">
                GATE
              </text>
            ) : null}
            <text x={n.x + 10} y={n.y + 38} class="node-label">
              {`${(n.label ?? "").slice(0, 20)} · ${(n.status ?? "").replaceAll("_", " ")}`}
            </text>
          </g>
        ))}
      </svg>
    </div>
  );
};

const WaterfallView = ({ w }: { w: Waterfall }) =>
  w.bars.length === 0 ? (
    <p class="muted">No hop has started yet.</p>
  ) : (
    <table class="waterfall">
      <tbody>
        {w.bars.map((b) => (
          <tr>
            <td class={`wf-label d-${Math.min(b.depth ?? 0, 5)}`}>
              <b>{b.label}</b> <span class="muted small">{b.detail}</span>
            </td>
            <td class="wf-track">
              <svg viewBox="0 0 100 10" preserveAspectRatio="none" class="wf-svg" aria-hidden="true">
                <rect x={b.leftPct} y="1" width={b.widthPct} height="8" rx="1" class={`bar st-${b.status ?? "running"}`} />
              </svg>
            </td>
            <td class="num small">{b.ms === undefined ? "running" : `${b.ms} ms`}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );

/** A step output or result as text (an output's `text` when it has one), cut at `max` characters. */
const brief = (v: unknown, max = 240): string => {
  if (v === undefined || v === null) return "";
  const o = v as Obj;
  const text = typeof v === "string" ? v : typeof o.text === "string" ? o.text : JSON.stringify(v, null, max > 240 ? 2 : 0);
  return text.length > max ? `${text.slice(0, max)}…` : text;
};

/** An audit entry's detail as `key: value` pairs, with hashes shortened. */
const details = (d: unknown): string =>
  typeof d === "object" && d !== null
    ? Object.entries(d)
        .map(([k, v]) => `${k}: ${typeof v === "string" ? (/^[0-9a-f]{64}$/.test(v) ? `${v.slice(0, 12)}…` : v) : JSON.stringify(v)}`)
        .join(" · ")
    : String(d ?? "");

const Steps = ({ steps }: { steps: Obj[] }) => (
  <table class="grid" id="steps">
    <thead>
      <tr>
        <th>step</th>
        <th>status</th>
        <th>specialist</th>
        <th>output</th>
        <th class="num">attempts</th>
        <th class="num">cost</th>
      </tr>
    </thead>
    <tbody>
      {steps.map((s) => (
        <tr data-step={s.id}>
          <td>
            <b>{s.id}</b>
          </td>
          <td>
            <Status status={s.status} />
          </td>
          <td>{s.specialist ?? <span class="muted">—</span>}</td>
          <td class="out">
            {s.error ? <span class="bad">{s.error}</span> : brief(s.output ?? s.unverifiedOutput)}
            {(s.verdicts ?? []).map((v: Obj) => (
              <div class={`small ${v.pass ? "good" : "bad"}`}>
                {v.pass ? "✔" : "✘"} {v.specialist}: {v.reason}
              </div>
            ))}
            {s.coordination ? <Coordination c={s.coordination} /> : null}
          </td>
          <td class="num">{s.attempts}</td>
          <td class="num">{usd(s.costUsd)}</td>
        </tr>
      ))}
    </tbody>
  </table>
);

/** A step's ensemble (combine, agreement, who agreed, decision) or hedge (who answered first), in one line (docs/coordination.md). */
const Coordination = ({ c }: { c: Obj }) => {
  const e = c.ensemble as Obj | undefined;
  const h = c.hedge as Obj | undefined;
  if (e)
    return (
      <div class={`small coordination ${e.decision === "accepted" ? "good" : "bad"}`} title={String(c.strategy)}>
        {String(e.combine)} of {(e.candidates as Obj[]).map((x) => String(x.specialist)).join(", ")}
        {e.agreement !== undefined ? `: agreement ${String(e.agreement)} (${((e.agreed as string[] | undefined) ?? []).join(", ")})` : ""} → {String(e.decision)}
      </div>
    );
  if (h)
    return (
      <div class="small coordination" title={String(c.strategy)}>
        {h.hedged ? `hedged with ${String(h.hedgeWith)} after ${String(h.delayMs)} ms: ${String(h.winner)} answered first` : h.budgetDenied ? "not hedged: budget spent" : `${String(h.primary)} answered within ${String(h.delayMs)} ms`}
      </div>
    );
  return <div class="small muted">{String(c.strategy)}</div>;
};

const Audit = ({ audit }: { audit: TaskPageData["audit"] }) => {
  if ("error" in audit) return <Problem text={audit.error} />;
  const v = audit.verification;
  return (
    <>
      <p id="audit-verification" class={v.ok ? "good" : "bad"}>
        {v.ok ? `✔ chain verifies: ${v.entries} entries, head ${String(v.head).slice(0, 12)}…` : `✘ chain broken at entry ${v.brokenAt}: ${v.reason}`}
      </p>
      <table class="grid small" id="audit">
        <thead>
          <tr>
            <th class="num">#</th>
            <th>at</th>
            <th>actor</th>
            <th>action</th>
            <th>detail</th>
            <th>hash</th>
          </tr>
        </thead>
        <tbody>
          {audit.entries.map((e) => (
            <tr>
              <td class="num">{e.seq}</td>
              <td>
                <When iso={e.at} />
              </td>
              <td>{e.actor}</td>
              <td>
                <code>{e.action}</code>
              </td>
              <td class="out">{details(e.detail)}</td>
              <td>
                <code title={e.hash}>{String(e.hash).slice(0, 10)}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
};

const Gate = ({ id, action, viewer, label, reasonRequired }: { id: string; action: string; viewer: Viewer; label: string; reasonRequired: boolean }) => (
  <GateForm url={`/ui/tasks/${id}/${action}`} action={action} viewer={viewer} label={label} reasonRequired={reasonRequired} />
);

/** `GET /ui/tasks/:id`: status, step DAG, waterfall, steps, audit chain and the gates. */
export const TaskPage = ({ viewer, data }: { viewer: Viewer; data: TaskPageData }) => {
  const t = data.task;
  const running = !isTerminal(t.status) && t.status !== "awaiting_approval";
  return (
    <Page title={t.goal.length > 80 ? `${t.goal.slice(0, 80)}…` : t.goal} viewer={viewer} refreshSeconds={running ? 2 : undefined}>
      <div class="summary">
        <span id="task-status">
          <Status status={t.status} />
        </span>
        <code>{t.id}</code>
        <span>{t.workflow ? `workflow ${t.workflow}` : t.planner ? `planner ${t.planner}` : "plan"}</span>
        <span>cost {usd(t.costUsd)}</span>
        <span>{t.hops} hops</span>
        <span>
          created <When iso={t.createdAt} />
        </span>
        {running ? <span class="muted">refreshing every 2 s</span> : null}
      </div>
      {t.status === "awaiting_approval" ? (
        <Card title="Waiting for approval" id="approval">
          <p>
            Step <b>{t.awaiting?.step ?? "—"}</b>: {t.awaiting?.reason ?? t.inputGate ?? "a human decides"}.
            {t.awaiting?.expiresAt ? <span class="muted"> Rejects itself at {new Date(t.awaiting.expiresAt).toISOString()}.</span> : null}
          </p>
          <div class="gates">
            <Gate id={t.id} action="approve" viewer={viewer} label="Approve" reasonRequired />
            <Gate id={t.id} action="reject" viewer={viewer} label="Reject" reasonRequired />
          </div>
        </Card>
      ) : null}
      {t.result !== undefined || t.error ? (
        <Card title={t.error ? "Error" : "Result"}>
          <pre class={t.error ? "bad" : "result"}>{t.error ?? brief(t.result, 8000)}</pre>
        </Card>
      ) : null}
      <Card title="Steps" note={t.plan ? `${t.plan.steps.length} steps, combine ${typeof t.plan.combine === "string" ? t.plan.combine : `step ${t.plan.combine?.step}`}` : "planning…"}>
        {t.plan || t.steps?.length ? <Dag steps={dagSteps(t)} /> : <p class="muted">The planner has not answered yet.</p>}
        <Steps steps={t.steps ?? []} />
      </Card>
      <Card title="Waterfall" note={data.waterfall.source === "trace" ? `trace · ${data.waterfall.totalMs} ms` : `from step times · ${data.waterfall.totalMs} ms`}>
        <WaterfallView w={data.waterfall} />
      </Card>
      <Card title="Audit chain">
        <Audit audit={data.audit} />
      </Card>
      {!isTerminal(t.status) ? (
        <Card title="Kill switch">
          <Gate id={t.id} action="cancel" viewer={viewer} label="Cancel task" reasonRequired={false} />
        </Card>
      ) : null}
    </Page>
  );
};
