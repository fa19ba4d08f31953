/**
 * The config `npm run dev:providers` serves, also used by the e2e provider matrix:
 * the bundled config plus one pinned-only chat specialist per provider type, each on a
 * local fake of its API (examples/fake-openai, fake-anthropic, fake-gemini) or, for
 * `workers-ai`, the stand-in binding `EXAMPLE_AI` that the example specialists serve,
 * and a `<id>-429` twin of each that is always rate limited. Pinned only: they have no
 * intents, so `auto` routes exactly as with the bundled config.
 */
import bundled from "../../switchyard.config.json" with { type: "json" };
import type { ConfigInput } from "../../worker/config/schema.ts";

/** Where the fake provider APIs listen (their base URLs without the version path). */
export interface FakeProviderUrls {
  openai: string;
  anthropic: string;
  gemini: string;
}

/** The keys the fakes accept, by secret name: pass each as a `--var` next to the config. */
export const FAKE_PROVIDER_KEYS = { WRITER_KEY: "sk-writer", CLAUDE_KEY: "sk-claude", GEMINI_KEY: "sk-gemini" } as const;

/** The model the `wai` specialist names on the stand-in binding. */
export const WAI_MODEL = "@cf/meta/llama-3.1-8b-instruct";

/** Per specialist id: its endpoint type and the model its replies name. */
export const PROVIDER_SPECIALISTS = [
  { id: "writer", type: "openai-chat", model: "fake-writer" },
  { id: "claude", type: "anthropic", model: "claude-fake" },
  { id: "gemini", type: "gemini", model: "gemini-fake" },
  { id: "wai", type: "workers-ai", model: WAI_MODEL },
] as const;

/**
 * The bundled config with the provider specialists added (and `router.allowPrivateNetworks`,
 * since the fakes listen on 127.0.0.1). Token prices are made up ($1 / $2 per million
 * tokens) so replies carry a cost.
 */
export function providerConfig(urls: FakeProviderUrls): ConfigInput {
  const c = structuredClone(bundled) as ConfigInput;
  c.secrets = [...(c.secrets ?? []), ...Object.keys(FAKE_PROVIDER_KEYS)];
  c.router = { ...c.router, allowPrivateNetworks: true };
  const pricing = { inputPerMTok: 1, outputPerMTok: 2 };
  const writer = { type: "openai-chat" as const, url: `${urls.openai}/v1`, model: "fake-writer", apiKeySecret: "WRITER_KEY" };
  const claude = { type: "anthropic" as const, url: `${urls.anthropic}/v1`, model: "claude-fake", apiKeySecret: "CLAUDE_KEY" };
  const gemini = { type: "gemini" as const, url: `${urls.gemini}/v1beta`, model: "gemini-fake", apiKeySecret: "GEMINI_KEY" };
  const wai = { type: "workers-ai" as const, model: WAI_MODEL, binding: "EXAMPLE_AI" };
  c.specialists.push(
    { id: "writer", endpoint: { ...writer, pricing }, capabilities: { vision: true }, timeoutMs: 5000 },
    { id: "writer-429", endpoint: { ...writer, model: "fail-429" }, retries: 0 },
    { id: "claude", endpoint: { ...claude, pricing }, timeoutMs: 5000 },
    { id: "claude-429", endpoint: { ...claude, model: "fail-429" }, retries: 0 },
    { id: "gemini", endpoint: { ...gemini, pricing }, timeoutMs: 5000 },
    { id: "gemini-429", endpoint: { ...gemini, model: "fail-429" }, retries: 0 },
    { id: "wai", endpoint: { ...wai, pricing }, timeoutMs: 5000 },
    { id: "wai-429", endpoint: { ...wai, model: "@cf/test/capacity" }, retries: 0 },
  );
  return c;
}
