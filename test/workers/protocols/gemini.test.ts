import { beforeEach, describe, expect, inject, it } from "vitest";
import { configWith } from "../helpers.ts";
import { brokenStreams, completedStream, countedFailures, dataOf, openaiDoor, rateLimited, PNG, refusedBeforeAnyCall, SYSTEM, TOOLS, user } from "./translated.ts";

/**
 * `gemini` specialists through the OpenAI front door, against examples/fake-gemini (the
 * Gemini API's wire format, its checks and its failures): what the router sends (the
 * translated body, the method in the URL, `x-goog-api-key`), what the client gets
 * back, and how every failure reaches the client and the metrics.
 */
const CONFIG = configWith((c) => {
  const of = (id: string) => c.specialists.find((s) => s.id === id)!;
  // a 503 retried once; a 500 that falls back to `gemini`; a key the API does not know
  c.specialists.push({ ...of("gemini-fail-503"), id: "gemini-503-retried", retries: 1 });
  c.specialists.push({ ...of("gemini-fail-500"), id: "gemini-500-fallback", fallbacks: ["gemini"] });
  const gemini = of("gemini");
  c.specialists.push({ ...gemini, id: "gemini-wrong-key", endpoint: { ...(gemini.endpoint as { type: "gemini"; model: string }), apiKeySecret: "FAKE_OPENAI_KEY" } });
  // without prices or token limits the door asks for no usage: the translated stream is passed through as it comes
  const garbage = of("gemini-stream-garbage");
  const { pricing: _p, ...unpriced } = garbage.endpoint as { type: "gemini"; pricing?: unknown };
  garbage.endpoint = unpriced as typeof garbage.endpoint;
});

const door = openaiDoor(CONFIG);
const { send, metricsOf } = door;
type Recorded = { path: string; model: string; method: string; query: Record<string, string>; headers: Record<string, string>; body: Record<string, any> };
const fake = () => inject("geminiUrl");
const recorded = async (): Promise<Recorded[]> => ((await (await fetch(`${fake()}/requests`)).json()) as { requests: Recorded[] }).requests;
const PRICES = { input: 0.3, output: 2.5, cached: 0.03 }; // gemini's pricing in test-config.ts, USD per million tokens

beforeEach(async () => {
  await fetch(`${fake()}/reset`, { method: "POST" });
});

describe("gemini specialists, through the OpenAI front door", () => {
  it("a plain answer: generateContent with the key, the system instruction first and the generation config; a chat.completion with usage and cost", async () => {
    const { res, settle } = await send({ model: "gemini", messages: [{ role: "developer", content: "be exact" }, user("hello there")], temperature: 0.2, max_tokens: 64, stop: "END", seed: 7 });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get("x-switchyard-specialist")).toBe("gemini");
    const body = (await res.json()) as any;
    await settle();
    expect(body).toMatchObject({ object: "chat.completion", model: "gemini-fake", choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: "[gemini-fake] heard: hello there" } }] });
    const [got] = await recorded();
    expect(got!.path).toBe("/v1beta/models/gemini-fake:generateContent");
    expect(got!.headers["x-goog-api-key"]).toBe("fake-gemini-key");
    expect(got!.headers.authorization).toBeUndefined();
    expect(got!.body).toEqual({
      systemInstruction: { parts: [{ text: SYSTEM }, { text: "be exact" }] },
      contents: [{ role: "user", parts: [{ text: "hello there" }] }],
      generationConfig: { temperature: 0.2, maxOutputTokens: 64, stopSequences: ["END"], seed: 7 },
    });
    // prompt: the system instruction (8 words) and the turn (2); the reply 4 words
    expect(body.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 4, total_tokens: 14 });
    expect(body.switchyard.costUsd).toBeCloseTo((10 * PRICES.input + 4 * PRICES.output) / 1e6, 12);
  });

  it("cached and thinking tokens: cached ones priced at the cached price, thoughts counted as output", async () => {
    const { res, settle } = await send({ model: "gemini-cache-thinking", messages: [user("remember this")] });
    const body = (await res.json()) as any;
    await settle();
    // the fake: 2 prompt words and 100 cached tokens; 4 reply words and 7 thinking tokens
    expect(body.usage).toMatchObject({ prompt_tokens: 102, completion_tokens: 11, total_tokens: 113, prompt_tokens_details: { cached_tokens: 100 }, completion_tokens_details: { reasoning_tokens: 7 } });
    expect(body.switchyard.costUsd).toBeCloseTo((2 * PRICES.input + 100 * PRICES.cached + 11 * PRICES.output) / 1e6, 12);
  });

  it("a reply cut at maxOutputTokens finishes with 'length'", async () => {
    const body = (await (await send({ model: "gemini", messages: [user("one two three four")], max_completion_tokens: 2 })).res.json()) as any;
    expect(body.choices[0]).toMatchObject({ finish_reason: "length", message: { content: "[gemini-fake] heard:" } });
    expect((await recorded())[0]!.body.generationConfig).toEqual({ maxOutputTokens: 2 });
  });

  it("a streamed answer: streamGenerateContent?alt=sse, a chunk per event, finish_reason, the usage chunk when asked, then [DONE]", async () => {
    const chunks = await completedStream(send, { model: "gemini", stream_options: { include_usage: true }, messages: [user("stream please")] }, "[gemini-fake] heard: stream please");
    expect(chunks.filter((c) => c.choices[0]?.delta?.content).length).toBe(2); // the fake sends two words an event
    expect(chunks.at(-2).choices[0].finish_reason).toBe("stop");
    expect(chunks.at(-1)).toMatchObject({ object: "chat.completion.chunk", choices: [], usage: { prompt_tokens: 8, completion_tokens: 4, total_tokens: 12 } });
    const [got] = await recorded();
    expect(got).toMatchObject({ method: "streamGenerateContent", model: "gemini-fake", query: { alt: "sse" } });
    expect(got!.body).not.toHaveProperty("stream");
  });

  it("a tool call round trip: functionDeclarations sent, functionCall back as tool_calls, its id (and thought signature) kept both ways", async () => {
    const first = (await (await send({ model: "gemini", messages: [user("find otters")], tools: TOOLS })).res.json()) as any;
    expect(first.choices[0]).toMatchObject({ finish_reason: "tool_calls", message: { role: "assistant", content: null } });
    const call = first.choices[0].message.tool_calls[0];
    expect(call).toMatchObject({ id: expect.stringMatching(/^fc_fake\d+$/), type: "function", function: { name: "lookup", arguments: JSON.stringify({ heard: "find otters" }) } });
    expect((await recorded())[0]!.body.tools).toEqual([{ functionDeclarations: [{ name: "lookup", description: "looks up", parametersJsonSchema: TOOLS[0]!.function.parameters }] }]);
    const { res } = await send({ model: "gemini", tools: TOOLS, messages: [user("find otters"), { role: "assistant", content: null, tool_calls: [call] }, { role: "tool", tool_call_id: call.id, content: "3 otters" }] });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(((await res.json()) as any).choices[0]).toMatchObject({ finish_reason: "stop", message: { content: "[gemini-fake] heard: 3 otters" } });
    expect((await recorded())[1]!.body.contents).toEqual([
      { role: "user", parts: [{ text: "find otters" }] },
      { role: "model", parts: [{ functionCall: { id: call.id, name: "lookup", args: { heard: "find otters" } }, thoughtSignature: "c2lnbmVkLWJ5LWZha2UtZ2VtaW5p" }] },
      { role: "user", parts: [{ functionResponse: { id: call.id, name: "lookup", response: { output: "3 otters" } } }] },
    ]);
  });

  it("a streamed tool call: one whole tool_calls delta with its id, finish_reason tool_calls", async () => {
    const { res, settle } = await send({ model: "gemini", stream: true, messages: [user("go")], tools: TOOLS, tool_choice: "required" });
    const data = dataOf(await res.text());
    await settle();
    expect(data.at(-1)).toBe("[DONE]");
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    const calls = chunks.flatMap((c) => c.choices[0]?.delta?.tool_calls ?? []);
    expect(calls).toEqual([expect.objectContaining({ index: 0, id: expect.stringMatching(/^fc_fake/), type: "function", function: { name: "lookup", arguments: JSON.stringify({ heard: "go" }) } })]);
    expect(chunks.at(-1).choices[0].finish_reason).toBe("tool_calls");
    expect((await recorded())[0]!.body.toolConfig).toEqual({ functionCallingConfig: { mode: "ANY" } });
  });

  it("an image part: a data: URL becomes inlineData", async () => {
    const { res } = await send({ model: "gemini", messages: [user([{ type: "text", text: "what is this" }, { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } }])] });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(((await res.json()) as any).choices[0].message.content).toBe("[gemini-fake] heard: what is this (saw 1 image)");
    expect((await recorded())[0]!.body.contents).toEqual([{ role: "user", parts: [{ text: "what is this" }, { inlineData: { mimeType: "image/png", data: PNG } }] }]);
  });

  it("an image alone, without text, is taken: a chat model needs no user text", async () => {
    const { res } = await send({ model: "gemini", messages: [user([{ type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } }])] });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(((await res.json()) as any).choices[0].message.content).toBe("[gemini-fake] heard:  (saw 1 image)");
    expect((await recorded())[0]!.body.contents).toEqual([{ role: "user", parts: [{ inlineData: { mimeType: "image/png", data: PNG } }] }]);
  });

  it("user and prompt_cache_key are not sent, and the response names them in x-switchyard-not-sent", async () => {
    const { res } = await send({ model: "gemini", messages: [user("hi")], user: "u-1", prompt_cache_key: "tenant-a" });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get("x-switchyard-not-sent")).toBe("user, prompt_cache_key");
    const [got] = await recorded();
    expect(got!.body).not.toHaveProperty("user");
    expect(got!.body).not.toHaveProperty("prompt_cache_key");
  });
});

describe("what a Gemini model cannot take is a 400 naming the field, before any call", () => {
  refusedBeforeAnyCall(send, "gemini", recorded, [
    [{ parallel_tool_calls: false, tools: TOOLS }, "parallel_tool_calls"],
    [{ top_logprobs: 2 }, "top_logprobs"],
    [{ reasoning_effort: "max" }, "reasoning_effort"],
    [{ logit_bias: { "1": 2 } }, "logit_bias"],
    [{ messages: [user([{ type: "text", text: "what is this" }, { type: "image_url", image_url: { url: "ftp://example.com/cat.png" } }])] }, "messages.0.content.1.image_url.url"],
    [{ messages: [user([{ type: "image_url", image_url: { url: "data:image/png;base64,@@@notbase64!!" } }])] }, "messages.0.content.0.image_url.url"],
    [{ messages: [user([{ type: "image_url", image_url: { url: "https://example.com/cat.png", bogus: 1 } }])] }, "messages.0.content.0.image_url.bogus"],
    [{ messages: [user("hi"), { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{}" }, bogus: 1 }] }] }, "messages.1.tool_calls.0.bogus"],
    [{ tools: TOOLS, tool_choice: { type: "function", function: { name: TOOLS[0]!.function.name, bogus: 1 } } }, "tool_choice.function.bogus"],
    [{ response_format: { type: "json_schema", json_schema: { name: "n", schema: { type: "object" }, bogus: 1 } } }, "response_format.json_schema.bogus"],
    [{ messages: [{ role: "user", content: [] }] }, "messages.0.content"],
  ]);
});

describe("every failure of a Gemini model", () => {
  countedFailures(door, [
    ["gemini-fail-503", 502, "http_error"],
    ["gemini-fail-500", 502, "http_error"],
    ["gemini-garbage", 502, "bad_response"],
    ["gemini-hang", 504, "timeout"],
  ]);

  rateLimited(door, "gemini-fail-429", "429 RESOURCE_EXHAUSTED reaches the client as a 429 with the provider's Retry-After");

  for (const stream of [false, true])
    it(`a 429 whose wait is only in the body (RetryInfo retryDelay 2.5s) reaches the client with Retry-After: 3 (stream ${stream})`, async () => {
      const { res, settle } = await send({ model: "gemini-fail-429-body", stream, messages: [user("hi")] });
      expect(res.status).toBe(429);
      expect(res.headers.get("retry-after")).toBe("3");
      await res.text();
      await settle();
    });

  it("400 INVALID_ARGUMENT: Gemini's message reaches the client, counted as refused", async () => {
    const before = await metricsOf("gemini-fail-400");
    const { res, settle } = await send({ model: "gemini-fail-400", messages: [user("hi")] });
    expect(res.status).toBe(400);
    const e = ((await res.json()) as { error: { message: string; type: string } }).error;
    await settle();
    expect(e).toMatchObject({ type: "invalid_request_error", message: "* GenerateContentRequest.generation_config.max_output_tokens: max_output_tokens must be less than 65537 for fail-400" });
    expect((await metricsOf("gemini-fail-400")).refused - before.refused).toBe(1);
  });

  it("a blocked prompt (promptFeedback.blockReason, no candidates) is a refusal: 400 content_filter, whole and streamed", async () => {
    const whole = await send({ model: "gemini-blocked", messages: [user("something bad")] });
    expect(whole.res.status).toBe(400);
    expect(((await whole.res.json()) as any).error).toMatchObject({ type: "invalid_request_error", code: "content_filter", message: expect.stringMatching(/blocked the prompt.*SAFETY/) });
    const streamed = await send({ model: "gemini-blocked", stream: true, messages: [user("something bad")] });
    expect(streamed.res.status).toBe(400);
    expect(((await streamed.res.json()) as any).error).toMatchObject({ code: "content_filter" });
  });

  it("a candidate stopped for safety answers finish_reason content_filter", async () => {
    const { res } = await send({ model: "gemini-unsafe", messages: [user("hi")] });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(((await res.json()) as any).choices[0]).toMatchObject({ finish_reason: "content_filter", message: { content: null } });
  });

  it("a 503 is retried as configured, then a 502", async () => {
    const { res } = await send({ model: "gemini-503-retried", messages: [user("hi")] });
    expect(res.status).toBe(502);
    expect((await recorded()).map((r) => r.model)).toEqual(["fail-503", "fail-503"]);
  });

  it("a 500 falls back as configured: the fallback's answer reaches the client", async () => {
    const { res } = await send({ model: "gemini-500-fallback", messages: [user("hi")] });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-specialist")).toBe("gemini");
    expect(((await res.json()) as any).choices[0].message.content).toBe("[gemini-fake] heard: hi");
    expect((await recorded()).map((r) => r.model)).toEqual(["fail-500", "gemini-fake"]);
  });

  it("a key Gemini does not know is the router's failure (502, misconfigured), not the client's 400", async () => {
    const before = await metricsOf("gemini-wrong-key");
    const { res, settle } = await send({ model: "gemini-wrong-key", messages: [user("hi")] });
    expect(res.status).toBe(502);
    await res.text();
    await settle();
    expect(((await metricsOf("gemini-wrong-key")).failures.misconfigured ?? 0) - (before.failures.misconfigured ?? 0)).toBe(1);
  });

  brokenStreams(door, [
    ["gemini-stream-cut", "truncated", /./],
    ["gemini-stream-eof", "truncated", /before candidate 0 had a finishReason/],
    ["gemini-stream-error", "http_error", /upstream error event/],
    ["gemini-stream-stall", "timeout", /stalled/],
    ["gemini-stream-garbage", "bad_response", /not a JSON chunk/], // unpriced (CONFIG): the stream passes through as sent
  ]);
});
