/**
 * An OpenAI Chat Completions request → an Anthropic Messages request, for an
 * `anthropic` specialist serving a hop that came through the OpenAI front door (or a
 * plain `{ messages: [{ role: "user", content: input }] }`). Every field of OpenAI's
 * `ChatCompletionCreateParams` has a rule in {@link CHAT_FIELD_RULES}: mapped, left to
 * the router, or refused naming it; a field the table does not know is refused. A
 * field at its documented default (`n: 1`, `logprobs: false`, a penalty of 0, …) asks
 * for nothing and is accepted. Sources: OpenAI API reference, "Create chat
 * completion"; Anthropic Messages API, "Create a Message"; the SDK types. Pure.
 */
import type { ChatCompletionCreateParamsBase } from "openai/resources/chat/completions";
import type { ToolChoice, ToolUnion } from "@anthropic-ai/sdk/resources/messages";
import { notSentOf, streamOptionsRefusal, translated, untranslatable, type Translation } from "../translation.ts";
import { chatConversation } from "./chat-content.ts";
import { extraMember, isObj, type AnthropicVersion, type ChatBody, type MessagesBody, type Obj } from "./types.ts";

/** How one OpenAI request field is carried to Anthropic. */
export interface FieldRule {
  /** `mapped` to an Anthropic field, read by the `router` itself, or `refused` (a 400 naming it) unless at its default. */
  kind: "mapped" | "router" | "refused";
  /** The Anthropic field it becomes, when mapped. */
  anthropic?: string;
  rule: string;
}

/** Every field of OpenAI's `ChatCompletionCreateParams` (openai 7.57.0) and its rule (docs/protocols/anthropic.md has the same table). */
export const CHAT_FIELD_RULES: { readonly [K in keyof Required<ChatCompletionCreateParamsBase>]: FieldRule } = {
  messages: { kind: "mapped", anthropic: "system, messages", rule: "see chat-content.ts: system/developer → system; user, assistant, tool → alternating turns" },
  model: { kind: "router", anthropic: "model", rule: "picks the specialist; the endpoint's model is sent" },
  stream: { kind: "mapped", anthropic: "stream", rule: "true → true" },
  stream_options: { kind: "router", rule: "include_usage decides whether the stream translation emits a usage chunk" },
  max_completion_tokens: { kind: "mapped", anthropic: "max_tokens", rule: "preferred over max_tokens; the endpoint's default when neither (Anthropic requires max_tokens); an integer from 1 to Number.MAX_SAFE_INTEGER" },
  max_tokens: { kind: "mapped", anthropic: "max_tokens", rule: "when max_completion_tokens is absent" },
  temperature: { kind: "mapped", anthropic: "temperature", rule: "0–1 as is; above 1 refused (no silent rescaling); refused on API version 2026-10-21" },
  top_p: { kind: "mapped", anthropic: "top_p", rule: "as is; refused on API version 2026-10-21" },
  stop: { kind: "mapped", anthropic: "stop_sequences", rule: "a string or an array of strings; whitespace-only sequences refused (Anthropic rejects them)" },
  tools: { kind: "mapped", anthropic: "tools", rule: "function tools → { name, description, input_schema: parameters, strict }; custom tools and members OpenAI does not document refused" },
  tool_choice: { kind: "mapped", anthropic: "tool_choice", rule: "auto → auto, none → none, required → any, a declared named function → tool; without tools only none (not sent); allowed_tools, custom and other members refused" },
  parallel_tool_calls: { kind: "mapped", anthropic: "tool_choice.disable_parallel_tool_use", rule: "false → true (with tools); without tools or with tool_choice none not sent, named in x-switchyard-not-sent" },
  user: { kind: "mapped", anthropic: "metadata.user_id", rule: "as is; refused when safety_identifier differs" },
  safety_identifier: { kind: "mapped", anthropic: "metadata.user_id", rule: "as is" },
  response_format: { kind: "mapped", anthropic: "output_config.format", rule: "text: nothing; json_schema → { type: json_schema, schema } (name, strict: nothing to send; description not sent, named in x-switchyard-not-sent); json_object and other members refused" },
  reasoning_effort: { kind: "mapped", anthropic: "output_config.effort", rule: "low, medium, high, xhigh, max as is; none and minimal refused" },
  service_tier: { kind: "mapped", anthropic: "service_tier", rule: "auto → auto, default → standard_only; flex, scale, priority, fast refused" },
  n: { kind: "refused", rule: "1 accepted; more refused (Anthropic answers one message)" },
  logprobs: { kind: "refused", rule: "false accepted; true refused" },
  top_logprobs: { kind: "refused", rule: "0 accepted; more refused" },
  seed: { kind: "refused", rule: "no equivalent" },
  presence_penalty: { kind: "refused", rule: "0 accepted; other values refused" },
  frequency_penalty: { kind: "refused", rule: "0 accepted; other values refused" },
  logit_bias: { kind: "refused", rule: "{} accepted; other values refused" },
  audio: { kind: "refused", rule: "Anthropic does not answer with audio" },
  modalities: { kind: "refused", rule: "[\"text\"] accepted; audio refused" },
  prediction: { kind: "refused", rule: "no equivalent" },
  web_search_options: { kind: "refused", rule: "OpenAI's built-in search has no equivalent in a plain Messages request" },
  moderation: { kind: "refused", rule: "no equivalent" },
  store: { kind: "refused", rule: "false accepted; true refused (Anthropic stores no completions)" },
  metadata: { kind: "refused", rule: "{} accepted; tags refused (Anthropic's metadata holds only user_id)" },
  verbosity: { kind: "refused", rule: "medium (the default) accepted; low and high refused" },
  prompt_cache_key: { kind: "router", rule: "not sent (OpenAI's prompt-cache routing; Anthropic caches by cache_control), named in x-switchyard-not-sent" },
  prompt_cache_retention: { kind: "router", rule: "not sent (OpenAI's prompt-cache retention), named in x-switchyard-not-sent" },
  prompt_cache_options: { kind: "refused", rule: "no equivalent" },
  functions: { kind: "refused", rule: "deprecated: use tools" },
  function_call: { kind: "refused", rule: "\"none\" accepted; otherwise deprecated: use tool_choice" },
};

/** What `chatToMessages` needs besides the body. */
export interface ChatToMessagesOptions {
  /** The endpoint's model, sent as `model`. */
  model: string;
  /** The endpoint's `systemPrompt`, put first in `system`. */
  system?: string | undefined;
  /** `max_tokens` when the client set none (Anthropic requires it). */
  defaultMaxTokens: number;
  /** The `anthropic-version` the adapter sends (default 2023-06-01): 2026-10-21 takes no sampling fields. */
  apiVersion?: AnthropicVersion;
}

/** Values at which a refused field asks for nothing. */
const NEUTRAL: Partial<Record<string, (v: unknown) => boolean>> = {
  n: (v) => v === 1,
  logprobs: (v) => v === false,
  top_logprobs: (v) => v === 0,
  presence_penalty: (v) => v === 0,
  frequency_penalty: (v) => v === 0,
  logit_bias: (v) => isObj(v) && Object.keys(v).length === 0,
  modalities: (v) => Array.isArray(v) && v.every((m) => m === "text"),
  store: (v) => v === false,
  metadata: (v) => isObj(v) && Object.keys(v).length === 0,
  verbosity: (v) => v === "medium",
  function_call: (v) => v === "none",
};
const EFFORTS = new Set(["low", "medium", "high", "xhigh", "max"]);
/** The members OpenAI documents for a function tool and its function (ChatCompletionFunctionTool, FunctionDefinition). */
const TOOL_KEYS: ReadonlySet<string> = new Set(["type", "function"]);
const FUNCTION_KEYS: ReadonlySet<string> = new Set(["name", "description", "parameters", "strict"]);
/** The members of a named tool choice (ChatCompletionNamedToolChoice) and its function, and of a response format (ResponseFormatText, ResponseFormatJSONSchema). */
const NAME_KEYS: ReadonlySet<string> = new Set(["name"]);
const TYPE_KEYS: ReadonlySet<string> = new Set(["type"]);
const FORMAT_KEYS: ReadonlySet<string> = new Set(["type", "json_schema"]);
const JSON_SCHEMA_KEYS: ReadonlySet<string> = new Set(["name", "description", "schema", "strict"]);
/** OpenAI fields an Anthropic model is never sent: OpenAI's prompt-cache routing (Anthropic caches by cache_control). */
const NOT_SENT: ReadonlySet<string> = new Set(["prompt_cache_key", "prompt_cache_retention"]);

/**
 * What the client sent that an Anthropic model is not sent, for `x-switchyard-not-sent`:
 * OpenAI's prompt-cache routing, and `parallel_tool_calls: false` where there is no
 * tool call to keep single (no tools, or `tool_choice: "none"`; Anthropic takes
 * `disable_parallel_tool_use` only in a tool choice, and a tool choice only with tools);
 * a JSON schema's `description` (Anthropic's `output_config.format` takes only the schema).
 */
export function chatNotSent(chat: ChatBody): string[] {
  const fields = notSentOf(chat, NOT_SENT);
  const noCalls = !Array.isArray(chat.tools) || chat.tools.length === 0 || chat.tool_choice === "none";
  if (chat.parallel_tool_calls === false && noCalls) fields.push("parallel_tool_calls");
  const format = chat.response_format;
  if (isObj(format) && format.type === "json_schema" && isObj(format.json_schema) && typeof format.json_schema.description === "string" && format.json_schema.description !== "")
    fields.push("response_format.json_schema.description");
  return fields;
}

/**
 * The Anthropic request for a Chat Completions body, or the first field it cannot carry.
 *
 * @example
 * chatToMessages({ messages: [{ role: "user", content: "hi" }], max_tokens: 50, stop: "END" }, { model: "claude-sonnet-4-5", defaultMaxTokens: 4096 })
 * // { ok: true, value: { model: "claude-sonnet-4-5", max_tokens: 50, messages: [{ role: "user", content: "hi" }], stop_sequences: ["END"] } }
 * chatToMessages({ messages: [{ role: "user", content: "hi" }], seed: 7 }, o) // { ok: false, param: "seed", detail: "'seed' has no equivalent …" }
 */
export function chatToMessages(chat: ChatBody, o: ChatToMessagesOptions): Translation<MessagesBody> {
  const streamOptions = streamOptionsRefusal(chat);
  if (streamOptions) return streamOptions;
  if (!Array.isArray(chat.messages)) return untranslatable("messages", "'messages' must be an array");
  const conv = chatConversation(chat.messages, o.system);
  if (!conv.ok) return conv;
  const body: MessagesBody = { model: o.model, max_tokens: o.defaultMaxTokens, ...conv.value };
  const maxTokens = chat.max_completion_tokens ?? chat.max_tokens;
  const maxParam = chat.max_completion_tokens != null ? "max_completion_tokens" : "max_tokens";
  if (maxTokens != null) {
    if (!Number.isSafeInteger(maxTokens) || (maxTokens as number) < 1) return untranslatable(maxParam, `'${maxParam}' must be a positive integer (at most ${Number.MAX_SAFE_INTEGER})`);
    body.max_tokens = maxTokens as number;
  }
  for (const [key, value] of Object.entries(chat)) {
    if (value === undefined || value === null) continue;
    // Stryker disable next-line StringLiteral: the default version is only compared with "2026-10-21", which any other string equally is not
    const refused = field(key, value, chat, body, o.apiVersion ?? "2023-06-01");
    if (refused) return refused;
  }
  if (body.tool_choice && !body.tools?.length) {
    if (body.tool_choice.type !== "none") return untranslatable("tool_choice", "'tool_choice' needs tools to choose from");
    delete body.tool_choice; // none, and no tools: nothing to choose, nothing to send
  }
  if (body.tool_choice?.type === "tool" && !body.tools?.some((t) => "name" in t && t.name === (body.tool_choice as { name: string }).name))
    return untranslatable("tool_choice.function.name", `'tool_choice.function.name' names no declared function ('${body.tool_choice.name}')`);
  if (chat.parallel_tool_calls != null && typeof chat.parallel_tool_calls !== "boolean") return untranslatable("parallel_tool_calls", "'parallel_tool_calls' must be a boolean");
  if (chat.parallel_tool_calls === false && body.tools?.length) {
    const choice: ToolChoice = body.tool_choice ?? { type: "auto" };
    if (choice.type !== "none") body.tool_choice = { ...choice, disable_parallel_tool_use: true };
  }
  return translated(body);
}

/** Applies one field to `body`; a refusal when it cannot be carried. */
function field(key: string, value: unknown, chat: ChatBody, body: MessagesBody, version: AnthropicVersion): Translation<never> | undefined {
  const rule = (CHAT_FIELD_RULES as Record<string, FieldRule | undefined>)[key];
  if (!rule) return untranslatable(key, `'${key}' is not a Chat Completions field the router can carry to Anthropic`);
  if (rule.kind === "refused") return NEUTRAL[key]?.(value) ? undefined : untranslatable(key, `'${key}' has no equivalent in Anthropic's Messages API (${rule.rule})`);
  switch (key) {
    case "stream":
      if (value === true) body.stream = true;
      return;
    case "temperature":
    case "top_p":
      if (version === "2026-10-21") return untranslatable(key, `'${key}' is not accepted by Anthropic API version 2026-10-21`);
      if (typeof value !== "number" || value < 0 || value > 1) return untranslatable(key, `'${key}' must be between 0 and 1 for Anthropic (OpenAI's 0–2 temperature is not rescaled)`);
      body[key] = value;
      return;
    case "stop": {
      const seqs = typeof value === "string" ? [value] : Array.isArray(value) ? value : undefined;
      if (!seqs || seqs.some((s) => typeof s !== "string")) return untranslatable(key, "'stop' must be a string or an array of strings");
      if (seqs.some((s) => (s as string).trim() === "")) return untranslatable(key, "'stop' must be text that is not only whitespace (Anthropic rejects whitespace stop sequences)");
      if (seqs.length) body.stop_sequences = seqs as string[];
      return;
    }
    case "tools":
      return tools(value, body);
    case "tool_choice":
      return toolChoice(value, body);
    case "user":
    case "safety_identifier":
      if (typeof value !== "string") return untranslatable(key, `'${key}' must be a string`);
      if (key === "user" && typeof chat.safety_identifier === "string" && chat.safety_identifier !== value)
        return untranslatable("user", "'user' and 'safety_identifier' differ; Anthropic's metadata.user_id takes one");
      body.metadata = { user_id: value };
      return;
    case "response_format":
      return responseFormat(value, body);
    case "reasoning_effort":
      if (typeof value !== "string" || !EFFORTS.has(value)) return untranslatable(key, `'reasoning_effort' ${JSON.stringify(value)} has no Anthropic effort level (low, medium, high, xhigh, max)`);
      body.output_config = { ...body.output_config, effort: value as "low" };
      return;
    case "service_tier":
      if (value === "auto") body.service_tier = "auto";
      else if (value === "default") body.service_tier = "standard_only";
      else return untranslatable(key, `'service_tier' ${JSON.stringify(value)} has no Anthropic equivalent (auto, default)`);
      return;
    // Stryker disable next-line ConditionalExpression: the last case; emptied, it falls out of the switch and returns undefined all the same
    default:
      return; // messages, model, max tokens, stream_options, parallel_tool_calls: handled by the caller or the router
  }
}

function tools(value: unknown, body: MessagesBody): Translation<never> | undefined {
  if (!Array.isArray(value)) return untranslatable("tools", "'tools' must be an array");
  const out: ToolUnion[] = [];
  for (const [i, t] of value.entries()) {
    const p = `tools.${i}`;
    if (!isObj(t) || t.type !== "function" || !isObj(t.function) || typeof t.function.name !== "string") return untranslatable(p, `'${p}': only function tools can be translated`);
    const f: Obj = t.function;
    const extraTool = extraMember(t, TOOL_KEYS);
    const extraFn = extraMember(f, FUNCTION_KEYS);
    const at = extraTool ? `${p}.${extraTool}` : extraFn ? `${p}.function.${extraFn}` : undefined;
    if (at) return untranslatable(at, `'${at}' has no Anthropic equivalent`);
    const schema = f.parameters ?? { type: "object", properties: {} };
    if (!isObj(schema) || schema.type !== "object") return untranslatable(`${p}.function.parameters`, `'${p}.function.parameters' must be an object schema (Anthropic's input_schema)`);
    const tool: ToolUnion = { name: f.name as string, input_schema: schema as { type: "object" } };
    if (typeof f.description === "string") tool.description = f.description;
    if (typeof f.strict === "boolean") tool.strict = f.strict;
    out.push(tool);
  }
  if (out.length) body.tools = out;
  return undefined;
}

function toolChoice(value: unknown, body: MessagesBody): Translation<never> | undefined {
  if (value === "auto") body.tool_choice = { type: "auto" };
  else if (value === "none") body.tool_choice = { type: "none" };
  else if (value === "required") body.tool_choice = { type: "any" };
  else if (isObj(value) && value.type === "function" && isObj(value.function) && typeof value.function.name === "string") {
    const extra = extraMember(value, TOOL_KEYS);
    const extraFn = extraMember(value.function, NAME_KEYS);
    const at = extra ? `tool_choice.${extra}` : extraFn ? `tool_choice.function.${extraFn}` : undefined;
    if (at) return untranslatable(at, `'${at}' has no Anthropic equivalent`);
    body.tool_choice = { type: "tool", name: value.function.name };
  } else return untranslatable("tool_choice", `'tool_choice' ${JSON.stringify(value)} has no Anthropic equivalent (auto, none, required, a named function)`);
  return undefined;
}

function responseFormat(value: unknown, body: MessagesBody): Translation<never> | undefined {
  if (!isObj(value)) return untranslatable("response_format", "'response_format' must be an object");
  const extra = extraMember(value, value.type === "json_schema" ? FORMAT_KEYS : TYPE_KEYS);
  if (extra) return untranslatable(`response_format.${extra}`, `'response_format.${extra}' has no Anthropic equivalent`);
  if (value.type === "text") return undefined;
  if (value.type === "json_schema" && isObj(value.json_schema) && isObj(value.json_schema.schema)) {
    const extraSchema = extraMember(value.json_schema, JSON_SCHEMA_KEYS);
    if (extraSchema) return untranslatable(`response_format.json_schema.${extraSchema}`, `'response_format.json_schema.${extraSchema}' has no Anthropic equivalent`);
    body.output_config = { ...body.output_config, format: { type: "json_schema", schema: value.json_schema.schema } };
    return undefined;
  }
  if (value.type === "json_object") return untranslatable("response_format", "'response_format' json_object: Anthropic's structured outputs need a JSON schema (send json_schema)");
  return untranslatable("response_format", `'response_format' ${JSON.stringify(value.type)} without a schema has no Anthropic equivalent`);
}
