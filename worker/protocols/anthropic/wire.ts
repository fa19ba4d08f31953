/**
 * Anthropic Messages API wire shapes the router reads (https://docs.anthropic.com/en/api/messages,
 * streaming: https://docs.anthropic.com/en/docs/build-with-claude/streaming), as zod
 * schemas: a request body (for the `POST /v1/messages` front door), a `Message`
 * reply, the streaming events and the error body. Every object is loose: members the
 * router does not read pass through. Known content blocks are checked strictly enough
 * that a malformed one is a 400 naming its path (`messages.0.content.1.source.data`);
 * block types the router does not know pass, for a same-format specialist to take.
 * The official `@anthropic-ai/sdk` 1.14.0 types are the reference for every shape. Pure.
 */
import { z } from "zod";
import { isBase64, isHttpUrl } from "./types.ts";

/** `cache_control` of a block, a tool or the request (Messages API, "cache_control"). */
const CacheControl = z.looseObject({ type: z.literal("ephemeral"), ttl: z.enum(["5m", "1h"]).optional() }).nullish();

/**
 * A string or an array of `item`: a failure inside the array names its own path
 * (`messages.0.content.1.text`), where a plain union would only say the whole is invalid.
 */
function stringOr<T extends z.ZodType>(item: T) {
  const array = z.array(item);
  return z.custom<string | z.infer<T>[]>().superRefine((value, ctx) => {
    if (typeof value === "string") return;
    if (!Array.isArray(value)) return void ctx.addIssue({ code: "custom", message: "expected a string or an array of content blocks" });
    const r = array.safeParse(value);
    // Stryker disable next-line StringLiteral: an issue's code is not read (the router reports its path and message)
    if (!r.success) for (const issue of r.error.issues) ctx.addIssue({ code: "custom", message: issue.message, path: issue.path });
  });
}

/** `{ type: "text", text }` (Messages API, "Text content block"). */
export const TextBlock = z.looseObject({ type: z.literal("text"), text: z.string(), cache_control: CacheControl });

/** Base64 data (what Anthropic decodes; anything else it would refuse, and a translation would pass on as garbage). */
const Base64Data = z.string().refine(isBase64, "must be base64 (A–Z, a–z, 0–9, + and /, padded with =)");

/** An image: `source` base64 (`media_type`, `data`), `url` (an absolute http(s) URL) or `file` (Messages API, "Image content block"). */
const ImageBlock = z.looseObject({
  type: z.literal("image"),
  source: z.discriminatedUnion("type", [
    z.looseObject({ type: z.literal("base64"), media_type: z.enum(["image/jpeg", "image/png", "image/gif", "image/webp"]), data: Base64Data }),
    z.looseObject({ type: z.literal("url"), url: z.string().refine(isHttpUrl, "must be an absolute http(s) URL") }),
    z.looseObject({ type: z.literal("file"), file_id: z.string().min(1) }),
  ]),
  cache_control: CacheControl,
});

/** A document (PDF or plain text): `source` base64, `text`, `url`, `content` or `file` (Messages API, "Document content block"). */
const DocumentBlock = z.looseObject({
  type: z.literal("document"),
  source: z.looseObject({ type: z.string() }).superRefine((source, ctx) => {
    if (source.type === "base64" && !(typeof source.data === "string" && isBase64(source.data))) ctx.addIssue({ code: "custom", path: ["data"], message: "must be base64 (A–Z, a–z, 0–9, + and /, padded with =)" });
  }),
  cache_control: CacheControl,
});

/** A tool call in an assistant turn (Messages API, "Tool use content block"). */
const ToolUseBlock = z.looseObject({ type: z.literal("tool_use"), id: z.string().min(1), name: z.string().min(1), input: z.unknown(), cache_control: CacheControl });

/** A tool's result in a user turn: `content` a string or text/image blocks (Messages API, "Tool result content block"). */
const ToolResultBlock = z.looseObject({
  type: z.literal("tool_result"),
  tool_use_id: z.string().min(1),
  content: stringOr(z.looseObject({ type: z.string() })).optional(),
  is_error: z.boolean().optional(),
  cache_control: CacheControl,
});

/** Extended thinking blocks passed back in assistant turns (Messages API, "Thinking content block"). */
const ThinkingBlock = z.looseObject({ type: z.literal("thinking"), thinking: z.string(), signature: z.string() });
const RedactedThinkingBlock = z.looseObject({ type: z.literal("redacted_thinking"), data: z.string() });

const KNOWN_BLOCKS: Record<string, z.ZodType> = {
  text: TextBlock,
  image: ImageBlock,
  document: DocumentBlock,
  tool_use: ToolUseBlock,
  tool_result: ToolResultBlock,
  thinking: ThinkingBlock,
  redacted_thinking: RedactedThinkingBlock,
};

/** Any content block: a known type is checked against its schema, an unknown one passes with its `type`. */
export const ContentBlock = z.looseObject({ type: z.string().min(1) }).superRefine((block, ctx) => {
  const schema = KNOWN_BLOCKS[block.type];
  if (!schema) return;
  const r = schema.safeParse(block);
  // Stryker disable next-line StringLiteral: an issue's code is not read (the router reports its path and message)
  if (!r.success) for (const issue of r.error.issues) ctx.addIssue({ code: "custom", message: issue.message, path: issue.path });
});
export type ContentBlock = z.infer<typeof ContentBlock> & Record<string, unknown>;

/** One input message. `system` is the role API version 2026-10-21 adds for instructions mid-conversation (SDK `SystemMessageParam`). */
export const MessageParam = z.looseObject({
  role: z.enum(["user", "assistant", "system"]),
  content: stringOr(ContentBlock),
});

/** `tools[n]`: a client tool (`name`, `input_schema`) or a server tool (`type` other than `custom`). */
const ToolDefinition = z.looseObject({
  name: z.string().min(1),
  type: z.string().nullish(),
  description: z.string().optional(),
  input_schema: z.looseObject({ type: z.string() }).optional(),
  cache_control: CacheControl,
});

/** `tool_choice` (Messages API, "tool_choice"). */
const ToolChoice = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("auto"), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal("any"), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal("tool"), name: z.string().min(1), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal("none") }),
]);

/**
 * `POST /v1/messages` body (Messages API, "Create a Message"): `model`, `max_tokens`
 * and `messages` required; `system`, `stop_sequences`, `stream`, `metadata`,
 * `tools`, `tool_choice`, `thinking`, `output_config` and the sampling fields checked
 * when present; anything else passes through. `temperature`, `top_p` and `top_k` are
 * API version 2023-06-01 fields (2026-10-21 removed them): checked for range here,
 * refused or mapped by the translation.
 */
export const MessagesRequest = z.looseObject({
  model: z.string().min(1).max(200),
  max_tokens: z.number().int().nonnegative(),
  messages: z.array(MessageParam).min(1).max(100_000),
  system: stringOr(TextBlock).optional(),
  stop_sequences: z.array(z.string()).optional(),
  stream: z.boolean().optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().nonnegative().optional(),
  metadata: z.looseObject({ user_id: z.string().nullish() }).optional(),
  tools: z.array(ToolDefinition).optional(),
  tool_choice: ToolChoice.optional(),
  thinking: z.looseObject({ type: z.enum(["enabled", "disabled", "adaptive", "between_tools"]) }).optional(),
  output_config: z
    .looseObject({
      effort: z.enum(["low", "medium", "high", "xhigh", "max"]).nullish(),
      format: z.looseObject({ type: z.literal("json_schema"), schema: z.record(z.string(), z.unknown()) }).nullish(),
    })
    .optional(),
});
export type MessagesRequest = z.infer<typeof MessagesRequest>;

/** `usage` of a `Message` (and of `message_start`); the cache members are null or absent when there was no caching. */
export const WireUsage = z.looseObject({
  input_tokens: z.number().int().nonnegative(),
  output_tokens: z.number().int().nonnegative(),
  cache_creation_input_tokens: z.number().int().nonnegative().nullish(),
  cache_read_input_tokens: z.number().int().nonnegative().nullish(),
  output_tokens_details: z.looseObject({ thinking_tokens: z.number().int().nonnegative() }).nullish(),
});
export type WireUsage = z.infer<typeof WireUsage>;

/** A content block of a reply: `text`, `tool_use`, `thinking`, `redacted_thinking`, or a server tool's block. */
const ReplyBlock = z.looseObject({
  type: z.string(),
  text: z.string().optional(),
  id: z.string().optional(),
  name: z.string().optional(),
  input: z.unknown().optional(),
  thinking: z.string().optional(),
});

/** Why a refusal stopped the reply (SDK `RefusalStopDetails`). */
const StopDetails = z.looseObject({ type: z.string(), explanation: z.string().nullish() }).nullish();

/** The `Message` object (Messages API, "Response"): what a non-streamed call answers. */
export const AnthropicMessage = z.looseObject({
  id: z.string(),
  type: z.literal("message"),
  role: z.literal("assistant"),
  content: z.array(ReplyBlock),
  model: z.string(),
  stop_reason: z.string().nullable(),
  stop_sequence: z.string().nullish(),
  stop_details: StopDetails,
  usage: WireUsage,
});
export type AnthropicMessage = z.infer<typeof AnthropicMessage>;

/** `usage` of `message_delta`: cumulative; `output_tokens` always, the others when the API reports them. */
const DeltaUsage = z.looseObject({
  output_tokens: z.number().int().nonnegative(),
  input_tokens: z.number().int().nonnegative().nullish(),
  cache_creation_input_tokens: z.number().int().nonnegative().nullish(),
  cache_read_input_tokens: z.number().int().nonnegative().nullish(),
  output_tokens_details: z.looseObject({ thinking_tokens: z.number().int().nonnegative() }).nullish(),
});

/** The deltas of `content_block_delta` the router reads; others (`citations_delta`, newer ones) pass as `{ type }`. */
const BlockDelta = z.union([
  z.looseObject({ type: z.literal("text_delta"), text: z.string() }),
  z.looseObject({ type: z.literal("input_json_delta"), partial_json: z.string() }),
  z.looseObject({ type: z.literal("thinking_delta"), thinking: z.string() }),
  z.looseObject({ type: z.literal("signature_delta"), signature: z.string() }),
  z.looseObject({ type: z.string().refine((t) => !["text_delta", "input_json_delta", "thinking_delta", "signature_delta"].includes(t)) }),
]);

/** Anthropic's error body, in a response and as a stream's `error` event (API reference, "Errors"). */
export const AnthropicError = z.looseObject({
  type: z.literal("error"),
  error: z.looseObject({ type: z.string(), message: z.string() }),
});
export type AnthropicError = z.infer<typeof AnthropicError>;

/**
 * One streamed event (Streaming Messages, "Event types"): `message_start`,
 * `content_block_start`, `content_block_delta`, `content_block_stop`,
 * `message_delta`, `message_stop`, `ping`, `error`. The API may add event types
 * ("Other events": handle them gracefully), so the schema is used per known `type`
 * by {@link parseStreamEvent}, and an unknown type is `{ type }`.
 */
export const StreamEvent = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("message_start"), message: AnthropicMessage }),
  z.looseObject({ type: z.literal("content_block_start"), index: z.number().int().nonnegative(), content_block: ReplyBlock }),
  z.looseObject({ type: z.literal("content_block_delta"), index: z.number().int().nonnegative(), delta: BlockDelta }),
  z.looseObject({ type: z.literal("content_block_stop"), index: z.number().int().nonnegative() }),
  z.looseObject({
    type: z.literal("message_delta"),
    delta: z.looseObject({ stop_reason: z.string().nullish(), stop_sequence: z.string().nullish(), stop_details: StopDetails }),
    usage: DeltaUsage.nullish(),
  }),
  z.looseObject({ type: z.literal("message_stop") }),
  z.looseObject({ type: z.literal("ping") }),
  AnthropicError,
]);
export type StreamEvent = z.infer<typeof StreamEvent>;

/** A streamed event of a type this router does not know (kept, to be ignored). */
export type OtherEvent = { type: string; [k: string]: unknown };

const EVENT_TYPES = new Set(["message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop", "ping", "error"]);

/**
 * One event's `data` (already JSON-parsed) as a typed event, an unknown type as
 * `{ type }`, or the first issue of a malformed known event.
 *
 * @example
 * parseStreamEvent({ type: "ping" }) // { ok: true, event: { type: "ping" } }
 * parseStreamEvent({ type: "content_block_delta", index: 0 }) // { ok: false, detail: "delta: …" }
 */
export function parseStreamEvent(data: unknown): { ok: true; event: StreamEvent | OtherEvent } | { ok: false; detail: string } {
  const type = typeof data === "object" && data !== null ? (data as { type?: unknown }).type : undefined;
  if (typeof type !== "string") return { ok: false, detail: "the event has no type" };
  if (!EVENT_TYPES.has(type)) return { ok: true, event: data as OtherEvent };
  const r = StreamEvent.safeParse(data);
  if (r.success) return { ok: true, event: r.data };
  const i = r.error.issues[0]!;
  return { ok: false, detail: `${i.path.map(String).join(".") || "(root)"}: ${i.message}` };
}
