import bundledConfig from "../../switchyard.config.json";
import { BUILT_CONFIG } from "../generated/bundled-config.ts";
import type { Env } from "../env.ts";
import { builtConfigFor } from "./built.ts";
import { loadConfig, parseConfig } from "./load.ts";
import type { Config } from "./schema.ts";

/**
 * The bundled config, validated by the build (`npm run build:model`, wrangler's
 * `[build]` step: a bad file stops `wrangler dev`/`deploy` there), so starting an
 * isolate does not run the config schema. A generated module that does not match the
 * bundled file (a build step skipped) is not trusted: the file is parsed here, and a
 * bad one stops the Worker's start as it always did.
 */
export const BUNDLED_CONFIG: Config = builtConfigFor(bundledConfig, BUILT_CONFIG) ?? loadConfig(bundledConfig);

let base: { raw: string; parsed: ReturnType<typeof parseConfig> } | undefined;

/**
 * The config before runtime registrations: the bundled file, or `SWITCHYARD_CONFIG`
 * (parsed once per value). Its `router` settings hold whatever is registered, so
 * middleware that needs only them (body limits, the control plane's deadline) and the
 * admin API never depend on the registrations being valid.
 */
export function baseConfig(env: Pick<Env, "SWITCHYARD_CONFIG">): ReturnType<typeof parseConfig> {
  const raw = env.SWITCHYARD_CONFIG;
  if (raw === undefined) return { ok: true, config: BUNDLED_CONFIG };
  if (base?.raw !== raw) base = { raw, parsed: parseConfig(raw) };
  return base.parsed;
}
