import { z } from "zod";
import type { OpenAIChatEndpoint, Pricing } from "../../config/schema.ts";
import { tokenUsage } from "../pricing.ts";
import type { ChatMessage, SpecialistRequest, Usage } from "../../routing/hop.ts";

type OpenAIChat = z.infer<typeof OpenAIChatEndpoint>;

/** `usage` of an OpenAI chat completion (or of the last chunk of a stream). */
export const WireUsage = z.looseObject({
  prompt_tokens: z.number().int().nonnegative(),
  completion_tokens: z.number().int().nonnegative(),
  /**
   * Of `prompt_tokens`, those read from the prompt cache, and (translated from
   * Anthropic's `cache_creation_input_tokens`; no OpenAI field) those written to it.
   */
  prompt_tokens_details: z.looseObject({ cached_tokens: z.number().int().nonnegative().optional(), cache_creation_tokens: z.number().int().nonnegative().optional() }).nullish(),
});

/** A message's content: a string, or (as some providers answer) an array of parts. */
const WireContent = z.union([z.string(), z.array(z.looseObject({ type: z.string() }))]).nullable().optional();

/** The parts of an OpenAI `chat.completion` the router reads; everything else passes through. */
export const ChatCompletion = z.looseObject({
  choices: z
    .array(
      z.looseObject({
        message: z.looseObject({ role: z.string(), content: WireContent }),
        finish_reason: z.string().nullable().optional(),
      }),
    )
    .min(1, "choices is empty"),
  usage: WireUsage.nullish(),
});
export type ChatCompletion = z.infer<typeof ChatCompletion>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isCount = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
const isOptCount = (v: unknown) => v === undefined || isCount(v);

/**
 * Whether a reply certainly matches {@link ChatCompletion}, checked without copying it
 * (zod's parse copies every object it validates; a reply is only read and passed on).
 * `true` only for values the schema accepts unchanged; `false` leaves the verdict, and
 * its message, to the schema. A plain function rather than a second schema: it is the
 * hot path of every chat hop, and test/unit/protocols/openai-wire-fast.test.ts checks
 * it against the schema.
 */
export function surelyChatCompletion(v: unknown): v is ChatCompletion {
  if (!isObject(v)) return false;
  const choices = v.choices;
  if (!Array.isArray(choices) || choices.length === 0) return false;
  for (const c of choices) {
    if (!isObject(c)) return false;
    const m = c.message;
    if (!isObject(m) || typeof m.role !== "string") return false;
    const content = m.content;
    if (content !== undefined && content !== null && typeof content !== "string") {
      if (!Array.isArray(content)) return false;
      for (const part of content) if (!isObject(part) || typeof part.type !== "string") return false;
    }
    const finish = c.finish_reason;
    if (finish !== undefined && finish !== null && typeof finish !== "string") return false;
  }
  const usage = v.usage;
  if (usage === undefined || usage === null) return true;
  if (!isObject(usage) || !isCount(usage.prompt_tokens) || !isCount(usage.completion_tokens)) return false;
  const details = usage.prompt_tokens_details;
  if (details === undefined || details === null) return true;
  return isObject(details) && isOptCount(details.cached_tokens) && isOptCount(details.cache_creation_tokens);
}

/**
 * A reply as a {@link ChatCompletion}: the reply itself when it surely is one
 * ({@link surelyChatCompletion}), else zod's verdict (its copy, or the error).
 */
export function parseChatCompletion(v: unknown): { success: true; data: ChatCompletion } | { success: false; error: z.ZodError } {
  if (surelyChatCompletion(v)) return { success: true, data: v };
  const r = ChatCompletion.safeParse(v);
  return r.success ? { success: true, data: r.data } : { success: false, error: r.error };
}

/** What an `openai-chat` specialist's hop outputs. */
export interface ChatOutput {
  /** The first choice's text (its text parts joined; `""` when it has none, e.g. only tool calls). */
  text: string;
  /** The first choice's assistant message as the upstream sent it. */
  message: { role: string; content?: unknown; [k: string]: unknown };
  finishReason: string | null;
  /** The whole `chat.completion` as the upstream sent it (every choice, `id`, `system_fingerprint`, `usage`, …). */
  completion: Record<string, unknown>;
}

/**
 * The `messages` sent upstream: the endpoint's `systemPrompt` first, then the hop's
 * whole conversation when it came through the OpenAI front door, else one user
 * message with the input.
 */
export function chatMessages(endpoint: OpenAIChat, request: SpecialistRequest): unknown[] {
  const system: ChatMessage[] = endpoint.systemPrompt !== undefined ? [{ role: "system", content: endpoint.systemPrompt }] : [];
  const fromClient = request.chat?.messages;
  const conversation: unknown[] = Array.isArray(fromClient) ? fromClient : request.messages?.length ? request.messages : [{ role: "user", content: request.input }];
  return [...system, ...conversation];
}

/**
 * The request body of `POST {url}/chat/completions`: the client's body field for field
 * when the hop came through the OpenAI front door (only `model` rewritten, the
 * `systemPrompt` first), else `{ model, messages }`. Streamed with `wantUsage` (the
 * router needs the usage: prices, token limits), the router asks for the usage chunk
 * (`usageAdded` when the client had not); not streamed, `stream` and `stream_options`
 * are left out (a specialist that cannot stream answers whole).
 */
export function chatBody(endpoint: OpenAIChat, request: SpecialistRequest, stream: boolean, wantUsage = true): { body: Record<string, unknown>; usageAdded: boolean } {
  const body: Record<string, unknown> = { ...request.chat, model: endpoint.model, messages: chatMessages(endpoint, request) };
  if (!stream) {
    delete body.stream;
    delete body.stream_options;
    return { body, usageAdded: false };
  }
  body.stream = true;
  const options = (typeof body.stream_options === "object" && body.stream_options !== null ? body.stream_options : {}) as Record<string, unknown>;
  const usageAdded = wantUsage && options.include_usage !== true;
  if (usageAdded) body.stream_options = { ...options, include_usage: true };
  return { body, usageAdded };
}

/**
 * Token counts of a reply and their cost under `pricing` (USD per million tokens;
 * `prompt_tokens_details.cached_tokens` at the cached-input price,
 * `cache_creation_tokens` at the cache-write price).
 */
export function usageOf(usage: z.infer<typeof WireUsage> | null | undefined, pricing: Pricing | undefined): Usage {
  if (!usage) return {};
  const details = usage.prompt_tokens_details;
  return tokenUsage({ inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens, cachedInputTokens: details?.cached_tokens, cacheWriteInputTokens: details?.cache_creation_tokens }, pricing);
}

/** The hop output of a completion: its first choice, and the whole completion. */
export function outputOf(completion: ChatCompletion): ChatOutput {
  const choice = completion.choices[0]!;
  return { text: contentText(choice.message.content), message: choice.message, finishReason: choice.finish_reason ?? null, completion };
}

/** A message content's text: a string as is, the text parts of an array joined by newlines. */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((p: { type?: unknown; text?: unknown }) => (p?.type === "text" && typeof p.text === "string" ? p.text : ""))
    .filter(Boolean)
    .join("\n");
}

/** The first zod issue as `path: message`, for failure details. */
export function firstIssue(error: z.ZodError): string {
  const i = error.issues[0];
  return i ? `${i.path.map(String).join(".") || "(root)"}: ${i.message}` : "invalid";
}
