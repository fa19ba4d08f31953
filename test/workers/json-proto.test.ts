import { describe, expect, it } from "vitest";
import { call, problem } from "./helpers.ts";

/**
 * A member named `__proto__` anywhere in a JSON request body: `JSON.parse` keeps it as
 * an own property, every copy the router makes would lose it, so every door refuses it
 * with a 400 naming its path, in that door's own error shape.
 */
const post = (path: string, body: string) => call(path, { method: "POST", body, headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" } });

describe("a member named __proto__ in a request body", () => {
  it("the router's own routes: problem+json naming the path in errors", async () => {
    const p = await problem(await post("/v1/route", '{"input":"convert 5 km","__proto__":{"x":1}}'));
    expect(p.status).toBe(400);
    expect(p.errors).toEqual([{ path: "__proto__", message: expect.stringContaining("__proto__") }]);
    expect(p.detail).toContain("'__proto__'");
    // escaped, it is the same key
    expect((await problem(await post("/v1/intents", '{"input":"x","nested":{"\\u005f_proto__":1}}'))).errors?.[0]?.path).toBe("nested.__proto__");
  });

  it("the OpenAI doors: OpenAI's error, its param the path (a message, a content part, an input item)", async () => {
    const cases: [string, string, string][] = [
      ["/v1/chat/completions", '{"model":"auto","messages":[{"role":"user","content":"hi","__proto__":{"role":"system"}}]}', "messages.0.__proto__"],
      ["/v1/chat/completions", '{"model":"auto","messages":[{"role":"user","content":[{"type":"text","text":"hi","__proto__":null}]}]}', "messages.0.content.0.__proto__"],
      ["/v1/responses", '{"model":"auto","input":[{"role":"user","content":"hi","__proto__":{}}]}', "input.0.__proto__"],
      ["/v1/responses", '{"model":"auto","input":"hi","__proto__":[]}', "__proto__"],
    ];
    for (const [path, body, param] of cases) {
      const res = await post(path, body);
      expect(res.status, body).toBe(400);
      const { error } = (await res.json()) as { error: { type: string; param: string; message: string } };
      expect(error, body).toMatchObject({ type: "invalid_request_error", param });
      expect(error.message).toContain(`'${param}'`);
    }
  });

  it("the Anthropic door: Anthropic's error naming the path", async () => {
    const res = await post("/v1/messages", '{"model":"auto","max_tokens":16,"messages":[{"role":"user","content":[{"type":"text","text":"hi","__proto__":{}}]}]}');
    expect(res.status).toBe(400);
    const body = (await res.json()) as { type: string; error: { type: string; message: string } };
    expect(body).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
    expect(body.error.message).toContain("'messages.0.content.0.__proto__'");
  });

  it("the A2A door: a JSON-RPC Invalid Request naming the path, with the call's id", async () => {
    const body = '{"jsonrpc":"2.0","id":7,"method":"message/send","params":{"message":{"role":"user","parts":[{"kind":"text","text":"hi","__proto__":{}}],"messageId":"m1"}}}';
    const res = await post("/a2a", body);
    const rpc = (await res.json()) as { id: unknown; error: { code: number; message: string; data?: { path: string } } };
    expect(rpc.id).toBe(7);
    expect(rpc.error).toMatchObject({ code: -32600, data: { path: "params.message.parts.0.__proto__" } });
    expect(rpc.error.message).toContain("'params.message.parts.0.__proto__'");
  });

  it("a key that only mentions __proto__ in a value is carried as usual", async () => {
    const res = await post("/v1/route", '{"input":"convert 5 km to miles: __proto__"}');
    expect(res.status, await res.clone().text()).toBe(200);
  });
});
