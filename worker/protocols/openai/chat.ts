import type { ChatMessage, Usage } from "../../routing/hop.ts";
import { contentText } from "./wire.ts";

/** What a message says: its string content, or its text parts joined by newlines. */
export function messageText(m: Pick<ChatMessage, "content">): string {
  return contentText(m.content);
}

/** The text of the last user message: what the intent is classified from. */
export function lastUserText(messages: readonly Pick<ChatMessage, "role" | "content">[]): string | undefined {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.role === "user") return messageText(messages[i]!);
  return undefined;
}

/** A `chat.completion` object (OpenAI API reference, "The chat completion object"). */
export type Completion = Record<string, unknown> & { choices: Record<string, unknown>[] };

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

/**
 * The `chat.completion` of a specialist that is not a chat model: one choice whose
 * assistant message is the output's text (`refusal: null`, as OpenAI's messages have).
 *
 * @example
 * textCompletion({ id: "chatcmpl-1", created: 1, model: "units" }, { text: "5 km = 3.1 mi" }, {})
 * // { id: "chatcmpl-1", object: "chat.completion", …, choices: [{ index: 0, message: { role: "assistant", content: "5 km = 3.1 mi", refusal: null }, finish_reason: "stop", logprobs: null }], usage: { prompt_tokens: 0, … } }
 */
export function textCompletion(base: { id: string; created: number; model: string }, output: unknown, usage: Usage): Completion {
  return {
    id: base.id,
    object: "chat.completion",
    created: base.created,
    model: base.model,
    choices: [{ index: 0, message: { role: "assistant", content: outputText(output), refusal: null }, finish_reason: "stop", logprobs: null }],
    usage: openAIUsage(usage),
  };
}

/** One SSE event: `data: <json>` (or `data: [DONE]`) and a blank line. */
export function sseData(data: unknown): string {
  return `data: ${data === "[DONE]" ? data : JSON.stringify(data)}\n\n`;
}

/**
 * A whole completion as the stream OpenAI would have sent for it (OpenAI API reference,
 * "The chat completion chunk object"): per choice, one chunk with the message as its
 * delta (tool calls with their `index`), then one with its `finish_reason`; with
 * `includeUsage`, every chunk has `usage: null` and a last chunk with `choices: []`
 * carries the usage; then `[DONE]`. Used for specialists that do not stream.
 */
export function completionEvents(completion: Completion, includeUsage: boolean): string[] {
  const { object: _o, choices, usage, switchyard: _s, ...top } = completion;
  const chunk = (choice: Record<string, unknown>) => ({ ...top, object: "chat.completion.chunk", choices: [choice], ...(includeUsage ? { usage: null } : {}) });
  const events: string[] = [];
  for (const [i, c] of choices.entries()) {
    const index = typeof c.index === "number" ? c.index : i;
    const { role, content, tool_calls, ...rest } = (c.message ?? {}) as Record<string, unknown>;
    const delta: Record<string, unknown> = { role: role ?? "assistant", content: content == null ? null : contentText(content), ...rest };
    if (Array.isArray(tool_calls)) delta.tool_calls = tool_calls.map((t, k) => ({ index: k, ...(t as object) }));
    events.push(sseData(chunk({ index, delta, logprobs: c.logprobs ?? null, finish_reason: null })));
    events.push(sseData(chunk({ index, delta: {}, logprobs: null, finish_reason: c.finish_reason ?? "stop" })));
  }
  if (includeUsage) events.push(sseData({ ...top, object: "chat.completion.chunk", choices: [], usage: usage ?? null }));
  events.push(sseData("[DONE]"));
  return events;
}
