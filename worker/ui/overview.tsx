import { Card, Page, Problem, Status, When, usd, type Viewer } from "./layout.tsx";
import { IntentsTable } from "./intents-table.tsx";
import { intentMix, type BreakerRow, type Corrections, type IntentFigures, type PoolGauge, type SpecialistFigures, type TimeCharts, type costLines } from "./metrics.ts";
import { BarChart, LineChart, Matrix } from "./charts.tsx";

/** A specialist as `GET /v1/specialists` lists it (the fields the overview shows). */
export interface SpecialistRow {
  id: string;
  description: string;
  endpoint: { type: string; target: string };
  costPerCall: number;
  isFallback: boolean;
  health: { pool: string | null; breaker: string | null; limited: boolean };
}

/** A task as `GET /v1/tasks` lists it. */
export interface TaskRow {
  id: string;
  goal: string;
  status: string;
  createdAt: string;
  updatedAt: string;
}

/** Everything the overview shows; each part may have failed on its own. */
export interface OverviewData {
  specialists: SpecialistRow[] | { error: string };
  figures: Map<string, SpecialistFigures>;
  /** Where the figures came from. */
  figuresSource: "metrics" | "pools" | "none";
  /** Per (intent label, specialist), when the figures came from `/v1/metrics` (admin). */
  intents?: IntentFigures[];
  disabled: Set<string>;
  tasks: TaskRow[] | { error: string };
  control?: { global: unknown; tenants: Record<string, unknown>; specialists: Record<string, unknown>; version: number } | { error: string };
  /** Each pool limit's use (from `/v1/metrics`, admin). */
  pools?: PoolGauge[];
  /** The viewer's tenant's corrected routes (`/v1/feedback?outcome=bad`). */
  corrections?: Corrections;
  /** The last hours per specialist (`/v1/metrics?from=…&resolution=…`, admin). */
  time?: TimeCharts;
  /** Today's classifier confidence histogram over every specialist (admin). */
  confidence?: { label: string; value: number }[];
  /** Cost per day per specialist over the last two weeks (admin). */
  costs?: NonNullable<ReturnType<typeof costLines>>;
  /** Cost per day per tenant over the last two weeks (`groupBy=tenant`, admin). */
  tenantCosts?: NonNullable<ReturnType<typeof costLines>>;
  /** The breakers' state changes in the Traffic window, newest first. */
  breakers?: BreakerRow[];
}

const pct = (n: number | undefined) => (n === undefined ? "—" : `${(n * 100).toFixed(n > 0 && n < 0.01 ? 2 : 1)}%`);
const ms = (n: number | undefined) => (n === undefined ? "—" : `${n < 10 ? n.toFixed(1) : Math.round(n)} ms`);

const Specialists = ({ data }: { data: OverviewData }) => {
  if ("error" in data.specialists) return <Problem text={data.specialists.error} />;
  const rich = data.figuresSource === "metrics";
  return (
    <div class="scroll">
      <table class="grid" id="specialists">
        <thead>
          <tr>
            <th>specialist</th>
            <th>endpoint</th>
            <th>health</th>
            <th>breaker</th>
            <th>pool usage</th>
            {rich ? (
              <>
                <th class="num">requests</th>
                <th class="num">errors</th>
                <th class="num">p50 / p95</th>
              </>
            ) : null}
            <th class="num">per call</th>
            <th class="num">cost today</th>
          </tr>
        </thead>
        <tbody>
          {data.specialists.map((s) => {
            const f = data.figures.get(s.id) ?? {};
            const breaker = f.breaker ?? s.health.breaker;
            const off = data.disabled.has(s.id);
            const health = off ? "disabled" : breaker === "open" ? "down" : breaker === "half-open" ? "probing" : "healthy";
            return (
              <tr data-specialist={s.id}>
                <td class="spec">
                  <b>{s.id}</b>
                  {s.isFallback ? <span class="pill">fallback</span> : null}
                  <div class="muted small desc" title={s.description}>
                    {s.description}
                  </div>
                </td>
                <td class="small">
                  <code>{s.endpoint.type}</code>
                  <div class="muted">{s.endpoint.target}</div>
                </td>
                <td class="nowrap">
                  <span class={`dot h-${health}`} /> {health}
                </td>
                <td>{breaker ? <Status status={breaker} /> : <span class="muted">none</span>}</td>
                <td class="small">{f.poolUsage ?? <span class="muted">{s.health.limited ? "—" : "unlimited"}</span>}</td>
                {rich ? (
                  <>
                    <td class="num">{f.requests ?? "—"}</td>
                    <td class="num">{pct(f.errorRate)}</td>
                    <td class="num">
                      {ms(f.p50Ms)} / {ms(f.p95Ms)}
                    </td>
                  </>
                ) : null}
                <td class="num">{usd(s.costPerCall)}</td>
                <td class="num">{usd(f.costTodayUsd)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
};

const Tasks = ({ tasks }: { tasks: OverviewData["tasks"] }) => {
  if ("error" in tasks) return <Problem text={tasks.error} />;
  if (tasks.length === 0)
    return (
      <p class="muted">
        No tasks yet. <a href="/ui/tasks/new">Start one</a>.
      </p>
    );
  return (
    <table class="grid" id="tasks">
      <thead>
        <tr>
          <th>task</th>
          <th>goal</th>
          <th>status</th>
          <th>created</th>
          <th>updated</th>
        </tr>
      </thead>
      <tbody>
        {tasks.map((t) => (
          <tr data-task={t.id}>
            <td>
              <a href={`/ui/tasks/${t.id}`}>
                <code>{t.id.slice(0, 13)}…</code>
              </a>
            </td>
            <td class="goal">
              <a href={`/ui/tasks/${t.id}`}>{t.goal}</a>
            </td>
            <td>
              <Status status={t.status} />
            </td>
            <td>
              <When iso={t.createdAt} />
            </td>
            <td>
              <When iso={t.updatedAt} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
};

const Switches = ({ control }: { control: NonNullable<OverviewData["control"]> }) => {
  if ("error" in control) return <Problem text={control.error} />;
  const tenants = Object.keys(control.tenants);
  const specialists = Object.keys(control.specialists);
  return (
    <ul class="facts">
      <li>
        global: {control.global ? <span class="pill st-failed">disabled</span> : <span class="pill st-succeeded">on</span>}
      </li>
      <li>disabled tenants: {tenants.length ? tenants.join(", ") : <span class="muted">none</span>}</li>
      <li>disabled specialists: {specialists.length ? specialists.join(", ") : <span class="muted">none</span>}</li>
      <li class="muted">control state version {control.version}</li>
    </ul>
  );
};

/** Charts over the last hours: requests, error rate and p50 and p95 latency per specialist (the busiest seven). */
const Traffic = ({ t }: { t: TimeCharts }) =>
  t.requests.length === 0 ? (
    <p class="muted">No calls in this window.</p>
  ) : (
    <div class="charts wide">
      <LineChart id="chart-requests" title="Requests per interval" desc="Calls made to each specialist per interval (every retry and fallback attempt)." series={t.requests} from={t.from} to={t.to} />
      <LineChart id="chart-errors" title="Error rate (%)" desc="Errors over calls per interval, per specialist; gaps where it had no calls." series={t.errorRate} from={t.from} to={t.to} unit="%" />
      <LineChart id="chart-latency-p50" title="p50 latency (ms)" desc="The median of each specialist's call latency per interval; gaps where it had no calls." series={t.p50} from={t.from} to={t.to} unit=" ms" />
      <LineChart id="chart-latency" title="p95 latency (ms)" desc="The 95th percentile of each specialist's call latency per interval; gaps where it had no calls." series={t.p95} from={t.from} to={t.to} unit=" ms" />
    </div>
  );

/** The intervals of the Traffic window in which a specialist's circuit breaker changed state, newest first. */
const Breakers = ({ rows }: { rows: BreakerRow[] }) => (
  <table class="grid" id="breaker-changes">
    <caption>Breaker state changes</caption>
    <thead>
      <tr>
        <th>interval (UTC)</th>
        <th>specialist</th>
        <th>changes (state entered)</th>
        <th>then</th>
      </tr>
    </thead>
    <tbody>
      {rows.map((r) => (
        <tr data-specialist={r.specialist}>
          <td>{new Date(r.t).toISOString().slice(0, 16).replace("T", " ")}</td>
          <td>{r.specialist}</td>
          <td>{r.changes}</td>
          <td>
            <span class={`pill st-${r.state}`}>{r.state}</span>
          </td>
        </tr>
      ))}
    </tbody>
  </table>
);

/** Charts of today's load: each pool limit's use (percent of the limit) and cost per specialist. */
const Load = ({ data }: { data: OverviewData }) => {
  const pools = data.pools ?? [];
  const costs = [...data.figures].flatMap(([id, f]) => (f.costTodayUsd !== undefined && f.costTodayUsd > 0 ? [{ label: id, value: f.costTodayUsd }] : [])).sort((a, b) => b.value - a.value);
  if (pools.length === 0 && costs.length === 0 && !data.costs?.lines.length && !data.tenantCosts?.lines.length) return <p class="muted">No limited pools and no cost recorded today.</p>;
  return (
    <div class="charts">
      {pools.length > 0 ? (
        <BarChart
          id="chart-pools"
          title="Pool usage against limits"
          desc="Each limit of each specialist's pool: the share used now (requests in the window, leases in flight, budget spent today), with the limit at 100 %."
          unit="%"
          bars={pools.map((g) => ({ label: `${g.specialist} ${g.what}`, value: Math.round((g.used / g.limit) * 1000) / 10, limit: 100 }))}
        />
      ) : null}
      {costs.length > 0 ? <BarChart id="chart-cost" title="Cost today per specialist (USD)" desc="What each specialist's calls cost today (UTC), as the pools count it." bars={costs} /> : null}
      {data.costs && data.costs.lines.length > 0 ? (
        <LineChart id="chart-cost-days" title="Cost per day per specialist (USD)" desc="What each specialist's calls cost per UTC day over the last two weeks." series={data.costs.lines} from={data.costs.from} to={data.costs.to} />
      ) : null}
      {data.tenantCosts && data.tenantCosts.lines.length > 0 ? (
        <LineChart id="chart-cost-tenants" title="Cost per day per tenant (USD)" desc="What each tenant's calls cost per UTC day over the last two weeks, over every specialist." series={data.tenantCosts.lines} from={data.tenantCosts.from} to={data.tenantCosts.to} />
      ) : null}
    </div>
  );
};

/** Charts of routing: requests per intent label today, the classifier's confidence, and the tenant's corrected routes (routed label × corrected label). */
const Routing = ({ data }: { data: OverviewData }) => {
  const mix = intentMix(data.intents ?? []);
  const c = data.corrections;
  return (
    <div class="charts">
      {data.confidence ? (
        <BarChart id="chart-confidence" title="Classifier confidence today" desc="How many routed requests the intent classifier was how sure about, in bins of 0.1 (below router.minConfidence they went to the fallback)." bars={data.confidence} />
      ) : null}
      {mix.length > 0 ? <BarChart id="chart-intents" title="Requests per intent today" desc="How today's routed requests split by intent label (all specialists)." bars={mix.map((m) => ({ label: m.label, value: m.requests }))} /> : <p class="muted">No routed requests today.</p>}
      {c && c.total > 0 ? (
        <Matrix id="chart-corrections" title="Corrected routes" desc={`${c.total} corrections of classified hops given as feedback: where inputs were routed (the classifier's label → the specialist that served it) and the label they should have had. Corrections of hops that had no label (pinned to a specialist) are not in it.`} rows={c.routed} cols={c.corrected} count={c.count} rowHead="routed" colHead="corrected" />
      ) : null}
    </div>
  );
};

/** `GET /`: specialists with health, breaker, pool usage and cost; per-intent figures (admin); recent tasks; switches (admin). */
export const OverviewPage = ({ viewer, data }: { viewer: Viewer; data: OverviewData }) => (
  <Page title="Overview" viewer={viewer}>
    <Card title="Specialists" note={data.figuresSource === "metrics" ? "from /v1/metrics" : data.figuresSource === "pools" ? "live pool state" : undefined}>
      <Specialists data={data} />
    </Card>
    {data.time ? (
      <Card title="Traffic" note={`the last ${Math.round((data.time.to - data.time.from) / 3_600_000)} hours (UTC), from /v1/metrics`}>
        <Traffic t={data.time} />
        {data.breakers ? <Breakers rows={data.breakers} /> : null}
      </Card>
    ) : null}
    {data.intents || data.pools ? (
      <Card title="Load" note="now and today, from /v1/metrics">
        <Load data={data} />
      </Card>
    ) : null}
    {data.intents || (data.corrections && data.corrections.total > 0) ? (
      <Card title="Routing" note="today's intent mix; corrected routes from feedback">
        <Routing data={data} />
      </Card>
    ) : null}
    {data.intents ? (
      <Card title="Intents" note="today, from /v1/metrics: calls, verdicts and feedback per intent and specialist">
        <IntentsTable rows={data.intents} />
      </Card>
    ) : null}
    <Card title="Recent tasks" note={<a href="/ui/tasks/new">Start a task →</a>}>
      <Tasks tasks={data.tasks} />
    </Card>
    {data.control ? (
      <Card title="Kill switches" note="admin">
        <Switches control={data.control} />
      </Card>
    ) : null}
  </Page>
);
