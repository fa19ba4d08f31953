import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import bundled from "../../switchyard.config.json" with { type: "json" };
import { startFakeOpenAI, type FakeOpenAI } from "../../examples/fake-openai/server.ts";
import type { ConfigInput } from "../../worker/config/schema.ts";
import { startDevServer, type DevServer } from "../support/dev-server.ts";

let fake: FakeOpenAI;
let server: DevServer;
let client: OpenAI;

/** The bundled config plus `writer`, an openai-chat specialist on the fake API that takes creative writing. */
function config(openaiUrl: string): ConfigInput {
  const c = structuredClone(bundled) as ConfigInput;
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
  return c;
}

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
    expect(res.model).toBe("writer");
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
      expect(chunk.model).toBe("writer");
      text += chunk.choices[0]?.delta.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    expect(count).toBeGreaterThan(3);
    expect(text).toBe("[fake-writer] heard: a haiku about rain");
    expect(usage).toMatchObject({ prompt_tokens: 8, completion_tokens: 6 });
    expect(fake.requests().at(-1)!.body).toMatchObject({ model: "fake-writer", stream: true });
  });

  it("surfaces errors as the client's typed errors", async () => {
    const noRetry = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "dev-key", maxRetries: 0 });
    await expect(noRetry.chat.completions.create({ model: "nope", messages: [{ role: "user", content: "x" }] })).rejects.toMatchObject({ status: 404, code: "model_not_found" });
    await expect(new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "wrong", maxRetries: 0 }).models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    await expect(noRetry.chat.completions.create({ model: "auto", messages: [] })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
  });
});
