import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import bundled from "../../../switchyard.config.json" with { type: "json" };
import { startFakeAnthropic, type FakeAnthropic } from "../../../examples/fake-anthropic/server.ts";
import { startFakeGemini, type FakeGemini } from "../../../examples/fake-gemini/server.ts";
import type { ConfigInput } from "../../../worker/config/schema.ts";
import { readChatStream } from "../../support/chat-stream.ts";
import { startDevServer, type DevServer } from "../../support/dev-server.ts";

/**
 * The unmodified `openai` client against `wrangler dev`, served by an `anthropic` and a
 * `gemini` specialist on the fake provider APIs (examples/fake-anthropic,
 * examples/fake-gemini): over real HTTP, the router translates each way.
 */
let anthropic: FakeAnthropic;
let gemini: FakeGemini;
let server: DevServer;
let client: OpenAI;

/** The bundled config plus `claude` and `gemini` (pinned only) and one failing model each. */
function config(anthropicUrl: string, geminiUrl: string): ConfigInput {
  const c = structuredClone(bundled) as ConfigInput;
  c.secrets = ["ANTHROPIC_KEY", "GEMINI_KEY"];
  c.router = { ...c.router, allowPrivateNetworks: true }; // the fake APIs listen on 127.0.0.1
  const claude = { type: "anthropic" as const, url: `${anthropicUrl}/v1`, apiKeySecret: "ANTHROPIC_KEY", systemPrompt: "Be brief." };
  const gem = { type: "gemini" as const, url: `${geminiUrl}/v1beta`, apiKeySecret: "GEMINI_KEY", systemPrompt: "Be brief." };
  c.specialists.push(
    { id: "claude", endpoint: { ...claude, model: "claude-fake", pricing: { inputPerMTok: 3, outputPerMTok: 15 } }, timeoutMs: 5000 },
    { id: "claude-429", endpoint: { ...claude, model: "fail-429" } },
    { id: "claude-400", endpoint: { ...claude, model: "fail-400" } },
    { id: "gemini", endpoint: { ...gem, model: "gemini-fake", pricing: { inputPerMTok: 0.3, outputPerMTok: 2.5 } }, timeoutMs: 5000 },
    { id: "gemini-429", endpoint: { ...gem, model: "fail-429" } },
    { id: "gemini-400", endpoint: { ...gem, model: "fail-400" } },
  );
  return c;
}

beforeAll(async () => {
  anthropic = await startFakeAnthropic({ apiKey: "sk-ant-e2e" });
  gemini = await startFakeGemini({ apiKey: "gemini-e2e" });
  server = await startDevServer({ vars: { SWITCHYARD_CONFIG: JSON.stringify(config(anthropic.url, gemini.url)), ANTHROPIC_KEY: "sk-ant-e2e", GEMINI_KEY: "gemini-e2e" } });
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "dev-key", maxRetries: 0 });
});
afterAll(async () => {
  await server?.stop();
  await anthropic?.close();
  await gemini?.close();
});

const TOOLS: OpenAI.ChatCompletionTool[] = [{ type: "function", function: { name: "get_tide", description: "tide times", parameters: { type: "object", properties: { port: { type: "string" } } } } }];
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

/** Per provider: the specialist, the model it names, and the last request its fake API got (the translated body). */
const PROVIDERS = [
  { id: "claude", model: "claude-fake", lastBody: () => anthropic.requests().at(-1)!.body, lastKey: () => anthropic.requests().at(-1)!.headers["x-api-key"], key: "sk-ant-e2e" },
  { id: "gemini", model: "gemini-fake", lastBody: () => gemini.requests().at(-1)!.body, lastKey: () => gemini.requests().at(-1)!.headers["x-goog-api-key"], key: "gemini-e2e" },
] as const;

for (const p of PROVIDERS)
  describe(`the official openai client, served by '${p.id}' (translated)`, () => {
    it("a plain answer, with usage and the router's cost", async () => {
      const { data, response } = await client.chat.completions.create({ model: p.id, messages: [{ role: "user", content: "what is the tide" }] }).withResponse();
      expect(response.headers.get("x-switchyard-specialist")).toBe(p.id);
      expect(data).toMatchObject({ object: "chat.completion", model: p.model });
      expect(data.choices[0]!).toMatchObject({ finish_reason: "stop", message: { role: "assistant", content: `[${p.model}] heard: what is the tide` } });
      expect(data.usage).toMatchObject({ prompt_tokens: 6, completion_tokens: 6 }); // "Be brief." and the question; the reply's words
      expect((data as unknown as { switchyard: { costUsd: number } }).switchyard.costUsd).toBeGreaterThan(0);
      expect(p.lastKey()).toBe(p.key);
    });

    it("a streamed answer: chunks, the finish reason and the usage chunk", async () => {
      const stream = await client.chat.completions.create({ model: p.id, stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "a haiku about rain" }] });
      const { text, finish, usage, count, objects } = await readChatStream(stream);
      expect(new Set(objects)).toEqual(new Set(["chat.completion.chunk"]));
      expect(count).toBeGreaterThan(3);
      expect(text).toBe(`[${p.model}] heard: a haiku about rain`);
      expect(finish).toBe("stop");
      expect(usage).toMatchObject({ prompt_tokens: 6, completion_tokens: 6 });
    });

    it("a tool call round trip: the call's id comes back and goes out again with the result", async () => {
      const first = await client.chat.completions.create({ model: p.id, tools: TOOLS, messages: [{ role: "user", content: "tide at brest" }] });
      expect(first.choices[0]!.finish_reason).toBe("tool_calls");
      const call = first.choices[0]!.message.tool_calls![0]! as OpenAI.ChatCompletionMessageFunctionToolCall;
      expect(call.function).toEqual({ name: "get_tide", arguments: JSON.stringify({ heard: "tide at brest" }) });
      const second = await client.chat.completions.create({
        model: p.id,
        tools: TOOLS,
        messages: [{ role: "user", content: "tide at brest" }, first.choices[0]!.message, { role: "tool", tool_call_id: call.id, content: "06:10" }],
      });
      expect(second.choices[0]!.message.content).toBe(`[${p.model}] heard: 06:10`);
      expect(JSON.stringify(p.lastBody())).toContain(JSON.stringify(call.id)); // the result went out with the call's own id
    });

    it("an image part reaches the model", async () => {
      const res = await client.chat.completions.create({
        model: p.id,
        messages: [{ role: "user", content: [{ type: "text", text: "what is this" }, { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } }] }],
      });
      expect(res.choices[0]!.message.content).toBe(`[${p.model}] heard: what is this (saw 1 image)`);
      expect(JSON.stringify(p.lastBody())).toContain(PNG);
    });

    it("errors are the client's typed errors: a provider's 429 a RateLimitError with Retry-After, its 400 a BadRequestError with its message", async () => {
      const limited = await client.chat.completions.create({ model: `${p.id}-429`, messages: [{ role: "user", content: "hi" }] }).catch((e: unknown) => e);
      expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
      expect((limited as InstanceType<typeof OpenAI.RateLimitError>).headers.get("retry-after")).toBe("1");
      const refused = await client.chat.completions.create({ model: `${p.id}-400`, messages: [{ role: "user", content: "hi" }] }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
      expect((refused as InstanceType<typeof OpenAI.BadRequestError>).message).toMatch(/max_tokens|max_output_tokens/);
    });
  });
