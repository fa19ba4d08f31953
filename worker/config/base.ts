import bundledConfig from "../../switchyard.config.json";
import type { Env } from "../env.ts";
import { loadConfig, parseConfig } from "./load.ts";
import type { Config } from "./schema.ts";

/** The bundled config is validated when the module loads: a bad file stops `wrangler dev`/`deploy`. */
export const BUNDLED_CONFIG: Config = loadConfig(bundledConfig);

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
