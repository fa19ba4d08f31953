import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.ts";
import { ProblemError } from "./problem.ts";

/** Deepest nesting of arrays and objects a request body may have. */
export const MAX_JSON_DEPTH = 32;

/**
 * Nesting depth of a JSON text, scanning brackets outside strings; stops early
 * once past `limit`. Runs before `JSON.parse`, so a hostile body such as 100,000
 * nested arrays is refused without ever being parsed.
 *
 * @example
 * jsonDepth('{"a":[1,[2]]}', 32) // 3
 */
export function jsonDepth(text: string, limit: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 92 /* \ */) i++;
      else if (ch === 34 /* " */) inString = false;
    } else if (ch === 34) inString = true;
    else if (ch === 123 /* { */ || ch === 91 /* [ */) {
      if (++depth > max && (max = depth) > limit) return max;
    } else if (ch === 125 /* } */ || ch === 93 /* ] */) depth--;
  }
  return max;
}

/**
 * The path of the first member named `__proto__` in a parsed JSON value
 * (`messages.0.__proto__`; `__proto__` at the top), or `undefined`. `JSON.parse` makes
 * such a member an own property, but copying the object (`{ ...o }`, `o[k] = v`) drops
 * it or sets a prototype instead: the router could not carry it, so it is refused.
 * Walks at most {@link MAX_JSON_DEPTH} levels (deeper bodies are refused before).
 *
 * @example
 * protoPath(JSON.parse('{"messages":[{"role":"user","__proto__":{}}]}')) // "messages.0.__proto__"
 */
export function protoPath(value: unknown, at = "", depth = 0): string | undefined {
  if (typeof value !== "object" || value === null || depth > MAX_JSON_DEPTH) return undefined;
  const here = (k: string | number) => (at ? `${at}.${k}` : String(k));
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const found = protoPath(v, here(i), depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  if (Object.hasOwn(value, "__proto__")) return here("__proto__");
  for (const [k, v] of Object.entries(value)) {
    const found = protoPath(v, here(k), depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** A `\u` escape of a letter of `__proto__`. */
const PROTO_ESCAPE = /\\u00(?:5[fF]|6[fF]|7[024])/;

/**
 * {@link protoPath} of a JSON text, or `undefined` (also for text that is not JSON: the
 * route says so). Parses only a text that could hold the key: `__proto__` itself, or a
 * `\u` escape of one of its letters (`_` 5f, `o` 6f, `p` 70, `r` 72, `t` 74) — not
 * every body with an escaped character (clients that escape all non-ASCII text).
 */
export function protoKeyPath(text: string): string | undefined {
  if (!text.includes("__proto__") && !PROTO_ESCAPE.test(text)) return undefined;
  try {
    return protoPath(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/** Why a member named `__proto__` is refused, naming its path. */
export const protoDetail = (path: string) => `'${path}': a member named __proto__ cannot be carried (JSON objects copied in JavaScript lose it); rename or remove it`;

/**
 * Refuses JSON bodies nested deeper than {@link MAX_JSON_DEPTH}, or with a member
 * named `__proto__` anywhere ({@link protoKeyPath}; its path in `errors`), with a 400
 * (each front door re-shapes it: OpenAI's `param`, Anthropic's error).
 */
export function jsonDepthGuard(): MiddlewareHandler<AppEnv> {
  return async function jsonDepthGuard(c, next) {
    if (c.req.method === "POST" || c.req.method === "PUT" || c.req.method === "PATCH") {
      const text = await c.req.text();
      if (jsonDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH)
        throw new ProblemError({ status: 400, slug: "bad-request", title: "Bad request", detail: `JSON nested deeper than ${MAX_JSON_DEPTH} levels` });
      const proto = protoKeyPath(text);
      if (proto) throw new ProblemError({ status: 400, slug: "bad-request", title: "Bad request", detail: protoDetail(proto), errors: [{ path: proto, message: "a member named __proto__ cannot be carried" }] });
    }
    await next();
  };
}
