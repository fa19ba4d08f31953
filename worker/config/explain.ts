import type { z } from "zod";
import type { ConfigIssue } from "./load.ts";

type Def = { type: string; shape?: Record<string, z.ZodType>; element?: z.ZodType; innerType?: z.ZodType; options?: z.ZodType[]; in?: z.ZodType; out?: z.ZodType; valueType?: z.ZodType };
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/**
 * The keys an object may have at each path of a schema, paths with `*` for array items
 * and record values (`specialists.*.endpoint`: the keys of every endpoint type). Pure.
 */
export function keysByPath(schema: z.ZodType): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const seen = new Set<z.ZodType>();
  const walk = (s: z.ZodType | undefined, path: string) => {
    if (!s || seen.has(s)) return;
    seen.add(s);
    const d = defOf(s);
    switch (d.type) {
      case "object": {
        const keys = out.get(path) ?? new Set<string>();
        for (const [k, v] of Object.entries(d.shape ?? {})) {
          keys.add(k);
          walk(v, path ? `${path}.${k}` : k);
        }
        out.set(path, keys);
        break;
      }
      case "array":
        walk(d.element, `${path}.*`);
        break;
      case "record":
        walk(d.valueType, `${path}.*`);
        break;
      case "union":
        for (const o of d.options ?? []) {
          seen.delete(o);
          walk(o, path);
        }
        break;
      case "pipe":
        walk(d.in, path);
        break;
      case "lazy": // the config's schemas are built on first use (schema.ts)
        walk((s as unknown as { _zod: { innerType: z.ZodType } })._zod.innerType, path);
        break;
      default:
        walk(d.innerType, path);
    }
    seen.delete(s);
  };
  walk(schema, "");
  return out;
}

/** Edit distance, for suggesting the key a typo meant. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** The allowed key closest to `key` (case-insensitive first, then within 2 edits), if any. */
export function nearestKey(key: string, allowed: Iterable<string>): string | undefined {
  let best: { k: string; d: number } | undefined;
  for (const k of allowed) {
    const d = k.toLowerCase() === key.toLowerCase() ? 0 : distance(key.toLowerCase(), k.toLowerCase());
    if (d <= 2 && (!best || d < best.d)) best = { k, d };
  }
  return best?.k;
}

/**
 * Issues as a person reads them: specialists and workflows named by id
 * (`specialists[units].timeoutMs` rather than `specialists.1.timeoutMs`), and for an
 * unknown key the valid one it most likely meant.
 *
 * @example
 * explainIssues([{ path: "specialists.1", message: 'Unrecognized key: "timeoutMS"' }], raw, keys)
 * // [{ path: "specialists[units]", message: 'Unrecognized key: "timeoutMS" (did you mean "timeoutMs"?)' }]
 */
export function explainIssues(issues: readonly ConfigIssue[], raw: unknown, keys: Map<string, Set<string>>): ConfigIssue[] {
  return issues.map((i) => {
    const parts = i.path === "" ? [] : i.path.split(".");
    const pattern = parts.map((p) => (/^\d+$/.test(p) ? "*" : p)).join(".");
    let message = i.message;
    const unknown = [...i.message.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
    const known = keys.get(pattern);
    if (/^Unrecognized keys?:/.test(i.message) && known) {
      const hints = unknown.map((k) => [k, nearestKey(k, known)] as const).filter(([, n]) => n !== undefined);
      if (hints.length) message += ` (did you mean ${hints.map(([k, n]) => `"${n}" for "${k}"`).join(", ")}?)`;
    }
    return { path: namedPath(parts, raw), message };
  });
}

/** `specialists.1.x` → `specialists[units].x` where the item has an `id`. */
function namedPath(parts: string[], raw: unknown): string {
  let node: unknown = raw;
  let out = "";
  for (const p of parts) {
    const next = node !== null && typeof node === "object" ? (node as Record<string, unknown>)[p] : undefined;
    const id = Array.isArray(node) && next !== null && typeof next === "object" ? (next as { id?: unknown }).id : undefined;
    out += Array.isArray(node) && /^\d+$/.test(p) ? (typeof id === "string" ? `[${id}]` : `[${p}]`) : out ? `.${p}` : p;
    node = next;
  }
  return out;
}

/** Intents with fewer examples than docs/config.md recommends (15), as warnings. */
export function fewExamples(config: { specialists: { id: string; intents: { label: string; examples: string[] }[] }[] }, min = 15): string[] {
  return config.specialists.flatMap((s) =>
    s.intents.filter((i) => i.examples.length < min).map((i) => `specialists[${s.id}] intent '${i.label}' has ${i.examples.length} examples; ${min}–25 varied ones route it more reliably`),
  );
}
