import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { buildConfigModule } from "./scripts/lib/config-module.ts";
import { buildModelModule } from "./scripts/lib/intent-model-module.ts";
import { testConfig } from "./test/support/test-config.ts";

// the Worker imports the bundled config validated and its model fitted at build time (worker/generated/, `npm run build:model`): make sure they are there and current
buildConfigModule();
await buildModelModule();

/**
 * Three projects: `unit` (pure modules in plain Node), `workers` (routes inside
 * workerd, next to the example specialists, a fault-injection upstream, fake provider
 * APIs and a stand-in for the Workers AI binding),
 * `e2e` (real HTTP against `wrangler dev`).
 */
export default defineConfig({
  test: {
    projects: [
      {
        // a hang guard too: the property tests are CPU-bound, and on a loaded 2-core machine 5 s (the default) is not enough
        test: { name: "unit", include: ["test/unit/**/*.test.ts"], environment: "node", testTimeout: 30_000 },
      },
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                DEV_MODE: "true",
                FAULTS_URL: inject("faultsUrl"),
                OPENAI_URL: inject("openaiUrl"),
                FAKE_OPENAI_KEY: "sk-fake",
                FAKE_ANTHROPIC_KEY: "sk-ant-fake",
                FAKE_GEMINI_KEY: "fake-gemini-key",
                SWITCHYARD_CONFIG: JSON.stringify(
                  testConfig(inject("faultsUrl"), undefined, { openaiUrl: inject("openaiUrl"), anthropicUrl: inject("anthropicUrl"), geminiUrl: inject("geminiUrl"), otlpUrl: inject("otlpUrl") }),
                ),
              },
              // the Workers AI binding: a Worker with the binding's run() over RPC (examples/fake-workers-ai)
              serviceBindings: { AI: { name: "fake-workers-ai", entrypoint: "FakeWorkersAi" } },
              workers: [
                { name: "switchyard-specialists", modules: true, scriptPath: inject("specialistsScript"), compatibilityDate: "2026-10-01" },
                { name: "fake-workers-ai", modules: true, scriptPath: inject("fakeWorkersAiScript"), compatibilityDate: "2026-10-01" },
              ],
            },
          })),
        ],
        // a hang guard, not a speed claim: on a loaded 2-core machine a test that fits a model and makes a dozen hops takes seconds
        test: { name: "workers", include: ["test/workers/**/*.test.ts"], globalSetup: ["test/workers/global-setup.ts"], testTimeout: 30_000 },
      },
      {
        test: { name: "e2e", include: ["test/e2e/**/*.test.ts"], environment: "node", testTimeout: 60_000, hookTimeout: 90_000 },
      },
    ],
  },
});
