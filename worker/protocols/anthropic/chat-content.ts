/**
 * OpenAI chat messages → Anthropic `system` and `messages` (Messages API, "messages",
 * "system"; OpenAI API reference, "Create chat completion › messages"). Pure.
 *
 * - `system` / `developer` messages → `system`: their text, in order, after the
 *   endpoint's `systemPrompt`, joined by a blank line (Anthropic takes system
 *   instructions only there). A message's text parts are joined by newlines.
 * - `user` → a user turn: `text` parts → text blocks; `image_url` → an image block
 *   (a `data:` URL whose data is base64 → a base64 source with its media type; an
 *   absolute `http(s)` URL → a url source; `detail` `auto` or `high` accepted, `low`
 *   and `original` refused: Anthropic has no low-resolution or original-size mode);
 *   `file` with a base64 PDF in `file_data` → a document block (`filename` →
 *   `title`); `input_audio` and `file_id` refused.
 * - `assistant` → an assistant turn: text and `refusal` parts (and a `refusal`
 *   member) → text blocks; `tool_calls` → `tool_use` blocks, ids kept, `arguments`
 *   parsed (`""` is `{}`; text that is not a JSON object is refused); a call takes
 *   `id`, `type`, `function` (`name`, `arguments`) and the echoes `index` (Python
 *   SDK stream helpers keep it) and `function.parsed_arguments` (the JS SDK's parse
 *   helpers add it); any other member is refused.
 * - `tool` → a `tool_result` block (`tool_call_id` → `tool_use_id`) in a user turn.
 * - Consecutive turns of one role are merged (Anthropic wants alternation); in a user
 *   turn, `tool_result` blocks go first (Messages API, "tool use": results lead the
 *   user message that answers a tool use). An assistant message with nothing to carry
 *   (no text, refusal or tool call) is refused at `messages.N.content`: dropping it
 *   would merge the turns around it. `content: []` is refused on any message (OpenAI
 *   requires at least one part).
 * - A part's `prompt_cache_breakpoint` → `cache_control: { type: "ephemeral", ttl: "1h" }`
 *   (the shortest Anthropic lifetime at least OpenAI's 30-minute default); `ttl: "12h"`
 *   is refused.
 * - Refused, naming the path: `function` messages and `function_call` (deprecated: use
 *   tools), `name` (Anthropic has no participant names), `audio`, custom tool calls,
 *   other part types, and any member OpenAI does not document for a message, a part,
 *   `image_url` or `file` (as gemini/contents.ts does), `prompt_cache_breakpoint` on
 *   system, developer and tool text (sent as one string, with no block to mark).
 */
import type { ContentBlockParam, MessageParam, TextBlockParam, ToolResultBlockParam } from "@anthropic-ai/sdk/resources/messages";
import { translated, untranslatable, type Translation } from "../translation.ts";
import { parseArguments } from "./replies.ts";
import { extraMember, isBase64, isHttpUrl, isObj, type Obj } from "./types.ts";

/** The endpoint's system prompt and the client's system/developer messages, joined; and the turns. */
export interface Conversation {
  system?: string;
  messages: MessageParam[];
}

type Turn = { role: "user" | "assistant"; blocks: ContentBlockParam[] };
type Blocks = Translation<ContentBlockParam[]>;

/** Assistant members that carry nothing Anthropic needs: OpenAI's own echoes, or the router's `reasoning_content`. */
const IGNORED_ASSISTANT = new Set(["role", "content", "tool_calls", "refusal", "annotations", "reasoning_content"]);
/** The members OpenAI documents for each other role (`name` is refused on its own, before these are checked). */
const MESSAGE_KEYS: Record<string, ReadonlySet<string>> = {
  system: new Set(["role", "content"]),
  developer: new Set(["role", "content"]),
  user: new Set(["role", "content"]),
  tool: new Set(["role", "content", "tool_call_id"]),
};
/** The members OpenAI documents for each part type (ChatCompletionContentPart…), and for `image_url` and `file`. */
const PART_KEYS: Record<string, ReadonlySet<string>> = {
  text: new Set(["type", "text", "prompt_cache_breakpoint"]),
  image_url: new Set(["type", "image_url", "prompt_cache_breakpoint"]),
  file: new Set(["type", "file", "prompt_cache_breakpoint"]),
};
const TEXT_ONLY_KEYS: ReadonlySet<string> = new Set(["type", "text"]);
const REFUSAL_KEYS: ReadonlySet<string> = new Set(["type", "refusal"]);
/** The members of an assistant tool call: OpenAI's, and the echoes SDK stream and parse helpers leave on a message a client sends back. */
const TOOL_CALL_KEYS: ReadonlySet<string> = new Set(["id", "type", "function", "index"]);
const CALL_FUNCTION_KEYS: ReadonlySet<string> = new Set(["name", "arguments", "parsed_arguments"]);
const IMAGE_URL_KEYS: ReadonlySet<string> = new Set(["url", "detail"]);
const FILE_KEYS: ReadonlySet<string> = new Set(["file_data", "file_id", "filename"]);
/** Why a member cannot be carried: it has no Anthropic equivalent (OpenAI does not document it, or Anthropic cannot take it). */
const noEquivalent = (path: string) => untranslatable(path, `'${path}' has no Anthropic equivalent`);
const IMAGE_TYPES: Record<string, "image/jpeg" | "image/png" | "image/gif" | "image/webp"> = {
  "image/jpeg": "image/jpeg",
  "image/jpg": "image/jpeg",
  "image/png": "image/png",
  "image/gif": "image/gif",
  "image/webp": "image/webp",
};

/**
 * The conversation of a Chat Completions request in Anthropic's terms.
 *
 * @example
 * chatConversation([{ role: "system", content: "Be brief." }, { role: "user", content: "hi" }, { role: "user", content: "there" }], "You are Switchyard.")
 * // { ok: true, value: { system: "You are Switchyard.\n\nBe brief.", messages: [{ role: "user", content: [{ type: "text", text: "hi" }, { type: "text", text: "there" }] }] } }
 */
export function chatConversation(messages: unknown[], endpointSystem?: string): Translation<Conversation> {
  const system: string[] = endpointSystem ? [endpointSystem] : [];
  const turns: Turn[] = [];
  for (const [i, m] of messages.entries()) {
    const p = `messages.${i}`;
    if (!isObj(m)) return untranslatable(p, `'${p}' is not a message object`);
    if (m.role === "function") return untranslatable(p, `'${p}': function messages are deprecated and have no tool call id Anthropic could pair them with; use tools and tool messages`);
    if (m.name !== undefined && m.name !== null) return untranslatable(`${p}.name`, `'${p}.name': Anthropic's Messages API has no participant names`);
    const known = typeof m.role === "string" ? MESSAGE_KEYS[m.role] : undefined;
    const extra = known && extraMember(m, known);
    if (extra) return noEquivalent(`${p}.${extra}`);
    if (Array.isArray(m.content) && m.content.length === 0) return untranslatable(`${p}.content`, `'${p}.content' must not be empty: give at least one part (as OpenAI requires)`);
    let r: Blocks;
    switch (m.role) {
      case "system":
      case "developer": {
        const text = textOnly(m.content, `${p}.content`);
        if (!text.ok) return text;
        system.push(text.value);
        continue;
      }
      case "user":
        r = userBlocks(m.content, `${p}.content`);
        break;
      case "assistant":
        r = assistantBlocks(m, p);
        break;
      case "tool":
        r = toolResult(m, p);
        break;
      default:
        return untranslatable(`${p}.role`, `'${p}.role' ${JSON.stringify(m.role)} has no Anthropic equivalent`);
    }
    if (!r.ok) return r;
    const role = m.role === "assistant" ? "assistant" : "user";
    if (r.value.length === 0 && role === "assistant")
      return untranslatable(`${p}.content`, `'${p}.content' is empty: an assistant message needs text, a refusal or tool_calls (Anthropic takes no empty turn, and leaving it out would merge the turns around it)`);
    const last = turns.at(-1);
    if (last && last.role === role) last.blocks.push(...r.value);
    else turns.push({ role, blocks: r.value });
  }
  if (turns.length === 0) return untranslatable("messages", "'messages' has no user or assistant message: Anthropic needs at least one");
  const out: Conversation = { messages: turns.map(toParam) };
  if (system.length) out.system = system.join("\n\n");
  return translated(out);
}

/** A turn as a message: one plain text block as a string, tool results first in a user turn. */
function toParam(t: Turn): MessageParam {
  const only = t.blocks.length === 1 ? t.blocks[0]! : undefined;
  if (only?.type === "text" && !only.cache_control) return { role: t.role, content: only.text };
  const blocks = t.role === "user" ? [...t.blocks.filter((b) => b.type === "tool_result"), ...t.blocks.filter((b) => b.type !== "tool_result")] : t.blocks;
  return { role: t.role, content: blocks };
}

/** The text of a string or of text parts (system, developer, tool contents). */
function textOnly(content: unknown, p: string): Translation<string> {
  if (typeof content === "string") return translated(content);
  if (!Array.isArray(content)) return untranslatable(p, `'${p}' must be a string or an array of text parts`);
  const texts: string[] = [];
  for (const [j, part] of content.entries()) {
    if (!isObj(part) || part.type !== "text" || typeof part.text !== "string") return untranslatable(`${p}.${j}`, `'${p}.${j}': only text parts can be translated here`);
    const extra = extraMember(part, TEXT_ONLY_KEYS);
    if (extra) return noEquivalent(`${p}.${j}.${extra}`);
    texts.push(part.text);
  }
  return translated(texts.join("\n"));
}

function userBlocks(content: unknown, p: string): Blocks {
  if (typeof content === "string") return translated([{ type: "text", text: content }]);
  if (!Array.isArray(content)) return untranslatable(p, `'${p}' must be a string or an array of parts`);
  const blocks: ContentBlockParam[] = [];
  for (const [j, part] of content.entries()) {
    const b = userPart(part, `${p}.${j}`);
    if (!b.ok) return b;
    blocks.push(b.value);
  }
  return translated(blocks);
}

function userPart(part: unknown, p: string): Translation<ContentBlockParam> {
  if (!isObj(part)) return untranslatable(p, `'${p}' is not a content part`);
  const known = typeof part.type === "string" ? PART_KEYS[part.type] : undefined;
  const extra = known && extraMember(part, known);
  if (extra) return noEquivalent(`${p}.${extra}`);
  let block: Translation<ContentBlockParam>;
  if (part.type === "text" && typeof part.text === "string") block = translated({ type: "text", text: part.text });
  else if (part.type === "image_url" && isObj(part.image_url)) block = imageBlock(part.image_url, `${p}.image_url`);
  else if (part.type === "file" && isObj(part.file)) block = documentBlock(part.file, `${p}.file`);
  else return untranslatable(p, `'${p}': a ${JSON.stringify(part.type)} part has no Anthropic equivalent`);
  if (!block.ok || part.prompt_cache_breakpoint === undefined || part.prompt_cache_breakpoint === null) return block;
  const bp = part.prompt_cache_breakpoint;
  if (!isObj(bp) || (bp.ttl !== undefined && bp.ttl !== "30m")) return untranslatable(`${p}.prompt_cache_breakpoint`, `'${p}.prompt_cache_breakpoint': Anthropic caches for at most an hour`);
  return translated({ ...block.value, cache_control: { type: "ephemeral", ttl: "1h" } } as ContentBlockParam);
}

function imageBlock(image: Obj, p: string): Translation<ContentBlockParam> {
  const extra = extraMember(image, IMAGE_URL_KEYS);
  if (extra) return noEquivalent(`${p}.${extra}`);
  const detail = image.detail;
  if (detail === "low" || detail === "original") return untranslatable(`${p}.detail`, `'${p}.detail' ${JSON.stringify(detail)}: Anthropic has no ${detail === "low" ? "low-resolution" : "original-size"} image mode`);
  if (detail !== undefined && detail !== null && detail !== "auto" && detail !== "high") return untranslatable(`${p}.detail`, `'${p}.detail' must be auto, low, high or original, not ${JSON.stringify(detail)}`);
  const url = typeof image.url === "string" ? image.url : "";
  const data = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (data) {
    const media = IMAGE_TYPES[data[1]!.toLowerCase()];
    if (!media) return untranslatable(`${p}.url`, `'${p}.url': Anthropic takes JPEG, PNG, GIF and WebP images, not ${data[1]}`);
    if (!isBase64(data[2]!)) return untranslatable(`${p}.url`, `'${p}.url': the data after 'base64,' is not base64`);
    return translated({ type: "image", source: { type: "base64", media_type: media, data: data[2]! } });
  }
  if (isHttpUrl(url)) return translated({ type: "image", source: { type: "url", url } });
  return untranslatable(`${p}.url`, `'${p}.url' must be a base64 data: URL or an absolute http(s) URL`);
}

function documentBlock(file: Obj, p: string): Translation<ContentBlockParam> {
  const extra = extraMember(file, FILE_KEYS);
  if (extra) return noEquivalent(`${p}.${extra}`);
  const data = typeof file.file_data === "string" ? /^data:application\/pdf;base64,(.*)$/s.exec(file.file_data) : null;
  if (!data) return untranslatable(p, `'${p}': only a PDF given inline as a base64 data: URL in file_data can be translated (Anthropic cannot read OpenAI file ids)`);
  if (!isBase64(data[1]!)) return untranslatable(`${p}.file_data`, `'${p}.file_data': the data after 'base64,' is not base64`);
  const block: ContentBlockParam = { type: "document", source: { type: "base64", media_type: "application/pdf", data: data[1]! } };
  if (typeof file.filename === "string") block.title = file.filename;
  return translated(block);
}

function assistantBlocks(m: Obj, p: string): Blocks {
  for (const [key, value] of Object.entries(m)) {
    if (!IGNORED_ASSISTANT.has(key) && value !== null && value !== undefined) return untranslatable(`${p}.${key}`, `'${p}.${key}' has no Anthropic equivalent`);
  }
  const blocks: ContentBlockParam[] = [];
  const text = (t: string) => t !== "" && blocks.push({ type: "text", text: t });
  if (typeof m.content === "string") text(m.content);
  else if (Array.isArray(m.content)) {
    for (const [j, part] of m.content.entries()) {
      const q = `${p}.content.${j}`;
      const extra = isObj(part) ? extraMember(part, part.type === "refusal" ? REFUSAL_KEYS : TEXT_ONLY_KEYS) : undefined;
      if (extra) return noEquivalent(`${q}.${extra}`);
      if (isObj(part) && part.type === "text" && typeof part.text === "string") text(part.text);
      else if (isObj(part) && part.type === "refusal" && typeof part.refusal === "string") text(part.refusal);
      else return untranslatable(`${p}.content.${j}`, `'${p}.content.${j}': an assistant message takes only text and refusal parts`);
    }
  }
  if (typeof m.refusal === "string") text(m.refusal);
  if (Array.isArray(m.tool_calls)) {
    for (const [k, call] of m.tool_calls.entries()) {
      const use = toolUse(call, `${p}.tool_calls.${k}`);
      if (!use.ok) return use;
      blocks.push(use.value);
    }
  }
  return translated(blocks);
}

function toolUse(call: unknown, p: string): Translation<ContentBlockParam> {
  if (!isObj(call) || call.type !== "function" || !isObj(call.function)) return untranslatable(p, `'${p}': only function tool calls can be translated`);
  const extraCall = extraMember(call, TOOL_CALL_KEYS);
  if (extraCall) return noEquivalent(`${p}.${extraCall}`);
  if (call.index != null && !(Number.isSafeInteger(call.index) && (call.index as number) >= 0)) return untranslatable(`${p}.index`, `'${p}.index' must be the call's index (a non-negative integer)`);
  const extraFn = extraMember(call.function, CALL_FUNCTION_KEYS);
  if (extraFn) return noEquivalent(`${p}.function.${extraFn}`);
  const { name, arguments: args } = call.function;
  if (typeof call.id !== "string" || typeof name !== "string") return untranslatable(p, `'${p}' needs an id and a function name`);
  const input = parseArguments(args);
  if (!input) return untranslatable(`${p}.function.arguments`, `'${p}.function.arguments' is not a JSON object, which Anthropic's tool_use input must be`);
  return translated({ type: "tool_use", id: call.id, name, input });
}

function toolResult(m: Obj, p: string): Blocks {
  if (typeof m.tool_call_id !== "string" || m.tool_call_id === "") return untranslatable(`${p}.tool_call_id`, `'${p}.tool_call_id' is missing: Anthropic pairs every tool result with its tool use`);
  let content: ToolResultBlockParam["content"];
  if (typeof m.content === "string") content = m.content;
  else {
    const text = textOnly(m.content, `${p}.content`);
    if (!text.ok) return text;
    content = (m.content as { text: string }[]).map((part): TextBlockParam => ({ type: "text", text: part.text }));
  }
  return translated([{ type: "tool_result", tool_use_id: m.tool_call_id, content }]);
}
