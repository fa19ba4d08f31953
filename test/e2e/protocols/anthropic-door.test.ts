import Anthropic, { APIError } from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import bundled from "../../../switchyard.config.json" with { type: "json" };
import { startFakeOpenAI, type FakeOpenAI } from "../../../examples/fake-openai/server.ts";
import type { ConfigInput } from "../../../worker/config/schema.ts";
import { fakeMessage, startFakeAnthropic, type FakeAnthropic } from "../../../examples/fake-anthropic/server.ts";
import { startDevServer, type DevServer } from "../../support/dev-server.ts";

/**
 * The unmodified `@anthropic-ai/sdk` client against the router's Anthropic door over
 * real HTTP (`wrangler dev` as `npm run dev` runs it): routed answers, streams, a tool
 * round trip through a translated chat model, a pass-through to an `anthropic`
 * specialist, and errors raised as the SDK's own error classes.
 */
let openai: FakeOpenAI;
let anthropic: FakeAnthropic;
let server: DevServer;
let client: Anthropic;

/** The bundled config plus pinned-only chat models: `writer` (OpenAI-compatible) and `claude` (Anthropic), and streams of each that are cut. */
function config(openaiUrl: string, anthropicUrl: string): ConfigInput {
  const c = structuredClone(bundled) as ConfigInput;
  c.secrets = ["WRITER_KEY", "CLAUDE_KEY"];
  c.router = { ...c.router, allowPrivateNetworks: true }; // the fakes listen on 127.0.0.1
  const writer = { type: "openai-chat" as const, url: `${openaiUrl}/v1`, model: "fake-writer", apiKeySecret: "WRITER_KEY", systemPrompt: "You write short poems." };
  const claude = { type: "anthropic" as const, url: `${anthropicUrl}/v1`, model: "claude-fake", apiKeySecret: "CLAUDE_KEY" };
  c.specialists.push({ id: "writer", description: "a chat model (fake OpenAI)", endpoint: writer, timeoutMs: 5000 });
  c.specialists.push({ id: "writer-cut", description: "a stream that is cut", endpoint: { ...writer, model: "stream-cut" }, timeoutMs: 5000, retries: 0 });
  c.specialists.push({ id: "claude", description: "a Claude model (fake Anthropic)", endpoint: claude, timeoutMs: 5000 });
  c.specialists.push({ id: "claude-cut", description: "a Claude stream that is cut", endpoint: { ...claude, model: "stream-cut" }, timeoutMs: 5000, retries: 0 });
  return c;
}

beforeAll(async () => {
  openai = await startFakeOpenAI({ apiKey: "sk-writer" });
  anthropic = await startFakeAnthropic({ apiKey: "sk-claude" });
  server = await startDevServer({ vars: { SWITCHYARD_CONFIG: JSON.stringify(config(openai.url, anthropic.url)), WRITER_KEY: "sk-writer", CLAUDE_KEY: "sk-claude" } });
  client = new Anthropic({ baseURL: server.url, apiKey: "dev-key", maxRetries: 0 });
});
afterAll(async () => {
  await server?.stop();
  await openai?.close();
  await anthropic?.close();
});

const ask = (model: string, content: string) => ({ model, max_tokens: 256, messages: [{ role: "user" as const, content }] });

describe("the official @anthropic-ai/sdk client against the router over real HTTP", () => {
  it("messages.create: 'auto' routes to an example specialist", async () => {
    const { data, response } = await client.messages.create(ask("auto", "convert 5 km to miles")).withResponse();
    expect(response.headers.get("x-switchyard-specialist")).toBe("units");
    expect(data).toMatchObject({ type: "message", role: "assistant", model: "units", stop_reason: "end_turn" });
    expect(data.content[0]!.type === "text" && data.content[0]!.text).toMatch(/3\.10686/);
  });

  it("messages.stream: the events of a translated chat model build the message", async () => {
    const stream = client.messages.stream(ask("writer", "a haiku about rain"));
    let text = "";
    stream.on("text", (t) => (text += t));
    const final = await stream.finalMessage();
    expect(text).toBe("[fake-writer] heard: a haiku about rain");
    expect(final).toMatchObject({ model: "fake-writer", stop_reason: "end_turn", content: [{ type: "text", text }] });
    expect(final.usage.output_tokens).toBeGreaterThan(0);
  });

  it("a tool call round trip through a translated chat model", async () => {
    const tools = [{ name: "get_tide", description: "tide times", input_schema: { type: "object" as const, properties: { port: { type: "string" } } } }];
    const question = { role: "user" as const, content: "tides in Brest?" };
    const first = await client.messages.create({ model: "writer", max_tokens: 256, tools, messages: [question] });
    expect(first.stop_reason).toBe("tool_use");
    const call = first.content.find((b) => b.type === "tool_use")!;
    expect(call).toMatchObject({ type: "tool_use", name: "get_tide", input: { heard: "tides in Brest?" } });
    if (call.type !== "tool_use") throw new Error("no tool call");
    const second = await client.messages.create({
      model: "writer",
      max_tokens: 256,
      tools,
      tool_choice: { type: "none" },
      messages: [question, { role: "assistant", content: first.content }, { role: "user", content: [{ type: "tool_result", tool_use_id: call.id, content: "high tide at 6" }] }],
    });
    expect(second.content).toMatchObject([{ type: "text", text: "[fake-writer] heard: tides in Brest?" }]);
    const sent = openai.requests().at(-1)!.body;
    expect(sent.messages!.slice(-2)).toEqual([
      { role: "assistant", content: null, tool_calls: [{ id: call.id, type: "function", function: { name: "get_tide", arguments: JSON.stringify(call.input) } }] },
      { role: "tool", tool_call_id: call.id, content: "high tide at 6" },
    ]);
    expect(sent.tool_choice).toBe("none");
  });

  it("passes through to an anthropic specialist: the SDK's body and version header reach it, its reply comes back unchanged", async () => {
    const body = ask("claude", "bonjour");
    const msg = await client.messages.create(body);
    const got = anthropic.requests().at(-1)!;
    expect(got.body).toEqual({ ...body, model: "claude-fake" });
    expect(got.headers["x-api-key"]).toBe("sk-claude");
    expect(got.headers["anthropic-version"]).toBe("2026-10-21"); // what the SDK sent
    expect(msg).toEqual(JSON.parse(got.reply)); // what the fake sent
    expect(msg).toEqual(fakeMessage(got.body, { id: msg.id }));
    const streamed = await client.messages.stream(ask("claude", "stream this")).finalMessage();
    expect(streamed).toMatchObject(fakeMessage(anthropic.requests().at(-1)!.body, { id: streamed.id })); // the SDK adds members of its own (parsed_output)
    expect(streamed.content).toEqual([{ type: "text", text: "[claude-fake] heard: stream this", citations: null }]);
  });

  it("streams cut after they started raise in the SDK, translated or passed through", async () => {
    for (const model of ["writer-cut", "claude-cut"]) await expect(client.messages.stream(ask(model, "hello")).finalMessage(), model).rejects.toThrow();
  });

  it("errors are the SDK's own: unknown model, bad key, bad request", async () => {
    const notFound = await client.messages.create(ask("claude-opus-nobody", "hi")).catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(Anthropic.NotFoundError);
    expect((notFound as APIError).error).toMatchObject({ type: "error", error: { type: "not_found_error" } });
    const badKey = await new Anthropic({ baseURL: server.url, apiKey: "wrong", maxRetries: 0 }).messages.create(ask("auto", "hi")).catch((e: unknown) => e);
    expect(badKey).toBeInstanceOf(Anthropic.AuthenticationError);
    const bad = await client.messages.create({ model: "auto", max_tokens: -1, messages: [{ role: "user", content: "hi" }] }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(Anthropic.BadRequestError);
    expect((bad as APIError).message).toMatch(/max_tokens/);
  });
});
