/**
 * `node bench/profile.ts [scenario] [--seconds N] [--connections N] [--first]`: CPU profile of
 * the router's isolate on workerd (V8 inspector, DevTools protocol) while one
 * scenario runs under load (default cached-intent, 10 connections, 4 s; the chat
 * scenarios too, e.g. chat-router-stream or chat-router-anthropic-stream). Prints
 * self time by source file (from esbuild's `// path` markers in the bundle) and
 * by function, and writes bench/out/profile-<scenario>-<timestamp>.cpuprofile
 * (open it in Chrome DevTools → Performance). With `--first`, the profile is of a fresh
 * router's first request only (`POST /v1/route`, auto-routed: a cold isolate's first
 * hop), no warm-up. Only the router's JS is sampled:
 * workerd's C++ (HTTP, sockets) and Miniflare's KV / cache isolates are not.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { BENCH_ANTHROPIC_KEY_VALUE, BENCH_ANTHROPIC_SECRET, benchConfig, bundleRouter, type RouterBundle } from "./build.ts";
import { probe, runLoad } from "./load.ts";
import { scenarios, INPUT } from "./scenarios.ts";
import { chatScenarios } from "./chat.ts";
import { startFakeAnthropicThread, startFakeOpenAIThread, startRouter, startUpstreamThread, type Running, type RunningRouter } from "./servers.ts";

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH_DIR);
const { values: args, positionals } = parseArgs({ options: { seconds: { type: "string", default: "4" }, connections: { type: "string", default: "10" }, first: { type: "boolean", default: false } }, allowPositionals: true });
const which = positionals[0] ?? "cached-intent";
const seconds = Math.min(30, Number(args.seconds));
const connections = Math.min(100, Number(args.connections));

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Minimal DevTools-protocol client over Node 22's global WebSocket. */
async function devtools(wsUrl: string) {
  // Node's WebSocket (the project's types are Workers' WebSocket, which lacks the on* handlers).
  const ws = new WebSocket(wsUrl) as unknown as {
    onopen: () => void;
    onerror: () => void;
    onmessage: (e: { data: unknown }) => void;
    send(data: string): void;
    close(): void;
  };
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error(`cannot connect to ${wsUrl}`));
  });
  let id = 0;
  const pending = new Map<number, (m: { result?: unknown; error?: unknown }) => void>();
  ws.onmessage = (e) => {
    const m = JSON.parse(String(e.data)) as { id?: number; result?: unknown; error?: unknown };
    if (m.id !== undefined) pending.get(m.id)?.(m);
  };
  const send = <T,>(method: string, params: Record<string, unknown> = {}) =>
    new Promise<T>((resolve, reject) => {
      const n = ++id;
      const timer = setTimeout(() => reject(new Error(`${method}: no answer`)), 30_000);
      pending.set(n, (m) => (clearTimeout(timer), m.error ? reject(new Error(`${method}: ${JSON.stringify(m.error)}`)) : resolve(m.result as T)));
      ws.send(JSON.stringify({ id: n, method, params }));
    });
  return { send, close: () => ws.close() };
}

/** Bundle line → source file, from the `// worker/...` markers esbuild writes. */
function fileOfLine(bundleText: string): (line: number) => string {
  const marks: [number, string][] = [];
  bundleText.split("\n").forEach((l, i) => {
    const m = /^\/\/ ((?:node_modules|worker|\.\.)\/[^\s]+|[\w./@-]+\.(?:ts|js|mjs|json))$/.exec(l);
    if (m) marks.push([i, m[1]!]);
  });
  return (line) => {
    let lo = 0;
    let hi = marks.length - 1;
    let best = "(bundle prelude)";
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (marks[mid]![0] <= line) (best = marks[mid]![1]), (lo = mid + 1);
      else hi = mid - 1;
    }
    return best.replace(/^node_modules\/(\.pnpm\/)?/, "npm:").replace(/^(npm:(@[^/]+\/)?[^/]+)\/.*$/, "$1");
  };
}

function top(map: Map<string, number>, totalMs: number, n: number): string {
  return [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, ms]) => `  ${ms.toFixed(1).padStart(8)} ms  ${((100 * ms) / totalMs).toFixed(1).padStart(5)}%  ${k}`)
    .join("\n");
}

let bundle: RouterBundle | undefined;
let upstream: Running | undefined;
let fake: Running | undefined;
let fakeAnthropic: Running | undefined;
let router: RunningRouter | undefined;
let code = 0;
try {
  bundle = await bundleRouter(ROOT);
  const bundleText = readFileSync(bundle.modules[0]!.path, "utf8");
  upstream = await startUpstreamThread();
  fake = await startFakeOpenAIThread();
  fakeAnthropic = await startFakeAnthropicThread();
  router = await startRouter({
    bundle,
    config: benchConfig(ROOT, upstream.url, fake.url, fakeAnthropic.url),
    upstreamUrl: upstream.url,
    secretBindings: { [BENCH_ANTHROPIC_SECRET]: BENCH_ANTHROPIC_KEY_VALUE },
    inspectorPort: 0,
  });
  const auth = { "content-type": "application/json", authorization: "Bearer dev-key" };
  if (args.first) {
    const http = router.inspectorUrl!.replace(/^ws/, "http");
    const targets = (await (await fetch(`${http}/json/list`)).json()) as { id: string; title?: string; url?: string; webSocketDebuggerUrl?: string }[];
    const target = targets.find((t) => t.title === "switchyard-bench" || t.id === "switchyard-bench" || t.url?.endsWith("/switchyard-bench")) ?? targets.find((t) => (t.title ?? t.id).endsWith(":switchyard-bench"));
    if (!target) throw new Error(`no inspector target for switchyard-bench: ${JSON.stringify(targets.map((t) => t.title ?? t.id))}`);
    const dt = await devtools(target.webSocketDebuggerUrl ?? `${router.inspectorUrl!.replace(/^http/, "ws")}/${target.id}`);
    await dt.send("Profiler.enable");
    await dt.send("Profiler.setSamplingInterval", { interval: 50 });
    await dt.send("Profiler.start");
    const res = await fetch(`${router.directUrl}/v1/route`, { method: "POST", headers: auth, body: JSON.stringify({ input: INPUT }) });
    await res.text();
    await new Promise((r) => setTimeout(r, 200)); // the request's waitUntil work (metrics, cache writes)
    const { profile } = await dt.send<{ profile: Profile }>("Profiler.stop");
    dt.close();
    report(profile, readFileSync(bundle.modules[0]!.path, "utf8"), `first request of a fresh router (POST /v1/route → ${res.status})`, 1, "first");
  } else {
  const c = await probe({ url: router.directUrl, path: "/v1/intents", headers: auth, body: () => JSON.stringify({ input: INPUT }), dynamic: false });
  const all = [...scenarios({ router: router.directUrl, lruOnly: router.lruOnlyUrl, upstream: upstream.url, proxy: router.proxyUrl }, (c.json as { id: string }).id), ...chatScenarios({ router: router.directUrl, fake: fake.url, anthropic: fakeAnthropic.url })];
  const sc = all.find((s) => s.name === which && s.target.url === router!.directUrl) ?? all.find((s) => s.name === which);
  if (!sc) throw new Error(`unknown scenario '${which}'`);
  const serviceName = sc.target.url === router.lruOnlyUrl ? "switchyard-bench-lru-only" : sc.target.url === router.proxyUrl ? "bench-proxy" : "switchyard-bench";
  const http = router.inspectorUrl!.replace(/^ws/, "http");
  const targets = (await (await fetch(`${http}/json/list`)).json()) as { id: string; title?: string; url?: string; webSocketDebuggerUrl?: string }[];
  const target = targets.find((t) => t.title === serviceName || t.id === serviceName || t.url?.endsWith(`/${serviceName}`)) ?? targets.find((t) => (t.title ?? t.id).includes(serviceName));
  if (!target) throw new Error(`no inspector target for ${serviceName}: ${JSON.stringify(targets.map((t) => t.title ?? t.id))}`);
  const wsUrl = target.webSocketDebuggerUrl ?? `${router.inspectorUrl!.replace(/^http/, "ws")}/${target.id}`;
  await runLoad(sc.target, connections, 1); // warm up (JIT, LRU)
  const dt = await devtools(wsUrl);
  await dt.send("Profiler.enable");
  await dt.send("Profiler.setSamplingInterval", { interval: 100 });
  await dt.send("Profiler.start");
  const load = await runLoad(sc.target, connections, seconds, router.workerdPids);
  const { profile } = await dt.send<{ profile: Profile }>("Profiler.stop");
  dt.close();
  console.log(`scenario ${which} (${sc.description}), ${connections} connections, ${seconds} s: ${load.requests} requests, ${Math.round(load.rps)} req/s, ${load.non2xx + load.errors} failures; workerd process CPU: ${load.workerdUsPerReq?.toFixed(0) ?? "?"} µs per request`);
  report(profile, bundleText, `router isolate`, load.requests, which);
  }
} catch (e) {
  console.error(e);
  code = 1;
} finally {
  await router?.close().catch(() => {});
  await upstream?.close().catch(() => {});
  await fake?.close().catch(() => {});
  await fakeAnthropic?.close().catch(() => {});
  bundle?.cleanup();
}
process.exit(code);

/** Prints self time by source file and by function, and writes the profile. */
function report(profile: Profile, bundleText: string, what: string, requests: number, name: string): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const byFile = new Map<string, number>();
  const byFn = new Map<string, number>();
  const file = fileOfLine(bundleText);
  const main = bundle!.modules[0]!.path.replace(/^.*\//, "");
  let total = 0;
  profile.samples.forEach((sid, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const f = byId.get(sid)!.callFrame;
    const special = f.url === "" && f.functionName.startsWith("(");
    if (f.functionName === "(idle)") return;
    total += ms;
    const src = special ? f.functionName : f.url.endsWith(main) ? file(f.lineNumber) : f.url || "(native)";
    byFile.set(src, (byFile.get(src) ?? 0) + ms);
    const fn = `${f.functionName || "(anonymous)"}  ${src}:${f.lineNumber + 1}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + ms);
  });
  console.log(`${what}: busy (non-idle samples) ${total.toFixed(1)} ms = ${((total * 1000) / Math.max(1, requests)).toFixed(0)} µs per request`);
  console.log("\nself time by source file:");
  console.log(top(byFile, total, 25));
  console.log("\nself time by function:");
  console.log(top(byFn, total, 30));
  const out = join(BENCH_DIR, "out");
  mkdirSync(out, { recursive: true });
  const path = join(out, `profile-${name}-${new Date().toISOString().replace(/[:.]/g, "-")}.cpuprofile`);
  writeFileSync(path, JSON.stringify(profile));
  console.log(`\nprofile: ${path.slice(ROOT.length + 1)}`);
}
