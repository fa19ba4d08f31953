/**
 * An Anthropic Messages request → an OpenAI Chat Completions request, for the
 * Anthropic front door (`POST /v1/messages`) in front of an OpenAI-format specialist.
 * Every request field has a rule in {@link MESSAGES_FIELD_RULES}; a field it does not
 * know is refused. Sources: Anthropic Messages API, "Create a Message" and the SDK
 * types; OpenAI API reference, "Create chat completion". Pure.
 *
 * Messages:
 * - `system` (string or text blocks) → a first `system` message; a `system` turn
 *   (API version 2026-10-21) → a `system` message where it stands.
 * - user turns: text → text parts (citations refused), images (base64 → a `data:`
 *   URL, url → the URL), base64 PDF documents → `file` parts, `tool_result` blocks →
 *   `tool` messages (`tool_use_id` → `tool_call_id`, which must name an earlier
 *   `tool_use`; text content only; `is_error` kept as an `Error: ` prefix, since
 *   OpenAI has no error flag).
 * - assistant turns: text blocks joined → `content`; `tool_use` → `tool_calls`
 *   (`input` → JSON `arguments`); `thinking` and `redacted_thinking` blocks dropped:
 *   Anthropic itself removes earlier turns' thinking from the context (extended
 *   thinking, "Thinking blocks from previous turns").
 * - `cache_control` anywhere is omitted: a caching hint that does not change the
 *   answer; OpenAI-format servers cache prompt prefixes on their own. A member it
 *   does not have (only `type` and `ttl`) is refused, naming its path.
 * - Empty content (`""` or `[]`) is refused at `messages.N.content` except in a final
 *   assistant turn, as Anthropic refuses it ("all messages must have non-empty content
 *   except for the optional final assistant message").
 * - Any other block type is refused, naming its path; so is a member of a message, a
 *   block or an image/document `source` that the SDK does not document or OpenAI
 *   cannot take (`transformations`, `toolset_name`, …), as gemini/contents.ts does.
 */
import type {
  ChatCompletionContentPart,
  ChatCompletionContentPartText,
  ChatCompletionMessageFunctionToolCall,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from "openai/resources/chat/completions";
import { translated, untranslatable, type Translation } from "../translation.ts";
import type { ChatRequest, Obj } from "./types.ts";
import { extraMember, isObj } from "./types.ts";
import type { MessagesRequest } from "./wire.ts";

/** How one Anthropic request field is carried to OpenAI. */
export interface MessagesFieldRule {
  kind: "mapped" | "router" | "omitted" | "refused";
  /** The OpenAI field it becomes, when mapped. */
  openai?: string;
  rule: string;
}

/** Every Messages request field (SDK 1.14.0 `MessageCreateParams`, plus the 2023-06-01 sampling fields) and its rule. */
export const MESSAGES_FIELD_RULES: Readonly<Record<string, MessagesFieldRule>> = {
  model: { kind: "router", openai: "model", rule: "picks the specialist (a specialist id or auto); kept as sent" },
  messages: { kind: "mapped", openai: "messages", rule: "see above" },
  system: { kind: "mapped", openai: "messages[0] (system)", rule: "a string or text blocks" },
  max_tokens: { kind: "mapped", openai: "max_completion_tokens", rule: "as is; 0 (cache pre-warming) refused" },
  stop_sequences: { kind: "mapped", openai: "stop", rule: "up to 4 (OpenAI's limit); more refused" },
  stream: { kind: "mapped", openai: "stream, stream_options.include_usage", rule: "true → stream with usage (Anthropic's stream reports usage)" },
  temperature: { kind: "mapped", openai: "temperature", rule: "as is (0–1 lies within OpenAI's 0–2)" },
  top_p: { kind: "mapped", openai: "top_p", rule: "as is" },
  top_k: { kind: "refused", rule: "no OpenAI equivalent" },
  metadata: { kind: "mapped", openai: "user", rule: "metadata.user_id → user" },
  tools: { kind: "mapped", openai: "tools", rule: "client tools → function tools { name, description, parameters: input_schema, strict }; server tools refused" },
  tool_choice: { kind: "mapped", openai: "tool_choice, parallel_tool_calls", rule: "auto → auto, any → required, tool → a named function, none → none; disable_parallel_tool_use → parallel_tool_calls: false" },
  thinking: { kind: "refused", rule: "disabled accepted; enabled, adaptive and between_tools refused (no faithful OpenAI mapping of a thinking budget or of thinking blocks)" },
  output_config: { kind: "mapped", openai: "response_format, reasoning_effort", rule: "format json_schema → response_format json_schema (strict); effort → reasoning_effort" },
  service_tier: { kind: "mapped", openai: "service_tier", rule: "auto → auto, standard_only → default" },
  speed: { kind: "refused", rule: "standard accepted; fast refused" },
  cache_control: { kind: "omitted", rule: "a caching hint; OpenAI-format servers cache prompt prefixes on their own" },
  container: { kind: "refused", rule: "no equivalent" },
  diagnostics: { kind: "refused", rule: "no equivalent" },
  inference_geo: { kind: "refused", rule: "no equivalent" },
  user_profile_id: { kind: "refused", rule: "an SDK header parameter; no equivalent" },
  workspace_id: { kind: "refused", rule: "an SDK header parameter; no equivalent" },
};

const TOOL_KEYS = new Set(["name", "type", "description", "input_schema", "strict", "cache_control"]);
const MESSAGE_KEYS: ReadonlySet<string> = new Set(["role", "content"]);
/** The members each block type carries to OpenAI (SDK `…BlockParam`; `cache_control` omitted, `citations` checked on its own). */
const BLOCK_KEYS: Record<string, ReadonlySet<string>> = {
  text: new Set(["type", "text", "cache_control", "citations"]),
  image: new Set(["type", "source", "cache_control"]),
  document: new Set(["type", "source", "title", "context", "citations", "cache_control"]),
  tool_use: new Set(["type", "id", "name", "input", "cache_control", "caller"]),
  tool_result: new Set(["type", "tool_use_id", "content", "is_error", "cache_control"]),
};
const SOURCE_KEYS: Record<string, ReadonlySet<string>> = { base64: new Set(["type", "media_type", "data"]), url: new Set(["type", "url"]) };
/** The members of each tool choice (SDK `ToolChoiceAuto`, `…Any`, `…Tool`, `…None`) and of `cache_control` (`CacheControlEphemeral`). */
const TOOL_CHOICE_KEYS: Record<string, ReadonlySet<string>> = {
  auto: new Set(["type", "disable_parallel_tool_use"]),
  any: new Set(["type", "disable_parallel_tool_use"]),
  tool: new Set(["type", "name", "disable_parallel_tool_use"]),
  none: new Set(["type"]),
};
const CACHE_CONTROL_KEYS: ReadonlySet<string> = new Set(["type", "ttl"]);

/** A member of the `cache_control` of `o` (at `q`) that the SDK does not document, as a refusal: omitted or not, an unknown member is not passed over. */
function cacheControlExtra(o: Obj, q: string): Translation<never> | undefined {
  const extra = isObj(o.cache_control) ? extraMember(o.cache_control, CACHE_CONTROL_KEYS) : undefined;
  const at = `${q ? `${q}.` : ""}cache_control.${extra}`;
  return extra ? untranslatable(at, `'${at}' is not a cache_control member`) : undefined;
}

/** The first member of block `b` (at `q`) OpenAI cannot take, as a refusal; a `direct` caller (the model called the tool itself) asks for nothing. */
function blockExtra(b: Obj, q: string): Translation<never> | undefined {
  const known = typeof b.type === "string" ? BLOCK_KEYS[b.type] : undefined;
  const extra = known && extraMember(b, known);
  if (extra) return untranslatable(`${q}.${extra}`, `'${q}.${extra}' has no OpenAI equivalent`);
  const cache = cacheControlExtra(b, q);
  if (cache) return cache;
  if (b.type === "tool_use" && b.caller != null && !(isObj(b.caller) && b.caller.type === "direct")) return untranslatable(`${q}.caller`, `'${q}.caller': OpenAI has no server-side tool callers`);
  const source = (b.type === "image" || b.type === "document") && isObj(b.source) ? b.source : undefined;
  const sourceKeys = typeof source?.type === "string" ? SOURCE_KEYS[source.type] : undefined;
  const extraSource = source && sourceKeys && extraMember(source, sourceKeys);
  if (extraSource) return untranslatable(`${q}.source.${extraSource}`, `'${q}.source.${extraSource}' has no OpenAI equivalent`);
  return undefined;
}

/**
 * The Chat Completions request for a Messages request, or the first field it cannot carry.
 *
 * @example
 * messagesToChat({ model: "auto", max_tokens: 100, system: "Be brief.", messages: [{ role: "user", content: "hi" }] })
 * // { ok: true, value: { model: "auto", messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "hi" }], max_completion_tokens: 100 } }
 */
export function messagesToChat(req: MessagesRequest): Translation<ChatRequest> {
  const messages: ChatCompletionMessageParam[] = [];
  for (const [j, b] of (Array.isArray(req.system) ? req.system : []).entries()) {
    const bad = blockExtra(b, `system.${j}`) ?? citations(b, `system.${j}`);
    if (bad) return bad;
  }
  if (req.system !== undefined) messages.push({ role: "system", content: typeof req.system === "string" ? req.system : req.system.map((b) => ({ type: "text", text: b.text })) });
  const toolUses = new Set<string>();
  for (const [i, m] of req.messages.entries()) {
    const extra = extraMember(m, MESSAGE_KEYS);
    if (extra) return untranslatable(`messages.${i}.${extra}`, `'messages.${i}.${extra}' has no OpenAI equivalent`);
    const finalAssistant = m.role === "assistant" && i === req.messages.length - 1;
    if ((m.content === "" || (Array.isArray(m.content) && m.content.length === 0)) && !finalAssistant)
      return untranslatable(`messages.${i}.content`, `'messages.${i}.content' must not be empty (Anthropic allows empty content only in a final assistant turn)`);
    const r = turn(m as Obj & { role: string; content: unknown }, `messages.${i}`, toolUses);
    if (!r.ok) return r;
    messages.push(...r.value);
  }
  const body: ChatRequest = { model: req.model, messages };
  for (const [key, value] of Object.entries(req)) {
    if (value === undefined || value === null) continue;
    const refused = field(key, value, req, body);
    if (refused) return refused;
  }
  return translated(body);
}

function field(key: string, value: unknown, req: MessagesRequest, body: ChatRequest): Translation<never> | undefined {
  const rule = MESSAGES_FIELD_RULES[key];
  if (!rule) return untranslatable(key, `'${key}' is not a Messages field the router can carry to an OpenAI-format specialist`);
  switch (key) {
    case "max_tokens":
      if (value === 0) return untranslatable(key, "'max_tokens' 0 (pre-warming the prompt cache) has no OpenAI equivalent");
      body.max_completion_tokens = value as number;
      return;
    case "stop_sequences":
      if ((value as string[]).length > 4) return untranslatable(key, "'stop_sequences': OpenAI takes at most 4 stop sequences");
      if ((value as string[]).length) body.stop = value as string[];
      return;
    case "stream":
      if (value === true) Object.assign(body, { stream: true, stream_options: { include_usage: true } });
      return;
    case "temperature":
    case "top_p":
      body[key] = value as number;
      return;
    case "metadata":
      for (const [k, v] of Object.entries(value as Obj)) {
        if (k === "user_id" && typeof v === "string") body.user = v;
        else if (v !== null && v !== undefined) return untranslatable(`metadata.${k}`, `'metadata.${k}' has no OpenAI equivalent`);
      }
      return;
    case "tools":
      return tools(value as Obj[], body);
    case "tool_choice": {
      const c = value as Obj;
      const extra = extraMember(c, TOOL_CHOICE_KEYS[c.type as string] ?? new Set(["type"]));
      if (extra) return untranslatable(`tool_choice.${extra}`, `'tool_choice.${extra}' has no OpenAI equivalent`);
      // as Anthropic's API does: a choice other than none needs tools to choose from
      if (c.type !== "none" && !req.tools?.length) return untranslatable("tool_choice", `'tool_choice' ${JSON.stringify(c.type)} needs tools to choose from; send tools, or no tool_choice`);
      if (c.type === "auto") body.tool_choice = "auto";
      else if (c.type === "any") body.tool_choice = "required";
      else if (c.type === "none") body.tool_choice = "none";
      else body.tool_choice = { type: "function", function: { name: c.name as string } };
      if (c.disable_parallel_tool_use === true && req.tools?.length) body.parallel_tool_calls = false;
      return;
    }
    case "thinking":
      return (value as Obj).type === "disabled" ? undefined : untranslatable(key, "'thinking' has no faithful OpenAI Chat Completions equivalent (no thinking budget, no thinking blocks)");
    case "output_config":
      return outputConfig(value as NonNullable<MessagesRequest["output_config"]>, body);
    case "service_tier":
      if (value === "auto" || value === "standard_only") body.service_tier = value === "auto" ? "auto" : "default";
      else return untranslatable(key, `'service_tier' ${JSON.stringify(value)} has no OpenAI equivalent`);
      return;
    case "speed":
      return value === "standard" ? undefined : untranslatable(key, `'speed' ${JSON.stringify(value)} has no OpenAI equivalent`);
    case "cache_control":
      return cacheControlExtra(req, "");
    default:
      if (rule.kind === "refused") return untranslatable(key, `'${key}' has no OpenAI Chat Completions equivalent (${rule.rule})`);
      return; // model, messages, system (done above), cache_control (omitted)
  }
}

function outputConfig(value: NonNullable<MessagesRequest["output_config"]>, body: ChatRequest): Translation<never> | undefined {
  for (const key of Object.keys(value)) {
    if (key !== "effort" && key !== "format" && value[key] != null) return untranslatable(`output_config.${key}`, `'output_config.${key}' has no OpenAI equivalent`);
  }
  if (value.effort) body.reasoning_effort = value.effort;
  if (value.format) body.response_format = { type: "json_schema", json_schema: { name: "output", schema: value.format.schema, strict: true } };
  return undefined;
}

function tools(value: Obj[], body: ChatRequest): Translation<never> | undefined {
  const out: ChatCompletionTool[] = [];
  for (const [i, t] of value.entries()) {
    const p = `tools.${i}`;
    if (t.type != null && t.type !== "custom") return untranslatable(p, `'${p}': the server tool ${JSON.stringify(t.type)} has no OpenAI equivalent`);
    for (const key of Object.keys(t)) if (!TOOL_KEYS.has(key) && t[key] != null) return untranslatable(`${p}.${key}`, `'${p}.${key}' has no OpenAI equivalent`);
    const cache = cacheControlExtra(t, p);
    if (cache) return cache;
    if (!isObj(t.input_schema)) return untranslatable(`${p}.input_schema`, `'${p}.input_schema' is required`);
    const fn: ChatCompletionTool & { type: "function" } = { type: "function", function: { name: t.name as string, parameters: t.input_schema } };
    if (typeof t.description === "string") fn.function.description = t.description;
    if (typeof t.strict === "boolean") fn.function.strict = t.strict;
    out.push(fn);
  }
  if (out.length) body.tools = out;
  return undefined;
}

/** Non-empty `citations` on a text block (at `q`): OpenAI has none. */
function citations(b: Obj, q: string): Translation<never> | undefined {
  return Array.isArray(b.citations) && b.citations.length ? untranslatable(`${q}.citations`, `'${q}.citations' has no OpenAI equivalent`) : undefined;
}

/** One Anthropic turn as one or more OpenAI messages; `toolUses`: the ids of earlier `tool_use` blocks, which a `tool_result` must name. */
function turn(m: Obj & { role: string; content: unknown }, p: string, toolUses: Set<string>): Translation<ChatCompletionMessageParam[]> {
  for (const [j, b] of (Array.isArray(m.content) ? (m.content as Obj[]) : []).entries()) {
    const bad = blockExtra(b, `${p}.content.${j}`);
    if (bad) return bad;
  }
  if (m.role === "system") {
    if (typeof m.content === "string") return translated([{ role: "system", content: m.content }]);
    const parts: ChatCompletionContentPartText[] = [];
    for (const [j, b] of (m.content as Obj[]).entries()) {
      if (b.type !== "text") return untranslatable(`${p}.content.${j}`, `'${p}.content.${j}': a system turn takes only text`);
      const bad = citations(b, `${p}.content.${j}`);
      if (bad) return bad;
      parts.push({ type: "text", text: b.text as string });
    }
    return translated([{ role: "system", content: parts }]);
  }
  if (typeof m.content === "string") return translated([m.role === "user" ? { role: "user", content: m.content } : { role: "assistant", content: m.content }]);
  return m.role === "user" ? userTurn(m.content as Obj[], p, toolUses) : assistantTurn(m.content as Obj[], p, toolUses);
}

function userTurn(blocks: Obj[], p: string, toolUses: ReadonlySet<string>): Translation<ChatCompletionMessageParam[]> {
  const out: ChatCompletionMessageParam[] = [];
  let parts: ChatCompletionContentPart[] = [];
  const flush = () => {
    if (parts.length) out.push({ role: "user", content: parts });
    parts = [];
  };
  for (const [j, b] of blocks.entries()) {
    const q = `${p}.content.${j}`;
    if (b.type === "tool_result") {
      if (!toolUses.has(b.tool_use_id as string)) return untranslatable(`${q}.tool_use_id`, `'${q}.tool_use_id' matches no earlier tool_use block`);
      flush();
      const t = toolMessage(b, q);
      if (!t.ok) return t;
      out.push(t.value);
      continue;
    }
    const part = userPart(b, q);
    if (!part.ok) return part;
    parts.push(part.value);
  }
  flush();
  return translated(out);
}

function userPart(b: Obj, q: string): Translation<ChatCompletionContentPart> {
  if (b.type === "text") {
    const bad = citations(b, q);
    if (bad) return bad;
    return translated({ type: "text", text: b.text as string });
  }
  const source = isObj(b.source) ? b.source : {};
  if (b.type === "image" && source.type === "base64") return translated({ type: "image_url", image_url: { url: `data:${source.media_type};base64,${source.data}` } });
  if (b.type === "image" && source.type === "url") return translated({ type: "image_url", image_url: { url: source.url as string } });
  if (b.type === "document" && source.type === "base64" && source.media_type === "application/pdf") {
    for (const key of ["context", "citations"]) if (b[key] != null) return untranslatable(`${q}.${key}`, `'${q}.${key}' has no OpenAI equivalent`);
    const file: { file_data: string; filename?: string } = { file_data: `data:application/pdf;base64,${source.data}` };
    if (typeof b.title === "string") file.filename = b.title;
    return translated({ type: "file", file });
  }
  const what = b.type === "image" || b.type === "document" ? `a ${b.type} from a ${String(source.type)} source` : `a ${JSON.stringify(b.type)} block`;
  return untranslatable(q, `'${q}': ${what} has no OpenAI equivalent`);
}

function toolMessage(b: Obj, q: string): Translation<ChatCompletionMessageParam> {
  const texts: string[] = [];
  if (typeof b.content === "string") texts.push(b.content);
  else if (Array.isArray(b.content)) {
    for (const [k, c] of (b.content as Obj[]).entries()) {
      if (c.type !== "text") return untranslatable(`${q}.content.${k}`, `'${q}.content.${k}': an OpenAI tool message takes only text, not ${JSON.stringify(c.type)}`);
      const bad = blockExtra(c, `${q}.content.${k}`) ?? citations(c, `${q}.content.${k}`);
      if (bad) return bad;
      texts.push(c.text as string);
    }
  }
  const id = b.tool_use_id as string;
  if (b.is_error === true) return translated({ role: "tool", tool_call_id: id, content: texts.length ? `Error: ${texts.join("\n")}` : "Error" });
  if (Array.isArray(b.content)) return translated({ role: "tool", tool_call_id: id, content: texts.map((text) => ({ type: "text" as const, text })) });
  return translated({ role: "tool", tool_call_id: id, content: texts.join("") });
}

function assistantTurn(blocks: Obj[], p: string, toolUses: Set<string>): Translation<ChatCompletionMessageParam[]> {
  let text = "";
  const calls: ChatCompletionMessageFunctionToolCall[] = [];
  for (const [j, b] of blocks.entries()) {
    if (b.type === "tool_use") toolUses.add(b.id as string);
    if (b.type === "text") {
      const bad = citations(b, `${p}.content.${j}`);
      if (bad) return bad;
      text += b.text as string;
    } else if (b.type === "tool_use") calls.push({ id: b.id as string, type: "function", function: { name: b.name as string, arguments: JSON.stringify(b.input ?? {}) } });
    else if (b.type !== "thinking" && b.type !== "redacted_thinking") return untranslatable(`${p}.content.${j}`, `'${p}.content.${j}': a ${JSON.stringify(b.type)} block has no OpenAI equivalent`);
  }
  if (!calls.length) return translated([{ role: "assistant", content: text }]);
  return translated([{ role: "assistant", content: text === "" ? null : text, tool_calls: calls }]);
}
