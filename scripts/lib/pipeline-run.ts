/**
 * `npm run eval -- --pipeline`: runs the pipeline simulation through the real task
 * engine. Starts the fakes (pipeline-fakes.ts) and `wrangler dev` with a config naming
 * them (pipeline-plans.ts), submits each strategy's tasks (`POST /v1/tasks`), polls them,
 * acts as the human at approval gates, and reports per error model and strategy
 * (pipeline-report.ts). Everything is bounded: tasks, concurrency, each task's wait,
 * the dev server's and the fakes' lifetimes.
 */
import { startDevServer, type DevServer } from "../../test/support/dev-server.ts";
import { startFakes } from "./pipeline-fakes.ts";
import { humanDecision, parseQuestion, ruleN, startValue, STEPS, type ErrorModel } from "./pipeline-model.ts";
import { pipelineConfig, pipelinePlan, STRATEGIES, type Strategy } from "./pipeline-plans.ts";
import { formatTables, summarize, type Row, type TaskResult } from "./pipeline-report.ts";
import { answerOf } from "./pipeline-model.ts";
import { signalExitCode, startProgress, type Progress } from "./progress.ts";

export interface PipelineOptions {
  /** Tasks per strategy and error model. */
  tasks: number;
  seed: number;
  /** Tasks in flight at once. */
  concurrency: number;
  models?: readonly ErrorModel[];
  strategies?: readonly Strategy[];
  /** Longest wait for one task to end (ms). */
  taskTimeoutMs?: number;
  /** Progress lines (stderr). */
  log?: (line: string) => void;
  /** After the warm-up task (`total`: the tasks to come), then after each task. */
  onReady?: (total: number) => void;
  onTask?: (r: TaskResult) => void;
}

const HEADERS = { authorization: "Bearer dev-key", "content-type": "application/json" };
const TERMINAL = new Set(["succeeded", "failed", "rejected", "cancelled"]);
const POLL_MS = 100;
/** Gates one task may open before the harness stops deciding (each step opens at most one per run). */
const MAX_GATES = 2 * STEPS;

type StepView = { id: string; input?: string; unverifiedOutput?: unknown; coordination?: { ensemble?: { decision: string; candidates: { id: string; ok: boolean; output?: unknown }[] }; hedge?: { hedged: boolean } } };
type TaskView = { id: string; status: string; result?: unknown; costUsd: number; hops: number; createdAt: string; updatedAt: string; awaiting?: { step: string }; steps: StepView[] };

/**
 * `fetch`, tried again (up to 4 times, 0.25 s × attempt apart) when the connection fails
 * or `wrangler dev`'s proxy answers 502/503: under load its proxy now and then resets a
 * connection. Only for requests that are safe to repeat (a GET, a submit with an
 * idempotency key).
 */
async function fetchAgain(input: string, init?: RequestInit): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(input, init);
      if ((res.status !== 502 && res.status !== 503) || attempt >= 4) return res;
    } catch (e) {
      if (attempt >= 4) throw e;
    }
    await new Promise((r) => setTimeout(r, 250 * attempt));
  }
}

async function getTask(url: string, id: string): Promise<TaskView> {
  const res = await fetchAgain(`${url}/v1/tasks/${id}`, { headers: HEADERS });
  if (!res.ok) throw new Error(`GET /v1/tasks/${id}: ${res.status} ${await res.text()}`);
  return (await res.json()) as TaskView;
}

/** The simulated human decides the gate `task` waits on; false when it cannot tell what the gate is. */
async function decide(url: string, task: TaskView): Promise<boolean> {
  const step = task.steps.find((s) => s.id === task.awaiting?.step);
  const q = parseQuestion(step?.input ?? "");
  if (!step || !q) return false;
  const e = step.coordination?.ensemble;
  const gate = e?.decision === "approval" ? { candidates: e.candidates.filter((c) => c.ok) } : { unverifiedOutput: step.unverifiedOutput };
  const d = humanDecision(q, gate);
  const body = d.action === "approve" ? { by: "sim-human", reason: "checked against the truth", ...(d.pick ? { pick: d.pick } : {}) } : { by: "sim-human", reason: "wrong answer" };
  // not repeated: a decision that did not arrive shows in the next poll, and is made again then
  const res = await fetch(`${url}/v1/tasks/${task.id}/${d.action}`, { method: "POST", headers: HEADERS, body: JSON.stringify(body) }).catch(() => undefined);
  return res?.ok === true;
}

/** Submits one task and follows it to its end, deciding its gates. */
export async function runTask(url: string, strategy: Strategy, model: ErrorModel, task: number, seed: number, timeoutMs: number): Promise<TaskResult> {
  const v0 = startValue(seed, model, task);
  const t0 = performance.now();
  const idempotencyKey = `pipeline-${seed}-${model}-${strategy}-${task}-${crypto.randomUUID()}`;
  const res = await fetchAgain(`${url}/v1/tasks`, { method: "POST", headers: HEADERS, body: JSON.stringify({ goal: `pipeline ${strategy} ${model}`, input: `t${task}`, idempotencyKey, plan: pipelinePlan(strategy, model, task, v0) }) });
  if (res.status !== 202) throw new Error(`POST /v1/tasks: ${res.status} ${await res.text()}`);
  const { id } = (await res.json()) as { id: string };
  let view: TaskView | undefined;
  let humanDecisions = 0;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    view = await getTask(url, id);
    if (TERMINAL.has(view.status)) break;
    if (view.status === "awaiting_approval" && humanDecisions < MAX_GATES && (await decide(url, view))) {
      humanDecisions++;
      continue;
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  const wallMs = Math.round(performance.now() - t0);
  const status = view && TERMINAL.has(view.status) ? (view.status as TaskResult["status"]) : "timeout";
  return {
    strategy,
    model,
    task,
    status,
    correct: status === "succeeded" && answerOf(view?.result) === ruleN(v0, STEPS),
    costUsd: view?.costUsd ?? 0,
    hops: view?.hops ?? 0,
    humanDecisions,
    hedged: view?.steps.filter((s) => s.coordination?.hedge?.hedged).length ?? 0,
    wallMs,
    routerMs: view ? Date.parse(view.updatedAt) - Date.parse(view.createdAt) : 0,
  };
}

/** A task the harness could not follow (the router unreachable even after retries): counted as stopped, and said. */
function harnessError(strategy: Strategy, model: ErrorModel, task: number, e: unknown, log: (l: string) => void): TaskResult {
  log(`${model} ${strategy} t${task}: harness error: ${(e as Error)?.message ?? String(e)}`);
  return { strategy, model, task, status: "error", correct: false, costUsd: 0, hops: 0, humanDecisions: 0, hedged: 0, wallMs: 0, routerMs: 0 };
}

/** Runs `jobs` with at most `concurrency` at once, in order of the list. */
async function pooled<T>(jobs: readonly (() => Promise<T>)[], concurrency: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, jobs.length) }, async () => {
      while (next < jobs.length) {
        const i = next++;
        out[i] = await jobs[i]!();
      }
    }),
  );
  return out;
}

/** Runs every (model, strategy) against one router; the raw results and the rows. */
export async function runPipeline(o: PipelineOptions): Promise<{ results: TaskResult[]; rows: Row[] }> {
  const models = o.models ?? (["independent", "correlated"] as const);
  const strategies = o.strategies ?? STRATEGIES;
  const timeoutMs = o.taskTimeoutMs ?? 60_000;
  const log = o.log ?? (() => {});
  // generous bound: every task at its own timeout, one batch of `concurrency` at a time, plus start-up
  const lifetime = Math.ceil((models.length * strategies.length * o.tasks) / o.concurrency) * timeoutMs + 120_000;
  const fakes = await startFakes(o.seed, lifetime);
  let server: DevServer | undefined;
  // Ctrl-C or a kill at any point (wrangler dev starting, the warm-up, the tasks): stop the router and the
  // fakes, then end as the signal would have (the progress bar, once shown, leaves the exit to this handler;
  // a wrangler dev still starting is ended by dev-server.ts on the way out)
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`\n${signal}: stopping wrangler dev and the fake workers\n`);
    void Promise.allSettled([server?.stop(), fakes.close()]).then(() => process.exit(signalExitCode(signal)));
  };
  const signals = (["SIGINT", "SIGTERM"] as const).map((signal) => [signal, () => onSignal(signal)] as const);
  for (const [signal, handler] of signals) process.once(signal, handler);
  try {
    server = await startDevServer({ vars: { SWITCHYARD_CONFIG: JSON.stringify(pipelineConfig(fakes.url)) }, maxLifetimeMs: lifetime, readyTimeoutMs: 90_000 });
    const url = server.url;
    // the first task waits for the config's runtime (its intent model fitted): one warm-up, not counted
    await runTask(url, "plain", models[0]!, 1_000_000, o.seed, 120_000);
    // strategies interleaved task by task, so a load the machine has meanwhile falls on all of them alike
    const results: TaskResult[] = [];
    o.onReady?.(models.length * strategies.length * o.tasks);
    for (const model of models) {
      const t0 = performance.now();
      const jobs = Array.from({ length: o.tasks }, (_, i) => strategies.map((strategy) => () => runTask(url, strategy, model, i, o.seed, timeoutMs).catch((e) => harnessError(strategy, model, i, e, log)).then((r) => (o.onTask?.(r), r)))).flat();
      const done = await pooled(jobs, o.concurrency);
      results.push(...done);
      log(`${model}: ${done.length} tasks (${strategies.length} strategies × ${o.tasks}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    if (results.some((r) => r.status === "error")) log(`wrangler dev's output, last 3000 characters:\n${server.output().slice(-3000)}`);
    return { results, rows: summarize(results) };
  } finally {
    for (const [signal, handler] of signals) process.removeListener(signal, handler);
    await server?.stop();
    await fakes.close();
  }
}

/** The eval mode: runs and prints the tables (or `--json`: the rows and the options). */
export async function runPipelineEval(o: PipelineOptions & { json: boolean }): Promise<{ rows: Row[]; results: TaskResult[] }> {
  const started = performance.now();
  process.stderr.write("pipeline: starting wrangler dev and the fake workers, one warm-up task…\n");
  let bar: Progress | undefined;
  const log = (l: string) => (bar ? bar.log(l) : process.stderr.write(`${l}\n`));
  const onReady = (total: number) => (bar = startProgress("pipeline tasks", total, { keep: false, plainEvery: Math.max(1, Math.ceil(total / 20)) }));
  const onTask = (r: TaskResult) => bar?.tick(`${r.model} ${r.strategy} t${r.task}: ${r.status}`);
  const { rows, results } = await runPipeline({ ...o, log, onReady, onTask }).finally(() => bar?.stop());
  const seconds = Math.round((performance.now() - started) / 1000);
  if (o.json) console.log(JSON.stringify({ tasks: o.tasks, seed: o.seed, concurrency: o.concurrency, seconds, rows, results }));
  else console.log(`${formatTables(rows)}\n${o.tasks} tasks per strategy and model, seed ${o.seed}, concurrency ${o.concurrency}: ${seconds} s`);
  return { rows, results };
}
