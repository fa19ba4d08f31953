/**
 * The bundled router on raw `workerd serve` (no Miniflare): a generated capnp config
 * in a temp dir, every socket on 127.0.0.1 (ports from `--control-fd`), stopped on
 * close() and, as a last resort, by an `exit` hook. Durable Objects: SQLite files in a
 * temp dir on tmpfs when there is one (workerd's `inMemory` storage has no SQL API). What raw workerd cannot give
 * without a fake backend stays unbound: no KV `INTENTS`, no Cache API backend.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { RouterBundle, RouterModule } from "./build.ts";
import { DRIVER_SOURCE } from "./pool-driver.ts";
import { doClasses, FORWARDER_SOURCE, PROXY_SOURCE, type RouterOptions, type RunningRouter } from "./servers.ts";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const WORKERD = join(ROOT, "node_modules", "workerd", "bin", "workerd");

/** A capnp text literal. */
const str = (s: string) => `"${s.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`)}"`;

const SOCKETS = ["router", "proxy", "pool-driver"];

const MODULE_FIELD: Record<RouterModule["type"], string> = { ESModule: "esModule", CommonJS: "commonJsModule", Text: "text", Data: "data", CompiledWasm: "wasm" };

/** capnp config: router (+ every Durable Object class it exports, SQLite; `secretBindings` as text bindings), the calibration proxy, the chat forwarder (with `chatUpstreamUrl`), the pool driver, the outbound network. */
export function capnpConfig(
  bundle: RouterBundle,
  dir: string,
  storageDir: string,
  upstream: { upstreamUrl: string; chatUpstreamUrl?: string; secretBindings?: Record<string, string> },
  compat: { date: string; flags: string[] },
): string {
  const modules = bundle.modules
    .map((m) => `(name = ${str(relative(bundle.dir, m.path))}, ${MODULE_FIELD[m.type]} = embed ${str(relative(dir, m.path))})`)
    .join(",\n        ");
  const compatLines = `compatibilityDate = ${str(compat.date)}, compatibilityFlags = [${compat.flags.map(str).join(", ")}]`;
  const chatProxy = upstream.chatUpstreamUrl
    ? `
    # calibration for the OpenAI front door: passes requests and responses through unread (servers.ts FORWARDER_SOURCE).
    (name = "chat-proxy", worker = (
      modules = [(name = "bench-chat-proxy.js", esModule = embed "bench-chat-proxy.js")],
      ${compatLines},
      bindings = [(name = "UPSTREAM", text = ${str(upstream.chatUpstreamUrl)})],
    )),`
    : "";
  const chatSocket = upstream.chatUpstreamUrl ? `\n    (name = "chat-proxy", address = "127.0.0.1:0", http = (), service = "chat-proxy"),` : "";
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "router", worker = (
      modules = [
        ${modules}
      ],
      ${compatLines},
      bindings = [
        (name = "DEV_MODE", text = "true"),
        (name = "VERSION", text = "bench"),
        (name = "SWITCHYARD_CONFIG", text = embed "switchyard-config.json"),
        ${Object.entries(upstream.secretBindings ?? {}).map(([b, v]) => `(name = ${str(b)}, text = ${str(v)}),`).join("\n        ")}
        ${doClasses(bundle).map(([b, c]) => `(name = ${str(b)}, durableObjectNamespace = ${str(c)}),`).join("\n        ")}
      ],
      durableObjectNamespaces = [
        ${doClasses(bundle).map(([, c]) => `(className = ${str(c)}, uniqueKey = ${str(`switchyard-bench-${c}`)}, enableSql = true),`).join("\n        ")}
      ],
      # inMemory storage has no SQL API (the Durable Objects need it): SQLite files, on tmpfs when there is one.
      durableObjectStorage = (localDisk = "do-storage"),
    )),
    (name = "proxy", worker = (
      modules = [(name = "bench-proxy.js", esModule = embed "bench-proxy.js")],
      ${compatLines},
      bindings = [(name = "UPSTREAM", text = ${str(upstream.upstreamUrl)})],
    )),${chatProxy}
    # bench-only: drives the router's RateLimitPool objects over workerd RPC (pool-driver.ts).
    (name = "pool-driver", worker = (
      modules = [(name = "pool-driver.js", esModule = embed "pool-driver.js")],
      ${compatLines},
      bindings = [(name = "POOL", durableObjectNamespace = (className = "RateLimitPool", serviceName = "router"))],
    )),
    (name = "do-storage", disk = (path = ${str(storageDir)}, writable = true)),
    # globalOutbound of every Worker: the upstreams are on 127.0.0.1.
    (name = "internet", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [
    (name = "router", address = "127.0.0.1:0", http = (), service = "router"),
    (name = "proxy", address = "127.0.0.1:0", http = (), service = "proxy"),${chatSocket}
    (name = "pool-driver", address = "127.0.0.1:0", http = (), service = "pool-driver"),
  ],
);
`;
}

/** Starts `workerd serve`; resolves once every socket listens. */
export async function startRawWorkerd(o: RouterOptions, timeoutMs = 30_000): Promise<RunningRouter> {
  if (!existsSync(WORKERD)) throw new Error(`no workerd binary at ${WORKERD}`);
  const dir = mkdtempSync(join(tmpdir(), "switchyard-workerd-"));
  const file = join(dir, "config.capnp");
  writeFileSync(join(dir, "switchyard-config.json"), o.config);
  writeFileSync(join(dir, "bench-proxy.js"), PROXY_SOURCE);
  writeFileSync(join(dir, "bench-chat-proxy.js"), FORWARDER_SOURCE);
  writeFileSync(join(dir, "pool-driver.js"), DRIVER_SOURCE);
  // Durable Object SQLite files: on tmpfs (/dev/shm) when available, so the disk's fsyncs do not count.
  const shm = existsSync("/dev/shm") ? mkdtempSync("/dev/shm/switchyard-do-") : undefined;
  const storageDir = shm ?? join(dir, "do-storage");
  if (!shm) mkdirSync(storageDir);
  writeFileSync(file, capnpConfig(o.bundle, dir, storageDir, o, { date: o.bundle.compatibilityDate, flags: o.bundle.compatibilityFlags }));

  const child: ChildProcess = spawn(WORKERD, ["serve", file, "config", "--control-fd=3"], { cwd: dir, stdio: ["ignore", "pipe", "pipe", "pipe"] });
  const killHard = () => child.exitCode === null && child.signalCode === null && child.kill("SIGKILL");
  process.on("exit", killHard); // a forced exit must not leave workerd behind
  const tail: string[] = [];
  const keep = (chunk: Buffer) => {
    const text = chunk.toString("utf8");
    if (o.verbose) process.stderr.write(`[workerd] ${text}`);
    tail.push(...text.split("\n").filter(Boolean));
    if (tail.length > 40) tail.splice(0, tail.length - 40);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const t = setTimeout(killHard, 2_000);
      await exited;
      clearTimeout(t);
    }
    process.removeListener("exit", killHard);
    rmSync(dir, { recursive: true, force: true });
    if (shm) rmSync(shm, { recursive: true, force: true });
  };

  const ports = new Map<string, number>();
  const sockets = o.chatUpstreamUrl ? [...SOCKETS, "chat-proxy"] : SOCKETS;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`workerd did not listen within ${timeoutMs} ms`)), timeoutMs);
      let buf = "";
      (child.stdio[3] as NodeJS.ReadableStream).on("data", (chunk: Buffer) => {
        buf += chunk.toString("utf8");
        let nl: number;
        while ((nl = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          try {
            const m = JSON.parse(line) as { event?: string; socket?: string; port?: number };
            if (m.event === "listen" && m.socket && m.port) ports.set(m.socket, m.port);
          } catch {
            /* not ours */
          }
          if (sockets.every((n) => ports.has(n))) (clearTimeout(timer), resolve());
        }
      });
      child.once("error", (e) => (clearTimeout(timer), reject(e)));
      child.once("exit", (code, sig) => (clearTimeout(timer), reject(new Error(`workerd exited (${code ?? sig}) before listening:\n${tail.join("\n")}`))));
    });
  } catch (e) {
    await close();
    throw e;
  }
  const url = `http://127.0.0.1:${ports.get("router")}`;
  return {
    mode: "raw",
    url,
    directUrl: url,
    proxyUrl: `http://127.0.0.1:${ports.get("proxy")}`,
    chatProxyUrl: o.chatUpstreamUrl ? `http://127.0.0.1:${ports.get("chat-proxy")}` : undefined,
    poolDriverUrl: `http://127.0.0.1:${ports.get("pool-driver")}`,
    workerdPids: child.pid ? [child.pid] : [],
    logTail: () => [...tail],
    doStorage: storageDir,
    close,
  };
}
