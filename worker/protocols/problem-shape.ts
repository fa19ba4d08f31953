import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.ts";

/**
 * A path-scoped middleware that re-sends every problem+json response of the wrapped
 * paths as `reshape` says (a status and a JSON body, given the problem and the
 * response's status), its other headers (`Retry-After`) kept.
 */
export function problemShape<P>(reshape: (problem: P, status: number) => { status: number; body: unknown }): MiddlewareHandler<AppEnv> {
  return async function problemShape(c, next) {
    await next();
    if (!c.res.headers.get("content-type")?.startsWith("application/problem+json")) return;
    const { status, body } = reshape((await c.res.clone().json()) as P, c.res.status);
    const headers = new Headers(c.res.headers);
    headers.set("content-type", "application/json");
    c.res = new Response(JSON.stringify(body), { status, headers });
  };
}
