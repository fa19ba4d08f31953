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

/** Refuses JSON bodies nested deeper than {@link MAX_JSON_DEPTH} with a 400. */
export function jsonDepthGuard(): MiddlewareHandler<AppEnv> {
  return async function jsonDepthGuard(c, next) {
    if (c.req.method === "POST" || c.req.method === "PUT" || c.req.method === "PATCH") {
      const text = await c.req.text();
      if (jsonDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH)
        throw new ProblemError({ status: 400, slug: "bad-request", title: "Bad request", detail: `JSON nested deeper than ${MAX_JSON_DEPTH} levels` });
    }
    await next();
  };
}
