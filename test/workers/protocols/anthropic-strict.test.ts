import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, inject, it } from "vitest";
import worker from "../../../worker/index.ts";
import type { Env } from "../../../worker/env.ts";
import { openaiDoor, user } from "./translated.ts";

/**
 * What the Anthropic translations cannot carry, over HTTP: refused naming the field
 * (both doors), or named in x-switchyard-not-sent; count_tokens takes only its own
 * fields; an x-api-key header sent twice with one key is that key.
 */
const { send } = openaiDoor();
const fake = () => inject("anthropicUrl");
const calls = async () => ((await (await fetch(`${fake()}/requests`)).json()) as { requests: unknown[] }).requests;

async function messagesDoor(body: unknown, headers: HeadersInit = { "x-api-key": "dev-key" }, path = "/v1/messages") {
  const ctx = createExecutionContext();
  const h = new Headers(headers);
  h.set("content-type", "application/json");
  const res = await worker.fetch(new Request(`https://router.test${path}`, { method: "POST", headers: h, body: JSON.stringify(body) }), env as unknown as Env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}
async function anthropicError(res: Response, status: number): Promise<string> {
  expect(res.status, await res.clone().text()).toBe(status);
  const body = (await res.json()) as { type: string; error: { type: string; message: string } };
  expect(body).toMatchObject({ type: "error", error: { type: status === 400 ? "invalid_request_error" : "authentication_error" } });
  return body.error.message;
}
const openAIError = async (res: Response) => {
  expect(res.status, await res.clone().text()).toBe(400);
  return ((await res.json()) as { error: { message: string; type: string; param: string | null; code: string | null } }).error;
};

beforeEach(async () => {
  await fetch(`${fake()}/reset`, { method: "POST" });
});

describe("the chat door → an anthropic specialist", () => {
  it("a user message without content is an invalid body naming messages.0.content, not an unsupported parameter", async () => {
    const e = await openAIError((await send({ model: "claude", messages: [{ role: "user" }] })).res);
    expect(e).toMatchObject({ type: "invalid_request_error", param: "messages.0.content", code: "bad_request" });
  });

  it("unknown members and tool_choice without tools are refused before any call, naming the path", async () => {
    for (const [body, param] of [
      [{ messages: [user([{ type: "text", text: "hi", zzz: 1 }])] }, "messages.0.content.0.zzz"],
      [{ messages: [{ ...user("hi"), extra_member: 1 }] }, "messages.0.extra_member"],
      [{ messages: [user("hi")], tool_choice: "required" }, "tool_choice"],
      [{ messages: [user("hi")], max_tokens: 1e300 }, "max_tokens"],
    ] as const) {
      const e = await openAIError((await send({ model: "claude", ...body })).res);
      expect(e, param).toMatchObject({ type: "invalid_request_error", param });
    }
    expect(await calls()).toEqual([]);
  });

  it("an empty assistant message, content [] and unknown tool-call members are refused before any call, not dropped or merged", async () => {
    const call = { id: "c1", type: "function", function: { name: "f", arguments: "{}" } };
    for (const [messages, param] of [
      [[user("a"), { role: "assistant" }, user("b")], "messages.1.content"],
      [[user([])], "messages.0.content"],
      [[user("a"), { role: "assistant", content: null, tool_calls: [{ ...call, bogus: 1 }] }, { role: "tool", tool_call_id: "c1", content: "r" }], "messages.1.tool_calls.0.bogus"],
    ] as const) {
      const e = await openAIError((await send({ model: "claude", messages })).res);
      expect(e, param).toMatchObject({ type: "invalid_request_error", param });
    }
    expect(await calls()).toEqual([]);
  });

  it("parallel_tool_calls: false without tools is not sent, and named in x-switchyard-not-sent", async () => {
    const { res } = await send({ model: "claude", messages: [user("hi")], parallel_tool_calls: false });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get("x-switchyard-not-sent")).toBe("parallel_tool_calls");
    expect(((await calls())[0] as { body: Record<string, unknown> }).body).not.toHaveProperty("tool_choice");
  });
});

describe("the Messages door", () => {
  const ask = (extra: Record<string, unknown>, messages: unknown[] = [user("hi")]) => ({ model: "chat", max_tokens: 64, messages, ...extra });

  it("→ an OpenAI-format specialist: an unknown member or a dangling tool_result is a 400 naming its path", async () => {
    expect(await anthropicError(await messagesDoor(ask({}, [user([{ type: "text", text: "hi", zzz: 1 }])])), 400)).toContain("messages.0.content.0.zzz");
    expect(await anthropicError(await messagesDoor(ask({}, [user([{ type: "tool_result", tool_use_id: "toolu_nope", content: "r" }, { type: "text", text: "hi" }])])), 400)).toContain("messages.0.content.0.tool_use_id");
  });

  it("→ an OpenAI-format specialist: empty user content, an unknown tool_choice or cache_control member is a 400 naming its path", async () => {
    const tools = [{ name: "f", input_schema: { type: "object" } }];
    expect(await anthropicError(await messagesDoor(ask({}, [user([])])), 400)).toContain("messages.0.content");
    expect(await anthropicError(await messagesDoor(ask({ tools, tool_choice: { type: "tool", name: "f", bogus: 1 } })), 400)).toContain("tool_choice.bogus");
    expect(await anthropicError(await messagesDoor(ask({ cache_control: { type: "ephemeral", bogus: 1 } })), 400)).toContain("cache_control.bogus");
  });

  it("→ an OpenAI-format specialist: earlier thinking blocks are not sent, and named in x-switchyard-not-sent", async () => {
    const history = [user("q"), { role: "assistant", content: [{ type: "thinking", thinking: "hmm", signature: "sig" }, { type: "text", text: "a" }] }, user("again")];
    const res = await messagesDoor(ask({}, history));
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get("x-switchyard-not-sent")).toBe("messages.1.content.0");
  });

  it("→ claude: max_tokens 0 is passed on; the fake's refusal says what is wrong with it, not that it is missing", async () => {
    const message = await anthropicError(await messagesDoor({ model: "claude", max_tokens: 0, messages: [user("hi")] }), 400);
    expect(message).toMatch(/^max_tokens: must be a positive integer/);
    expect(((await calls())[0] as { body: Record<string, unknown> }).body).toMatchObject({ max_tokens: 0 });
  });

  it("base64 that is not base64 and a javascript: image URL are 400s naming the field", async () => {
    const image = (source: unknown) => ask({}, [user([{ type: "text", text: "what is it" }, { type: "image", source }])]);
    expect(await anthropicError(await messagesDoor(image({ type: "base64", media_type: "image/png", data: "!!!notbase64$$$" })), 400)).toContain("messages.0.content.1.source.data");
    expect(await anthropicError(await messagesDoor(image({ type: "url", url: "javascript:alert(1)" })), 400)).toContain("messages.0.content.1.source.url");
  });

  it("count_tokens refuses stream, max_tokens and unknown fields like Anthropic, naming them", async () => {
    const count = (extra: Record<string, unknown>) => messagesDoor({ model: "auto", messages: [user("hi")], ...extra }, undefined, "/v1/messages/count_tokens");
    expect(await anthropicError(await count({ stream: true }), 400)).toMatch(/^stream: Extra inputs are not permitted/);
    expect(await anthropicError(await count({ zzz: 1 }), 400)).toMatch(/^zzz:/);
    expect(await anthropicError(await count({ max_tokens: 10 }), 400)).toMatch(/^max_tokens:/);
    expect((await count({ system: "s" })).status).toBe(200);
  });

  it("an x-api-key header sent twice with one key is that key; two different keys are not a key", async () => {
    const twice = (a: string, b: string) => new Headers([["x-api-key", a], ["x-api-key", b]]);
    expect((await messagesDoor({ model: "auto", messages: [user("hi")] }, twice("dev-key", "dev-key"), "/v1/messages/count_tokens")).status).toBe(200);
    await anthropicError(await messagesDoor({ model: "auto", messages: [user("hi")] }, twice("dev-key", "other"), "/v1/messages/count_tokens"), 401);
  });
});
