// @ts-check
import { fileURLToPath } from "node:url";
import "./test/mutation/typescript-api.mjs";
import { MUTATE } from "./test/mutation/scope.ts";

const typescriptApi = fileURLToPath(new URL("./test/mutation/typescript-api.mjs", import.meta.url));

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  vitest: { configFile: "test/mutation/vitest.config.ts", related: true },
  // The TypeScript checker is opt-in (`npm run test:mutation -- --checkers typescript`):
  // it costs ~8 s a mutant against ~1 s for the tests (docs/development.md). It runs
  // TypeScript 7's own checker through test/mutation/typescript-api.mjs.
  checkers: [],
  checkerNodeArgs: ["--import", typescriptApi],
  typescriptChecker: { experimentalNativePreview: true },
  tsconfigFile: "tsconfig.json",
  // the pure modules, by area: test/mutation/scope.ts
  mutate: MUTATE,
  coverageAnalysis: "perTest",
  // Static mutants (module-level code: zod schemas, pattern tables) run every related
  // test each; in policy alone 275 of 458 mutants, ~99 % of the test time. Counted as
  // ignored unless MUTATION_STATIC=1 (docs/development.md, "Mutation testing").
  ignoreStatic: process.env.MUTATION_STATIC !== "1",
  concurrency: 2,
  reporters: ["clear-text", "progress", "html", "json"],
  incremental: true,
  incrementalFile: "reports/mutation/stryker-incremental.json",
  tempDirName: ".stryker-tmp",
  thresholds: { high: 90, low: 80, break: null },
};
