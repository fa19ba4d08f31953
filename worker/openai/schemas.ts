import { z } from "@hono/zod-openapi";

/** A message part: `{ type: "text", text }` (other part types are kept but carry no text). */
const ContentPart = z.looseObject({ type: z.string(), text: z.string().optional() });

/** One chat message as OpenAI clients send it. */
export const ChatMessageIn = z
  .looseObject({
    role: z.enum(["system", "developer", "user", "assistant", "tool"]),
    content: z.union([z.string(), z.array(ContentPart), z.null()]).optional(),
    name: z.string().optional(),
  })
  .openapi("ChatMessage");

/**
 * `POST /v1/chat/completions`. Fields OpenAI defines that the router does not use
 * (temperature, max_tokens, tools, …) are accepted and ignored.
 */
export const ChatCompletionRequest = z
  .looseObject({
    model: z.string().min(1).max(200).optional().openapi({ description: "'auto' (default) routes by intent; a specialist id pins", example: "auto" }),
    messages: z.array(ChatMessageIn).min(1).max(1000),
    stream: z.boolean().nullish(),
    stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
    n: z.literal(1).nullish().openapi({ description: "only 1 is supported" }),
  })
  .openapi("ChatCompletionRequest");
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequest>;

const OpenAIUsage = z.object({ prompt_tokens: z.number().int(), completion_tokens: z.number().int(), total_tokens: z.number().int() });

export const ChatCompletionResponse = z
  .object({
    id: z.string(),
    object: z.literal("chat.completion"),
    created: z.number().int(),
    model: z.string().openapi({ description: "the specialist that answered" }),
    choices: z.array(
      z.object({
        index: z.number().int(),
        message: z.looseObject({ role: z.literal("assistant"), content: z.string().nullable() }),
        finish_reason: z.string().nullable(),
        logprobs: z.null(),
      }),
    ),
    usage: OpenAIUsage,
    switchyard: z
      .object({
        hop: z.string(),
        specialist: z.string(),
        intent: z.object({ id: z.string(), label: z.string(), confidence: z.number() }).nullable(),
        reason: z.string(),
        costUsd: z.number(),
      })
      .openapi({ description: "Switchyard's routing decision (an extension; OpenAI clients ignore it)" }),
  })
  .openapi("ChatCompletion");

export const ModelObject = z.object({ id: z.string(), object: z.literal("model"), created: z.number().int(), owned_by: z.string() }).openapi("Model");
export const ModelList = z.object({ object: z.literal("list"), data: z.array(ModelObject) }).openapi("ModelList");

/** OpenAI's error body. */
export const OpenAIErrorBody = z
  .object({ error: z.object({ message: z.string(), type: z.string(), param: z.string().nullable(), code: z.string().nullable() }) })
  .openapi("OpenAIError");

/** An error response in OpenAI's shape (the OpenAI paths do not use problem+json). */
export const openAIErrorResponse = (description: string) => ({ description, content: { "application/json": { schema: OpenAIErrorBody } } });

/** Error responses of every OpenAI-compatible path. */
export const openAIErrors = {
  400: openAIErrorResponse("Bad input (invalid_request_error)"),
  401: openAIErrorResponse("Missing or unknown API key (authentication_error)"),
  413: openAIErrorResponse("Body too large"),
} as const;
