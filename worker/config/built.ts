/**
 * The bundled config as the build validated it: `scripts/lib/config-module.ts` parses
 * `switchyard.config.json` (defaults applied) at build time and writes it to
 * `worker/generated/bundled-config.ts` with the file's JSON text, so an isolate does
 * not run the config schema when it starts. Pure; no zod here.
 */
import type { Config } from "./schema.ts";

/** The generated module's shape: the validated config and `JSON.stringify` of the raw file it was parsed from. */
export interface BuiltConfig {
  raw: string;
  config: Config;
}

/**
 * The built config when it was generated from exactly `raw` (same JSON, whatever the
 * file's formatting); undefined when it is stale or missing, and `raw` must be parsed.
 * One `JSON.stringify` of the file and a string comparison: far cheaper than the schema.
 */
export function builtConfigFor(raw: unknown, built: BuiltConfig | null): Config | undefined {
  return built !== null && built.raw === JSON.stringify(raw) ? built.config : undefined;
}
