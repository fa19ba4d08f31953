/** Runs the scenarios: a smoke check, the sequential loop, then autocannon at each connection count. */
import { probe, runLoad, runSequential } from "./load.ts";
import type { ScenarioRuns } from "./report.ts";
import type { Scenario } from "./scenarios.ts";
import type { Progress } from "../scripts/lib/progress.ts";

export interface LoopOptions {
  connections: number[];
  seconds: number;
  warmupSeconds: number;
  seqMs: number;
  pids: number[];
  only?: Set<string>;
  isStopped: () => boolean;
  log: (s?: string) => void;
  /** Called once with the number of scenarios to run: the progress (a bar or a line per scenario, with the ETA). */
  progress?: (total: number) => Progress;
}

function cpuNote(r: { workerdUsPerReq?: number; cpu: { foreignPct?: number } }): string {
  const w = r.workerdUsPerReq !== undefined ? `, workerd ${Math.round(r.workerdUsPerReq)} µs CPU/req` : "";
  const f = r.cpu.foreignPct !== undefined ? `, other processes ${r.cpu.foreignPct.toFixed(0)}% CPU` : "";
  return w + f;
}

/** Appends one `ScenarioRuns` per scenario run to `runs`; returns the number of failures. */
export async function runScenarios(list: Scenario[], runs: ScenarioRuns[], o: LoopOptions): Promise<number> {
  const { log, isStopped, pids } = o;
  let failures = 0;
  const todo = list.filter((sc) => !o.only || o.only.has(sc.name));
  const bar = o.progress?.(todo.length);
  try {
    for (const sc of todo) {
      if (isStopped()) break;
      bar?.now(sc.name);
      try {
        failures += await runScenario(sc, runs, o);
      } finally {
        bar?.tick(sc.name);
      }
    }
  } finally {
    bar?.stop();
  }
  return failures;
}

/** One scenario: the smoke check, the sequential loop, autocannon at each connection count; returns its failures. */
async function runScenario(sc: Scenario, runs: ScenarioRuns[], o: LoopOptions): Promise<number> {
  const { log, isStopped, pids } = o;
  let failures = 0;
  const run: ScenarioRuns = { name: sc.name, description: sc.description, calibration: sc.calibration, baseline: sc.baseline, load: [] };
  runs.push(run);
  const expected = sc.expectStatus ?? 200;
  const first = await probe(sc.target).catch((e: unknown) => ({ status: 0, headers: new Headers(), json: String(e) }));
  const problem = first.status !== expected ? `smoke check: HTTP ${first.status} ${JSON.stringify(first.json).slice(0, 400)}` : sc.check(first);
  if (problem) {
    run.failed = problem;
    log(`!! ${sc.name}: ${problem} — load skipped`);
    return 1;
  }
  const timings = (first.json as { timings?: unknown }).timings;
  log(`-- ${sc.name}: ${sc.description}${timings ? `; sample timings ${JSON.stringify(timings)}` : ""}`);
  const scale = sc.shortLoad ? 2 / 3 : 1;
  run.sequential = await runSequential(sc.target, { warmup: 200, maxCount: 50_000, maxMs: o.seqMs * scale, isStopped, workerdPids: pids, expectStatus: sc.expectStatus });
  const s = run.sequential;
  log(`   sequential: ${s.requests} requests, p50 ${s.latency.p50.toFixed(3)} ms, p99 ${s.latency.p99.toFixed(3)} ms${cpuNote(s)}${s.non2xx + s.errors + s.badBody ? `  !! ${s.non2xx} unexpected status, ${s.badBody} unexpected bodies, ${s.errors} errors: ${s.errorSamples.join(" | ")}` : ""}`);
  if (s.non2xx + s.errors + s.badBody) failures++;
  if (sc.sequentialOnly) return failures;
  for (const c of o.connections) {
    if (isStopped()) break;
    await runLoad(sc.target, c, o.warmupSeconds);
    if (isStopped()) break;
    const l = await runLoad(sc.target, c, o.seconds * scale, pids);
    if (isStopped()) break; // an interrupted run is not a measurement
    run.load.push(l);
    const bad = l.non2xx + l.errors + l.timeouts + l.badBody;
    if (bad) failures++;
    log(`   ${String(c).padStart(2)} conns: ${Math.round(l.rps)} req/s, p50 ${l.latency.p50.toFixed(2)} ms, p99 ${l.latency.p99.toFixed(2)} ms${cpuNote(l)}${bad ? `  !! ${l.non2xx} non-2xx ${JSON.stringify(l.statusCodes)}, ${l.badBody} unexpected bodies, ${l.errors} errors, ${l.timeouts} timeouts ${l.errorSamples.join(" | ")}` : ""}`);
  }
  return failures;
}
