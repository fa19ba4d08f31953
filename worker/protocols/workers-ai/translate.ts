/**
 * OpenAI Chat Completions ⇄ Workers AI text generation
 * (https://developers.cloudflare.com/workers-ai/models/ — the text-generation task's
 * input and output schema; `AiTextGenerationInput` / `AiTextGenerationOutput` in
 * `@cloudflare/workers-types`). Pure: no binding, no clock (ids and times are passed in).
 *
 * Request, field by field (docs/protocols/workers-ai.md has the table):
 * - `messages`: roles `system`, `user`, `assistant`, `tool` kept; `developer` → `system`;
 *   content must be given, not an empty list (an assistant's may be `tool_calls` or a `refusal` instead)
 *   and be text (a string, or `text` parts joined by newlines): any other part (images,
 *   audio, files) is refused, naming it. A message's `name` is sent (Workers AI's
 *   `RoleScopedChatInput` takes one); an assistant's `refusal` is sent as text after its
 *   content, its `annotations` (citations of its own text) are not sent. An assistant's
 *   `tool_calls` and a tool message's `tool_call_id` are sent as OpenAI writes them, and
 *   a tool message gets the `name` of the function it answers (Workers AI's
 *   function-calling models read it, "Function calling › Traditional"). Any other
 *   member of a message or part (`audio`, `function_call`, `prompt_cache_breakpoint`,
 *   unknown ones) is refused, naming it.
 * - `tools` (function tools) sent as `{ type: "function", function }`; `strict` refused;
 *   tools, tool calls and `response_format` member by member in tools.ts.
 *   `tool_choice`: `auto` (the default) kept as the default, `none` sends no tools;
 *   `required` and a named function are refused (no way to force a call).
 * - `max_completion_tokens` / `max_tokens` → `max_tokens` (else the endpoint's `maxTokens`);
 *   `temperature`, `top_p`, `seed` (an integer), `frequency_penalty`, `presence_penalty` kept;
 *   `response_format` `json_schema` → `{ type: "json_schema", json_schema: <its schema> }`,
 *   `json_object` and `text` kept.
 * - Fields about OpenAI's platform, with no effect on the reply (`user`,
 *   `safety_identifier`, `metadata`, `store`, `service_tier`, `prompt_cache_key`,
 *   `prompt_cache_retention`) are not sent ({@link NOT_SENT}); `parallel_tool_calls`
 *   true is the models' own behaviour, false is refused.
 * - Everything else (`n` > 1, `logprobs`, `top_logprobs`, `stop`, `logit_bias`,
 *   `reasoning_effort`, `verbosity`, `modalities`, `audio`, `prediction`,
 *   `web_search_options`, `functions`, `function_call`, unknown fields) is refused.
 */
import { PLATFORM_FIELDS, streamOptionsRefusal, translated, untranslatable, type Translation } from "../translation.ts";
import type { ChunkStep, ChunkTranslator } from "../chunk-stream.ts";
import { DONE } from "../chunk-stream.ts";
import { responseFormat, toolCallsOf, toolsOf } from "./tools.ts";

/** What `env.AI.run(model, input)` is given for text generation. */
export interface WorkersAiInput {
  messages: WorkersAiMessage[];
  tools?: WorkersAiTool[];
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  seed?: number;
  frequency_penalty?: number;
  presence_penalty?: number;
  response_format?: { type: string; json_schema?: unknown };
  stream?: boolean;
}

export interface WorkersAiTool {
  type: "function";
  function: { name: string; description?: string; parameters?: unknown };
}

export interface WorkersAiMessage {
  role: "system" | "user" | "assistant" | "tool";
  content: string;
  name?: string;
  tool_call_id?: string;
  tool_calls?: { id: string; type: "function"; function: { name: string; arguments: string } }[];
}

/**
 * Fields about OpenAI's platform (end-user ids, cache routing, stored completions and
 * their metadata, processing tiers): nothing Workers AI answers would change, so they
 * are not sent (and named in `x-switchyard-not-sent`).
 */
export const NOT_SENT: ReadonlySet<string> = new Set([...PLATFORM_FIELDS, "metadata", "store", "service_tier"]);
/** Sampling fields Workers AI takes under the same names. */
const SAME_NAME = ["temperature", "top_p", "seed", "frequency_penalty", "presence_penalty"] as const;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const present = (v: unknown) => v !== undefined && v !== null;

/** The members a message of each role may have (OpenAI's message params, less what Workers AI cannot take). */
const MESSAGE_KEYS: Readonly<Record<string, ReadonlySet<string>>> = {
  system: new Set(["role", "content", "name"]),
  user: new Set(["role", "content", "name"]),
  assistant: new Set(["role", "content", "name", "tool_calls", "refusal", "annotations"]),
  tool: new Set(["role", "content", "tool_call_id"]),
};

/**
 * The Workers AI input for an OpenAI Chat Completions body (`chat`: the client's body,
 * or `{ messages }` built by the router), or the first field it cannot carry.
 * `system` (the endpoint's `systemPrompt`) goes first; `maxTokens` is sent when the
 * request sets no bound.
 *
 * @example
 * chatToWorkersAi({ messages: [{ role: "user", content: "hi" }], max_tokens: 50 }, {})
 * // { ok: true, value: { messages: [{ role: "user", content: "hi" }], max_tokens: 50 } }
 * chatToWorkersAi({ messages: [{ role: "user", content: "hi" }], n: 2 }, {})
 * // { ok: false, param: "n", detail: "Workers AI returns one choice; n must be 1" }
 */
export function chatToWorkersAi(chat: Record<string, unknown>, o: { system?: string | undefined; maxTokens?: number | undefined }): Translation<WorkersAiInput> {
  const streamOptions = streamOptionsRefusal(chat);
  if (streamOptions) return streamOptions;
  const out: WorkersAiInput = { messages: [] };
  if (o.system !== undefined) out.messages.push({ role: "system", content: o.system });
  let toolsOff = false;
  for (const [key, value] of Object.entries(chat)) {
    if (value === undefined || value === null) continue;
    switch (key) {
      case "model":
      case "messages":
      case "stream":
      case "stream_options":
      // Stryker disable next-line ConditionalExpression: emptied, this case falls through to the next, which only breaks as well
      case "tools":
        break; // the router's own, or below
      case "max_tokens":
      case "max_completion_tokens":
        break; // below
      case "tool_choice":
        if (value === "none") toolsOff = true;
        else if (value !== "auto") return untranslatable("tool_choice", "Workers AI cannot be made to call a tool; use tool_choice 'auto' or 'none'");
        break;
      case "response_format": {
        const r = responseFormat(value);
        if (!r.ok) return r;
        if (r.value) out.response_format = r.value;
        break;
      }
      case "n":
        if (value !== 1) return untranslatable("n", "Workers AI returns one choice; n must be 1");
        break;
      case "logprobs":
        if (value !== false) return untranslatable("logprobs", "Workers AI does not return log probabilities");
        break;
      default:
        if ((SAME_NAME as readonly string[]).includes(key)) {
          if (typeof value !== "number" || !Number.isFinite(value)) return untranslatable(key, `${key} must be a number`);
          if (key === "seed" && !Number.isInteger(value)) return untranslatable(key, "seed must be an integer");
          (out as unknown as Record<string, number>)[key] = value;
        } else if (key === "parallel_tool_calls") {
          if (value !== true) return untranslatable(key, "Workers AI models cannot be kept to one tool call per turn");
        } else if (!NOT_SENT.has(key)) return untranslatable(key, `Workers AI text generation has no equivalent of '${key}'`);
    }
  }
  const max = chat.max_completion_tokens ?? chat.max_tokens;
  if (max !== undefined && max !== null) {
    if (typeof max !== "number" || !Number.isInteger(max) || max < 1 || max > Number.MAX_SAFE_INTEGER) {
      const key = chat.max_completion_tokens != null ? "max_completion_tokens" : "max_tokens";
      return untranslatable(key, `${key} must be a positive integer`);
    }
    out.max_tokens = max;
  } else if (o.maxTokens !== undefined) out.max_tokens = o.maxTokens;
  const messages = chat.messages;
  if (!Array.isArray(messages)) return untranslatable("messages", "messages must be an array");
  const names = new Map<string, string>(); // tool_call_id → function name
  for (const [i, m] of messages.entries()) {
    const r = message(m, i, names);
    if (!r.ok) return r;
    out.messages.push(r.value);
  }
  if (chat.tools !== undefined && chat.tools !== null && !Array.isArray(chat.tools)) return untranslatable("tools", "tools must be a list of function tools");
  if (Array.isArray(chat.tools) && chat.tools.length > 0) {
    const tools = toolsOf(chat.tools); // checked even when tool_choice 'none' leaves them out
    if (!tools.ok) return tools;
    if (!toolsOff) out.tools = tools.value;
  }
  return translated(out);
}

function message(m: unknown, i: number, names: Map<string, string>): Translation<WorkersAiMessage> {
  const at = `messages.${i}`;
  if (!isRecord(m)) return untranslatable(at, "a message must be an object");
  const role = m.role === "developer" ? "system" : m.role;
  if (role !== "system" && role !== "user" && role !== "assistant" && role !== "tool") return untranslatable(`${at}.role`, `Workers AI takes roles system, user, assistant and tool, not '${String(m.role)}'`);
  const extra = Object.keys(m).find((k) => !MESSAGE_KEYS[role]!.has(k) && present(m[k]));
  if (extra) return untranslatable(`${at}.${extra}`, `Workers AI text generation has no equivalent of '${at}.${extra}'`);
  const none = !present(m.content) || (Array.isArray(m.content) && m.content.length === 0);
  if (none && (role !== "assistant" || (!present(m.tool_calls) && !present(m.refusal))))
    return untranslatable(`${at}.content`, `${at}.content is ${present(m.content) ? "an empty list" : "missing"}: ${role === "assistant" ? "an assistant message needs content, tool_calls or a refusal" : `a ${role} message needs content`}`);
  if (present(m.refusal) && typeof m.refusal !== "string") return untranslatable(`${at}.refusal`, "refusal must be a string");
  if (present(m.name) && typeof m.name !== "string") return untranslatable(`${at}.name`, "name must be a string");
  const content = textOf(m.content, `${at}.content`);
  if (!content.ok) return content;
  const text = [content.value, (m.refusal as string | undefined) ?? ""].filter((t) => t !== "").join("\n");
  const out: WorkersAiMessage = { role, content: text };
  if (typeof m.name === "string" && role !== "tool") out.name = m.name;
  if (role === "assistant" && present(m.tool_calls) && !Array.isArray(m.tool_calls)) return untranslatable(`${at}.tool_calls`, "tool_calls must be a list");
  if (role === "assistant" && Array.isArray(m.tool_calls) && m.tool_calls.length > 0) {
    const calls = toolCallsOf(m.tool_calls, `${at}.tool_calls`);
    if (!calls.ok) return calls;
    for (const c of calls.value) names.set(c.id, c.function.name);
    out.tool_calls = calls.value;
  }
  if (role === "tool") {
    if (typeof m.tool_call_id !== "string") return untranslatable(`${at}.tool_call_id`, "a tool message needs the tool_call_id it answers");
    out.tool_call_id = m.tool_call_id;
    const name = names.get(m.tool_call_id);
    if (name === undefined) return untranslatable(`${at}.tool_call_id`, `no earlier assistant tool call has the id '${m.tool_call_id}'`);
    out.name = name;
  }
  return translated(out);
}

/** A message's text: a string, or text parts joined by newlines; any other part is refused. */
function textOf(content: unknown, at: string): Translation<string> {
  if (content === undefined || content === null) return translated("");
  if (typeof content === "string") return translated(content);
  if (!Array.isArray(content)) return untranslatable(at, "content must be a string or an array of parts");
  const texts: string[] = [];
  for (const [j, p] of content.entries()) {
    const field = isRecord(p) && (p.type === "text" || p.type === "refusal") ? p.type : undefined;
    const extra = field && Object.keys(p as Record<string, unknown>).find((k) => k !== "type" && k !== field && present((p as Record<string, unknown>)[k]));
    if (extra) return untranslatable(`${at}.${j}.${extra}`, `Workers AI text generation has no equivalent of '${at}.${j}.${extra}'`);
    if (field && typeof (p as Record<string, unknown>)[field] === "string") texts.push((p as Record<string, unknown>)[field] as string);
    else return untranslatable(`${at}.${j}`, `Workers AI text generation takes text only, not a '${isRecord(p) ? String(p.type) : typeof p}' part`);
  }
  return translated(texts.join("\n"));
}

/** What Workers AI text generation answers (not streamed). Newer models answer a whole chat completion instead. */
export interface WorkersAiOutput {
  response?: string | null;
  tool_calls?: unknown[];
  usage?: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number };
}

/**
 * The `chat.completion` for a Workers AI answer: `response` as the content, its
 * `tool_calls` (the legacy `{ name, arguments: object }` form or OpenAI's) as OpenAI
 * tool calls (ids `call_<hop>_<i>` when the model gave none), `finish_reason`
 * `tool_calls` when there are any, else `stop` (Workers AI does not say whether a reply
 * was cut at `max_tokens`), and the usage. A model that answers a chat completion
 * (`choices`) is passed on as it is. Anything else is not an answer.
 */
export function workersAiToCompletion(out: unknown, o: { id: string; created: number; model: string }): Translation<Record<string, unknown> & { choices: Record<string, unknown>[] }> {
  if (isRecord(out) && Array.isArray(out.choices) && out.choices.length > 0) return translated(out as Record<string, unknown> & { choices: Record<string, unknown>[] });
  const answers = isRecord(out) && (typeof out.response === "string" || Array.isArray(out.tool_calls));
  if (!isRecord(out) || !answers || (out.response !== undefined && out.response !== null && typeof out.response !== "string") || (out.tool_calls !== undefined && !Array.isArray(out.tool_calls)))
    return untranslatable("(reply)", "not a Workers AI text-generation answer ({ response, tool_calls?, usage? })");
  const calls: Record<string, unknown>[] = [];
  for (const [i, c] of (out.tool_calls ?? []).entries()) {
    const call = toolCall(c, `call_${o.id}_${i}`);
    if (!call) return untranslatable(`(reply).tool_calls.${i}`, "a tool call must have a name and arguments");
    calls.push(call);
  }
  const message: Record<string, unknown> = { role: "assistant", content: typeof out.response === "string" ? out.response : calls.length ? null : "", refusal: null };
  if (calls.length) message.tool_calls = calls;
  const completion: Record<string, unknown> & { choices: Record<string, unknown>[] } = {
    id: `chatcmpl-${o.id}`,
    object: "chat.completion",
    created: o.created,
    model: o.model,
    choices: [{ index: 0, message, finish_reason: calls.length ? "tool_calls" : "stop", logprobs: null }],
  };
  const usage = usageOf(out.usage);
  if (usage) completion.usage = usage;
  return translated(completion);
}

/** A tool call in OpenAI's shape, from the legacy `{ name, arguments }` or OpenAI's own. */
function toolCall(c: unknown, fallbackId: string): Record<string, unknown> | undefined {
  if (!isRecord(c)) return undefined;
  if (isRecord(c.function) && typeof c.function.name === "string") {
    const args = c.function.arguments;
    return { id: typeof c.id === "string" ? c.id : fallbackId, type: "function", function: { name: c.function.name, arguments: typeof args === "string" ? args : JSON.stringify(args ?? {}) } };
  }
  if (typeof c.name !== "string") return undefined;
  return { id: typeof c.id === "string" ? c.id : fallbackId, type: "function", function: { name: c.name, arguments: typeof c.arguments === "string" ? c.arguments : JSON.stringify(c.arguments ?? {}) } };
}

function usageOf(u: unknown): { prompt_tokens: number; completion_tokens: number; total_tokens: number } | undefined {
  if (!isRecord(u) || typeof u.prompt_tokens !== "number" || typeof u.completion_tokens !== "number") return undefined;
  return { prompt_tokens: u.prompt_tokens, completion_tokens: u.completion_tokens, total_tokens: typeof u.total_tokens === "number" ? u.total_tokens : u.prompt_tokens + u.completion_tokens };
}

/**
 * Workers AI's streamed text generation (`stream: true`: events `data: { response,
 * tool_calls?, usage? }`, then `data: [DONE]`) as `chat.completion.chunk` objects: the
 * first chunk carries `role: "assistant"`, each `response` a content delta, each tool
 * call a `tool_calls` delta at the next index, and at `[DONE]` a chunk with
 * `finish_reason` (`tool_calls` if any were made, else `stop`) and, when
 * `includeUsage`, a usage chunk (`choices: []`). An `error` object in an event is the
 * stream's error. A stream that ends without `[DONE]` owes nothing: it was cut.
 */
export class WorkersAiChunks implements ChunkTranslator {
  readonly #base: { id: string; object: "chat.completion.chunk"; created: number; model: string };
  readonly #includeUsage: boolean;
  #started = false;
  #calls = 0;
  #usage: ReturnType<typeof usageOf>;

  constructor(o: { id: string; created: number; model: string; includeUsage: boolean }) {
    this.#base = { id: `chatcmpl-${o.id}`, object: "chat.completion.chunk", created: o.created, model: o.model };
    this.#includeUsage = o.includeUsage;
  }

  #chunk(delta: Record<string, unknown>, finish: string | null = null): object {
    if (!this.#started) {
      this.#started = true;
      delta = { role: "assistant", ...delta };
    }
    return { ...this.#base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] };
  }

  push(data: unknown): ChunkStep {
    if (data === DONE) {
      const chunks = [this.#chunk({}, this.#calls > 0 ? "tool_calls" : "stop")];
      if (this.#includeUsage) chunks.push({ ...this.#base, choices: [], usage: this.#usage ?? { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 } });
      return { chunks, done: true };
    }
    if (!isRecord(data)) return { chunks: [], error: { message: "a Workers AI stream event is not a JSON object", type: "bad_response" } };
    if (data.error !== undefined) return { chunks: [], error: { message: typeof data.error === "string" ? data.error : JSON.stringify(data.error), type: "server_error" } };
    const chunks: object[] = [];
    if (typeof data.response === "string" && data.response !== "") chunks.push(this.#chunk({ content: data.response }));
    if (Array.isArray(data.tool_calls))
      for (const c of data.tool_calls) {
        const call = toolCall(c, `call_${this.#base.id.slice(9)}_${this.#calls}`);
        if (!call) return { chunks, error: { message: "a streamed tool call has no name", type: "bad_response" } };
        chunks.push(this.#chunk({ tool_calls: [{ index: this.#calls++, ...call }] }));
      }
    const usage = usageOf(data.usage);
    if (usage) this.#usage = usage;
    return { chunks };
  }

  end(): ChunkStep {
    return { chunks: [], truncated: "the Workers AI stream ended without [DONE]" };
  }
}
