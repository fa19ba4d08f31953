/**
 * A Responses API request → a Chat Completions request, for the `POST /v1/responses`
 * front door (stateless): what the router classifies, what the request needs of a
 * specialist, and the canonical chat body the chat models are sent. Every request
 * field has a rule in {@link RESPONSES_FIELD_RULES}; a field it does not know is
 * refused, naming it. Sources: OpenAI API reference, "Create a model response" and
 * "Create chat completion"; the `openai` 7.57.0 types. Pure.
 *
 * Input items: responses-items.ts (messages, function calls and their outputs; every
 * member of an item or part is one OpenAI documents, else refused naming its path).
 */
import { translated, untranslatable, type Translation } from "../translation.ts";
import { RESPONSES_FIELD_RULES } from "./responses-fields.ts";
import { inputItem, type Calls, type Sources } from "./responses-items.ts";

export { RESPONSES_FIELD_RULES, type ResponsesFieldRule } from "./responses-fields.ts";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const given = (v: unknown) => v !== undefined && v !== null;

/** A Chat Completions body as this translation builds it. */
export type ChatBody = Obj & { messages: Obj[] };

/**
 * A translated request: the chat body, and where each chat message came from, to name
 * a chat field a target refuses in the client's terms ({@link chatParamToResponses}).
 */
export interface ChatTranslation {
  chat: ChatBody;
  /** Per chat message: the Responses path it came from (`instructions`, `input`, `input.3`), and for its tool calls, each call's item path. */
  sources: Sources;
  /** Input items the door accepted but does not send (`reasoning` items: Chat Completions takes none), by path, for `x-switchyard-not-sent`. */
  notSent: string[];
}

const TOOL_KEYS = new Set(["type", "name", "description", "parameters", "strict"]);

/**
 * The Chat Completions request for a Responses request (already checked by
 * responses-wire.ts), or the first field it cannot carry or a stateless router cannot
 * honour, as a path (`previous_response_id`, `tools.1`, `input.2.content.0.file_id`).
 *
 * @example
 * responsesToChat({ model: "auto", instructions: "Be brief.", input: "hi", max_output_tokens: 50 })
 * // { ok: true, value: { chat: { model: "auto", messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "hi" }], max_completion_tokens: 50 }, sources: […] } }
 */
export function responsesToChat(req: Obj): Translation<ChatTranslation> {
  const chat: ChatBody = { model: req.model ?? "auto", messages: [] };
  const sources: ChatTranslation["sources"] = [];
  const notSent: string[] = [];
  for (const [key, value] of Object.entries(req)) {
    if (value === undefined) continue;
    const rule = RESPONSES_FIELD_RULES[key];
    if (!rule) return untranslatable(key, `unknown parameter '${key}': the router does not know what it asks for, so it is refused`);
    const r = field(key, value, chat);
    if (r) return r;
  }
  if (typeof req.instructions === "string") {
    chat.messages.push({ role: "system", content: req.instructions });
    sources.push({ path: "instructions" });
  }
  const input = req.input;
  if (typeof input === "string") {
    chat.messages.push({ role: "user", content: input });
    sources.push({ path: "input" });
  } else if (Array.isArray(input)) {
    const calls: Calls = new Map();
    for (const [i, item] of input.entries()) {
      const r = inputItem(item as Obj, `input.${i}`, chat.messages, sources, calls, notSent);
      if (r) return r;
    }
    if (!sources.some((s) => s.path.startsWith("input")))
      return untranslatable("input", `'input' must not be empty: ${input.length ? "its items (reasoning only) leave no message to send" : "send at least one input item"}${typeof req.instructions === "string" ? " (instructions alone are not a conversation)" : ""}`);
  }
  return translated({ chat, sources, notSent });
}

/** One top-level field into `chat`, or its refusal. */
function field(key: string, value: unknown, chat: ChatBody): Translation<never> | undefined {
  if (value === null) return undefined; // null is every nullable field's default
  switch (key) {
    case "model":
    case "input":
    case "instructions":
      return undefined;
    case "max_output_tokens":
      chat.max_completion_tokens = value;
      return undefined;
    case "temperature":
    case "top_p":
    case "parallel_tool_calls":
    case "user":
    case "safety_identifier":
    case "prompt_cache_key":
    case "prompt_cache_retention":
    case "service_tier":
      chat[key] = value;
      return undefined;
    case "metadata":
      if (isObj(value) && Object.keys(value).length > 0) chat.metadata = value;
      return undefined;
    case "stream":
      if (value === true) Object.assign(chat, { stream: true, stream_options: { include_usage: true } });
      return undefined;
    case "stream_options":
      if (!isObj(value)) return untranslatable(key, "stream_options must be an object");
      for (const k of Object.keys(value)) if (k !== "include_obfuscation") return untranslatable(`stream_options.${k}`, `unknown stream option '${k}'`);
      return undefined;
    case "store":
      return value === true ? untranslatable(key, "store: true asks OpenAI to keep the response for later retrieval; the router is stateless and keeps none (send store: false, and the whole conversation as input)") : undefined;
    case "background":
      return value === true ? untranslatable(key, "background: true needs a stored response to poll; the router is stateless (send background: false, or stream)") : undefined;
    case "previous_response_id":
      return untranslatable(key, "previous_response_id needs stored responses; the router is stateless: send the earlier items (output included) as input");
    case "conversation":
      return untranslatable(key, "conversation needs a stored conversation; the router is stateless: send the earlier items as input");
    case "prompt":
      return untranslatable(key, "prompt refers to a stored prompt template, which the router does not keep: send its text as instructions");
    case "include":
      return Array.isArray(value) && value.length > 0 ? untranslatable("include.0", `include '${String(value[0])}' needs built-in tools, stored state or logprobs, which this router does not provide`) : undefined;
    case "max_tool_calls":
      return untranslatable(key, "max_tool_calls limits built-in tool calls, which the router does not run");
    case "top_logprobs":
      return value === 0 ? undefined : untranslatable(key, "top_logprobs needs logprobs in the output (include: message.output_text.logprobs), which this door does not carry");
    case "truncation":
      return value === "disabled" ? undefined : untranslatable(key, "truncation 'auto' drops items from a conversation that is too long; the router does not (send 'disabled')");
    case "text":
      return textConfig(value as Obj, chat);
    case "reasoning":
      return reasoningConfig(value as Obj, chat);
    case "tools":
      return tools(value as unknown[], chat);
    case "tool_choice":
      return toolChoice(value, chat);
    default:
      return untranslatable(key, RESPONSES_FIELD_RULES[key]?.rule ?? "no equivalent");
  }
}

function textConfig(text: Obj, chat: ChatBody): Translation<never> | undefined {
  for (const [k, v] of Object.entries(text)) {
    if (!given(v)) continue;
    if (k === "verbosity") chat.verbosity = v;
    else if (k !== "format") return untranslatable(`text.${k}`, `unknown text option '${k}'`);
  }
  const format = text.format as Obj | undefined;
  if (!format) return undefined;
  switch (format.type) {
    case "text":
    case "json_object": {
      const extra = Object.keys(format).find((k) => k !== "type" && given(format[k]));
      if (extra) return untranslatable(`text.format.${extra}`, `a ${format.type} format has no member '${extra}'`);
      if (format.type === "json_object") chat.response_format = { type: "json_object" };
      return undefined;
    }
    case "json_schema": {
      if (typeof format.name !== "string" || format.name === "") return untranslatable("text.format.name", "a json_schema format needs a name");
      if (!isObj(format.schema)) return untranslatable("text.format.schema", "a json_schema format needs a schema (a JSON Schema object)");
      const { type: _t, ...schema } = format;
      for (const k of Object.keys(schema)) if (!["name", "schema", "description", "strict"].includes(k)) return untranslatable(`text.format.${k}`, `unknown json_schema member '${k}'`);
      chat.response_format = { type: "json_schema", json_schema: Object.fromEntries(Object.entries(schema).filter(([, v]) => given(v))) };
      return undefined;
    }
    default:
      return untranslatable("text.format.type", `text format '${String(format.type)}' has no Chat Completions equivalent (text, json_object, json_schema)`);
  }
}

function reasoningConfig(reasoning: Obj, chat: ChatBody): Translation<never> | undefined {
  for (const [k, v] of Object.entries(reasoning)) {
    if (!given(v)) continue;
    if (k === "effort") chat.reasoning_effort = v;
    else if (k === "summary" || k === "generate_summary") return untranslatable(`reasoning.${k}`, "reasoning summaries have no Chat Completions equivalent");
    else return untranslatable(`reasoning.${k}`, `unknown reasoning option '${k}'`);
  }
  return undefined;
}

function tools(list: unknown[], chat: ChatBody): Translation<never> | undefined {
  const out: Obj[] = [];
  for (const [i, t] of list.entries()) {
    const tool = t as Obj;
    if (tool.type !== "function")
      return untranslatable(`tools.${i}`, `'${String(tool.type)}' is a built-in tool the router does not run (it is stateless and answers through chat models); only function tools are carried`);
    if (typeof tool.name !== "string" || tool.name === "") return untranslatable(`tools.${i}.name`, "a function tool needs a name");
    for (const k of Object.keys(tool)) if (!TOOL_KEYS.has(k) && given(tool[k])) return untranslatable(`tools.${i}.${k}`, `function tool member '${k}' has no Chat Completions equivalent`);
    const fn: Obj = { name: tool.name };
    if (given(tool.description)) fn.description = tool.description;
    if (given(tool.parameters)) fn.parameters = tool.parameters;
    if (given(tool.strict)) fn.strict = tool.strict;
    out.push({ type: "function", function: fn });
  }
  if (out.length > 0) chat.tools = out;
  return undefined;
}

function toolChoice(choice: unknown, chat: ChatBody): Translation<never> | undefined {
  if (choice === "none" || choice === "auto" || choice === "required") {
    chat.tool_choice = choice;
    return undefined;
  }
  const c = isObj(choice) ? choice : {};
  const keys = c.type === "function" ? ["type", "name"] : c.type === "allowed_tools" ? ["type", "mode", "tools"] : undefined;
  const extra = keys && Object.keys(c).find((k) => !keys.includes(k) && given(c[k]));
  if (extra) return untranslatable(`tool_choice.${extra}`, `unknown ${String(c.type)} tool_choice member '${extra}': the router does not know what it asks for, so it is refused`);
  if (c.type === "function" && typeof c.name === "string") {
    chat.tool_choice = { type: "function", function: { name: c.name } };
    return undefined;
  }
  if (c.type === "allowed_tools" && Array.isArray(c.tools) && (c.mode === "auto" || c.mode === "required")) {
    const named: Obj[] = [];
    for (const [i, t] of c.tools.entries()) {
      if (!isObj(t) || t.type !== "function" || typeof t.name !== "string") return untranslatable(`tool_choice.tools.${i}`, "only function tools can be allowed");
      const member = Object.keys(t).find((k) => k !== "type" && k !== "name" && given(t[k]));
      if (member) return untranslatable(`tool_choice.tools.${i}.${member}`, `unknown allowed tool member '${member}' (a function is { type, name })`);
      named.push({ type: "function", function: { name: t.name } });
    }
    chat.tool_choice = { type: "allowed_tools", allowed_tools: { mode: c.mode, tools: named } };
    return undefined;
  }
  return untranslatable("tool_choice", `tool_choice ${JSON.stringify(choice)} names a built-in tool or is not a tool choice this door carries (none, auto, required, a function, allowed_tools)`);
}

/** A message's text: a string as is, its text parts joined by newlines. */
function itemText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .filter((p): p is Obj => isObj(p) && p.type === "input_text" && typeof p.text === "string")
    .map((p) => p.text as string)
    .join("\n");
}

/**
 * The text of the last user message that has any: what the intent is classified
 * from (a string `input` is that message). Function outputs are passed over, so a
 * tool round trip is routed by the question that started it.
 *
 * @example
 * lastUserText("convert 5 km") // "convert 5 km"
 * lastUserText([{ role: "user", content: "convert 5 km" }, { type: "function_call_output", call_id: "c", output: "1" }]) // "convert 5 km"
 */
export function lastUserText(input: unknown): string | undefined {
  if (typeof input === "string") return input;
  if (!Array.isArray(input)) return undefined;
  let sawUser = false;
  // Stryker disable next-line ArithmeticOperator: starting past the end reads undefined, which is passed over like any non-message item
  for (let i = input.length - 1; i >= 0; i--) {
    const item = input[i];
    if (!isObj(item) || item.role !== "user" || (item.type !== undefined && item.type !== "message")) continue;
    sawUser = true;
    const text = itemText(item.content);
    if (text.trim() !== "") return text;
  }
  return sawUser ? "" : undefined;
}

/** Chat Completions fields and the Responses field each came from. */
const TOP_LEVEL: Record<string, string> = {
  max_completion_tokens: "max_output_tokens",
  max_tokens: "max_output_tokens",
  response_format: "text.format",
  verbosity: "text.verbosity",
  reasoning_effort: "reasoning.effort",
  stream_options: "stream",
};

/**
 * A Chat Completions field path (as a translated provider names what it cannot take)
 * in the client's Responses terms: `messages.2.content.1` → `input.1.content.1`,
 * `messages.3.tool_calls.0` → the `function_call` item, `messages.4.tool_call_id` → its
 * output item's `call_id`, `tools.0.function.strict` → `tools.0.strict`,
 * `reasoning_effort` → `reasoning.effort`, `response_format.json_schema.schema` →
 * `text.format.schema` (`response_format` → `text.format`).
 *
 * @example
 * chatParamToResponses("messages.1.content.0", [{ path: "instructions" }, { path: "input.0" }]) // "input.0.content.0"
 */
export function chatParamToResponses(param: string, sources: ChatTranslation["sources"]): string {
  const m = /^messages\.(\d+)(?:\.(.*))?$/.exec(param);
  if (m) {
    const source = sources[Number(m[1])];
    if (!source) return "input";
    const rest = m[2];
    const call = rest && /^tool_calls\.(\d+)/.exec(rest);
    if (call) return source.toolCalls?.[Number(call[1])] ?? source.path;
    if (rest === "tool_call_id" && source.output) return `${source.path}.call_id`;
    // Stryker disable next-line Regex: `rest` starts with "content" here, so its first "content" is at the start anyway
    if (rest?.startsWith("content") && source.path.startsWith("input.")) return `${source.path}.${source.output ? rest.replace(/^content/, "output") : partPath(rest)}`;
    return source.path;
  }
  const tool = /^tools\.(\d+)(?:\.function)?(\..*)?$/.exec(param);
  if (tool) return `tools.${tool[1]}${tool[2] ?? ""}`;
  const format = /^response_format\.json_schema\.(.+)$/.exec(param);
  if (format) return `text.format.${format[1]}`;
  const top = param.split(".")[0]!;
  if (TOP_LEVEL[top]) return TOP_LEVEL[top];
  if (top === "tool_choice") return "tool_choice";
  return param;
}

/** A chat part's member path as the Responses part names it: `image_url.url` → `image_url`, `image_url.detail` → `detail`, `file.file_data` → `file_data`. */
const partPath = (rest: string) => rest.replace(/^(content\.\d+)\.image_url\.url$/, "$1.image_url").replace(/^(content\.\d+)\.(?:image_url|file)\.(\w+)$/, "$1.$2");

/** Chat Completions paths in a provider's sentence: message and tool paths, the JSON schema's, and a top-level field quoted or before a colon. */
const CHAT_PATHS = new RegExp(`\\b(?:messages|tools)\\.\\d+(?:\\.\\w+)*|\\bresponse_format(?:\\.\\w+)*|(?<=')(?:${Object.keys(TOP_LEVEL).join("|")})(?=')|\\b(?:${Object.keys(TOP_LEVEL).join("|")})(?=:| must)`, "g");

/**
 * A translated provider's refusal sentence in the client's Responses terms: every Chat
 * Completions path in it named as {@link chatParamToResponses} names the param, so
 * the message and `param` agree.
 *
 * @example
 * chatDetailToResponses("'messages.1.content.0' is not text", [{ path: "instructions" }, { path: "input.0" }]) // "'input.0.content.0' is not text"
 */
export function chatDetailToResponses(detail: string, sources: ChatTranslation["sources"]): string {
  return detail.replace(CHAT_PATHS, (path) => chatParamToResponses(path, sources));
}
