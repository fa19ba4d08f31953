import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A `wrangler dev` process serving the router and the example specialists. */
export interface DevServer {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => (typeof a === "object" && a ? resolve(a.port) : reject(new Error("no port"))));
    });
  });
}

/**
 * Starts `wrangler dev` exactly as `npm run dev` does (both Workers, dev keys on),
 * on 127.0.0.1 with a fresh state directory, and waits for /healthz. The process
 * is killed by `stop()`, after `maxLifetimeMs` in any case, and when this process exits.
 */
export async function startDevServer({
  readyTimeoutMs = 60_000,
  maxLifetimeMs = 5 * 60_000,
  vars = {},
  port: chosen,
}: {
  readyTimeoutMs?: number;
  maxLifetimeMs?: number;
  /** Extra `--var`s, e.g. SWITCHYARD_CONFIG. */
  vars?: Record<string, string>;
  /** The port to listen on (on 127.0.0.1); a free one by default. */
  port?: number;
} = {}): Promise<DevServer> {
  const port = chosen ?? (await freePort());
  const inspector = await freePort();
  const state = mkdtempSync(join(tmpdir(), "switchyard-e2e-"));
  const child: ChildProcess = spawn(
    "wrangler",
    ["dev", "-c", "wrangler.toml", "-c", "examples/specialists/wrangler.toml", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspector), "--var", "DEV_MODE:true", ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]), "--persist-to", state, "--show-interactive-dev-session=false"],
    { env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const killer = setTimeout(() => stop(), maxLifetimeMs);
  killer.unref();
  // wrangler runs in its own process group (so stop() can end workerd with it), which a
  // terminal's Ctrl-C does not reach: if this process exits first (a signal handler's
  // process.exit, an uncaught error), the group is ended on the way out
  const onExit = () => {
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {}
    try {
      rmSync(state, { recursive: true, force: true, maxRetries: 2 });
    } catch {} // workerd still writing: left in the OS temp folder
  };
  process.once("exit", onExit);
  let stopped = false;
  async function stop() {
    if (stopped) return;
    stopped = true;
    clearTimeout(killer);
    process.removeListener("exit", onExit);
    const exited = new Promise<void>((r) => (child.exitCode !== null ? r() : child.once("exit", () => r())));
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {}
    const hard = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {}
    }, 5000);
    await exited;
    clearTimeout(hard);
    rmSync(state, { recursive: true, force: true });
  }
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return { url, output: () => out, stop };
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(`wrangler dev did not become ready:\n${out}`);
}
