/**
 * `npm run test:count`: how many tests test the router and how many test the example
 * specialists (the files under test/unit/examples/), per vitest project. Collects the
 * tests with `vitest list` by loading every test file (no test runs), so loops and
 * `it.each` tables count as the tests they make (vitest's default static parse counts
 * each of them once); loading the workers project starts workerd, so this takes a
 * few minutes.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

const PROJECTS = ["unit", "workers", "e2e"] as const;
const EXAMPLES = "test/unit/examples/";

const dir = mkdtempSync(join(tmpdir(), "switchyard-count-"));
const out = join(dir, "tests.json");
try {
  execFileSync(join("node_modules", ".bin", "vitest"), ["list", "--staticParse=false", `--json=${out}`, ...PROJECTS.flatMap((p) => ["--project", p])], { stdio: ["ignore", "ignore", "inherit"] });
  const tests = JSON.parse(readFileSync(out, "utf8")) as { file: string; projectName: string }[];
  const count = (examples: boolean) => {
    const of = tests.filter((t) => relative(process.cwd(), t.file).startsWith(EXAMPLES) === examples);
    const by = PROJECTS.map((p) => [p, of.filter((t) => t.projectName === p).length] as const).filter(([, n]) => n > 0);
    return `${of.length} (${by.map(([p, n]) => `${p} ${n}`).join(", ")})`;
  };
  console.log(`router tests: ${count(false)}`);
  console.log(`example-specialist tests: ${count(true)}`);
  console.log(`total: ${tests.length}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
