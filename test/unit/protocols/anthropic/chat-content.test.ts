import { describe, expect, it } from "vitest";
import { chatConversation } from "../../../../worker/protocols/anthropic/chat-content.ts";

/** The edges of the OpenAI → Anthropic conversation rules: malformed parts, the URL patterns' anchors, members of the wrong type. */
const user = (content: unknown) => ({ role: "user", content });
function conv(messages: unknown[]) {
  const t = chatConversation(messages);
  if (!t.ok) throw new Error(`refused ${t.param}: ${t.detail}`);
  return t.value;
}
function refused(messages: unknown[]): { param: string; detail: string } {
  const t = chatConversation(messages);
  if (t.ok) throw new Error(`not refused: ${JSON.stringify(t.value)}`);
  return { param: t.param, detail: t.detail };
}
const PDF = "data:application/pdf;base64,JVBERi0=";

describe("chatConversation: messages", () => {
  it("a null name is no name", () => {
    expect(conv([{ ...user("x"), name: null }]).messages).toEqual([{ role: "user", content: "x" }]);
  });

  it("system text: a string or text parts with string text; anything else is refused", () => {
    expect(refused([{ role: "system", content: 5 }, user("x")])).toEqual({ param: "messages.0.content", detail: "'messages.0.content' must be a string or an array of text parts" });
    for (const part of [null, { type: "image_url", text: "x" }, { type: "text", text: 5 }]) expect(refused([{ role: "developer", content: [part] }, user("x")]).param, JSON.stringify(part)).toBe("messages.0.content.0");
  });

  it("an assistant member set to undefined is absent", () => {
    expect(conv([user("a"), { role: "assistant", content: "b", audio: undefined }]).messages[1]).toEqual({ role: "assistant", content: "b" });
  });
});

describe("chatConversation: user parts", () => {
  it("a part that is not an object, or text that is not a string, is refused", () => {
    expect(refused([user([null])])).toEqual({ param: "messages.0.content.0", detail: "'messages.0.content.0' is not a content part" });
    expect(refused([user([{ type: "text", text: 5 }])]).param).toBe("messages.0.content.0");
  });

  it("a part is read by its type: members of another type do not make it one", () => {
    const part = { type: "input_audio", input_audio: { data: "AA", format: "wav" }, text: "transcript", image_url: { url: "https://x/a.png" }, file: { file_data: PDF } };
    expect(refused([user([part])]).detail).toContain('a "input_audio" part has no Anthropic equivalent');
  });

  it("prompt_cache_breakpoint: a 30m ttl is cached for an hour", () => {
    expect(conv([user([{ type: "text", text: "x", prompt_cache_breakpoint: { ttl: "30m" } }])]).messages[0]!.content).toEqual([{ type: "text", text: "x", cache_control: { type: "ephemeral", ttl: "1h" } }]);
  });

  it("image URLs: a data: URL only at the start; http and https; a url that is not a string is refused", () => {
    const image = (url: unknown) => [user([{ type: "image_url", image_url: { url } }])];
    expect(refused(image("see data:image/png;base64,AAAA")).param).toBe("messages.0.content.0.image_url.url");
    expect(conv(image("http://example.com/a.png")).messages[0]!.content).toEqual([{ type: "image", source: { type: "url", url: "http://example.com/a.png" } }]);
    expect(refused(image("ftp://example.com/https://x/a.png")).param).toBe("messages.0.content.0.image_url.url");
    expect(refused(image(["https://x/a.png"])).param).toBe("messages.0.content.0.image_url.url");
  });

  it("files: a PDF data: URL only at the start and as a string; a filename that is not a string is no title", () => {
    const file = (f: Record<string, unknown>) => [user([{ type: "file", file: f }])];
    expect(refused(file({ file_data: `x ${PDF}` })).param).toBe("messages.0.content.0.file");
    expect(refused(file({ file_data: [PDF] })).param).toBe("messages.0.content.0.file");
    expect(conv(file({ file_data: PDF, filename: 7 })).messages[0]!.content).toEqual([{ type: "document", source: { type: "base64", media_type: "application/pdf", data: "JVBERi0=" } }]);
  });
});

describe("chatConversation: assistant messages", () => {
  const assistant = (extra: Record<string, unknown>) => [user("q"), { role: "assistant", ...extra }];

  it("text and refusal parts are text blocks; other parts, or parts without string text, are refused", () => {
    expect(conv(assistant({ content: [{ type: "text", text: "a" }, { type: "refusal", refusal: "b" }] })).messages[1]).toEqual({
      role: "assistant",
      content: [
        { type: "text", text: "a" },
        { type: "text", text: "b" },
      ],
    });
    expect(refused(assistant({ content: [{ type: "image_url", image_url: { url: "https://x/y.png" } }] })).param).toBe("messages.1.content.0.image_url"); // a member a text part has no place for
    for (const part of [null, { type: "text", text: 5 }, { type: "refusal", refusal: 5 }]) {
      expect(refused(assistant({ content: [part] })), JSON.stringify(part)).toEqual({ param: "messages.1.content.0", detail: "'messages.1.content.0': an assistant message takes only text and refusal parts" });
    }
  });

  it("a refusal part is its refusal; a text member beside it is an unknown member, refused", () => {
    expect(conv(assistant({ content: [{ type: "refusal", refusal: "r" }] })).messages[1]).toEqual({ role: "assistant", content: "r" });
    expect(refused(assistant({ content: [{ type: "refusal", refusal: "r", text: "t" }] })).param).toBe("messages.1.content.0.text");
  });

  it("tool calls: function calls with an id and a name only", () => {
    const call = (extra: Record<string, unknown> = {}, fn: Record<string, unknown> = { name: "f", arguments: "{}" }) => ({ id: "c1", type: "function", function: fn, ...extra });
    expect(refused(assistant({ tool_calls: [null] })).param).toBe("messages.1.tool_calls.0");
    expect(refused(assistant({ tool_calls: [call({ type: "custom" })] })).param).toBe("messages.1.tool_calls.0");
    expect(refused(assistant({ tool_calls: [call({ id: undefined })] }))).toEqual({ param: "messages.1.tool_calls.0", detail: "'messages.1.tool_calls.0' needs an id and a function name" });
    expect(refused(assistant({ tool_calls: [call({}, { arguments: "{}" })] })).param).toBe("messages.1.tool_calls.0");
  });
});

describe("chatConversation: tool messages", () => {
  const round = (tool: Record<string, unknown>) => [user("q"), { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{}" } }] }, { role: "tool", ...tool }];

  it("an empty tool_call_id is refused", () => {
    expect(refused(round({ tool_call_id: "", content: "r" })).param).toBe("messages.2.tool_call_id");
  });

  it("text parts become text blocks of their type and text; an unknown member or another part is refused, naming it", () => {
    expect(conv(round({ tool_call_id: "c1", content: [{ type: "text", text: "r" }] })).messages[2]).toEqual({ role: "user", content: [{ type: "tool_result", tool_use_id: "c1", content: [{ type: "text", text: "r" }] }] });
    expect(refused(round({ tool_call_id: "c1", content: [{ type: "text", text: "r", note: 1 }] })).param).toBe("messages.2.content.0.note");
    expect(refused(round({ tool_call_id: "c1", content: [{ type: "image_url", image_url: { url: "https://x/a.png" } }] })).param).toBe("messages.2.content.0");
  });
});
