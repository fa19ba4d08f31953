import bundled from "../../switchyard.config.json" with { type: "json" };
import type { ConfigInput } from "../../worker/config/schema.ts";

/** Fault-injection modes served by examples/fault-upstream, one specialist each. */
export const FAULT_MODES = ["ok", "error", "rate-limit", "hang", "slow-drip", "garbage", "wrong-shape", "flaky", "side-effect", "verify-pass", "verify-fail", "plan", "plan-invalid"] as const;

/** Fault modes that never answer in time: their specialists time out after 300 ms. */
const NEVER_ON_TIME = new Set<string>(["hang", "slow-drip"]);

/**
 * The bundled config plus one `http` specialist per fault mode (`fault-<mode>`,
 * pinned only: they declare no intents; `fault-ok` falls back to
 * `fault-side-effect`) and a slow `fault-slow-effect`. Only the modes that never
 * answer in time (`hang`, `slow-drip`) have a short timeout (300 ms); every other
 * specialist has the default 10 s, so a loaded machine answering slowly does not
 * turn an expected answer into a timeout. Used as SWITCHYARD_CONFIG
 * by the workers tests. With `upstreams.openaiUrl` (examples/fake-openai), an
 * `openai-chat` specialist `chat` (pinned only; key in the `FAKE_OPENAI_KEY` secret).
 * With `upstreams.anthropicUrl` (examples/fake-anthropic), an `anthropic` specialist
 * `claude` and one per failure model of the fake (`claude-<model>`); with
 * `upstreams.geminiUrl` (examples/fake-gemini), a `gemini` specialist `gemini` and
 * `gemini-<model>`: pinned only, keys in `FAKE_ANTHROPIC_KEY` and `FAKE_GEMINI_KEY`,
 * no retries (tests that need them add their own), the hanging ones timing out after
 * 300 ms and the stalling ones after 300 ms of silence.
 * Hop log lines are off (the tests that check them turn them on); with
 * `upstreams.otlpUrl` (the workers project's default config, not `configWith`'s),
 * spans are exported there (test/support/otlp-receiver.ts).
 */
export function testConfig(
  faultsUrl: string,
  patch: (c: ConfigInput) => void = () => {},
  upstreams: { openaiUrl?: string; anthropicUrl?: string; geminiUrl?: string; otlpUrl?: string } = {},
): ConfigInput {
  const config = structuredClone(bundled) as ConfigInput;
  config.router = { ...config.router, allowPrivateNetworks: true }; // the fake upstreams listen on 127.0.0.1
  for (const mode of FAULT_MODES)
    config.specialists.push({
      id: `fault-${mode}`,
      description: `fault-injection upstream: ${mode}`,
      endpoint: { type: "http", url: `${faultsUrl}/${mode}${mode === "plan" ? "?specialist=fault-ok" : ""}` },
      ...(NEVER_ON_TIME.has(mode) ? { timeoutMs: 300 } : {}),
      ...(mode === "ok" ? { fallbacks: ["fault-side-effect"] } : {}),
    });
  // Specialists that policy rules below single out (governance tests).
  for (const id of ["policy-approve", "policy-deny", "policy-capped"])
    config.specialists.push({ id, endpoint: { type: "http", url: `${faultsUrl}/ok` }, costPerCall: 0.5 });
  config.policies = [
    { id: "deny-policy-deny", match: { specialist: "policy-deny" }, effect: "deny", reason: "under review" },
    { id: "approve-policy-approve", match: { specialist: "policy-approve" }, require: "approval" },
    { id: "cap-policy-capped", match: { specialist: "policy-capped" }, limits: { maxHopsPerTask: 2, maxCostPerTaskUsd: 10 } },
    // intent rules for one tenant each (policy-doors tests): however the call is reached, the rule holds
    { id: "no-math", match: { tenant: "no-math", intent: "math.*" }, effect: "deny", reason: "math is off for this tenant" },
    { id: "careful-units", match: { tenant: "careful", intent: "units.*" }, require: "approval" },
    // task limits for every call of one tenant (task-fanout-limits tests)
    { id: "cap-tenant-capped", match: { tenant: "capped" }, limits: { maxHopsPerTask: 2 } },
    { id: "cap-tenant-costly", match: { tenant: "costly" }, limits: { maxCostPerTaskUsd: 1 } },
  ];
  // a call whose cost is bounded only by its ceiling (reserved against per-task cost limits)
  config.specialists.push({ id: "ceiling-call", endpoint: { type: "http", url: `${faultsUrl}/ok` }, limits: { maxCallCostUsd: 0.3 } });
  // Outputs that are hard to store: 3 MB of text, and arrays nested 50,000 deep (task-poison tests).
  config.specialists.push({ id: "fault-big", endpoint: { type: "http", url: `${faultsUrl}/big` }, timeoutMs: 5_000 });
  config.specialists.push({ id: "fault-deep", endpoint: { type: "http", url: `${faultsUrl}/deep` }, timeoutMs: 5_000 });
  // One call at a time, each taking 400 ms: parallel task steps must wait their turn (task-waits tests).
  config.specialists.push({ id: "fault-one-at-a-time", endpoint: { type: "http", url: `${faultsUrl}/side-effect?ms=400` }, limits: { concurrency: 1 }, timeoutMs: 5_000 });
  // A slow specialist with a side effect: for cancel and crash-mid-step tests.
  config.specialists.push({ id: "fault-slow-effect", endpoint: { type: "http", url: `${faultsUrl}/side-effect?ms=1500` }, timeoutMs: 10_000 });
  // A side effect whose reply waits until the test releases its key (POST /release?key=…): a call in flight for as long as a test needs.
  config.specialists.push({ id: "fault-held-effect", endpoint: { type: "http", url: `${faultsUrl}/side-effect?hold=1` }, timeoutMs: 60_000 });
  // Ensembles and hedges (task-coordination tests): fixed answers, a slow one, judges, a hedge pair
  const answer = (id: string, query: string, extra: Record<string, unknown> = {}) => config.specialists.push({ id, endpoint: { type: "http", url: `${faultsUrl}/answer?${query}` }, retries: 0, ...extra });
  answer("ens-a", "text=42&confidence=0.6", { fallbacks: ["ens-b", "ens-c"] });
  answer("ens-b", "text=42.0");
  answer("ens-c", "text=41&confidence=0.9");
  answer("ens-slow", "text=42&ms=1500", { timeoutMs: 10_000 });
  answer("judge-pick", `text=${encodeURIComponent('{"pick":"c3","reason":"the only one that cites its source"}')}`);
  answer("judge-merge", `text=${encodeURIComponent('```json\n{"merge":{"answer":42,"sources":2}}\n```')}`);
  answer("judge-prose", "text=I+think+the+second+one+is+best.");
  answer("hedge-slow", "text=slow&ms=3000", { timeoutMs: 10_000, fallbacks: ["hedge-fast"] });
  answer("hedge-fast", "text=fast&ms=50");
  config.hedging = { maxExtraCalls: 3, windowSeconds: 60 };
  // priced worker and verifier: a task's cost counts every call (tasks tests)
  config.specialists.push({ id: "priced-worker", endpoint: { type: "http", url: `${faultsUrl}/ok` }, costPerCall: 0.5 });
  config.specialists.push({ id: "priced-verifier", endpoint: { type: "http", url: `${faultsUrl}/verify-pass` }, costPerCall: 0.25 });
  config.workflows = [...(config.workflows ?? []), { id: "ensemble-flow", plan: { steps: [{ id: "ask", specialist: "ens-a" }] } }];
  config.coordination = [{ match: { workflow: "ensemble-flow" }, ensemble: { size: 3, combine: "vote", minAgreement: 0.67, onDisagreement: "approval" } }];
  config.policies.push({ id: "no-ens-c", match: { tenant: "no-ens-c", specialist: "ens-c" }, effect: "deny", reason: "ens-c is off for this tenant" });
  config.secrets = [
    ...(config.secrets ?? []),
    ...(upstreams.openaiUrl !== undefined ? ["FAKE_OPENAI_KEY"] : []),
    ...(upstreams.anthropicUrl !== undefined ? ["FAKE_ANTHROPIC_KEY"] : []),
    ...(upstreams.geminiUrl !== undefined ? ["FAKE_GEMINI_KEY"] : []),
  ];
  if (config.secrets.length === 0) delete config.secrets;
  if (upstreams.openaiUrl !== undefined)
    config.specialists.push({
      id: "chat",
      description: "a chat model behind an OpenAI-compatible API (examples/fake-openai)",
      endpoint: {
        type: "openai-chat",
        url: `${upstreams.openaiUrl}/v1`,
        model: "fake-mini",
        apiKeySecret: "FAKE_OPENAI_KEY",
        systemPrompt: "You are a terse test model.",
        pricing: { inputPerMTok: 1, outputPerMTok: 2 },
      },
    });
  // provider APIs behind translating adapters, pinned only: a model that answers, and one specialist per failure model of the fake
  const timing = (model: string) => ({ timeoutMs: model === "hang" ? 300 : 10_000, ...(model === "stream-stall" ? { streamIdleTimeoutMs: 300 } : {}), retries: 0 });
  if (upstreams.anthropicUrl !== undefined) {
    const pricing = { inputPerMTok: 3, outputPerMTok: 15, cachedInputPerMTok: 0.3, cacheWriteInputPerMTok: 3.75 };
    const claude = { type: "anthropic" as const, url: `${upstreams.anthropicUrl}/v1`, apiKeySecret: "FAKE_ANTHROPIC_KEY", maxTokens: 1024, pricing };
    config.specialists.push({
      id: "claude",
      description: "a Claude model behind the Anthropic Messages API (examples/fake-anthropic)",
      endpoint: { ...claude, model: "claude-fake", systemPrompt: "You are a terse test model." },
    });
    for (const model of ["cache-model", "fail-429", "fail-529", "fail-500", "fail-400", "garbage", "hang", "stream-cut", "stream-eof", "stream-error", "stream-stall", "stream-garbage"])
      config.specialists.push({ id: `claude-${model}`, endpoint: { ...claude, model }, ...timing(model) });
  }
  if (upstreams.geminiUrl !== undefined) {
    const gemini = { type: "gemini" as const, url: `${upstreams.geminiUrl}/v1beta`, apiKeySecret: "FAKE_GEMINI_KEY" };
    const pricing = { inputPerMTok: 0.3, outputPerMTok: 2.5, cachedInputPerMTok: 0.03 };
    config.specialists.push({
      id: "gemini",
      description: "a Gemini model behind the Gemini API (examples/fake-gemini)",
      endpoint: { ...gemini, model: "gemini-fake", systemPrompt: "You are a terse test model.", pricing },
    });
    for (const model of ["cache-thinking", "fail-429", "fail-429-body", "fail-503", "fail-500", "fail-400", "garbage", "hang", "blocked", "unsafe", "stream-cut", "stream-eof", "stream-error", "stream-stall", "stream-garbage"])
      config.specialists.push({ id: `gemini-${model}`, endpoint: { ...gemini, model, pricing }, ...timing(model) });
  }
  // Workers AI models through the AI binding (in the workers project, examples/fake-workers-ai): pinned only
  config.specialists.push({
    id: "llama",
    description: "a Workers AI text-generation model (the AI binding)",
    endpoint: { type: "workers-ai", model: "@cf/meta/llama-3.1-8b-instruct", systemPrompt: "You are a terse test model.", pricing: { inputPerMTok: 0.3, outputPerMTok: 0.6 } },
  });
  for (const mode of ["capacity", "no-such-model", "upstream-error", "hang", "garbage", "openai-format", "stream-cut", "stream-error", "stream-garbage", "stream-stall"])
    config.specialists.push({ id: `wai-${mode}`, endpoint: { type: "workers-ai", model: `@cf/test/${mode}` }, timeoutMs: mode === "hang" ? 300 : 10_000, streamIdleTimeoutMs: 1_000, retries: 0 });
  config.observability = { logs: false, metricsFlushMs: 0, sampleRatio: 1, ...(upstreams.otlpUrl !== undefined ? { otlp: { url: upstreams.otlpUrl, headers: { "x-collector-key": "test" } } } : {}) };
  patch(config);
  return config;
}
