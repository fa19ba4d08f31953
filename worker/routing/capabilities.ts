import type { Endpoint, Specialist } from "../config/schema.ts";

/**
 * What a specialist can honour. A request that needs a capability its candidate
 * lacks is refused (400 naming the field), never sent and silently degraded.
 *
 * - `tools`: function/tool definitions and tool calls in the conversation
 * - `jsonSchema`: `response_format` `json_object` / `json_schema`
 * - `vision`, `audio`, `files`: image, audio and file content parts (and audio output)
 * - `streaming`: streams natively (`a2a`: when its agent card declares streaming); without it a streamed request is answered whole, as one chunk
 * - `multipleChoices`: `n > 1`
 * - `logprobs`: `logprobs` / `top_logprobs`
 * - `passThrough`: takes the client's body as sent, unknown fields included (same wire format)
 * - `maxContextTokens`: the longest conversation plus reply it takes (estimated tokens), if known
 */
export interface Capabilities {
  tools: boolean;
  jsonSchema: boolean;
  vision: boolean;
  audio: boolean;
  files: boolean;
  streaming: boolean;
  multipleChoices: boolean;
  logprobs: boolean;
  passThrough: boolean;
  maxContextTokens?: number | undefined;
}

/** The boolean capabilities a request can need. */
export type Capability = Exclude<keyof Capabilities, "maxContextTokens">;

/** One thing a request needs, and the request field that needs it (OpenAI's `param`). */
export interface Requirement {
  capability: Capability | "context";
  /** The field that needs it, as a path: `tools`, `response_format`, `messages.2.content.1`. */
  param: string;
  /** For `context`: the estimated tokens the request needs. */
  tokens?: number;
}

/** `openai-chat`: the common set, and the client's body as sent. Vision, audio and files must be declared. */
const OPENAI: Capabilities = { tools: true, jsonSchema: true, vision: false, audio: false, files: false, streaming: true, multipleChoices: true, logprobs: true, passThrough: true };
/** Translated chat models: what their API can express (docs/protocols/anthropic.md, gemini.md, workers-ai.md); fields with no equivalent are refused. */
const ANTHROPIC: Capabilities = { ...OPENAI, vision: true, multipleChoices: false, logprobs: false, passThrough: false };
const GEMINI: Capabilities = { ...OPENAI, vision: true, logprobs: false, passThrough: false };
const WORKERS_AI: Capabilities = { ...OPENAI, multipleChoices: false, logprobs: false, passThrough: false };
/** Everything else (`service`, `http`, `a2a`; `mcp` servers take tool calls only): text in, one answer out. */
const TEXT: Capabilities = { tools: false, jsonSchema: false, vision: false, audio: false, files: false, streaming: false, multipleChoices: false, logprobs: false, passThrough: false };
/** `a2a`: text in, its answer's text streamed when the agent's card declares streaming (the card decides at call time). */
const A2A: Capabilities = { ...TEXT, streaming: true };

const DEFAULTS: { readonly [T in Endpoint["type"]]: Capabilities } = {
  "openai-chat": OPENAI,
  anthropic: ANTHROPIC,
  gemini: GEMINI,
  "workers-ai": WORKERS_AI,
  service: TEXT,
  http: TEXT,
  a2a: A2A,
  mcp: TEXT,
};

/**
 * Whether a specialist takes hops (text, a conversation, parts) at all: an MCP server
 * (`mcp`) takes tool calls only, so routing never picks it, by intent, capability or
 * cost, and no chat door offers it as a model.
 */
export function takesHops(s: Pick<Specialist, "endpoint">): boolean {
  return s.endpoint.type !== "mcp";
}

/** The defaults of an endpoint type (docs/protocols/openai.md, "Capabilities"). */
export function defaultCapabilities(type: Endpoint["type"]): Capabilities {
  return DEFAULTS[type];
}

/** A specialist's capabilities: its endpoint type's defaults with what it declares on top. */
export function capabilitiesOf(s: Pick<Specialist, "endpoint" | "capabilities">): Capabilities {
  return s.capabilities ? { ...defaultCapabilities(s.endpoint.type), ...s.capabilities } : defaultCapabilities(s.endpoint.type);
}

/**
 * The first requirement `caps` cannot honour, or undefined when it can honour them all.
 * `streaming` is never unmet: a specialist that cannot stream is answered whole.
 *
 * @example
 * unmet(capabilitiesOf(units), [{ capability: "tools", param: "tools" }]) // { capability: "tools", param: "tools" }
 */
export function unmet(caps: Capabilities, needs: readonly Requirement[]): Requirement | undefined {
  for (const n of needs) {
    if (n.capability === "streaming") continue;
    if (n.capability === "context") {
      if (caps.maxContextTokens !== undefined && (n.tokens ?? 0) > caps.maxContextTokens) return n;
      continue;
    }
    if (!caps[n.capability]) return n;
  }
  return undefined;
}

/** Why a specialist cannot take a request, for error details. */
export function unmetDetail(specialist: string, r: Requirement, maxContextTokens?: number): string {
  switch (r.capability) {
    case "context":
      return `'${specialist}' takes at most ${maxContextTokens} tokens of context; this request needs about ${r.tokens} (estimated at 4 characters a token)`;
    case "passThrough":
      return `'${specialist}' does not speak this wire format, so it cannot honour '${r.param}'`;
    default:
      return `'${specialist}' cannot honour '${r.param}' (it does not declare capabilities.${r.capability})`;
  }
}
