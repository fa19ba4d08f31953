import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { AppEnv } from "../../../../worker/env.ts";
import { openAIError, openAIErrorShape, type ProblemBody } from "../../../../worker/protocols/openai/errors.ts";

const problem = (slug: string, status: number, more: Partial<ProblemBody> = {}): ProblemBody => ({ type: `urn:switchyard:problem:${slug}`, status, detail: "d", ...more });

/** An app whose one route answers `res`, behind the error-shape middleware. */
function shaped(res: () => Response) {
  const app = new Hono<AppEnv>();
  app.use("*", openAIErrorShape());
  app.get("/x", () => res());
  return app;
}

describe("OpenAI error shape", () => {
  it("re-sends a problem+json answer as OpenAI's error, same status and headers", async () => {
    const app = shaped(() => new Response(JSON.stringify(problem("rate-limited", 429)), { status: 429, headers: { "content-type": "application/problem+json; charset=utf-8", "retry-after": "3" } }));
    const res = await app.request("/x");
    expect(res.status).toBe(429);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.headers.get("retry-after")).toBe("3");
    expect(await res.json()).toEqual({ error: { message: "d", type: "rate_limit_error", param: null, code: "rate_limit_exceeded" } });
  });

  it("leaves every other answer alone", async () => {
    const res = await shaped(() => Response.json({ ok: 1 }, { status: 201 })).request("/x");
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ ok: 1 });
    const bare = await shaped(() => new Response("plain", { status: 500 })).request("/x");
    expect(await bare.text()).toBe("plain");
    const suffix = await shaped(() => new Response("{}", { status: 400, headers: { "content-type": "text/x-application/problem+json" } })).request("/x");
    expect(await suffix.text()).toBe("{}");
  });

  it("an OpenAI-compatible specialist's own refusal goes out as it sent it, with its status", async () => {
    const own = { message: "too many tokens", type: "invalid_request_error", param: "max_tokens", code: "context_length_exceeded" };
    const body = problem("specialist-refused", 422, { upstream: { status: 400, error: own } });
    const res = await shaped(() => new Response(JSON.stringify(body), { status: 422, headers: { "content-type": "application/problem+json" } })).request("/x");
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: own });
  });

  it("a refusal without the specialist's status, or without its error, is mapped like any problem", async () => {
    for (const upstream of [{ status: null, error: { message: "m", type: "t", param: null, code: null } }, { status: 400 }]) {
      const body = problem("specialist-refused", 422, { upstream });
      const res = await shaped(() => new Response(JSON.stringify(body), { status: 422, headers: { "content-type": "application/problem+json" } })).request("/x");
      expect(res.status).toBe(422);
      expect(await res.json()).toEqual({ error: { message: "d", type: "invalid_request_error", param: null, code: "specialist_refused" } });
    }
  });
});

describe("openAIError: every mapping", () => {
  it("types by status: 401 and 403 authentication, 429 rate limit, 500 and up server, else invalid request", () => {
    expect(openAIError(problem("forbidden", 403)).error.type).toBe("authentication_error");
    expect(openAIError(problem("x", 500)).error.type).toBe("server_error");
    expect(openAIError(problem("x", 499)).error.type).toBe("invalid_request_error");
  });

  it("codes and params OpenAI has for our problems; the slug otherwise, only when it is ours", () => {
    expect(openAIError(problem("unknown-specialist", 404)).error).toMatchObject({ code: "model_not_found", param: "model" });
    expect(openAIError(problem("over-limit", 429)).error).toMatchObject({ code: "rate_limit_exceeded", param: null });
    expect(openAIError(problem("body-too-large", 413)).error).toMatchObject({ code: "request_too_large", param: null });
    expect(openAIError(problem("unsupported-field", 400)).error).toMatchObject({ code: "unsupported_parameter" });
    expect(openAIError({ type: "about:blank#urn:switchyard:problem:x", status: 400, detail: "d" }).error.code).toBe("about:blank#urn:switchyard:problem:x");
    expect(openAIError(problem("bad-request", 400, { errors: [] })).error.param).toBeNull();
  });
});
