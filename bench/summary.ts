/**
 * The one summary table of `npm run bench` (issue 13, item 3): direct, the bare forwarders and
 * each router scenario, with req/s at 1/10/50 connections, p50/p99 at 1 connection, the added
 * p50/p99 over its direct call, workerd CPU µs per request, and each ratio against its target.
 * Pure: built from what the run already collects (`ScenarioRuns`, the chat paired loops, the
 * fallback summary, the task scenario), rendered as one aligned text table plus a targets
 * list; the `BenchSummary` object is what `bench/out/results-*.json` holds under `summary`
 * (scripts/bench-readme.ts renders the docs' block from it).
 *
 * Where each figure comes from:
 * - req/s: the autocannon run at that connection count (`rps`, keyed by connection count).
 * - p50/p99 (ms): the scenario's own sequential single-connection loop; `+p50/+p99`: minus the
 *   same loop of its group's direct call (`direct` for /v1/route, `chat-direct(-stream)` for chat).
 * - CPU (µs/req): workerd's CPU per request in the 50-connection run (the most requests, so its
 *   background work weighs least), else the busiest run measured.
 * - p50 over the forwarder (ms): the paired loop when one interleaved both, else the own loops.
 * - the task row: per step of a 5-step chain; steps/s at 1 task in flight in the "1" column,
 *   p50/p99 = server-stamped wall ÷ steps, +p50/+p99 = router overhead per step
 *   ((wall − steps × direct p50) ÷ steps), CPU = workerd µs per step (8 in flight, else 1).
 */
import type { AddedSummary } from "./added.ts";
import { CHAT_FORWARDED } from "./chat-forwarder.ts";
import type { PairedResult } from "./paired.ts";
import type { ScenarioRuns } from "./report.ts";
import type { TaskScenario } from "./task.ts";

export type Group = "route" | "chat" | "chat-stream" | "task";
export type Role = "direct" | "forwarder" | "router";

/** One line of the summary; every number is undefined when not measured. */
export interface SummaryRow {
  /** Stable key: `direct`, `forwarder`, `pinned`, `cached-intent`, `cache-miss`, `auto-chat`, `limited`, `one-fallback`, `chat-direct`, `chat-forwarder`, `chat`, `chat-stream-direct`, `chat-stream-forwarder`, `chat-stream`, `task-step`. */
  key: string;
  label: string;
  /** The bench scenario it comes from (bench/scenarios.ts, chat.ts; `task` for the task scenario). */
  scenario: string;
  group: Group;
  role: Role;
  /** req/s by connection count (`"1"`, `"10"`, `"50"`); the task row: steps/s by tasks in flight (`"1"`, `"8"`). */
  rps: Record<string, number>;
  /** Own sequential loop, ms (task: server-stamped wall ÷ steps). */
  p50Ms?: number;
  p99Ms?: number;
  /** Minus the group's direct call, ms (task: router overhead per step). */
  addedP50Ms?: number;
  addedP99Ms?: number;
  /** workerd CPU µs per request (task: per step). */
  cpuUsPerReq?: number;
  /** Median share of all cores (%) other processes used during this row's runs: above ~25 % its figures are noisy. */
  otherCpuPct?: number;
  /** Router rows: against the group's forwarder (limited: CPU against `pinned`, the unlimited hop). */
  ratios?: {
    /** cpuUsPerReq ÷ the reference's (`cpuRef`). */
    cpu?: number;
    cpuRef?: "forwarder" | "pinned";
    /** req/s at 50 connections ÷ the forwarder's. */
    rps50Share?: number;
    /** p50 − the forwarder's p50 at 1 connection, ms. */
    p50OverForwarderMs?: number;
    p50Source?: "paired" | "sequential";
  };
  /** Set when the smoke check failed (the run's load was skipped). */
  failed?: string;
}

export type TargetMeasure = "cpu" | "rps50Share" | "p50OverForwarderMs" | "fallbackOwnP50Ms" | "overheadPerStepMs";

/** One target: `value op target` (units: × for cpu, a 0–1 share for rps50Share, ms otherwise). */
export interface SummaryTarget {
  row: string;
  measure: TargetMeasure;
  label: string;
  op: "<=" | ">=";
  target: number;
  value?: number;
  /** undefined = not measured. */
  met?: boolean;
}

export interface BenchSummary {
  /** Connection counts of the req/s columns. */
  connections: number[];
  rows: SummaryRow[];
  targets: SummaryTarget[];
}

export interface SummaryInput {
  runs: ScenarioRuns[];
  /** The run's paired loops (the chat loops interleave router and forwarder). */
  paired?: PairedResult[];
  added?: AddedSummary;
  task?: TaskScenario;
  connections?: number[];
}

interface RowDef {
  key: string;
  label: string;
  scenario: string;
  group: Group;
  role: Role;
}

/**
 * The rows, in order. `chat` is `chat-router`: model `bench-chat` pinned (an `openai-chat` pass-through);
 * `auto chat` is model `auto` routed by intent to a JSON specialist on upstream /ok (so against the bare forwarder).
 */
export const SUMMARY_ROWS: readonly RowDef[] = [
  { key: "direct", label: "direct (upstream /ok)", scenario: "direct", group: "route", role: "direct" },
  { key: "forwarder", label: "bare forwarder", scenario: "workerd-proxy", group: "route", role: "forwarder" },
  { key: "pinned", label: "pinned", scenario: "pinned", group: "route", role: "router" },
  { key: "cached-intent", label: "cached intent", scenario: "cached-intent", group: "route", role: "router" },
  { key: "cache-miss", label: "cache miss", scenario: "cache-miss", group: "route", role: "router" },
  { key: "auto-chat", label: "auto chat", scenario: "auto-chat", group: "route", role: "router" },
  { key: "limited", label: "limited (pool admission)", scenario: "pinned-limited", group: "route", role: "router" },
  { key: "one-fallback", label: "one fallback", scenario: "one-fallback", group: "route", role: "router" },
  { key: "chat-direct", label: "chat direct (fake OpenAI)", scenario: "chat-direct", group: "chat", role: "direct" },
  { key: "chat-forwarder", label: "chat forwarder", scenario: "chat-proxy", group: "chat", role: "forwarder" },
  { key: "chat", label: "chat (pinned model)", scenario: "chat-router", group: "chat", role: "router" },
  { key: "chat-stream-direct", label: "streamed direct", scenario: "chat-direct-stream", group: "chat-stream", role: "direct" },
  { key: "chat-stream-forwarder", label: "streamed forwarder", scenario: "chat-proxy-stream", group: "chat-stream", role: "forwarder" },
  { key: "chat-stream", label: "streamed chat", scenario: "chat-router-stream", group: "chat-stream", role: "router" },
];

const chatGoals = (router: string) => CHAT_FORWARDED.find((f) => f.router === router)!.goals;

/** Per row key: its targets (issue 13: cached intent and non-streamed chat; the streamed goals of chat-forwarder.ts; admission, fallback, task). */
const TARGETS: readonly { row: string; measure: TargetMeasure; op: "<=" | ">="; target: number; label: string }[] = [
  ...(["cached-intent", "chat", "chat-stream"] as const).flatMap((row) => {
    const g = row === "cached-intent" ? { cpuRatio: 2, addedP50Ms: 0.25, rpsShare: 0.5 } : chatGoals(row === "chat" ? "chat-router" : "chat-router-stream");
    const name = SUMMARY_ROWS.find((r) => r.key === row)!.label;
    return [
      { row, measure: "cpu" as const, op: "<=" as const, target: g.cpuRatio, label: `${name}: workerd CPU/req ÷ forwarder's` },
      { row, measure: "rps50Share" as const, op: ">=" as const, target: g.rpsShare, label: `${name}: req/s at 50 conns ÷ forwarder's` },
      { row, measure: "p50OverForwarderMs" as const, op: "<=" as const, target: g.addedP50Ms, label: `${name}: p50 over the forwarder, 1 conn` },
    ];
  }),
  { row: "limited", measure: "cpu", op: "<=", target: 1.5, label: "limited: workerd CPU/req ÷ pinned's (the unlimited hop)" },
  { row: "one-fallback", measure: "fallbackOwnP50Ms", op: "<=", target: 0.5, label: "one fallback: the router's own added p50 (one-fallback − pinned − direct /error)" },
  { row: "task-step", measure: "overheadPerStepMs", op: "<=", target: 5, label: "5-step task: router overhead per step, p50, 1 in flight, server-stamped" },
];

/** Median of the finite values, or undefined. */
export function median(values: (number | undefined)[]): number | undefined {
  const v = values.filter((x): x is number => x !== undefined && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return undefined;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
}

const ratio = (a?: number, b?: number) => (a !== undefined && b !== undefined && b > 0 && Number.isFinite(a) ? a / b : undefined);
const finite = (n: number | undefined) => (n !== undefined && Number.isFinite(n) ? n : undefined);

/** workerd CPU µs/req: the 50-connection run, else the run with the most requests. */
function cpuOf(r: ScenarioRuns): number | undefined {
  const l = r.load.find((x) => x.connections === 50 && x.workerdUsPerReq !== undefined) ?? [...r.load].filter((x) => x.workerdUsPerReq !== undefined).sort((a, b) => b.requests - a.requests)[0];
  return finite(l?.workerdUsPerReq);
}

/** p50 of `a` − p50 of `b` from a paired loop that ran both cleanly, else from their own sequential loops. */
function p50Over(a: ScenarioRuns, b: ScenarioRuns, paired: PairedResult[]) {
  for (const p of paired) {
    const [x, y] = [p.targets[a.name], p.targets[b.name]];
    if (x && y && x.latency.count > 0 && y.latency.count > 0 && x.unexpected + x.errors + y.unexpected + y.errors === 0) return { ms: x.latency.p50 - y.latency.p50, source: "paired" as const };
  }
  const [x, y] = [a.sequential?.latency.p50, b.sequential?.latency.p50];
  return x !== undefined && y !== undefined ? { ms: x - y, source: "sequential" as const } : undefined;
}

function scenarioRow(d: RowDef, runs: ScenarioRuns[], paired: PairedResult[]): SummaryRow | undefined {
  const get = (n: string | undefined) => (n ? runs.find((r) => r.name === n && !r.failed) : undefined);
  const run = runs.find((r) => r.name === d.scenario);
  if (!run) return undefined;
  const inGroup = (role: Role) => get(SUMMARY_ROWS.find((x) => x.group === d.group && x.role === role)?.scenario);
  const s = run.sequential?.latency;
  const base = d.role === "direct" ? undefined : inGroup("direct")?.sequential?.latency;
  const row: SummaryRow = {
    key: d.key,
    label: d.label,
    scenario: d.scenario,
    group: d.group,
    role: d.role,
    rps: Object.fromEntries(run.load.map((l) => [String(l.connections), l.rps])),
    p50Ms: finite(s?.p50),
    p99Ms: finite(s?.p99),
    addedP50Ms: s && base ? finite(s.p50 - base.p50) : undefined,
    addedP99Ms: s && base ? finite(s.p99 - base.p99) : undefined,
    cpuUsPerReq: cpuOf(run),
    otherCpuPct: median([run.sequential?.cpu.foreignPct, ...run.load.map((l) => l.cpu.foreignPct)]),
    ...(run.failed ? { failed: run.failed } : {}),
  };
  const fwd = inGroup("forwarder");
  if (d.role === "router" && !run.failed) {
    const cpuRef = d.key === "limited" ? get("pinned") : fwd;
    const over = fwd ? p50Over(run, fwd, paired) : undefined;
    row.ratios = {
      cpu: cpuRef ? ratio(row.cpuUsPerReq, cpuOf(cpuRef)) : undefined,
      cpuRef: d.key === "limited" ? "pinned" : "forwarder",
      rps50Share: ratio(row.rps["50"], fwd?.load.find((l) => l.connections === 50)?.rps),
      p50OverForwarderMs: finite(over?.ms),
      p50Source: over?.source,
    };
  }
  return row;
}

function taskRow(t: TaskScenario): SummaryRow | undefined {
  const one = t.runs.find((r) => r.concurrency === 1 && r.tasks > 0);
  const busy = t.runs.find((r) => r.concurrency === 8 && r.tasks > 0) ?? one;
  if (!one && !busy) return undefined;
  return {
    key: "task-step",
    label: `${t.steps}-step task, per step`,
    scenario: "task",
    group: "task",
    role: "router",
    rps: Object.fromEntries(t.runs.filter((r) => r.tasks > 0).map((r) => [String(r.concurrency), r.tasksPerSecond * t.steps])),
    p50Ms: one ? finite(one.serverWall.p50 / t.steps) : undefined,
    p99Ms: one ? finite(one.serverWall.p99 / t.steps) : undefined,
    addedP50Ms: finite(one?.serverOverheadPerStep.p50),
    addedP99Ms: finite(one?.serverOverheadPerStep.p99),
    cpuUsPerReq: finite(busy?.workerdUsPerStep),
    otherCpuPct: median(t.runs.map((r) => r.cpu.foreignPct)),
    ...(t.failed ? { failed: t.failed } : {}),
  };
}

function targetValue(t: (typeof TARGETS)[number], rows: SummaryRow[], added?: AddedSummary): number | undefined {
  if (t.measure === "fallbackOwnP50Ms") return rows.some((r) => r.key === "one-fallback") ? finite(added?.fallback?.routerOwnP50Ms) : undefined;
  const row = rows.find((r) => r.key === t.row);
  if (t.measure === "overheadPerStepMs") return row?.addedP50Ms;
  return row?.ratios?.[t.measure];
}

/** The summary of one run: the rows of the scenarios that ran, and every target (`met` undefined when not measured). */
export function buildSummary(i: SummaryInput): BenchSummary {
  const rows = SUMMARY_ROWS.flatMap((d) => scenarioRow(d, i.runs, i.paired ?? []) ?? []);
  const task = i.task ? taskRow(i.task) : undefined;
  if (task) rows.push(task);
  const targets = TARGETS.map((t): SummaryTarget => {
    const value = targetValue(t, rows, i.added);
    return { ...t, value, met: value === undefined ? undefined : t.op === "<=" ? value <= t.target : value >= t.target };
  });
  return { connections: i.connections ?? [1, 10, 50], rows, targets };
}

const dash = (n: number | undefined, f: (n: number) => string) => (n === undefined || !Number.isFinite(n) ? "—" : f(n));
const int = (n?: number) => dash(n, (v) => Math.round(v).toLocaleString("en-US"));
const ms = (n?: number) => dash(n, (v) => v.toFixed(3));
const plus = (n?: number) => dash(n, (v) => `${v >= 0 ? "+" : ""}${v.toFixed(3)}`);
const mark = (t: SummaryTarget | undefined) => (!t || t.met === undefined ? "" : t.met ? " ✓" : " ✗");

/** Formats a target's value or goal in its unit (× / % / ms). */
export function fmtTarget(m: TargetMeasure, n: number | undefined): string {
  return dash(n, (v) => (m === "cpu" ? `${v.toFixed(2)}×` : m === "rps50Share" ? `${Math.round(v * 100)} %` : `${v.toFixed(3)} ms`));
}

export const SUMMARY_HEAD = ["scenario", "bench name", "req/s 1", "req/s 10", "req/s 50", "p50 ms", "p99 ms", "+p50 ms", "+p99 ms", "CPU µs/req", "CPU ÷ fwd¹", "req/s₅₀ ÷ fwd", "p50 − fwd ms", "other CPU", "targets"];

/** One row's cells, in `SUMMARY_HEAD` order; a ratio with a target ends in ✓ (met) or ✗ (missed). */
export function summaryCells(r: SummaryRow, s: BenchSummary): string[] {
  const t = (m: TargetMeasure) => s.targets.find((x) => x.row === r.key && x.measure === m);
  const mine = s.targets.filter((x) => x.row === r.key && x.met !== undefined);
  const x = r.ratios;
  return [
    r.label,
    r.scenario,
    ...s.connections.slice(0, 3).map((c) => int(r.rps[String(c)])),
    ms(r.p50Ms),
    ms(r.p99Ms),
    r.role === "direct" ? "" : plus(r.addedP50Ms),
    r.role === "direct" ? "" : plus(r.addedP99Ms),
    int(r.cpuUsPerReq),
    x ? `${dash(x.cpu, (v) => `${v.toFixed(2)}×`)}${x.cpuRef === "pinned" && x.cpu !== undefined ? " pinned" : ""}${mark(t("cpu"))}` : "",
    x ? `${dash(x.rps50Share, (v) => `${Math.round(v * 100)} %`)}${mark(t("rps50Share"))}` : "",
    x ? `${plus(x.p50OverForwarderMs)}${x.p50Source === "paired" ? " (p)" : ""}${mark(t("p50OverForwarderMs"))}` : "",
    dash(r.otherCpuPct, (v) => `${Math.round(v)} %`),
    mine.length ? `${mine.filter((m) => m.met).length}/${mine.length} met` : "",
  ];
}

/** One line per target: `[ MET ]`/`[MISSED]`/`[ ?? ]`, label, value, goal. */
export function targetLines(s: BenchSummary): string[] {
  return s.targets.map((t) => `${t.met === undefined ? "[ ?? ]" : t.met ? "[ MET ]" : "[MISSED]"} ${t.label}: ${t.value === undefined ? "not measured" : fmtTarget(t.measure, t.value)} (target ${t.op === "<=" ? "≤" : "≥"} ${fmtTarget(t.measure, t.target)})`);
}

/** The notes printed under the table (text and Markdown alike). */
export const SUMMARY_NOTES = [
  "req/s: autocannon at 1/10/50 connections; p50/p99: each scenario's own sequential 1-connection loop; +p50/+p99: minus its direct call (upstream /ok, or the fake OpenAI server)",
  "CPU: workerd µs per request at 50 connections (the whole workerd process); ÷ fwd: against the bare forwarder of its group (workerd-proxy, chat-proxy, chat-proxy-stream)",
  "¹ limited: CPU ÷ pinned's (the unlimited hop); (p): from the paired loop that interleaved router and forwarder; ✓/✗: the ratio's target met/missed; other CPU: median share of the cores other processes used during the row's runs (above ~25 %, a noisy row)",
  "task row: per step of a 5-step chain pinned to `bench`: steps/s at 1 task in flight (8 in flight in the JSON), server-stamped wall ÷ 5, +: router overhead per step, CPU per step at 8 in flight",
];

/** The aligned text table, its notes and the targets list. */
export function summaryText(s: BenchSummary): string[] {
  const rows = s.rows.map((r) => summaryCells(r, s));
  const w = SUMMARY_HEAD.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (c: string[]) => c.map((x, i) => (i < 2 ? x.padEnd(w[i]!) : x.padStart(w[i]!))).join("  ").trimEnd();
  return [
    "\n== Summary: where the router stands ==",
    line(SUMMARY_HEAD),
    w.map((n) => "-".repeat(n)).join("  "),
    ...rows.map(line),
    ...s.rows.filter((r) => r.failed).map((r) => `!! ${r.scenario}: ${r.failed}`),
    ...SUMMARY_NOTES.map((n) => `(${n})`),
    "targets:",
    ...targetLines(s).map((l) => `  ${l}`),
  ];
}
