import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { completedStream, countedFailures, dataOf, openaiDoor, refusedBeforeAnyCall, TOOLS, user } from "./translated.ts";

/**
 * `workers-ai` specialists through the AI binding: in this project the binding is
 * examples/fake-workers-ai (the binding's `run()` over RPC, answering in Workers AI's
 * formats), so what the router sends and how it reads every answer and failure is real.
 */
interface FakeAi {
  calls(): Promise<{ model: string; inputs: Record<string, any> }[]>;
  reset(): Promise<void>;
}
const ai = () => (env as unknown as { AI: FakeAi }).AI;

const door = openaiDoor();
const { send } = door;

beforeEach(async () => {
  await ai().reset();
});

describe("workers-ai specialists, through the OpenAI front door", () => {
  it("a plain answer: the request translated (system prompt first, sampling fields kept), the answer a chat.completion with usage and cost", async () => {
    const { res, settle } = await send({ model: "llama", messages: [{ role: "developer", content: "be exact" }, user([{ type: "text", text: "hello" }, { type: "text", text: "there" }])], temperature: 0.2, seed: 7, max_tokens: 64, user: "u-1" });
    expect(res.status, await res.clone().text()).toBe(200);
    const body = (await res.json()) as any;
    await settle();
    expect(body).toMatchObject({ object: "chat.completion", model: "@cf/meta/llama-3.1-8b-instruct", choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: "[@cf/meta/llama-3.1-8b-instruct] heard: hello\nthere" } }] });
    expect(body.usage).toMatchObject({ prompt_tokens: expect.any(Number), completion_tokens: 4 });
    expect(body.switchyard.costUsd).toBeCloseTo((body.usage.prompt_tokens * 0.3 + 4 * 0.6) / 1e6, 12);
    const [call] = await ai().calls();
    expect(call!.model).toBe("@cf/meta/llama-3.1-8b-instruct");
    expect(call!.inputs).toEqual({
      messages: [
        { role: "system", content: "You are a terse test model." },
        { role: "system", content: "be exact" },
        { role: "user", content: "hello\nthere" },
      ],
      temperature: 0.2,
      seed: 7,
      max_tokens: 64,
    });
  });

  it("a tool call round trip: tools sent, the model's call comes back as OpenAI tool_calls, the result goes back with its function's name", async () => {
    const first = (await (await send({ model: "llama", messages: [user("find otters")], tools: TOOLS })).res.json()) as any;
    expect(first.choices[0]).toMatchObject({ finish_reason: "tool_calls", message: { role: "assistant", content: "", tool_calls: [{ type: "function", function: { name: "lookup", arguments: JSON.stringify({ heard: "find otters" }) } }] } });
    const call = first.choices[0].message.tool_calls[0];
    const { res } = await send({ model: "llama", tools: TOOLS, messages: [user("find otters"), { role: "assistant", content: null, tool_calls: [call] }, { role: "tool", tool_call_id: call.id, content: "3 otters" }, user("how many?")] });
    expect(res.status).toBe(200);
    const sent = (await ai().calls()).at(-1)!.inputs;
    expect(sent.tools).toEqual(TOOLS);
    expect(sent.messages.slice(2)).toEqual([
      { role: "assistant", content: "", tool_calls: [call] },
      { role: "tool", content: "3 otters", tool_call_id: call.id, name: "lookup" },
      { role: "user", content: "how many?" },
    ]);
  });

  it("a streamed answer: chat.completion.chunk events translated chunk for chunk, the usage chunk when asked, then [DONE]", async () => {
    const chunks = await completedStream(send, { model: "llama", stream_options: { include_usage: true }, messages: [user("stream please")] }, "[@cf/meta/llama-3.1-8b-instruct] heard: stream please");
    expect(chunks.at(-2).choices[0].finish_reason).toBe("stop");
    expect(chunks.at(-1)).toMatchObject({ object: "chat.completion.chunk", choices: [], usage: { completion_tokens: 4 } });
    expect((await ai().calls())[0]!.inputs.stream).toBe(true);
  });

  it("a streamed tool call comes as a tool_calls delta with its index and id, finish_reason tool_calls", async () => {
    const { res, settle } = await send({ model: "llama", stream: true, messages: [user("go")], tools: TOOLS });
    const chunks = dataOf(await res.text()).slice(0, -1).map((d) => JSON.parse(d));
    await settle();
    const calls = chunks.flatMap((c) => c.choices[0]?.delta?.tool_calls ?? []);
    expect(calls).toEqual([{ index: 0, id: expect.stringMatching(/^call_/), type: "function", function: { name: "lookup", arguments: JSON.stringify({ heard: "go" }) } }]);
    expect(chunks.at(-1).choices[0].finish_reason).toBe("tool_calls");
  });

  it("fields about OpenAI's platform are not sent, and x-switchyard-not-sent names them; a request without them has no such header", async () => {
    const { res } = await send({ model: "llama", messages: [user("hi")], user: "u-1", prompt_cache_key: "k", store: false, metadata: { a: "b" }, temperature: 0.1 });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-not-sent")).toBe("user, prompt_cache_key, store, metadata");
    expect(Object.keys((await ai().calls())[0]!.inputs).sort()).toEqual(["messages", "temperature"]);
    const plain = await send({ model: "llama", messages: [user("hi")] });
    expect(plain.res.headers.get("x-switchyard-not-sent")).toBeNull();
  });

  it("a json_schema's description, which Workers AI has no field for, is named in x-switchyard-not-sent; the schema is sent", async () => {
    const schema = { type: "object", properties: { a: { type: "string" } } };
    const { res } = await send({ model: "llama", messages: [user("hi")], response_format: { type: "json_schema", json_schema: { name: "x", description: "an a", schema } } });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-not-sent")).toBe("response_format.json_schema.description");
    expect((await ai().calls()).at(-1)!.inputs.response_format).toEqual({ type: "json_schema", json_schema: schema });
  });

  it("a model answering a whole chat completion (newer Workers AI models) is passed on as it is", async () => {
    const body = (await (await send({ model: "wai-openai-format", messages: [user("hi")] })).res.json()) as any;
    expect(body).toMatchObject({ id: "chatcmpl-fake", choices: [{ message: { content: "[@cf/test/openai-format] heard: hi" } }] });
  });
});

describe("what a workers-ai model cannot take is a 400 naming the field", () => {
  refusedBeforeAnyCall(send, "llama", () => ai().calls(), [
    [{ stop: ["\n"] }, "stop"],
    [{ tool_choice: "required", tools: TOOLS }, "tool_choice"],
    [{ logit_bias: { "1": 2 } }, "logit_bias"],
    [{ messages: [user([{ type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } }])] }, "messages.0.content.0"],
    [{ messages: [user("hi"), { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{}", bogus: 1 } }] }] }, "messages.1.tool_calls.0.function.bogus"],
    [{ tools: [{ ...TOOLS[0]!, bogus: 1 }] }, "tools.0.bogus"],
    [{ response_format: { type: "json_schema", json_schema: { name: "n", schema: { type: "object" }, bogus: 1 } } }, "response_format.json_schema.bogus"],
    [{ messages: [{ role: "user", content: [] }] }, "messages.0.content"],
  ]);
});

describe("every failure of a workers-ai model", () => {
  countedFailures(door, [
    ["wai-capacity", 429, "rate_limited"],
    ["wai-upstream-error", 502, "http_error"],
    ["wai-garbage", 502, "bad_response"],
    ["wai-hang", 504, "timeout"],
    ["wai-no-such-model", 502, "misconfigured"],
  ]);

  for (const [id, detail] of [
    ["wai-stream-cut", /without a finish reason or \[DONE\]|ended/],
    ["wai-stream-error", /upstream error event|3043/],
    ["wai-stream-garbage", /not a JSON chunk/],
    ["wai-stream-stall", /stalled/],
  ] as const)
    it(`${id}: the stream ends with an error event and no [DONE], never reported as success`, async () => {
      const { res, settle } = await send({ model: id, stream: true, messages: [user("tell me more")] });
      expect(res.status).toBe(200);
      const data = dataOf(await res.text());
      await settle();
      expect(data).not.toContain("[DONE]");
      expect(data.slice(0, 2).map((d) => JSON.parse(d).choices[0].delta.content).join("")).toBe(`[@cf/test/${id.slice(4)}] heard:`);
      // before the one error event, chunks only: no provider text (`data: "<html>…"`) reaches the client
      expect(data.slice(0, -1).map((d) => (JSON.parse(d) as { object?: string }).object)).toEqual(data.slice(0, -1).map(() => "chat.completion.chunk"));
      const last = JSON.parse(data.at(-1)!) as { error: { message: string } };
      expect(last.error.message).toMatch(detail);
    });
});
