/**
 * Whether a JSON value is described by a schema of an OpenAPI 3.1 document: its types,
 * required members, enums, and no member the schema does not declare (an object
 * schema without `additionalProperties` is read as closed: what is sent must be
 * described). Returns what does not conform, as `path: problem` lines (empty: it
 * conforms). Covers the JSON Schema the router's document uses: `$ref`, `type`
 * (one or a list), `enum`, `const`, `properties`, `required`, `additionalProperties`,
 * `items`, `anyOf`/`oneOf`/`allOf`, `nullable`.
 */
type Schema = { [k: string]: unknown };

export function nonConformance(doc: { components?: { schemas?: Record<string, Schema> } }, schema: Schema, value: unknown, path = "$"): string[] {
  if (typeof schema.$ref === "string") {
    const name = schema.$ref.replace(/^#\/components\/schemas\//, "");
    const target = doc.components?.schemas?.[name];
    return target ? nonConformance(doc, target, value, path) : [`${path}: unresolved ${schema.$ref}`];
  }
  if (value === null && schema.nullable === true) return [];
  for (const key of ["anyOf", "oneOf"] as const) {
    const branches = schema[key] as Schema[] | undefined;
    if (branches) {
      const results = branches.map((b) => nonConformance(doc, b, value, path));
      if (!results.some((r) => r.length === 0)) return [`${path}: matches no branch of ${key} (${results.map((r) => r[0]).join(" | ")})`];
    }
  }
  if (Array.isArray(schema.allOf)) return nonConformance(doc, mergeAllOf(doc, schema), value, path);
  if (schema.const !== undefined && value !== schema.const) return [`${path}: ${JSON.stringify(value)} is not ${JSON.stringify(schema.const)}`];
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) return [`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`];
  const types = schema.type === undefined ? undefined : Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
  if (types && !types.some((t) => isType(t, value))) return [`${path}: ${JSON.stringify(value)?.slice(0, 60)} is not ${types.join(" or ")}`];
  if (Array.isArray(value)) {
    const items = schema.items as Schema | undefined;
    return items ? value.flatMap((v, i) => nonConformance(doc, items, v, `${path}[${i}]`)) : [];
  }
  if (value !== null && typeof value === "object" && (types?.includes("object") || schema.properties !== undefined)) {
    const out: string[] = [];
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    for (const r of (schema.required ?? []) as string[]) if (!(r in value)) out.push(`${path}: missing required '${r}'`);
    const extra = schema.additionalProperties;
    for (const [k, v] of Object.entries(value)) {
      if (props[k]) out.push(...nonConformance(doc, props[k], v, `${path}.${k}`));
      else if (extra === undefined || extra === false) out.push(`${path}: '${k}' is sent but not described`);
      else if (typeof extra === "object" && extra !== null) out.push(...nonConformance(doc, extra as Schema, v, `${path}.${k}`));
    }
    return out;
  }
  return [];
}

/** An `allOf` of object schemas (as `.extend` of a named schema makes) read as one object schema. */
function mergeAllOf(doc: Parameters<typeof nonConformance>[0], schema: Schema): Schema {
  const deref = (x: Schema): Schema => (typeof x.$ref === "string" ? (doc.components?.schemas?.[x.$ref.replace(/^#\/components\/schemas\//, "")] ?? {}) : x);
  const parts = [...(schema.allOf as Schema[]).map(deref).map((p) => (Array.isArray(p.allOf) ? mergeAllOf(doc, p) : p)), { ...schema, allOf: undefined }];
  const out: Schema = { type: "object", properties: {}, required: [] };
  for (const p of parts) {
    Object.assign(out.properties as object, p.properties ?? {});
    (out.required as string[]).push(...((p.required ?? []) as string[]));
    if (p.additionalProperties !== undefined) out.additionalProperties = p.additionalProperties;
  }
  return out;
}

function isType(t: string, v: unknown): boolean {
  switch (t) {
    case "null":
      return v === null;
    case "integer":
      return Number.isInteger(v);
    case "number":
      return typeof v === "number";
    case "string":
      return typeof v === "string";
    case "boolean":
      return typeof v === "boolean";
    case "array":
      return Array.isArray(v);
    case "object":
      return v !== null && typeof v === "object" && !Array.isArray(v);
    default:
      return false;
  }
}
