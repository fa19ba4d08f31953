/**
 * A Responses API request → a Chat Completions request, for the `POST /v1/responses`
 * front door (stateless): what the router classifies, what the request needs of a
 * specialist, and the canonical chat body the chat models are sent. Every request
 * field has a rule in {@link RESPONSES_FIELD_RULES}; a field it does not know is
 * refused, naming it. Sources: OpenAI API reference, "Create a model response" and
 * "Create chat completion"; the `openai` 7.57.0 types. Pure.
 *
 * Input items:
 * - `input` a string → one user message; `instructions` → a first `system` message.
 * - messages (`type: "message"` or just a `role`): user, system and developer content
 *   parts `input_text` → `text`, `input_image` (URL or `data:` URL) → `image_url`
 *   (`detail` kept), `input_file` (inline `file_data` or a `file_id`) → `file`;
 *   assistant messages (an earlier response's `output_text` and `refusal` parts, or a
 *   string) → an assistant message (`content`, `refusal`).
 * - `function_call` → the assistant message's `tool_calls` (`call_id` → `id`), calls
 *   in a row joining one assistant message; `function_call_output` → a `tool` message
 *   (`call_id` → `tool_call_id`; text output only).
 * - `reasoning` items (an earlier response's) are not sent: Chat Completions takes no
 *   reasoning in its input.
 * - `item_reference` (stored items) and every built-in tool's items are refused.
 */
import { translated, untranslatable, type Translation } from "../translation.ts";
import { RESPONSES_FIELD_RULES } from "./responses-fields.ts";

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
  sources: { path: string; toolCalls?: string[]; output?: boolean }[];
}

const IMAGE_DETAILS = new Set(["auto", "low", "high"]);
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
    for (const [i, item] of input.entries()) {
      const r = inputItem(item as Obj, `input.${i}`, chat.messages, sources);
      if (r) return r;
    }
  }
  return translated({ chat, sources });
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
      return untranslatable(key, `${key}: ${RESPONSES_FIELD_RULES[key]?.rule ?? "no equivalent"}`);
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
      return undefined;
    case "json_object":
      chat.response_format = { type: "json_object" };
      return undefined;
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
  if (c.type === "function" && typeof c.name === "string") {
    chat.tool_choice = { type: "function", function: { name: c.name } };
    return undefined;
  }
  if (c.type === "allowed_tools" && Array.isArray(c.tools) && (c.mode === "auto" || c.mode === "required")) {
    const named: Obj[] = [];
    for (const [i, t] of c.tools.entries()) {
      if (!isObj(t) || t.type !== "function" || typeof t.name !== "string") return untranslatable(`tool_choice.tools.${i}`, "only function tools can be allowed");
      named.push({ type: "function", function: { name: t.name } });
    }
    chat.tool_choice = { type: "allowed_tools", allowed_tools: { mode: c.mode, tools: named } };
    return undefined;
  }
  return untranslatable("tool_choice", `tool_choice ${JSON.stringify(choice)} names a built-in tool or is not a tool choice this door carries (none, auto, required, a function, allowed_tools)`);
}

/** One input item onto `messages` (recording its source), or its refusal. */
function inputItem(item: Obj, path: string, messages: Obj[], sources: ChatTranslation["sources"]): Translation<never> | undefined {
  const type = item.type === undefined && "role" in item ? "message" : item.type;
  const last = messages.at(-1);
  switch (type) {
    case "message": {
      const m = message(item, path);
      if (!m.ok) return m;
      messages.push(m.value);
      sources.push({ path });
      return undefined;
    }
    case "function_call": {
      const call = { id: item.call_id, type: "function", function: { name: item.name, arguments: item.arguments } };
      const source = sources.at(-1);
      // calls in a row (after the assistant's text, if any) are one assistant message
      if (last && last.role === "assistant" && source && !source.output) {
        last.tool_calls = [...((last.tool_calls as Obj[] | undefined) ?? []), call];
        source.toolCalls = [...(source.toolCalls ?? []), path];
      } else {
        messages.push({ role: "assistant", content: null, tool_calls: [call] });
        sources.push({ path, toolCalls: [path] });
      }
      return undefined;
    }
    case "function_call_output": {
      const out = item.output;
      let content: unknown = out;
      if (Array.isArray(out)) {
        const parts: Obj[] = [];
        for (const [j, p] of (out as Obj[]).entries()) {
          if (p.type !== "input_text") return untranslatable(`${path}.output.${j}`, `a Chat Completions tool message takes text only, not '${String(p.type)}'`);
          parts.push({ type: "text", text: p.text });
        }
        content = parts;
      }
      messages.push({ role: "tool", tool_call_id: item.call_id, content });
      sources.push({ path, output: true });
      return undefined;
    }
    case "reasoning":
      return undefined;
    case "item_reference":
      return untranslatable(path, "item_reference points at a stored item; the router is stateless: send the item itself");
    case undefined:
      return untranslatable(path, "an input item needs a type (or a role, for a message)");
    default:
      return untranslatable(path, `'${String(type)}' items belong to built-in tools or stored state, which the router does not provide; only messages, function_call and function_call_output items are carried`);
  }
}

/** A message item as a chat message. */
function message(item: Obj, path: string): Translation<Obj> {
  const role = item.role as string;
  const content = item.content;
  if (role === "assistant") {
    if (typeof content === "string") return translated({ role, content });
    let text = "";
    let refusal = "";
    for (const [j, p] of (content as Obj[]).entries()) {
      if (p.type === "output_text" || p.type === "input_text") text += p.text as string;
      else if (p.type === "refusal") refusal += p.refusal as string;
      else return untranslatable(`${path}.content.${j}`, `an assistant message part of type '${String(p.type)}' has no Chat Completions equivalent`);
    }
    return translated({ role, content: text === "" && refusal !== "" ? null : text, ...(refusal !== "" ? { refusal } : {}) });
  }
  if (typeof content === "string") return translated({ role, content });
  const parts: Obj[] = [];
  for (const [j, p] of (content as Obj[]).entries()) {
    const at = `${path}.content.${j}`;
    if (p.type === "input_text") {
      parts.push({ type: "text", text: p.text });
      continue;
    }
    if (role !== "user") return untranslatable(at, `a ${role} message takes text only in Chat Completions, not '${String(p.type)}'`);
    if (p.type === "input_image") {
      if (given(p.file_id)) return untranslatable(`${at}.file_id`, "an image by file id needs OpenAI's file store; send image_url (a URL or a data: URL)");
      if (typeof p.image_url !== "string") return untranslatable(`${at}.image_url`, "an input_image needs image_url");
      if (given(p.detail) && !IMAGE_DETAILS.has(p.detail as string)) return untranslatable(`${at}.detail`, `image detail '${String(p.detail)}' has no Chat Completions equivalent (auto, low, high)`);
      parts.push({ type: "image_url", image_url: { url: p.image_url, ...(given(p.detail) ? { detail: p.detail } : {}) } });
    } else if (p.type === "input_file") {
      if (given(p.file_url)) return untranslatable(`${at}.file_url`, "a file by URL has no Chat Completions equivalent; send file_data");
      const file: Obj = {};
      if (given(p.file_data)) file.file_data = p.file_data;
      if (given(p.file_id)) file.file_id = p.file_id;
      if (given(p.filename)) file.filename = p.filename;
      if (!given(p.file_data) && !given(p.file_id)) return untranslatable(`${at}.file_data`, "an input_file needs file_data or file_id");
      parts.push({ type: "file", file });
    } else {
      return untranslatable(at, `a user message part of type '${String(p.type)}' has no Chat Completions equivalent`);
    }
  }
  return translated({ role, content: parts });
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
 * `messages.3.tool_calls.0` → the `function_call` item, `tools.0.function.strict` →
 * `tools.0.strict`, `reasoning_effort` → `reasoning.effort`, `response_format…` →
 * `text.format`.
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
    // Stryker disable next-line Regex: `rest` starts with "content" here, so its first "content" is at the start anyway
    if (rest?.startsWith("content") && source.path.startsWith("input.")) return `${source.path}.${source.output ? rest.replace(/^content/, "output") : rest}`;
    return source.path;
  }
  const tool = /^tools\.(\d+)(?:\.function)?(\..*)?$/.exec(param);
  if (tool) return `tools.${tool[1]}${tool[2] ?? ""}`;
  const top = param.split(".")[0]!;
  if (TOP_LEVEL[top]) return TOP_LEVEL[top];
  if (top === "tool_choice") return "tool_choice";
  return param;
}
