import { describe, expect, it } from "vitest";
import type { Translation } from "../../../../worker/protocols/translation.ts";
import { chatNotSent, chatToMessages, type ChatBody } from "../../../../worker/protocols/anthropic/translate.ts";

/**
 * chatToMessages refuses what OpenAI does not document, or what it documents but
 * Anthropic cannot take, naming the path, as gemini/contents.ts and tools.ts do:
 * nothing a client sent is dropped in silence.
 */
const o = { model: "claude-sonnet-4-5", defaultMaxTokens: 1024 };
const user = (content: unknown, extra: Record<string, unknown> = {}) => ({ role: "user", content, ...extra });
const toMessages = (extra: Record<string, unknown> = {}, messages: unknown[] = [user("hi")]) => chatToMessages({ model: "auto", messages, ...extra } as ChatBody, o);
function refused(t: Translation<unknown>, param: string, detail?: string): void {
  expect(t).toMatchObject({ ok: false, param });
  if (!t.ok) expect(t.detail).toContain(`'${param}'`);
  if (!t.ok && detail) expect(t.detail).toContain(detail);
}
const image = (image_url: Record<string, unknown>, extra: Record<string, unknown> = {}) => user([{ type: "image_url", image_url, ...extra }]);
const fn = (name: string, extra: Record<string, unknown> = {}) => ({ type: "function", function: { name, ...extra } });

describe("chatToMessages: unknown members are refused, naming the path", () => {
  it("on a text part, an image_url part and inside image_url", () => {
    refused(toMessages({}, [user([{ type: "text", text: "hi", zzz: 1 }])]), "messages.0.content.0.zzz");
    refused(toMessages({}, [image({ url: "https://example.com/a.png" }, { zzz: 1 })]), "messages.0.content.0.zzz");
    refused(toMessages({}, [image({ url: "https://example.com/a.png", qq: 2 })]), "messages.0.content.0.image_url.qq");
    refused(toMessages({}, [user([{ type: "file", file: { file_data: "data:application/pdf;base64,JVBERi0=", zz: 1 } }])]), "messages.0.content.0.file.zz");
  });

  it("on user, system, developer and tool messages (an assistant's already was); name keeps its own refusal", () => {
    refused(toMessages({}, [user("hi", { extra_member: 1 })]), "messages.0.extra_member");
    refused(toMessages({}, [{ role: "system", content: "s", extra_member: 1 }, user("hi")]), "messages.0.extra_member");
    refused(toMessages({}, [{ role: "developer", content: "s", extra_member: 1 }, user("hi")]), "messages.0.extra_member");
    const call = { id: "c1", type: "function", function: { name: "f", arguments: "{}" } };
    refused(toMessages({}, [user("x"), { role: "assistant", content: null, tool_calls: [call] }, { role: "tool", tool_call_id: "c1", content: "r", zzz: 1 }]), "messages.2.zzz");
    refused(toMessages({}, [user("x"), { role: "assistant", content: "y", zzz: 1 }]), "messages.1.zzz");
    refused(toMessages({}, [user("hi", { name: "ann", zzz: 1 })]), "messages.0.name", "participant names");
    expect(toMessages({}, [user("hi", { name: null })]).ok).toBe(true);
  });

  it("on the text parts of system and tool messages, and on assistant parts", () => {
    refused(toMessages({}, [{ role: "system", content: [{ type: "text", text: "s", zzz: 1 }] }, user("hi")]), "messages.0.content.0.zzz");
    refused(toMessages({}, [{ role: "system", content: [{ type: "text", text: "s", prompt_cache_breakpoint: { mode: "explicit" } }] }, user("hi")]), "messages.0.content.0.prompt_cache_breakpoint");
    refused(toMessages({}, [user("x"), { role: "assistant", content: [{ type: "text", text: "y", zzz: 1 }] }]), "messages.1.content.0.zzz");
  });

  it("on a tool and on its function", () => {
    refused(toMessages({ tools: [{ ...fn("f"), zzz: 1 }] }), "tools.0.zzz");
    refused(toMessages({ tools: [fn("f", { zzz: 1 })] }), "tools.0.function.zzz");
    expect(toMessages({ tools: [fn("f", { description: "d", parameters: { type: "object" }, strict: null })] }).ok).toBe(true);
  });
});

describe("chatToMessages: empty messages are refused, not dropped", () => {
  it("an assistant message with nothing to carry is refused at messages.N.content (the user turns around it are not merged)", () => {
    for (const empty of [{ role: "assistant" }, { role: "assistant", content: null }, { role: "assistant", content: "" }, { role: "assistant", content: "", refusal: "", tool_calls: [] }])
      refused(toMessages({}, [user("a"), empty, user("b")]), "messages.1.content", "empty");
    refused(toMessages({}, [user("a"), { role: "assistant", content: [{ type: "text", text: "" }] }]), "messages.1.content");
    expect(toMessages({}, [user("a"), { role: "assistant", content: "", refusal: "no" }, user("b")]).ok).toBe(true);
  });

  it("content [] is refused on any message", () => {
    refused(toMessages({}, [user([])]), "messages.0.content", "must not be empty");
    refused(toMessages({}, [{ role: "system", content: [] }, user("hi")]), "messages.0.content");
    refused(toMessages({}, [user("a"), { role: "assistant", content: [] }]), "messages.1.content");
    const call = { id: "c1", type: "function", function: { name: "f", arguments: "{}" } };
    refused(toMessages({}, [user("a"), { role: "assistant", content: null, tool_calls: [call] }, { role: "tool", tool_call_id: "c1", content: [] }]), "messages.2.content");
  });
});

describe("chatToMessages: unknown members of tool calls, tool_choice and response_format are refused", () => {
  const call = (extra: Record<string, unknown> = {}, fnExtra: Record<string, unknown> = {}) => ({ id: "c1", type: "function", function: { name: "f", arguments: "{}", ...fnExtra }, ...extra });
  const calling = (c: unknown) => toMessages({}, [user("a"), { role: "assistant", content: null, tool_calls: [c] }, { role: "tool", tool_call_id: "c1", content: "r" }]);

  it("on a tool call and its function; the SDK helpers' index and parsed_arguments echoes pass", () => {
    refused(calling(call({ bogus: 1 })), "messages.1.tool_calls.0.bogus");
    refused(calling(call({}, { bogus: 1 })), "messages.1.tool_calls.0.function.bogus");
    refused(calling(call({ index: "x" })), "messages.1.tool_calls.0.index");
    expect(calling(call({ index: 0 }, { parsed_arguments: {} })).ok).toBe(true);
  });

  it("on tool_choice and its function", () => {
    const named = (extra: Record<string, unknown> = {}, fnExtra: Record<string, unknown> = {}) => ({ tools: [fn("f")], tool_choice: { type: "function", function: { name: "f", ...fnExtra }, ...extra } });
    refused(toMessages(named({ bogus: 1 })), "tool_choice.bogus");
    refused(toMessages(named({}, { bogus: 1 })), "tool_choice.function.bogus");
    expect(toMessages(named()).ok).toBe(true);
  });

  it("on response_format and its json_schema; a description is named as not sent", () => {
    const schema = (extra: Record<string, unknown> = {}) => ({ type: "json_schema", json_schema: { name: "n", schema: { type: "object" }, strict: true, ...extra } });
    refused(toMessages({ response_format: schema({ bogus: 1 }) }), "response_format.json_schema.bogus");
    refused(toMessages({ response_format: { ...schema(), bogus: 1 } }), "response_format.bogus");
    refused(toMessages({ response_format: { type: "text", bogus: 1 } }), "response_format.bogus");
    expect(toMessages({ response_format: schema({ description: "d" }) }).ok).toBe(true);
    expect(chatNotSent({ messages: [], response_format: schema({ description: "d" }) })).toEqual(["response_format.json_schema.description"]);
    expect(chatNotSent({ messages: [], response_format: schema() })).toEqual([]);
  });
});

describe("chatToMessages: images", () => {
  it("detail must be auto, low, high or original: low and original have no Anthropic equivalent, other values are refused", () => {
    refused(toMessages({}, [image({ url: "https://example.com/a.png", detail: "weird" })]), "messages.0.content.0.image_url.detail", "auto, low, high");
    refused(toMessages({}, [image({ url: "https://example.com/a.png", detail: "original" })]), "messages.0.content.0.image_url.detail");
    expect(toMessages({}, [image({ url: "https://example.com/a.png", detail: "auto" })]).ok).toBe(true);
  });

  it("base64 data that is not base64 is refused, as are URLs that are not http(s)", () => {
    refused(toMessages({}, [image({ url: "data:image/png;base64,!!!notbase64$$$" })]), "messages.0.content.0.image_url.url", "base64");
    refused(toMessages({}, [image({ url: "javascript:alert(1)" })]), "messages.0.content.0.image_url.url");
    refused(toMessages({}, [image({ url: "not a url" })]), "messages.0.content.0.image_url.url");
    refused(toMessages({}, [image({ url: "https://exa mple.com/a.png" })]), "messages.0.content.0.image_url.url");
    refused(toMessages({}, [user([{ type: "file", file: { file_data: "data:application/pdf;base64,%%%" } }])]), "messages.0.content.0.file.file_data", "base64");
    expect(toMessages({}, [image({ url: "data:image/png;base64,iVBORw0KGgo" })]).ok).toBe(true);
  });
});

describe("chatToMessages: request fields", () => {
  it("max_tokens beyond Number.MAX_SAFE_INTEGER is refused (the Messages door's own cap)", () => {
    refused(toMessages({ max_tokens: 1e300 }), "max_tokens", "positive integer");
    refused(toMessages({ max_completion_tokens: Number.MAX_SAFE_INTEGER + 1 }), "max_completion_tokens");
    refused(toMessages({ max_tokens: "64" }), "max_tokens");
    expect(toMessages({ max_tokens: Number.MAX_SAFE_INTEGER }).ok).toBe(true);
  });

  it("tool_choice other than none needs tools to choose from; a named tool must be declared; none without tools asks for nothing", () => {
    refused(toMessages({ tool_choice: "required" }), "tool_choice", "needs tools to choose from");
    refused(toMessages({ tool_choice: "auto", tools: [] }), "tool_choice", "needs tools to choose from");
    refused(toMessages({ tool_choice: { type: "function", function: { name: "f" } } }), "tool_choice", "needs tools to choose from");
    refused(toMessages({ tool_choice: { type: "function", function: { name: "g" } }, tools: [fn("f")] }), "tool_choice.function.name");
    const none = toMessages({ tool_choice: "none" });
    expect(none.ok && none.value).not.toHaveProperty("tool_choice");
  });

  it("parallel_tool_calls: a boolean; false that is not carried (no tools, or tool_choice none) is named as not sent", () => {
    refused(toMessages({ parallel_tool_calls: "no" }), "parallel_tool_calls", "boolean");
    expect(chatNotSent({ messages: [], parallel_tool_calls: false })).toEqual(["parallel_tool_calls"]);
    expect(chatNotSent({ messages: [], parallel_tool_calls: false, tools: [fn("f")], tool_choice: "none" })).toEqual(["parallel_tool_calls"]);
    expect(chatNotSent({ messages: [], parallel_tool_calls: false, tools: [fn("f")] })).toEqual([]);
    expect(chatNotSent({ messages: [], parallel_tool_calls: true, prompt_cache_key: "k" })).toEqual(["prompt_cache_key"]);
  });

  it("stop that is neither a string nor an array of strings gets a type message, not a whitespace one", () => {
    refused(toMessages({ stop: 5 }), "stop", "a string or an array of strings");
    refused(toMessages({ stop: ["a", 5] }), "stop", "a string or an array of strings");
    refused(toMessages({ stop: [" "] }), "stop", "whitespace");
  });
});

describe("around the translation", () => {
  it("the chat door's schema: a user, system, developer or tool message needs content (an assistant's may be null)", async () => {
    const { ChatCompletionRequest } = await import("../../../../worker/protocols/openai/schemas.ts");
    const issue = (messages: unknown[]) => ChatCompletionRequest.safeParse({ messages }).error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    expect(issue([{ role: "user" }])).toEqual(["messages.0.content: a user message needs content"]);
    expect(issue([{ role: "tool", tool_call_id: "c", content: null }])).toEqual(["messages.0.content: a tool message needs content"]);
    expect(issue([{ role: "user", content: "hi" }, { role: "assistant", content: null, tool_calls: [] }])).toBeUndefined();
  });

  it("an x-api-key sent twice with one key is that key; different keys stay as sent", async () => {
    const { oneKey } = await import("../../../../worker/http/auth.ts");
    expect(oneKey("dev-key, dev-key")).toBe("dev-key");
    expect(oneKey(" dev-key ")).toBe("dev-key");
    expect(oneKey("a, b")).toBe("a, b");
    expect(oneKey("  ")).toBeUndefined();
  });
});
