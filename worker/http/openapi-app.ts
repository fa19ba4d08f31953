import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../env.ts";
import { badRequest } from "./problem.ts";

/** What a validation target is called in error details (the body is JSON, but valid JSON can still be an invalid body). */
const TARGETS: Record<string, string> = { json: "request body", query: "query", param: "path parameter", header: "header", form: "form", cookie: "cookie" };

/**
 * A route group whose zod validation failures become 400 problems listing every
 * issue with its path. Every route group of the router is made with this.
 */
export function routeGroup(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook(result) {
      if (result.success) return;
      const errors = result.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
      throw badRequest(`invalid ${TARGETS[result.target] ?? result.target}: ${errors.map((e) => `${e.path || "(root)"}: ${e.message}`).join("; ")}`, errors);
    },
  });
}
