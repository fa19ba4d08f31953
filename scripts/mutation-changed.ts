/**
 * `npm run test:mutation:changed`: mutation-tests only the in-scope modules (see
 * test/mutation/scope.ts) that a change touches, then prints their per-area scores
 * and names each area under its target: a warning, or a failure with
 * `MUTATION_STRICT=1` (not CI's default yet: some files still score under their area's
 * target, docs/development.md). CI runs it after `npm test`.
 *
 * The change is the diff from a base to the working tree: `$MUTATION_BASE` if set,
 * else `git merge-base HEAD origin/main` when that is not HEAD itself, else `HEAD~1`
 * (CI's fresh clone of main: its last commit); with none of these, every module. A
 * module counts as touched when its source or its mirrored unit test
 * (test/unit/<path>.test.ts for worker/<path>.ts) changed. Uses its own incremental
 * file, so the full run's (`npm run test:mutation`) stays whole. At most
 * `$MUTATION_MAX_MODULES` (default 8) modules, in scope order, so CI stays within its
 * time budget; the rest are named, for `npm run test:mutation` to cover.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { MUTATE } from "../test/mutation/scope.ts";
import { areaScores, belowTarget, scoreTable } from "./lib/mutation-report.ts";

function git(...args: string[]): string | undefined {
  try {
    return execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return undefined; // no such ref, or not a repository
  }
}

function base(): string | undefined {
  if (process.env.MUTATION_BASE) return process.env.MUTATION_BASE;
  const head = git("rev-parse", "HEAD");
  const forked = git("merge-base", "HEAD", "origin/main");
  if (forked && forked !== head) return forked;
  return git("rev-parse", "--verify", "--quiet", "HEAD~1");
}

/** The mutated source a changed path stands for: itself, or the module its unit test mirrors. */
function moduleOf(path: string): string | undefined {
  const m = /^test\/unit\/(.+)\.test\.ts$/.exec(path);
  const source = m ? `worker/${m[1]}.ts` : path;
  return MUTATE.includes(source) ? source : undefined;
}

const from = base();
const changed = from === undefined ? undefined : git("diff", "--name-only", from);
const touched = changed === undefined ? MUTATE : MUTATE.filter((m) => changed.split("\n").some((p) => moduleOf(p) === m));
const max = Number(process.env.MUTATION_MAX_MODULES ?? 8);
const files = touched.slice(0, max);
if (touched.length > files.length) console.log(`mutation testing: ${touched.length} modules changed; CI's budget covers ${max}, left for npm run test:mutation: ${touched.slice(max).join(" ")}`);
if (files.length === 0) {
  console.log(`mutation testing: no in-scope module changed since ${from}`);
  process.exit(0);
}
console.log(`mutation testing ${files.length} module(s) changed since ${from ?? "(no base: all)"}: ${files.join(" ")}`);
const run = spawnSync("stryker", ["run", "--mutate", files.join(","), "--incrementalFile", "reports/mutation/changed-incremental.json", "--reporters", "clear-text,progress,json,html"], {
  stdio: "inherit",
});
if (run.status !== 0) process.exit(run.status ?? 1);
const rows = areaScores(undefined, files);
console.log(scoreTable(rows));
const low = belowTarget(rows);
for (const r of low) console.error(`${r.area}: mutation score ${r.score.toFixed(1)} % of the changed modules is under the area's target of ${r.target} %`);
process.exit(low.length > 0 && process.env.MUTATION_STRICT === "1" ? 1 : 0);
