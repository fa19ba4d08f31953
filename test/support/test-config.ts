import bundled from "../../switchyard.config.json" with { type: "json" };
import type { ConfigInput } from "../../worker/config/schema.ts";

/** Fault-injection modes served by examples/fault-upstream, one specialist each. */
export const FAULT_MODES = ["ok", "error", "rate-limit", "hang", "slow-drip", "garbage", "wrong-shape", "flaky"] as const;

/**
 * The bundled config plus one `http` specialist per fault mode (`fault-<mode>`,
 * timeout 300 ms, pinned only: they declare no intents). Used as SWITCHYARD_CONFIG
 * by the workers tests.
 */
export function testConfig(faultsUrl: string, patch: (c: ConfigInput) => void = () => {}): ConfigInput {
  const config = structuredClone(bundled) as ConfigInput;
  for (const mode of FAULT_MODES)
    config.specialists.push({
      id: `fault-${mode}`,
      description: `fault-injection upstream: ${mode}`,
      endpoint: { type: "http", url: `${faultsUrl}/${mode}` },
      timeoutMs: 300,
    });
  patch(config);
  return config;
}
