/**
 * `npm run bench:cold [-- --runs N]`: what a fresh isolate pays for its intent model
 * (issue 13), on raw `workerd serve` (a new process per run, so every isolate is cold):
 *
 * - **startup**: workerd's CPU from spawn to listening (every Worker of the bench
 *   config evaluated: the router, and three tiny calibration Workers);
 * - **first request**: CPU of the first `POST /v1/route` (auto-routed: the model
 *   loads and classifies), against the median of the next 10 (distinct inputs, so
 *   each classifies; warm) — the target is first ≤ warm + 5 ms;
 * - **a config that is not built in** (one example added): the first request waits
 *   for the IntentFitter Durable Object's fit, once per deployment — the cost the
 *   build-time model takes off every cold isolate;
 * - **after a registration**: the model the first request after it is served with
 *   (`interim`: the previous one, at once) and that request's wall time, then the CPU
 *   until the fitted model is swapped in (the IntentFitter's fit). Here the fitter runs
 *   in the router's workerd process and thread, so its fit delays requests in flight;
 *   on Cloudflare a Durable Object runs in its own isolate.
 *
 * CPU is the sum of every workerd thread's run time (/proc/<pid>/task/<tid>/schedstat,
 * nanoseconds), so it is per request, not sampled. Linux only. Prints a table and
 * writes bench/out/cold-start-<timestamp>.json.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { benchConfig, bundleRouter } from "./build.ts";
import { startUpstreamThread } from "./servers.ts";
import { startRawWorkerd } from "./workerd.ts";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const { values: args } = parseArgs({ options: { runs: { type: "string", default: "5" } } });
const RUNS = Number(args.runs);
if (!(Number.isInteger(RUNS) && RUNS >= 1 && RUNS <= 50)) throw new Error("--runs must be an integer in [1, 50]");

/** CPU ms of every thread of these processes (schedstat: ns on CPU). */
function cpuMs(pids: readonly number[]): number {
  let ns = 0;
  for (const pid of pids)
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
      } catch {
        /* thread gone */
      }
    }
  return ns / 1e6;
}

const AUTH = { "content-type": "application/json", authorization: "Bearer dev-key" };
const ADMIN = { "content-type": "application/json", authorization: "Bearer dev-admin-key" };
const INPUTS = ["convert 5 km to miles", "what is 17 * 23", "how many words are in this sentence", "what day of the week is 2026-12-25", "summarize: the cat sat on the mat. it was warm."];
const WARM = ["convert 12 kg to pounds", "what is 3 + 4", "convert 100 f to c", "what is 15% of 80", "count the words in hello world", "what is 9 squared", "convert 2 miles to km", "how many days between 2026-01-01 and 2026-03-01", "what is 144 / 12", "convert 5 gb to mb"];

async function route(url: string, input: string): Promise<{ specialist: string }> {
  const res = await fetch(`${url}/v1/route`, { method: "POST", headers: AUTH, body: JSON.stringify({ input }) });
  if (res.status !== 200) throw new Error(`/v1/route → ${res.status}: ${(await res.text()).slice(0, 300)}`);
  return ((await res.json()) as { decision: { specialist: string } }).decision;
}

async function modelSource(url: string): Promise<string> {
  return ((await (await fetch(`${url}/healthz`)).json()) as { intentModel?: { source: string } }).intentModel?.source ?? "?";
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Run {
  startupMs: number;
  firstMs: number;
  warmMs: number;
  firstSource: string;
  notBuiltInFirstMs: number;
  notBuiltInWallMs: number;
  registrationWallMs: number;
  registrationCpuMs: number;
  registrationSource: string;
  refitCpuMs: number;
}

const bundle = await bundleRouter(ROOT);
const upstream = await startUpstreamThread();
const config = benchConfig(ROOT, upstream.url);
const notBuiltIn = (() => {
  const c = JSON.parse(config) as { specialists: { intents?: { examples: string[] }[] }[] };
  c.specialists.find((s) => s.intents?.length)!.intents![0]!.examples.push("one example the build did not see");
  return JSON.stringify(c);
})();
const runs: Run[] = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const spawned = Date.now();
    const router = await startRawWorkerd({ bundle, config, upstreamUrl: upstream.url });
    const pids = router.workerdPids;
    const url = router.directUrl;
    try {
      const startupMs = cpuMs(pids);
      let t = cpuMs(pids);
      await route(url, INPUTS[i % INPUTS.length]!);
      const firstMs = cpuMs(pids) - t;
      const firstSource = await modelSource(url);
      const warm: number[] = [];
      for (const input of WARM) {
        t = cpuMs(pids);
        await route(url, input);
        warm.push(cpuMs(pids) - t);
      }
      // a registration: served at once by the model in force; the fitter's fit runs beside
      const put = await fetch(`${url}/v1/admin/specialists/tides`, {
        method: "PUT",
        headers: ADMIN,
        body: JSON.stringify({ endpoint: { type: "http", url: `${upstream.url}/ok` }, intents: [{ label: "tides.times", examples: ["when is high tide", "tide times for brest", "low tide tomorrow", "is the tide coming in", "tide table for saint malo"] }] }),
      });
      if (put.status !== 200) throw new Error(`registration → ${put.status}: ${await put.text()}`);
      await new Promise((r) => setTimeout(r, 2_200)); // the switch cache (CONTROL_CACHE_MS) lets isolates see it within 2 s
      t = cpuMs(pids);
      const w0 = performance.now();
      const registrationSource = await modelSource(url); // the first request that sees the registration: /healthz builds the runtime like any route
      const registrationWallMs = performance.now() - w0;
      const registrationCpuMs = cpuMs(pids) - t;
      const deadline = Date.now() + 30_000;
      while ((await modelSource(url)) === "interim" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const refitCpuMs = cpuMs(pids) - t;
      runs.push({ startupMs, firstMs, warmMs: median(warm), firstSource, notBuiltInFirstMs: NaN, notBuiltInWallMs: NaN, registrationWallMs, registrationCpuMs, registrationSource, refitCpuMs });
      process.stderr.write(`run ${i + 1}/${RUNS} (${((Date.now() - spawned) / 1000).toFixed(1)} s)\n`);
    } finally {
      await router.close();
    }
    // the baseline: a config the build did not fit, so the first request waits for the fitter
    const other = await startRawWorkerd({ bundle, config: notBuiltIn, upstreamUrl: upstream.url });
    try {
      const t = cpuMs(other.workerdPids);
      const w0 = performance.now();
      await route(other.directUrl, INPUTS[i % INPUTS.length]!);
      runs.at(-1)!.notBuiltInWallMs = performance.now() - w0;
      runs.at(-1)!.notBuiltInFirstMs = cpuMs(other.workerdPids) - t;
    } finally {
      await other.close();
    }
  }
} finally {
  await upstream.close();
  bundle.cleanup();
}

const col = (k: keyof Run) => runs.map((r) => r[k] as number);
const fmt = (xs: number[]) => `${median(xs).toFixed(1)} (${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)})`;
const rows: [string, string][] = [
  ["workerd startup CPU, ms (all bench Workers)", fmt(col("startupMs"))],
  [`first request CPU, ms (model: ${[...new Set(runs.map((r) => r.firstSource))].join("/")})`, fmt(col("firstMs"))],
  ["warm request CPU, ms (median of 10)", fmt(col("warmMs"))],
  ["first − warm, ms (target ≤ 5)", fmt(runs.map((r) => r.firstMs - r.warmMs))],
  ["config not built in: first request CPU, ms (waits for the fitter)", fmt(col("notBuiltInFirstMs"))],
  ["config not built in: first request wall, ms", fmt(col("notBuiltInWallMs"))],
  [`after a registration: first request served by model: ${[...new Set(runs.map((r) => r.registrationSource))].join("/")}; its wall, ms (the co-located fit shares its thread here)`, fmt(col("registrationWallMs"))],
  ["after a registration: that request's CPU, ms (with whatever of the fit ran meanwhile)", fmt(col("registrationCpuMs"))],
  ["after a registration: CPU until the fitted model is in, ms (the IntentFitter's fit, once per deployment)", fmt(col("refitCpuMs"))],
];
const width = Math.max(...rows.map(([k]) => k.length));
console.log(`\nCold start, ${RUNS} runs on raw workerd: median (min–max)\n`);
for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
const out = join(ROOT, "bench", "out");
mkdirSync(out, { recursive: true });
const file = join(out, `cold-start-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
writeFileSync(file, JSON.stringify({ runs, summary: Object.fromEntries(rows) }, null, 2));
console.log(`\nwritten: ${file}`);
