import OpenAI, { APIError } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import bundled from "../../../switchyard.config.json" with { type: "json" };
import { startFakeOpenAI, type FakeOpenAI } from "../../../examples/fake-openai/server.ts";
import type { ConfigInput } from "../../../worker/config/schema.ts";
import { startDevServer, type DevServer } from "../../support/dev-server.ts";

/**
 * The unmodified `openai` client's `responses.create` (and `responses.stream`) against
 * the router's Responses door over real HTTP (`wrangler dev` as `npm run dev` runs it):
 * a routed answer, a stream, a function-call round trip through a chat model, a cut
 * stream and refusals raised as the SDK's own errors.
 */
let fake: FakeOpenAI;
let server: DevServer;
let client: OpenAI;

/** The bundled config plus pinned-only chat models on the fake API: `writer`, and `writer-cut` whose stream is cut. */
function config(openaiUrl: string): ConfigInput {
  const c = structuredClone(bundled) as ConfigInput;
  c.secrets = ["WRITER_KEY"];
  c.router = { ...c.router, allowPrivateNetworks: true }; // the fake listens on 127.0.0.1
  const writer = { type: "openai-chat" as const, url: `${openaiUrl}/v1`, model: "fake-writer", apiKeySecret: "WRITER_KEY", systemPrompt: "You write short poems." };
  c.specialists.push({ id: "writer", description: "a chat model (fake OpenAI)", endpoint: writer, timeoutMs: 5000 });
  c.specialists.push({ id: "writer-cut", description: "a stream that is cut", endpoint: { ...writer, model: "stream-cut" }, timeoutMs: 5000, retries: 0 });
  return c;
}

beforeAll(async () => {
  fake = await startFakeOpenAI({ apiKey: "sk-writer" });
  server = await startDevServer({ vars: { SWITCHYARD_CONFIG: JSON.stringify(config(fake.url)), WRITER_KEY: "sk-writer" } });
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "dev-key", maxRetries: 0 });
});
afterAll(async () => {
  await server?.stop();
  await fake?.close();
});

describe("the official openai client's responses.create against the router over real HTTP", () => {
  it("'auto' routes to an example specialist; output_text is the answer", async () => {
    const { data, response } = await client.responses.create({ model: "auto", input: "convert 5 km to miles" }).withResponse();
    expect(response.headers.get("x-switchyard-specialist")).toBe("units");
    expect(data).toMatchObject({ object: "response", status: "completed", model: "units" });
    expect(data.id).toMatch(/^resp_/);
    expect(data.output_text).toMatch(/3\.10686 mi/);
  });

  it("stream: true: the events build the text, and the last is response.completed", async () => {
    const stream = await client.responses.create({ model: "writer", instructions: "Be brief.", input: "a haiku about rain", stream: true });
    let text = "";
    const types: string[] = [];
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === "response.output_text.delta") text += event.delta;
    }
    expect(text).toBe("[fake-writer] heard: a haiku about rain");
    expect(types[0]).toBe("response.created");
    expect(types.at(-1)).toBe("response.completed");
    const last = fake.requests().at(-1)!;
    expect(last.body.messages).toEqual([
      { role: "system", content: "You write short poems." },
      { role: "system", content: "Be brief." },
      { role: "user", content: "a haiku about rain" },
    ]);
  });

  it("responses.stream: the SDK's own accumulator gets the final response", async () => {
    const stream = client.responses.stream({ model: "writer", input: "a haiku about snow" });
    const final = await stream.finalResponse();
    expect(final.status).toBe("completed");
    expect(final.output_text).toBe("[fake-writer] heard: a haiku about snow");
    expect(final.usage?.output_tokens).toBeGreaterThan(0);
  });

  it("a function-call round trip: function_call out, function_call + function_call_output back in", async () => {
    const tools = [{ type: "function" as const, name: "get_tide", description: "tide times", parameters: { type: "object", properties: { port: { type: "string" } }, required: ["port"], additionalProperties: false }, strict: true }];
    const question = { role: "user" as const, content: "tides in Brest?" };
    const first = await client.responses.create({ model: "writer", tools, input: [question] });
    const call = first.output.find((i) => i.type === "function_call");
    if (!call || call.type !== "function_call") throw new Error("no function call");
    expect(call).toMatchObject({ name: "get_tide", arguments: '{"heard":"tides in Brest?"}' });
    const second = await client.responses.create({ model: "writer", tools, tool_choice: "none", input: [question, call, { type: "function_call_output", call_id: call.call_id, output: "high tide at 6" }] });
    expect(second.output_text).toBe("[fake-writer] heard: tides in Brest?");
    const sent = fake.requests().at(-1)!.body.messages!;
    expect(sent.at(-2)).toMatchObject({ role: "assistant", tool_calls: [{ id: call.call_id, function: { name: "get_tide" } }] });
    expect(sent.at(-1)).toEqual({ role: "tool", tool_call_id: call.call_id, content: "high tide at 6" });
  });

  it("a stream cut after it started: the client raises, and response.completed never came", async () => {
    const stream = await client.responses.create({ model: "writer-cut", input: "hello", stream: true });
    const types: string[] = [];
    await expect(
      (async () => {
        for await (const event of stream) types.push(event.type);
      })(),
    ).rejects.toBeInstanceOf(APIError);
    expect(types).toContain("response.failed");
    expect(types).not.toContain("response.completed");
  });

  it("errors: a stateless refusal names the param; an unknown model is model_not_found", async () => {
    await expect(client.responses.create({ model: "auto", input: "hi", previous_response_id: "resp_123" })).rejects.toMatchObject({ status: 400, param: "previous_response_id", code: "unsupported_parameter" });
    await expect(client.responses.create({ model: "auto", input: "hi", tools: [{ type: "web_search" }] })).rejects.toMatchObject({ status: 400, param: "tools.0" });
    await expect(client.responses.create({ model: "gpt-nobody", input: "hi" })).rejects.toMatchObject({ status: 404, code: "model_not_found" });
  });
});
