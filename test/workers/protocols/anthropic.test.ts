import { beforeEach, describe, expect, inject, it } from "vitest";
import { configWith } from "../helpers.ts";
import { brokenStreams, completedStream, countedFailures, dataOf, openaiDoor, rateLimited, PNG, refusedBeforeAnyCall, SYSTEM, TOOLS, user } from "./translated.ts";

/**
 * `anthropic` specialists through the OpenAI front door, against examples/fake-anthropic
 * (the Messages API's wire format, its checks and its failures): what the router sends
 * (the translated body, `x-api-key`, `anthropic-version`), what the client gets back,
 * and how every failure reaches the client and the metrics.
 */
const CONFIG = configWith((c) => {
  const of = (id: string) => c.specialists.find((s) => s.id === id)!;
  // a 529 retried once; a 500 that falls back to `claude`; a key the API does not know
  c.specialists.push({ ...of("claude-fail-529"), id: "claude-529-retried", retries: 1 });
  c.specialists.push({ ...of("claude-fail-500"), id: "claude-500-fallback", fallbacks: ["claude"] });
  const claude = of("claude");
  c.specialists.push({ ...claude, id: "claude-wrong-key", endpoint: { ...(claude.endpoint as { type: "anthropic"; model: string }), apiKeySecret: "FAKE_OPENAI_KEY" } });
  // without prices or token limits the door asks for no usage: the translated stream is passed through as it comes
  const garbage = of("claude-stream-garbage");
  const { pricing: _p, ...unpriced } = garbage.endpoint as { type: "anthropic"; pricing?: unknown };
  garbage.endpoint = unpriced as typeof garbage.endpoint;
});

const door = openaiDoor(CONFIG);
const { send, metricsOf } = door;
type Recorded = { path: string; headers: Record<string, string>; body: Record<string, any> };
const fake = () => inject("anthropicUrl");
const recorded = async (): Promise<Recorded[]> => ((await (await fetch(`${fake()}/requests`)).json()) as { requests: Recorded[] }).requests;
const PRICES = { input: 3, output: 15, cached: 0.3, written: 3.75 }; // claude's pricing in test-config.ts, USD per million tokens

beforeEach(async () => {
  await fetch(`${fake()}/reset`, { method: "POST" });
});

describe("anthropic specialists, through the OpenAI front door", () => {
  it("a plain answer: the Messages request (key, version, the system prompt first), a chat.completion with usage and cost", async () => {
    const { res, settle } = await send({ model: "claude", messages: [{ role: "developer", content: "be exact" }, user("hello there")], temperature: 0.2, max_tokens: 64, stop: ["END"], user: "u-1" });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get("x-switchyard-specialist")).toBe("claude");
    expect(res.headers.get("x-switchyard-not-sent")).toBeNull();
    const body = (await res.json()) as any;
    await settle();
    expect(body).toMatchObject({ object: "chat.completion", model: "claude-fake", choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: "[claude-fake] heard: hello there" } }] });
    const [got] = await recorded();
    expect(got!.path).toBe("/v1/messages");
    expect(got!.headers["x-api-key"]).toBe("sk-ant-fake");
    expect(got!.headers["anthropic-version"]).toBe("2023-06-01");
    expect(got!.headers.authorization).toBeUndefined();
    expect(got!.body).toEqual({
      model: "claude-fake",
      max_tokens: 64,
      system: `${SYSTEM}\n\nbe exact`,
      messages: [{ role: "user", content: "hello there" }],
      temperature: 0.2,
      stop_sequences: ["END"],
      metadata: { user_id: "u-1" },
    });
    // input: the system prompt (8 words) and the turn (2); output: 4 words
    expect(body.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 4, total_tokens: 14, prompt_tokens_details: { cached_tokens: 0 } });
    expect(body.switchyard.costUsd).toBeCloseTo((10 * PRICES.input + 4 * PRICES.output) / 1e6, 12);
  });

  it("without max_tokens the endpoint's maxTokens is sent (Anthropic requires one); a reply cut there finishes with 'length'", async () => {
    await send({ model: "claude", messages: [user("hi")] });
    expect((await recorded())[0]!.body.max_tokens).toBe(1024);
    const cut = (await (await send({ model: "claude", messages: [user("one two three four")], max_completion_tokens: 2 })).res.json()) as any;
    expect(cut.choices[0]).toMatchObject({ finish_reason: "length", message: { content: "[claude-fake] heard:" } });
  });

  it("cache reads and writes are counted in the prompt and priced apart", async () => {
    const { res, settle } = await send({ model: "claude-cache-model", messages: [user("remember this")] });
    const body = (await res.json()) as any;
    await settle();
    // the fake: 2 input words not cached, 100 read from the cache, 50 written to it
    expect(body.usage).toMatchObject({ prompt_tokens: 152, completion_tokens: 4, prompt_tokens_details: { cached_tokens: 100 } });
    expect(body.switchyard.costUsd).toBeCloseTo((2 * PRICES.input + 100 * PRICES.cached + 50 * PRICES.written + 4 * PRICES.output) / 1e6, 12);
  });

  it("a streamed answer: chunks from Anthropic's events, finish_reason, the usage chunk when asked, then [DONE]", async () => {
    const chunks = await completedStream(send, { model: "claude", stream_options: { include_usage: true }, messages: [user("stream please")] }, "[claude-fake] heard: stream please");
    expect(chunks.filter((c) => c.choices[0]?.delta?.content).length).toBe(4); // a chunk per text_delta
    expect(chunks.at(-2).choices[0].finish_reason).toBe("stop");
    expect(chunks.at(-1)).toMatchObject({ object: "chat.completion.chunk", choices: [], usage: { prompt_tokens: 8, completion_tokens: 4, total_tokens: 12 } });
    const [got] = await recorded();
    expect(got!.body.stream).toBe(true);
    expect(got!.headers.accept).toBe("text/event-stream");
  });

  it("a stream the client asked no usage of ends with the finish chunk and [DONE], no usage chunk", async () => {
    const { res, settle } = await send({ model: "claude", stream: true, messages: [user("stream please")] });
    const data = dataOf(await res.text());
    await settle();
    expect(data.at(-1)).toBe("[DONE]");
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    expect(chunks.every((c) => c.choices.length === 1 && c.usage === undefined)).toBe(true);
    expect(chunks.at(-1).choices[0].finish_reason).toBe("stop");
  });

  it("a tool call round trip: tools sent as Anthropic tools, tool_use back as tool_calls, its id kept both ways", async () => {
    const first = (await (await send({ model: "claude", messages: [user("find otters")], tools: TOOLS })).res.json()) as any;
    expect(first.choices[0]).toMatchObject({ finish_reason: "tool_calls", message: { role: "assistant", content: null } });
    const call = first.choices[0].message.tool_calls[0];
    expect(call).toEqual({ id: expect.stringMatching(/^toolu_fake\d+$/), type: "function", function: { name: "lookup", arguments: JSON.stringify({ heard: "find otters" }) } });
    expect((await recorded())[0]!.body.tools).toEqual([{ name: "lookup", description: "looks up", input_schema: TOOLS[0]!.function.parameters }]);
    const { res } = await send({ model: "claude", tools: TOOLS, messages: [user("find otters"), { role: "assistant", content: null, tool_calls: [call] }, { role: "tool", tool_call_id: call.id, content: "3 otters" }] });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(((await res.json()) as any).choices[0]).toMatchObject({ finish_reason: "stop", message: { content: "[claude-fake] heard: 3 otters" } });
    expect((await recorded())[1]!.body.messages).toEqual([
      { role: "user", content: "find otters" },
      { role: "assistant", content: [{ type: "tool_use", id: call.id, name: "lookup", input: { heard: "find otters" } }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: call.id, content: "3 otters" }] },
    ]);
  });

  it("a streamed tool call: the id and name first, the arguments from the input_json_delta pieces, finish_reason tool_calls", async () => {
    const { res, settle } = await send({ model: "claude", stream: true, messages: [user("go")], tools: TOOLS, tool_choice: { type: "function", function: { name: "lookup" } } });
    const data = dataOf(await res.text());
    await settle();
    expect(data.at(-1)).toBe("[DONE]");
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    const calls = chunks.flatMap((c) => c.choices[0]?.delta?.tool_calls ?? []);
    expect(calls[0]).toMatchObject({ index: 0, id: expect.stringMatching(/^toolu_fake/), type: "function", function: { name: "lookup" } });
    expect(calls.length).toBeGreaterThan(2); // the arguments came in pieces
    expect(calls.map((c) => c.function.arguments ?? "").join("")).toBe(JSON.stringify({ heard: "go" }));
    expect(chunks.at(-1).choices[0].finish_reason).toBe("tool_calls");
    expect((await recorded())[0]!.body.tool_choice).toEqual({ type: "tool", name: "lookup" });
  });

  it("an image part: a data: URL becomes a base64 image block", async () => {
    const { res } = await send({ model: "claude", messages: [user([{ type: "text", text: "what is this" }, { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } }])] });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(((await res.json()) as any).choices[0].message.content).toBe("[claude-fake] heard: what is this (saw 1 image)");
    expect((await recorded())[0]!.body.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "what is this" }, { type: "image", source: { type: "base64", media_type: "image/png", data: PNG } }] },
    ]);
  });

  it("an image alone, without text, is taken: a chat model needs no user text", async () => {
    const { res } = await send({ model: "claude", messages: [user([{ type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } }])] });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(((await res.json()) as any).choices[0].message.content).toBe("[claude-fake] heard:  (saw 1 image)");
    expect((await recorded())[0]!.body.messages).toEqual([{ role: "user", content: [{ type: "image", source: { type: "base64", media_type: "image/png", data: PNG } }] }]);
  });

  it("prompt_cache_key is not sent, and the response says so in x-switchyard-not-sent", async () => {
    const { res } = await send({ model: "claude", messages: [user("hi")], prompt_cache_key: "tenant-a" });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-not-sent")).toBe("prompt_cache_key");
    expect((await recorded())[0]!.body).not.toHaveProperty("prompt_cache_key");
  });
});

describe("what an Anthropic model cannot take is a 400 naming the field, before any call", () => {
  refusedBeforeAnyCall(send, "claude", recorded, [
    [{ seed: 7 }, "seed"],
    [{ n: 2 }, "n"],
    [{ logprobs: true }, "logprobs"],
    [{ temperature: 1.5 }, "temperature"],
    [{ response_format: { type: "json_object" } }, "response_format"],
    [{ messages: [user([{ type: "input_audio", input_audio: { data: "AAAA", format: "wav" } }])] }, "messages.0.content.0"],
  ]);
});

describe("every failure of an Anthropic model", () => {
  countedFailures(door, [
    ["claude-fail-529", 502, "http_error"],
    ["claude-fail-500", 502, "http_error"],
    ["claude-garbage", 502, "bad_response"],
    ["claude-hang", 504, "timeout"],
    ["claude-wrong-key", 502, "http_error"],
  ]);

  rateLimited(door, "claude-fail-429", "429 rate_limit_error reaches the client as a 429 with the provider's Retry-After");

  it("400 invalid_request_error: Anthropic's message reaches the client, counted as refused, no retry", async () => {
    const before = await metricsOf("claude-fail-400");
    const { res, settle } = await send({ model: "claude-fail-400", messages: [user("hi")] });
    expect(res.status).toBe(400);
    const e = ((await res.json()) as { error: { message: string; type: string } }).error;
    await settle();
    expect(e).toMatchObject({ type: "invalid_request_error", message: "max_tokens: 1024 > 64, which is the maximum allowed number of output tokens for fail-400" });
    expect((await metricsOf("claude-fail-400")).refused - before.refused).toBe(1);
    expect(await recorded()).toHaveLength(1);
  });

  it("a 529 is retried as configured, then a 502", async () => {
    const { res } = await send({ model: "claude-529-retried", messages: [user("hi")] });
    expect(res.status).toBe(502);
    expect((await recorded()).map((r) => r.body.model)).toEqual(["fail-529", "fail-529"]);
  });

  it("a 500 falls back as configured: the fallback's answer reaches the client", async () => {
    const { res } = await send({ model: "claude-500-fallback", messages: [user("hi")] });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-specialist")).toBe("claude");
    expect(((await res.json()) as any).choices[0].message.content).toBe("[claude-fake] heard: hi");
    expect((await recorded()).map((r) => r.body.model)).toEqual(["fail-500", "claude-fake"]);
  });

  brokenStreams(door, [
    ["claude-stream-cut", "truncated", /./],
    ["claude-stream-eof", "truncated", /ended before message_stop/], // message_delta (the stop reason) came; message_stop did not
    ["claude-stream-error", "http_error", /upstream error event/],
    ["claude-stream-stall", "timeout", /stalled/],
    ["claude-stream-garbage", "bad_response", /not a JSON chunk/], // unpriced (CONFIG): the stream passes through as sent
  ]);
});
