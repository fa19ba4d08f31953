/**
 * Chat Completions `tools`, an assistant's `tool_calls` and `response_format` as
 * Workers AI takes them (translate.ts `chatToWorkersAi` calls these). Every member is
 * one OpenAI documents, else refused naming its path (`tools.0.zzz`,
 * `messages.1.tool_calls.0.function.zzz`, `response_format.json_schema.zzz`). Pure.
 *
 * - a tool: `{ type: "function", function: { name, description, parameters, strict } }`;
 *   `strict: true` refused (Workers AI cannot enforce a schema strictly).
 * - a tool call: `{ id, type: "function", function: { name, arguments } }`, sent as is;
 *   `extra_content` (another provider's, e.g. a Gemini thought signature an earlier
 *   reply carried) is not sent: it means nothing to Workers AI.
 * - `response_format`: `text` → nothing; `json_object` as is; `json_schema` (`{ name,
 *   description, schema, strict }`) → `{ type: "json_schema", json_schema: <its schema> }`
 *   (`strict: true` refused; a `description` is not sent and named so: {@link notSentMembers}).
 */
import { translated, untranslatable, type Translation } from "../translation.ts";
import type { WorkersAiInput, WorkersAiMessage, WorkersAiTool } from "./translate.ts";

type Rec = Record<string, unknown>;
const isRecord = (v: unknown): v is Rec => typeof v === "object" && v !== null && !Array.isArray(v);
const present = (v: unknown) => v !== undefined && v !== null;

/** The first member of `o` (set, not null) not among `keys`, refused naming its path. */
function unknownMember(o: Rec, keys: readonly string[], at: string): Translation<never> | undefined {
  const extra = Object.keys(o).find((k) => !keys.includes(k) && present(o[k]));
  return extra === undefined ? undefined : untranslatable(`${at}.${extra}`, `Workers AI text generation has no equivalent of '${at}.${extra}'`);
}

/** Function tools, or the first member Workers AI cannot take. */
export function toolsOf(tools: unknown[]): Translation<WorkersAiTool[]> {
  const out: WorkersAiTool[] = [];
  for (const [i, t] of tools.entries()) {
    const f = isRecord(t) && isRecord(t.function) ? t.function : undefined;
    if (!isRecord(t) || t.type !== "function" || !f || typeof f.name !== "string") return untranslatable(`tools.${i}`, "only function tools { type: 'function', function: { name, … } } are supported");
    const extra = unknownMember(t, ["type", "function"], `tools.${i}`) ?? unknownMember(f, ["name", "description", "parameters", "strict"], `tools.${i}.function`);
    if (extra) return extra;
    if (f.strict === true) return untranslatable(`tools.${i}.function.strict`, "Workers AI cannot enforce a tool's schema strictly");
    out.push({ type: "function", function: { name: f.name, ...(typeof f.description === "string" ? { description: f.description } : {}), ...(f.parameters !== undefined ? { parameters: f.parameters } : {}) } });
  }
  return translated(out);
}

/** An assistant message's tool calls (`at`: `messages.N.tool_calls`), as OpenAI writes them. */
export function toolCallsOf(calls: unknown[], at: string): Translation<NonNullable<WorkersAiMessage["tool_calls"]>> {
  const out: NonNullable<WorkersAiMessage["tool_calls"]> = [];
  for (const [j, c] of calls.entries()) {
    const f = isRecord(c) && isRecord(c.function) ? c.function : undefined;
    if (!isRecord(c) || c.type !== "function" || typeof c.id !== "string" || !f || typeof f.name !== "string" || typeof f.arguments !== "string")
      return untranslatable(`${at}.${j}`, "a tool call must be { id, type: 'function', function: { name, arguments } }");
    const extra = unknownMember(c, ["id", "type", "function", "extra_content"], `${at}.${j}`) ?? unknownMember(f, ["name", "arguments"], `${at}.${j}.function`);
    if (extra) return extra;
    out.push({ id: c.id, type: "function", function: { name: f.name, arguments: f.arguments } });
  }
  return translated(out);
}

/** `response_format` as Workers AI takes it (`undefined`: nothing to send). */
export function responseFormat(v: unknown): Translation<WorkersAiInput["response_format"] | undefined> {
  if (!isRecord(v)) return untranslatable("response_format", "response_format must be an object");
  const known = v.type === "text" || v.type === "json_object" || v.type === "json_schema";
  const extra = known ? unknownMember(v, v.type === "json_schema" ? ["type", "json_schema"] : ["type"], "response_format") : undefined;
  if (extra) return extra;
  if (v.type === "text") return translated(undefined);
  if (v.type === "json_object") return translated({ type: "json_object" });
  if (v.type === "json_schema" && isRecord(v.json_schema) && isRecord(v.json_schema.schema)) {
    const member = unknownMember(v.json_schema, ["name", "description", "schema", "strict"], "response_format.json_schema");
    if (member) return member;
    // as for a tool's schema: Workers AI's JSON mode follows the schema but does not promise it
    if (v.json_schema.strict === true) return untranslatable("response_format.json_schema.strict", "Workers AI cannot enforce a schema strictly");
    return translated({ type: "json_schema", json_schema: v.json_schema.schema });
  }
  return untranslatable("response_format", "Workers AI takes response_format text, json_object, or json_schema with a schema");
}

/**
 * Members of the body that are accepted but not sent, as paths for the
 * `x-switchyard-not-sent` header: a `json_schema`'s `description` (Workers AI takes the
 * schema alone; `name` is OpenAI's label, documented as not sent).
 */
export function notSentMembers(chat: Record<string, unknown>): string[] {
  const f = chat.response_format;
  const d = isRecord(f) && f.type === "json_schema" && isRecord(f.json_schema) ? f.json_schema.description : undefined;
  return typeof d === "string" && d !== "" ? ["response_format.json_schema.description"] : [];
}
