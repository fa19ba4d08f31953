/**
 * OpenAI `tools` and `tool_choice` as Gemini `tools[].functionDeclarations` and
 * `toolConfig.functionCallingConfig` (caching › Tool, FunctionDeclaration,
 * ToolConfig; gemini-api/docs/function-calling, "Function calling modes").
 *
 * - A function tool → `{ name, description, parametersJsonSchema }`: the parameters
 *   go as JSON Schema, unchanged (`parametersJsonSchema` takes JSON Schema;
 *   `parameters` takes only an OpenAPI subset). Names must suit Gemini: a letter or
 *   `_` first, then letters, digits, `_ . : -`, at most 128.
 * - `strict: true`: Gemini has no per-function flag; its `VALIDATED` mode (and `ANY`)
 *   constrain calls to the declared schemas, so a strict tool turns `auto` into
 *   `VALIDATED`, and its schema must use only keywords Gemini enforces (json-schema.ts).
 * - `tool_choice`: `none` → `NONE`; `auto` → `AUTO` (`VALIDATED` with a strict tool);
 *   `required` → `ANY`; `{ type: "function", function: { name } }` → `ANY` with
 *   `allowedFunctionNames: [name]`; `allowed_tools` → `VALIDATED` (mode `auto`) or `ANY`
 *   (mode `required`) with its names. Absent (and no strict tool): no `toolConfig`,
 *   Gemini's default being `AUTO`.
 * - refused: custom tools and a custom `tool_choice`, unknown members of a tool, its function or a tool choice, a
 *   named function that is not declared, `tool_choice` other than `none` without tools.
 */
import { translated, untranslatable, type Translation } from "../translation.ts";
import { unenforcedKeyword } from "./json-schema.ts";
import type { FunctionCallingMode, FunctionDeclaration, GenerateContentRequest } from "./wire.ts";

type Rec = Record<string, unknown>;
const isRecord = (v: unknown): v is Rec => typeof v === "object" && v !== null && !Array.isArray(v);
const present = (v: unknown) => v !== undefined && v !== null;

const GEMINI_NAME = /^[A-Za-z_][A-Za-z0-9_.:-]{0,127}$/;
const FUNCTION_KEYS = new Set(["name", "description", "parameters", "strict"]);

type ToolFields = Pick<GenerateContentRequest, "tools" | "toolConfig">;

/**
 * The Gemini tools and tool config of a request's `tools` and `tool_choice`.
 *
 * @example
 * functionTools([{ type: "function", function: { name: "get_weather", parameters: { type: "object" } } }], "required")
 * // { ok: true, value: { tools: [{ functionDeclarations: [{ name: "get_weather", parametersJsonSchema: { type: "object" } }] }], toolConfig: { functionCallingConfig: { mode: "ANY" } } } }
 */
export function functionTools(tools: unknown, toolChoice: unknown): Translation<ToolFields> {
  if (present(tools) && !Array.isArray(tools)) return untranslatable("tools", "'tools' is not a list");
  const declarations: FunctionDeclaration[] = [];
  let strict = false;
  for (const [i, tool] of ((tools as unknown[] | undefined) ?? []).entries()) {
    const d = declaration(tool, `tools.${i}`);
    if (!d.ok) return d;
    declarations.push(d.value.declaration);
    strict ||= d.value.strict;
  }
  if (declarations.length === 0) {
    if (present(toolChoice) && toolChoice !== "none") return untranslatable("tool_choice", "'tool_choice' needs tools to choose from");
    return translated({});
  }
  const config = callingConfig(toolChoice, strict, new Set(declarations.map((d) => d.name)));
  if (!config.ok) return config;
  return translated({ tools: [{ functionDeclarations: declarations }], ...(config.value ? { toolConfig: { functionCallingConfig: config.value } } : {}) });
}

function declaration(tool: unknown, at: string): Translation<{ declaration: FunctionDeclaration; strict: boolean }> {
  if (!isRecord(tool) || tool.type !== "function") return untranslatable(at, `Gemini takes only function tools ('${at}' is ${isRecord(tool) ? `a '${String(tool.type)}' tool` : "not a tool"})`);
  const member = Object.keys(tool).find((k) => k !== "type" && k !== "function" && present(tool[k]));
  if (member) return untranslatable(`${at}.${member}`, `Gemini has no equivalent of '${at}.${member}' (a function tool is { type, function })`);
  const fn = tool.function;
  if (!isRecord(fn)) return untranslatable(`${at}.function`, `'${at}.function' is not an object`);
  const extra = Object.keys(fn).find((k) => !FUNCTION_KEYS.has(k) && present(fn[k]));
  if (extra) return untranslatable(`${at}.function.${extra}`, `Gemini has no equivalent of '${at}.function.${extra}'`);
  if (typeof fn.name !== "string" || !GEMINI_NAME.test(fn.name))
    return untranslatable(`${at}.function.name`, `Gemini function names start with a letter or '_' and use letters, digits, '_', '.', ':' and '-' (at most 128): '${String(fn.name)}' does not`);
  const strict = fn.strict === true;
  if (strict) {
    const bad = unenforcedKeyword(fn.parameters, `${at}.function.parameters`);
    if (bad) return untranslatable(bad, `Gemini does not enforce '${bad.split(".").at(-1)}', so the strict schema cannot be honoured ('${bad}')`);
  }
  const d: FunctionDeclaration = { name: fn.name };
  if (typeof fn.description === "string") d.description = fn.description;
  if (present(fn.parameters)) d.parametersJsonSchema = fn.parameters;
  return translated({ declaration: d, strict });
}

/** The first member of `o` (set, not null) not among `keys`, refused naming its path. */
function unknownMember(o: Rec, keys: readonly string[], at: string): Translation<never> | undefined {
  const extra = Object.keys(o).find((k) => !keys.includes(k) && present(o[k]));
  return extra === undefined ? undefined : untranslatable(`${at}.${extra}`, `Gemini has no equivalent of '${at}.${extra}'`);
}

type CallingConfig = { mode: FunctionCallingMode; allowedFunctionNames?: string[] } | undefined;

function callingConfig(choice: unknown, strict: boolean, declared: ReadonlySet<string>): Translation<CallingConfig> {
  const auto: FunctionCallingMode = strict ? "VALIDATED" : "AUTO";
  if (!present(choice)) return translated(strict ? { mode: auto } : undefined);
  if (choice === "none") return translated({ mode: "NONE" });
  if (choice === "auto") return translated({ mode: auto });
  if (choice === "required") return translated({ mode: "ANY" });
  if (isRecord(choice) && choice.type === "function") {
    const extra = unknownMember(choice, ["type", "function"], "tool_choice") ?? (isRecord(choice.function) ? unknownMember(choice.function, ["name"], "tool_choice.function") : undefined);
    if (extra) return extra;
    const name = isRecord(choice.function) ? choice.function.name : undefined;
    if (typeof name !== "string" || !declared.has(name)) return untranslatable("tool_choice.function.name", `'tool_choice.function.name' names no declared function ('${String(name)}')`);
    return translated({ mode: "ANY", allowedFunctionNames: [name] });
  }
  if (isRecord(choice) && choice.type === "allowed_tools" && isRecord(choice.allowed_tools)) {
    const extra = unknownMember(choice, ["type", "allowed_tools"], "tool_choice") ?? unknownMember(choice.allowed_tools, ["mode", "tools"], "tool_choice.allowed_tools");
    if (extra) return extra;
    const { mode, tools } = choice.allowed_tools;
    if ((mode !== "auto" && mode !== "required") || !Array.isArray(tools)) return untranslatable("tool_choice.allowed_tools", "'tool_choice.allowed_tools' needs a mode of auto or required and a list of tools");
    const names: string[] = [];
    for (const [k, t] of tools.entries()) {
      const name = isRecord(t) && t.type === "function" && isRecord(t.function) ? t.function.name : undefined;
      if (typeof name !== "string" || !declared.has(name)) return untranslatable(`tool_choice.allowed_tools.tools.${k}`, `'tool_choice.allowed_tools.tools.${k}' is not a declared function`);
      const member = unknownMember(t as Rec, ["type", "function"], `tool_choice.allowed_tools.tools.${k}`) ?? unknownMember((t as Rec).function as Rec, ["name"], `tool_choice.allowed_tools.tools.${k}.function`);
      if (member) return member;
      names.push(name);
    }
    return translated({ mode: mode === "auto" ? "VALIDATED" : "ANY", allowedFunctionNames: names });
  }
  return untranslatable("tool_choice", "Gemini cannot honour this 'tool_choice' (custom tools are OpenAI's own)");
}
