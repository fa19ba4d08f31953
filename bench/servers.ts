/**
 * The servers of a benchmark run, all on 127.0.0.1:
 *  - the fault upstream (examples/fault-upstream), the fake OpenAI server
 *    (examples/fake-openai) and the fake Anthropic API (examples/fake-anthropic), each in a worker thread, so neither shares an event
 *    loop with the load generator;
 *  - the bundled router on workerd through Miniflare's API (`--miniflare`; the default,
 *    raw `workerd serve`, is in workerd.ts).
 */
import { Worker } from "node:worker_threads";
import { Miniflare, convertV4MiniflareOptions } from "miniflare";
import { join } from "node:path";
import type { RouterBundle } from "./build.ts";
import { childPids } from "./cpu.ts";
import { DRIVER_SOURCE } from "./pool-driver.ts";

export interface Running {
  url: string;
  close(): Promise<void>;
}

/** Starts examples/fault-upstream in a worker thread; resolves with its URL. */
export const startUpstreamThread = (timeoutMs = 15_000) => startServerThread("./upstream-thread.ts", "fault upstream", timeoutMs);
/** Starts examples/fake-openai (the OpenAI front door's specialist) in a worker thread; resolves with its URL. */
export const startFakeOpenAIThread = (timeoutMs = 15_000) => startServerThread("./fake-openai-thread.ts", "fake OpenAI server", timeoutMs);

/** Starts examples/fake-anthropic (the translated hop's specialist, key `BENCH_ANTHROPIC_KEY_VALUE`) in a worker thread; resolves with its URL. */
export const startFakeAnthropicThread = (timeoutMs = 15_000) => startServerThread("./fake-anthropic-thread.ts", "fake Anthropic server", timeoutMs);

/** A server in a worker thread (`entry`, relative to bench/) that posts `{ url }` once listening and stops on "close". */
async function startServerThread(entry: string, label: string, timeoutMs: number): Promise<Running> {
  const worker = new Worker(new URL(entry, import.meta.url));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label} did not start in time`)), timeoutMs);
    worker.once("message", (m: { url?: string; error?: string }) => {
      clearTimeout(timer);
      if (m.url) resolve(m.url);
      else reject(new Error(`${label} failed: ${m.error}`));
    });
    worker.once("error", (e) => (clearTimeout(timer), reject(e)));
  }).catch(async (e: unknown) => {
    await worker.terminate();
    throw e;
  });
  let closed = false;
  return {
    url,
    async close() {
      if (closed) return;
      closed = true;
      const done = new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 2_000);
        worker.once("message", () => (clearTimeout(t), resolve()));
      });
      worker.postMessage("close");
      await done;
      await worker.terminate();
    },
  };
}

export interface RouterOptions {
  bundle: RouterBundle;
  /** JSON string for `SWITCHYARD_CONFIG`. */
  config: string;
  /** The fault upstream, for the calibration proxy Worker. */
  upstreamUrl: string;
  /** The fake OpenAI server: when given, a second calibration Worker, the chat forwarder (`FORWARDER_SOURCE`), passes requests through to it. */
  chatUpstreamUrl?: string;
  /** Extra text bindings of the router (the Worker secrets its config's `secrets` declares, e.g. the fake Anthropic API's key). */
  secretBindings?: Record<string, string>;
  /** Print workerd's console output (the router logs cache-tier failures there). */
  verbose?: boolean;
  /** Open workerd's V8 inspector (for bench/profile.ts); 0 = any free port. */
  inspectorPort?: number;
}

export interface RunningRouter extends Running {
  /** "raw": `workerd serve` with a generated config; "miniflare": Miniflare's API. */
  mode: "raw" | "miniflare";
  /** The router on its own workerd socket (no Miniflare entry Worker in the path). */
  directUrl: string;
  /** The router through Miniflare's entry Worker (what `mf.dispatchFetch`/wrangler dev use); Miniflare only. */
  entryUrl?: string;
  /** A minimal Worker that only forwards the body to `<upstream>/ok`: workerd + one subrequest. */
  proxyUrl: string;
  /** The chat forwarder (`FORWARDER_SOURCE` → the fake OpenAI server), when `chatUpstreamUrl` was given. */
  chatProxyUrl?: string;
  /** The bench-only pool driver Worker (pool-driver.ts), bound to the router's RateLimitPool class. */
  poolDriverUrl: string;
  /** Miniflare only: the same router without KV and with Miniflare's no-op Cache API backend. */
  lruOnlyUrl?: string;
  workerdPids: number[];
  /** Raw mode: where the Durable Objects' SQLite files are. */
  doStorage?: string;
  /** Raw mode: the last lines workerd printed (console output of the Workers). */
  logTail?: () => string[];
  /** workerd's inspector (DevTools protocol), when `inspectorPort` was given. */
  inspectorUrl?: string;
}

const ROUTER = "switchyard-bench";
const PROXY = "bench-proxy";
const CHAT_PROXY = "bench-chat-proxy";
const LRU_ONLY = "switchyard-bench-lru-only";
const DRIVER = "bench-pool-driver";
/** The router's Durable Object bindings ([binding, class], from wrangler.toml); the pool driver needs `RateLimitPool`. */
export function doClasses(bundle: RouterBundle): [string, string][] {
  if (!bundle.durableObjects.some(([, c]) => c === "RateLimitPool")) throw new Error("wrangler.toml binds no RateLimitPool: the pool driver needs it");
  return bundle.durableObjects;
}
export const PROXY_SOURCE = `export default {
  async fetch(request, env) {
    const r = await fetch(env.UPSTREAM + "/ok", { method: "POST", body: await request.text(), headers: { "content-type": "application/json" } });
    return new Response(await r.text(), { status: r.status, headers: { "content-type": "application/json" } });
  },
};
`;
/**
 * The chat forwarder: a bare Worker that passes each request to `UPSTREAM` + its own path
 * (method, headers and body stream as they came) and returns the upstream's response as
 * it is, its body streamed through unread. The floor for a Worker in front of the fake
 * OpenAI server (`chat-proxy`, `chat-proxy-stream`).
 */
export const FORWARDER_SOURCE = `export default {
  fetch(request, env) {
    const url = new URL(request.url);
    return fetch(new Request(env.UPSTREAM + url.pathname + url.search, request));
  },
};
`;

/**
 * Runs the bundled router on workerd through Miniflare: `DEV_MODE: "true"`, in-memory
 * KV `INTENTS`, the Cache API, `SWITCHYARD_CONFIG`, every Durable Object class
 * wrangler.toml binds (SQLite, in memory), and the pool driver Worker. `SPECIALISTS` is left unbound: every endpoint in the bench
 * config is `http`. With `chatUpstreamUrl`, the chat forwarder too. Each Worker also gets a direct socket, which skips Miniflare's
 * entry Worker (a second JS hop per request).
 */
export async function startRouter(o: RouterOptions): Promise<RunningRouter> {
  const direct = [{ host: "127.0.0.1", port: 0 }];
  const common = { compatibilityDate: o.bundle.compatibilityDate, compatibilityFlags: o.bundle.compatibilityFlags, modulesRoot: o.bundle.dir, unsafeDirectSockets: direct };
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: "127.0.0.1",
      port: 0,
      cf: false, // placeholder request.cf; no network fetch
      logRequests: false,
      ...(o.inspectorPort !== undefined ? { inspectorPort: o.inspectorPort } : {}),
      telemetry: { enabled: false },
      // Everything is in memory (no persist options) and nothing joins the dev registry.
      handleStructuredLogs: o.verbose ? undefined : () => {},
      workers: [
        {
          ...common,
          name: ROUTER,
          modules: o.bundle.modules, // names relative to modulesRoot (the bundle dir)
          kvNamespaces: { INTENTS: "switchyard-bench-intents" },
          durableObjects: Object.fromEntries(doClasses(o.bundle).map(([b, className]) => [b, { className, useSQLite: true }])),
          cache: true,
          bindings: { ...o.secretBindings, DEV_MODE: "true", SWITCHYARD_CONFIG: o.config, VERSION: "bench" },
        },
        {
          ...common,
          name: LRU_ONLY,
          modules: o.bundle.modules,
          cache: false, // Miniflare still configures a Cache API backend: a no-op Worker (every match misses)
          bindings: { ...o.secretBindings, DEV_MODE: "true", SWITCHYARD_CONFIG: o.config, VERSION: "bench" },
        },
        {
          ...common,
          name: PROXY,
          modules: [{ type: "ESModule", path: join(o.bundle.dir, "bench-proxy.js"), contents: PROXY_SOURCE }],
          bindings: { UPSTREAM: o.upstreamUrl },
        },
        ...(o.chatUpstreamUrl
          ? [{ ...common, name: CHAT_PROXY, modules: [{ type: "ESModule", path: join(o.bundle.dir, "bench-chat-proxy.js"), contents: FORWARDER_SOURCE }], bindings: { UPSTREAM: o.chatUpstreamUrl } }]
          : []),
        {
          ...common,
          name: DRIVER,
          modules: [{ type: "ESModule", path: join(o.bundle.dir, "pool-driver.js"), contents: DRIVER_SOURCE }],
          durableObjects: { POOL: { className: "RateLimitPool", scriptName: ROUTER, useSQLite: true } },
        },
      ],
    } as unknown as Parameters<typeof convertV4MiniflareOptions>[0]),
  );
  let disposed = false;
  const close = async () => {
    if (disposed) return;
    disposed = true;
    await mf.dispose();
  };
  try {
    const strip = (u: URL) => u.toString().replace(/\/$/, "");
    const entryUrl = strip(await mf.ready);
    const directUrl = strip(await mf.unsafeGetDirectURL(ROUTER));
    const proxyUrl = strip(await mf.unsafeGetDirectURL(PROXY));
    const lruOnlyUrl = strip(await mf.unsafeGetDirectURL(LRU_ONLY));
    const chatProxyUrl = o.chatUpstreamUrl ? strip(await mf.unsafeGetDirectURL(CHAT_PROXY)) : undefined;
    const poolDriverUrl = strip(await mf.unsafeGetDirectURL(DRIVER));
    const inspectorUrl = o.inspectorPort !== undefined ? strip(await mf.getInspectorURL()) : undefined;
    return { mode: "miniflare", url: directUrl, directUrl, entryUrl, proxyUrl, chatProxyUrl, lruOnlyUrl, poolDriverUrl, workerdPids: childPids("workerd"), inspectorUrl, close };
  } catch (e) {
    await close().catch(() => {});
    throw e;
  }
}
