/**
 * A JSON Schema (draft-07) derived from a `.proto` file with the ProtoJSON mapping A2A
 * 1.0 adopts (§5.5 camelCase names, enums by name; §5.7 `field_behavior = REQUIRED`,
 * required arrays non-empty): one definition per message and enum, unknown members
 * refused (`additionalProperties: false`, as a strict ProtoJSON parser does), at most one
 * member of a `oneof`. Enough of proto3 for a2a.proto: top-level messages and enums,
 * `optional`, `repeated`, `map<,>`, `oneof`, field options; `service` blocks are skipped.
 */
type Schema = Record<string, unknown>;

/** proto3's default JSON name: `default_input_modes` → `defaultInputModes`. */
export const jsonName = (field: string) => field.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

const SCALARS: Record<string, Schema> = {
  string: { type: "string" },
  bool: { type: "boolean" },
  bytes: { type: "string", pattern: "^[A-Za-z0-9+/_-]*={0,2}$" },
  double: { type: "number" },
  float: { type: "number" },
  ...Object.fromEntries(["int32", "uint32", "sint32", "fixed32", "sfixed32"].map((t) => [t, { type: "integer" }])),
  // 64-bit integers are strings in ProtoJSON (numbers are accepted too)
  ...Object.fromEntries(["int64", "uint64", "sint64", "fixed64", "sfixed64"].map((t) => [t, { type: ["integer", "string"], pattern: "^-?[0-9]+$" }])),
  "google.protobuf.Struct": { type: "object" },
  "google.protobuf.Value": {},
  "google.protobuf.Timestamp": { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?Z$" },
  "google.protobuf.Empty": { type: "object", additionalProperties: false },
};

interface Field {
  name: string;
  type: string;
  repeated: boolean;
  map?: { key: string; value: string };
  required: boolean;
  oneof?: string;
}

/** The proto source without comments. */
const stripComments = (src: string) => src.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/[^\n]*/g, "");

/** The body of the block that opens at `open` (the index of its `{`), and where it ends. */
function block(src: string, open: number): { body: string; end: number } {
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    if (src[i] === "{") depth++;
    else if (src[i] === "}" && --depth === 0) return { body: src.slice(open + 1, i), end: i + 1 };
  }
  throw new Error("unbalanced braces in the proto");
}

const FIELD = /^(optional\s+|repeated\s+)?(map<\s*([\w.]+)\s*,\s*([\w.]+)\s*>|[\w.]+)\s+(\w+)\s*=\s*\d+\s*(\[[^\]]*\])?$/;

function fieldsOf(body: string): Field[] {
  const fields: Field[] = [];
  // oneofs first: their members are fields with a group
  const flat = body.replace(/oneof\s+(\w+)\s*\{([^}]*)\}/g, (_, group: string, inner: string) =>
    inner
      .split(";")
      .map((f) => f.trim())
      .filter(Boolean)
      .map((f) => `@${group} ${f};`)
      .join("\n"),
  );
  for (const raw of flat.split(";").map((s) => s.trim()).filter(Boolean)) {
    if (/^(reserved|option)\b/.test(raw)) continue;
    const group = /^@(\w+)\s+/.exec(raw);
    const decl = group ? raw.slice(group[0].length) : raw;
    const m = FIELD.exec(decl.replace(/\s+/g, " "));
    if (!m) throw new Error(`unsupported proto declaration: ${decl}`);
    fields.push({
      name: m[5]!,
      type: m[3] ? "map" : m[2]!,
      repeated: m[1]?.trim() === "repeated",
      ...(m[3] ? { map: { key: m[3], value: m[4]! } } : {}),
      required: /field_behavior\)\s*=\s*REQUIRED/.test(m[6] ?? ""),
      ...(group ? { oneof: group[1] } : {}),
    });
  }
  return fields;
}

/** The JSON Schema of every message and enum of `proto`, as `definitions`. */
export function protoJsonSchema(proto: string): { $schema: string; definitions: Record<string, Schema> } {
  const src = stripComments(proto);
  const definitions: Record<string, Schema> = {};
  const enums = new Set<string>();
  const re = /\b(message|enum|service)\s+(\w+)\s*\{/g;
  const blocks: { kind: string; name: string; body: string }[] = [];
  for (let m = re.exec(src); m; m = re.exec(src)) {
    const { body, end } = block(src, m.index + m[0].length - 1);
    blocks.push({ kind: m[1]!, name: m[2]!, body });
    re.lastIndex = end;
  }
  for (const b of blocks) if (b.kind === "enum") enums.add(b.name);
  const typeSchema = (t: string): Schema => {
    if (SCALARS[t]) return SCALARS[t];
    if (enums.has(t)) return { $ref: `#/definitions/${t}` };
    if (blocks.some((b) => b.kind === "message" && b.name === t)) return { $ref: `#/definitions/${t}` };
    throw new Error(`unknown proto type ${t}`);
  };
  for (const b of blocks) {
    if (b.kind === "enum") {
      const names = [...b.body.matchAll(/(\w+)\s*=\s*(-?\d+)/g)].map((v) => v[1]!);
      const numbers = [...b.body.matchAll(/(\w+)\s*=\s*(-?\d+)/g)].map((v) => Number(v[2]));
      definitions[b.name] = { anyOf: [{ enum: names }, { enum: numbers }] };
    } else if (b.kind === "message") {
      const fields = fieldsOf(b.body);
      const properties: Record<string, Schema> = {};
      for (const f of fields) {
        const one = f.map ? { type: "object", additionalProperties: typeSchema(f.map.value) } : typeSchema(f.type);
        properties[jsonName(f.name)] = f.repeated ? { type: "array", items: one, ...(f.required ? { minItems: 1 } : {}) } : one;
      }
      const groups = new Map<string, string[]>();
      for (const f of fields) if (f.oneof) groups.set(f.oneof, [...(groups.get(f.oneof) ?? []), jsonName(f.name)]);
      const exclusive = [...groups.values()].flatMap((members) => members.flatMap((a, i) => members.slice(i + 1).map((b) => ({ required: [a, b] }))));
      definitions[b.name] = {
        type: "object",
        properties,
        additionalProperties: false,
        required: fields.filter((f) => f.required).map((f) => jsonName(f.name)),
        ...(exclusive.length ? { not: { anyOf: exclusive } } : {}),
      };
    }
  }
  return { $schema: "http://json-schema.org/draft-07/schema#", definitions };
}
