/**
 * The JSON Schema keywords Gemini enforces in `parametersJsonSchema` and
 * `responseJsonSchema` (gemini-api/docs/structured-output, "JSON Schema support";
 * gemini-api/docs/function-calling). Gemini ignores keywords outside this subset
 * rather than rejecting them, so a schema the client wants enforced (`strict: true`)
 * is checked here and a keyword Gemini would ignore is refused, naming its path.
 * Schemas without `strict` are guidance in OpenAI too and go through unchecked.
 */

/** Keywords Gemini documents as enforced, and annotations that constrain nothing. */
const KEYWORDS: ReadonlySet<string> = new Set([
  "type",
  "properties",
  "required",
  "additionalProperties",
  "enum",
  "format",
  "minimum",
  "maximum",
  "items",
  "prefixItems",
  "minItems",
  "maxItems",
  "anyOf",
  "$ref",
  "$defs",
  "propertyOrdering",
  "nullable",
  // annotations: they describe, they do not constrain
  "title",
  "description",
  "default",
  "examples",
  "$schema",
  "$id",
  "$comment",
]);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The path of the first keyword under `schema` that Gemini does not enforce, or
 * undefined when it enforces them all. Property names under `properties` and `$defs`
 * are names, not keywords.
 *
 * @example
 * unenforcedKeyword({ type: "object", properties: { email: { type: "string", pattern: "@" } } }, "tools.0.function.parameters")
 * // "tools.0.function.parameters.properties.email.pattern"
 */
export function unenforcedKeyword(schema: unknown, path: string): string | undefined {
  if (!isRecord(schema)) return undefined;
  for (const [key, value] of Object.entries(schema)) {
    const at = `${path}.${key}`;
    if (!KEYWORDS.has(key)) return at;
    let found: string | undefined;
    switch (key) {
      case "properties":
      case "$defs":
        if (isRecord(value)) for (const [name, sub] of Object.entries(value)) found ??= unenforcedKeyword(sub, `${at}.${name}`);
        break;
      case "items":
      case "additionalProperties":
        found = unenforcedKeyword(value, at);
        break;
      case "anyOf":
      case "prefixItems":
        if (Array.isArray(value)) value.forEach((sub, i) => (found ??= unenforcedKeyword(sub, `${at}.${i}`)));
        break;
    }
    if (found) return found;
  }
  return undefined;
}
