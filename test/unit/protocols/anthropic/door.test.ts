import { describe, expect, it } from "vitest";
import { messageEvents, messageText, messageUsage, textMessage } from "../../../../worker/protocols/anthropic/door-reply.ts";
import { estimateTokens, hasCacheControl, lastUserText, messagesRequirements, passThroughBody, versionHeaders } from "../../../../worker/protocols/anthropic/door-request.ts";
import { ChatSseToMessageSse, MessageStreamWatch } from "../../../../worker/protocols/anthropic/door-stream.ts";
import { anthropicErrorType, typeByStatus } from "../../../../worker/protocols/anthropic/error-types.ts";
import { anthropicErrorOf } from "../../../../worker/protocols/anthropic/errors.ts";

const user = (content: unknown) => ({ role: "user", content });
const body = (extra: Record<string, unknown> = {}, messages: unknown[] = [user("hi")]): Record<string, unknown> & { messages: unknown[] } => ({ model: "auto", max_tokens: 10, messages, ...extra });
const events = (text: string) =>
  text
    .split("\n\n")
    .filter(Boolean)
    .map((e) => {
      const [ev, data] = e.split("\n");
      const d = JSON.parse(data!.slice(6));
      expect(ev).toBe(`event: ${d.type}`);
      return d;
    });

describe("door-request", () => {
  it("lastUserText: the last user turn with text; tool-result-only turns are passed over", () => {
    const toolTurn = user([{ type: "tool_result", tool_use_id: "t", content: "1" }]);
    expect(lastUserText([user("convert 5 km"), { role: "assistant", content: "…" }, toolTurn])).toBe("convert 5 km");
    expect(lastUserText([user([{ type: "text", text: "a" }, { type: "image", source: {} }, { type: "text", text: "b" }])])).toBe("a\nb");
    expect(lastUserText([toolTurn])).toBe("");
    expect(lastUserText([{ role: "assistant", content: "x" }])).toBeUndefined();
  });

  it("messagesRequirements: each need names its Anthropic field", () => {
    const needs = messagesRequirements(
      body(
        { tools: [{ name: "f" }], tool_choice: { type: "auto" }, thinking: { type: "enabled" }, output_config: { format: { type: "json_schema", schema: {} }, effort: "low" }, stream: true, top_k: 3, container: "c" },
        [user([{ type: "text", text: "hi" }, { type: "image" }, { type: "document" }, { type: "tool_result" }, { type: "server_block" }]), { role: "assistant", content: [{ type: "thinking" }, { type: "tool_use" }] }],
      ),
      true,
    );
    expect(needs.filter((n) => n.capability !== "context")).toEqual([
      { capability: "vision", param: "messages.0.content.1" },
      { capability: "files", param: "messages.0.content.2" },
      { capability: "tools", param: "messages.0.content.3" },
      { capability: "passThrough", param: "messages.0.content.4" },
      { capability: "tools", param: "messages.1.content.1" },
      { capability: "tools", param: "tools" },
      { capability: "tools", param: "tool_choice" },
      { capability: "passThrough", param: "thinking" },
      { capability: "jsonSchema", param: "output_config.format" },
      { capability: "streaming", param: "stream" },
      { capability: "passThrough", param: "container" },
    ]);
    expect(messagesRequirements(body({ tools: [], tool_choice: { type: "none" }, thinking: { type: "disabled" }, temperature: 1, metadata: {} }), true).map((n) => n.capability)).toEqual(["context"]);
    expect(messagesRequirements(body(), false).at(-2)).toEqual({ capability: "passThrough", param: "messages" });
  });

  it("estimates tokens at 4 characters each, plus max_tokens for the context need", () => {
    const b = body({ system: "s".repeat(40), max_tokens: 100 }, [user("x".repeat(80))]);
    expect(estimateTokens(b)).toBe(Math.ceil((JSON.stringify(b.messages[0]).length + JSON.stringify(b.system).length) / 4));
    expect(messagesRequirements(b, true).at(-1)).toEqual({ capability: "context", param: "messages", tokens: estimateTokens(b) + 100 });
  });

  it("hasCacheControl finds it anywhere, set", () => {
    expect(hasCacheControl(body({}, [user([{ type: "text", text: "a", cache_control: { type: "ephemeral" } }])]))).toBe(true);
    expect(hasCacheControl(body({ tools: [{ name: "f", cache_control: { type: "ephemeral" } }] }))).toBe(true);
    expect(hasCacheControl(body({ cache_control: null }))).toBe(false);
    expect(hasCacheControl(body())).toBe(false);
  });

  it("passThroughBody: the client's body, model rewritten, the system prompt first, stream as called", () => {
    const b = { model: "auto", max_tokens: 9, stream: true, x: { y: 1 }, messages: [] };
    expect(passThroughBody({ model: "m" }, b, false)).toEqual({ model: "m", max_tokens: 9, x: { y: 1 }, messages: [] });
    expect(passThroughBody({ model: "m", systemPrompt: "P" }, { ...b, system: "S" }, true)).toEqual({ ...b, model: "m", system: "P\n\nS" });
    expect(passThroughBody({ model: "m", systemPrompt: "P" }, { ...b, system: [{ type: "text", text: "S", cache_control: { type: "ephemeral" } }] }, true).system).toEqual([
      { type: "text", text: "P" },
      { type: "text", text: "S", cache_control: { type: "ephemeral" } },
    ]);
    expect(passThroughBody({ model: "m", systemPrompt: "P" }, b, true).system).toBe("P");
    expect(b.stream).toBe(true); // the client's body is not changed
  });

  it("versionHeaders: a version date and beta names, else a refusal naming the header", () => {
    expect(versionHeaders("2023-06-01", " a-1, b.2 ")).toEqual({ ok: true, version: "2023-06-01", beta: "a-1, b.2" });
    expect(versionHeaders(undefined, undefined)).toEqual({ ok: true, version: undefined, beta: undefined });
    expect(versionHeaders("latest", undefined)).toMatchObject({ ok: false, param: "anthropic-version" });
    expect(versionHeaders(undefined, "a\r\nx-evil: 1")).toMatchObject({ ok: false, param: "anthropic-beta" });
  });
});

describe("door-reply", () => {
  it("textMessage: one text block, end_turn, the hop's tokens", () => {
    const m = textMessage({ id: "msg_1", model: "units" }, { text: "5 km = 3.1 mi", value: 3.1 }, { inputTokens: 4 });
    expect(m).toEqual({ id: "msg_1", type: "message", role: "assistant", model: "units", content: [{ type: "text", text: "5 km = 3.1 mi" }], stop_reason: "end_turn", stop_sequence: null, usage: { input_tokens: 4, output_tokens: 0 } });
    expect(messageText(textMessage({ id: "i", model: "m" }, { n: 1 }, {}))).toBe('{"n":1}');
  });

  it("messageEvents: the stream Anthropic would have sent for a whole message", () => {
    const msg = {
      id: "msg_1",
      type: "message",
      role: "assistant",
      model: "claude",
      content: [{ type: "thinking", thinking: "hmm", signature: "sig" }, { type: "text", text: "Hi" }, { type: "tool_use", id: "t1", name: "f", input: { a: 1 } }, { type: "redacted_thinking", data: "zz" }],
      stop_reason: "tool_use",
      stop_sequence: null,
      usage: { input_tokens: 3, output_tokens: 7 },
    };
    const evs = messageEvents(msg);
    expect(evs[0]).toEqual({ type: "message_start", message: { id: "msg_1", type: "message", role: "assistant", model: "claude", content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 3, output_tokens: 0 } } });
    expect(evs.slice(1, -2)).toEqual([
      { type: "content_block_start", index: 0, content_block: { type: "thinking", thinking: "", signature: "" } },
      { type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "hmm" } },
      { type: "content_block_delta", index: 0, delta: { type: "signature_delta", signature: "sig" } },
      { type: "content_block_stop", index: 0 },
      { type: "content_block_start", index: 1, content_block: { type: "text", text: "" } },
      { type: "content_block_delta", index: 1, delta: { type: "text_delta", text: "Hi" } },
      { type: "content_block_stop", index: 1 },
      { type: "content_block_start", index: 2, content_block: { type: "tool_use", id: "t1", name: "f", input: {} } },
      { type: "content_block_delta", index: 2, delta: { type: "input_json_delta", partial_json: '{"a":1}' } },
      { type: "content_block_stop", index: 2 },
      { type: "content_block_start", index: 3, content_block: { type: "redacted_thinking", data: "zz" } },
      { type: "content_block_stop", index: 3 },
    ]);
    expect(evs.slice(-2)).toEqual([{ type: "message_delta", delta: { stop_reason: "tool_use", stop_sequence: null }, usage: { output_tokens: 7 } }, { type: "message_stop" }]);
  });

  it("messageUsage: every input token counts, cache reads and writes apart, priced", () => {
    expect(messageUsage({ input_tokens: 10, cache_read_input_tokens: 90, cache_creation_input_tokens: null, output_tokens: 5 }, undefined)).toEqual({ inputTokens: 100, outputTokens: 5, cachedInputTokens: 90 });
    expect(messageUsage({ input_tokens: 1_000_000, output_tokens: 0 }, { inputPerMTok: 3, outputPerMTok: 15 }).costUsd).toBe(3);
    expect(messageUsage(undefined, undefined)).toEqual({ inputTokens: 0, outputTokens: 0 });
  });
});

describe("door-stream", () => {
  it("MessageStreamWatch: where content starts, usage, the stop and error events", () => {
    const w = new MessageStreamWatch();
    const message = { id: "m", type: "message", role: "assistant", content: [], model: "c", stop_reason: null, usage: { input_tokens: 5, output_tokens: 1 } };
    expect(w.push({ type: "message_start", message })).toEqual({ kind: "quiet" });
    expect(w.push({ type: "ping" })).toEqual({ kind: "quiet" });
    expect(w.push({ type: "something_new" })).toEqual({ kind: "quiet" });
    expect(w.push({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } })).toEqual({ kind: "content" });
    expect(w.push({ type: "content_block_delta", index: 0 })).toMatchObject({ kind: "invalid" });
    expect(w.push({ type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: 9, input_tokens: null } })).toEqual({ kind: "content" });
    expect(w.usage).toEqual({ input_tokens: 5, output_tokens: 9 });
    expect(w.stopped).toBe(false);
    expect(w.push({ type: "message_stop" })).toEqual({ kind: "stop" });
    expect(w.stopped).toBe(true);
    expect(w.push({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } })).toEqual({ kind: "error", error: { type: "overloaded_error", message: "Overloaded" } });
    expect(w.push("garbage")).toMatchObject({ kind: "invalid" });
  });

  const chunk = (delta: unknown, finish: string | null = null, extra: Record<string, unknown> = {}) => `data: ${JSON.stringify({ id: "c", choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`;

  it("ChatSseToMessageSse: a complete stream, split anywhere, ends with message_delta and message_stop", () => {
    const t = new ChatSseToMessageSse({ id: "msg_1", model: "m" });
    const whole = chunk({ role: "assistant", content: "" }) + chunk({ content: "Hel" }) + chunk({ content: "lo" }) + chunk({}, "stop") + `data: ${JSON.stringify({ id: "c", choices: [], usage: { prompt_tokens: 4, completion_tokens: 2 } })}\n\n` + "data: [DONE]\n\n";
    let out = "";
    for (let i = 0; i < whole.length; i += 7) out += t.push(whole.slice(i, i + 7));
    out += t.end();
    const evs = events(out);
    expect(evs.map((e) => e.type)).toEqual(["message_start", "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop", "message_delta", "message_stop"]);
    expect(evs[5]).toMatchObject({ delta: { stop_reason: "end_turn" }, usage: { input_tokens: 4, output_tokens: 2 } });
    expect(t.failure).toBeUndefined();
    expect(t.over).toBe(true);
  });

  it("ChatSseToMessageSse: an error event, garbage, an untranslatable chunk or an early end is one error event and nothing after", () => {
    const cases: [string, string, boolean][] = [
      [chunk({ content: "a" }) + `data: ${JSON.stringify({ error: { message: "boom", type: "server_error" } })}\n\n` + chunk({ content: "b" }), "api_error", false],
      [chunk({ content: "a" }) + `data: ${JSON.stringify({ error: { message: "slow down", type: "rate_limit_error" } })}\n\n`, "rate_limit_error", false],
      [chunk({ content: "a" }) + "data: {not json\n\n", "api_error", true],
      [chunk({ tool_calls: [{ index: 0, function: { arguments: "{}" } }] }), "api_error", true],
      [chunk({ content: "a" }) + "data: [DONE]\n\n", "api_error", true],
    ];
    for (const [input, type, ours] of cases) {
      const t = new ChatSseToMessageSse({ id: "msg_1", model: "m" });
      const evs = events(t.push(input) + t.end());
      expect(evs.at(-1), input).toMatchObject({ type: "error", error: { type } });
      expect(evs.filter((e) => e.type === "error")).toHaveLength(1);
      expect(evs.some((e) => e.type === "message_stop")).toBe(false);
      expect(t.failure !== undefined, input).toBe(ours);
    }
    const cut = new ChatSseToMessageSse({ id: "msg_1", model: "m" });
    cut.push(chunk({ content: "a" }));
    expect(events(cut.end())).toEqual([{ type: "error", error: { type: "api_error", message: "the stream ended before it was complete" } }]);
  });
});

describe("errors in Anthropic's shape", () => {
  it("types by status, and from other protocols' types", () => {
    expect([400, 401, 403, 404, 409, 413, 422, 429, 500, 502, 503, 504, 529].map(typeByStatus)).toEqual([
      "invalid_request_error",
      "authentication_error",
      "permission_error",
      "not_found_error",
      "invalid_request_error",
      "request_too_large",
      "invalid_request_error",
      "rate_limit_error",
      "api_error",
      "api_error",
      "api_error",
      "api_error",
      "overloaded_error",
    ]);
    expect(anthropicErrorType("overloaded_error")).toBe("overloaded_error");
    expect(anthropicErrorType("server_error")).toBe("api_error");
    expect(anthropicErrorType("weird", 404)).toBe("not_found_error");
  });

  it("anthropicErrorOf: same status and detail; no healthy specialist and an upstream 529 are overloaded_error", () => {
    expect(anthropicErrorOf({ type: "urn:switchyard:problem:model-not-found", status: 404, detail: "no m" })).toEqual({ status: 404, body: { type: "error", error: { type: "not_found_error", message: "no m" } } });
    expect(anthropicErrorOf({ type: "urn:switchyard:problem:no-healthy-specialist", status: 503, detail: "all open" })).toEqual({ status: 529, body: { type: "error", error: { type: "overloaded_error", message: "all open" } } });
    expect(anthropicErrorOf({ type: "urn:switchyard:problem:specialist-failed", status: 502, detail: "x", tried: [{ status: 500 }, { status: 529 }] }).status).toBe(529);
    expect(anthropicErrorOf({ type: "urn:switchyard:problem:specialist-failed", status: 502, detail: "x", tried: [{ status: 529 }, { status: 500 }] })).toMatchObject({ status: 502, body: { error: { type: "api_error" } } });
  });
});
