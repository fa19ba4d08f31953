import { build } from "esbuild";
import { mkdirSync } from "node:fs";
import type { TestProject } from "vitest/node";
import { startFaultUpstream } from "../../examples/fault-upstream/server.ts";
import { startFakeOpenAI } from "../../examples/fake-openai/server.ts";
import { startFakeAnthropic } from "../../examples/fake-anthropic/server.ts";
import { startFakeGemini } from "../../examples/fake-gemini/server.ts";
import { startA2aUpstream } from "../support/a2a-upstream.ts";
import { startOtlpReceiver } from "../support/otlp-receiver.ts";
import { startWebhookReceiver } from "../support/webhook-receiver.ts";

declare module "vitest" {
  export interface ProvidedContext {
    faultsUrl: string;
    /** The fake OpenAI-compatible API (examples/fake-openai), key `sk-fake`. */
    openaiUrl: string;
    /** The fake Anthropic Messages API (examples/fake-anthropic), key `sk-ant-fake`. */
    anthropicUrl: string;
    /** The fake Gemini API (examples/fake-gemini), key `fake-gemini-key`. */
    geminiUrl: string;
    specialistsScript: string;
    /** The stand-in Workers AI binding, bundled (examples/fake-workers-ai). */
    fakeWorkersAiScript: string;
    /** Fake remote A2A agents built with @a2a-js/sdk (test/support/a2a-upstream.ts). */
    a2aUrl: string;
    /** A stand-in OTLP/HTTP collector (test/support/otlp-receiver.ts). */
    otlpUrl: string;
    /** A webhook receiver that records deliveries and fails on request (test/support/webhook-receiver.ts). */
    hooksUrl: string;
  }
}

/**
 * Starts the fault-injection upstream, the fake provider APIs (OpenAI, Anthropic,
 * Gemini) and a webhook receiver on 127.0.0.1, and bundles the example
 * specialists Worker so the workers project can run it next to the router.
 */
export default async function setup(project: TestProject) {
  // they live as long as the run (the teardown closes them): a whole run on a loaded machine outlasts their default lifetime of 10 minutes
  const maxLifetimeMs = 3 * 60 * 60_000;
  const faults = await startFaultUpstream();
  const openai = await startFakeOpenAI({ apiKey: "sk-fake", maxLifetimeMs });
  const anthropic = await startFakeAnthropic({ apiKey: "sk-ant-fake", maxLifetimeMs });
  const gemini = await startFakeGemini({ apiKey: "fake-gemini-key", maxLifetimeMs });
  const a2a = await startA2aUpstream({ maxLifetimeMs });
  const otlp = await startOtlpReceiver();
  const hooks = await startWebhookReceiver({ maxLifetimeMs });
  mkdirSync(".wrangler/test", { recursive: true });
  const outfile = ".wrangler/test/specialists.mjs";
  await build({
    entryPoints: ["examples/specialists/src/worker.ts"], // the deployed entry: the app and the ExampleWorkersAi entrypoint (EXAMPLE_AI)
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2023",
    mainFields: ["module", "main"],
    conditions: ["workerd", "worker", "import"],
    external: ["cloudflare:workers"],
    outfile,
    logLevel: "warning",
  });
  const fakeAi = ".wrangler/test/fake-workers-ai.mjs";
  await build({ entryPoints: ["examples/fake-workers-ai/worker.ts"], bundle: true, format: "esm", platform: "neutral", target: "es2023", external: ["cloudflare:workers"], outfile: fakeAi, logLevel: "warning" });
  project.provide("fakeWorkersAiScript", fakeAi);
  project.provide("faultsUrl", faults.url);
  project.provide("openaiUrl", openai.url);
  project.provide("anthropicUrl", anthropic.url);
  project.provide("geminiUrl", gemini.url);
  project.provide("specialistsScript", outfile);
  project.provide("a2aUrl", a2a.url);
  project.provide("otlpUrl", otlp.url);
  project.provide("hooksUrl", hooks.url);
  return async () => {
    await faults.close();
    await openai.close();
    await anthropic.close();
    await gemini.close();
    await a2a.close();
    await otlp.close();
    await hooks.close();
  };
}
