import { describe, expect, it } from "vitest";
import { call, problem } from "./helpers.ts";

/** test-config.ts keeps the default router.maxInputChars: 20000. */
const MAX = 20_000;
const tooLong = "x".repeat(MAX + 1);
const LIMIT = /20001 characters, more than the router's limit of 20000 \(router\.maxInputChars\)/;

describe("router.maxInputChars holds on every door, with one message", () => {
  it("/v1/route, /v1/intents and /v1/tasks answer 400 naming the field", async () => {
    for (const [path, json, field] of [
      ["/v1/route", { input: tooLong }, "input"],
      ["/v1/intents", { input: tooLong }, "input"],
      ["/v1/tasks", { goal: "long", input: tooLong }, "input"],
    ] as const) {
      const res = await call(path, { json });
      expect(res.status, path).toBe(400);
      const p = await problem(res);
      expect(p.detail, path).toMatch(LIMIT);
      expect(p.errors, path).toEqual([{ path: field, message: "too long" }]);
    }
  });

  it("the OpenAI chat door measures the last user message", async () => {
    const res = await call("/v1/chat/completions", { json: { model: "auto", messages: [{ role: "user", content: tooLong }] } });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(/^the last user message is /);
    expect(body.error.message).toMatch(LIMIT);
  });

  it("the Responses door measures the last user message", async () => {
    for (const input of [tooLong, [{ role: "user", content: [{ type: "input_text", text: tooLong }] }]]) {
      const res = await call("/v1/responses", { json: { model: "auto", input } });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { message: string; param: string | null } };
      expect(body.error.message).toMatch(/^the last user message is /);
      expect(body.error.message).toMatch(LIMIT);
      expect(body.error.param).toBe("input");
    }
  });

  it("the Anthropic door measures the last user message", async () => {
    const res = await call("/v1/messages", { json: { model: "auto", max_tokens: 10, messages: [{ role: "user", content: [{ type: "text", text: tooLong }] }] } });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { type: string; error: { type: string; message: string } };
    expect(body.error.type).toBe("invalid_request_error");
    expect(body.error.message).toMatch(/^the last user message is /);
    expect(body.error.message).toMatch(LIMIT);
  });

  it("the A2A door answers -32602 for the message", async () => {
    const res = await call("/a2a", { json: { jsonrpc: "2.0", id: 1, method: "SendMessage", params: { message: { messageId: `m-${crypto.randomUUID()}`, role: "ROLE_USER", parts: [{ text: tooLong }] } } } });
    const body = (await res.json()) as { error: { code: number; message: string } };
    expect(body.error.code).toBe(-32602);
    expect(body.error.message).toMatch(/^Invalid params: the message is /);
    expect(body.error.message).toMatch(LIMIT);
  });

  it("an input of exactly the limit is not refused for its length", async () => {
    const res = await call("/v1/intents", { json: { input: "word ".repeat(MAX / 5) } });
    expect(res.status).toBe(200);
  });
});
