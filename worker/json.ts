/**
 * A JSON value: what the router stores, sends over Durable Object RPC and reads back.
 * Declared with interfaces (not one recursive type alias) so Workers RPC's
 * `Serializable` check accepts it; a field typed `unknown` would make an RPC method's
 * result `never` on the stub.
 */
export type Json = string | number | boolean | null | JsonArray | JsonObject;
/** A JSON object. */
export interface JsonObject {
  [key: string]: Json;
}
/** A JSON array. */
export interface JsonArray extends Array<Json> {}

/**
 * Whether a value already is a JSON value as `JSON.parse` makes them: null, strings,
 * booleans, finite numbers, arrays and plain objects of those. Iterative, so any depth
 * is safe to ask; a cycle is not JSON.
 */
export function isJson(value: unknown): value is Json {
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v === "string" || typeof v === "boolean") continue;
    if (typeof v === "number") {
      if (!Number.isFinite(v)) return false;
      continue;
    }
    if (typeof v !== "object" || seen.has(v)) return false;
    seen.add(v);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        if (!(i in v)) return false; // a hole is written as null
        stack.push(v[i]);
      }
      continue;
    }
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return false;
    stack.push(...Object.values(v));
  }
  return true;
}

/**
 * A value as its JSON text keeps it: the value itself when it already is JSON (a
 * parsed reply: the usual case, no copy), else what `JSON.stringify` writes, read back
 * (undefined members dropped, non-finite numbers as null, `toJSON` applied).
 * Undefined when JSON cannot write the value at all (undefined, a function).
 *
 * @example
 * toJson({ a: 1, b: undefined }) // { a: 1 }
 * toJson(undefined)              // undefined
 */
export function toJson(value: unknown): Json | undefined {
  if (isJson(value)) return value;
  const text = JSON.stringify(value);
  return text === undefined ? undefined : JSON.parse(text);
}

/**
 * A model's reply text without one Markdown code fence around it (```` ```json … ``` ````
 * or ```` ``` … ``` ````), trimmed; any other text as it is, trimmed. Chat models often
 * fence the JSON they were asked for: the router's strict replies (an LLM router's pick,
 * a judge's verdict) tolerate that one fence and nothing else.
 *
 * @example
 * unfenced('```json\n{"pick":"c1"}\n```') // '{"pick":"c1"}'
 */
export function unfenced(text: string): string {
  const trimmed = text.trim();
  return (/^```(?:json)?[ \t]*\r?\n([\s\S]*?)\r?\n?```$/i.exec(trimmed)?.[1] ?? trimmed).trim();
}

