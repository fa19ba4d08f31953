/**
 * Responses API input items → Chat Completions messages, for the `POST /v1/responses`
 * door (responses-request.ts `responsesToChat` calls it per item). Pure.
 *
 * - messages (`type: "message"` or just a `role`): user, system and developer content
 *   parts `input_text` → `text`, `input_image` (URL or `data:` URL) → `image_url`
 *   (`detail` kept), `input_file` (inline `file_data` or a `file_id`) → `file`; a part's
 *   `prompt_cache_breakpoint` is carried on the chat part; assistant messages (an
 *   earlier response's `output_text` and `refusal` parts, or a string) → an assistant
 *   message (`content`, `refusal`).
 * - `function_call` → the assistant message's `tool_calls` (`call_id` → `id`), calls
 *   in a row joining one assistant message; `function_call_output` → a `tool` message
 *   (`call_id` → `tool_call_id`; text output only), its `call_id` that of an earlier
 *   `function_call` in the input.
 * - `reasoning` items (an earlier response's) are not sent: Chat Completions takes no
 *   reasoning in its input.
 * - `item_reference` (stored items) and every built-in tool's items are refused.
 *
 * Every member of an item or part is one OpenAI documents for its type (openai 7.57.0
 * `ResponseInputItem`, `ResponseOutputMessage`, `ResponseFunctionToolCall`, the
 * content part types); any other is refused, naming its path (`input.0.yyy`,
 * `input.0.content.0.zzz`). Of the documented ones, `id` and `status` (an earlier
 * item's bookkeeping) and an `output_text` part's `annotations` and `logprobs` (about
 * an earlier reply's text, not input to the model) are not sent; the ones Chat
 * Completions has no field for (`phase`, `namespace`, `caller`, `async: true`, an
 * `input_file`'s `detail` other than `auto`) are refused.
 */
import { translated, untranslatable, type Translation } from "../translation.ts";

type Obj = Record<string, unknown>;
const given = (v: unknown) => v !== undefined && v !== null;

/** Where each chat message came from (see responses-request.ts `ChatTranslation`). */
export type Sources = { path: string; toolCalls?: string[]; output?: boolean }[];

/** What the items so far have declared: the `call_id` of each `function_call`, with its function's name. */
export type Calls = Map<string, string>;

const IMAGE_DETAILS = new Set(["auto", "low", "high"]);

/** The members OpenAI documents for each input item type. */
const ITEM_KEYS: Readonly<Record<string, ReadonlySet<string>>> = {
  message: new Set(["type", "role", "content", "id", "status", "phase"]),
  function_call: new Set(["type", "call_id", "name", "arguments", "id", "status", "namespace", "caller", "async"]),
  function_call_output: new Set(["type", "call_id", "output", "id", "status", "name", "namespace", "caller"]),
  reasoning: new Set(["type", "id", "summary", "content", "encrypted_content", "status"]),
};

/** The members OpenAI documents for each content part type. */
const PART_KEYS: Readonly<Record<string, ReadonlySet<string>>> = {
  input_text: new Set(["type", "text", "prompt_cache_breakpoint"]),
  input_image: new Set(["type", "image_url", "file_id", "detail", "prompt_cache_breakpoint"]),
  input_file: new Set(["type", "file_data", "file_id", "file_url", "filename", "detail", "prompt_cache_breakpoint"]),
  output_text: new Set(["type", "text", "annotations", "logprobs"]),
  refusal: new Set(["type", "refusal"]),
};

/** The first member of `o` not among `keys`, refused naming its path. */
function unknownMember(o: Obj, keys: ReadonlySet<string> | undefined, at: string, what: string): Translation<never> | undefined {
  const extra = keys && Object.keys(o).find((k) => !keys.has(k));
  return extra === undefined ? undefined : untranslatable(`${at}.${extra}`, `unknown ${what} member '${extra}': the Responses API documents no such member, so it is refused`);
}

/** The documented members Chat Completions has no field for, refused when set. */
function uncarried(item: Obj, at: string): Translation<never> | undefined {
  if (given(item.phase)) return untranslatable(`${at}.phase`, "an assistant message's phase (commentary, final_answer) has no Chat Completions equivalent");
  if (given(item.namespace)) return untranslatable(`${at}.namespace`, "tool namespaces have no Chat Completions equivalent (only function tools are carried)");
  if (given(item.caller)) return untranslatable(`${at}.caller`, "a programmatic tool caller has no Chat Completions equivalent");
  if (item.async === true) return untranslatable(`${at}.async`, "an asynchronous function call has no Chat Completions equivalent");
  return undefined;
}

/** A part with `prompt_cache_breakpoint` carried onto its chat part. */
const withBreakpoint = (p: Obj, part: Obj): Obj => (given(p.prompt_cache_breakpoint) ? { ...part, prompt_cache_breakpoint: p.prompt_cache_breakpoint } : part);

/**
 * One input item (already checked by responses-wire.ts `checkItems`) onto `messages`,
 * recording its source and the calls it declares, or its refusal.
 */
export function inputItem(item: Obj, path: string, messages: Obj[], sources: Sources, calls: Calls, notSent: string[] = []): Translation<never> | undefined {
  const type = item.type === undefined && "role" in item ? "message" : item.type;
  const unknown = typeof type === "string" ? unknownMember(item, ITEM_KEYS[type], path, `${type} item`) : undefined;
  if (unknown) return unknown;
  const bad = typeof type === "string" && ITEM_KEYS[type] && type !== "reasoning" ? uncarried(item, path) : undefined;
  if (bad) return bad;
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
      calls.set(item.call_id as string, item.name as string);
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
    case "function_call_output":
      return callOutput(item, path, messages, sources, calls);
    case "reasoning":
      notSent.push(path); // Chat Completions takes no reasoning in its input: named in x-switchyard-not-sent
      return undefined;
    case "item_reference":
      return untranslatable(path, "item_reference points at a stored item; the router is stateless: send the item itself");
    case undefined:
      return untranslatable(path, "an input item needs a type (or a role, for a message)");
    default:
      return untranslatable(path, `'${String(type)}' items belong to built-in tools or stored state, which the router does not provide; only messages, function_call and function_call_output items are carried`);
  }
}

function callOutput(item: Obj, path: string, messages: Obj[], sources: Sources, calls: Calls): Translation<never> | undefined {
  const id = item.call_id as string;
  const name = calls.get(id);
  if (name === undefined) return untranslatable(`${path}.call_id`, `no earlier function_call in the input has call_id '${id}': a function output must answer a call sent before it`);
  if (given(item.name) && item.name !== name) return untranslatable(`${path}.name`, `name '${String(item.name)}' is not the function the function_call with call_id '${id}' calls ('${name}')`);
  const out = item.output;
  let content: unknown = out;
  if (Array.isArray(out)) {
    const parts: Obj[] = [];
    for (const [j, p] of (out as Obj[]).entries()) {
      const at = `${path}.output.${j}`;
      if (p.type !== "input_text") return untranslatable(at, `a Chat Completions tool message takes text only, not '${String(p.type)}'`);
      const unknown = unknownMember(p, PART_KEYS.input_text, at, "input_text part");
      if (unknown) return unknown;
      parts.push(withBreakpoint(p, { type: "text", text: p.text }));
    }
    content = parts;
  }
  messages.push({ role: "tool", tool_call_id: id, content });
  sources.push({ path, output: true });
  return undefined;
}

/** A message item as a chat message. */
function message(item: Obj, path: string): Translation<Obj> {
  const role = item.role as string;
  const content = item.content;
  if (typeof content !== "string")
    for (const [j, p] of (content as Obj[]).entries()) {
      const unknown = unknownMember(p, PART_KEYS[p.type as string], `${path}.content.${j}`, `${String(p.type)} part`);
      if (unknown) return unknown;
    }
  if (role === "assistant") {
    if (typeof content === "string") return translated({ role, content });
    let text = "";
    let refusal = "";
    for (const [j, p] of (content as Obj[]).entries()) {
      if ((p.type === "input_text" && given(p.prompt_cache_breakpoint)) || !["output_text", "input_text", "refusal"].includes(p.type as string))
        return untranslatable(`${path}.content.${j}${p.type === "input_text" ? ".prompt_cache_breakpoint" : ""}`, `an assistant message part of type '${String(p.type)}'${p.type === "input_text" ? " with a cache breakpoint" : ""} has no Chat Completions equivalent`);
      if (p.type === "refusal") refusal += p.refusal as string;
      else text += p.text as string;
    }
    return translated({ role, content: text === "" && refusal !== "" ? null : text, ...(refusal !== "" ? { refusal } : {}) });
  }
  if (typeof content === "string") return translated({ role, content });
  const parts: Obj[] = [];
  for (const [j, p] of (content as Obj[]).entries()) {
    const at = `${path}.content.${j}`;
    const part = userPart(p, at, role);
    if (!part.ok) return part;
    parts.push(withBreakpoint(p, part.value));
  }
  return translated({ role, content: parts });
}

/** A user, system or developer message part as a chat part. */
function userPart(p: Obj, at: string, role: string): Translation<Obj> {
  if (p.type === "input_text") return translated({ type: "text", text: p.text });
  if (role !== "user") return untranslatable(at, `a ${role} message takes text only in Chat Completions, not '${String(p.type)}'`);
  if (p.type === "input_image") {
    if (given(p.file_id)) return untranslatable(`${at}.file_id`, "an image by file id needs OpenAI's file store; send image_url (a URL or a data: URL)");
    if (typeof p.image_url !== "string") return untranslatable(`${at}.image_url`, "an input_image needs image_url");
    if (given(p.detail) && !IMAGE_DETAILS.has(p.detail as string)) return untranslatable(`${at}.detail`, `image detail '${String(p.detail)}' has no Chat Completions equivalent (auto, low, high)`);
    return translated({ type: "image_url", image_url: { url: p.image_url, ...(given(p.detail) ? { detail: p.detail } : {}) } });
  }
  if (p.type === "input_file") {
    if (given(p.file_url)) return untranslatable(`${at}.file_url`, "a file by URL has no Chat Completions equivalent; send file_data");
    if (given(p.detail) && p.detail !== "auto") return untranslatable(`${at}.detail`, `file detail '${String(p.detail)}' has no Chat Completions equivalent (a file part takes no detail)`);
    if (!given(p.file_data) && !given(p.file_id)) return untranslatable(`${at}.file_data`, "an input_file needs file_data or file_id");
    const file: Obj = {};
    if (given(p.file_data)) file.file_data = p.file_data;
    if (given(p.file_id)) file.file_id = p.file_id;
    if (given(p.filename)) file.filename = p.filename;
    return translated({ type: "file", file });
  }
  return untranslatable(at, `a user message part of type '${String(p.type)}' has no Chat Completions equivalent`);
}
