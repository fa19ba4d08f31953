/**
 * OpenAI chat `messages` as Gemini `contents` and `systemInstruction`
 * (generate-content › request body; caching › Content, Part; function calling:
 * gemini-api/docs/function-calling). Rules, each refusal naming its path:
 *
 * - `system` / `developer` → `systemInstruction.parts` (text only), in order, after
 *   the endpoint's own system prompt. Gemini has one system instruction: a system
 *   message in mid-conversation joins it and loses its position.
 * - `user` → role `user`; `assistant` → role `model`; `tool` → a `functionResponse`
 *   part in a `user` content. Consecutive contents of one role are merged (a turn's
 *   function responses must come together).
 * - parts: `text`; `image_url` (a base64 `data:` URL → `inlineData`; an `https:`/`http:` URL →
 *   `fileData`, its MIME type from the path's extension; `detail` low/high →
 *   `mediaResolution`); `input_audio` → `inlineData` `audio/wav`|`audio/mp3`; `file` with
 *   a `data:` URL → `inlineData` (a `file_id` is OpenAI's and refused). Empty text is left out.
 * - assistant `tool_calls` → `functionCall` parts: `args` parsed from the JSON
 *   `arguments` (an object; `""` is `{}`), `id` kept, a Gemini thought signature
 *   (`extra_content.google.thought_signature`, as the reply carried it) → `thoughtSignature`.
 * - `tool` → `functionResponse { id, name, response: { output: <text> } }` (text parts joined
 *   by newlines; Gemini reads `output` as the function's result): the name
 *   is the earlier assistant tool call's with that `tool_call_id`.
 * - refused: a message without `content`, or with an empty list (an assistant's may have
 *   `tool_calls` or a `refusal` instead), `name` (Gemini has no participants), `audio`,
 *   `function_call` and `function` messages (deprecated), `prompt_cache_breakpoint`,
 *   inline data that is not base64, other members (of a message, a part, an `image_url`,
 *   a tool call or its function). An
 *   assistant message's `annotations` (citations of its own text) are not sent.
 */
import { translated, untranslatable, type Translation } from "../translation.ts";
import type { MediaResolution, RequestContent, RequestPart } from "./wire.ts";

type Rec = Record<string, unknown>;
const isRecord = (v: unknown): v is Rec => typeof v === "object" && v !== null && !Array.isArray(v);
const present = (v: unknown) => v !== undefined && v !== null;

const KNOWN: Record<string, ReadonlySet<string>> = {
  system: new Set(["role", "content"]),
  developer: new Set(["role", "content"]),
  user: new Set(["role", "content"]),
  assistant: new Set(["role", "content", "tool_calls", "refusal", "annotations"]),
  tool: new Set(["role", "content", "tool_call_id"]),
};

/** Image MIME types Gemini takes (gemini-api/docs/image-understanding), by file extension. */
const IMAGE_TYPES: Record<string, string> = { png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg", webp: "image/webp", heic: "image/heic", heif: "image/heif" };

export interface Conversation {
  contents: RequestContent[];
  systemInstruction?: { parts: { text: string }[] };
}

/**
 * The conversation of `messages`, the endpoint's `system` prompt first.
 *
 * @example
 * chatContents([{ role: "system", content: "Be brief" }, { role: "user", content: "hi" }], undefined)
 * // { ok: true, value: { contents: [{ role: "user", parts: [{ text: "hi" }] }], systemInstruction: { parts: [{ text: "Be brief" }] } } }
 */
export function chatContents(messages: unknown, system: string | undefined): Translation<Conversation> {
  if (!Array.isArray(messages)) return untranslatable("messages", "'messages' is not a list");
  const systemParts: { text: string }[] = system ? [{ text: system }] : [];
  const contents: RequestContent[] = [];
  const toolNames = new Map<string, string>();
  const add = (role: RequestContent["role"], parts: RequestPart[]) => {
    if (parts.length === 0) return;
    const last = contents.at(-1);
    if (last?.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };
  for (const [i, m] of messages.entries()) {
    const at = `messages.${i}`;
    if (!isRecord(m)) return untranslatable(at, `'${at}' is not a message object`);
    const known = typeof m.role === "string" ? KNOWN[m.role] : undefined;
    if (!known) return untranslatable(`${at}.role`, `Gemini cannot take a message with role '${String(m.role)}'${m.role === "function" ? " (deprecated: use tool messages)" : ""}`);
    const extra = Object.keys(m).find((k) => !known.has(k) && present(m[k]));
    if (extra) return untranslatable(`${at}.${extra}`, memberDetail(`${at}.${extra}`, extra));
    const none = !present(m.content) || (Array.isArray(m.content) && m.content.length === 0);
    if (none && (m.role !== "assistant" || (!present(m.tool_calls) && !present(m.refusal))))
      return untranslatable(`${at}.content`, `'${at}.content' is ${present(m.content) ? "an empty list" : "missing"}: ${m.role === "assistant" ? "an assistant message needs content, tool_calls or a refusal" : `a ${m.role} message needs content`}`);
    const parts = m.role === "tool" ? toolResponse(m, at, toolNames) : m.role === "assistant" ? assistantParts(m, at, toolNames) : contentParts(m.content, at, m.role !== "user");
    if (!parts.ok) return parts;
    if (m.role === "system" || m.role === "developer") systemParts.push(...(parts.value as { text: string }[]));
    else add(m.role === "assistant" ? "model" : "user", parts.value);
  }
  if (contents.length === 0) return untranslatable("messages", "Gemini needs at least one user or assistant message with content in 'messages'");
  return translated(systemParts.length ? { contents, systemInstruction: { parts: systemParts } } : { contents });
}

function memberDetail(path: string, key: string): string {
  switch (key) {
    case "name":
      return `Gemini contents carry no participant name, so '${path}' cannot be honoured`;
    case "function_call":
      return `'${path}' is deprecated and not translated; use tool_calls`;
    default:
      return `Gemini has no equivalent of '${path}'`;
  }
}

/** A message's `content` as parts: a string, or a list of parts (`textOnly`: system and tool messages). */
function contentParts(content: unknown, at: string, textOnly: boolean): Translation<RequestPart[]> {
  if (!present(content)) return translated([]);
  if (typeof content === "string") return translated(content ? [{ text: content }] : []);
  if (!Array.isArray(content)) return untranslatable(`${at}.content`, `'${at}.content' is neither a string nor a list of parts`);
  const out: RequestPart[] = [];
  for (const [j, p] of content.entries()) {
    const path = `${at}.content.${j}`;
    const part = contentPart(p, path, textOnly);
    if (!part.ok) return part;
    if (part.value) out.push(part.value);
  }
  return translated(out);
}

const PART_KEYS: Record<string, readonly string[]> = { text: ["type", "text"], refusal: ["type", "refusal"], image_url: ["type", "image_url"], input_audio: ["type", "input_audio"], file: ["type", "file"] };

function contentPart(p: unknown, path: string, textOnly: boolean): Translation<RequestPart | undefined> {
  const type = isRecord(p) ? p.type : undefined;
  const keys = typeof type === "string" ? PART_KEYS[type] : undefined;
  if (!isRecord(p) || !keys || (textOnly && type !== "text")) return untranslatable(path, `Gemini cannot take a '${String(type)}' part here ('${path}')`);
  const extra = Object.keys(p).find((k) => !keys.includes(k) && present(p[k]));
  if (extra) return untranslatable(`${path}.${extra}`, `Gemini has no equivalent of '${path}.${extra}'`);
  switch (type) {
    case "text":
    case "refusal": {
      const text = p[type];
      if (typeof text !== "string") return untranslatable(`${path}.${type}`, `'${path}.${type}' is not a string`);
      return translated(text ? { text } : undefined);
    }
    case "image_url":
      return imagePart(p.image_url, `${path}.image_url`);
    case "input_audio": {
      const a = isRecord(p.input_audio) ? p.input_audio : {};
      const extra = Object.keys(a).find((k) => k !== "data" && k !== "format" && present(a[k]));
      if (extra) return untranslatable(`${path}.input_audio.${extra}`, `Gemini has no equivalent of '${path}.input_audio.${extra}'`);
      if (typeof a.data !== "string" || (a.format !== "wav" && a.format !== "mp3")) return untranslatable(`${path}.input_audio`, `'${path}.input_audio' needs base64 'data' and a 'format' of wav or mp3`);
      if (!isBase64(a.data)) return untranslatable(`${path}.input_audio.data`, `'${path}.input_audio.data' is not base64`);
      return translated({ inlineData: { mimeType: `audio/${a.format}`, data: a.data } });
    }
    default: {
      const f = isRecord(p.file) ? p.file : {};
      if (present(f.file_id)) return untranslatable(`${path}.file.file_id`, `'${path}.file.file_id' names an OpenAI file, which Gemini cannot read; send the file as file_data`);
      const data = typeof f.file_data === "string" ? dataUrl(f.file_data) : undefined;
      if (!data) return untranslatable(`${path}.file.file_data`, `'${path}.file.file_data' must be a base64 data: URL (Gemini needs the MIME type)`);
      if (!isBase64(data.data)) return untranslatable(`${path}.file.file_data`, `'${path}.file.file_data' is a data: URL whose data is not base64`);
      return translated({ inlineData: data });
    }
  }
}

/** Base64 data (standard or URL-safe alphabet, padding optional), not empty: what Gemini's `inlineData.data` (bytes) takes. */
const isBase64 = (data: string) => /^[A-Za-z0-9+/_-]+={0,2}$/.test(data) && (data.endsWith("=") ? data.length % 4 === 0 : data.length % 4 !== 1);

/** `data:<mime>[;…];base64,<data>` → its MIME type and data. */
function dataUrl(url: string): { mimeType: string; data: string } | undefined {
  const m = /^data:([^;,]+)(?:;[^;,]*)*;base64,/i.exec(url);
  return m ? { mimeType: m[1]!.toLowerCase(), data: url.slice(m[0].length) } : undefined;
}

function imagePart(image: unknown, path: string): Translation<RequestPart> {
  const url = isRecord(image) ? image.url : undefined;
  if (typeof url !== "string") return untranslatable(`${path}.url`, `'${path}.url' is not a string`);
  const extra = Object.keys(image as Rec).find((k) => k !== "url" && k !== "detail" && present((image as Rec)[k]));
  if (extra) return untranslatable(`${path}.${extra}`, `Gemini has no equivalent of '${path}.${extra}' (an image_url is { url, detail })`);
  const detail = (image as Rec).detail;
  const resolution: { mediaResolution?: MediaResolution } =
    detail === "low" ? { mediaResolution: { level: "MEDIA_RESOLUTION_LOW" } } : detail === "high" ? { mediaResolution: { level: "MEDIA_RESOLUTION_HIGH" } } : {};
  if (present(detail) && detail !== "auto" && !resolution.mediaResolution) return untranslatable(`${path}.detail`, `'${path}.detail' must be auto, low or high`);
  const inline = dataUrl(url);
  if (inline && !isBase64(inline.data)) return untranslatable(`${path}.url`, `'${path}.url' is a data: URL whose data is not base64`);
  if (inline) return translated({ inlineData: inline, ...resolution });
  if (url.startsWith("data:")) return untranslatable(`${path}.url`, `'${path}.url' is a data: URL that is not base64`);
  if (!/^https?:\/\//i.test(url)) return untranslatable(`${path}.url`, `'${path}.url' must be an https: or data: URL`);
  const ext = /\.([a-z0-9]+)$/i.exec(new URL(url).pathname)?.[1]?.toLowerCase();
  const mimeType = ext ? IMAGE_TYPES[ext] : undefined;
  if (!mimeType) return untranslatable(`${path}.url`, `Gemini needs the image's MIME type, and '${path}.url' does not end in .png, .jpg, .jpeg, .webp, .heic or .heif: send it as a data: URL`);
  return translated({ fileData: { fileUri: url, mimeType }, ...resolution });
}

function assistantParts(m: Rec, at: string, toolNames: Map<string, string>): Translation<RequestPart[]> {
  const text = contentParts(m.content, at, false);
  if (!text.ok) return text;
  const parts = [...text.value];
  if (typeof m.refusal === "string" && m.refusal) parts.push({ text: m.refusal });
  if (!present(m.tool_calls)) return translated(parts);
  if (!Array.isArray(m.tool_calls)) return untranslatable(`${at}.tool_calls`, `'${at}.tool_calls' is not a list`);
  for (const [k, call] of m.tool_calls.entries()) {
    const path = `${at}.tool_calls.${k}`;
    const fn = isRecord(call) && call.type === "function" && isRecord(call.function) ? call.function : undefined;
    if (!isRecord(call) || !fn || typeof fn.name !== "string") return untranslatable(path, `Gemini takes only function tool calls with a name ('${path}')`);
    const extra = unknownMember(call, CALL_KEYS, path) ?? unknownMember(fn, CALL_FUNCTION_KEYS, `${path}.function`);
    if (extra) return extra;
    const args = parseArgs(fn.arguments);
    if (!args) return untranslatable(`${path}.function.arguments`, `'${path}.function.arguments' is not a JSON object, and Gemini takes a function call's arguments as one`);
    const id = typeof call.id === "string" ? call.id : undefined;
    if (id) toolNames.set(id, fn.name);
    const google = isRecord(call.extra_content) && isRecord(call.extra_content.google) ? call.extra_content.google : {};
    const signature = typeof google.thought_signature === "string" ? { thoughtSignature: google.thought_signature } : {};
    parts.push({ functionCall: { name: fn.name, args, ...(id ? { id } : {}) }, ...signature });
  }
  return translated(parts);
}

/** The members of an assistant's tool call: OpenAI's, and the Gemini thought signature a reply carried (`extra_content`). */
const CALL_KEYS: ReadonlySet<string> = new Set(["id", "type", "function", "extra_content"]);
const CALL_FUNCTION_KEYS: ReadonlySet<string> = new Set(["name", "arguments"]);

/** The first member of `o` (set, not null) not among `keys`, refused naming its path. */
function unknownMember(o: Rec, keys: ReadonlySet<string>, at: string): Translation<never> | undefined {
  const extra = Object.keys(o).find((k) => !keys.has(k) && present(o[k]));
  return extra === undefined ? undefined : untranslatable(`${at}.${extra}`, `Gemini has no equivalent of '${at}.${extra}'`);
}

function parseArgs(raw: unknown): Record<string, unknown> | undefined {
  if (raw === "" || raw === undefined) return {};
  if (typeof raw !== "string") return undefined;
  try {
    const v: unknown = JSON.parse(raw);
    return isRecord(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function toolResponse(m: Rec, at: string, toolNames: Map<string, string>): Translation<RequestPart[]> {
  const id = m.tool_call_id;
  const name = typeof id === "string" ? toolNames.get(id) : undefined;
  if (typeof id !== "string" || !name) return untranslatable(`${at}.tool_call_id`, `Gemini needs the function's name: '${at}.tool_call_id' matches no earlier assistant tool call`);
  const parts = contentParts(m.content, at, true);
  if (!parts.ok) return parts;
  const output = parts.value.map((p) => ("text" in p ? p.text : "")).join("\n");
  return translated([{ functionResponse: { name, id, response: { output } } }]);
}

/**
 * Members of the conversation that are accepted but not sent, as paths for the
 * `x-switchyard-not-sent` header: a `file` part's `filename` (Gemini's `inlineData`
 * carries the bytes and their MIME type, no name).
 */
export function unsentMembers(messages: unknown): string[] {
  const out: string[] = [];
  if (!Array.isArray(messages)) return out;
  for (const [i, m] of messages.entries()) {
    if (!isRecord(m) || !Array.isArray(m.content)) continue;
    for (const [j, p] of m.content.entries())
      if (isRecord(p) && p.type === "file" && isRecord(p.file) && typeof p.file.filename === "string") out.push(`messages.${i}.content.${j}.file.filename`);
  }
  return out;
}
