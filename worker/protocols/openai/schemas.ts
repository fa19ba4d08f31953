import { z } from "@hono/zod-openapi";

/** A message part: `{ type: "text", text }`, `image_url`, `input_audio`, `file`, … (passed on as sent). */
const ContentPart = z.looseObject({ type: z.string(), text: z.string().optional() });

/** Roles whose `content` OpenAI requires (only an assistant message, with tool calls, and a deprecated function message may go without). */
const CONTENT_REQUIRED = new Set(["system", "developer", "user", "tool"]);

/** One chat message as OpenAI clients send it (every other member passed on as sent); a user, system, developer or tool message needs its `content`. */
export const ChatMessageIn = z
  .looseObject({
    role: z.enum(["system", "developer", "user", "assistant", "tool", "function"]),
    content: z.union([z.string(), z.array(ContentPart), z.null()]).optional(),
    name: z.string().optional(),
  })
  .superRefine((m, ctx) => {
    if (CONTENT_REQUIRED.has(m.role) && (m.content === undefined || m.content === null)) ctx.addIssue({ code: "custom", path: ["content"], message: `a ${m.role} message needs content` });
  })
  .openapi("ChatMessage");

/**
 * `POST /v1/chat/completions`. The router reads `model`, `messages`, `stream` and
 * `stream_options`, and checks the documented scalar fields' types and ranges; every
 * other field (documented or not) reaches an `openai-chat`
 * specialist unchanged, or decides which specialists can take the request (docs/protocols/openai.md,
 * "Capabilities"): a field no candidate can honour is a 400 naming it.
 */
export const ChatCompletionRequest = z
  .looseObject({
    model: z.string().min(1).max(200).optional().openapi({ description: "'auto' (default) routes by intent; a specialist id pins", example: "auto" }),
    messages: z.array(ChatMessageIn).min(1).max(1000),
    stream: z.boolean().nullish(),
    stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
    n: z.number().int().min(1).max(128).nullish().openapi({ description: "choices to generate; more than 1 needs a specialist with capabilities.multipleChoices" }),
    // the documented scalar fields, with their types and ranges (OpenAI API reference, "Create chat completion"):
    // checked here so a wrong one is a 400 naming it on every path, not sent upstream or ignored
    temperature: z.number().min(0).max(2).nullish(),
    top_p: z.number().min(0).max(1).nullish(),
    max_tokens: z.number().int().min(1).nullish(),
    max_completion_tokens: z.number().int().min(1).nullish(),
    presence_penalty: z.number().min(-2).max(2).nullish(),
    frequency_penalty: z.number().min(-2).max(2).nullish(),
    seed: z.number().int().nullish(),
    stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
    user: z.string().nullish(),
    metadata: z.record(z.string().max(64), z.string().max(512)).nullish(),
    store: z.boolean().nullish(),
    logit_bias: z.record(z.string(), z.number().min(-100).max(100)).nullish(),
    service_tier: z.string().nullish(),
  })
  .openapi("ChatCompletionRequest");
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequest>;

const OpenAIUsage = z.looseObject({ prompt_tokens: z.number().int(), completion_tokens: z.number().int(), total_tokens: z.number().int() });

export const ChatCompletionResponse = z
  .looseObject({
    id: z.string(),
    object: z.literal("chat.completion"),
    created: z.number().int(),
    model: z.string().openapi({ description: "the model that answered: the upstream's own for a chat model, else the specialist id" }),
    choices: z.array(
      z.looseObject({
        index: z.number().int(),
        message: z.looseObject({ role: z.literal("assistant"), content: z.union([z.string(), z.array(z.looseObject({ type: z.string() }))]).nullable() }),
        finish_reason: z.string().nullable(),
      }),
    ),
    usage: OpenAIUsage.nullish(),
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
