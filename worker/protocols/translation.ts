/**
 * Translation between LLM wire formats. The router's canonical chat format is OpenAI
 * Chat Completions (https://platform.openai.com/docs/api-reference/chat): a request
 * body, a `chat.completion`, and `chat.completion.chunk` events. Each provider folder
 * (`anthropic/`, `gemini/`, …) translates its own format to and from it, in pure
 * functions: what a field means in the target is kept, and what the target cannot
 * honour is refused, naming the field, never dropped in silence.
 */
import type { Pricing } from "../config/schema.ts";
import type { SpecialistOutcome } from "../routing/hop.ts";
import { ChatCompletion, firstIssue, outputOf, usageOf } from "./openai/wire.ts";

/**
 * A translated value, or why the target cannot take the source: `param` is the source
 * field as a path (`tools.0.function.strict`, `messages.2.content.1`), `detail` a
 * sentence for the client (sent as a 400 in the front door's error shape).
 */
export type Translation<T> = { ok: true; value: T } | { ok: false; param: string; detail: string };

/** A successful translation. */
export const translated = <T>(value: T): Translation<T> => ({ ok: true, value });

/** A refusal naming the source field. */
export const untranslatable = (param: string, detail: string): Translation<never> => ({ ok: false, param, detail });

/**
 * The Chat Completions body a translated hop starts from: the client's own when the
 * hop came through the OpenAI front door, else the conversation (or the input as one
 * user message) the router built.
 */
export function chatBodyOf(request: { chat?: Record<string, unknown> | undefined; messages?: unknown[] | undefined; input: string }): Record<string, unknown> {
  if (request.chat) return request.chat;
  return { messages: request.messages?.length ? request.messages : [{ role: "user", content: request.input }] };
}

/**
 * Chat Completions fields about OpenAI's platform rather than the reply: an end-user
 * id kept for abuse monitoring (`user`, `safety_identifier`) and prompt-cache routing
 * (`prompt_cache_key`, `prompt_cache_retention`). A provider with no equivalent is not
 * sent them (nothing it answers would change), and the OpenAI front door names them in
 * the `x-switchyard-not-sent` response header.
 */
export const PLATFORM_FIELDS: ReadonlySet<string> = new Set(["user", "safety_identifier", "prompt_cache_key", "prompt_cache_retention"]);

/** The fields of `chat` (set, not null) among `fields`, in body order: what a translation does not send. */
export function notSentOf(chat: Record<string, unknown>, fields: ReadonlySet<string>): string[] {
  return Object.keys(chat).filter((k) => fields.has(k) && chat[k] !== undefined && chat[k] !== null);
}

/**
 * The outcome of a call whose reply was translated to a `chat.completion`: checked
 * against the Chat Completions schema (a translation that is not one is the
 * provider's bad response), its output and its usage priced with `pricing`.
 */
export function translatedOutcome(completion: unknown, pricing: Pricing | undefined): SpecialistOutcome {
  const parsed = ChatCompletion.safeParse(completion);
  if (!parsed.success) return { ok: false, failure: { kind: "bad_response", detail: `translated reply is not a chat completion: ${firstIssue(parsed.error)}` } };
  return { ok: true, output: outputOf(parsed.data), usage: usageOf(parsed.data.usage, pricing) };
}

/**
 * `stream_options` for a translated model: the router's own (`include_usage` decides
 * whether the translated stream gets a usage chunk), so only `include_usage` (a
 * boolean) is accepted; any other member (`include_obfuscation`, which OpenAI's
 * platform alone has, or an unknown one) is refused naming it rather than dropped.
 * Source: https://platform.openai.com/docs/api-reference/chat/create#chat-create-stream_options
 */
export function streamOptionsRefusal(chat: Record<string, unknown>): Translation<never> | undefined {
  const v = chat.stream_options;
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "object" || Array.isArray(v)) return untranslatable("stream_options", "stream_options must be an object");
  for (const [k, m] of Object.entries(v as Record<string, unknown>)) {
    if (k !== "include_usage") return untranslatable(`stream_options.${k}`, `'stream_options.${k}' cannot be carried to this model (only include_usage is the router's to honour)`);
    if (m !== undefined && m !== null && typeof m !== "boolean") return untranslatable("stream_options.include_usage", "must be a boolean");
  }
  return undefined;
}
