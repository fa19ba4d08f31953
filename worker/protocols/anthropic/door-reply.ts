/**
 * Replies of the Anthropic front door, pure: a specialist that is not a chat model
 * answers as a `Message` with one text block; a whole `Message` is streamed as the
 * events Anthropic would have sent for it (for specialists called whole, and streams
 * screened before they are sent); a `Message`'s usage in the router's terms. Sources:
 * Messages API, "Response"; "Streaming Messages", "Event types".
 */
import type { Pricing } from "../../config/schema.ts";
import type { Usage } from "../../routing/hop.ts";
import { tokenUsage } from "../pricing.ts";
import { outputText } from "../openai/chat.ts";
import { isObj, type Obj } from "./types.ts";

/** What an Anthropic-door hop outputs: the reply as a Messages `Message`, and its text (for screening and logs). */
export interface MessageOutput {
  message: Obj;
  text: string;
}

/** The text of a `Message`: its text blocks joined. */
export function messageText(message: Obj): string {
  // Stryker disable next-line ArrayDeclaration: a list of anything but text blocks has no text either
  const content = Array.isArray(message.content) ? message.content : [];
  return content
    .filter((b): b is Obj => isObj(b) && b.type === "text" && typeof b.text === "string")
    .map((b) => b.text as string)
    .join("");
}

/**
 * The `Message` of a specialist that is not a chat model: one text block with its
 * output's `text` (or the output as JSON), `stop_reason: "end_turn"`, the hop's token
 * counts as usage (0 when it reported none).
 *
 * @example
 * textMessage({ id: "msg_1", model: "units" }, { text: "5 km = 3.1 mi" }, {})
 * // { id: "msg_1", type: "message", role: "assistant", model: "units", content: [{ type: "text", text: "5 km = 3.1 mi" }], stop_reason: "end_turn", stop_sequence: null, usage: { input_tokens: 0, output_tokens: 0 } }
 */
export function textMessage(base: { id: string; model: string }, output: unknown, usage: Usage): Obj {
  return {
    id: base.id,
    type: "message",
    role: "assistant",
    model: base.model,
    content: [{ type: "text", text: outputText(output) }],
    stop_reason: "end_turn",
    stop_sequence: null,
    usage: { input_tokens: usage.inputTokens ?? 0, output_tokens: usage.outputTokens ?? 0 },
  };
}

/**
 * A whole `Message` as the stream Anthropic sends for it: `message_start` (the message
 * with no content, `stop_reason: null`, output tokens 0), per block
 * `content_block_start` (text and thinking empty, a tool call with `input: {}`, any
 * other block whole), its deltas (`text_delta`; `input_json_delta` with the input as
 * JSON; `thinking_delta` and `signature_delta`), `content_block_stop`; then
 * `message_delta` (stop reason, stop sequence, usage) and `message_stop`.
 *
 * @example
 * messageEvents({ id: "msg_1", type: "message", role: "assistant", model: "units", content: [{ type: "text", text: "Hi" }], stop_reason: "end_turn", stop_sequence: null, usage: { input_tokens: 3, output_tokens: 1 } }).map((e) => e.type)
 * // ["message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop"]
 */
export function messageEvents(message: Obj): Obj[] {
  const { content, stop_reason, stop_sequence, usage, ...rest } = message;
  const u = isObj(usage) ? usage : {};
  const events: Obj[] = [{ type: "message_start", message: { ...rest, content: [], stop_reason: null, stop_sequence: null, usage: { ...u, output_tokens: 0 } } }];
  (Array.isArray(content) ? content : []).forEach((b, index) => {
    const block = isObj(b) ? b : { type: "text", text: "" };
    const delta = (d: Obj) => events.push({ type: "content_block_delta", index, delta: d });
    switch (block.type) {
      case "text":
        events.push({ type: "content_block_start", index, content_block: { ...block, text: "" } });
        if (typeof block.text === "string" && block.text !== "") delta({ type: "text_delta", text: block.text });
        break;
      case "tool_use":
        events.push({ type: "content_block_start", index, content_block: { ...block, input: {} } });
        delta({ type: "input_json_delta", partial_json: JSON.stringify(block.input ?? {}) });
        break;
      case "thinking":
        events.push({ type: "content_block_start", index, content_block: { ...block, thinking: "", signature: "" } });
        if (typeof block.thinking === "string" && block.thinking !== "") delta({ type: "thinking_delta", thinking: block.thinking });
        if (typeof block.signature === "string" && block.signature !== "") delta({ type: "signature_delta", signature: block.signature });
        break;
      default:
        events.push({ type: "content_block_start", index, content_block: block });
    }
    events.push({ type: "content_block_stop", index });
  });
  events.push({ type: "message_delta", delta: { stop_reason: stop_reason ?? "end_turn", stop_sequence: stop_sequence ?? null }, usage: { output_tokens: typeof u.output_tokens === "number" ? u.output_tokens : 0 } });
  events.push({ type: "message_stop" });
  return events;
}

// Stryker disable next-line EqualityOperator: at v = 0 either branch gives 0
const count = (v: unknown) => (typeof v === "number" && Number.isFinite(v) && v > 0 ? v : 0);

/**
 * Anthropic usage in the router's terms, priced: every input token counts (uncached,
 * read from the cache, written to it), reads and writes priced apart.
 *
 * @example
 * messageUsage({ input_tokens: 10, cache_read_input_tokens: 90, output_tokens: 5 }, undefined) // { inputTokens: 100, outputTokens: 5, cachedInputTokens: 90 }
 */
export function messageUsage(usage: unknown, pricing: Pricing | undefined): Usage {
  const u = isObj(usage) ? usage : {};
  const read = count(u.cache_read_input_tokens);
  const written = count(u.cache_creation_input_tokens);
  return tokenUsage({ inputTokens: count(u.input_tokens) + read + written, outputTokens: count(u.output_tokens), cachedInputTokens: read, cacheWriteInputTokens: written }, pricing);
}
