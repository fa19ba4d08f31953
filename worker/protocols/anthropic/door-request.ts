/**
 * What the Anthropic front door (`POST /v1/messages`) reads from a Messages request,
 * pure: the text routing classifies, what the request needs of the specialist that
 * serves it (in the router's capability terms, each need naming its Anthropic field),
 * the body an `anthropic` specialist is sent, and a token estimate. Sources: Anthropic
 * Messages API, "Create a Message", "Count tokens", "Versions", "Beta headers".
 */
import { z } from "zod";
import type { Requirement } from "../../routing/capabilities.ts";
import { isObj, type Obj } from "./types.ts";
import type { MessagesRequest } from "./wire.ts";

/**
 * Messages request fields every specialist honours: the router's own (`model`,
 * `messages`, `stream`), the system prompt, and controls of how a model samples or
 * what is logged, which a deterministic specialist's answer satisfies as it is (as on
 * the OpenAI door). Others need a capability or the same wire format.
 */
export const HONOURED_BY_ALL: ReadonlySet<string> = new Set(["model", "messages", "system", "max_tokens", "stop_sequences", "stream", "temperature", "top_p", "top_k", "metadata", "service_tier", "speed", "cache_control"]);

/** Block types in a user or assistant turn and the capability each needs (`text` and earlier turns' thinking need none). */
const BLOCK_NEEDS: Record<string, Requirement["capability"] | undefined> = {
  text: undefined,
  thinking: undefined,
  redacted_thinking: undefined,
  image: "vision",
  document: "files",
  tool_use: "tools",
  tool_result: "tools",
};

/** A turn's text: a string as is, its `text` blocks joined by newlines. */
export function turnText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .filter((b): b is Obj => isObj(b) && b.type === "text" && typeof b.text === "string")
    .map((b) => b.text as string)
    .join("\n");
}

/**
 * The text of the last user turn that has any: what the intent is classified from. A
 * turn that only returns tool results is passed over, so a tool round trip is routed
 * by the question that started it.
 *
 * @example
 * lastUserText([{ role: "user", content: "convert 5 km" }, { role: "assistant", content: "…" }, { role: "user", content: [{ type: "tool_result", tool_use_id: "t", content: "1" }] }]) // "convert 5 km"
 */
export function lastUserText(messages: readonly { role: string; content: unknown }[]): string | undefined {
  let sawUser = false;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.role !== "user") continue;
    sawUser = true;
    const text = turnText(m.content);
    if (text.trim() !== "") return text;
  }
  return sawUser ? "" : undefined;
}

/**
 * What a Messages request needs of the specialist that serves it, each with the
 * field that needs it (an Anthropic path), in field order:
 *
 * - `tools` (not empty), `tool_choice` (other than `none`), `tool_use` and
 *   `tool_result` blocks → `tools`
 * - `image` blocks → `vision`; `document` blocks → `files`
 * - `output_config.format` → `jsonSchema`
 * - `thinking` other than `disabled`, block types and fields not listed here, and a
 *   conversation without user text → `passThrough` (a specialist that speaks the
 *   Messages format, or a chat model whose translation can carry it)
 * - `stream: true` → `streaming` (never refused: a specialist that cannot stream answers whole)
 * - always: `context`, the estimated tokens (characters of the system prompt, every
 *   message and tool ÷ 4, plus `max_tokens`)
 *
 * @example
 * messagesRequirements({ model: "auto", max_tokens: 10, messages: [{ role: "user", content: "hi" }], tools: [{ name: "f", input_schema: { type: "object" } }] }, true)
 * // [{ capability: "tools", param: "tools" }, { capability: "context", param: "messages", tokens: … }]
 */
export function messagesRequirements(body: Obj & { messages: unknown[] }, hasText: boolean): Requirement[] {
  const needs: Requirement[] = [];
  const need = (capability: Requirement["capability"], param: string) => needs.push({ capability, param });
  for (const [key, value] of Object.entries(body)) {
    if (value === undefined || value === null) continue;
    switch (key) {
      case "messages":
        body.messages.forEach((m, i) => {
          if (!isObj(m) || !Array.isArray(m.content)) return;
          m.content.forEach((b, j) => {
            const type = isObj(b) && typeof b.type === "string" ? b.type : "";
            const capability = Object.hasOwn(BLOCK_NEEDS, type) ? BLOCK_NEEDS[type] : "passThrough";
            if (capability) need(capability, `messages.${i}.content.${j}`);
          });
        });
        break;
      case "stream":
        if (value === true) need("streaming", key);
        break;
      case "tools":
        if (!Array.isArray(value) || value.length > 0) need("tools", key);
        break;
      case "tool_choice":
        if (!isObj(value) || value.type !== "none") need("tools", key);
        break;
      case "thinking":
        if (!isObj(value) || value.type !== "disabled") need("passThrough", key);
        break;
      case "output_config":
        if (isObj(value)) {
          for (const [k, v] of Object.entries(value)) {
            if (v === undefined || v === null || k === "effort") continue;
            need(k === "format" ? "jsonSchema" : "passThrough", `output_config.${k}`);
          }
        }
        break;
      default:
        if (!HONOURED_BY_ALL.has(key)) need("passThrough", key);
    }
  }
  if (!hasText) need("passThrough", "messages");
  needs.push({ capability: "context", param: "messages", tokens: estimateTokens(body) + (typeof body.max_tokens === "number" ? body.max_tokens : 0) });
  return needs;
}

/**
 * The fields of a count_tokens body (Messages API, "Count tokens in a Message"; SDK
 * `MessageCountTokensParams` and its beta's): Anthropic refuses any other
 * ("Extra inputs are not permitted"), `max_tokens` and `stream` included.
 */
export const COUNT_TOKENS_FIELDS: ReadonlySet<string> = new Set([
  "model",
  "messages",
  "system",
  "tools",
  "tool_choice",
  "thinking",
  "output_config",
  "cache_control",
  "speed",
  // beta (anthropic-beta): passed as Anthropic takes them; they add nothing to the estimate
  "context_management",
  "mcp_servers",
  "output_format",
  "compaction",
  "billing_policy",
]);

/** The first field of a count_tokens body that Anthropic's count_tokens does not take. */
export function countTokensExtra(body: Obj): string | undefined {
  return Object.keys(body).find((k) => !COUNT_TOKENS_FIELDS.has(k));
}

/** Estimated input tokens of a request: characters of its system prompt, messages and tool definitions ÷ 4 (the router's rule of thumb everywhere). */
export function estimateTokens(body: Obj & { messages: unknown[] }): number {
  let chars = 0;
  for (const m of body.messages) chars += JSON.stringify(m).length;
  for (const key of ["system", "tools"]) if (body[key] !== undefined) chars += JSON.stringify(body[key]).length;
  return Math.ceil(chars / 4);
}

/** Whether `cache_control` is set anywhere in the body (top level, system, blocks, tools, tool results). */
export function hasCacheControl(value: unknown, depth = 0): boolean {
  if (depth > 64 || typeof value !== "object" || value === null) return false;
  if (Array.isArray(value)) return value.some((v) => hasCacheControl(v, depth + 1));
  for (const [k, v] of Object.entries(value)) {
    if (k === "cache_control" && v !== null && v !== undefined) return true;
    if (typeof v === "object" && v !== null && hasCacheControl(v, depth + 1)) return true;
  }
  return false;
}

/**
 * The body an `anthropic` specialist is sent: the client's, field for field, with
 * `model` the endpoint's and the endpoint's `systemPrompt` (when it has one) first in
 * `system` (a string stays a string, joined by a blank line; blocks stay blocks, the
 * prompt a text block before them); `stream` as the call is made.
 *
 * @example
 * passThroughBody({ model: "claude-sonnet-4-5", systemPrompt: "Be terse." }, { model: "auto", max_tokens: 9, system: "Hi.", messages: [] }, false)
 * // { model: "claude-sonnet-4-5", max_tokens: 9, system: "Be terse.\n\nHi.", messages: [] }
 */
export function passThroughBody(endpoint: { model: string; systemPrompt?: string | undefined }, body: Obj, stream: boolean): Obj {
  const out: Obj = { ...body, model: endpoint.model };
  const sp = endpoint.systemPrompt;
  if (sp !== undefined) {
    const system = body.system;
    if (system === undefined || system === null || system === "") out.system = sp;
    else if (typeof system === "string") out.system = `${sp}\n\n${system}`;
    else if (Array.isArray(system)) out.system = [{ type: "text", text: sp }, ...system];
  }
  if (stream) out.stream = true;
  else delete out.stream;
  return out;
}

/** `anthropic-version` as Anthropic dates them. */
const Version = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "an API version such as 2023-06-01");
/** `anthropic-beta`: comma-separated feature names. */
const Beta = z
  .string()
  .max(1000)
  .regex(/^\s*[A-Za-z0-9._-]+(\s*,\s*[A-Za-z0-9._-]+)*\s*$/, "comma-separated beta names such as prompt-caching-2024-07-31");

/**
 * The client's `anthropic-version` and `anthropic-beta` headers, checked: they are
 * sent on to an `anthropic` specialist, so a value that is not a version date or a
 * list of beta names is a 400 naming the header.
 *
 * @example
 * versionHeaders("2023-06-01", undefined) // { ok: true, version: "2023-06-01", beta: undefined }
 * versionHeaders("yesterday", undefined)  // { ok: false, param: "anthropic-version", detail: "…" }
 */
export function versionHeaders(version: string | undefined, beta: string | undefined): { ok: true; version?: string | undefined; beta?: string | undefined } | { ok: false; param: string; detail: string } {
  if (version !== undefined) {
    const v = Version.safeParse(version);
    if (!v.success) return { ok: false, param: "anthropic-version", detail: `the anthropic-version header must be ${v.error.issues[0]!.message}` };
  }
  if (beta !== undefined) {
    const b = Beta.safeParse(beta);
    if (!b.success) return { ok: false, param: "anthropic-beta", detail: `the anthropic-beta header must be ${b.error.issues[0]!.message}` };
  }
  return { ok: true, version, beta: beta?.trim() };
}

/**
 * The blocks of earlier assistant turns that are accepted but not sent to an
 * OpenAI-format model (`thinking` and `redacted_thinking`: Chat Completions takes no
 * reasoning in its input), by path, for `x-switchyard-not-sent`.
 */
export function unsentBlocks(req: Pick<MessagesRequest, "messages">): string[] {
  const out: string[] = [];
  for (const [i, m] of req.messages.entries())
    if (m.role === "assistant" && Array.isArray(m.content))
      for (const [j, b] of (m.content as Obj[]).entries()) if (b.type === "thinking" || b.type === "redacted_thinking") out.push(`messages.${i}.content.${j}`);
  return out;
}
