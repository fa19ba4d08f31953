/**
 * OpenAI Chat Completions ⇄ the Gemini API (https://ai.google.dev/api/generate-content),
 * pure: a request body becomes a `GenerateContentRequest` (fields.ts lists the rule of
 * every field; contents.ts the messages; tools.ts the tools), a
 * `GenerateContentResponse` becomes a `chat.completion`. What Gemini cannot honour is
 * refused naming the field, never dropped.
 */
import type { ChatCompletion } from "openai/resources/chat/completions";
import { PLATFORM_FIELDS, streamOptionsRefusal, translated, untranslatable, type Translation } from "../translation.ts";
import { chatContents } from "./contents.ts";
import { ROUTER_FIELDS } from "./fields.ts";
import { unenforcedKeyword } from "./json-schema.ts";
import { candidateParts, chatLogprobs, chatUsage, finishReason, toolCall, toolCallId, type GeminiToolCall } from "./reply.ts";
import { functionTools } from "./tools.ts";
import type { GenerateContentRequest, GenerateContentResponse, GenerationConfig, ThinkingLevel } from "./wire.ts";

type Rec = Record<string, unknown>;
const isRecord = (v: unknown): v is Rec => typeof v === "object" && v !== null && !Array.isArray(v);

/** Why a field is refused, for the ones Gemini has no equivalent of at all. */
const REFUSED: Readonly<Record<string, string>> = {
  audio: "Gemini's text models give no audio output",
  function_call: "it is deprecated and not translated; use tool_choice",
  functions: "it is deprecated and not translated; use tools",
  moderation: "Gemini has no moderated-completion option",
  prediction: "Gemini has no predicted outputs",
  prompt_cache_options: "Gemini caches prompts implicitly and takes no cache options",
  web_search_options: "OpenAI's web search has no equivalent in a Gemini reply",
};

const THINKING: Readonly<Record<string, ThinkingLevel>> = { minimal: "MINIMAL", low: "LOW", medium: "MEDIUM", high: "HIGH", xhigh: "XHIGH" };
const TIERS: Readonly<Record<string, GenerateContentRequest["serviceTier"] | null>> = { auto: null, default: "standard", flex: "flex", priority: "priority" };
const LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/;
const LABEL_VALUE = /^[a-z0-9_-]{0,63}$/;

/**
 * The Gemini request for a Chat Completions body: `system` (the endpoint's system
 * prompt) first in the system instruction. For a hop that did not come through the
 * OpenAI front door, pass `{ messages: [{ role: "user", content: input }] }`.
 *
 * @example
 * chatToGenerateContent({ model: "auto", messages: [{ role: "user", content: "hi" }], max_tokens: 50 }, { system: "Be brief" })
 * // { ok: true, value: { contents: [{ role: "user", parts: [{ text: "hi" }] }], systemInstruction: { parts: [{ text: "Be brief" }] }, generationConfig: { maxOutputTokens: 50 } } }
 */
export function chatToGenerateContent(chat: Rec, o: { system?: string | undefined } = {}): Translation<GenerateContentRequest> {
  const streamOptions = streamOptionsRefusal(chat);
  if (streamOptions) return streamOptions;
  const conversation = chatContents(chat.messages, o.system);
  if (!conversation.ok) return conversation;
  const req: GenerateContentRequest = { ...conversation.value };
  const gen: GenerationConfig = {};
  for (const [key, value] of Object.entries(chat)) {
    if (value === undefined || value === null || key === "messages" || key === "tools" || key === "tool_choice" || ROUTER_FIELDS.has(key) || PLATFORM_FIELDS.has(key)) continue;
    const refusal = applyField(key, value, chat, req, gen);
    if (refusal) return refusal;
  }
  const tools = functionTools(chat.tools, chat.tool_choice);
  if (!tools.ok) return tools;
  Object.assign(req, tools.value);
  if (Object.keys(gen).length > 0) req.generationConfig = gen;
  return translated(req);
}

const num = (key: string, v: unknown, int = false) =>
  typeof v === "number" && Number.isFinite(v) && (!int || Number.isInteger(v)) ? undefined : untranslatable(key, `'${key}' must be ${int ? "an integer" : "a number"}`);

/** A number in Gemini's documented range (generationConfig), or the refusal naming the field. */
const inRange = (key: string, v: unknown, min: number, max: number) =>
  num(key, v) ?? ((v as number) >= min && (v as number) <= max ? undefined : untranslatable(key, `'${key}' must be between ${min} and ${max} (Gemini's range), not ${String(v)}`));

/** A count: a positive integer (at most `max`), or the refusal naming the field. */
const count = (key: string, v: unknown, max = Number.MAX_SAFE_INTEGER) =>
  typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= max ? undefined : untranslatable(key, `'${key}' must be a positive integer${max < Number.MAX_SAFE_INTEGER ? ` (at most ${max})` : ""}, not ${JSON.stringify(v)}`);

/** Sets what one field means on `req`/`gen`; a refusal when Gemini cannot honour it. */
function applyField(key: string, v: unknown, chat: Rec, req: GenerateContentRequest, gen: GenerationConfig): Translation<never> | undefined {
  switch (key) {
    case "temperature":
      return inRange(key, v, 0, 2) ?? void (gen.temperature = v as number);
    case "top_p":
      return inRange(key, v, 0, 1) ?? void (gen.topP = v as number);
    case "frequency_penalty":
    case "presence_penalty":
      return num(key, v) ?? void (gen[key === "frequency_penalty" ? "frequencyPenalty" : "presencePenalty"] = v as number);
    case "seed":
      return num(key, v, true) ?? void (gen.seed = v as number);
    case "n":
      return count(key, v) ?? void (gen.candidateCount = v as number);
    case "max_completion_tokens":
      return count(key, v) ?? void (gen.maxOutputTokens = v as number);
    case "max_tokens":
      if (chat.max_completion_tokens != null) return undefined;
      return count(key, v) ?? void (gen.maxOutputTokens = v as number);
    case "stop": {
      const list = typeof v === "string" ? [v] : v;
      if (!Array.isArray(list) || !list.every((s) => typeof s === "string")) return untranslatable(key, "'stop' must be a string or a list of strings");
      gen.stopSequences = list as string[];
      return undefined;
    }
    case "logprobs":
      if (typeof v !== "boolean") return untranslatable(key, "'logprobs' must be a boolean");
      if (v) gen.responseLogprobs = true;
      return undefined;
    case "top_logprobs":
      if (chat.logprobs !== true) return untranslatable(key, "'top_logprobs' needs 'logprobs': true");
      return num(key, v, true) ?? inRange(key, v, 0, 20) ?? void (gen.logprobs = v as number);
    case "response_format":
      return responseFormat(v, gen);
    case "reasoning_effort":
      if (v === "none") gen.thinkingConfig = { thinkingBudget: 0 };
      else if (typeof v === "string" && THINKING[v]) gen.thinkingConfig = { thinkingLevel: THINKING[v] };
      else return untranslatable(key, `Gemini's thinking levels go from minimal to xhigh: 'reasoning_effort' ${JSON.stringify(v)} cannot be honoured`);
      return undefined;
    case "service_tier": {
      const tier = typeof v === "string" ? TIERS[v] : undefined;
      if (tier === undefined) return untranslatable(key, `Gemini's service tiers are standard, flex and priority: 'service_tier' ${JSON.stringify(v)} cannot be honoured`);
      if (tier) req.serviceTier = tier;
      return undefined;
    }
    case "store":
      if (typeof v !== "boolean") return untranslatable(key, "'store' must be a boolean");
      req.store = v;
      return undefined;
    case "metadata":
      return labels(v, req);
    case "modalities":
      if (Array.isArray(v) && v.every((m) => m === "text")) return undefined;
      return untranslatable(key, "Gemini's text models answer text only: 'modalities' other than [\"text\"] cannot be honoured");
    case "parallel_tool_calls":
      if (v === true) return undefined;
      return untranslatable(key, "Gemini cannot be kept to one function call per turn: 'parallel_tool_calls' false cannot be honoured");
    case "logit_bias":
      if (isRecord(v) && Object.keys(v).length === 0) return undefined;
      return untranslatable(key, "Gemini has no token bias: 'logit_bias' cannot be honoured");
    case "verbosity":
      if (v === "medium") return undefined;
      return untranslatable(key, "Gemini has no verbosity control: 'verbosity' other than medium (the default) cannot be honoured");
    default:
      return untranslatable(key, `'${key}' cannot be honoured by Gemini: ${REFUSED[key] ?? "it is not a Chat Completions field the Gemini translation knows"}`);
  }
}

/** The members of OpenAI's `response_format.json_schema`. */
const JSON_SCHEMA_KEYS: ReadonlySet<string> = new Set(["name", "description", "schema", "strict"]);

/** `response_format`: text → nothing; json_object → JSON mode; json_schema → JSON mode with its schema (`description` added to it; `name` is OpenAI's label and not sent). */
function responseFormat(v: unknown, gen: GenerationConfig): Translation<never> | undefined {
  const type = isRecord(v) ? v.type : undefined;
  const member = isRecord(v) && (type === "text" || type === "json_object" || type === "json_schema") ? Object.keys(v).find((k) => k !== "type" && (k !== "json_schema" || type !== "json_schema") && v[k] != null) : undefined;
  if (member) return untranslatable(`response_format.${member}`, `Gemini has no equivalent of 'response_format.${member}' (a ${String(type)} response_format)`);
  if (type === "text") return undefined;
  if (type === "json_object") return void (gen.responseMimeType = "application/json");
  if (type !== "json_schema" || !isRecord(v) || !isRecord(v.json_schema)) return untranslatable("response_format", "Gemini takes a response_format of text, json_object or json_schema");
  const format = v.json_schema;
  const extra = Object.keys(format).find((k) => !JSON_SCHEMA_KEYS.has(k) && format[k] != null);
  if (extra) return untranslatable(`response_format.json_schema.${extra}`, `Gemini has no equivalent of 'response_format.json_schema.${extra}' (a json_schema is { name, description, schema, strict })`);
  const { schema, strict, description } = format;
  gen.responseMimeType = "application/json";
  if (schema == null) return undefined;
  if (strict === true) {
    const bad = unenforcedKeyword(schema, "response_format.json_schema.schema");
    if (bad) return untranslatable(bad, `Gemini does not enforce '${bad.split(".").at(-1)}', so the strict schema cannot be honoured ('${bad}')`);
  }
  if (typeof description === "string" && isRecord(schema) && schema.description === undefined) gen.responseJsonSchema = { description, ...schema };
  else if (typeof description === "string" && isRecord(schema)) return untranslatable("response_format.json_schema.description", "Gemini takes one description: 'response_format.json_schema.description' and the schema's own cannot both be sent");
  else gen.responseJsonSchema = schema;
  return undefined;
}

/** `metadata` → `labels` when every pair is a valid Gemini label. */
function labels(v: unknown, req: GenerateContentRequest): Translation<never> | undefined {
  if (!isRecord(v)) return untranslatable("metadata", "'metadata' must be an object of strings");
  for (const [k, value] of Object.entries(v))
    if (!LABEL_KEY.test(k) || typeof value !== "string" || !LABEL_VALUE.test(value))
      return untranslatable(`metadata.${k}`, `Gemini labels are lower-case letters, digits, '_' and '-' (at most 63, keys starting with a letter): 'metadata.${k}' is not one`);
  if (Object.keys(v).length > 0) req.labels = v as Record<string, string>;
  return undefined;
}

/** A `chat.completion` as this translation makes it: tool calls may carry Gemini's thought signature. */
export type GeminiCompletion = Omit<ChatCompletion, "choices"> & {
  choices: (Omit<ChatCompletion.Choice, "message"> & { message: Omit<ChatCompletion.Choice["message"], "tool_calls"> & { tool_calls?: GeminiToolCall[] } })[];
};

/**
 * The `chat.completion` of a whole Gemini reply: a choice per candidate (its
 * `index`), text parts joined (`content: null` when there are none), function calls as
 * `tool_calls` (reply.ts: ids, thought signatures), the finish reason and usage mapped.
 * Failures (`param` names the Gemini field): a blocked prompt
 * (`promptFeedback.blockReason`), no candidates (`candidates`), a candidate that
 * stopped with no usable answer (`candidates.N.finishReason`) or with a part Chat
 * Completions cannot carry (`candidates.N.content.parts.M.<kind>`).
 *
 * @example
 * generateContentToCompletion({ candidates: [{ content: { role: "model", parts: [{ text: "Hi" }] }, finishReason: "STOP" }] }, { id: "chatcmpl-1", created: 1, model: "gemini-2.5-flash" })
 * // { ok: true, value: { id: "chatcmpl-1", object: "chat.completion", …, choices: [{ index: 0, message: { role: "assistant", content: "Hi", refusal: null }, finish_reason: "stop", logprobs: null }] } }
 */
export function generateContentToCompletion(res: GenerateContentResponse, o: { id: string; created: number; model: string }): Translation<GeminiCompletion> {
  const candidates = res.candidates ?? [];
  if (candidates.length === 0) {
    const block = res.promptFeedback?.blockReason;
    return block ? untranslatable("promptFeedback.blockReason", `Gemini blocked the prompt (${block})`) : untranslatable("candidates", "Gemini answered no candidate");
  }
  const choices: GeminiCompletion["choices"] = [];
  for (const [i, c] of candidates.entries()) {
    const index = c.index ?? i;
    const parts = candidateParts(c, `candidates.${i}`);
    if (!parts.ok) return parts;
    const reason = finishReason(c, parts.value.calls.length > 0, `candidates.${i}`);
    if (!reason.ok) return reason;
    const calls = parts.value.calls.map((call, k) => toolCall(call, call.id ?? toolCallId(res.responseId ?? o.id, index, k)));
    const message: GeminiCompletion["choices"][number]["message"] = { role: "assistant", content: parts.value.text, refusal: null };
    if (calls.length > 0) message.tool_calls = calls;
    choices.push({ index, message, finish_reason: reason.value, logprobs: c.logprobsResult ? chatLogprobs(c.logprobsResult) : null });
  }
  const completion: GeminiCompletion = { id: o.id, object: "chat.completion", created: o.created, model: o.model, choices };
  if (res.usageMetadata) completion.usage = chatUsage(res.usageMetadata);
  return translated(completion);
}
