import { z } from "zod";
import type { OpenAIChatEndpoint } from "../config/schema.ts";
import type { ChatMessage, SpecialistRequest, Usage } from "./types.ts";

type OpenAIChat = z.infer<typeof OpenAIChatEndpoint>;

/** `usage` of an OpenAI chat completion (or of the last chunk of a stream). */
export const WireUsage = z.looseObject({
  prompt_tokens: z.number().int().nonnegative(),
  completion_tokens: z.number().int().nonnegative(),
});

/** The parts of an OpenAI `chat.completion` the router reads; everything else passes through. */
export const ChatCompletion = z.looseObject({
  choices: z
    .array(
      z.looseObject({
        message: z.looseObject({ role: z.string(), content: z.string().nullable().optional() }),
        finish_reason: z.string().nullable().optional(),
      }),
    )
    .min(1, "choices is empty"),
  usage: WireUsage.nullish(),
});
export type ChatCompletion = z.infer<typeof ChatCompletion>;

/** One `chat.completion.chunk` of a stream, as the upstream sent it (unknown fields kept). */
export const ChatCompletionChunk = z.looseObject({
  choices: z.array(
    z.looseObject({
      index: z.number().int().optional(),
      delta: z.looseObject({ role: z.string().optional(), content: z.string().nullable().optional() }).optional(),
      finish_reason: z.string().nullable().optional(),
    }),
  ),
  usage: WireUsage.nullish(),
});
export type ChatCompletionChunk = z.infer<typeof ChatCompletionChunk>;

/** What an `openai-chat` specialist's hop outputs. */
export interface ChatOutput {
  /** The first choice's text (`""` when it has none, e.g. only tool calls). */
  text: string;
  /** The assistant message as the upstream sent it. */
  message: { role: string; content?: string | null; [k: string]: unknown };
  finishReason: string | null;
}

/**
 * The `messages` sent upstream: the endpoint's `systemPrompt` first, then the hop's
 * whole conversation when it came through the OpenAI front door, else one user
 * message with the input.
 */
export function chatMessages(endpoint: OpenAIChat, request: SpecialistRequest): ChatMessage[] {
  const system: ChatMessage[] = endpoint.systemPrompt !== undefined ? [{ role: "system", content: endpoint.systemPrompt }] : [];
  const conversation: ChatMessage[] = request.messages?.length ? request.messages : [{ role: "user", content: request.input }];
  return [...system, ...conversation];
}

/** The request body of `POST {url}/chat/completions`; a stream asks for its usage in the last chunk. */
export function chatBody(endpoint: OpenAIChat, request: SpecialistRequest, stream: boolean): Record<string, unknown> {
  return { model: endpoint.model, messages: chatMessages(endpoint, request), ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}) };
}

/** Token counts of a reply and their cost under `pricing` (USD per million tokens). */
export function usageOf(usage: z.infer<typeof WireUsage> | null | undefined, pricing: OpenAIChat["pricing"]): Usage {
  if (!usage) return {};
  const out: Usage = { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens };
  if (pricing) out.costUsd = (usage.prompt_tokens * pricing.inputPerMTok + usage.completion_tokens * pricing.outputPerMTok) / 1_000_000;
  return out;
}

/** The hop output of a completion: its first choice. */
export function outputOf(completion: ChatCompletion): ChatOutput {
  const choice = completion.choices[0]!;
  return { text: choice.message.content ?? "", message: choice.message, finishReason: choice.finish_reason ?? null };
}

/** The first zod issue as `path: message`, for failure details. */
export function firstIssue(error: z.ZodError): string {
  const i = error.issues[0];
  return i ? `${i.path.map(String).join(".") || "(root)"}: ${i.message}` : "invalid";
}
