/**
 * What a Responses API request needs of the specialist that serves it (capabilities,
 * each with the Responses field that needs it, and the estimated context), for the
 * `POST /v1/responses` front door's routing: the Responses counterpart of
 * requirements.ts. Pure.
 */
import type { Requirement } from "../../routing/capabilities.ts";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const given = (v: unknown) => v !== undefined && v !== null;

/** Part types whose content needs a capability. */
const PART_NEEDS: Record<string, Requirement["capability"]> = { input_image: "vision", input_file: "files" };

/**
 * What a Responses request needs of the specialist that serves it, each with the
 * field that needs it (a Responses path), in field order:
 *
 * - `tools` (not empty), `tool_choice` (other than `none`), `function_call` and
 *   `function_call_output` items → `tools`
 * - `input_image` parts → `vision`; `input_file` parts → `files`
 * - `text.format` json_object / json_schema → `jsonSchema`
 * - `stream: true` → `streaming` (never refused: a specialist that cannot stream answers whole)
 * - no user text → `passThrough` on `input` (only a chat model takes it)
 * - always: `context`, the estimated tokens (characters of instructions, input and
 *   tools ÷ 4, plus `max_output_tokens`)
 *
 * Sampling and logging controls need nothing; what the translation cannot carry was
 * refused before ({@link responsesToChat}).
 *
 * @example
 * responsesRequirements({ input: "hi", tools: [{ type: "function", name: "f" }] }, true)
 * // [{ capability: "tools", param: "tools" }, { capability: "context", param: "input", tokens: … }]
 */
export function responsesRequirements(body: Obj, hasText: boolean): Requirement[] {
  const needs: Requirement[] = [];
  const need = (capability: Requirement["capability"], param: string) => needs.push({ capability, param });
  for (const [key, value] of Object.entries(body)) {
    if (!given(value)) continue;
    switch (key) {
      case "input":
        if (Array.isArray(value)) itemNeeds(value, need);
        break;
      case "tools":
        if (!Array.isArray(value) || value.length > 0) need("tools", key);
        break;
      case "tool_choice":
        if (value !== "none") need("tools", key);
        break;
      case "text": {
        const t = (value as Obj).format as Obj | undefined;
        if (t && (t.type === "json_object" || t.type === "json_schema")) need("jsonSchema", "text.format");
        break;
      }
      case "stream":
        if (value === true) need("streaming", key);
        break;
    }
  }
  if (!hasText) need("passThrough", "input");
  needs.push({ capability: "context", param: "input", tokens: estimateTokens(body) });
  return needs;
}

function itemNeeds(items: unknown[], need: (c: Requirement["capability"], param: string) => void): void {
  items.forEach((item, i) => {
    if (!isObj(item)) return;
    if (item.type === "function_call" || item.type === "function_call_output") need("tools", `input.${i}`);
    if (!Array.isArray(item.content)) return;
    item.content.forEach((p, j) => {
      const capability = isObj(p) && typeof p.type === "string" ? PART_NEEDS[p.type] : undefined;
      if (capability) need(capability, `input.${i}.content.${j}`);
    });
  });
}

/** Estimated tokens of a request: characters of its instructions, input and tool definitions ÷ 4, plus the reply room it asks for. */
export function estimateTokens(body: Obj): number {
  let chars = 0;
  for (const key of ["instructions", "input", "tools"]) if (given(body[key])) chars += typeof body[key] === "string" ? (body[key] as string).length : JSON.stringify(body[key]).length;
  return Math.ceil(chars / 4) + (typeof body.max_output_tokens === "number" ? body.max_output_tokens : 0);
}
