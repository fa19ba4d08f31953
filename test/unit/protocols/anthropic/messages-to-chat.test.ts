import { describe, expect, it } from "vitest";
import type { Translation } from "../../../../worker/protocols/translation.ts";
import { messagesToChat } from "../../../../worker/protocols/anthropic/messages-to-chat.ts";
import { MessagesRequest } from "../../../../worker/protocols/anthropic/wire.ts";
import { refused } from "../../../support/translation-asserts.ts";

/** The edges of the Anthropic front door's translation: null members, bounds, each block rule's conditions. */
const req = (extra: Record<string, unknown> = {}, messages: unknown[] = [{ role: "user", content: "hi" }]) => MessagesRequest.parse({ model: "auto", max_tokens: 256, messages, ...extra });
const toChat = (extra?: Record<string, unknown>, messages?: unknown[]) => messagesToChat(req(extra, messages));
function chatOf(extra?: Record<string, unknown>, messages?: unknown[]) {
  const t = toChat(extra, messages);
  if (!t.ok) throw new Error(`refused ${t.param}: ${t.detail}`);
  return t.value;
}
const plain = { model: "auto", messages: [{ role: "user", content: "hi" }], max_completion_tokens: 256 };
const user = (...content: unknown[]) => [{ role: "user", content }];
/** A user turn answering the tool call `t1` of the turn before it (a tool_result needs its tool_use). */
const afterCall = (...content: unknown[]) => [
  { role: "user", content: "go" },
  { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "f", input: {} }] },
  { role: "user", content },
];
const schema = { type: "object" };

describe("messagesToChat: request fields", () => {
  it("a null or undefined field asks for nothing, even one that would be refused", () => {
    expect(chatOf({ container: null, inference_geo: undefined, diagnostics: null })).toEqual(plain);
  });

  it("stop_sequences: 4 is OpenAI's limit and accepted", () => {
    expect(chatOf({ stop_sequences: ["a", "b", "c", "d"] }).stop).toEqual(["a", "b", "c", "d"]);
  });

  it("stream: false sends no stream", () => {
    expect(chatOf({ stream: false })).toEqual(plain);
  });

  it("metadata: a null user_id or null members ask for nothing", () => {
    expect(chatOf({ metadata: { user_id: null, team: null } })).toEqual(plain);
    expect(messagesToChat({ ...req(), metadata: { team: undefined } } as unknown as MessagesRequest)).toEqual({ ok: true, value: plain });
  });

  it("disable_parallel_tool_use: only when true (with tools: a choice other than none needs them)", () => {
    const tools = [{ name: "f", input_schema: schema }];
    expect(chatOf({ tools, tool_choice: { type: "auto" } })).not.toHaveProperty("parallel_tool_calls");
    expect(chatOf({ tools, tool_choice: { type: "auto", disable_parallel_tool_use: false } })).not.toHaveProperty("parallel_tool_calls");
    expect(chatOf({ tools, tool_choice: { type: "auto", disable_parallel_tool_use: true } })).toMatchObject({ tool_choice: "auto", parallel_tool_calls: false });
    refused(toChat({ tool_choice: { type: "auto", disable_parallel_tool_use: true } }), "tool_choice");
  });

  it("service_tier other than auto and standard_only is refused", () => {
    expect(refused(toChat({ service_tier: "priority" }), "service_tier")).toContain('"priority"');
  });

  it("output_config: null members are nothing; effort alone sends no response_format, format alone no reasoning_effort", () => {
    expect(chatOf({ output_config: { effort: "low", format: null, task_budget: null } })).toEqual({ ...plain, reasoning_effort: "low" });
    const f = chatOf({ output_config: { format: { type: "json_schema", schema } } });
    expect(f).not.toHaveProperty("reasoning_effort");
    expect(f.response_format).toEqual({ type: "json_schema", json_schema: { name: "output", schema, strict: true } });
  });
});

describe("messagesToChat: tools", () => {
  it("a client tool may say type custom; null unknown members are nothing", () => {
    expect(chatOf({ tools: [{ type: "custom", name: "f", input_schema: schema, defer_loading: null }] }).tools).toEqual([{ type: "function", function: { name: "f", parameters: schema } }]);
  });

  it("a client tool without input_schema is refused", () => {
    expect(refused(toChat({ tools: [{ name: "f" }] }), "tools.0.input_schema")).toContain("required");
  });

  it("a description that is not a string and a strict that is not a boolean are not sent", () => {
    const t = messagesToChat({ ...req(), tools: [{ name: "f", input_schema: schema, description: 7, strict: "yes" }] } as unknown as MessagesRequest);
    expect(t).toEqual({ ok: true, value: { ...plain, tools: [{ type: "function", function: { name: "f", parameters: schema } }] } });
  });

  it("an empty tools list sends no tools", () => {
    expect(chatOf({ tools: [] })).toEqual(plain);
  });
});

describe("messagesToChat: turns", () => {
  it("a system turn of text blocks → a system message of text parts; a non-text block is refused", () => {
    expect(chatOf({}, [{ role: "user", content: "a" }, { role: "system", content: [{ type: "text", text: "S1" }, { type: "text", text: "S2" }] }]).messages[1]).toEqual({
      role: "system",
      content: [
        { type: "text", text: "S1" },
        { type: "text", text: "S2" },
      ],
    });
    expect(refused(toChat({}, [{ role: "system", content: [{ type: "text", text: "S" }, { type: "image", source: { type: "url", url: "https://x/a.png" } }] }]), "messages.0.content.1")).toContain("only text");
  });

  it("an assistant turn as a string → an assistant message; of text blocks only → their text joined", () => {
    expect(chatOf({}, [{ role: "user", content: "a" }, { role: "assistant", content: "b" }]).messages[1]).toEqual({ role: "assistant", content: "b" });
    expect(chatOf({}, [{ role: "user", content: "a" }, { role: "assistant", content: [{ type: "text", text: "b" }, { type: "thinking", thinking: "t", signature: "s" }, { type: "text", text: "c" }] }]).messages[1]).toEqual({
      role: "assistant",
      content: "bc",
    });
  });

  it("a tool_result between user blocks splits them: the text before, the tool message, the text after", () => {
    const c = chatOf({}, afterCall({ type: "text", text: "before" }, { type: "tool_result", tool_use_id: "t1", content: "r" }, { type: "text", text: "after" }));
    expect(c.messages.slice(2)).toEqual([
      { role: "user", content: [{ type: "text", text: "before" }] },
      { role: "tool", tool_call_id: "t1", content: "r" },
      { role: "user", content: [{ type: "text", text: "after" }] },
    ]);
  });

  it("tool_result: an error's text blocks are joined by newlines; no content is an empty text", () => {
    expect(chatOf({}, afterCall({ type: "tool_result", tool_use_id: "t1", is_error: true, content: [{ type: "text", text: "a" }, { type: "text", text: "b" }] })).messages[2]).toEqual({
      role: "tool",
      tool_call_id: "t1",
      content: "Error: a\nb",
    });
    expect(chatOf({}, afterCall({ type: "tool_result", tool_use_id: "t1" })).messages[2]).toEqual({ role: "tool", tool_call_id: "t1", content: "" });
  });
});

describe("messagesToChat: user blocks", () => {
  const pdf = { type: "base64", media_type: "application/pdf", data: "JVBERi0=" };

  it("only a base64 PDF document becomes a file", () => {
    expect(refused(toChat({}, user({ type: "document", source: { type: "url", url: "https://x/a.pdf" } })), "messages.0.content.0")).toContain("a document from a url source");
    expect(refused(toChat({}, user({ type: "document", source: { type: "url", url: "https://x/a.pdf", media_type: "application/pdf" } })), "messages.0.content.0.source.media_type")).toContain("no OpenAI equivalent"); // a url source has no media_type
    expect(refused(toChat({}, user({ type: "document", source: { type: "base64", media_type: "text/plain", data: "eA==" } })), "messages.0.content.0")).toContain("a document from a base64 source");
    expect(refused(toChat({}, user({ type: "attachment", source: pdf })), "messages.0.content.0")).toContain('a "attachment" block');
  });

  it("a document from a url source is not taken for an image", () => {
    expect(refused(toChat({}, user({ type: "document", source: { type: "url", url: "https://x/a.png" } })), "messages.0.content.0")).toContain("a document from a url source");
  });

  it("an image's refusal names its source", () => {
    expect(refused(toChat({}, user({ type: "image", source: { type: "file", file_id: "file_1" } })), "messages.0.content.0")).toContain("a image from a file source");
  });

  it("a PDF's context and citations are refused; a title that is not a string is no filename", () => {
    refused(toChat({}, user({ type: "document", source: pdf, context: "from the spec" })), "messages.0.content.0.context");
    refused(toChat({}, user({ type: "document", source: pdf, citations: { enabled: true } })), "messages.0.content.0.citations");
    expect(chatOf({}, user({ type: "document", source: pdf, title: 7, context: null })).messages[0]).toEqual({ role: "user", content: [{ type: "file", file: { file_data: "data:application/pdf;base64,JVBERi0=" } }] });
  });
});
