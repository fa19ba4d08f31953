/**
 * Bundles the router exactly as `wrangler deploy` would (`--dry-run --outdir`) and
 * builds the benchmark's `SWITCHYARD_CONFIG`: the bundled config with every
 * specialist pointed at one fake HTTP upstream, plus the bench specialists.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface RouterModule {
  type: "ESModule" | "CommonJS" | "Text" | "Data" | "CompiledWasm";
  path: string;
}

export interface RouterBundle {
  /** Output directory of the dry run (deleted by `cleanup`). */
  dir: string;
  /** Main module first. */
  modules: RouterModule[];
  compatibilityDate: string;
  compatibilityFlags: string[];
  /** wrangler.toml's `[[durable_objects.bindings]]`: [binding, class name], every class the router exports. */
  durableObjects: [string, string][];
  /** What wrangler printed (binding summary, size). */
  log: string;
  buildMs: number;
  cleanup(): void;
}

function tomlValue(toml: string, key: string): string | undefined {
  const top = toml.split(/^\s*\[/m)[0] ?? ""; // top-level keys only (before the first table)
  return new RegExp(`^\\s*${key}\\s*=\\s*(.+?)\\s*(#.*)?$`, "m").exec(top)?.[1];
}

/** compatibility_date / compatibility_flags / main of a wrangler.toml (top-level keys). */
export function readWranglerToml(file: string): { main: string; compatibilityDate: string; compatibilityFlags: string[] } {
  const toml = readFileSync(file, "utf8");
  const str = (v: string | undefined) => (v === undefined ? undefined : JSON.parse(v.replace(/^'(.*)'$/, '"$1"')) as string);
  const main = str(tomlValue(toml, "main"));
  const date = str(tomlValue(toml, "compatibility_date"));
  const flags = tomlValue(toml, "compatibility_flags");
  if (!main || !date) throw new Error(`${file}: cannot read main / compatibility_date`);
  return { main, compatibilityDate: date, compatibilityFlags: flags ? (JSON.parse(flags.replace(/'/g, '"')) as string[]) : [] };
}

/** `[[durable_objects.bindings]]` of a wrangler.toml (name + class_name, this script's classes only). */
export function readDurableObjects(file: string): [string, string][] {
  const blocks = readFileSync(file, "utf8").split(/^\s*\[/m).filter((b) => b.startsWith("[durable_objects.bindings]]"));
  const val = (b: string, k: string) => new RegExp(`^\\s*${k}\\s*=\\s*["']([^"']+)["']`, "m").exec(b)?.[1];
  return blocks.flatMap((b) => (val(b, "script_name") ? [] : [[val(b, "name"), val(b, "class_name")] as const])).filter((x): x is [string, string] => !!x[0] && !!x[1]);
}

const RULES: [RegExp, RouterModule["type"]][] = [
  [/\.(m?js)$/, "ESModule"],
  [/\.cjs$/, "CommonJS"],
  [/\.wasm$/, "CompiledWasm"],
  [/\.(txt|html|sql)$/, "Text"],
  [/\.bin$/, "Data"],
];

/** Runs `wrangler deploy --dry-run --outdir <tmp>` in `root` and lists the modules it wrote. */
export async function bundleRouter(root: string, timeoutMs = 120_000): Promise<RouterBundle> {
  const toml = readWranglerToml(join(root, "wrangler.toml"));
  const dir = mkdtempSync(join(tmpdir(), "switchyard-bench-"));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  const started = performance.now();
  const wrangler = join(root, "node_modules", ".bin", "wrangler");
  const log = await new Promise<string>((resolve, reject) => {
    execFile(
      wrangler,
      ["deploy", "--dry-run", "--outdir", dir, "-c", "wrangler.toml"],
      {
        cwd: root,
        timeout: timeoutMs,
        maxBuffer: 16 * 1024 * 1024,
        env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", FORCE_COLOR: "0", CI: "1" },
      },
      (err, stdout, stderr) => {
        const out = `${stdout}${stderr}`;
        if (err) {
          cleanup();
          reject(new Error(`wrangler deploy --dry-run failed (${err.message.split("\n")[0]}):\n${out.trim().split("\n").slice(-30).join("\n")}`));
        } else resolve(out);
      },
    );
  });
  const buildMs = performance.now() - started;
  // wrangler names the entry after `main` (worker/index.ts → index.js).
  const mainName = toml.main.replace(/^.*\//, "").replace(/\.[cm]?[jt]sx?$/, ".js");
  const files = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => !f.endsWith(".map") && !f.endsWith("README.md"));
  const modules: RouterModule[] = [];
  for (const f of files) {
    const rule = RULES.find(([re]) => re.test(f));
    if (rule) modules.push({ type: rule[1], path: join(dir, f) });
  }
  const mainIndex = modules.findIndex((m) => m.path === join(dir, mainName));
  if (mainIndex < 0) {
    cleanup();
    throw new Error(`wrangler wrote no ${mainName} in ${dir} (found: ${files.join(", ") || "nothing"})`);
  }
  modules.unshift(...modules.splice(mainIndex, 1));
  const durableObjects = readDurableObjects(join(root, "wrangler.toml"));
  return { dir, modules, compatibilityDate: toml.compatibilityDate, compatibilityFlags: toml.compatibilityFlags, durableObjects, log, buildMs, cleanup };
}

/** The bundled switchyard.config.json, raw (for the micro-benchmark's intent sources). */
export function readBundledConfig(root: string): { router?: unknown; specialists: { id: string; endpoint: unknown; intents?: { label: string; examples: string[] }[] }[] } {
  return JSON.parse(readFileSync(join(root, "switchyard.config.json"), "utf8"));
}

export const BENCH_SPECIALIST = "bench";
/** The pool section's limits: the most generous the schema accepts (rpm ≤ 1,000,000, concurrency ≤ 100,000). */
export const BENCH_LIMITS = { rpm: 1_000_000, concurrency: 100_000 };
/** Pool admission in the hot path from batched grants: an rpm limit only (the largest the schema accepts), default breaker. */
export const BENCH_LIMITED = "bench-limited";
export const BENCH_LIMITED_LIMITS = { rpm: BENCH_LIMITS.rpm };
/** Pool admission call by call: rpm and concurrency (a lease per call: one `admit` on the path, one `finish` after it). */
export const BENCH_LEASED = "bench-leased";
/** One fallback: upstream `/error` (500), no retry, no breaker, falls back to `bench`. */
export const BENCH_FALLBACK = "bench-fallback";

/** The OpenAI front door's specialist: an `openai-chat` endpoint on the fake OpenAI server (examples/fake-openai). */
export const BENCH_CHAT = "bench-chat";
/** The model the router asks the fake for (a normal one: the fake injects failures only for its special model names). */
export const BENCH_CHAT_MODEL = "bench-model";
/** The translated hop's specialist: an `anthropic` endpoint on the fake Anthropic API (examples/fake-anthropic), model `bench-model`. */
export const BENCH_CLAUDE = "bench-claude";
/** The fake MCP server as an `mcp` specialist (bench/mcp.ts). */
export const BENCH_MCP = "bench-mcp";
/** The Worker secret the `bench-claude` endpoint reads its key from (bound by workerd.ts / servers.ts), and its value (the fake's key). */
export const BENCH_ANTHROPIC_SECRET = "BENCH_ANTHROPIC_KEY";
export const BENCH_ANTHROPIC_KEY_VALUE = "sk-ant-bench";

/**
 * `SWITCHYARD_CONFIG` for the run: every endpoint → `<upstream>/ok`, plus `bench`
 * (no intents, pinned scenario), `bench-limited` (the same with an rpm limit),
 * `bench-leased` (rpm and concurrency limits),
 * `bench-fallback` (`/error`, then `bench`) and, with `chatUrl` (the fake OpenAI
 * server), `bench-chat` (`openai-chat`, `<chatUrl>/v1`, no API key: the fake needs none);
 * with `anthropicUrl` (the fake Anthropic API), `bench-claude` (`anthropic`, `<anthropicUrl>/v1`,
 * its key from the secret `BENCH_ANTHROPIC_KEY`, declared in `secrets`).
 */
export function benchConfig(root: string, upstreamUrl: string, chatUrl?: string, anthropicUrl?: string, mcpUrl?: string): string {
  const cfg = readBundledConfig(root);
  const endpoint = { type: "http", url: `${upstreamUrl}/ok` };
  for (const id of [BENCH_SPECIALIST, BENCH_LIMITED, BENCH_LEASED, BENCH_FALLBACK, BENCH_CHAT, BENCH_CLAUDE])
    if (cfg.specialists.some((s) => s.id === id)) throw new Error(`the bundled config already has a '${id}' specialist`);
  const specialists = [
    // every specialist's endpoint is the fault upstream's, MCP servers' too (their tools are not benchmarked; `bench-mcp`'s are)
    ...cfg.specialists.map((s) => ({ ...s, endpoint })),
    ...(mcpUrl ? [{ id: BENCH_MCP, description: "benchmark: the fake MCP server (mcp scenarios)", endpoint: { type: "mcp", url: mcpUrl }, timeoutMs: 10_000, breaker: false }] : []),
    { id: BENCH_SPECIALIST, description: "benchmark target (pinned scenario)", endpoint, intents: [] },
    { id: BENCH_LIMITED, description: "benchmark target with an rpm limit, admitted from batched grants (pinned-limited)", endpoint, intents: [], limits: BENCH_LIMITED_LIMITS },
    { id: BENCH_LEASED, description: "benchmark target with rpm and concurrency limits, admitted call by call (pinned-leased)", endpoint, intents: [], limits: BENCH_LIMITS },
    {
      id: BENCH_FALLBACK,
      description: "benchmark: always fails, then falls back to bench (one-fallback)",
      endpoint: { type: "http", url: `${upstreamUrl}/error` },
      intents: [],
      retries: 0,
      breaker: false,
      fallbacks: [BENCH_SPECIALIST],
    },
    ...(chatUrl
      ? [
          {
            id: BENCH_CHAT,
            description: "benchmark: OpenAI-compatible chat model on the fake OpenAI server (chat-router scenarios)",
            endpoint: { type: "openai-chat", url: `${chatUrl}/v1`, model: BENCH_CHAT_MODEL },
            intents: [],
            timeoutMs: 10_000,
            breaker: false,
          },
        ]
      : []),
    ...(anthropicUrl
      ? [
          {
            id: BENCH_CLAUDE,
            description: "benchmark: an Anthropic model on the fake Anthropic API, OpenAI requests translated (chat-router-anthropic scenarios)",
            endpoint: { type: "anthropic", url: `${anthropicUrl}/v1`, model: BENCH_CHAT_MODEL, apiKeySecret: BENCH_ANTHROPIC_SECRET },
            intents: [],
            timeoutMs: 10_000,
            breaker: false,
          },
        ]
      : []),
  ];
  const secrets = [...(((cfg as { secrets?: string[] }).secrets) ?? []), ...(anthropicUrl ? [BENCH_ANTHROPIC_SECRET] : [])];
  // the fault upstream and the fake OpenAI and Anthropic servers listen on 127.0.0.1
  return JSON.stringify({ ...cfg, router: { ...(cfg.router as object), allowPrivateNetworks: true }, specialists, ...(secrets.length ? { secrets } : {}) });
}
