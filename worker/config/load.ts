import { Config, type ConfigInput } from "./schema.ts";

/** One problem found in a config: where (`path`, dotted) and what. */
export interface ConfigIssue {
  path: string;
  message: string;
}

/** Result of {@link parseConfig}: a validated config, or every issue with its path. */
export type ParsedConfig = { ok: true; config: Config } | { ok: false; issues: ConfigIssue[] };

/** Thrown when a config does not validate; its message names every bad field's path. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly issues: ConfigIssue[];
  constructor(issues: ConfigIssue[]) {
    super(`invalid Switchyard config:\n${issues.map((i) => `  - ${i.path || "(root)"}: ${i.message}`).join("\n")}`);
    this.issues = issues;
  }
}

/**
 * Validates a raw config (already JSON-parsed or a JSON string) against {@link Config}.
 *
 * @example
 * const r = parseConfig(raw);
 * if (!r.ok) console.error(r.issues); // [{ path: "specialists.0.endpoint.url", message: "Invalid URL" }]
 */
export function parseConfig(raw: unknown): ParsedConfig {
  let value = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch (e) {
      return { ok: false, issues: [{ path: "", message: `not JSON: ${(e as Error).message}` }] };
    }
  }
  const result = Config.safeParse(value);
  if (result.success) return { ok: true, config: result.data };
  return {
    ok: false,
    issues: result.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })),
  };
}

/**
 * Like {@link parseConfig} but throws a {@link ConfigError}; used at start so a bad
 * config stops the router instead of serving with half a registry.
 */
export function loadConfig(raw: unknown): Config {
  const r = parseConfig(raw);
  if (!r.ok) throw new ConfigError(r.issues);
  return r.config;
}

export type { Config, ConfigInput };
