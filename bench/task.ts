/**
 * The task scenario (DESIGN: "a 5-step task with instant specialists — report router
 * overhead per step"): a sequential chain s1 → … → s5 pinned to the `bench` specialist
 * (fault upstream `/ok`). Per task: POST /v1/tasks, then its SSE stream until the
 * terminal event. Overhead per step = (wall − steps × direct p50) / steps.
 */
import { createParser } from "eventsource-parser";
import { BENCH_SPECIALIST } from "./build.ts";
import { cpuWindow, type CpuUsage } from "./cpu.ts";
import { runSequential, summarize, type Latency } from "./load.ts";
import { INPUT } from "./scenarios.ts";

export const TASK_STEPS = 5;
/** DESIGN's goal: router overhead per step, ms. */
export const TASK_GOAL_MS = 5;
const TERMINAL = new Set(["task.succeeded", "task.failed", "task.cancelled", "task.rejected"]);
const AUTH = { "content-type": "application/json", authorization: "Bearer dev-key" };
const GOAL = "benchmark: a five-step chain of instant specialist calls"; // the same every time: its intent is an LRU hit

export function taskBody(steps = TASK_STEPS): string {
  const plan = Array.from({ length: steps }, (_, i) => ({
    id: `s${i + 1}`,
    specialist: BENCH_SPECIALIST,
    input: i === 0 ? "step 1" : `step ${i + 1} after {{steps.s${i}.output}}`,
    dependsOn: i === 0 ? [] : [`s${i}`],
  }));
  return JSON.stringify({ goal: GOAL, plan: { steps: plan, combine: "last" } });
}

/** One task, timed. Client times: performance.now(); server times: the events' `at` (workerd's clock, whole ms). */
export interface TaskSample {
  status: string;
  /** POST → terminal event read from the SSE stream (what a client sees). */
  wallMs: number;
  /** POST → the terminal event's own `at` (same machine clock): the task's end without the stream's delivery delay. */
  serverWallMs: number;
  /** POST → 202. */
  postMs: number;
  /** step.started → step.succeeded, per step (whole ms). */
  stepMs: number[];
  /** Previous step's end → next step's start, and last step's end → task end (whole ms). */
  gapMs: number[];
  /** task.created → first step.started: the alarm that drives the task firing (whole ms). */
  firstStepMs: number;
}

/** Runs one task and follows its SSE stream to the end. */
export async function runTask(url: string, body: string, timeoutMs = 15_000): Promise<TaskSample> {
  const signal = AbortSignal.timeout(timeoutMs);
  const epochStart = performance.timeOrigin + performance.now();
  const t0 = performance.now();
  const post = await fetch(`${url}/v1/tasks`, { method: "POST", headers: AUTH, body, signal });
  const accepted = (await post.json().catch(() => ({}))) as { id?: string };
  const postMs = performance.now() - t0;
  if (post.status !== 202 || !accepted.id) throw new Error(`POST /v1/tasks → ${post.status}: ${JSON.stringify(accepted).slice(0, 300)}`);
  const ctl = new AbortController();
  const res = await fetch(`${url}/v1/tasks/${accepted.id}/events`, { headers: AUTH, signal: AbortSignal.any([signal, ctl.signal]) });
  if (res.status !== 200 || !res.body) throw new Error(`GET events → ${res.status}`);
  const events: { type: string; at: number }[] = [];
  let end: { type: string; at: number; t: number } | undefined;
  const parser = createParser({
    onEvent(e) {
      const at = Date.parse((JSON.parse(e.data) as { at?: string }).at ?? "");
      events.push({ type: e.event ?? "message", at });
      if (!end && TERMINAL.has(e.event ?? "")) end = { type: e.event!, at, t: performance.now() };
    },
  });
  const decoder = new TextDecoder();
  try {
    for await (const chunk of res.body) {
      parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
      if (end) break;
    }
  } finally {
    ctl.abort(); // the stream would end by itself; do not wait for it
  }
  if (!end) throw new Error(`task ${accepted.id}: the event stream ended without a terminal event`);
  const started = events.filter((e) => e.type === "step.started").map((e) => e.at);
  const done = events.filter((e) => e.type === "step.succeeded").map((e) => e.at);
  const stepMs = done.map((d, i) => d - (started[i] ?? NaN));
  const gapMs = started.slice(1).map((s, i) => s - done[i]!);
  if (done.length) gapMs.push(end.at - done[done.length - 1]!);
  const created = events.find((e) => e.type === "task.created")?.at ?? NaN;
  return { status: end.type.slice(5), wallMs: end.t - t0, serverWallMs: end.at - epochStart, postMs, stepMs, gapMs, firstStepMs: (started[0] ?? NaN) - created };
}

export interface TaskRun {
  concurrency: number;
  tasks: number;
  failed: number;
  errorSamples: string[];
  seconds: number;
  tasksPerSecond: number;
  wall: Latency;
  serverWall: Latency;
  post: Latency;
  /** (wall − steps × direct p50) / steps, per task. */
  overheadPerStep: Latency;
  /** The same from serverWall. */
  serverOverheadPerStep: Latency;
  step: Latency;
  gap: Latency;
  firstStep: Latency;
  cpu: CpuUsage;
  workerdUsPerStep?: number;
}

/** Runs tasks with `concurrency` in flight until `maxTasks` or `maxMs`; bounded and stoppable. */
export async function runTasks(
  url: string,
  o: { concurrency: number; maxTasks: number; maxMs: number; directP50: number; isStopped: () => boolean; workerdPids?: readonly number[]; steps?: number },
): Promise<TaskRun> {
  const steps = o.steps ?? TASK_STEPS;
  const body = taskBody(steps);
  const samples: TaskSample[] = [];
  const errorSamples: string[] = [];
  let failed = 0;
  let launched = 0;
  const window = cpuWindow(o.workerdPids ?? []);
  const t0 = performance.now();
  const deadline = t0 + o.maxMs;
  const lane = async () => {
    while (launched < o.maxTasks && performance.now() < deadline && !o.isStopped() && failed < 20) {
      launched++;
      try {
        const s = await runTask(url, body);
        if (s.status !== "succeeded") throw new Error(`task ended ${s.status}`);
        samples.push(s);
      } catch (e) {
        failed++;
        if (errorSamples.length < 3) errorSamples.push(String((e as Error)?.message ?? e));
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, lane));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = window();
  const per = (ms: number) => (ms - steps * o.directP50) / steps;
  const done = samples.length;
  return {
    concurrency: o.concurrency,
    tasks: done,
    failed,
    errorSamples,
    seconds,
    tasksPerSecond: done / seconds,
    wall: summarize(samples.map((s) => s.wallMs)),
    serverWall: summarize(samples.map((s) => s.serverWallMs)),
    post: summarize(samples.map((s) => s.postMs)),
    overheadPerStep: summarize(samples.map((s) => per(s.wallMs))),
    serverOverheadPerStep: summarize(samples.map((s) => per(s.serverWallMs))),
    step: summarize(samples.flatMap((s) => s.stepMs)),
    gap: summarize(samples.flatMap((s) => s.gapMs)),
    firstStep: summarize(samples.map((s) => s.firstStepMs)),
    cpu,
    workerdUsPerStep: cpu.workerdMs !== undefined && done > 0 ? (cpu.workerdMs * 1000) / (done * steps) : undefined,
  };
}

export interface TaskScenario {
  steps: number;
  goalMs: number;
  /** Sequential p50 of a direct POST upstream /ok (node:http keep-alive), measured in the same run. */
  directP50Ms: number;
  runs: TaskRun[];
  failed?: string;
}

const f = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : "—");

export function taskTable(t: TaskScenario): string {
  const head = ["in flight", "tasks", "tasks/s", "wall p50", "wall p99", "→ /step p50", "/step p99", "server-stamped p50", "→ /step p50", "/step p99", "POST→202 p50", "created→s1 p50", "step span p50", "between steps p50", "workerd µs/step", "status"];
  const rows = t.runs.map((r) => [
    String(r.concurrency),
    String(r.tasks),
    r.tasksPerSecond.toFixed(1),
    f(r.wall.p50),
    f(r.wall.p99),
    f(r.overheadPerStep.p50),
    f(r.overheadPerStep.p99),
    f(r.serverWall.p50),
    f(r.serverOverheadPerStep.p50),
    f(r.serverOverheadPerStep.p99),
    f(r.post.p50),
    f(r.firstStep.p50),
    f(r.step.p50),
    f(r.gap.p50),
    r.workerdUsPerStep === undefined ? "—" : String(Math.round(r.workerdUsPerStep)),
    r.failed ? `!! ${r.failed} failed: ${r.errorSamples.join(" | ")}` : "ok",
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (c: string[]) => c.map((x, i) => (i === c.length - 1 ? x : x.padStart(w[i]!))).join("  ");
  return [line(head), w.map((n) => "-".repeat(n)).join("  "), ...rows.map(line)].join("\n");
}

/** The DESIGN goal at one task in flight (p50): on the server-stamped end (the engine), and as an SSE client sees it. */
export function taskTargets(t: TaskScenario | undefined): { name: string; target: string; measured: string; met: boolean | undefined }[] {
  const r = t?.runs.find((x) => x.concurrency === 1);
  const check = (what: string, v: number | undefined) => ({
    name: `task router overhead per step, ${TASK_STEPS}-step chain, 1 task at a time, p50, ${what}`,
    target: `≤ ${TASK_GOAL_MS} ms`,
    measured: v === undefined ? "not measured" : `${f(v)} ms`,
    met: v === undefined ? undefined : v <= TASK_GOAL_MS,
  });
  const has = r !== undefined && r.tasks > 0;
  return [check("POST → terminal event's `at` (engine)", has ? r.serverOverheadPerStep.p50 : undefined), check("POST → terminal event read on SSE (client)", has ? r.overheadPerStep.p50 : undefined)];
}

/** Direct upstream p50 (this run), a few warm-up tasks, then tasks one at a time and 8 in flight. */
export async function taskSection(url: string, upstreamUrl: string, pids: number[], o: { isStopped: () => boolean; log: (s?: string) => void }): Promise<TaskScenario> {
  const { log } = o;
  log(`-- task: ${TASK_STEPS}-step chain pinned to "bench" (POST /v1/tasks, then its SSE stream to the terminal event)`);
  const direct = await runSequential({ url: upstreamUrl, path: "/ok", headers: { "content-type": "application/json" }, body: () => JSON.stringify({ input: INPUT }), dynamic: false }, { warmup: 200, maxCount: 20_000, maxMs: 1_000, isStopped: o.isStopped });
  const t: TaskScenario = { steps: TASK_STEPS, goalMs: TASK_GOAL_MS, directP50Ms: direct.latency.p50, runs: [] };
  log(`   direct upstream /ok (sequential, this run): p50 ${direct.latency.p50.toFixed(3)} ms → specialist time ${(TASK_STEPS * direct.latency.p50).toFixed(2)} ms per task`);
  const base = { directP50: direct.latency.p50, isStopped: o.isStopped, workerdPids: pids };
  const warm = await runTasks(url, { ...base, concurrency: 1, maxTasks: 3, maxMs: 10_000 });
  if (warm.tasks === 0) return { ...t, failed: `warm-up tasks failed: ${warm.errorSamples.join(" | ")}` };
  for (const [concurrency, maxTasks, maxMs] of [[1, 30, 15_000], [8, 160, 10_000]] as const) {
    if (o.isStopped()) break;
    const r = await runTasks(url, { ...base, concurrency, maxTasks, maxMs });
    if (o.isStopped()) break;
    t.runs.push(r);
    log(`   ${concurrency} in flight: ${r.tasks} tasks (${r.tasksPerSecond.toFixed(1)}/s), wall p50 ${r.wall.p50.toFixed(2)} ms → ${r.overheadPerStep.p50.toFixed(2)} ms/step; server-stamped ${r.serverWall.p50.toFixed(2)} ms → ${r.serverOverheadPerStep.p50.toFixed(2)} ms/step${r.failed ? `  !! ${r.failed} failed: ${r.errorSamples.join(" | ")}` : ""}`);
  }
  return t;
}
