import type { ChatOutput } from "../adapters/openai-wire.ts";
import type { ChatMessage, Usage } from "../adapters/types.ts";

/** What a message says: its string content, or its text parts joined by newlines. */
export function messageText(m: Pick<ChatMessage, "content">): string {
  if (typeof m.content === "string") return m.content;
  if (!Array.isArray(m.content)) return "";
  return m.content
    .map((p) => (p.type === "text" && typeof p.text === "string" ? p.text : ""))
    .filter(Boolean)
    .join("\n");
}

/** The text of the last user message: what the intent is classified from. */
export function lastUserText(messages: readonly ChatMessage[]): string | undefined {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.role === "user") return messageText(messages[i]!);
  return undefined;
}

/** The assistant message and finish reason of a hop's output. */
export interface Reply {
  message: { role: "assistant"; content: string | null; [k: string]: unknown };
  finishReason: string;
}

/**
 * Wraps a specialist's output as an assistant message: a chat model's own message,
 * else the output's `text` when it has one, a string as is, anything else as JSON.
 *
 * @example
 * replyOf({ text: "5 km = 3.10686 mi", value: 3.10686 }, false) // { message: { role: "assistant", content: "5 km = 3.10686 mi" }, finishReason: "stop" }
 */
export function replyOf(output: unknown, fromChatModel: boolean): Reply {
  if (fromChatModel) {
    const o = output as ChatOutput;
    return { message: { ...o.message, role: "assistant", content: o.message.content ?? null }, finishReason: o.finishReason ?? "stop" };
  }
  return { message: { role: "assistant", content: outputText(output) }, finishReason: "stop" };
}

/** A non-chat output as text: its `text` field, a string as is, else JSON. */
export function outputText(output: unknown): string {
  if (typeof output === "string") return output;
  if (typeof output === "object" && output !== null && typeof (output as { text?: unknown }).text === "string") return (output as { text: string }).text;
  return JSON.stringify(output) ?? "null";
}

/** OpenAI's `usage` from the hop's usage (0 for what the specialist did not report). */
export function openAIUsage(u: Usage): { prompt_tokens: number; completion_tokens: number; total_tokens: number } {
  const prompt = u.inputTokens ?? 0;
  const completion = u.outputTokens ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/** Fields every chunk of one streamed completion shares. */
export interface ChunkBase {
  id: string;
  created: number;
  /** The specialist that answered. */
  model: string;
}

/** A `chat.completion.chunk` with one choice. */
export function chunk(base: ChunkBase, delta: Record<string, unknown>, finishReason: string | null = null): Record<string, unknown> {
  return { id: base.id, object: "chat.completion.chunk", created: base.created, model: base.model, choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }] };
}

/** The final usage chunk (`choices: []`), sent only when the client asked for it. */
export function usageChunk(base: ChunkBase, usage: Usage): Record<string, unknown> {
  return { id: base.id, object: "chat.completion.chunk", created: base.created, model: base.model, choices: [], usage: openAIUsage(usage) };
}

/** One SSE event: `data: <json>` (or `data: [DONE]`) and a blank line. */
export function sseData(data: unknown): string {
  return `data: ${data === "[DONE]" ? data : JSON.stringify(data)}\n\n`;
}

/**
 * The whole stream of a reply that did not come as a stream: one content chunk,
 * a finish chunk, the usage chunk if asked for, `[DONE]`.
 */
export function replyEvents(base: ChunkBase, reply: Reply, usage: Usage, includeUsage: boolean): string[] {
  const { role: _role, content, ...rest } = reply.message;
  return [
    sseData(chunk(base, { role: "assistant", content: content ?? "", ...rest })),
    sseData(chunk(base, {}, reply.finishReason)),
    ...(includeUsage ? [sseData(usageChunk(base, usage))] : []),
    sseData("[DONE]"),
  ];
}

/**
 * An upstream chunk as the client gets it: the same, with `model` set to the
 * specialist; without the client's `include_usage`, the usage-only chunk is dropped
 * (null) and `usage` removed from the others.
 */
export function rewriteChunk(upstream: Record<string, unknown>, model: string, includeUsage: boolean): Record<string, unknown> | null {
  if (includeUsage) return { ...upstream, model };
  const { usage: _usage, ...rest } = upstream;
  if (Array.isArray(rest.choices) && rest.choices.length === 0) return null;
  return { ...rest, model };
}
