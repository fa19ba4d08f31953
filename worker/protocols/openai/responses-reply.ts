/**
 * Replies of the Responses door, pure: a `chat.completion` → a `Response` object
 * (OpenAI API reference, "The response object"); a specialist that is not a chat
 * model → a `Response` with one message; a whole `Response` → the streaming events
 * OpenAI would have sent for it ("Streaming events"). The SDK computes `output_text`
 * from `output` itself; it is not sent.
 */
import type { Usage } from "../../routing/hop.ts";
import { translated, untranslatable, type Translation } from "../translation.ts";
import { outputText } from "./chat.ts";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
// Stryker disable next-line EqualityOperator: at v = 0 either branch gives 0
const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : 0);

/** What a Responses-door hop outputs: the `Response`, and its text (for screening and logs). */
export interface ResponseOutput {
  response: Obj;
  text: string;
}

/** A fresh id with OpenAI's prefix for its kind (`resp`, `msg`, `fc`, `rs`). */
export const newItemId = (prefix: "resp" | "msg" | "fc" | "rs") => `${prefix}_${crypto.randomUUID().replaceAll("-", "")}`;

/** What a `Response` echoes of its request (OpenAI's reply carries the request's settings). */
export function echoOf(req: Obj): Obj {
  const tools = Array.isArray(req.tools) ? req.tools : [];
  const text = isObj(req.text) ? req.text : {};
  return {
    instructions: req.instructions ?? null,
    max_output_tokens: req.max_output_tokens ?? null,
    metadata: req.metadata ?? {},
    parallel_tool_calls: req.parallel_tool_calls ?? true,
    previous_response_id: null,
    reasoning: { effort: (isObj(req.reasoning) ? req.reasoning.effort : undefined) ?? null, summary: null },
    store: false,
    temperature: req.temperature ?? null,
    text: { format: text.format ?? { type: "text" }, ...(text.verbosity ? { verbosity: text.verbosity } : {}) },
    tool_choice: req.tool_choice ?? "auto",
    tools,
    top_p: req.top_p ?? null,
    truncation: "disabled",
    ...(typeof req.user === "string" ? { user: req.user } : {}),
    ...(typeof req.safety_identifier === "string" ? { safety_identifier: req.safety_identifier } : {}),
    ...(typeof req.prompt_cache_key === "string" ? { prompt_cache_key: req.prompt_cache_key } : {}),
  };
}

/** The identity and echo of a `Response`: `resp_…` id, creation time (s), model, and the request's settings. */
export interface ResponseBase {
  id: string;
  created_at: number;
  model: string;
  echo: Obj;
}

/** Responses `usage` from a Chat Completions `usage` (cached and reasoning tokens in their details). */
export function responsesUsage(u: unknown): Obj {
  const usage = isObj(u) ? u : {};
  const input = num(usage.prompt_tokens);
  const output = num(usage.completion_tokens);
  const pd = isObj(usage.prompt_tokens_details) ? usage.prompt_tokens_details : {};
  const cd = isObj(usage.completion_tokens_details) ? usage.completion_tokens_details : {};
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: num(pd.cached_tokens), cache_write_tokens: num(pd.cache_creation_tokens) },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: num(cd.reasoning_tokens) },
    total_tokens: typeof usage.total_tokens === "number" ? usage.total_tokens : input + output,
  };
}

/** The status of a Response for a Chat Completions finish reason: `length` and `content_filter` are incomplete. */
export function statusFor(finish: unknown): { status: "completed" | "incomplete"; incomplete_details: { reason: string } | null } {
  if (finish === "length") return { status: "incomplete", incomplete_details: { reason: "max_output_tokens" } };
  if (finish === "content_filter") return { status: "incomplete", incomplete_details: { reason: "content_filter" } };
  return { status: "completed", incomplete_details: null };
}

/** A Response with its output and status. */
export function responseObject(base: ResponseBase, output: Obj[], finish: unknown, usage: Obj | null): Obj {
  const { status, incomplete_details } = statusFor(finish);
  return {
    id: base.id,
    object: "response",
    created_at: base.created_at,
    status,
    background: false,
    completed_at: status === "completed" ? Math.floor(Date.now() / 1000) : null,
    error: null,
    incomplete_details,
    model: base.model,
    output,
    ...base.echo,
    usage,
  };
}

/** The output items of one assistant message: its reasoning (`reasoning_content`), its text and refusal as a message, its tool calls as function_call items. */
export function outputItems(message: Obj, status: "completed" | "incomplete" = "completed"): Translation<Obj[]> {
  const items: Obj[] = [];
  if (typeof message.reasoning_content === "string" && message.reasoning_content !== "")
    items.push({ id: newItemId("rs"), type: "reasoning", summary: [], content: [{ type: "reasoning_text", text: message.reasoning_content }], status });
  const content: Obj[] = [];
  const text = message.content === null || message.content === undefined ? "" : Array.isArray(message.content) ? partsText(message.content) : String(message.content);
  if (text !== "") content.push({ type: "output_text", text, annotations: [], logprobs: [] });
  if (typeof message.refusal === "string" && message.refusal !== "") content.push({ type: "refusal", refusal: message.refusal });
  if (content.length > 0) items.push({ id: newItemId("msg"), type: "message", role: "assistant", status, content });
  const calls = Array.isArray(message.tool_calls) ? message.tool_calls : [];
  for (const [k, c] of calls.entries()) {
    const call = isObj(c) ? c : {};
    const fn = isObj(call.function) ? call.function : {};
    if (call.type !== undefined && call.type !== "function") return untranslatable(`tool_calls.${k}`, `a '${String(call.type)}' tool call has no Responses equivalent`);
    if (typeof fn.name !== "string") return untranslatable(`tool_calls.${k}`, "a tool call without a function name");
    items.push({ id: newItemId("fc"), type: "function_call", status: "completed", call_id: typeof call.id === "string" ? call.id : `call_${k}`, name: fn.name, arguments: typeof fn.arguments === "string" ? fn.arguments : "" });
  }
  // an empty answer is still one (empty) message, as OpenAI's are
  if (items.length === 0) items.push({ id: newItemId("msg"), type: "message", role: "assistant", status, content: [{ type: "output_text", text: "", annotations: [], logprobs: [] }] });
  return translated(items);
}

function partsText(parts: unknown[]): string {
  return parts
    .filter((p): p is Obj => isObj(p) && p.type === "text" && typeof p.text === "string")
    .map((p) => p.text as string)
    .join("");
}

/**
 * A `chat.completion` (its first choice) as a `Response`.
 *
 * @example
 * completionToResponse({ model: "gpt-x", choices: [{ message: { role: "assistant", content: "Hi" }, finish_reason: "stop" }], usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } }, base)
 * // { ok: true, value: { object: "response", status: "completed", output: [{ type: "message", content: [{ type: "output_text", text: "Hi", annotations: [] … }] }], usage: { input_tokens: 3, … } } }
 */
export function completionToResponse(completion: Obj, base: ResponseBase): Translation<Obj> {
  const choice = Array.isArray(completion.choices) && isObj(completion.choices[0]) ? completion.choices[0] : undefined;
  if (!choice || !isObj(choice.message)) return untranslatable("choices", "the reply has no message");
  const { status } = statusFor(choice.finish_reason);
  const items = outputItems(choice.message, status);
  if (!items.ok) return items;
  return translated(responseObject(base, items.value, choice.finish_reason, completion.usage === undefined || completion.usage === null ? null : responsesUsage(completion.usage)));
}

/**
 * The `Response` of a specialist that is not a chat model: one message with its
 * output's `text` (or the output as JSON), the hop's token counts as usage.
 */
export function textResponse(base: ResponseBase, output: unknown, usage: Usage): Obj {
  const items = [{ id: newItemId("msg"), type: "message", role: "assistant", status: "completed", content: [{ type: "output_text", text: outputText(output), annotations: [], logprobs: [] }] }];
  // Stryker disable next-line StringLiteral: any finish reason but length and content_filter is "completed"
  return responseObject(base, items, "stop", responsesUsage({ prompt_tokens: usage.inputTokens ?? 0, completion_tokens: usage.outputTokens ?? 0 }));
}

/** The text of a Response: its messages' output_text joined (what `output_text` is in the SDK). */
export function responseText(response: Obj): string {
  const out: string[] = [];
  // Stryker disable next-line ArrayDeclaration: a list of anything but message items has no text either
  for (const item of Array.isArray(response.output) ? response.output : []) {
    if (!isObj(item) || item.type !== "message" || !Array.isArray(item.content)) continue;
    for (const p of item.content) if (isObj(p) && p.type === "output_text" && typeof p.text === "string") out.push(p.text);
  }
  return out.join("");
}

/** One SSE event of the Responses stream: `event: <type>` and its JSON. */
export const sseResponseEvent = (e: Obj): string => `event: ${String(e.type)}\ndata: ${JSON.stringify(e)}\n\n`;

/** A Response in progress: no output, no usage, as `response.created` and `response.in_progress` carry it. */
export function inProgress(response: Obj): Obj {
  return { ...response, status: "in_progress", completed_at: null, incomplete_details: null, output: [], usage: null };
}

/**
 * A whole `Response` as the events OpenAI streams for it: `response.created`,
 * `response.in_progress`, per output item `response.output_item.added`, its content
 * (a message's parts: `response.content_part.added`, one `response.output_text.delta`
 * or `response.refusal.delta`, its `.done`, `response.content_part.done`; a function
 * call's `response.function_call_arguments.delta` and `.done`; reasoning text's
 * `response.reasoning_text.delta` and `.done`), `response.output_item.done`; then
 * `response.completed` (or `response.incomplete`). Each event has its
 * `sequence_number`, from 0.
 */
export function responseEvents(response: Obj): Obj[] {
  const events: Obj[] = [];
  const emit = (e: Obj) => events.push({ ...e, sequence_number: events.length });
  emit({ type: "response.created", response: inProgress(response) });
  emit({ type: "response.in_progress", response: inProgress(response) });
  const output = Array.isArray(response.output) ? (response.output as Obj[]) : [];
  output.forEach((item, output_index) => {
    const id = item.id as string;
    if (item.type === "function_call") {
      emit({ type: "response.output_item.added", output_index, item: { ...item, status: "in_progress", arguments: "" } });
      emit({ type: "response.function_call_arguments.delta", item_id: id, output_index, delta: item.arguments });
      emit({ type: "response.function_call_arguments.done", item_id: id, output_index, arguments: item.arguments });
    } else {
      const parts = Array.isArray(item.content) ? (item.content as Obj[]) : [];
      emit({ type: "response.output_item.added", output_index, item: { ...item, status: "in_progress", content: [] } });
      parts.forEach((part, content_index) => {
        const at = { item_id: id, output_index, content_index };
        if (part.type === "output_text") {
          emit({ type: "response.content_part.added", ...at, part: { ...part, text: "" } });
          emit({ type: "response.output_text.delta", ...at, delta: part.text, logprobs: [] });
          emit({ type: "response.output_text.done", ...at, text: part.text, logprobs: [] });
        } else if (part.type === "refusal") {
          emit({ type: "response.content_part.added", ...at, part: { ...part, refusal: "" } });
          emit({ type: "response.refusal.delta", ...at, delta: part.refusal });
          emit({ type: "response.refusal.done", ...at, refusal: part.refusal });
        } else if (part.type === "reasoning_text") {
          emit({ type: "response.content_part.added", ...at, part: { ...part, text: "" } });
          emit({ type: "response.reasoning_text.delta", ...at, delta: part.text });
          emit({ type: "response.reasoning_text.done", ...at, text: part.text });
        }
        emit({ type: "response.content_part.done", ...at, part });
      });
    }
    emit({ type: "response.output_item.done", output_index, item });
  });
  emit({ type: response.status === "incomplete" ? "response.incomplete" : "response.completed", response });
  return events;
}
