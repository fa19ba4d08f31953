/**
 * What pool admission and one fallback add, from the scenario runs of the same
 * `npm run bench`: `pinned-limited` − `pinned` (admission of an rpm-limited
 * specialist from batched grants) and `one-fallback` − `pinned` (a failed call to upstream /error, then the
 * fallback), the latter also minus `direct-error` (the failed call alone). The
 * headline figures come from the paired loop (paired.ts: the four targets
 * interleaved on one client), the rest from each scenario's own runs.
 */

/** The paired loop's targets, by scenario name. */
export const PAIRED = ["pinned", "pinned-limited", "one-fallback", "direct-error"];
import type { LoadResult } from "./load.ts";
import type { PairedResult } from "./paired.ts";
import type { ScenarioRuns, TargetCheck } from "./report.ts";

/** Goal for the router's own latency of one fallback (p50); Portkey's gateway ≈ 0.8 ms on this machine. */
export const FALLBACK_GOAL_MS = 0.5;
export const PORTKEY_FALLBACK_MS = 0.8;

const f3 = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? "—" : n.toFixed(3));
const plus = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? "—" : `${n >= 0 ? "+" : ""}${n.toFixed(3)}`);
const int = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? "—" : Math.round(n).toLocaleString("en-US"));

function table(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (c: string[]) => c.map((x, i) => (i === 0 ? x.padEnd(w[i]!) : x.padStart(w[i]!))).join("  ");
  return [line(head), w.map((n) => "-".repeat(n)).join("  "), ...rows.map(line)].join("\n");
}

interface Row {
  measure: string;
  base?: number;
  with?: number;
}

/** Paired p50/p99 (before the load), each scenario's own loop, autocannon p50/p99/req/s per connection count, paired again after the load. */
function rows(base: ScenarioRuns | undefined, other: ScenarioRuns | undefined, before?: PairedResult, after?: PairedResult): Row[] {
  const pairedRows = (p: PairedResult | undefined, when: string): Row[] => {
    const b = p?.targets[base?.name ?? ""]?.latency;
    const o = p?.targets[other?.name ?? ""]?.latency;
    return b && o
      ? [
          { measure: `paired p50 ms, ${when}`, base: b.p50, with: o.p50 },
          { measure: `paired p99 ms, ${when}`, base: b.p99, with: o.p99 },
        ]
      : [];
  };
  const out: Row[] = [
    ...pairedRows(before, "before the load"),
    { measure: "own loop p50 ms", base: base?.sequential?.latency.p50, with: other?.sequential?.latency.p50 },
    { measure: "own loop p99 ms", base: base?.sequential?.latency.p99, with: other?.sequential?.latency.p99 },
  ];
  for (const l of base?.load ?? []) {
    const o: LoadResult | undefined = other?.load.find((x) => x.connections === l.connections);
    if (!o) continue;
    const c = `${l.connections} conn${l.connections > 1 ? "s" : ""}`;
    out.push({ measure: `${c} p50 ms`, base: l.latency.p50, with: o.latency.p50 }, { measure: `${c} p99 ms`, base: l.latency.p99, with: o.latency.p99 }, { measure: `${c} req/s`, base: l.rps, with: o.rps });
  }
  return [...out, ...pairedRows(after, "after the load")];
}

const fmt = (r: Row, n: number | undefined) => (r.measure.endsWith("req/s") ? int(n) : f3(n));
const diff = (r: Row) => {
  if (r.base === undefined || r.with === undefined) return "—";
  return r.measure.endsWith("req/s") ? `${(r.with / r.base).toFixed(2)}×` : plus(r.with - r.base);
};

export interface AddedSummary {
  admission?: {
    source: string;
    seqP50Ms: number;
    seqP99Ms: number;
    load: { connections: number; p50Ms: number; p99Ms: number; rpsRatio: number }[];
    /** The paired loop after the scenarios' load, and how many calls the pool had admitted by then (at least). */
    after?: { p50Ms: number; p99Ms: number; priorAdmissions: number };
  };
  fallback?: { source: string; seqP50Ms: number; seqP99Ms: number; directErrorP50Ms?: number; routerOwnP50Ms?: number; routerOwnAfterP50Ms?: number; goalMs: number; portkeyMs: number };
}

/** The sequential latency of a scenario: from the paired loop when it ran there cleanly, else from its own loop. */
function seq(runs: ScenarioRuns[], paired: PairedResult | undefined, name: string) {
  const p = paired?.targets[name];
  if (p && p.unexpected + p.errors === 0 && p.latency.count > 0) return { ...p.latency, source: "paired" as const, clean: true };
  const s = runs.find((r) => r.name === name)?.sequential;
  return s ? { ...s.latency, source: "own loop" as const, clean: s.non2xx + s.errors === 0 } : undefined;
}

const cleanP50 = (p: PairedResult | undefined, n: string) => {
  const t = p?.targets[n];
  return t && t.unexpected + t.errors === 0 && t.latency.count > 0 ? t.latency : undefined;
};

export function addedSummary(runs: ScenarioRuns[], before?: PairedResult, after?: PairedResult): AddedSummary {
  const get = (n: string) => runs.find((r) => r.name === n);
  const pinned = get("pinned");
  const out: AddedSummary = {};
  const lim = get("pinned-limited");
  const [sp, sl, sf, se] = PAIRED.map((n) => seq(runs, before, n));
  if (pinned && lim && sp && sl) {
    const [ap, al] = [cleanP50(after, "pinned"), cleanP50(after, "pinned-limited")];
    // every admitted call stays in the pool's window snapshot (up to rpm): count what this run sent before the second loop
    const prior = (before?.rounds ?? 0) + (lim.sequential?.requests ?? 0) + lim.load.reduce((n, l) => n + l.requests, 0);
    out.admission = {
      source: sp.source === sl.source ? sp.source : "mixed",
      seqP50Ms: sl.p50 - sp.p50,
      seqP99Ms: sl.p99 - sp.p99,
      load: lim.load.flatMap((l) => {
        const b = pinned.load.find((x) => x.connections === l.connections);
        return b ? [{ connections: l.connections, p50Ms: l.latency.p50 - b.latency.p50, p99Ms: l.latency.p99 - b.latency.p99, rpsRatio: l.rps / b.rps }] : [];
      }),
      ...(ap && al ? { after: { p50Ms: al.p50 - ap.p50, p99Ms: al.p99 - ap.p99, priorAdmissions: prior } } : {}),
    };
  }
  if (pinned && get("one-fallback") && sp && sf) {
    const seqP50Ms = sf.p50 - sp.p50;
    const e = se?.clean ? se.p50 : undefined;
    const [ap, af, ae] = [cleanP50(after, "pinned"), cleanP50(after, "one-fallback"), cleanP50(after, "direct-error")];
    out.fallback = {
      source: sp.source === sf.source && (!se || se.source === sp.source) ? sp.source : "mixed",
      seqP50Ms,
      seqP99Ms: sf.p99 - sp.p99,
      directErrorP50Ms: e,
      routerOwnP50Ms: e === undefined ? undefined : seqP50Ms - e,
      ...(ap && af && ae ? { routerOwnAfterP50Ms: af.p50 - ap.p50 - ae.p50 } : {}),
      goalMs: FALLBACK_GOAL_MS,
      portkeyMs: PORTKEY_FALLBACK_MS,
    };
  }
  return out;
}

/** The two tables (either may be missing when its scenarios did not run). */
export function addedText(runs: ScenarioRuns[], s: AddedSummary, before?: PairedResult, after?: PairedResult): string[] {
  const get = (n: string) => runs.find((r) => r.name === n);
  const out: string[] = [];
  if (s.admission) {
    const a = s.admission;
    out.push(
      "\n== Added latency of pool admission: pinned-limited (rpm only: from batched grants, a RateLimitPool grant now and then) − pinned ==",
      table(["measure", "pinned", "pinned-limited", "admission adds"], rows(get("pinned"), get("pinned-limited"), before, after).map((r) => [r.measure, fmt(r, r.base), fmt(r, r.with), diff(r)])),
      `admission adds ${f3(a.seqP50Ms)} ms at p50 and ${f3(a.seqP99Ms)} ms at p99 (${a.source}, a fresh pool)${a.load.length ? `; under load: ${a.load.map((l) => `${l.connections} conn ${plus(l.p50Ms)} ms p50, ${l.rpsRatio.toFixed(2)}× req/s`).join("; ")}` : ""}`,
      ...(a.after ? [`after the load (the pool had admitted ≥ ${int(a.after.priorAdmissions)} calls, all kept in its window snapshot): admission adds ${f3(a.after.p50Ms)} ms at p50, ${f3(a.after.p99Ms)} ms at p99 (paired)`] : []),
    );
  }
  if (s.fallback) {
    const f = s.fallback;
    const err = seq(runs, before, "direct-error");
    out.push(
      "\n== Added latency of one fallback: one-fallback (bench-fallback → upstream /error 500, then bench) − pinned ==",
      table(["measure", "pinned", "one-fallback", "fallback adds"], rows(get("pinned"), get("one-fallback"), before, after).map((r) => [r.measure, fmt(r, r.base), fmt(r, r.with), diff(r)])),
      `one fallback adds ${f3(f.seqP50Ms)} ms at p50, ${f3(f.seqP99Ms)} ms at p99 (${f.source}): one failed call + the fallback`,
      err
        ? `direct upstream /error (${err.source}, this run): p50 ${f3(err.p50)} ms, p99 ${f3(err.p99)} ms → the router's own added latency of one fallback: ${f3(f.routerOwnP50Ms)} ms at p50${f.routerOwnAfterP50Ms !== undefined ? ` (paired after the load: ${f3(f.routerOwnAfterP50Ms)} ms)` : ""} (goal ≤ ${FALLBACK_GOAL_MS} ms; Portkey's gateway ≈ ${PORTKEY_FALLBACK_MS} ms on this machine)`
        : "direct-error did not run: no router-own figure (add it to --only)",
    );
  }
  return out;
}

export function addedTargets(s: AddedSummary): TargetCheck[] {
  if (!s.fallback) return [];
  const v = s.fallback.routerOwnP50Ms;
  return [
    {
      name: `router's own added latency of one fallback, p50 (${s.fallback.source}: one-fallback − pinned − direct /error)`,
      target: `≤ ${FALLBACK_GOAL_MS} ms; Portkey ≈ ${PORTKEY_FALLBACK_MS} ms`,
      measured: v === undefined ? "not measured" : `${f3(v)} ms`,
      met: v === undefined ? undefined : v <= FALLBACK_GOAL_MS,
    },
  ];
}
