import { build } from "esbuild";
import { mkdirSync } from "node:fs";
import type { TestProject } from "vitest/node";
import { startFaultUpstream } from "../../examples/fault-upstream/server.ts";

declare module "vitest" {
  export interface ProvidedContext {
    faultsUrl: string;
    specialistsScript: string;
  }
}

/**
 * Starts the fault-injection upstream on 127.0.0.1 and bundles the example
 * specialists Worker so the workers project can run it next to the router.
 */
export default async function setup(project: TestProject) {
  const faults = await startFaultUpstream();
  mkdirSync(".wrangler/test", { recursive: true });
  const outfile = ".wrangler/test/specialists.mjs";
  await build({
    entryPoints: ["examples/specialists/src/index.ts"],
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2023",
    mainFields: ["module", "main"],
    conditions: ["workerd", "worker", "import"],
    outfile,
    logLevel: "warning",
  });
  project.provide("faultsUrl", faults.url);
  project.provide("specialistsScript", outfile);
  return () => faults.close();
}
