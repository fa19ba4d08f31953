import { describe, expect, it } from "vitest";
import { chatRequirements, estimateTokens } from "../../../../worker/protocols/openai/requirements.ts";

const user = (content: unknown) => ({ role: "user", content });
const caps = (body: Record<string, unknown>, hasText = true) => chatRequirements({ messages: [user("hi")], ...body } as never, hasText).filter((r) => r.capability !== "context");

describe("what a chat request needs", () => {
  it("nothing beyond text for the router's fields and sampling controls", () => {
    expect(caps({ model: "auto", stream: false, stream_options: { include_usage: true }, temperature: 0.1, top_p: 1, seed: 3, max_tokens: 5, max_completion_tokens: 5, stop: ["x"], user: "u", metadata: { a: "b" }, n: 1, logprobs: false, tool_choice: "none", response_format: { type: "text" } })).toEqual([]);
  });

  it("tools, structured output, several choices, logprobs, audio, streaming", () => {
    expect(caps({ tools: [{ type: "function", function: { name: "f" } }], tool_choice: "auto" })).toEqual([
      { capability: "tools", param: "tools" },
      { capability: "tools", param: "tool_choice" },
    ]);
    expect(caps({ functions: [{ name: "f" }] })).toEqual([{ capability: "tools", param: "functions" }]);
    expect(caps({ response_format: { type: "json_schema", json_schema: { name: "x", schema: {} } } })).toEqual([{ capability: "jsonSchema", param: "response_format" }]);
    expect(caps({ response_format: { type: "json_object" } })).toEqual([{ capability: "jsonSchema", param: "response_format" }]);
    expect(caps({ n: 3 })).toEqual([{ capability: "multipleChoices", param: "n" }]);
    expect(caps({ logprobs: true, top_logprobs: 2 })).toEqual([
      { capability: "logprobs", param: "logprobs" },
      { capability: "logprobs", param: "top_logprobs" },
    ]);
    expect(caps({ modalities: ["text", "audio"], audio: { voice: "alloy", format: "wav" } })).toEqual([
      { capability: "audio", param: "modalities" },
      { capability: "audio", param: "audio" },
    ]);
    expect(caps({ stream: true })).toEqual([{ capability: "streaming", param: "stream" }]);
  });

  it("content parts and tool turns in the conversation, named by their path", () => {
    const messages = [
      user([{ type: "text", text: "what is this" }, { type: "image_url", image_url: { url: "https://x/y.png" } }]),
      { role: "assistant", content: null, tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: "{}" } }] },
      { role: "tool", tool_call_id: "c", content: "42" },
      user([{ type: "input_audio", input_audio: { data: "AA", format: "wav" } }, { type: "file", file: { file_id: "f" } }, { type: "mystery" }]),
    ];
    expect(chatRequirements({ messages } as never, true).filter((r) => r.capability !== "context")).toEqual([
      { capability: "vision", param: "messages.0.content.1" },
      { capability: "tools", param: "messages.1" },
      { capability: "tools", param: "messages.2" },
      { capability: "audio", param: "messages.3.content.0" },
      { capability: "files", param: "messages.3.content.1" },
      { capability: "passThrough", param: "messages.3.content.2" },
    ]);
  });

  it("unknown fields need a specialist that takes the body as sent; so does a conversation without user text", () => {
    expect(caps({ x_vendor_option: 1, prediction: { type: "content", content: "x" } })).toEqual([
      { capability: "passThrough", param: "x_vendor_option" },
      { capability: "passThrough", param: "prediction" },
    ]);
    expect(caps({}, false)).toEqual([{ capability: "passThrough", param: "messages" }]);
  });

  it("estimates context tokens from messages, tools and the reply asked for", () => {
    const body = { messages: [user("x".repeat(400))], tools: [{ type: "function", function: { name: "f" } }], max_tokens: 100 };
    const tokens = estimateTokens(body as never);
    expect(tokens).toBe(Math.ceil((JSON.stringify(body.messages[0]).length + JSON.stringify(body.tools).length) / 4) + 100);
    expect(chatRequirements(body as never, true).at(-1)).toEqual({ capability: "context", param: "messages", tokens });
  });
});
