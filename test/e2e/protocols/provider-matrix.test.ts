import Anthropic, { APIError } from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAnthropic, type FakeAnthropic } from "../../../examples/fake-anthropic/server.ts";
import { startFakeGemini, type FakeGemini } from "../../../examples/fake-gemini/server.ts";
import { startFakeOpenAI, type FakeOpenAI } from "../../../examples/fake-openai/server.ts";
import { FAKE_PROVIDER_KEYS, providerConfig, WAI_MODEL } from "../../../scripts/lib/provider-specialists.ts";
import { readChatStream } from "../../support/chat-stream.ts";
import { startDevServer, type DevServer } from "../../support/dev-server.ts";

/**
 * The unmodified `@anthropic-ai/sdk` client on the Anthropic door against every chat
 * provider type, and the unmodified `openai` client against a `workers-ai` specialist,
 * over real HTTP (`wrangler dev` as `npm run dev` runs it). The `workers-ai` specialist
 * runs on the stand-in binding `EXAMPLE_AI` that the example specialists serve
 * (examples/specialists/src/worker.ts); the others on the fake provider APIs. The
 * config is the one `npm run dev:providers` serves (scripts/lib/provider-specialists.ts). Each
 * pair: a plain answer, a streamed answer, a tool call round trip, an image part, an
 * error. (The `openai` client against `anthropic` and `gemini` is
 * translated-providers.test.ts; against `openai-chat`, openai.test.ts.)
 */
let openai: FakeOpenAI;
let anthropic: FakeAnthropic;
let gemini: FakeGemini;
let server: DevServer;
let claudeClient: Anthropic;
let openaiClient: OpenAI;

beforeAll(async () => {
  openai = await startFakeOpenAI({ apiKey: FAKE_PROVIDER_KEYS.WRITER_KEY });
  anthropic = await startFakeAnthropic({ apiKey: FAKE_PROVIDER_KEYS.CLAUDE_KEY });
  gemini = await startFakeGemini({ apiKey: FAKE_PROVIDER_KEYS.GEMINI_KEY });
  // the config `npm run dev:providers` serves: a specialist per provider type and a rate-limited twin of each
  const vars = { SWITCHYARD_CONFIG: JSON.stringify(providerConfig({ openai: openai.url, anthropic: anthropic.url, gemini: gemini.url })), ...FAKE_PROVIDER_KEYS };
  server = await startDevServer({ vars });
  claudeClient = new Anthropic({ baseURL: server.url, apiKey: "dev-key", maxRetries: 0 });
  openaiClient = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "dev-key", maxRetries: 0 });
});
afterAll(async () => {
  await server?.stop();
  await Promise.all([openai?.close(), anthropic?.close(), gemini?.close()]);
});

const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
const TOOLS: Anthropic.Tool[] = [{ name: "get_tide", description: "tide times", input_schema: { type: "object", properties: { port: { type: "string" } } } }];

/**
 * Per specialist: the model named in replies, the last body its upstream received (the
 * stand-in binding's calls are not visible over HTTP), what its fake answers after a
 * tool result (the fake OpenAI echoes the last user text), and whether its fake counts images.
 */
const SPECIALISTS = [
  { id: "writer", afterTool: "tides in Brest?", model: "fake-writer", lastBody: () => JSON.stringify(openai.requests().at(-1)?.body), sawImage: false },
  { id: "claude", afterTool: "high tide at 6", model: "claude-fake", lastBody: () => JSON.stringify(anthropic.requests().at(-1)?.body), sawImage: true },
  { id: "gemini", afterTool: "high tide at 6", model: "gemini-fake", lastBody: () => JSON.stringify(gemini.requests().at(-1)?.body), sawImage: true },
  { id: "wai", afterTool: "high tide at 6", model: WAI_MODEL, lastBody: undefined, sawImage: false },
] as const;

const ask = (model: string, content: string) => ({ model, max_tokens: 256, messages: [{ role: "user" as const, content }] });

for (const s of SPECIALISTS)
  describe(`the official @anthropic-ai/sdk client on the Anthropic door, served by '${s.id}'`, () => {
    it("a plain answer: text, stop reason, usage and the specialist header", async () => {
      const { data, response } = await claudeClient.messages.create(ask(s.id, "what is the tide")).withResponse();
      expect(response.headers.get("x-switchyard-specialist")).toBe(s.id);
      expect(data).toMatchObject({ type: "message", role: "assistant", model: s.model, stop_reason: "end_turn", content: [{ type: "text", text: `[${s.model}] heard: what is the tide` }] });
      expect(data.usage.input_tokens).toBeGreaterThan(0);
      expect(data.usage.output_tokens).toBeGreaterThan(0);
    });

    it("a streamed answer: the SDK's events build the message, text delta by delta", async () => {
      const stream = claudeClient.messages.stream(ask(s.id, "a haiku about rain"));
      const deltas: string[] = [];
      stream.on("text", (t) => deltas.push(t));
      const final = await stream.finalMessage();
      expect(deltas.length).toBeGreaterThan(1);
      expect(deltas.join("")).toBe(`[${s.model}] heard: a haiku about rain`);
      expect(final).toMatchObject({ model: s.model, stop_reason: "end_turn", content: [{ type: "text", text: deltas.join("") }] });
      expect(final.usage.output_tokens).toBeGreaterThan(0);
    });

    it("a tool call round trip: tool_use with its id, then the tool_result answered", async () => {
      const question = { role: "user" as const, content: "tides in Brest?" };
      const first = await claudeClient.messages.create({ model: s.id, max_tokens: 256, tools: TOOLS, messages: [question] });
      expect(first.stop_reason).toBe("tool_use");
      const call = first.content.find((b) => b.type === "tool_use");
      if (call?.type !== "tool_use") throw new Error(`no tool_use block in ${JSON.stringify(first.content)}`);
      expect(call).toMatchObject({ name: "get_tide", input: { heard: "tides in Brest?" } });
      expect(call.id).toMatch(/\S/);
      const result = { role: "user" as const, content: [{ type: "tool_result" as const, tool_use_id: call.id, content: "high tide at 6" }] };
      const none = s.id === "writer" ? { tool_choice: { type: "none" as const } } : {}; // the fake OpenAI calls a tool whenever it may
      const second = await claudeClient.messages.create({ model: s.id, max_tokens: 256, tools: TOOLS, ...none, messages: [question, { role: "assistant", content: first.content }, result] });
      expect(second.stop_reason).toBe("end_turn");
      expect(second.content).toMatchObject([{ type: "text", text: `[${s.model}] heard: ${s.afterTool}` }]);
      if (s.lastBody) expect(s.lastBody()).toContain(JSON.stringify(call.id).slice(1, -1)); // the result went out with the call's id
    });

    it(s.sawImage || s.id === "writer" ? "an image part reaches the model" : "an image part is refused with a 400 naming it (no vision declared)", async () => {
      const content: Anthropic.ContentBlockParam[] = [
        { type: "text", text: "what is this" },
        { type: "image", source: { type: "base64", media_type: "image/png", data: PNG } },
      ];
      const sent = claudeClient.messages.create({ model: s.id, max_tokens: 256, messages: [{ role: "user", content }] });
      if (s.id === "wai") {
        const err = await sent.catch((e: unknown) => e);
        expect(err).toBeInstanceOf(Anthropic.BadRequestError);
        expect((err as APIError).error).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
        expect((err as APIError).message).toMatch(/'messages\.0\.content\.1'.*vision/);
        return;
      }
      const msg = await sent;
      const text = msg.content[0]?.type === "text" ? msg.content[0].text.trim() : "";
      expect(text).toBe(`[${s.model}] heard: what is this${s.sawImage ? " (saw 1 image)" : ""}`);
      expect(s.lastBody!()).toContain(PNG);
    });

    it("a provider's rate limit is the SDK's RateLimitError with Retry-After", async () => {
      const err = await claudeClient.messages.create(ask(`${s.id}-429`, "hi")).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Anthropic.RateLimitError);
      expect((err as APIError).error).toMatchObject({ type: "error", error: { type: "rate_limit_error" } });
      expect(Number((err as APIError).headers?.get("retry-after"))).toBeGreaterThan(0);
    });
  });

describe("the official openai client, served by a 'workers-ai' specialist (the stand-in binding)", () => {
  it("a plain answer, with usage and the router's cost", async () => {
    const { data, response } = await openaiClient.chat.completions.create({ model: "wai", messages: [{ role: "user", content: "what is the tide" }] }).withResponse();
    expect(response.headers.get("x-switchyard-specialist")).toBe("wai");
    expect(data).toMatchObject({ object: "chat.completion", model: WAI_MODEL });
    expect(data.choices[0]).toMatchObject({ finish_reason: "stop", message: { role: "assistant", content: `[${WAI_MODEL}] heard: what is the tide` } });
    expect(data.usage!.completion_tokens).toBeGreaterThan(0);
    expect((data as unknown as { switchyard: { costUsd: number } }).switchyard.costUsd).toBeGreaterThan(0);
  });

  it("a streamed answer: chunks, the finish reason and the usage chunk", async () => {
    const stream = await openaiClient.chat.completions.create({ model: "wai", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "a haiku about rain" }] });
    const { text, finish, usage, count } = await readChatStream(stream);
    expect(count).toBeGreaterThan(3);
    expect(text).toBe(`[${WAI_MODEL}] heard: a haiku about rain`);
    expect(finish).toBe("stop");
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });

  it("a tool call round trip: the call's id comes back, the result goes out with it", async () => {
    const tools: OpenAI.ChatCompletionTool[] = [{ type: "function", function: { name: "get_tide", parameters: { type: "object", properties: { port: { type: "string" } } } } }];
    const question = { role: "user" as const, content: "tide at brest" };
    const first = await openaiClient.chat.completions.create({ model: "wai", tools, messages: [question] });
    expect(first.choices[0]!.finish_reason).toBe("tool_calls");
    const call = first.choices[0]!.message.tool_calls![0]! as OpenAI.ChatCompletionMessageFunctionToolCall;
    expect(call.function).toEqual({ name: "get_tide", arguments: JSON.stringify({ heard: "tide at brest" }) });
    const second = await openaiClient.chat.completions.create({ model: "wai", tools, messages: [question, first.choices[0]!.message, { role: "tool", tool_call_id: call.id, content: "06:10" }] });
    expect(second.choices[0]!.message.content).toBe(`[${WAI_MODEL}] heard: 06:10`);
  });

  it("an image part is a 400 naming the part", async () => {
    const err = await openaiClient.chat.completions
      .create({ model: "wai", messages: [{ role: "user", content: [{ type: "text", text: "what is this" }, { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } }] }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).param).toBe("messages.0.content.1");
  });

  it("Workers AI out of capacity (3040) is a RateLimitError with Retry-After", async () => {
    const err = await openaiClient.chat.completions.create({ model: "wai-429", messages: [{ role: "user", content: "hi" }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(Number((err as InstanceType<typeof OpenAI.RateLimitError>).headers.get("retry-after"))).toBeGreaterThan(0);
  });
});
