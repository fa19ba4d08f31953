import type { Requirement } from "../../routing/capabilities.ts";

/**
 * Chat Completions request fields (OpenAI API reference, "Create chat completion")
 * that every specialist honours: the router's own (`model`, `messages`, `stream`,
 * `stream_options`), and controls of how a model samples or what is logged that a
 * deterministic specialist's answer satisfies as it is (docs/protocols/openai.md, "Capabilities").
 * Every other field needs a capability; a field not listed anywhere needs
 * `passThrough` (a specialist that takes the client's body as sent).
 */
export const HONOURED_BY_ALL: ReadonlySet<string> = new Set([
  "model",
  "messages",
  "stream",
  "stream_options",
  "temperature",
  "top_p",
  "seed",
  "frequency_penalty",
  "presence_penalty",
  "logit_bias",
  "max_tokens",
  "max_completion_tokens",
  "stop",
  "user",
  "safety_identifier",
  "prompt_cache_key",
  "prompt_cache_retention",
  "metadata",
  "store",
  "service_tier",
  "reasoning_effort",
  "verbosity",
]);

type Body = Record<string, unknown> & { messages: unknown[] };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Part types whose content needs a capability (`text` and `refusal` parts need none). */
const PART_NEEDS: Record<string, Requirement["capability"]> = { image_url: "vision", input_audio: "audio", file: "files" };

/**
 * What a Chat Completions request needs of the specialist that serves it, each with
 * the field that needs it (OpenAI's `param`), in field order. Pure; `body` is the
 * validated request.
 *
 * - `tools`, `tool_choice` (other than `"none"`), `functions`, `function_call`,
 *   `parallel_tool_calls`, and `tool`/`function` messages or assistant tool calls → `tools`
 * - `response_format` `json_object` / `json_schema` → `jsonSchema`
 * - `image_url` / `input_audio` / `file` parts → `vision` / `audio` / `files`;
 *   `modalities` with `"audio"` or an `audio` field → `audio`
 * - `n > 1` → `multipleChoices`; `logprobs: true` or `top_logprobs` → `logprobs`
 * - `stream: true` → `streaming` (never refused: a specialist that cannot stream answers whole)
 * - no user text at all → `passThrough` on `messages` (only a chat model takes a conversation without text)
 * - any other field → `passThrough`
 * - always: `context`, the estimated tokens (characters of every message and tool ÷ 4,
 *   plus `max_completion_tokens` or `max_tokens`)
 *
 * @example
 * chatRequirements({ model: "auto", messages: [{ role: "user", content: "hi" }], tools: [{ type: "function", function: { name: "f" } }] })
 * // [{ capability: "tools", param: "tools" }, { capability: "context", param: "messages", tokens: 12 }]
 */
export function chatRequirements(body: Body, hasText: boolean): Requirement[] {
  const needs: Requirement[] = [];
  const need = (capability: Requirement["capability"], param: string) => needs.push({ capability, param });
  for (const [key, value] of Object.entries(body)) {
    if (value === undefined || value === null) continue;
    switch (key) {
      case "messages":
        messageNeeds(body.messages, need);
        break;
      case "stream":
        if (value === true) need("streaming", key);
        break;
      case "tools":
      case "functions":
        if (!Array.isArray(value) || value.length > 0) need("tools", key);
        break;
      case "tool_choice":
      case "function_call":
        if (value !== "none") need("tools", key);
        break;
      case "parallel_tool_calls":
        break; // meaningful only with tools, which need the capability themselves
      case "response_format":
        if (isRecord(value) && (value.type === "json_object" || value.type === "json_schema")) need("jsonSchema", key);
        else if (!isRecord(value) || value.type !== "text") need("passThrough", key);
        break;
      case "modalities":
        if (Array.isArray(value) && value.includes("audio")) need("audio", key);
        break;
      case "audio":
        need("audio", key);
        break;
      case "n":
        if (typeof value === "number" && value > 1) need("multipleChoices", key);
        break;
      case "logprobs":
        if (value === true) need("logprobs", key);
        break;
      case "top_logprobs":
        need("logprobs", key);
        break;
      default:
        if (!HONOURED_BY_ALL.has(key)) need("passThrough", key);
    }
  }
  if (!hasText) need("passThrough", "messages");
  needs.push({ capability: "context", param: "messages", tokens: estimateTokens(body) });
  return needs;
}

/** Tool use and non-text parts in the conversation. */
function messageNeeds(messages: unknown[], need: (c: Requirement["capability"], param: string) => void): void {
  messages.forEach((m, i) => {
    if (!isRecord(m)) return;
    if (m.role === "tool" || m.role === "function" || (Array.isArray(m.tool_calls) && m.tool_calls.length > 0) || isRecord(m.function_call)) need("tools", `messages.${i}`);
    if (!Array.isArray(m.content)) return;
    m.content.forEach((p, j) => {
      const type = isRecord(p) ? p.type : undefined;
      if (type === "text" || type === "refusal") return;
      need(typeof type === "string" ? (PART_NEEDS[type] ?? "passThrough") : "passThrough", `messages.${i}.content.${j}`);
    });
  });
}

/**
 * Estimated tokens of a request: characters of its messages and tool definitions ÷ 4
 * (OpenAI's rule of thumb for English), plus the reply it asks room for.
 */
export function estimateTokens(body: Body): number {
  let chars = 0;
  for (const m of body.messages) chars += JSON.stringify(m).length;
  if (body.tools !== undefined) chars += JSON.stringify(body.tools).length;
  const reply = typeof body.max_completion_tokens === "number" ? body.max_completion_tokens : typeof body.max_tokens === "number" ? body.max_tokens : 0;
  return Math.ceil(chars / 4) + reply;
}
