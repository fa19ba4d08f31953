import { defineConfig } from "vitest/config";

/**
 * The `unit` project alone, for Stryker (`stryker.config.mjs`): the mutated modules are
 * pure and tested in plain Node, and Stryker's vitest runner cannot pick one project out
 * of the root config (whose `workers` project would start workerd for every run).
 * Same include and environment as the `unit` project in `vitest.config.ts`; a longer
 * test timeout, since instrumented code runs the property tests several times slower.
 */
export default defineConfig({
  root: new URL("../..", import.meta.url).pathname,
  test: { name: "unit", include: ["test/unit/**/*.test.ts"], environment: "node", testTimeout: 60_000 },
});
