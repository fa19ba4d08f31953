/**
 * `npm run bench [-- --seconds N | --quick] [--miniflare [--via-entry]] [--only a,b] [--skip-micro] [--skip-queues] [--verbose] [--html FILE]`:
 * the router's overhead on workerd (raw `workerd serve` by default, Miniflare's API
 * with `--miniflare`; never `wrangler dev`), against a fake specialist. See bench/README.md.
 *
 *  1. bundle the router (`wrangler deploy --dry-run`), start it on workerd with a
 *     config whose every specialist is the fault upstream's `POST /ok`;
 *  2. the paired loop (paired.ts: pinned, pinned-limited, one-fallback, direct-error interleaved);
 *  3. per scenario: a sequential single-connection latency loop, then autocannon
 *     at 1, 10 and 50 connections (each after a short warm-up; scenario-loop.ts);
 *  4. the paired loop again; pool admissions/s inside workerd (pools.ts, pool-driver.ts);
 *     — including the OpenAI front door: chat-direct/chat-proxy/chat-router(-stream) against the fake OpenAI server (chat.ts, chat-forwarder.ts),
 *       and the translated hop: chat-direct-anthropic/chat-router-anthropic(-stream) against the fake Anthropic API, plus
 *       interleaved CPU blocks of the translated and the pass-through hop (chat-translated.ts);
 *  5. the task scenario: 5-step chains, one at a time and 8 in flight (task.ts);
 *  6. the MCP gateway: a proxied tools/call against the same call straight to the fake MCP server (mcp.ts);
 *  7. the message layer on Miniflare's local Queues: async hop enqueue and completion against the sync hop, webhook
 *     delivery throughput (queues.ts; `--skip-queues` skips it, `--only queues` runs just it);
 *  8. print tables + targets (admission and fallback: added.ts; front door: chat.ts), the summary table last (summary.ts),
 *     write bench/out/results-<timestamp>.json (the summary under `summary`; `npm run bench:readme` puts it in the docs),
 *     and with `--html FILE` the same results as one HTML page with SVG plots (html.ts; FILE checked before the run:
 *     not a folder, its folder must exist, bench/out/ and eval/out/ are made).
 * The scenarios show progress on stderr (scripts/lib/progress.ts): a bar on a terminal, else a line per scenario with the ETA.
 * Also an in-process micro-benchmark of the intent layer. `BENCH_SECONDS` env works too.
 */
import { cpus, loadavg, totalmem } from "node:os";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { BENCH_ANTHROPIC_KEY_VALUE, BENCH_ANTHROPIC_SECRET, BENCH_LIMITED, benchConfig, bundleRouter, readBundledConfig, type RouterBundle } from "./build.ts";
import { addedSummary, addedTargets, addedText, PAIRED } from "./added.ts";
import { CHAT_FORWARDED } from "./chat-forwarder.ts";
import { translatedCpuBlocks, type CpuBlocks } from "./chat-translated.ts";
import { CHAT_GOAL_ADDED_P50_MS, CHAT_GOAL_RPS_50, chatPaired, chatScenarios, chatSummary, chatTargets, chatText, ONLY_NAMES } from "./chat.ts";
import { probe, stopLoad } from "./load.ts";
import { microSection, type MicroResult } from "./micro.ts";
import { checkTargets, loadTable, microTable, sequentialTable, targetsText, TARGETS, writeResults, type ScenarioRuns } from "./report.ts";
import { pairedFailed, pairedSection, type PairedResult } from "./paired.ts";
import { poolTable, poolTargets, POOL_GOAL_PER_S, runPools, type PoolSection } from "./pools.ts";
import { runScenarios } from "./scenario-loop.ts";
import { INPUT, scenarios } from "./scenarios.ts";
import { startFakeAnthropicThread, startFakeOpenAIThread, startRouter, startUpstreamThread, type Running, type RunningRouter } from "./servers.ts";
import { TASK_GOAL_MS, TASK_STEPS, taskSection, taskTable, taskTargets, type TaskScenario } from "./task.ts";
import { buildSummary, summaryText } from "./summary.ts";
import { queueTable, runQueueBench, type QueueBenchResult } from "./queues.ts";
import { startRawWorkerd } from "./workerd.ts";
import { mcpSection, mcpTable, type McpBench } from "./mcp.ts";
import { startFakeMcpServer, type FakeMcpServer } from "../test/support/fake-mcp-server.ts";
import { startProgress, type Progress } from "../scripts/lib/progress.ts";
import { writeBenchHtml } from "./html.ts";
import { parseCommandLine, usageError } from "../scripts/lib/cli-args.ts";
import { htmlTarget } from "../scripts/lib/html-report.ts";

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH_DIR);
const CONNECTIONS = [1, 10, 50];

const USAGE = `usage: npm run bench -- [--seconds N | --quick] [--miniflare [--via-entry]] [--only a,b] [--skip-micro] [--skip-queues] [--verbose] [--html FILE]
(node bench/run.ts … the same; the options: bench/README.md)`;

const { values: args } = parseCommandLine(
  {
    options: {
      seconds: { type: "string" },
      quick: { type: "boolean", default: false },
      verbose: { type: "boolean", default: false },
      "skip-micro": { type: "boolean", default: false },
      /** Skip the message-layer section (bench/queues.ts: async hops and webhooks on Miniflare's local Queues). */
      "skip-queues": { type: "boolean", default: false },
      /** Run on Miniflare's API (KV + Cache API, its outbound interceptor) instead of raw `workerd serve`. */
      miniflare: { type: "boolean", default: false },
      /** Miniflare only: send router traffic through Miniflare's entry Worker instead of the router's own socket. */
      "via-entry": { type: "boolean", default: false },
      /** Comma-separated scenario names (`task` for the task scenario). */
      only: { type: "string" },
      /** Also write the results as one self-contained HTML page with SVG plots. */
      html: { type: "string" },
    },
  },
  USAGE,
);
// before the run, not after it: a folder, or a folder that does not exist, is refused now
const htmlProblem = args.html === undefined ? undefined : (htmlTarget(args.html) as { error?: string }).error;
if (htmlProblem !== undefined) {
  console.error(htmlProblem);
  process.exit(2);
}
if (args["via-entry"] && !args.miniflare) usageError("--via-entry needs --miniflare", USAGE);
const only = args.only ? new Set(args.only.split(",").map((x) => x.trim())) : undefined;
if (only) {
  const unknown = [...only].filter((n) => !ONLY_NAMES.has(n));
  if (unknown.length > 0) usageError(`--only: no scenario named ${unknown.map((n) => JSON.stringify(n)).join(", ")}; the names are ${[...ONLY_NAMES].sort().join(", ")}`, USAGE);
}
const seconds = Number(args.seconds ?? process.env.BENCH_SECONDS ?? (args.quick ? 2 : 3));
if (!(seconds > 0 && seconds <= 120)) usageError(`--seconds / BENCH_SECONDS must be in (0, 120], got ${JSON.stringify(args.seconds ?? process.env.BENCH_SECONDS)}`, USAGE);
const warmupSeconds = Math.max(0.3, Math.min(2, seconds / 15));
const seqMs = Math.min(3_000, seconds * 240);
const poolMs = Math.min(5_000, Math.max(500, seconds * 500));
const pairedMs = Math.min(10_000, seconds * 1_000);

let stopped = false;
let firstSignalAt = 0;
const onSignal = (sig: string) => {
  stopLoad();
  // Miniflare's signal-exit handler re-raises the signal at once: only a later, second signal forces exit.
  if (stopped && performance.now() - firstSignalAt > 1_000) process.exit(130);
  if (stopped) return;
  stopped = true;
  firstSignalAt = performance.now();
  console.error(`\n${sig}: stopping after cleanup (again to force)`);
};
const handlers = { SIGINT: () => onSignal("SIGINT"), SIGTERM: () => onSignal("SIGTERM") };
/**
 * Miniflare registers SIGINT/SIGTERM handlers that kill workerd and exit at once,
 * which would lose the report; take them over (its `exit` hook still kills workerd
 * on a forced exit, and the finally block disposes it normally).
 */
function ownSignals(): void {
  for (const [sig, mine] of Object.entries(handlers)) {
    for (const l of process.listeners(sig as NodeJS.Signals)) if (l !== mine) process.removeListener(sig, l as () => void);
    if (!process.listeners(sig as NodeJS.Signals).includes(mine)) process.on(sig, mine);
  }
}
ownSignals();

/** The scenarios' progress while it runs (report lines go above its bar when stdout shares its terminal). */
let bar: Progress | undefined;
const log = (s = "") => (bar ? bar.out(s) : console.log(s));
/**
 * The paired loops of pinned/pinned-limited/one-fallback/direct-error: always without --only; with it, when it has
 * `paired` and one of those four, or `paired` and no chat-* scenario (`--only paired,chat-…` runs just the chat loops).
 */
const poolPaired = !only || (only.has("paired") && (PAIRED.some((n) => only.has(n)) || ![...only].some((n) => n.startsWith("chat-"))));

async function main(): Promise<number> {
  const started = performance.now();
  const loadavgStart = loadavg();
  log(`Switchyard router benchmark — ${seconds} s per run (+${warmupSeconds.toFixed(2)} s warm-up), connections ${CONNECTIONS.join("/")}`);
  log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, load avg ${loadavg().map((l) => l.toFixed(2)).join(" ")}; node ${process.version}`);
  log("note: autocannon, the upstream thread and workerd all share these cores; the figures are relative, not production numbers.\n");

  const micro: MicroResult | { error: string } | undefined = args["skip-micro"] ? undefined : await microSection(readBundledConfig(ROOT), Math.min(1_500, seconds * 300), log, microTable);

  let bundle: RouterBundle | undefined;
  let upstream: Running | undefined;
  let fake: Running | undefined;
  let fakeAnthropic: Running | undefined;
  let fakeMcp: FakeMcpServer | undefined;
  let mcp: McpBench | { failed: string } | undefined;
  let router: RunningRouter | undefined;
  const runs: ScenarioRuns[] = [];
  let task: TaskScenario | undefined;
  let pools: PoolSection | undefined;
  let paired: PairedResult | undefined;
  let pairedAfter: PairedResult | undefined;
  let pairedChat: PairedResult[] = [];
  let cpuBlocks: Record<string, CpuBlocks> = {};
  let failures = 0;
  try {
    log("== Setup ==");
    bundle = await bundleRouter(ROOT);
    log(`bundled with wrangler deploy --dry-run in ${(bundle.buildMs / 1000).toFixed(1)} s: ${bundle.modules.map((m) => `${m.path.slice(bundle!.dir.length + 1)} (${m.type})`).join(", ")}`);
    if (stopped) return 130;
    upstream = await startUpstreamThread();
    fake = await startFakeOpenAIThread();
    fakeAnthropic = await startFakeAnthropicThread();
    log(`fault upstream (worker thread): ${upstream.url}; fake OpenAI server (worker thread): ${fake.url}; fake Anthropic API (worker thread): ${fakeAnthropic.url}`);
    fakeMcp = await startFakeMcpServer({ maxLifetimeMs: 30 * 60_000 });
    log(`fake MCP server (this process, official SDK): ${fakeMcp.url}`);
    const config = benchConfig(ROOT, upstream.url, fake.url, fakeAnthropic.url, fakeMcp.url);
    const secretBindings = { [BENCH_ANTHROPIC_SECRET]: BENCH_ANTHROPIC_KEY_VALUE };
    const o = { bundle, config, upstreamUrl: upstream.url, chatUpstreamUrl: fake.url, secretBindings, verbose: args.verbose };
    router = args.miniflare ? await startRouter(o) : await startRawWorkerd(o);
    ownSignals();
    const routerUrl = args["via-entry"] ? router.entryUrl! : router.directUrl;
    if (router.mode === "raw") {
      log(`router on raw \`workerd serve\` (generated capnp config, compat ${bundle.compatibilityDate}; Durable Objects ${bundle.durableObjects.map(([b]) => b).join(", ")}, SQLite files in ${router.doStorage}; SPECIALISTS unbound; --miniflare for Miniflare)`);
      log("  !! raw mode: KV INTENTS is UNBOUND and the Cache API has NO backend (workerd needs a service for each; writing fake ones is out of scope):");
      log("     caches.default.* throw 'No Cache was configured' — the router catches it and logs a warning, so both shared intent tiers are skipped (LRU only)");
    } else {
      log(`router on workerd through Miniflare's API (compat ${bundle.compatibilityDate}, KV INTENTS in memory, Cache API, DOs ${bundle.durableObjects.map(([b]) => b).join("/")}, SPECIALISTS unbound; every subrequest passes Miniflare's outbound-interceptor Worker)`);
      log(`  benchmarked at ${routerUrl} (${args["via-entry"] ? "through Miniflare's entry Worker (--via-entry)" : "the router's own workerd socket, no Miniflare entry Worker; --via-entry to compare"})`);
    }
    log(`  router ${routerUrl}; workerd pid ${router.workerdPids.join(", ") || "unknown (no CPU accounting)"}; calibration proxy Worker: ${router.proxyUrl}; chat forwarder Worker: ${router.chatProxyUrl}`);
    const pids = router.workerdPids;

    const auth = { "content-type": "application/json", authorization: "Bearer dev-key" };
    const classified = await probe({ url: routerUrl, path: "/v1/intents", headers: auth, body: () => "", dynamic: false }, JSON.stringify({ input: INPUT }));
    const intentId = (classified.json as { id?: string }).id;
    if (classified.status !== 200 || !intentId) throw new Error(`POST /v1/intents → ${classified.status}: ${JSON.stringify(classified.json).slice(0, 600)}`);
    const rec = classified.json as { label?: string; specialist?: string; confidence?: number };
    log(`intent for the cached scenario: ${intentId} (${rec.label} → ${rec.specialist}, confidence ${rec.confidence?.toFixed(3)})\n`);

    const list = [...scenarios({ router: routerUrl, lruOnly: router.lruOnlyUrl, upstream: upstream.url, proxy: router.proxyUrl }, intentId, router.mode), ...chatScenarios({ router: routerUrl, fake: fake.url, proxy: router.chatProxyUrl, anthropic: fakeAnthropic.url })];
    if (!stopped && poolPaired) {
      paired = await pairedSection(`fresh "${BENCH_LIMITED}" pool`, PAIRED, list, { maxMs: pairedMs, isStopped: () => stopped, log, workerdPids: pids });
      if (pairedFailed(paired)) failures++;
    }
    const progress = (total: number) => (bar = startProgress("bench scenarios", total, { keep: false }));
    failures += await runScenarios(list, runs, { connections: CONNECTIONS, seconds, warmupSeconds, seqMs, pids, only, isStopped: () => stopped, log, progress }).finally(() => (bar = undefined));
    pairedChat = await chatPaired(list, only, { maxMs: pairedMs, isStopped: () => stopped, log, workerdPids: pids });
    if (pairedChat.some(pairedFailed)) failures++;
    cpuBlocks = await translatedCpuBlocks(list, only, { maxMs: 20_000, pids, isStopped: () => stopped, log });
    if (Object.values(cpuBlocks).some((b) => b.bad)) failures++;

    if (!stopped && poolPaired) {
      pairedAfter = await pairedSection("after the scenarios' load", PAIRED, list, { maxMs: pairedMs, isStopped: () => stopped, log, workerdPids: pids });
      if (pairedFailed(pairedAfter)) failures++;
    }

    if (!stopped && (!only || only.has("pools"))) {
      log(`-- pools: RateLimitPool admissions/s, driven inside workerd by the pool driver Worker (${router.poolDriverUrl}); admit then finish per admission unless noted; fresh objects per run`);
      pools = await runPools(router.poolDriverUrl, { maxMs: poolMs, isStopped: () => stopped, log });
      if (pools.failed || pools.runs.some((r) => r.denied + r.errors)) failures++;
      if (pools.failed) log(`!! pools: ${pools.failed}`);
    }

    if (!stopped && (!only || only.has("task"))) {
      task = await taskSection(routerUrl, upstream.url, pids, { isStopped: () => stopped, log });
      if (task.failed || task.runs.some((r) => r.failed)) failures++;
    }

    if (!stopped && fakeMcp && (!only || only.has("mcp"))) {
      mcp = await mcpSection(routerUrl, fakeMcp.url, { maxMs: pairedMs, isStopped: () => stopped, log, workerdPids: pids });
      if (mcp.failed) failures++;
    }
  } catch (e) {
    failures++;
    log(`\n!! benchmark failed: ${(e as Error)?.message ?? e}`);
    if (router?.logTail) log(`   workerd's last lines:\n${router.logTail().map((l) => `     ${l}`).join("\n")}`);
  } finally {
    await router?.close().catch((e: unknown) => log(`!! stopping workerd: ${e}`));
    await upstream?.close().catch((e: unknown) => log(`!! stopping the upstream: ${e}`));
    await fake?.close().catch((e: unknown) => log(`!! stopping the fake OpenAI server: ${e}`));
    await fakeAnthropic?.close().catch((e: unknown) => log(`!! stopping the fake Anthropic API: ${e}`));
    await fakeMcp?.close().catch((e: unknown) => log(`!! stopping the fake MCP server: ${e}`));
    bundle?.cleanup();
  }

  if (runs.length) {
    log("\n== Single connection, sequential loop (node:http keep-alive, process.hrtime.bigint, one request at a time) ==");
    log(sequentialTable(runs));
    log(`(calibration: workerd-proxy, a bare forwarding Worker; chat-proxy(-stream), the chat forwarder: a bare Worker passing the chat call through to the fake OpenAI server unread${router?.mode === "miniflare" ? "; miss-lru-only, the router without KV and with Miniflare's no-op Cache API backend" : ""})`);
    log("(+p50/+p99: minus `direct` on the same loop; router timings: the response's own `timings`, median, ms — workerd's clock only advances on I/O)");
    log("\n== Throughput (autocannon) ==");
    log(loadTable(runs));
    log("(latency: each response's process.hrtime latency from autocannon's `response` event, exact percentiles over all responses —");
    log(" autocannon's own percentiles are integer ms and are only kept in the JSON; +p50/+p99: minus `direct` at the same connection count;");
    log(" chat-router(-stream): minus chat-direct(-stream), the same call straight to the fake OpenAI server; chat-router-anthropic(-stream): minus");
    log(" chat-direct-anthropic(-stream), the translated call straight to the fake Anthropic API; every chat-* body is checked)");
  }
  if (task) {
    log(`\n== Task scenario: ${TASK_STEPS}-step sequential chain, specialist "bench" = upstream /ok (instant); goal ≤ ${TASK_GOAL_MS} ms router overhead per step ==`);
    log(taskTable(task));
    log(`(→ /step = (wall − ${TASK_STEPS} × direct p50 ${task.directP50Ms.toFixed(3)} ms) / ${TASK_STEPS}; wall = POST → terminal SSE event on the client;`);
    log(" server-stamped = POST → the terminal event's own `at` (workerd's clock, whole ms): the same without the SSE route's 200 ms poll when the DO has no new events;");
    log(" created→s1 = task.created → first step.started (the alarm that drives the task); step span = step.started → step.succeeded;");
    log(" between steps = a step's end → the next one's start (or the task's end); these three from the events' `at`, whole ms)");
  }
  if (mcp && !mcp.failed) {
    log("\n== MCP gateway: a proxied tools/call against the same call straight to the fake MCP server (bench/mcp.ts) ==");
    log(mcpTable(mcp as McpBench));
    log("(both over raw JSON-RPC on one keep-alive connection each, interleaved; the fake runs in this process, so its cost and this client's are in both)");
  }
  const chat = chatSummary(runs, pairedChat, cpuBlocks);
  for (const line of chatText(chat)) log(line);
  const added = addedSummary(runs, paired, pairedAfter);
  for (const line of addedText(runs, added, paired, pairedAfter)) log(line);
  if (pools?.runs.length) {
    log(`\n== Pool admissions per second (RateLimitPool, inside workerd; goal: a pool decides ≥ ${POOL_GOAL_PER_S.toLocaleString("en-US")} admissions/s) ==`);
    log(poolTable(pools));
    log(`(limits ${JSON.stringify(pools.limits)} split over the shards, nothing denied; an admission = admit + finish, each a DO RPC from the driver Worker, awaited;`);
    log(` shards: round-robin over objects <prefix>#0..S-1; elapsed on workerd's clock (whole ms, it moves on I/O); ms/admission/lane = elapsed × in flight ÷ admissions;`);
    log(` runs capped at N and ${pools.maxMs} ms ("time cap"); "after 50,000 prior admissions": one grant of 50,000 rpm slots first: a pool that has admitted 50,000 calls before;`);
    log(" last¼ ÷ first¼: admissions/s in the run's last quarter ÷ its first — below 1 means each admission costs more as the pool's recorded state grows)");
  }
  const targets = [...checkTargets(runs), ...(chat.rows.length ? chatTargets(chat) : []), ...addedTargets(added), ...(pools ? poolTargets(pools) : []), ...(task ? taskTargets(task) : [])];
  log("\n== Targets ==");
  log(targetsText(targets));
  // the message layer: its own router on Miniflare (raw workerd has no queue broker); with --only, only when asked for as `queues`
  let queues: QueueBenchResult | { error: string } | undefined;
  if (!args["skip-queues"] && !stopped && (!only || only.has("queues"))) {
    log("\n== Message layer (bench/queues.ts) ==");
    try {
      queues = await runQueueBench(args.quick ? 100 : 200, (l) => log(`  ${l}`));
      log(queueTable(queues));
    } catch (e) {
      failures++;
      queues = { error: String((e as Error)?.stack ?? e) };
      log(`\n!! queues: ${queues.error}`);
    }
  }
  let summary: ReturnType<typeof buildSummary> | { error: string };
  try {
    summary = buildSummary({ runs, paired: pairedChat, added, task, connections: CONNECTIONS });
    for (const line of summaryText(summary)) log(line);
  } catch (e) {
    failures++;
    summary = { error: String((e as Error)?.stack ?? e) };
    log(`\n!! summary: ${summary.error}`);
  }
  const results = {
    date: new Date().toISOString(),
    command: ["npm run bench", ...(process.argv.length > 2 ? ["--", ...process.argv.slice(2)] : [])].join(" "),
    mode: args.miniflare ? "miniflare" : "raw",
    options: { seconds, warmupSeconds, sequentialMs: seqMs, poolMs, pairedMs, connections: CONNECTIONS, input: INPUT, viaEntry: args["via-entry"], only: args.only },
    /** `loadavg`: at the end of the run; `loadavgStart`: at its start. */
    machine: { cpus: cpus().length, model: cpus()[0]?.model, memGiB: totalmem() / 2 ** 30, node: process.version, loadavg: loadavg(), loadavgStart },
    targets: {
      ...TARGETS,
      chatAddedP50Ms: CHAT_GOAL_ADDED_P50_MS,
      chatRps50: CHAT_GOAL_RPS_50,
      chatVsForwarder: Object.fromEntries(CHAT_FORWARDED.map((f) => [f.router, f.goals])),
      taskOverheadPerStepMs: TASK_GOAL_MS,
      poolAdmissionsPerSecond: POOL_GOAL_PER_S,
      fallbackOwnP50Ms: 0.5,
      checks: targets,
    },
    micro,
    scenarios: runs,
    chat,
    added,
    paired,
    pairedAfter,
    pools,
    task,
    mcp,
    queues,
    interrupted: stopped,
    summary,
  };
  const file = writeResults(BENCH_DIR, results);
  log(`\nresults: ${file.slice(ROOT.length + 1)} — total ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (args.html !== undefined) {
    const html = writeBenchHtml(args.html, results);
    if (html.error) failures++;
    // stderr, as in eval: stdout keeps the report
    console.error(html.error ? `!! HTML report: ${html.error}` : `HTML report: ${html.path}`);
  }
  return stopped ? 130 : failures ? 1 : 0;
}

const code = await main().catch((e: unknown) => {
  console.error(e);
  return 1;
});
process.exit(code);
