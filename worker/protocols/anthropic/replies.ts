/**
 * Replies both ways: an Anthropic `Message` → an OpenAI `chat.completion`, and an
 * OpenAI `chat.completion` → an Anthropic `Message`, with the stop reasons and usage
 * the streaming translation shares. Sources: Messages API, "Response" and "Handling
 * stop reasons"; OpenAI API reference, "The chat completion object". Pure.
 */
import type { CompletionUsage } from "openai/resources/completions";
import type { ContentBlock, Message, StopReason } from "@anthropic-ai/sdk/resources/messages";
import { translated, untranslatable, type Translation } from "../translation.ts";
import { isObj, type Completion, type Obj } from "./types.ts";
import type { AnthropicMessage, WireUsage } from "./wire.ts";

type FinishReason = Completion["choices"][number]["finish_reason"];

/**
 * Anthropic `stop_reason` → OpenAI `finish_reason`: `end_turn`, `stop_sequence` →
 * `stop`; `max_tokens`, `model_context_window_exceeded` → `length`; `tool_use` →
 * `tool_calls`; `refusal` → `content_filter`; `pause_turn` (a long server-tool turn
 * paused, unfinished; the router sends no server tools) → `length`, OpenAI's reason
 * for an unfinished answer; null or a newer reason → `stop`.
 */
export function finishReason(stop: string | null | undefined): FinishReason {
  switch (stop) {
    case "max_tokens":
    case "model_context_window_exceeded":
    case "pause_turn":
      return "length";
    case "tool_use":
      return "tool_calls";
    case "refusal":
      return "content_filter";
    default:
      return "stop";
  }
}

/**
 * OpenAI `finish_reason` → Anthropic `stop_reason`: `stop` → `end_turn` (OpenAI does not
 * say whether a stop sequence ended it); `length` → `max_tokens`; `tool_calls` and
 * `function_call` → `tool_use`; `content_filter` → `refusal`. A reply with tool calls
 * is `tool_use` whatever its finish reason (some OpenAI-compatible servers say `stop`),
 * since Anthropic clients run tools on `tool_use`.
 */
export function stopReason(finish: unknown, hasToolCalls: boolean): StopReason {
  if (hasToolCalls || finish === "tool_calls" || finish === "function_call") return "tool_use";
  if (finish === "length") return "max_tokens";
  if (finish === "content_filter") return "refusal";
  return "end_turn";
}

/**
 * Anthropic usage → OpenAI usage. Anthropic counts input in three parts (uncached,
 * read from the cache, written to it; their sum is the whole prompt: Messages API,
 * "usage"): `prompt_tokens` is their sum, `prompt_tokens_details.cached_tokens` the
 * cache reads, `completion_tokens` the output (thinking included, as OpenAI's
 * reasoning tokens are), `completion_tokens_details.reasoning_tokens` the thinking.
 */
export function openAIUsage(u: Pick<WireUsage, "input_tokens" | "output_tokens" | "cache_read_input_tokens" | "cache_creation_input_tokens" | "output_tokens_details">): CompletionUsage {
  const cached = u.cache_read_input_tokens ?? 0;
  const prompt = u.input_tokens + cached + (u.cache_creation_input_tokens ?? 0);
  const written = u.cache_creation_input_tokens ?? 0;
  // cache writes have no OpenAI field; `cache_creation_tokens` (only when there are any) lets them be priced apart
  const details = written > 0 ? { cached_tokens: cached, cache_creation_tokens: written } : { cached_tokens: cached };
  const out: CompletionUsage = { prompt_tokens: prompt, completion_tokens: u.output_tokens, total_tokens: prompt + u.output_tokens, prompt_tokens_details: details };
  if (u.output_tokens_details) out.completion_tokens_details = { reasoning_tokens: u.output_tokens_details.thinking_tokens };
  return out;
}

/**
 * OpenAI usage → Anthropic usage: the cached prompt tokens are `cache_read_input_tokens`,
 * the rest `input_tokens`; `cache_creation_input_tokens` is 0 (OpenAI charges nothing
 * for writing its cache and does not report it); reasoning tokens → thinking tokens.
 * No usage → zeros.
 */
export function anthropicUsage(u: unknown): Message["usage"] {
  const o = isObj(u) ? u : {};
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);
  const cached = num(isObj(o.prompt_tokens_details) ? o.prompt_tokens_details.cached_tokens : 0);
  const reasoning = isObj(o.completion_tokens_details) ? o.completion_tokens_details.reasoning_tokens : undefined;
  return {
    input_tokens: Math.max(0, num(o.prompt_tokens) - cached),
    output_tokens: num(o.completion_tokens),
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cached,
    cache_creation: null,
    inference_geo: null,
    output_tokens_details: typeof reasoning === "number" ? { thinking_tokens: reasoning } : null,
    server_tool_use: null,
    service_tier: null,
    speed: null,
  };
}

/**
 * A `Message` as a `chat.completion`: text blocks joined (as they are, no separator)
 * into `content` (`null` when there is none but tool calls); `tool_use` → `tool_calls`
 * (ids kept, `input` → JSON `arguments`); `thinking` blocks joined into the
 * non-standard `message.reasoning_content` (their signatures are not kept: a client
 * on Chat Completions cannot send them back); `redacted_thinking` and server tool
 * blocks left out; a refusal's explanation → `message.refusal`.
 *
 * @example
 * messageToCompletion({ id: "msg_1", type: "message", role: "assistant", model: "claude-sonnet-4-5", content: [{ type: "text", text: "Hi" }], stop_reason: "end_turn", usage: { input_tokens: 5, output_tokens: 2 } }, { created: 1700000000, model: "claude-sonnet-4-5" })
 * // { id: "msg_1", object: "chat.completion", created: 1700000000, model: "claude-sonnet-4-5", choices: [{ index: 0, message: { role: "assistant", content: "Hi", refusal: null }, finish_reason: "stop", logprobs: null }], usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7, … } }
 */
export function messageToCompletion(msg: AnthropicMessage, o: { id?: string; created: number; model: string }): Completion {
  let text: string | undefined;
  let thinking: string | undefined;
  const calls: { id: string; type: "function"; function: { name: string; arguments: string } }[] = [];
  for (const b of msg.content) {
    if (b.type === "text") text = (text ?? "") + (b.text ?? "");
    else if (b.type === "thinking") thinking = (thinking ?? "") + (b.thinking ?? "");
    else if (b.type === "tool_use") calls.push({ id: b.id ?? "", type: "function", function: { name: b.name ?? "", arguments: JSON.stringify(b.input ?? {}) } });
  }
  const message: Completion["choices"][number]["message"] = { role: "assistant", content: text ?? (calls.length ? null : ""), refusal: msg.stop_reason === "refusal" ? (msg.stop_details?.explanation ?? null) : null };
  if (calls.length) message.tool_calls = calls;
  if (thinking !== undefined) message.reasoning_content = thinking;
  return {
    id: o.id ?? msg.id,
    object: "chat.completion",
    created: o.created,
    model: o.model,
    choices: [{ index: 0, message, finish_reason: finishReason(msg.stop_reason), logprobs: null }],
    usage: openAIUsage(msg.usage),
  };
}

/**
 * A `chat.completion` (its first choice) as a `Message`: text and refusal parts → text
 * blocks, `tool_calls` → `tool_use` blocks (`arguments` parsed; `""` is `{}`). A
 * specialist's tool call whose arguments are not a JSON object cannot be a `tool_use`
 * (its `input` is an object): the translation fails, naming the field, and the hop is
 * a bad response rather than a call the client could not run. `reasoning_content` is
 * left out: the client did not ask for thinking (`thinking` is refused on the way in).
 * A non-empty `refusal` is a text block and `stop_reason: "refusal"`.
 *
 * @example
 * completionToMessage({ id: "chatcmpl-1", choices: [{ message: { role: "assistant", content: "Hi" }, finish_reason: "stop" }], usage: { prompt_tokens: 5, completion_tokens: 2 } }, { model: "auto" })
 * // { ok: true, value: { id: "chatcmpl-1", type: "message", role: "assistant", model: "auto", content: [{ type: "text", text: "Hi", citations: null }], stop_reason: "end_turn", … } }
 */
export function completionToMessage(c: Obj, o: { id?: string; model: string }): Translation<Message> {
  const choice = Array.isArray(c.choices) ? c.choices[0] : undefined;
  if (!isObj(choice) || !isObj(choice.message)) return untranslatable("choices", "'choices' has no choice with a message");
  const m = choice.message;
  const p = "choices.0.message";
  const content: ContentBlock[] = [];
  const text = (t: unknown) => typeof t === "string" && t !== "" && content.push({ type: "text", text: t, citations: null });
  if (Array.isArray(m.content)) {
    for (const [j, part] of m.content.entries()) {
      if (isObj(part) && part.type === "text") text(part.text);
      else if (isObj(part) && part.type === "refusal") text(part.refusal);
      else return untranslatable(`${p}.content.${j}`, `'${p}.content.${j}' is not a text part`);
    }
  } else text(m.content);
  const refused = typeof m.refusal === "string" && m.refusal !== "";
  text(m.refusal);
  const calls = Array.isArray(m.tool_calls) ? m.tool_calls : [];
  for (const [k, call] of calls.entries()) {
    const q = `${p}.tool_calls.${k}`;
    if (!isObj(call) || call.type !== "function" || !isObj(call.function)) return untranslatable(q, `'${q}' is not a function tool call`);
    const input = parseArguments(call.function.arguments);
    if (input === undefined) return untranslatable(`${q}.function.arguments`, `'${q}.function.arguments' is not a JSON object`);
    content.push({ type: "tool_use", id: String(call.id ?? ""), name: String(call.function.name ?? ""), input, caller: { type: "direct" } });
  }
  const stop: StopReason = refused ? "refusal" : stopReason(choice.finish_reason, calls.length > 0);
  return translated({
    id: o.id ?? (typeof c.id === "string" ? c.id : ""),
    type: "message",
    role: "assistant",
    model: o.model,
    content,
    stop_reason: stop,
    stop_sequence: null,
    stop_details: refused ? { type: "refusal", category: null, explanation: m.refusal as string } : null,
    container: null,
    diagnostics: null,
    usage: anthropicUsage(c.usage),
  });
}

/** Tool call arguments as a JSON object (`""` and absent are `{}`), or undefined. */
export function parseArguments(args: unknown): Obj | undefined {
  if (args === "" || args === undefined) return {};
  try {
    const v: unknown = JSON.parse(String(args));
    return isObj(v) ? v : undefined;
  } catch {
    return undefined;
  }
}
