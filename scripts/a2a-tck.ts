/**
 * Runs the official A2A compatibility kit (the vendored, unmodified a2aproject/a2a-tck
 * at ../shared/a2a-tck, or A2A_TCK_DIR) against the router as `npm run dev` serves it:
 * `wrangler dev` with both Workers and the dev keys, on 127.0.0.1, reached by the kit as
 * http://localhost:<port> (the kit's card security test refuses 127.0.0.1 in a card but
 * allows localhost), with the bundled config and `router.publicUrl` set to that URL.
 *
 *   npm run test:a2a-tck                      # every category
 *   npm run test:a2a-tck -- mandatory quality # some of them
 *
 * `A2A_TCK_VERBOSE=1` prints pytest's own output (every result and skip reason).
 *
 * Categories: mandatory (tests/mandatory, markers mandatory or mandatory_protocol) and
 * the optional capabilities, quality and features. Prints passed / failed / skipped per
 * category. Exits 1 when a test fails that is not listed in test/a2a-tck/disagreements.ts
 * (`DISAGREEMENTS`: tests that are wrong about the spec, each with the section that shows
 * it; `RACY`: tests whose outcome depends on timing inside the kit), or when a test listed
 * as a disagreement passes (the list must stay true). Needs Debian's python3 with the kit's
 * packages: scripts/ensure-a2a-tck.sh installs them.
 */
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import bundled from "../switchyard.config.json" with { type: "json" };
import { freePort, startDevServer } from "../test/support/dev-server.ts";
import { DISAGREEMENTS, RACY } from "../test/a2a-tck/disagreements.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const CATEGORIES: Record<string, string[]> = {
  mandatory: ["tests/mandatory/", "-m", "mandatory or mandatory_protocol"],
  capabilities: ["tests/optional/capabilities/"],
  quality: ["tests/optional/quality/"],
  features: ["tests/optional/features/"],
};
/** Longest one category may run before it is stopped (and counted as failed). */
const CATEGORY_TIMEOUT_MS = 10 * 60_000;

type Outcome = "passed" | "failed" | "error" | "skipped" | "xfailed" | "xpassed";
interface Result {
  category: string;
  outcomes: Map<string, Outcome>;
  skipped: number;
  summary: string;
  exitCode: number | null;
}

/**
 * Where the kit is: `A2A_TCK_DIR`, else `shared/a2a-tck` beside the checkout or beside
 * one of its parents (a clone anywhere under the workplace finds the workplace's
 * `shared/`), else `/work/shared/a2a-tck`, where this workplace keeps it.
 */
function kitDir(): string {
  const has = (d: string) => existsSync(join(d, "tests", "mandatory"));
  if (process.env.A2A_TCK_DIR) {
    const dir = resolve(root, process.env.A2A_TCK_DIR);
    if (has(dir)) return dir;
    console.error(`a2a-tck: A2A_TCK_DIR=${dir} holds no kit (no tests/mandatory)`);
    process.exit(2);
  }
  const tried: string[] = [];
  for (let d = root; ; d = dirname(d)) {
    const dir = join(dirname(d), "shared", "a2a-tck");
    tried.push(dir);
    if (has(dir)) return dir;
    if (dirname(d) === d) break;
  }
  if (has("/work/shared/a2a-tck")) return "/work/shared/a2a-tck";
  console.error(`a2a-tck: the kit is not in ${[...tried, "/work/shared/a2a-tck"].join(", ")} (set A2A_TCK_DIR to the a2a-tck folder)`);
  process.exit(2);
}

/** A writable copy of the kit (shared/ has no write bits; pytest and the kit write caches and reports). */
function copyKit(dir: string): string {
  const tmp = mkdtempSync(join(tmpdir(), "a2a-tck-"));
  cpSync(dir, tmp, { recursive: true });
  const walk = (p: string) => {
    const st = statSync(p);
    chmodSync(p, st.mode | 0o200);
    if (st.isDirectory()) for (const e of readdirSync(p)) walk(join(p, e));
  };
  walk(tmp);
  return tmp;
}

/** Reads pytest's `-rA` short summary: one line per test with its outcome and node id. */
function parseSummary(out: string): { outcomes: Map<string, Outcome>; skipped: number; summary: string } {
  const outcomes = new Map<string, Outcome>();
  let skipped = 0;
  for (const line of out.split("\n")) {
    const m = /^(PASSED|FAILED|ERROR|XFAIL|XPASS) (\S+::\S+)/.exec(line);
    if (m) outcomes.set(m[2]!, ({ PASSED: "passed", FAILED: "failed", ERROR: "error", XFAIL: "xfailed", XPASS: "xpassed" } as const)[m[1] as "PASSED"]);
    const s = /^SKIPPED \[(\d+)\]/.exec(line);
    if (s) skipped += Number(s[1]);
  }
  const summary = out.trim().split("\n").reverse().find((l) => /\b(passed|failed|errors?|skipped|deselected|no tests ran)\b.* in [\d.]+s/.test(l)) ?? "(no summary)";
  return { outcomes, skipped, summary: summary.replace(/=/g, "").trim() };
}

function runCategory(kit: string, url: string, category: string): Promise<Result> {
  const args = ["-m", "pytest", ...CATEGORIES[category]!, `--sut-url=${url}`, "--test-scope=all", "-p", "no:cacheprovider", "-rA", "-q", "--no-header", "--color=no"];
  // the kit's own markers go after pytest's -m; CATEGORIES puts them in place
  const env = { ...process.env, SUT_URL: url, A2A_AUTH_TYPE: "bearer", A2A_AUTH_TOKEN: "dev-key", TCK_STREAMING_TIMEOUT: "5", PYTHONDONTWRITEBYTECODE: "1" };
  return new Promise((done) => {
    const child = spawn("/usr/bin/python3", args, { cwd: kit, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), CATEGORY_TIMEOUT_MS);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (process.env.A2A_TCK_VERBOSE) console.log(out);
      done({ category, ...parseSummary(out), exitCode: code });
    });
  });
}

async function main() {
  const asked = process.argv.slice(2).filter((a) => !a.startsWith("-"));
  const categories = asked.length ? asked : Object.keys(CATEGORIES);
  for (const c of categories) if (!CATEGORIES[c]) throw new Error(`unknown category '${c}' (${Object.keys(CATEGORIES).join(", ")})`);
  const ensure = spawnSync("bash", [join(root, "scripts", "ensure-a2a-tck.sh")], { stdio: "inherit" });
  if (ensure.status !== 0) process.exit(2);
  const kit = copyKit(kitDir());
  const port = await freePort();
  const url = `http://localhost:${port}`;
  const config = { ...bundled, router: { ...bundled.router, publicUrl: url } };
  const server = await startDevServer({ port, vars: { SWITCHYARD_CONFIG: JSON.stringify(config) }, maxLifetimeMs: CATEGORY_TIMEOUT_MS * categories.length + 60_000 });
  const results: Result[] = [];
  try {
    for (const c of categories) results.push(await runCategory(kit, url, c));
  } finally {
    await server.stop();
    rmSync(kit, { recursive: true, force: true });
  }
  let bad = 0;
  console.log("\nA2A compatibility kit (a2aproject/a2a-tck, vendored) against the router:");
  for (const r of results) {
    const n = (o: Outcome) => [...r.outcomes.values()].filter((v) => v === o).length;
    console.log(`  ${r.category.padEnd(13)} ${n("passed")} passed, ${n("failed") + n("error")} failed, ${r.skipped} skipped  (pytest: ${r.summary})`);
    for (const [id, o] of r.outcomes) {
      if (RACY[id]) {
        if (o !== "passed") console.log(`    · ${o}, racy in the kit (either outcome is accepted): ${id}`);
        continue;
      }
      const listed = DISAGREEMENTS[id];
      if ((o === "failed" || o === "error") && !listed) {
        bad++;
        console.log(`    ✗ ${o}: ${id}`);
      } else if ((o === "failed" || o === "error") && listed) console.log(`    · ${o} as listed (the kit disagrees with the spec): ${id}`);
      else if (o === "passed" && listed) {
        bad++;
        console.log(`    ✗ passes but is listed in test/a2a-tck/disagreements.ts: ${id}`);
      }
    }
    if (r.exitCode !== 0 && r.exitCode !== 1) {
      bad++;
      console.log(`    ✗ pytest ended with code ${r.exitCode} (interrupted, usage error or no tests collected)`);
    }
  }
  console.log(bad ? `\n${bad} unexpected result(s)` : "\nno unexpected results");
  process.exit(bad ? 1 : 0);
}

await main();
