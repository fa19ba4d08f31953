/**
 * Where and how a specialist is called: one endpoint schema per endpoint type (a
 * protocol's adapter speaks it, worker/protocols/adapters.ts), with the fields every
 * chat model shares and their prices (docs/config.md). schema.ts re-exports them.
 */
import { z } from "zod";

/**
 * Extra HTTP headers sent to a specialist: names are RFC 9110 §5.6.2 tokens, values
 * visible ASCII, spaces and tabs (§5.5; no CR, LF or NUL), at most 8 KiB each; the
 * router's own (`authorization`, `content-type`, `idempotency-key`, `traceparent`, the providers' key
 * and version headers, …; an `accept` is kept)
 * cannot be set this way.
 */
/** Extra request headers (built when an endpoint schema is: a `z.lazy` here would drop its default from the OpenAPI document). */
const headers = () =>
  z
    .record(
      z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/, "a header name (RFC 9110 token characters)").refine((n) => !OWN_HEADERS.has(n.toLowerCase()), { message: "the router sets this header itself" }),
      z.string().max(8192).regex(/^[\t\x20-\x7e]*$/, "a header value: visible ASCII, spaces and tabs only (no CR, LF or NUL)"),
    )
    .default({});
const OWN_HEADERS = new Set(["authorization", "content-type", "content-length", "idempotency-key", "traceparent", "x-intent-id", "host", "a2a-version", "mcp-session-id", "mcp-protocol-version", "last-event-id", "x-api-key", "x-goog-api-key", "anthropic-version"]);

export const BindingName = z.lazy(() => z.string().regex(/^[A-Z][A-Z0-9_]*$/, "a SCREAMING_SNAKE binding name"));

/** A Worker reached through a service binding (`binding`) at `path`. */
export const ServiceEndpoint = z.lazy(() =>
  z.strictObject({
    type: z.literal("service"),
    binding: BindingName,
    path: z.string().startsWith("/").default("/"),
  }),
);

/** Any JSON-over-HTTP service: POST `{ input, intent, context }`, reply `{ output, usage? }`. */
export const HttpEndpoint = z.lazy(() =>
  z.strictObject({
    type: z.literal("http"),
    url: z.url({ protocol: /^https?$/ }),
    /** Name of a Worker secret holding a bearer token sent as `Authorization`. */
    apiKeySecret: BindingName.optional(),
    headers: headers(),
  }),
);

/**
 * USD per million tokens, from the provider's price list: each call's cost (from the
 * usage it reports) is added to `usage.costUsd`, metrics, budgets and task cost
 * (docs/limits-and-resilience.md, "Cost"). Input tokens read from the provider's
 * prompt cache (OpenAI `prompt_tokens_details.cached_tokens`, Anthropic
 * `cache_read_input_tokens`, Gemini `cachedContentTokenCount`) cost
 * `cachedInputPerMTok`, those written to Anthropic's cache
 * (`cache_creation_input_tokens`) `cacheWriteInputPerMTok`; each defaults to
 * `inputPerMTok`.
 */
export const Pricing = z.lazy(() =>
  z.strictObject({
    inputPerMTok: z.number().nonnegative(),
    outputPerMTok: z.number().nonnegative(),
    cachedInputPerMTok: z.number().nonnegative().optional(),
    cacheWriteInputPerMTok: z.number().nonnegative().optional(),
  }),
);
export type Pricing = z.infer<typeof Pricing>;

/** What every chat-model endpoint takes: the model, its key, extra headers, a system prompt, prices. */
const chatModel = () => ({
  model: z.string().min(1).max(200),
  /** Name of a Worker secret holding the API key (sent in the provider's own auth header). */
  apiKeySecret: BindingName.optional(),
  headers: headers(),
  /** Sent first, before the client's own system messages. */
  systemPrompt: z.string().min(1).max(100_000).optional(),
  pricing: Pricing.optional(),
});

/**
 * An OpenAI-compatible chat model: POST `{url}/chat/completions` with `{ model, messages }`
 * (`systemPrompt` first; the key as `Authorization: Bearer …`); the reply's first
 * choice is the output.
 */
export const OpenAIChatEndpoint = z.lazy(() =>
  z.strictObject({
    type: z.literal("openai-chat"),
    /** Base URL of the API, e.g. `https://api.openai.com/v1`. */
    url: z.url({ protocol: /^https?$/ }),
    ...chatModel(),
  }),
);

/**
 * An Anthropic model through the Messages API: POST `{url}/messages` with the key as
 * `x-api-key` and `anthropic-version` (https://docs.anthropic.com/en/api/messages);
 * OpenAI-format requests are translated (docs/protocols/anthropic.md).
 */
export const AnthropicEndpoint = z.lazy(() =>
  z.strictObject({
    type: z.literal("anthropic"),
    /** Base URL of the API (a Cloudflare AI Gateway URL ending in `/anthropic/v1` works unchanged). */
    url: z.url({ protocol: /^https?$/ }).default("https://api.anthropic.com/v1"),
    ...chatModel(),
    /**
     * Sent as the `anthropic-version` header: `2023-06-01`, or `2026-10-21` (which takes
     * no `temperature` or `top_p`: requests with them are refused, naming them).
     */
    anthropicVersion: z.enum(["2023-06-01", "2026-10-21"]).default("2023-06-01"),
    /** `max_tokens` sent when a request sets none (the Messages API requires it). */
    maxTokens: z.number().int().positive().max(1_000_000).default(4096),
  }),
);

/**
 * A Gemini model through the Gemini API: POST `{url}/models/{model}:generateContent`
 * (`:streamGenerateContent?alt=sse` streamed) with the key as `x-goog-api-key`
 * (https://ai.google.dev/api/generate-content); OpenAI-format requests are
 * translated (docs/protocols/gemini.md).
 */
export const GeminiEndpoint = z.lazy(() =>
  z.strictObject({
    type: z.literal("gemini"),
    /** Base URL of the API (a Cloudflare AI Gateway URL ending in `/google-ai-studio/v1beta` works unchanged). */
    url: z.url({ protocol: /^https?$/ }).default("https://generativelanguage.googleapis.com/v1beta"),
    ...chatModel(),
    model: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/, "a Gemini model name, e.g. gemini-2.5-flash (no 'models/' prefix)"),
  }),
);

/**
 * A Workers AI text-generation model through the Worker's `AI` binding:
 * `env.AI.run(model, { messages, tools?, stream? })`, no key needed
 * (https://developers.cloudflare.com/workers-ai/models/); OpenAI-format requests are
 * translated (docs/protocols/workers-ai.md).
 */
export const WorkersAiEndpoint = z.lazy(() =>
  z.strictObject({
    type: z.literal("workers-ai"),
    /** A text-generation model, e.g. `@cf/meta/llama-3.1-8b-instruct`. */
    model: z.string().regex(/^@[a-z0-9-]+\/[A-Za-z0-9._/-]{1,200}$/, "a Workers AI model name, e.g. @cf/meta/llama-3.1-8b-instruct"),
    /** The Workers AI binding's name in wrangler.toml (`[ai] binding = "AI"`). */
    binding: BindingName.default("AI"),
    systemPrompt: chatModel().systemPrompt,
    /** `max_tokens` sent when a request sets none (else the model's own default, small for many models). */
    maxTokens: z.number().int().positive().max(1_000_000).optional(),
    pricing: Pricing.optional(),
  }),
);

/**
 * A remote A2A agent: its card is read from `url` (the agent's base URL, or the
 * card's own URL if it ends in `.json`), then the message is sent in the
 * protocol version the card declares (1.x `SendMessage` or 0.3 `message/send`).
 */
export const A2aEndpoint = z.lazy(() =>
  z.strictObject({
    type: z.literal("a2a"),
    url: z.url({ protocol: /^https?$/ }),
    /** Name of a Worker secret holding a bearer token sent as `Authorization`. */
    apiKeySecret: BindingName.optional(),
    headers: headers(),
    /**
     * Other origins the agent's card may send calls to (`https://host[:port]`). By default
     * only `url`'s own origin is called; the key and `headers` go to that origin only.
     */
    allowedOrigins: z.array(z.url({ protocol: /^https?$/ }).transform((u) => new URL(u).origin)).max(20).default([]),
  }),
);

/**
 * A remote MCP server over Streamable HTTP (MCP 2025-11-25, "Transports"): its tools
 * join the router's MCP catalogue as `<specialist id>__<tool name>` and are called
 * through the same policy, pool, kill switch, screening and audit path as every
 * specialist (docs/protocols/mcp.md). It takes tool calls only: no routed text.
 */
export const McpEndpoint = z.lazy(() =>
  z.strictObject({
    type: z.literal("mcp"),
    /** The server's MCP endpoint, e.g. `https://mcp.example.com/mcp`. */
    url: z.url({ protocol: /^https?$/ }),
    /**
     * A service binding to reach it through (a Worker of the same account, or the bundled
     * example server under `npm run dev`): `url`'s path and query are kept, its host is not resolved.
     */
    binding: BindingName.optional(),
    /** Name of a Worker secret holding a bearer token sent as `Authorization`. */
    apiKeySecret: BindingName.optional(),
    headers: headers(),
    /** How long the server's tool list is kept before it is listed again (a `notifications/tools/list_changed` refreshes it sooner). */
    toolsTtlSeconds: z.number().int().min(0).max(86_400).default(300),
  }),
);

/** Where and how a specialist is called; one adapter per `type`. */
export const Endpoint = z.lazy(() => z.discriminatedUnion("type", [ServiceEndpoint, HttpEndpoint, OpenAIChatEndpoint, AnthropicEndpoint, GeminiEndpoint, WorkersAiEndpoint, A2aEndpoint, McpEndpoint]));
export type Endpoint = z.infer<typeof Endpoint>;
