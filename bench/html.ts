/**
 * The sections of `npm run bench -- --html FILE` (pure: the results object that
 * bench/out/results-*.json holds in, sections out; the page is scripts/lib/html-report.ts's):
 * each target as a ratio bar (measured ÷ target, the line at 1), latency distributions
 * (p50/p90/p99 per scenario on the sequential loop and at each connection count), req/s.
 */
import { htmlPage, writeHtml, type Section } from "../scripts/lib/html-report.ts";
import { barChart } from "../scripts/lib/svg-plot.ts";
import type { ScenarioRuns, TargetCheck } from "./report.ts";
import { TARGETS } from "./report.ts";
import type { BenchSummary } from "./summary.ts";

/** The part of the results file the page reads. */
export interface BenchResults {
  date: string;
  command: string;
  scenarios: ScenarioRuns[];
  summary?: BenchSummary | { error: string };
  targets?: { checks?: TargetCheck[] };
}

/** Writes the page of `results` to `file`: its absolute path, or the error's message. */
export function writeBenchHtml(file: string, results: BenchResults & { mode: string }): { path?: string; error?: string } {
  try {
    return { path: writeHtml(file, htmlPage("Switchyard router benchmark", `${results.command} — ${results.date} — ${results.mode} workerd`, benchSections(results))) };
  } catch (e) {
    return { error: String((e as Error)?.message ?? e) };
  }
}

/** One ratio bar: measured ÷ target; `op` says which side of 1 meets it. */
export interface Ratio {
  label: string;
  op: "<=" | ">=";
  target: number;
  value?: number;
  unit: string;
}

/** The ratios: report.ts's two headline targets (from the scenarios) and the summary's. */
export function ratios(r: BenchResults): Ratio[] {
  const get = (n: string) => r.scenarios.find((s) => s.name === n);
  const d = get("direct")?.sequential?.latency.p50;
  const c = get("cached-intent")?.sequential?.latency.p50;
  const rps = get("cached-intent")?.load.find((l) => l.connections === 50)?.rps;
  const out: Ratio[] = [
    { label: "cached intent: added p50, 1 conn", op: "<=", target: TARGETS.addedP50CachedMs, value: d !== undefined && c !== undefined ? c - d : undefined, unit: "ms" },
    { label: "cached intent: req/s at 50 conns", op: ">=", target: TARGETS.cachedRps50, value: rps, unit: "req/s" },
  ];
  if (r.summary && "targets" in r.summary) {
    for (const t of r.summary.targets) out.push({ label: t.label, op: t.op, target: t.target, value: t.value, unit: t.measure === "cpu" ? "×" : t.measure === "rps50Share" ? "share" : "ms" });
  }
  return out;
}

const fmt = (v: number) => (Math.abs(v) >= 100 ? Math.round(v).toLocaleString("en-US") : v.toFixed(3));

/** The page's sections. */
export function benchSections(r: BenchResults): Section[] {
  const rs = ratios(r);
  const measured = (x: Ratio) => x.value !== undefined && Number.isFinite(x.value) && x.target !== 0;
  const ratioChart = barChart({
    title: "Targets: measured ÷ target (≤ targets met left of 1, ≥ targets right of 1)",
    axis: "measured ÷ target",
    series: ["ratio"],
    rows: rs.map((x) => ({ label: `${x.op === "<=" ? "≤" : "≥"} ${x.label}`, values: [measured(x) ? x.value! / x.target : undefined] })),
    left: 440,
    reference: { value: 1, label: "target" },
    max: Math.max(2, ...rs.filter(measured).map((x) => (x.value! / x.target) * 1.1)),
    format: (v) => `${v.toFixed(2)}×`,
    width: 940,
  });
  const sections: Section[] = [
    {
      heading: "Targets",
      notes: ["Each bar is the measured figure divided by its target; the dashed line is the target itself. Hover a bar (or read the table) for the figures."],
      charts: [ratioChart],
      table: {
        head: ["target", "op", "target value", "measured", "met"],
        rows: rs.map((x) => [x.label, x.op === "<=" ? "≤" : "≥", `${fmt(x.target)} ${x.unit}`, x.value === undefined ? "not measured" : `${fmt(x.value)} ${x.unit}`, x.value === undefined ? "—" : (x.op === "<=" ? x.value <= x.target : x.value >= x.target) ? "met" : "MISSED"]),
      },
    },
  ];
  const seq = r.scenarios.filter((s) => s.sequential);
  if (seq.length) {
    sections.push({
      heading: "Latency, single connection (sequential loop)",
      notes: ["p50, p90 and p99 of each request's latency (write → last byte) on one keep-alive connection, one request at a time."],
      charts: [barChart({ title: "Sequential loop latency per scenario", axis: "ms", series: ["p50", "p90", "p99"], rows: seq.map((s) => ({ label: s.name, values: [s.sequential!.latency.p50, s.sequential!.latency.p90, s.sequential!.latency.p99] })), format: (v) => `${v.toFixed(3)} ms` })],
    });
  }
  const conns = [...new Set(r.scenarios.flatMap((s) => s.load.map((l) => l.connections)))].sort((a, b) => a - b);
  if (conns.length) {
    const at = (s: ScenarioRuns, c: number) => s.load.find((l) => l.connections === c);
    sections.push({
      heading: "Latency and throughput under load (autocannon)",
      notes: ["Each response's latency, exact percentiles over all responses of the run."],
      charts: [
        ...conns.map((c) =>
          barChart({ title: `Latency at ${c} connection${c === 1 ? "" : "s"}`, axis: "ms", series: ["p50", "p99"], rows: r.scenarios.filter((s) => at(s, c)).map((s) => ({ label: s.name, values: [at(s, c)!.latency.p50, at(s, c)!.latency.p99] })), format: (v) => `${v.toFixed(2)} ms` }),
        ),
        barChart({ title: "Throughput per scenario", axis: "req/s", series: conns.map((c) => `${c} conns`), rows: r.scenarios.filter((s) => s.load.length).map((s) => ({ label: s.name, values: conns.map((c) => at(s, c)?.rps) })), format: (v) => Math.round(v).toLocaleString("en-US") }),
      ],
    });
  }
  const failed = r.scenarios.filter((s) => s.failed);
  if (failed.length) sections.push({ heading: "Failed scenarios", table: { head: ["scenario", "smoke check"], rows: failed.map((s) => [s.name, s.failed!]) } });
  return sections;
}
