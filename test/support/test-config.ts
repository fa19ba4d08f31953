import bundled from "../../switchyard.config.json" with { type: "json" };
import type { ConfigInput } from "../../worker/config/schema.ts";

/** Fault-injection modes served by examples/fault-upstream, one specialist each. */
export const FAULT_MODES = ["ok", "error", "rate-limit", "hang", "slow-drip", "garbage", "wrong-shape", "flaky", "side-effect", "verify-pass", "verify-fail", "plan", "plan-invalid"] as const;

/**
 * The bundled config plus one `http` specialist per fault mode (`fault-<mode>`,
 * timeout 300 ms, pinned only: they declare no intents; `fault-ok` falls back to
 * `fault-side-effect`) and a slow `fault-slow-effect`. Used as SWITCHYARD_CONFIG
 * by the workers tests.
 */
export function testConfig(faultsUrl: string, patch: (c: ConfigInput) => void = () => {}): ConfigInput {
  const config = structuredClone(bundled) as ConfigInput;
  for (const mode of FAULT_MODES)
    config.specialists.push({
      id: `fault-${mode}`,
      description: `fault-injection upstream: ${mode}`,
      endpoint: { type: "http", url: `${faultsUrl}/${mode}${mode === "plan" ? "?specialist=fault-ok" : ""}` },
      timeoutMs: 300,
      ...(mode === "ok" ? { fallbacks: ["fault-side-effect"] } : {}),
    });
  // A slow specialist with a side effect: for cancel and crash-mid-step tests.
  config.specialists.push({ id: "fault-slow-effect", endpoint: { type: "http", url: `${faultsUrl}/side-effect?ms=1500` }, timeoutMs: 10_000 });
  patch(config);
  return config;
}
