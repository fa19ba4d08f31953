import { createExecutionContext, listDurableObjectIds, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import worker from "../../../../worker/index.ts";
import type { Env } from "../../../../worker/env.ts";
import { configWith } from "../../helpers.ts";

/**
 * The Responses front door, `POST /v1/responses` (issue 12): stateless, routed like
 * every door, translated to Chat Completions for chat models (examples/fake-openai
 * records what it got), a message from the other specialists, streams as Responses
 * events, refusals as 400s naming the field in OpenAI's error shape.
 */
const openaiUrl = () => inject("openaiUrl");
const CONFIG = configWith((c) => {
  const chat = c.specialists.find((s) => s.id === "chat")!;
  c.specialists.push({ ...chat, id: "chat-cut", endpoint: { ...(chat.endpoint as object), model: "stream-cut" } as never, breaker: false, retries: 0 });
  c.specialists.push({ ...chat, id: "chat-refusal", endpoint: { ...(chat.endpoint as object), model: "refusal" } as never });
});
const ENV = () => ({ ...(env as unknown as Env), SWITCHYARD_CONFIG: CONFIG }) as Env;
const KEY = { authorization: "Bearer dev-key" };

async function send(body: unknown, headers: Record<string, string> = KEY, path = "/v1/responses") {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`https://router.test${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) }),
    ENV(),
    ctx,
  );
  return { res, settle: () => waitOnExecutionContext(ctx) };
}
const post = async (body: unknown, headers?: Record<string, string>) => (await send(body, headers)).res;

type Recorded = { path: string; headers: Record<string, string>; body: Record<string, any> };
const openaiRequests = async (): Promise<Recorded[]> => ((await (await fetch(`${openaiUrl()}/requests`)).json()) as { requests: Recorded[] }).requests;
const reset = () => fetch(`${openaiUrl()}/reset`, { method: "POST" });

/** OpenAI's error body, checked for its shape; its `param`. */
async function openAIError(res: Response, status: number, code?: string): Promise<{ message: string; type: string; param: string | null; code: string | null }> {
  expect(res.status, await res.clone().text()).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  const { error } = (await res.json()) as { error: { message: string; type: string; param: string | null; code: string | null } };
  expect(Object.keys(error).sort()).toEqual(["code", "message", "param", "type"]);
  if (code) expect(error.code).toBe(code);
  return error;
}

/** The events of a Responses SSE body: `event:` must name the data's type, sequence numbers count from 0. */
function events(text: string): { type: string; [k: string]: any }[] {
  const evs = text
    .split("\n\n")
    .filter((e) => e.trim() !== "")
    .map((e) => {
      const [eventLine, dataLine] = e.split("\n");
      const data = JSON.parse(dataLine!.slice("data: ".length));
      expect(eventLine!.slice("event: ".length)).toBe(data.type);
      return data;
    });
  expect(evs.map((e) => e.sequence_number)).toEqual(evs.map((_, i) => i));
  return evs;
}
const textOf = (evs: { type: string; [k: string]: any }[]) => evs.filter((e) => e.type === "response.output_text.delta").map((e) => e.delta).join("");

describe("POST /v1/responses: answers", () => {
  it("model 'auto' routes by the input: a non-chat specialist's text as one message item", async () => {
    const res = await post({ model: "auto", input: "convert 5 km to miles" });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get("x-switchyard-specialist")).toBe("units");
    expect(res.headers.get("x-intent-id")).toMatch(/^in_/);
    expect(res.headers.get("x-switchyard-hop")).toMatch(/^hop_/);
    const r = (await res.json()) as any;
    expect(r).toMatchObject({ object: "response", status: "completed", model: "units", error: null, incomplete_details: null, store: false, usage: { input_tokens: expect.any(Number), output_tokens: expect.any(Number), total_tokens: expect.any(Number) } });
    expect(r.id).toMatch(/^resp_/);
    expect(r.output).toHaveLength(1);
    expect(r.output[0]).toMatchObject({ type: "message", role: "assistant", status: "completed", content: [{ type: "output_text", annotations: [] }] });
    expect(r.output[0].id).toMatch(/^msg_/);
    expect(r.output[0].content[0].text).toMatch(/3\.10686 mi/);
  });

  it("input items route by the last user message's text", async () => {
    const res = await post({ input: [{ role: "user", content: "what is 2 + 2" }, { role: "assistant", content: "4" }, { role: "user", content: [{ type: "input_text", text: "convert 5 km to miles" }] }] });
    expect(res.headers.get("x-switchyard-specialist")).toBe("units");
  });

  it("pinned to the openai-chat specialist: the fake gets Chat Completions; the reply is a Response", async () => {
    await reset();
    const body = {
      model: "chat",
      instructions: "Be exact.",
      input: [{ role: "developer", content: "Use metric." }, { type: "message", role: "user", content: [{ type: "input_text", text: "hello there" }] }],
      max_output_tokens: 300,
      temperature: 0.2,
      top_p: 0.9,
      metadata: { run: "r1" },
      user: "u-1",
      store: false,
      text: { format: { type: "text" }, verbosity: "low" },
      reasoning: { effort: "low" },
    };
    const { res, settle } = await send(body);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get("x-switchyard-specialist")).toBe("chat");
    expect(res.headers.get("x-switchyard-not-sent")).toBeNull();
    const r = (await res.json()) as any;
    await settle();
    const [got] = await openaiRequests();
    expect(got!.body).toEqual({
      model: "fake-mini",
      messages: [
        { role: "system", content: "You are a terse test model." },
        { role: "system", content: "Be exact." },
        { role: "developer", content: "Use metric." },
        { role: "user", content: [{ type: "text", text: "hello there" }] },
      ],
      max_completion_tokens: 300,
      temperature: 0.2,
      top_p: 0.9,
      metadata: { run: "r1" },
      user: "u-1",
      verbosity: "low",
      reasoning_effort: "low",
    });
    expect(r).toMatchObject({ object: "response", status: "completed", model: "fake-mini", instructions: "Be exact.", max_output_tokens: 300, temperature: 0.2, metadata: { run: "r1" } });
    expect(r.output).toEqual([{ id: expect.stringMatching(/^msg_/), type: "message", role: "assistant", status: "completed", content: [{ type: "output_text", text: "[fake-mini] heard: hello there", annotations: [], logprobs: [] }] }]);
    expect(r.usage.input_tokens).toBeGreaterThan(0);
    expect(r.usage.total_tokens).toBe(r.usage.input_tokens + r.usage.output_tokens);
  });

  it("a function-call round trip: tools in, a function_call item out; function_call + function_call_output items back in", async () => {
    await reset();
    const tools = [{ type: "function", name: "get_tide", description: "tide times", parameters: { type: "object", properties: { port: { type: "string" } }, required: ["port"], additionalProperties: false }, strict: true }];
    const question = { role: "user", content: "tides in Brest?" };
    const first = (await (await post({ model: "chat", tools, input: [question] })).json()) as any;
    expect(first.status).toBe("completed");
    expect(first.output).toEqual([{ id: expect.stringMatching(/^fc_/), type: "function_call", status: "completed", call_id: expect.any(String), name: "get_tide", arguments: '{"heard":"tides in Brest?"}' }]);
    const call = first.output[0];
    const res = await post({ model: "chat", tools, tool_choice: "none", input: [question, call, { type: "function_call_output", call_id: call.call_id, output: "high tide at 6" }] });
    expect(res.status, await res.clone().text()).toBe(200);
    const second = (await res.json()) as any;
    expect(second.output[0].content[0].text).toBe("[fake-mini] heard: tides in Brest?");
    const got = (await openaiRequests()).map((r) => r.body);
    expect(got[0]!.tools).toEqual([{ type: "function", function: { name: "get_tide", description: "tide times", parameters: tools[0]!.parameters, strict: true } }]);
    expect(got[1]!.tool_choice).toBe("none");
    expect(got[1]!.messages.slice(1)).toEqual([
      { role: "user", content: "tides in Brest?" },
      { role: "assistant", content: null, tool_calls: [{ id: call.call_id, type: "function", function: { name: "get_tide", arguments: call.arguments } }] },
      { role: "tool", tool_call_id: call.call_id, content: "high tide at 6" },
    ]);
  });

  it("a refusal comes back as a refusal content part", async () => {
    const r = (await (await post({ model: "chat-refusal", input: "hi" })).json()) as any;
    expect(r.output[0].content).toEqual([{ type: "refusal", refusal: "I can't help with that." }]);
  });
});

describe("POST /v1/responses: streams", () => {
  it("a chat model's stream: the Responses event sequence, the text, usage", async () => {
    await reset();
    const { res, settle } = await send({ model: "chat", input: "hello there", stream: true });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const evs = events(await res.text());
    await settle();
    const types = evs.map((e) => e.type).filter((t) => t !== "response.output_text.delta");
    expect(types).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(evs[0]!.response).toMatchObject({ object: "response", status: "in_progress", model: "fake-mini", output: [] });
    expect(textOf(evs)).toBe("[fake-mini] heard: hello there");
    const done = evs.at(-1)!.response;
    expect(done.id).toBe(evs[0]!.response.id);
    expect(done).toMatchObject({ status: "completed", output: [{ type: "message", content: [{ type: "output_text", text: "[fake-mini] heard: hello there" }] }] });
    expect(done.usage.output_tokens).toBeGreaterThan(0);
    const [got] = await openaiRequests();
    expect(got!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it("a streamed function call: function_call_arguments deltas and done", async () => {
    const evs = events(await (await post({ model: "chat", input: "tides in Brest?", stream: true, tools: [{ type: "function", name: "get_tide", parameters: { type: "object" }, strict: false }] })).text());
    const added = evs.find((e) => e.type === "response.output_item.added")!;
    expect(added.item).toMatchObject({ type: "function_call", name: "get_tide", arguments: "", status: "in_progress" });
    const args = evs.filter((e) => e.type === "response.function_call_arguments.delta").map((e) => e.delta).join("");
    expect(args).toBe('{"heard":"tides in Brest?"}');
    expect(evs.find((e) => e.type === "response.function_call_arguments.done")!.arguments).toBe(args);
    expect(evs.at(-1)!.response.output[0]).toMatchObject({ type: "function_call", name: "get_tide", arguments: args, status: "completed" });
  });

  it("a non-chat specialist's answer streams as one message", async () => {
    const evs = events(await (await post({ model: "units", input: "convert 5 km to miles", stream: true })).text());
    expect(evs.map((e) => e.type)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(textOf(evs)).toMatch(/3\.10686 mi/);
  });

  it("a stream cut after it started ends with response.failed and an error event, never response.completed", async () => {
    const { res, settle } = await send({ model: "chat-cut", input: "hello", stream: true });
    expect(res.status).toBe(200);
    const evs = events(await res.text());
    await settle();
    expect(evs[0]!.type).toBe("response.created");
    expect(textOf(evs).length).toBeGreaterThan(0);
    expect(evs.slice(-2).map((e) => e.type)).toEqual(["response.failed", "error"]);
    expect(evs.at(-2)!.response).toMatchObject({ status: "failed", error: { code: expect.any(String), message: expect.any(String) } });
    expect(evs.some((e) => e.type === "response.completed")).toBe(false);
  });
});

describe("POST /v1/responses: refusals and errors in OpenAI's shape", () => {
  it("what a stateless router cannot do: 400 unsupported_parameter naming the param", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ previous_response_id: "resp_123" }, "previous_response_id"],
      [{ store: true }, "store"],
      [{ background: true }, "background"],
      [{ conversation: "conv_1" }, "conversation"],
      [{ tools: [{ type: "function", name: "f", parameters: null, strict: null }, { type: "web_search" }] }, "tools.1"],
      [{ include: ["reasoning.encrypted_content"] }, "include.0"],
      [{ reasoning: { summary: "auto" } }, "reasoning.summary"],
      [{ input: [{ type: "item_reference", id: "msg_1" }] }, "input.0"],
      [{ input: [{ role: "user", content: [{ type: "input_image", file_id: "file_1", detail: "auto" }] }] }, "input.0.content.0.file_id"],
      [{ x_future: 1 }, "x_future"],
    ];
    for (const [extra, param] of cases) {
      const e = await openAIError(await post({ model: "auto", input: "convert 5 km to miles", ...extra }), 400, "unsupported_parameter");
      expect(e.param, JSON.stringify(extra)).toBe(param);
      expect(e.type).toBe("invalid_request_error");
      expect(e.message.startsWith(`${param}: ${param}:`), e.message).toBe(false); // the field named once
    }
  });

  it("what the pinned target cannot take: 400 naming the Responses field", async () => {
    const e = await openAIError(await post({ model: "units", input: "convert 5 km", tools: [{ type: "function", name: "f", parameters: {}, strict: false }] }), 400);
    expect(e.param).toBe("tools");
    const img = await openAIError(await post({ model: "units", input: [{ role: "user", content: [{ type: "input_text", text: "what is this" }, { type: "input_image", image_url: "https://example.com/a.png" }] }] }), 400);
    expect(img.param).toBe("input.0.content.1");
    // Workers AI has no metadata: not sent, and named in the header
    const res = await post({ model: "llama", input: "hello", metadata: { k: "v" }, user: "u-1" });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get("x-switchyard-not-sent")).toBe("metadata, user");
    // in Responses terms: a reasoning item this door does not send, a json_schema description Workers AI has no field for
    const format = { type: "json_schema", name: "x", description: "an a", schema: { type: "object" } };
    const named = await post({ model: "llama", input: [{ type: "reasoning", id: "rs_1", summary: [] }, { role: "user", content: "hello" }], text: { format } });
    expect(named.status, await named.clone().text()).toBe(200);
    expect(named.headers.get("x-switchyard-not-sent")).toBe("input.0, text.format.description");
  });

  it("a translated target's refusal is worded in Responses terms; unknown item members and dangling function outputs are refused naming their path", async () => {
    const e = await openAIError(await post({ model: "llama", input: "hello", reasoning: { effort: "high" } }), 400);
    expect(e.param).toBe("reasoning.effort");
    expect(e.message).toContain("reasoning.effort");
    expect(e.message).not.toContain("reasoning_effort");
    const member = await openAIError(await post({ model: "chat", input: [{ role: "user", content: [{ type: "input_text", text: "hi", zzz: 1 }], yyy: 2 }] }), 400, "unsupported_parameter");
    expect(member.param).toBe("input.0.yyy");
    const dangling = await openAIError(await post({ model: "chat", input: [{ role: "user", content: "hi" }, { type: "function_call_output", call_id: "nope", output: "x" }] }), 400, "unsupported_parameter");
    expect(dangling.param).toBe("input.1.call_id");
  });

  it("a tool_choice member the door does not know, an empty input and a data: image that is not base64 (to Gemini) are refused naming their path", async () => {
    await reset();
    const tools = [{ type: "function", name: "f", parameters: {} }];
    for (const target of ["chat", "gemini", "llama"]) {
      const e = await openAIError(await post({ model: target, input: "hi", tools, tool_choice: { type: "function", name: "f", bogus: 1 } }), 400, "unsupported_parameter");
      expect(e.param, target).toBe("tool_choice.bogus");
    }
    for (const body of [{ input: [] }, { instructions: "Be brief.", input: [] }, { input: [{ type: "reasoning", summary: [] }] }]) {
      const e = await openAIError(await post({ model: "chat", ...body }), 400);
      expect(e.param, JSON.stringify(body)).toBe("input");
      expect(e.message).toContain("must not be empty");
    }
    const image = await openAIError(await post({ model: "gemini", input: [{ role: "user", content: [{ type: "input_image", image_url: "data:image/png;base64,@@@notbase64!!" }] }] }), 400);
    expect(image.param).toBe("input.0.content.0.image_url");
    expect(image.message).toContain("'input.0.content.0.image_url'");
    expect(await openaiRequests()).toEqual([]);
  });

  it("bad input: 400 naming the field; an unknown model 404 model_not_found; never a 500", async () => {
    expect((await openAIError(await post("{not json"), 400)).type).toBe("invalid_request_error");
    expect((await openAIError(await post({ model: "auto" }), 400)).param).toBe("input");
    expect((await openAIError(await post({ model: "auto", input: 5 }), 400)).param).toBe("input");
    expect((await openAIError(await post({ model: "auto", input: [{ type: "function_call", name: "f", arguments: "{}" }] }), 400)).param).toBe("input.0.call_id");
    expect((await openAIError(await post({ model: "auto", input: [{ role: "user", content: [{ type: "input_text" }] }] }), 400)).param).toBe("input.0.content.0.text");
    expect((await openAIError(await post({ model: "auto", input: "hi", temperature: 3 }), 400)).param).toBe("temperature");
    const e = await openAIError(await post({ model: "gpt-nobody", input: "hi" }), 404, "model_not_found");
    expect(e.param).toBe("model");
    await openAIError(await post({ model: "auto", input: "hi" }, {}), 401, "invalid_api_key");
    // retrieving a stored response: there are none, and the path is not served
    const ctx = createExecutionContext();
    const stored = await worker.fetch(new Request("https://router.test/v1/responses/resp_123", { headers: KEY }), ENV(), ctx);
    expect((await openAIError(stored, 404)).type).toBe("invalid_request_error");
  });

  it("bad input changes no stored state", async () => {
    await post({ input: "warm up" });
    const snapshot = async () => {
      const e = ENV();
      const [tasks, pools, metrics] = await Promise.all([listDurableObjectIds(e.TASK_AGENT!), listDurableObjectIds(e.RATE_LIMIT_POOL!), listDurableObjectIds(e.METRICS!)]);
      const kv = (await e.INTENTS!.list()).keys.map((k) => k.name).sort();
      return { tasks: tasks.length, pools: pools.length, metrics: metrics.length, kv };
    };
    const before = await snapshot();
    for (const bad of ["{", "null", "[]", JSON.stringify({ input: "a fresh input never seen", store: true }), JSON.stringify({ input: "another fresh input", previous_response_id: "resp_1" }), JSON.stringify({ input: [{ type: "nope" }] })]) {
      const { res, settle } = await send(bad);
      expect(res.status, bad).toBe(400);
      await res.text();
      await settle();
    }
    expect(await snapshot()).toEqual(before);
  });
});
