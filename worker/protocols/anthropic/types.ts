/**
 * The shapes the translations take and give, named in each protocol's own terms.
 * Anthropic's come from the official `@anthropic-ai/sdk` 1.14.0 types, OpenAI's from
 * the `openai` 7.57.0 types (types only: nothing of either SDK is loaded at run time).
 */
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionCreateParamsBase } from "openai/resources/chat/completions";
import type { MessageCreateParamsBase } from "@anthropic-ai/sdk/resources/messages";

/**
 * Anthropic API versions (`anthropic-version` header; API reference, "Versions").
 * `2026-10-21` (what the 1.x SDKs send) removed `temperature`, `top_p` and `top_k`:
 * a request carrying them is a 400 there.
 */
export type AnthropicVersion = "2023-06-01" | "2026-10-21";

/** A Messages request body: the SDK's, plus the 2023-06-01 sampling fields the 1.x SDK no longer types. */
export type MessagesBody = MessageCreateParamsBase & { temperature?: number; top_p?: number };

/**
 * A Chat Completions request body as the router holds it: the client's, validated
 * loosely (`messages` an array; everything else read defensively, field by field).
 */
export type ChatBody = { messages: unknown[] } & Record<string, unknown>;

/** An OpenAI Chat Completions request body (what `messagesToChat` builds). */
export type ChatRequest = ChatCompletionCreateParamsBase;

/**
 * A `chat.completion`. Its message may carry `reasoning_content`: Claude's thinking
 * text, the non-standard member DeepSeek, vLLM and others use, which clients that
 * know it show and others ignore.
 */
export type Completion = Omit<ChatCompletion, "choices"> & {
  choices: (ChatCompletion.Choice & { message: ChatCompletion.Choice["message"] & { reasoning_content?: string } })[];
};

/** A `chat.completion.chunk`, its delta possibly carrying `reasoning_content` (see {@link Completion}). */
export type Chunk = Omit<ChatCompletionChunk, "choices"> & {
  choices: (ChatCompletionChunk.Choice & { delta: ChatCompletionChunk.Choice.Delta & { reasoning_content?: string } })[];
};

export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** The first member of `o` (set, not null) that is not in `known`: what a translation cannot carry. */
export const extraMember = (o: Obj, known: ReadonlySet<string>): string | undefined => Object.keys(o).find((k) => !known.has(k) && o[k] !== undefined && o[k] !== null);

/** Standard base64 (RFC 4648 §4; padding optional): what Anthropic's base64 sources take. */
export function isBase64(s: string): boolean {
  const body = s.replace(/={1,2}$/, "");
  return body.length > 0 && /^[A-Za-z0-9+/]*$/.test(body) && (s.length === body.length ? body.length % 4 !== 1 : s.length % 4 === 0);
}

/** An absolute `http:` or `https:` URL: the only image URLs Anthropic fetches. */
export function isHttpUrl(s: string): boolean {
  if (!/^https?:\/\//i.test(s)) return false;
  try {
    new URL(s);
    return !/\s/.test(s);
  } catch {
    return false;
  }
}
