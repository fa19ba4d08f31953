/** Tables and the JSON results file of `npm run bench`. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { LoadResult, SequentialResult } from "./load.ts";
import type { MicroResult } from "./micro.ts";

export const TARGETS = {
  /** Added p50 latency at 1 connection on a cached intent, ms. */
  addedP50CachedMs: 0.5,
  /** Router throughput at 50 connections on a cached intent, req/s. */
  cachedRps50: 5_000,
};

export interface ScenarioRuns {
  name: string;
  description: string;
  calibration?: boolean;
  /** The scenario the tables subtract (default `direct`); its own name for a baseline. */
  baseline?: string;
  /** Set when the smoke check failed and the load was skipped. */
  failed?: string;
  sequential?: SequentialResult;
  load: LoadResult[];
}

function table(head: string[], rows: string[][], right: boolean[]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => (right[i] ? c.padStart(w[i]!) : c.padEnd(w[i]!))).join("  ");
  return [line(head), w.map((n) => "-".repeat(n)).join("  "), ...rows.map(line)].join("\n");
}

const f2 = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? "—" : n.toFixed(2));
const f3 = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? "—" : n.toFixed(3));
const plus = (n: number | undefined, fmt = f2) => (n === undefined || !Number.isFinite(n) ? "—" : `${n >= 0 ? "+" : ""}${fmt(n)}`);
const int = (n: number) => Math.round(n).toLocaleString("en-US");

function problems(r: { non2xx: number; errors: number; timeouts?: number; badBody?: number; statusCodes: Record<string, number> }): string {
  const bad = r.non2xx + r.errors + (r.timeouts ?? 0) + (r.badBody ?? 0);
  if (bad === 0) return "ok";
  const codes = Object.entries(r.statusCodes).filter(([c]) => !c.startsWith("2")).map(([c, n]) => `${n}×${c}`);
  const extra = [r.badBody ? `${r.badBody} bad bodies` : "", r.errors ? `${r.errors} errors` : "", r.timeouts ? `${r.timeouts} timeouts` : ""];
  return `!! ${[...codes, ...extra].filter(Boolean).join(", ")}`;
}

/** The run a scenario's `+` columns subtract (`direct` unless it names another); undefined for a baseline itself. */
const baselineOf = (runs: ScenarioRuns[], r: ScenarioRuns) => ((r.baseline ?? "direct") === r.name ? undefined : runs.find((x) => x.name === (r.baseline ?? "direct")));

const cpuCols = (r: { workerdUsPerReq?: number; cpu: { foreignPct?: number } }) => [
  r.workerdUsPerReq === undefined ? "—" : int(r.workerdUsPerReq),
  r.cpu.foreignPct === undefined ? "—" : `${r.cpu.foreignPct.toFixed(0)}%`,
];

export function sequentialTable(runs: ScenarioRuns[]): string {
  const proxy = runs.find((r) => r.name === "workerd-proxy")?.sequential;
  const rows = runs.map((r) => {
    const s = r.sequential;
    if (!s) return [r.name, "—", "—", "—", "—", "—", "—", "—", "—", "—", r.failed ? `!! ${r.failed}` : "skipped"];
    const t = s.serverTimings;
    const server = t ? `${f3(t.totalMs)} (intent ${f3(t.intentMs)}, spec ${f3(t.specialistMs)})` : "";
    const isBaseline = (r.baseline ?? "direct") === r.name;
    const direct = baselineOf(runs, r)?.sequential;
    const isRouter = !isBaseline && !r.calibration && (r.baseline ?? "direct") === "direct";
    return [
      r.name,
      int(s.requests),
      f3(s.latency.p50),
      f3(s.latency.p99),
      isBaseline ? "" : plus(s.latency.p50 - (direct?.latency.p50 ?? NaN), f3),
      isBaseline ? "" : plus(s.latency.p99 - (direct?.latency.p99 ?? NaN), f3),
      isRouter ? plus(s.latency.p50 - (proxy?.latency.p50 ?? NaN), f3) : "",
      ...cpuCols(s),
      server,
      problems(s),
    ];
  });
  return table(
    ["scenario", "requests", "p50 ms", "p99 ms", "+p50 ms", "+p99 ms", "+p50 vs proxy", "workerd µs/req", "other CPU", "router timings p50 ms", "status"],
    rows,
    [false, true, true, true, true, true, true, true, true, false, false],
  );
}

export function loadTable(runs: ScenarioRuns[]): string {
  const rows: string[][] = [];
  for (const r of runs) {
    if (r.failed && r.load.length === 0) {
      rows.push([r.name, "—", "—", "—", "—", "—", "—", "—", "—", "—", `!! ${r.failed}`]);
      continue;
    }
    for (const l of r.load) {
      const base = baselineOf(runs, r)?.load.find((x) => x.connections === l.connections);
      rows.push([
        r.name,
        String(l.connections),
        int(l.rps),
        f2(l.latency.p50),
        f2(l.latency.p99),
        base ? plus(l.latency.p50 - base.latency.p50) : "",
        base ? plus(l.latency.p99 - base.latency.p99) : "",
        base ? `${(l.rps / base.rps).toFixed(2)}×` : "1.00×",
        ...cpuCols(l),
        problems(l),
      ]);
    }
  }
  return table(
    ["scenario", "conns", "req/s", "p50 ms", "p99 ms", "+p50 ms", "+p99 ms", "req/s vs direct", "workerd µs/req", "other CPU", "status"],
    rows,
    [false, true, true, true, true, true, true, true, true, true, false],
  );
}

export function microTable(m: MicroResult): string {
  const rows = Object.entries(m.stages).map(([k, s]) => [k, int(s.count), f2(s.p50), f2(s.p90), f2(s.p99), f2(s.mean)]);
  return table(["stage (µs per call)", "calls", "p50", "p90", "p99", "mean"], rows, [false, true, true, true, true, true]);
}

export interface TargetCheck {
  name: string;
  target: string;
  measured: string;
  met: boolean | undefined;
}

export function checkTargets(runs: ScenarioRuns[]): TargetCheck[] {
  const get = (n: string) => runs.find((r) => r.name === n);
  const dSeq = get("direct")?.sequential?.latency.p50;
  const cSeq = get("cached-intent")?.sequential?.latency.p50;
  const added = dSeq !== undefined && cSeq !== undefined ? cSeq - dSeq : undefined;
  const rps = get("cached-intent")?.load.find((l) => l.connections === 50)?.rps;
  return [
    {
      name: "added p50, cached intent, 1 connection (sequential loop)",
      target: `≤ ${TARGETS.addedP50CachedMs} ms`,
      measured: added === undefined ? "not measured" : `${f3(added)} ms`,
      met: added === undefined ? undefined : added <= TARGETS.addedP50CachedMs,
    },
    {
      name: "router req/s, cached intent, 50 connections",
      target: `≥ ${int(TARGETS.cachedRps50)} req/s`,
      measured: rps === undefined ? "not measured" : `${int(rps)} req/s`,
      met: rps === undefined ? undefined : rps >= TARGETS.cachedRps50,
    },
  ];
}

export function targetsText(checks: TargetCheck[]): string {
  return checks.map((c) => `  ${c.met === undefined ? "[ ?? ]" : c.met ? "[ MET ]" : "[MISSED]"} ${c.name}: ${c.measured} (target ${c.target})`).join("\n");
}

/** Writes bench/out/results-<timestamp>.json; returns its path. */
export function writeResults(benchDir: string, data: unknown): string {
  const dir = join(benchDir, "out");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `results-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  return file;
}
