/**
 * The OpenAPI description of the Anthropic front door. Requests are validated with
 * wire.ts `MessagesRequest` (every known block checked, errors naming their path);
 * these schemas describe the same shapes for /openapi.json.
 */
import { z } from "@hono/zod-openapi";

const Block = z.looseObject({ type: z.string() });

export const MessagesRequestDoc = z
  .looseObject({
    model: z.string().min(1).max(200).openapi({ description: "'auto' routes by the last user message's intent; a specialist id pins", example: "auto" }),
    max_tokens: z.number().int().nonnegative(),
    messages: z.array(z.looseObject({ role: z.enum(["user", "assistant", "system"]), content: z.union([z.string(), z.array(Block)]) })).min(1).max(100_000),
    system: z.union([z.string(), z.array(Block)]).optional(),
    stream: z.boolean().optional(),
  })
  .openapi("AnthropicMessagesRequest", { description: "Anthropic Messages API request (docs/protocols/anthropic.md, 'Front door'): every other field is passed to an anthropic specialist as sent, translated for other chat models, or refused naming it" });

export const CountTokensRequestDoc = MessagesRequestDoc.omit({ max_tokens: true }).openapi("AnthropicCountTokensRequest");

export const MessageDoc = z
  .looseObject({
    id: z.string(),
    type: z.literal("message"),
    role: z.literal("assistant"),
    model: z.string().openapi({ description: "the model that answered: an anthropic or other chat model's own name, else the specialist id" }),
    content: z.array(Block),
    stop_reason: z.string().nullable(),
    stop_sequence: z.string().nullish(),
    usage: z.looseObject({ input_tokens: z.number().int(), output_tokens: z.number().int() }),
  })
  .openapi("AnthropicMessage");

export const CountTokensDoc = z.object({ input_tokens: z.number().int() }).openapi("AnthropicTokenCount");

export const AnthropicErrorDoc = z.object({ type: z.literal("error"), error: z.object({ type: z.string(), message: z.string() }) }).openapi("AnthropicError");

/** An error response in Anthropic's shape (the door does not use problem+json). */
export const anthropicErrorResponse = (description: string) => ({ description, content: { "application/json": { schema: AnthropicErrorDoc } } });

/** Error responses of every Anthropic-door path. */
export const anthropicErrors = {
  400: anthropicErrorResponse("Bad input (invalid_request_error), naming the field"),
  401: anthropicErrorResponse("Missing or unknown API key (authentication_error)"),
  403: anthropicErrorResponse("Tenant stopped by a kill switch (permission_error)"),
  404: anthropicErrorResponse("Unknown model (not_found_error)"),
  413: anthropicErrorResponse("Body too large (request_too_large)"),
  429: anthropicErrorResponse("Rate-limited (rate_limit_error; see Retry-After)"),
  503: anthropicErrorResponse("Router stopped by its kill switch, or no specialist (api_error)"),
} as const;

/** Who may call the door: the router key as a bearer token, or as `x-api-key` (what Anthropic's clients send). */
export const DOOR_SECURITY: Record<string, string[]>[] = [{ bearer: [] }, { anthropicApiKey: [] }];
