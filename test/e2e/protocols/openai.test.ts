import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import bundled from "../../../switchyard.config.json" with { type: "json" };
import { startFakeOpenAI, type FakeOpenAI } from "../../../examples/fake-openai/server.ts";
import type { ConfigInput } from "../../../worker/config/schema.ts";
import { startDevServer, type DevServer } from "../../support/dev-server.ts";

let fake: FakeOpenAI;
let server: DevServer;
let client: OpenAI;

/** The bundled config plus `writer`, an openai-chat specialist on the fake API that takes creative writing. */
function config(openaiUrl: string): ConfigInput {
  const c = structuredClone(bundled) as ConfigInput;
  c.secrets = ["WRITER_KEY"];
  c.router = { ...c.router, allowPrivateNetworks: true }; // the fake API listens on 127.0.0.1
  const general = c.specialists.find((s) => s.id === "general")!;
  for (const i of general.intents ?? []) i.examples = i.examples.filter((e) => !/poem/.test(e));
  c.specialists.push({
    id: "writer",
    description: "Writes poems and stories (a chat model)",
    endpoint: { type: "openai-chat", url: `${openaiUrl}/v1`, model: "fake-writer", apiKeySecret: "WRITER_KEY", systemPrompt: "You write short poems." },
    intents: [
      {
        label: "writing.creative",
        examples: [
          "write a poem about the sea",
          "write me a haiku about autumn leaves",
          "compose a sonnet about love",
          "write a short story about a dragon",
          "a limerick about a cat please",
          "write song lyrics about summer",
          "compose a poem for my mother's birthday",
          "write a bedtime story for a child",
          "give me a haiku about rain",
          "write a rhyming poem about coffee",
          "pen a short verse about the moon",
          "write a story about a lost robot",
          "create a poem about friendship",
          "write a free verse poem about the city at night",
          "compose a ballad about a sailor",
          "write a fable about a fox and a crow",
        ],
      },
    ],
    timeoutMs: 5000,
  });
  const writer = c.specialists.at(-1)!;
  const ep = writer.endpoint as { type: "openai-chat"; url: string; model: string };
  // pinned only (no intents): a stream that ends early, and one that fails first and falls back to `writer`
  c.specialists.push({ ...writer, id: "writer-eof", intents: [], endpoint: { ...ep, model: "stream-eof" } });
  c.specialists.push({ ...writer, id: "writer-error-first", intents: [], endpoint: { ...ep, model: "stream-error-first" }, fallbacks: ["writer"] });
  return c;
}

/** Chat Completions fields an agent sends, and one the router has never heard of. */
const FIELDS = {
  temperature: 0.2,
  top_p: 0.5,
  max_completion_tokens: 64,
  seed: 7,
  stop: ["END"],
  user: "e2e",
  metadata: { run: "e2e" },
  n: 2,
  logprobs: true,
  top_logprobs: 1,
  tools: [{ type: "function" as const, function: { name: "get_tide", description: "tide times", parameters: { type: "object", properties: { port: { type: "string" } } } } }],
  tool_choice: "auto" as const,
  parallel_tool_calls: false,
  response_format: { type: "json_schema" as const, json_schema: { name: "tide", schema: { type: "object" } } },
};

beforeAll(async () => {
  fake = await startFakeOpenAI({ apiKey: "sk-writer" });
  server = await startDevServer({ vars: { SWITCHYARD_CONFIG: JSON.stringify(config(fake.url)), WRITER_KEY: "sk-writer" } });
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "dev-key" });
});
afterAll(async () => {
  await server?.stop();
  await fake?.close();
});

describe("the official openai client against the router over real HTTP", () => {
  it("lists models: auto and every specialist", async () => {
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids[0]).toBe("auto");
    expect(ids).toEqual(expect.arrayContaining(["units", "arithmetic", "writer"]));
  });

  it("routes 'auto' to an example specialist (non-streaming)", async () => {
    const { data, response } = await client.chat.completions.create({ model: "auto", messages: [{ role: "user", content: "convert 5 km to miles" }] }).withResponse();
    expect(response.headers.get("x-switchyard-specialist")).toBe("units");
    expect(data.object).toBe("chat.completion");
    expect(data.model).toBe("units");
    expect(data.choices[0]!.message.role).toBe("assistant");
    expect(data.choices[0]!.message.content).toMatch(/3\.10686/);
    expect(data.choices[0]!.finish_reason).toBe("stop");
  });

  it("routes 'auto' to the openai-chat specialist on the fake upstream (non-streaming)", async () => {
    const res = await client.chat.completions.create({
      model: "auto",
      messages: [
        { role: "user", content: "hi" },
        { role: "assistant", content: "hello! what shall I do?" },
        { role: "user", content: "write a poem about the sea" },
      ],
    });
    expect(res.model).toBe("fake-writer"); // the upstream's reply, unchanged
    expect(res.choices[0]!.message.content).toBe("[fake-writer] heard: write a poem about the sea");
    expect(res.usage).toMatchObject({ prompt_tokens: 16, completion_tokens: 8 });
    const sent = fake.requests().at(-1)!;
    expect(sent.headers.authorization).toBe("Bearer sk-writer");
    expect(sent.body.messages!.map((m) => m.role)).toEqual(["system", "user", "assistant", "user"]);
  });

  it("streams from a non-chat specialist: one content chunk, then the finish", async () => {
    const stream = await client.chat.completions.create({ model: "auto", stream: true, messages: [{ role: "user", content: "convert 5 km to miles" }] });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks).toHaveLength(2);
    expect(chunks.every((c) => c.model === "units" && c.object === "chat.completion.chunk")).toBe(true);
    expect(chunks[0]!.choices[0]!.delta.content).toMatch(/3\.10686/);
    expect(chunks[1]!.choices[0]!.finish_reason).toBe("stop");
  });

  it("streams the openai-chat specialist's chunks through, pinned by model", async () => {
    const stream = await client.chat.completions.create({ model: "writer", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "a haiku about rain" }] });
    let text = "";
    let usage: OpenAI.CompletionUsage | null | undefined;
    let count = 0;
    for await (const chunk of stream) {
      count++;
      expect(chunk.model).toBe("fake-writer");
      text += chunk.choices[0]?.delta.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    expect(count).toBeGreaterThan(3);
    expect(text).toBe("[fake-writer] heard: a haiku about rain");
    expect(usage).toMatchObject({ prompt_tokens: 8, completion_tokens: 6 });
    expect(fake.requests().at(-1)!.body).toMatchObject({ model: "fake-writer", stream: true });
  });

  for (const model of ["writer", "auto"])
    for (const stream of [false, true])
      it(`every field reaches the upstream unchanged (model ${model}, ${stream ? "streamed" : "whole"}), and the reply comes back unchanged`, async () => {
        const messages = [
          { role: "user" as const, content: "when is high tide" },
          { role: "assistant" as const, content: null, tool_calls: [{ id: "call_a", type: "function" as const, function: { name: "get_tide", arguments: '{"port":"brest"}' } }] },
          { role: "tool" as const, tool_call_id: "call_a", content: "06:10" },
          { role: "user" as const, content: "write a poem about the sea and the tide" },
        ];
        const body = { model, messages, ...FIELDS };
        const { data, response } = stream
          ? await client.chat.completions.create({ ...body, stream: true }).withResponse()
          : await client.chat.completions.create(body).withResponse();
        expect(response.headers.get("x-switchyard-specialist")).toBe("writer");
        const sent = fake.requests().at(-1)!;
        // no prices or token limits on `writer`: the router needs no usage, so it adds no stream_options
        expect(sent.body).toEqual({ ...body, model: "fake-writer", messages: [{ role: "system", content: "You write short poems." }, ...messages], ...(stream ? { stream: true } : {}) });
        if (stream) {
          const chunks = [];
          for await (const c of data as AsyncIterable<OpenAI.ChatCompletionChunk>) chunks.push(c);
          expect(chunks.every((c) => c.model === "fake-writer" && c.system_fingerprint === "fp_fake" && !("usage" in c))).toBe(true);
          expect(new Set(chunks.flatMap((c) => c.choices.map((ch) => ch.index)))).toEqual(new Set([0, 1]));
          expect(chunks.some((c) => c.choices.some((ch) => ch.finish_reason === "tool_calls"))).toBe(true);
        } else {
          const res = data as OpenAI.ChatCompletion;
          expect(res).toMatchObject({ model: "fake-writer", system_fingerprint: "fp_fake", object: "chat.completion" });
          expect(res.choices).toHaveLength(2);
          expect(res.choices[0]!.message.tool_calls![0]).toMatchObject({ type: "function", function: { name: "get_tide" } });
          expect(res.choices[0]!.logprobs).toBeTruthy();
        }
      });

  it("raises on a stream that ends without a finish reason or [DONE]", async () => {
    const stream = await client.chat.completions.create({ model: "writer-eof", stream: true, messages: [{ role: "user", content: "a poem" }] });
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? "");
      })(),
    ).rejects.toThrow(/without a finish reason or \[DONE\]/);
    expect(seen.join("")).toContain("heard");
  });

  it("serves an error-first stream from the fallback: the client sees only the stream that succeeded", async () => {
    const { data: stream, response } = await client.chat.completions.create({ model: "writer-error-first", stream: true, messages: [{ role: "user", content: "a haiku" }] }).withResponse();
    expect(response.headers.get("x-switchyard-specialist")).toBe("writer");
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe("[fake-writer] heard: a haiku");
    expect(fake.requests().slice(-2).map((r) => r.body.model)).toEqual(["stream-error-first", "fake-writer"]);
  });

  it("surfaces errors as the client's typed errors", async () => {
    const noRetry = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "dev-key", maxRetries: 0 });
    await expect(noRetry.chat.completions.create({ model: "nope", messages: [{ role: "user", content: "x" }] })).rejects.toMatchObject({ status: 404, code: "model_not_found" });
    await expect(new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "wrong", maxRetries: 0 }).models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    await expect(noRetry.chat.completions.create({ model: "auto", messages: [] })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
  });
});
