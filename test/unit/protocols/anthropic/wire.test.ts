import type { Message, MessageCreateParamsNonStreaming, RawMessageStreamEvent } from "@anthropic-ai/sdk/resources/messages";
import { describe, expect, it } from "vitest";
import { AnthropicError, AnthropicMessage, MessagesRequest, parseStreamEvent } from "../../../../worker/protocols/anthropic/wire.ts";

/** The first issue's path and message, as a front door would name it in a 400. */
function issue(body: unknown): string {
  const r = MessagesRequest.safeParse(body);
  if (r.success) return "ok";
  const i = r.error.issues[0]!;
  return `${i.path.join(".")}: ${i.message}`;
}

const base = { model: "claude-sonnet-4-5", max_tokens: 1024, messages: [{ role: "user", content: "Hello, Claude" }] } satisfies MessageCreateParamsNonStreaming;

describe("MessagesRequest (the POST /v1/messages body)", () => {
  it("takes a request as the official SDK types it, every block type the translation reads", () => {
    const body = {
      ...base,
      system: [{ type: "text", text: "Be brief.", cache_control: { type: "ephemeral", ttl: "1h" } }],
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "Look:" },
            { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw==" } },
            { type: "image", source: { type: "url", url: "https://example.com/a.jpg" } },
            { type: "document", source: { type: "base64", media_type: "application/pdf", data: "JVBERi0=" } },
          ],
        },
        { role: "assistant", content: [{ type: "thinking", thinking: "hm", signature: "sig" }, { type: "tool_use", id: "toolu_1", name: "f", input: { a: 1 } }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: [{ type: "text", text: "ok" }], is_error: false }] },
      ],
      tools: [{ name: "f", description: "F", input_schema: { type: "object", properties: {} } }, { type: "web_search_20250305", name: "web_search" }],
      tool_choice: { type: "any", disable_parallel_tool_use: true },
      stop_sequences: ["END"],
      stream: false,
      metadata: { user_id: "u-1" },
      thinking: { type: "enabled", budget_tokens: 2048 },
      output_config: { effort: "high", format: { type: "json_schema", schema: { type: "object" } } },
    } satisfies MessageCreateParamsNonStreaming;
    expect(MessagesRequest.parse(body)).toEqual(body);
  });

  it("passes unknown fields and unknown block types through", () => {
    const body = { ...base, context_management: { edits: [] }, messages: [{ role: "user", content: [{ type: "search_result", source: "s", title: "t", content: [] }] }] };
    expect(MessagesRequest.parse(body)).toEqual(body);
  });

  it("accepts the 2023-06-01 sampling fields in range", () => {
    expect(issue({ ...base, temperature: 0.5, top_p: 0.9, top_k: 40 })).toBe("ok");
  });

  it("names the field of a missing or malformed member", () => {
    expect(issue({ ...base, max_tokens: undefined })).toMatch(/^max_tokens: /);
    expect(issue({ ...base, model: "" })).toMatch(/^model: /);
    expect(issue({ ...base, messages: [] })).toMatch(/^messages: /);
    expect(issue({ ...base, messages: [{ role: "tool", content: "x" }] })).toMatch(/^messages\.0\.role: /);
    expect(issue({ ...base, temperature: 1.5 })).toMatch(/^temperature: /);
    expect(issue({ ...base, top_k: -1 })).toMatch(/^top_k: /);
    expect(issue({ ...base, tool_choice: { type: "tool" } })).toMatch(/^tool_choice\.name: /);
    expect(issue({ ...base, thinking: { type: "sometimes" } })).toMatch(/^thinking\.type: /);
    expect(issue({ ...base, tools: [{ description: "no name" }] })).toMatch(/^tools\.0\.name: /);
    expect(issue({ ...base, messages: [{ role: "user" }] })).toBe("messages.0.content: expected a string or an array of content blocks");
    expect(issue({ ...base, system: [{ type: "image", source: {} }] })).toMatch(/^system\.0\.type: /);
  });

  it("checks known content blocks, naming the path inside the block", () => {
    const block = (b: unknown) => issue({ ...base, messages: [{ role: "user", content: [b] }] });
    expect(block({ type: "text" })).toMatch(/^messages\.0\.content\.0\.text: /);
    expect(block({ type: "image", source: { type: "base64", media_type: "image/bmp", data: "x" } })).toMatch(/^messages\.0\.content\.0\.source\.media_type: /);
    expect(block({ type: "image", source: { type: "url" } })).toMatch(/^messages\.0\.content\.0\.source\.url: /);
    expect(block({ type: "tool_use", id: "t", input: {} })).toMatch(/^messages\.0\.content\.0\.name: /);
    expect(block({ type: "tool_result", content: "x" })).toMatch(/^messages\.0\.content\.0\.tool_use_id: /);
    expect(block({ type: "tool_result", tool_use_id: "t", is_error: "yes" })).toMatch(/^messages\.0\.content\.0\.is_error: /);
    expect(block({ type: "thinking", thinking: "x" })).toMatch(/^messages\.0\.content\.0\.signature: /);
    expect(block({ text: "no type" })).toMatch(/^messages\.0\.content\.0\.type: /);
  });
});

describe("AnthropicMessage (a non-streamed reply)", () => {
  const message = {
    id: "msg_013Zva2CMHLNnXjNJJKqJ2EF",
    type: "message",
    role: "assistant",
    model: "claude-sonnet-4-5-20250929",
    content: [
      { type: "text", text: "Hi! My name is Claude.", citations: null },
      { type: "tool_use", id: "toolu_1", name: "f", input: {}, caller: { type: "direct" } },
    ],
    stop_reason: "tool_use",
    stop_sequence: null,
    stop_details: null,
    container: null,
    diagnostics: null,
    usage: { input_tokens: 2095, output_tokens: 503, cache_creation_input_tokens: null, cache_read_input_tokens: null, cache_creation: null, inference_geo: null, output_tokens_details: null, server_tool_use: null, service_tier: "standard", speed: null },
  } satisfies Message;

  it("parses a Message as the SDK types it, members it does not read kept", () => {
    expect(AnthropicMessage.parse(message)).toEqual(message);
  });

  it("parses the older shape without the newer members (2023-06-01 servers)", () => {
    const older = { id: "msg_1", type: "message", role: "assistant", model: "m", content: [{ type: "text", text: "x" }], stop_reason: "end_turn", stop_sequence: null, usage: { input_tokens: 1, output_tokens: 1 } };
    expect(AnthropicMessage.safeParse(older).success).toBe(true);
  });

  it("refuses a reply without usage or content", () => {
    expect(AnthropicMessage.safeParse({ ...message, usage: undefined }).success).toBe(false);
    expect(AnthropicMessage.safeParse({ ...message, content: "text" }).success).toBe(false);
  });
});

describe("parseStreamEvent", () => {
  it("parses every event type of the streaming docs", () => {
    const all: (RawMessageStreamEvent | { type: "ping" } | AnthropicError)[] = [
      { type: "message_start", message: { id: "msg_1", type: "message", role: "assistant", content: [], model: "m", stop_reason: null, stop_sequence: null, stop_details: null, container: null, diagnostics: null, usage: { input_tokens: 25, output_tokens: 1, cache_creation_input_tokens: null, cache_read_input_tokens: null, cache_creation: null, inference_geo: null, output_tokens_details: null, server_tool_use: null, service_tier: null, speed: null } } },
      { type: "content_block_start", index: 0, content_block: { type: "text", text: "", citations: null } },
      { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Hi" } },
      { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: '{"a"' } },
      { type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "hm" } },
      { type: "content_block_delta", index: 0, delta: { type: "signature_delta", signature: "sig" } },
      { type: "content_block_stop", index: 0 },
      { type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null, stop_details: null, container: null }, usage: { output_tokens: 15, input_tokens: null, cache_creation_input_tokens: null, cache_read_input_tokens: null, output_tokens_details: null, server_tool_use: null } },
      { type: "message_stop" },
      { type: "ping" },
      { type: "error", error: { type: "overloaded_error", message: "Overloaded" } },
    ];
    for (const e of all) expect(parseStreamEvent(e), e.type).toEqual({ ok: true, event: e });
  });

  it("keeps an unknown event type or delta type (the API may add them)", () => {
    expect(parseStreamEvent({ type: "tool_change", x: 1 })).toEqual({ ok: true, event: { type: "tool_change", x: 1 } });
    expect(parseStreamEvent({ type: "content_block_delta", index: 0, delta: { type: "citations_delta", citation: {} } })).toMatchObject({ ok: true });
  });

  it("names what is wrong with a malformed known event", () => {
    expect(parseStreamEvent({ type: "content_block_delta", index: 0 })).toMatchObject({ ok: false, detail: expect.stringMatching(/^delta: /) });
    expect(parseStreamEvent({ type: "content_block_delta", index: 0, delta: { type: "text_delta" } })).toMatchObject({ ok: false });
    expect(parseStreamEvent({ type: "error", error: { type: "api_error" } })).toMatchObject({ ok: false, detail: expect.stringMatching(/^error\.message: /) });
    expect(parseStreamEvent({ no: "type" })).toEqual({ ok: false, detail: "the event has no type" });
    expect(parseStreamEvent("data")).toEqual({ ok: false, detail: "the event has no type" });
  });
});

describe("AnthropicError", () => {
  it("parses Anthropic's error body", () => {
    const body = { type: "error", error: { type: "invalid_request_error", message: "max_tokens: Field required" }, request_id: "req_1" };
    expect(AnthropicError.parse(body)).toEqual(body);
    expect(AnthropicError.safeParse({ error: { type: "x", message: "y" } }).success).toBe(false);
  });
});

describe("parseStreamEvent: edges", () => {
  it("null is an event without a type", () => {
    expect(parseStreamEvent(null)).toEqual({ ok: false, detail: "the event has no type" });
  });

  it("a known delta type without its member is malformed, not an unknown delta", () => {
    for (const type of ["text_delta", "input_json_delta", "thinking_delta", "signature_delta"]) {
      expect(parseStreamEvent({ type: "content_block_delta", index: 0, delta: { type } }), type).toMatchObject({ ok: false });
    }
    expect(parseStreamEvent({ type: "content_block_delta", index: 0, delta: { type: "citations_delta" } })).toMatchObject({ ok: true });
  });
});
