/**
 * The OpenAI front door against the chat forwarder: the router's `chat-router(-stream)` vs
 * `chat-proxy(-stream)`, a bare Worker on the same workerd that passes the same
 * `POST /v1/chat/completions` through to the fake OpenAI server unread (servers.ts
 * `FORWARDER_SOURCE`). Ratios from one run, so the machine's speed and load cancel out:
 * workerd CPU per request, added p50 at 1 connection, share of the forwarder's req/s at
 * 50 connections. Each has a target per kind of call.
 */
import type { LoadResult } from "./load.ts";
import type { PairedResult } from "./paired.ts";
import type { ScenarioRuns, TargetCheck } from "./report.ts";

export interface ForwarderGoals {
  /** router workerd CPU µs/req ÷ the forwarder's, at most. */
  cpuRatio: number;
  /** router p50 − forwarder p50 at 1 connection, ms, at most. */
  addedP50Ms: number;
  /** router req/s ÷ forwarder req/s at 50 connections, at least. */
  rpsShare: number;
}

/** Per router scenario: its forwarder scenario and the targets. */
export const CHAT_FORWARDED = [
  { label: "non-streamed chat", router: "chat-router", forwarder: "chat-proxy", goals: { cpuRatio: 2, addedP50Ms: 0.25, rpsShare: 0.5 } },
  { label: "streamed chat", router: "chat-router-stream", forwarder: "chat-proxy-stream", goals: { cpuRatio: 2, addedP50Ms: 1, rpsShare: 0.6 } },
] as const satisfies readonly { label: string; router: string; forwarder: string; goals: ForwarderGoals }[];

interface Side {
  p50: number;
  p99: number;
  rps?: number;
  workerdUsPerReq?: number;
}

export interface ForwarderRow {
  /** "paired", "sequential" or "<n> conn(s)" (autocannon). */
  measure: string;
  connections?: number;
  forwarder: Side;
  router: Side;
  addedP50Ms: number;
  /** router workerd µs/req ÷ the forwarder's. */
  cpuRatio?: number;
  /** router req/s ÷ the forwarder's. */
  rpsShare?: number;
}

export interface ForwarderComparison {
  label: string;
  router: string;
  forwarder: string;
  goals: ForwarderGoals;
  rows: ForwarderRow[];
  /** The headline figures, each with the row it comes from; absent when not measured. */
  cpu?: { ratio: number; routerUsPerReq: number; forwarderUsPerReq: number; measure: string };
  addedP50?: { ms: number; measure: string; autocannon1ConnMs?: number };
  rps50?: { share: number; router: number; forwarder: number };
  met: { cpu?: boolean; addedP50?: boolean; rps50?: boolean };
}

const side = (l: LoadResult["latency"], rps?: number, us?: number): Side => ({ p50: l.p50, p99: l.p99, rps, workerdUsPerReq: us });
const ratio = (a?: number, b?: number) => (a !== undefined && b ? a / b : undefined);

/** router vs forwarder per kind of call both of whose scenarios ran: the paired loop, the own sequential loops, each autocannon connection count. */
export function forwarderSummary(runs: ScenarioRuns[], paired: PairedResult[]): ForwarderComparison[] {
  const out: ForwarderComparison[] = [];
  for (const { label, router: r, forwarder: f, goals } of CHAT_FORWARDED) {
    const router = runs.find((x) => x.name === r);
    const fwd = runs.find((x) => x.name === f);
    if (!router || !fwd) continue;
    const loop = paired.find((p) => p.targets[r] && p.targets[f]);
    const rows: ForwarderRow[] = [];
    const row = (measure: string, a: Side, b: Side, connections?: number): ForwarderRow => ({
      measure,
      connections,
      forwarder: a,
      router: b,
      addedP50Ms: b.p50 - a.p50,
      cpuRatio: ratio(b.workerdUsPerReq, a.workerdUsPerReq),
      rpsShare: ratio(b.rps, a.rps),
    });
    const [pf, pr] = [loop?.targets[f]?.latency, loop?.targets[r]?.latency];
    if (pf?.count && pr?.count) rows.push(row("paired", side(pf), side(pr)));
    if (fwd.sequential && router.sequential) rows.push(row("sequential", side(fwd.sequential.latency, undefined, fwd.sequential.workerdUsPerReq), side(router.sequential.latency, undefined, router.sequential.workerdUsPerReq)));
    for (const l of fwd.load) {
      const o = router.load.find((x) => x.connections === l.connections);
      if (o) rows.push(row(`${l.connections} conn${l.connections > 1 ? "s" : ""}`, side(l.latency, l.rps, l.workerdUsPerReq), side(o.latency, o.rps, o.workerdUsPerReq), l.connections));
    }
    // CPU: the 50-connection runs (the most requests; workerd's idle CPU matters least), else the busiest pair measured.
    const cpuRow = [...rows].reverse().find((x) => x.cpuRatio !== undefined && x.connections === 50) ?? [...rows].reverse().find((x) => x.cpuRatio !== undefined);
    const latRow = rows.find((x) => x.measure === "paired") ?? rows.find((x) => x.measure === "sequential");
    const one = rows.find((x) => x.connections === 1);
    const fifty = rows.find((x) => x.connections === 50 && x.rpsShare !== undefined);
    const cpu = cpuRow ? { ratio: cpuRow.cpuRatio!, routerUsPerReq: cpuRow.router.workerdUsPerReq!, forwarderUsPerReq: cpuRow.forwarder.workerdUsPerReq!, measure: cpuRow.measure } : undefined;
    const addedP50 = latRow ? { ms: latRow.addedP50Ms, measure: latRow.measure, autocannon1ConnMs: one?.addedP50Ms } : undefined;
    const rps50 = fifty ? { share: fifty.rpsShare!, router: fifty.router.rps!, forwarder: fifty.forwarder.rps! } : undefined;
    const met = {
      cpu: cpu && cpu.ratio <= goals.cpuRatio,
      addedP50: addedP50 && addedP50.ms <= goals.addedP50Ms,
      rps50: rps50 && rps50.share >= goals.rpsShare,
    };
    out.push({ label, router: r, forwarder: f, goals, rows, cpu, addedP50, rps50, met });
  }
  return out;
}

const f3 = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? "—" : n.toFixed(3));
const plus = (n: number | undefined, d = 3) => (n === undefined || !Number.isFinite(n) ? "—" : `${n >= 0 ? "+" : ""}${n.toFixed(d)}`);
const int = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? "—" : Math.round(n).toLocaleString("en-US"));
const times = (n: number | undefined) => (n === undefined ? "" : `${n.toFixed(2)}×`);
const pct = (n: number | undefined) => (n === undefined ? "" : `${Math.round(n * 100)} %`);
const mark = (met: boolean | undefined) => (met === undefined ? "not measured" : met ? "met" : "MISSED");

/** One line per kind of call: the three ratios, each with its target and met/MISSED. */
export function forwarderHeadline(c: ForwarderComparison): string {
  const g = c.goals;
  const cpu = c.cpu ? `router CPU ${c.cpu.ratio.toFixed(2)}× forwarder` : "router CPU — (not measured)";
  const lat = c.addedP50 ? `${plus(c.addedP50.ms)} ms p50 at 1 conn` : "added p50 at 1 conn — (not measured)";
  const rps = c.rps50 ? `${pct(c.rps50.share)} of its req/s at 50 conns` : "req/s at 50 conns — (not measured)";
  return (
    `${c.label}: ${cpu} (target ≤ ${g.cpuRatio}×: ${mark(c.met.cpu)}), ${lat} (target ≤ ${g.addedP50Ms} ms: ${mark(c.met.addedP50)}),` +
    ` ${rps} (target ≥ ${pct(g.rpsShare)}: ${mark(c.met.rps50)})`
  );
}

/** The "router vs the chat forwarder" section, or nothing when no router/forwarder pair ran. */
export function forwarderText(list: ForwarderComparison[]): string[] {
  if (!list.length) return [];
  const head = ["router scenario", "measure", "fwd p50", "router p50", "+p50 ms", "fwd req/s", "router req/s", "router ÷ fwd req/s", "fwd µs/req", "router µs/req", "router ÷ fwd CPU"];
  const rows = list.flatMap((c) =>
    c.rows.map((r) => [c.router, r.measure, f3(r.forwarder.p50), f3(r.router.p50), plus(r.addedP50Ms), int(r.forwarder.rps), int(r.router.rps), pct(r.rpsShare), int(r.forwarder.workerdUsPerReq), int(r.router.workerdUsPerReq), times(r.cpuRatio)]),
  );
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((x, i) => (i < 2 ? x.padEnd(w[i]!) : x.padStart(w[i]!))).join("  ");
  const sources = list.map((c) => `${c.label}: CPU from ${c.cpu?.measure ?? "—"}, p50 from ${c.addedP50?.measure ?? "—"}${c.addedP50?.autocannon1ConnMs !== undefined ? ` (autocannon 1 conn: ${plus(c.addedP50.autocannon1ConnMs)} ms)` : ""}`);
  return [
    "\n== OpenAI front door: router vs the chat forwarder (a bare Worker on the same workerd passing POST /v1/chat/completions through unread; same run) ==",
    line(head),
    w.map((n) => "-".repeat(n)).join("  "),
    ...rows.map(line),
    "(fwd = chat-proxy(-stream); latencies in ms; µs/req = workerd CPU per request; paired = direct, forwarder and router interleaved one request at a time;",
    ` ${sources.join("; ")})`,
    ...[...list].reverse().map(forwarderHeadline), // streamed first
  ];
}

/** Three checks per kind of call. */
export function forwarderTargets(list: ForwarderComparison[]): TargetCheck[] {
  return list.flatMap((c) => [
    {
      name: `OpenAI front door vs forwarder, ${c.label}: router workerd CPU/req ÷ forwarder's (${c.cpu?.measure ?? "—"})`,
      target: `≤ ${c.goals.cpuRatio}×`,
      measured: c.cpu ? `${c.cpu.ratio.toFixed(2)}× (${int(c.cpu.routerUsPerReq)} vs ${int(c.cpu.forwarderUsPerReq)} µs)` : "not measured",
      met: c.met.cpu,
    },
    {
      name: `OpenAI front door vs forwarder, ${c.label}: added p50, 1 connection (${c.addedP50?.measure ?? "—"})`,
      target: `≤ ${c.goals.addedP50Ms} ms`,
      measured: c.addedP50 ? `${plus(c.addedP50.ms)} ms` : "not measured",
      met: c.met.addedP50,
    },
    {
      name: `OpenAI front door vs forwarder, ${c.label}: router req/s ÷ forwarder's, 50 connections`,
      target: `≥ ${pct(c.goals.rpsShare)}`,
      measured: c.rps50 ? `${pct(c.rps50.share)} (${int(c.rps50.router)} vs ${int(c.rps50.forwarder)} req/s)` : "not measured",
      met: c.met.rps50,
    },
  ]);
}
