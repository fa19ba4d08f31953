import { defineConfig } from "vitest/config";

/**
 * Three projects: `unit` (pure modules in plain Node), `workers` (routes and
 * Durable Objects inside workerd), `e2e` (real HTTP against `wrangler dev`).
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          environment: "node",
        },
      },
    ],
  },
});
