/**
 * Bundles the router exactly as `wrangler deploy` would (`--dry-run --outdir`) and
 * builds the benchmark's `SWITCHYARD_CONFIG`: the bundled config with every
 * specialist pointed at one fake HTTP upstream, plus a `bench` specialist.
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
  return { dir, modules, compatibilityDate: toml.compatibilityDate, compatibilityFlags: toml.compatibilityFlags, log, buildMs, cleanup };
}

/** The bundled switchyard.config.json, raw (for the micro-benchmark's intent sources). */
export function readBundledConfig(root: string): { router?: unknown; specialists: { id: string; endpoint: unknown; intents?: { label: string; examples: string[] }[] }[] } {
  return JSON.parse(readFileSync(join(root, "switchyard.config.json"), "utf8"));
}

export const BENCH_SPECIALIST = "bench";

/**
 * `SWITCHYARD_CONFIG` for the run: every endpoint → `<upstream>/ok`, plus a `bench`
 * specialist (no intents) for the pinned scenario.
 */
export function benchConfig(root: string, upstreamUrl: string): string {
  const cfg = readBundledConfig(root);
  const endpoint = { type: "http", url: `${upstreamUrl}/ok` };
  if (cfg.specialists.some((s) => s.id === BENCH_SPECIALIST)) throw new Error(`the bundled config already has a '${BENCH_SPECIALIST}' specialist`);
  const specialists = [
    ...cfg.specialists.map((s) => ({ ...s, endpoint })),
    { id: BENCH_SPECIALIST, description: "benchmark target (pinned scenario)", endpoint, intents: [] },
  ];
  return JSON.stringify({ ...cfg, specialists });
}
