import { describe, expect, it } from "vitest";
import { chatContents } from "../../../../worker/protocols/gemini/contents.ts";

/** The edges of each message and part rule: malformed members, the anchors of the URL patterns, empty and non-string values. */
const user = (content: unknown) => ({ role: "user", content });
function contents(messages: unknown[]) {
  const t = chatContents(messages, undefined);
  if (!t.ok) throw new Error(`refused ${t.param}: ${t.detail}`);
  return t.value.contents;
}
/** The refusal's param and detail. */
function refused(messages: unknown[]): { param: string; detail: string } {
  const t = chatContents(messages, undefined);
  if (t.ok) throw new Error(`not refused: ${JSON.stringify(t.value)}`);
  return { param: t.param, detail: t.detail };
}
const image = (url: string) => [user([{ type: "image_url", image_url: { url } }])];
const call = (extra: Record<string, unknown> = {}, fn: Record<string, unknown> = { name: "f", arguments: "{}" }) => ({ id: "c1", type: "function", function: fn, ...extra });
const assistant = (...tool_calls: unknown[]) => ({ role: "assistant", content: null, tool_calls });

describe("chatContents: messages", () => {
  it("a message that is null or not an object is refused, naming it", () => {
    expect(refused([null]).param).toBe("messages.0");
    expect(refused([user("a"), "hi"]).param).toBe("messages.1");
  });

  it("a role that is not a string is refused, even one that reads as a known role", () => {
    expect(refused([{ role: ["user"], content: "hi" }]).param).toBe("messages.0.role");
  });

  it("only the function role is told to use tool messages", () => {
    expect(refused([{ role: "function", name: "f", content: "x" }])).toEqual({ param: "messages.0.role", detail: "Gemini cannot take a message with role 'function' (deprecated: use tool messages)" });
    expect(refused([{ role: "bot", content: "x" }])).toEqual({ param: "messages.0.role", detail: "Gemini cannot take a message with role 'bot'" });
  });

  it("a refused member's detail says why: a participant name, a deprecated function_call, or no equivalent", () => {
    expect(refused([{ ...user("x"), name: "ann" }]).detail).toBe("Gemini contents carry no participant name, so 'messages.0.name' cannot be honoured");
    expect(refused([{ role: "assistant", content: "x", function_call: { name: "f", arguments: "{}" } }]).detail).toBe("'messages.0.function_call' is deprecated and not translated; use tool_calls");
    expect(refused([{ ...user("x"), audio: { id: "a" } }]).detail).toBe("Gemini has no equivalent of 'messages.0.audio'");
  });

  it("a message with no parts adds no content, so the turns around it still merge", () => {
    expect(contents([user("a"), { role: "assistant", content: "" }, user("b")])).toEqual([{ role: "user", parts: [{ text: "a" }, { text: "b" }] }]);
  });

  it("an assistant's content that is neither a string nor parts is refused", () => {
    expect(refused([user("a"), { role: "assistant", content: 5 }]).param).toBe("messages.1.content");
  });

  it("an assistant's refusal is a text part only when it is non-empty text", () => {
    expect(contents([user("a"), { role: "assistant", content: "b", refusal: "" }])).toEqual([
      { role: "user", parts: [{ text: "a" }] },
      { role: "model", parts: [{ text: "b" }] },
    ]);
    expect(contents([user("a"), { role: "assistant", content: "b", refusal: 1 }])[1]).toEqual({ role: "model", parts: [{ text: "b" }] });
  });
});

describe("chatContents: parts", () => {
  it("a part type that is not a string is refused", () => {
    expect(refused([user([{ type: ["text"], text: "x" }])]).param).toBe("messages.0.content.0");
  });

  it("input_audio data must be a string", () => {
    expect(refused([user([{ type: "input_audio", input_audio: { data: 5, format: "wav" } }])]).param).toBe("messages.0.content.0.input_audio");
  });

  it("file_data must be a string data: URL", () => {
    expect(refused([user([{ type: "file", file: { file_data: ["data:application/pdf;base64,JVBE"] } }])]).param).toBe("messages.0.content.0.file.file_data");
    expect(refused([user([{ type: "file", file: { file_data: "x data:application/pdf;base64,JVBE" } }])]).param).toBe("messages.0.content.0.file.file_data");
  });

  it("a data: URL with parameters before ;base64 is read for its MIME type", () => {
    expect(contents(image("data:image/PNG;name=a.png;charset=x;base64,AAAA"))[0]!.parts).toEqual([{ inlineData: { mimeType: "image/png", data: "AAAA" } }]);
  });

  it("a data: URL must start the url, and one that is not base64 is refused as such", () => {
    const inside = refused(image("see data:image/png;base64,AAAA"));
    expect(inside.param).toBe("messages.0.content.0.image_url.url");
    expect(inside.detail).toContain("must be an https: or data: URL");
    expect(refused(image("data:image/png,AAAA")).detail).toBe("'messages.0.content.0.image_url.url' is a data: URL that is not base64");
  });

  it("an http: URL is taken; a URL must start with http(s)://", () => {
    expect(contents(image("http://example.com/a.png"))[0]!.parts).toEqual([{ fileData: { fileUri: "http://example.com/a.png", mimeType: "image/png" } }]);
    expect(refused(image("ftp://example.com/https://x/a.png")).detail).toContain("must be an https: or data: URL");
  });

  it("the extension is the end of the path, not a dot in the middle", () => {
    expect(refused(image("https://example.com/a.png/download")).detail).toContain("does not end in .png");
  });
});

describe("chatContents: tool calls and results", () => {
  it("a tool call that is not a function call with a string name is refused", () => {
    expect(refused([user("a"), assistant(call({ type: "custom" }))]).param).toBe("messages.1.tool_calls.0");
    expect(refused([user("a"), assistant(null)]).param).toBe("messages.1.tool_calls.0");
    expect(refused([user("a"), assistant(call({}, { name: 5, arguments: "{}" }))]).param).toBe("messages.1.tool_calls.0");
  });

  it("arguments: absent is {}, a JSON string is parsed, anything else is refused", () => {
    expect(contents([user("a"), assistant(call({}, { name: "f" }))])[1]!.parts).toEqual([{ functionCall: { name: "f", args: {}, id: "c1" } }]);
    expect(refused([user("a"), assistant(call({}, { name: "f", arguments: ['{"a":1}'] }))]).param).toBe("messages.1.tool_calls.0.function.arguments");
  });

  it("an id that is not a non-empty string is not sent, and no tool result can answer it", () => {
    expect(contents([user("a"), assistant(call({ id: 5 }))])[1]!.parts).toEqual([{ functionCall: { name: "f", args: {} } }]);
    expect(refused([user("a"), assistant(call({ id: "" })), { role: "tool", tool_call_id: "", content: "r" }]).param).toBe("messages.2.tool_call_id");
  });

  it("a thought signature that is not a string is not sent", () => {
    expect(contents([user("a"), assistant(call({ extra_content: { google: { thought_signature: 7 } } }))])[1]!.parts).toEqual([{ functionCall: { name: "f", args: {}, id: "c1" } }]);
  });
});
