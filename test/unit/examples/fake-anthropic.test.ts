import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished } from "vitest";
import { fakeEvents, fakeMessage, sseEvent, startFakeAnthropic, type FakeAnthropic } from "../../../examples/fake-anthropic/server.ts";

/** examples/fake-anthropic read by the official @anthropic-ai/sdk: its wire format is the SDK's. */
let fake: FakeAnthropic;
let client: Anthropic;
beforeAll(async () => {
  fake = await startFakeAnthropic({ apiKey: "sk-ant-unit" });
  client = new Anthropic({ baseURL: fake.url, apiKey: "sk-ant-unit", maxRetries: 0 });
});
afterAll(() => fake.close());
beforeEach(async () => void (await fetch(`${fake.url}/reset`, { method: "POST" })));

const hi: Anthropic.MessageParam[] = [{ role: "user", content: "hello there" }];
const TOOLS: Anthropic.Tool[] = [{ name: "lookup", input_schema: { type: "object", properties: { q: { type: "string" } } } }];

describe("fake Anthropic Messages API", () => {
  it("answers a message: the text heard, end_turn, usage; the SDK's headers were checked", async () => {
    const msg = await client.messages.create({ model: "m", max_tokens: 50, system: "be brief", messages: hi });
    expect(msg).toMatchObject({ type: "message", role: "assistant", model: "m", stop_reason: "end_turn", content: [{ type: "text", text: "[m] heard: hello there" }] });
    expect(msg.usage).toMatchObject({ input_tokens: 4, output_tokens: 4, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 });
    const [got] = fake.requests();
    expect(got!.headers.authorization).toBe("Bearer sk-ant-unit"); // how the 1.x SDKs send the key
    expect(got!.headers["anthropic-version"]).toEqual(expect.any(String));
  });

  it("a cache model reports cache reads and writes; images are acknowledged; max_tokens cuts the reply", async () => {
    expect((await client.messages.create({ model: "cache-model", max_tokens: 50, messages: hi })).usage).toMatchObject({ cache_read_input_tokens: 100, cache_creation_input_tokens: 50 });
    const seen = await client.messages.create({ model: "m", max_tokens: 50, messages: [{ role: "user", content: [{ type: "text", text: "look" }, { type: "image", source: { type: "base64", media_type: "image/png", data: "AAAA" } }] }] });
    expect(seen.content).toEqual([{ type: "text", text: "[m] heard: look (saw 1 image)", citations: null }]);
    const cut = await client.messages.create({ model: "m", max_tokens: 2, messages: hi });
    expect(cut).toMatchObject({ stop_reason: "max_tokens", content: [{ text: "[m] heard:" }] });
  });

  it("calls the first tool, or the one tool_choice names; answers the tool's result as text", async () => {
    const call = await client.messages.create({ model: "m", max_tokens: 50, tools: TOOLS, messages: hi });
    expect(call).toMatchObject({ stop_reason: "tool_use", content: [{ type: "tool_use", id: expect.stringMatching(/^toolu_fake/), name: "lookup", input: { heard: "hello there" } }] });
    const id = (call.content[0] as Anthropic.ToolUseBlock).id;
    const answer = await client.messages.create({ model: "m", max_tokens: 50, tools: TOOLS, messages: [...hi, { role: "assistant", content: call.content }, { role: "user", content: [{ type: "tool_result", tool_use_id: id, content: "3 otters" }] }] });
    expect(answer.content).toEqual([{ type: "text", text: "[m] heard: 3 otters", citations: null }]);
  });

  it("streams the documented event sequence, which the SDK assembles into the same message", async () => {
    const raw = await (await fetch(`${fake.url}/v1/messages`, { method: "POST", headers: { "x-api-key": "sk-ant-unit", "anthropic-version": "2023-06-01" }, body: JSON.stringify({ model: "m", max_tokens: 50, stream: true, messages: hi }) })).text();
    const types = raw.split("\n\n").filter(Boolean).map((e) => {
      const [event, data] = e.split("\n");
      expect(JSON.parse(data!.slice(6)).type).toBe(event!.slice(7)); // `event:` names the data's type
      return event!.slice(7);
    });
    expect(types).toEqual(["message_start", "content_block_start", "ping", ...Array(4).fill("content_block_delta"), "content_block_stop", "message_delta", "message_stop"]);
    const msg = await client.messages.stream({ model: "m", max_tokens: 50, messages: hi }).finalMessage();
    expect(msg).toMatchObject({ stop_reason: "end_turn", content: [{ type: "text", text: "[m] heard: hello there" }], usage: { output_tokens: 4 } });
    const tool = await client.messages.stream({ model: "m", max_tokens: 50, tools: TOOLS, messages: hi }).finalMessage();
    expect(tool.content).toEqual([expect.objectContaining({ type: "tool_use", name: "lookup", input: { heard: "hello there" } })]);
  });

  it("checks the body as the API does: alternating roles, tool results answering tool uses", async () => {
    await expect(client.messages.create({ model: "m", max_tokens: 50, messages: [...hi, ...hi] })).rejects.toMatchObject({ status: 400, error: { error: { type: "invalid_request_error", message: expect.stringMatching(/roles must alternate/) } } });
    const dangling: Anthropic.MessageParam[] = [...hi, { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "lookup", input: {} }] }, { role: "user", content: "and?" }];
    await expect(client.messages.create({ model: "m", max_tokens: 50, messages: dangling })).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/without `tool_result` blocks/) });
  });

  it("fails as Anthropic does, as the SDK's typed errors", async () => {
    await expect(new Anthropic({ baseURL: fake.url, apiKey: "wrong", maxRetries: 0 }).messages.create({ model: "m", max_tokens: 5, messages: hi })).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
    const limited = await client.messages.create({ model: "fail-429", max_tokens: 5, messages: hi }).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(Anthropic.RateLimitError);
    expect((limited as InstanceType<typeof Anthropic.RateLimitError>).headers?.get("retry-after")).toBe("1");
    await expect(client.messages.create({ model: "fail-529", max_tokens: 5, messages: hi })).rejects.toMatchObject({ status: 529, error: { error: { type: "overloaded_error" } } });
    await expect(client.messages.create({ model: "fail-500", max_tokens: 5, messages: hi })).rejects.toBeInstanceOf(Anthropic.InternalServerError);
    await expect(client.messages.create({ model: "fail-400", max_tokens: 5, messages: hi })).rejects.toBeInstanceOf(Anthropic.BadRequestError);
  });

  it("broken streams: an error event mid-way raises in the SDK; a cut or an end before message_stop never completes", async () => {
    await expect(client.messages.stream({ model: "stream-error", max_tokens: 50, messages: hi }).finalMessage()).rejects.toThrow(/Overloaded/);
    await expect(client.messages.stream({ model: "stream-cut", max_tokens: 50, messages: hi }).finalMessage()).rejects.toThrow();
    const raw = await (await fetch(`${fake.url}/v1/messages`, { method: "POST", headers: { "x-api-key": "sk-ant-unit", "anthropic-version": "2023-06-01" }, body: JSON.stringify({ model: "stream-eof", max_tokens: 50, stream: true, messages: hi }) })).text();
    expect(raw).toContain("event: message_delta");
    expect(raw).not.toContain("message_stop");
  });

  it("fakeMessage and fakeEvents are what it sends, byte for byte, and each request's record holds the reply it wrote", async () => {
    const own = await startFakeAnthropic({ apiKey: "sk-ant-unit" }); // its ids count from 1
    onTestFinished(() => own.close());
    const post = (body: unknown) => fetch(`${own.url}/v1/messages`, { method: "POST", headers: { "x-api-key": "sk-ant-unit", "anthropic-version": "2023-06-01" }, body: JSON.stringify(body) });
    const plain = { model: "cache-model", max_tokens: 50, system: "be brief", messages: hi };
    const text = await (await post(plain)).text();
    expect(JSON.parse(text)).toEqual(fakeMessage(plain, { id: "msg_fake1" }));
    const tool = { model: "m", max_tokens: 50, stream: true, tools: TOOLS, messages: hi };
    const streamed = await (await post(tool)).text();
    const expected = fakeEvents(fakeMessage(tool, { id: "msg_fake2", toolCallId: "toolu_fake1" }));
    expect(streamed).toBe(expected.map(sseEvent).join(""));
    expect(expected.filter((e) => e.type === "content_block_delta")).toHaveLength(3); // the tool input's JSON in three pieces
    const next = await (await post({ ...tool, stream: false })).json();
    expect(next).toMatchObject({ id: "msg_fake3", content: [{ type: "tool_use", id: "toolu_fake2" }] });
    expect(own.requests().map((r) => r.reply)).toEqual([text, streamed, JSON.stringify(next)]);
    const cut = await (await post({ ...plain, model: "stream-error", stream: true })).text();
    expect(cut).toMatch(/^event: message_start\n[^]*event: error\n/);
    expect(own.requests().at(-1)!.reply).toBe(cut);
  });

  it("echo-body answers with the request body, as JSON, whatever the tools and max_tokens", async () => {
    const body = { model: "echo-body", max_tokens: 1, tools: TOOLS, messages: [{ role: "user" as const, content: "a b c d e f" }] };
    const msg = await client.messages.create(body);
    expect(msg).toMatchObject({ stop_reason: "end_turn", content: [{ type: "text" }] });
    expect(JSON.parse((msg.content[0] as Anthropic.TextBlock).text)).toEqual(body);
  });
});
