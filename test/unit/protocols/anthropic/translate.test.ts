import type { MessageCreateParamsBase, Message } from "@anthropic-ai/sdk/resources/messages";
import type { ChatCompletionCreateParamsBase } from "openai/resources/chat/completions";
import { readFileSync } from "node:fs";
import { describe, expect, expectTypeOf, it } from "vitest";
import type { Translation } from "../../../../worker/protocols/translation.ts";
import {
  CHAT_FIELD_RULES,
  chatToMessages,
  completionToMessage,
  MESSAGES_FIELD_RULES,
  messagesToChat,
  messageToCompletion,
  type ChatBody,
  type MessagesBody,
} from "../../../../worker/protocols/anthropic/translate.ts";
import { AnthropicMessage, MessagesRequest } from "../../../../worker/protocols/anthropic/wire.ts";

const o = { model: "claude-sonnet-4-5", defaultMaxTokens: 1024 };
const user = (content: unknown) => ({ role: "user", content });
const chat = (extra: Record<string, unknown> = {}, messages: unknown[] = [user("hi")]): ChatBody => ({ model: "auto", messages, ...extra });

function ok<T>(t: Translation<T>): T {
  if (!t.ok) throw new Error(`refused ${t.param}: ${t.detail}`);
  return t.value;
}
/** A refusal naming `param`, in `param` and in the detail. */
function refused(t: Translation<unknown>, param: string): void {
  expect(t).toMatchObject({ ok: false, param });
  if (!t.ok) expect(t.detail).toContain(`'${param}'`);
}
const toMessages = (extra: Record<string, unknown> = {}, messages?: unknown[], opts: Partial<Parameters<typeof chatToMessages>[1]> = {}) => chatToMessages(chat(extra, messages), { ...o, ...opts });
const body = (extra: Record<string, unknown> = {}, messages?: unknown[], opts?: Partial<Parameters<typeof chatToMessages>[1]>) => ok(toMessages(extra, messages, opts));

describe("chatToMessages: messages (OpenAI → Anthropic)", () => {
  it("a plain user message: the endpoint's model, the default max_tokens, typed as the SDK's params", () => {
    const b = body();
    expect(b).toEqual({ model: "claude-sonnet-4-5", max_tokens: 1024, messages: [{ role: "user", content: "hi" }] });
    expectTypeOf(b).toExtend<MessageCreateParamsBase>();
  });

  it("takes the adapter's plain input shape", () => {
    expect(ok(chatToMessages({ messages: [{ role: "user", content: "5 km in miles" }] }, o)).messages).toEqual([{ role: "user", content: "5 km in miles" }]);
  });

  it("system and developer messages → system, in order, after the endpoint's systemPrompt; text parts joined by newlines", () => {
    const b = body({}, [{ role: "system", content: "Be brief." }, user("hi"), { role: "developer", content: [{ type: "text", text: "Use" }, { type: "text", text: "metric." }] }], { system: "You are Switchyard." });
    expect(b.system).toBe("You are Switchyard.\n\nBe brief.\n\nUse\nmetric.");
    expect(b.messages).toEqual([{ role: "user", content: "hi" }]);
  });

  it("no system at all: no system field", () => {
    expect(body()).not.toHaveProperty("system");
  });

  it("a system message with a non-text part is refused", () => {
    refused(toMessages({}, [{ role: "system", content: [{ type: "image_url", image_url: { url: "https://x/a.png" } }] }, user("hi")]), "messages.0.content.0");
  });

  it("merges consecutive messages of one role (Anthropic wants alternation)", () => {
    const b = body({}, [user("a"), user([{ type: "text", text: "b" }]), { role: "assistant", content: "c" }, { role: "assistant", content: "d" }, user("e")]);
    expect(b.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "a" }, { type: "text", text: "b" }] },
      { role: "assistant", content: [{ type: "text", text: "c" }, { type: "text", text: "d" }] },
      { role: "user", content: "e" },
    ]);
  });

  it("image_url: a data: URL → a base64 source with its media type (image/jpg read as jpeg)", () => {
    const b = body({}, [user([{ type: "text", text: "what is this" }, { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } }, { type: "image_url", image_url: { url: "data:image/jpg;base64,/9j/4AAQ" } }])]);
    expect(b.messages[0]!.content).toEqual([
      { type: "text", text: "what is this" },
      { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
      { type: "image", source: { type: "base64", media_type: "image/jpeg", data: "/9j/4AAQ" } },
    ]);
  });

  it("image_url: an https URL → a url source; detail high or auto is accepted", () => {
    const b = body({}, [user([{ type: "image_url", image_url: { url: "https://example.com/cat.jpg", detail: "high" } }])]);
    expect(b.messages[0]!.content).toEqual([{ type: "image", source: { type: "url", url: "https://example.com/cat.jpg" } }]);
  });

  it("image_url refusals: an unsupported media type, a URL that is neither data: nor http(s), detail low", () => {
    refused(toMessages({}, [user([{ type: "image_url", image_url: { url: "data:image/bmp;base64,Qk0=" } }])]), "messages.0.content.0.image_url.url");
    refused(toMessages({}, [user([{ type: "image_url", image_url: { url: "ftp://example.com/a.png" } }])]), "messages.0.content.0.image_url.url");
    refused(toMessages({}, [user([{ type: "image_url", image_url: { url: "https://example.com/a.png", detail: "low" } }])]), "messages.0.content.0.image_url.detail");
  });

  it("a base64 PDF file part → a document block (filename → title); a file id is refused", () => {
    const b = body({}, [user([{ type: "file", file: { file_data: "data:application/pdf;base64,JVBERi0=", filename: "a.pdf" } }])]);
    expect(b.messages[0]!.content).toEqual([{ type: "document", source: { type: "base64", media_type: "application/pdf", data: "JVBERi0=" }, title: "a.pdf" }]);
    refused(toMessages({}, [user([{ type: "file", file: { file_id: "file-1" } }])]), "messages.0.content.0.file");
  });

  it("input_audio and unknown parts are refused", () => {
    refused(toMessages({}, [user([{ type: "input_audio", input_audio: { data: "AAA", format: "wav" } }])]), "messages.0.content.0");
    refused(toMessages({}, [user(42)]), "messages.0.content");
  });

  it("prompt_cache_breakpoint → cache_control ephemeral 1h; a 12h ttl is refused", () => {
    const b = body({}, [user([{ type: "text", text: "long context", prompt_cache_breakpoint: { mode: "explicit" } }])]);
    expect(b.messages[0]!.content).toEqual([{ type: "text", text: "long context", cache_control: { type: "ephemeral", ttl: "1h" } }]);
    refused(toMessages({}, [user([{ type: "text", text: "x", prompt_cache_breakpoint: { mode: "explicit", ttl: "12h" } }])]), "messages.0.content.0.prompt_cache_breakpoint");
  });

  const call = (id: string, name: string, args: string) => ({ id, type: "function", function: { name, arguments: args } });

  it("assistant tool_calls → tool_use blocks, ids kept, arguments parsed; tool messages → tool_result blocks in a user turn", () => {
    const b = body({}, [
      user("weather in Paris and Rome?"),
      { role: "assistant", content: "Checking.", tool_calls: [call("call_1", "weather", '{"city":"Paris"}'), call("call_2", "weather", '{"city":"Rome"}')] },
      { role: "tool", tool_call_id: "call_1", content: "18C" },
      { role: "tool", tool_call_id: "call_2", content: [{ type: "text", text: "21C" }] },
      user("thanks"),
    ]);
    expect(b.messages).toEqual([
      { role: "user", content: "weather in Paris and Rome?" },
      {
        role: "assistant",
        content: [
          { type: "text", text: "Checking." },
          { type: "tool_use", id: "call_1", name: "weather", input: { city: "Paris" } },
          { type: "tool_use", id: "call_2", name: "weather", input: { city: "Rome" } },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "call_1", content: "18C" },
          { type: "tool_result", tool_use_id: "call_2", content: [{ type: "text", text: "21C" }] },
          { type: "text", text: "thanks" },
        ],
      },
    ]);
  });

  it("in a merged user turn, tool results go first", () => {
    const b = body({}, [user("go"), { role: "assistant", content: null, tool_calls: [call("c1", "f", "{}")] }, user("also"), { role: "tool", tool_call_id: "c1", content: "done" }]);
    expect(b.messages[2]).toEqual({ role: "user", content: [{ type: "tool_result", tool_use_id: "c1", content: "done" }, { type: "text", text: "also" }] });
  });

  it("empty arguments are an empty input; arguments that are not a JSON object are refused", () => {
    expect(body({}, [user("x"), { role: "assistant", content: null, tool_calls: [call("c1", "now", "")] }]).messages[1]!.content).toEqual([{ type: "tool_use", id: "c1", name: "now", input: {} }]);
    refused(toMessages({}, [user("x"), { role: "assistant", content: null, tool_calls: [call("c1", "f", "{city:")] }]), "messages.1.tool_calls.0.function.arguments");
    refused(toMessages({}, [user("x"), { role: "assistant", content: null, tool_calls: [call("c1", "f", "[1,2]")] }]), "messages.1.tool_calls.0.function.arguments");
    refused(toMessages({}, [user("x"), { role: "assistant", tool_calls: [{ id: "c1", type: "custom", custom: { name: "g", input: "x" } }] }]), "messages.1.tool_calls.0");
  });

  it("a tool message without tool_call_id is refused", () => {
    refused(toMessages({}, [user("x"), { role: "tool", content: "r" }]), "messages.1.tool_call_id");
  });

  it("assistant refusal parts and the refusal member become text; reasoning_content, annotations and nulls are ignored", () => {
    const b = body({}, [user("x"), { role: "assistant", content: [{ type: "refusal", refusal: "I can't." }], refusal: "Sorry.", reasoning_content: "hm", annotations: [], audio: null, function_call: null }, user("y")]);
    expect(b.messages[1]).toEqual({ role: "assistant", content: [{ type: "text", text: "I can't." }, { type: "text", text: "Sorry." }] });
  });

  it("an empty assistant message is refused, not dropped (the user turns around it would merge); empty text beside a tool call is nothing", () => {
    refused(toMessages({}, [user("a"), { role: "assistant", content: "" }, user("b")]), "messages.1.content");
    const call = { id: "c1", type: "function", function: { name: "f", arguments: "{}" } };
    expect(body({}, [user("a"), { role: "assistant", content: "", tool_calls: [call] }, { role: "tool", tool_call_id: "c1", content: "r" }]).messages[1]).toEqual({ role: "assistant", content: [{ type: "tool_use", id: "c1", name: "f", input: {} }] });
  });

  it("refuses name, function messages, assistant audio and function_call, unknown roles, a conversation with only system", () => {
    refused(toMessages({}, [{ role: "user", content: "hi", name: "ann" }]), "messages.0.name");
    refused(toMessages({}, [user("x"), { role: "function", name: "f", content: "r" }]), "messages.1");
    refused(toMessages({}, [user("x"), { role: "assistant", content: "y", audio: { id: "a1" } }]), "messages.1.audio");
    refused(toMessages({}, [user("x"), { role: "assistant", content: null, function_call: { name: "f", arguments: "{}" } }]), "messages.1.function_call");
    refused(toMessages({}, [{ role: "critic", content: "x" }]), "messages.0.role");
    refused(toMessages({}, [{ role: "system", content: "x" }]), "messages");
    refused(toMessages({}, ["hi"]), "messages.0");
  });
});

describe("chatToMessages: request fields", () => {
  it("max_completion_tokens (preferred) or max_tokens → max_tokens; not a positive integer is refused", () => {
    expect(body({ max_tokens: 50 }).max_tokens).toBe(50);
    expect(body({ max_tokens: 50, max_completion_tokens: 70 }).max_tokens).toBe(70);
    refused(toMessages({ max_completion_tokens: 0 }), "max_completion_tokens");
    refused(toMessages({ max_tokens: 1.5 }), "max_tokens");
  });

  it("stop: a string or an array → stop_sequences; [] is nothing; whitespace is refused", () => {
    expect(body({ stop: "END" }).stop_sequences).toEqual(["END"]);
    expect(body({ stop: ["a", "b"] }).stop_sequences).toEqual(["a", "b"]);
    expect(body({ stop: [] })).not.toHaveProperty("stop_sequences");
    refused(toMessages({ stop: ["ok", "\n"] }), "stop");
  });

  it("temperature 0–1 and top_p as they are on 2023-06-01; temperature above 1 is refused, not rescaled", () => {
    expect(body({ temperature: 0.7, top_p: 0.9 })).toMatchObject({ temperature: 0.7, top_p: 0.9 });
    refused(toMessages({ temperature: 1.5 }), "temperature");
  });

  it("temperature and top_p are refused on API version 2026-10-21, which removed them", () => {
    refused(toMessages({ temperature: 0.5 }, undefined, { apiVersion: "2026-10-21" }), "temperature");
    refused(toMessages({ top_p: 0.5 }, undefined, { apiVersion: "2026-10-21" }), "top_p");
    expect(body({}, undefined, { apiVersion: "2026-10-21" })).not.toHaveProperty("temperature");
  });

  const fn = (name: string, extra: Record<string, unknown> = {}) => ({ type: "function", function: { name, ...extra } });

  it("function tools → { name, description, input_schema, strict }; no parameters is an empty object schema", () => {
    const params = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };
    expect(body({ tools: [fn("weather", { description: "Weather now", parameters: params, strict: true }), fn("now")] }).tools).toEqual([
      { name: "weather", description: "Weather now", input_schema: params, strict: true },
      { name: "now", input_schema: { type: "object", properties: {} } },
    ]);
  });

  it("custom tools and non-object parameter schemas are refused", () => {
    refused(toMessages({ tools: [{ type: "custom", custom: { name: "g" } }] }), "tools.0");
    refused(toMessages({ tools: [fn("f", { parameters: { type: "array" } })] }), "tools.0.function.parameters");
  });

  it("tool_choice: auto, none, required → any, a named function → tool; allowed_tools is refused", () => {
    const tools = [fn("f")];
    expect(body({ tools, tool_choice: "auto" }).tool_choice).toEqual({ type: "auto" });
    expect(body({ tools, tool_choice: "none" }).tool_choice).toEqual({ type: "none" });
    expect(body({ tools, tool_choice: "required" }).tool_choice).toEqual({ type: "any" });
    expect(body({ tools, tool_choice: { type: "function", function: { name: "f" } } }).tool_choice).toEqual({ type: "tool", name: "f" });
    refused(toMessages({ tools, tool_choice: { type: "allowed_tools", allowed_tools: { mode: "auto", tools: [] } } }), "tool_choice");
  });

  it("parallel_tool_calls: false → disable_parallel_tool_use (with tools); true or no tools: nothing", () => {
    const tools = [fn("f")];
    expect(body({ tools, parallel_tool_calls: false }).tool_choice).toEqual({ type: "auto", disable_parallel_tool_use: true });
    expect(body({ tools, tool_choice: "required", parallel_tool_calls: false }).tool_choice).toEqual({ type: "any", disable_parallel_tool_use: true });
    expect(body({ tools, tool_choice: "none", parallel_tool_calls: false }).tool_choice).toEqual({ type: "none" });
    expect(body({ tools, parallel_tool_calls: true })).not.toHaveProperty("tool_choice");
    expect(body({ parallel_tool_calls: false })).not.toHaveProperty("tool_choice");
  });

  it("user and safety_identifier → metadata.user_id; two different ids are refused", () => {
    expect(body({ user: "u-1" }).metadata).toEqual({ user_id: "u-1" });
    expect(body({ safety_identifier: "h-2" }).metadata).toEqual({ user_id: "h-2" });
    expect(body({ user: "h-2", safety_identifier: "h-2" }).metadata).toEqual({ user_id: "h-2" });
    refused(toMessages({ user: "u-1", safety_identifier: "h-2" }), "user");
  });

  it("stream: true → stream; stream_options are the router's", () => {
    expect(body({ stream: true, stream_options: { include_usage: true } })).toMatchObject({ stream: true });
    expect(body({ stream: true, stream_options: { include_usage: true } })).not.toHaveProperty("stream_options");
    expect(body({ stream: false })).not.toHaveProperty("stream");
  });

  it("response_format: text is nothing; json_schema → output_config.format; json_object is refused", () => {
    const schema = { type: "object", properties: { a: { type: "number" } }, required: ["a"], additionalProperties: false };
    expect(body({ response_format: { type: "text" } })).not.toHaveProperty("output_config");
    expect(body({ response_format: { type: "json_schema", json_schema: { name: "out", schema, strict: true } } }).output_config).toEqual({ format: { type: "json_schema", schema } });
    refused(toMessages({ response_format: { type: "json_object" } }), "response_format");
    refused(toMessages({ response_format: { type: "json_schema", json_schema: { name: "out" } } }), "response_format");
  });

  it("reasoning_effort → output_config.effort (beside a format); none and minimal are refused", () => {
    const schema = { type: "object" };
    expect(body({ reasoning_effort: "high", response_format: { type: "json_schema", json_schema: { name: "o", schema } } }).output_config).toEqual({ effort: "high", format: { type: "json_schema", schema } });
    refused(toMessages({ reasoning_effort: "minimal" }), "reasoning_effort");
  });

  it("service_tier: auto → auto, default → standard_only, others refused", () => {
    expect(body({ service_tier: "auto" }).service_tier).toBe("auto");
    expect(body({ service_tier: "default" }).service_tier).toBe("standard_only");
    refused(toMessages({ service_tier: "flex" }), "service_tier");
  });

  it("null fields ask for nothing; a field OpenAI does not define is refused", () => {
    expect(body({ seed: null, temperature: null })).toEqual(body());
    refused(toMessages({ top_k: 5 }), "top_k");
  });

  /** One value per field of OpenAI's request type that asks for something (typed: a field missing here fails the typecheck). */
  const SAMPLES: { [K in keyof Required<ChatCompletionCreateParamsBase>]: unknown } = {
    messages: [user("hi")],
    model: "auto",
    stream: true,
    stream_options: { include_usage: true },
    max_completion_tokens: 10,
    max_tokens: 10,
    temperature: 0.5,
    top_p: 0.5,
    stop: "x",
    tools: [fn("f")],
    tool_choice: "none", // another choice needs tools (chat-strict.test.ts)
    parallel_tool_calls: false,
    user: "u",
    safety_identifier: "u",
    response_format: { type: "json_schema", json_schema: { name: "o", schema: { type: "object" } } },
    reasoning_effort: "low",
    service_tier: "auto",
    n: 2,
    logprobs: true,
    top_logprobs: 3,
    seed: 7,
    presence_penalty: 0.5,
    frequency_penalty: 0.5,
    logit_bias: { "50256": -100 },
    audio: { format: "mp3", voice: "alloy" },
    modalities: ["text", "audio"],
    prediction: { type: "content", content: "x" },
    web_search_options: {},
    moderation: { model: "omni-moderation-latest" },
    store: true,
    metadata: { team: "a" },
    verbosity: "low",
    prompt_cache_key: "k",
    prompt_cache_retention: "24h",
    prompt_cache_options: { mode: "explicit" },
    functions: [{ name: "f" }],
    function_call: "auto",
  };
  /** The values at which a refused field asks for nothing. */
  const DEFAULTS: Record<string, unknown> = { n: 1, logprobs: false, top_logprobs: 0, presence_penalty: 0, frequency_penalty: 0, logit_bias: {}, modalities: ["text"], store: false, metadata: {}, verbosity: "medium", function_call: "none" };

  it("the field table covers every field of OpenAI's ChatCompletionCreateParams, and each row does what it says", () => {
    expect(Object.keys(CHAT_FIELD_RULES).sort()).toEqual(Object.keys(SAMPLES).sort());
    for (const [key, rule] of Object.entries(CHAT_FIELD_RULES)) {
      const t = toMessages({ [key]: SAMPLES[key as keyof typeof SAMPLES] });
      if (rule.kind === "refused") refused(t, key);
      else expect(t.ok, key).toBe(true);
    }
  });

  it("a refused field at its documented default asks for nothing and is accepted", () => {
    for (const [key, value] of Object.entries(DEFAULTS)) {
      expect(CHAT_FIELD_RULES[key as keyof typeof CHAT_FIELD_RULES].kind, key).toBe("refused");
      expect(toMessages({ [key]: value }).ok, key).toBe(true);
    }
  });
});

describe("messagesToChat: the Anthropic front door to an OpenAI-format specialist", () => {
  type Req = MessagesBody & { top_k?: number; [k: string]: unknown };
  const req = (extra: Partial<Req> = {}, messages: Req["messages"] = [{ role: "user", content: "hi" }]) => MessagesRequest.parse({ model: "auto", max_tokens: 256, messages, ...extra } satisfies Req);
  const toChat = (extra?: Partial<Req>, messages?: Req["messages"]) => messagesToChat(req(extra, messages));
  const chatOf = (extra?: Partial<Req>, messages?: Req["messages"]) => ok(toChat(extra, messages));

  it("a plain request: model kept, max_tokens → max_completion_tokens, typed as OpenAI's params", () => {
    const c = chatOf();
    expect(c).toEqual({ model: "auto", messages: [{ role: "user", content: "hi" }], max_completion_tokens: 256 });
    expectTypeOf(c).toExtend<ChatCompletionCreateParamsBase>();
  });

  it("system: a string → a first system message; text blocks → text parts; cache_control omitted", () => {
    expect(chatOf({ system: "Be brief." }).messages[0]).toEqual({ role: "system", content: "Be brief." });
    expect(chatOf({ system: [{ type: "text", text: "A" }, { type: "text", text: "B", cache_control: { type: "ephemeral" } }] }).messages[0]).toEqual({
      role: "system",
      content: [
        { type: "text", text: "A" },
        { type: "text", text: "B" },
      ],
    });
  });

  it("a system turn (API version 2026-10-21) → a system message where it stands", () => {
    expect(chatOf({}, [{ role: "user", content: "a" }, { role: "system", content: "Now answer in French." }, { role: "user", content: "b" }]).messages).toEqual([
      { role: "user", content: "a" },
      { role: "system", content: "Now answer in French." },
      { role: "user", content: "b" },
    ]);
  });

  it("user blocks: text, base64 and url images, a base64 PDF document", () => {
    const c = chatOf({}, [
      {
        role: "user",
        content: [
          { type: "text", text: "compare", cache_control: { type: "ephemeral" } },
          { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw==" } },
          { type: "image", source: { type: "url", url: "https://example.com/b.jpg" } },
          { type: "document", source: { type: "base64", media_type: "application/pdf", data: "JVBERi0=" }, title: "spec.pdf" },
        ],
      },
    ]);
    expect(c.messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "compare" },
          { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw==" } },
          { type: "image_url", image_url: { url: "https://example.com/b.jpg" } },
          { type: "file", file: { file_data: "data:application/pdf;base64,JVBERi0=", filename: "spec.pdf" } },
        ],
      },
    ]);
  });

  it("refuses a file image source, a plain-text document, citations, and block types OpenAI cannot take", () => {
    refused(toChat({}, [{ role: "user", content: [{ type: "image", source: { type: "file", file_id: "file_1" } }] }]), "messages.0.content.0");
    refused(toChat({}, [{ role: "user", content: [{ type: "document", source: { type: "text", media_type: "text/plain", data: "x" } }] }]), "messages.0.content.0");
    refused(toChat({}, [{ role: "user", content: [{ type: "text", text: "x", citations: [{ type: "char_location", cited_text: "x", document_index: 0, document_title: null, start_char_index: 0, end_char_index: 1 }] }] }]), "messages.0.content.0.citations");
    refused(toChat({}, [{ role: "user", content: [{ type: "search_result", source: "s", title: "t", content: [{ type: "text", text: "x" }] }] }]), "messages.0.content.0");
  });

  it("assistant tool_use → tool_calls (input as JSON arguments); tool_result → tool messages before the user's text", () => {
    const c = chatOf({}, [
      { role: "user", content: "weather in Paris?" },
      { role: "assistant", content: [{ type: "text", text: "Checking." }, { type: "tool_use", id: "toolu_1", name: "weather", input: { city: "Paris" } }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "18C" }, { type: "text", text: "and tomorrow?" }] },
    ]);
    expect(c.messages.slice(1)).toEqual([
      { role: "assistant", content: "Checking.", tool_calls: [{ id: "toolu_1", type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } }] },
      { role: "tool", tool_call_id: "toolu_1", content: "18C" },
      { role: "user", content: [{ type: "text", text: "and tomorrow?" }] },
    ]);
  });

  it("an assistant turn of only tool_use has null content; thinking blocks are dropped", () => {
    const c = chatOf({}, [
      { role: "user", content: "x" },
      { role: "assistant", content: [{ type: "thinking", thinking: "hm", signature: "sig" }, { type: "redacted_thinking", data: "abc" }, { type: "tool_use", id: "t1", name: "f", input: {} }] },
    ]);
    expect(c.messages[1]).toEqual({ role: "assistant", content: null, tool_calls: [{ id: "t1", type: "function", function: { name: "f", arguments: "{}" } }] });
  });

  it("tool_result: text blocks → text parts; is_error kept as an Error: prefix; images refused", () => {
    const turn = (block: object) => [{ role: "user" as const, content: "x" }, { role: "assistant" as const, content: [{ type: "tool_use" as const, id: "t1", name: "f", input: {} }] }, { role: "user" as const, content: [block] }] as Req["messages"];
    expect(chatOf({}, turn({ type: "tool_result", tool_use_id: "t1", content: [{ type: "text", text: "a" }, { type: "text", text: "b" }] })).messages[2]).toEqual({ role: "tool", tool_call_id: "t1", content: [{ type: "text", text: "a" }, { type: "text", text: "b" }] });
    expect(chatOf({}, turn({ type: "tool_result", tool_use_id: "t1", content: "no such city", is_error: true })).messages[2]).toEqual({ role: "tool", tool_call_id: "t1", content: "Error: no such city" });
    expect(chatOf({}, turn({ type: "tool_result", tool_use_id: "t1", is_error: true })).messages[2]).toEqual({ role: "tool", tool_call_id: "t1", content: "Error" });
    refused(toChat({}, turn({ type: "tool_result", tool_use_id: "t1", content: [{ type: "image", source: { type: "url", url: "https://x/y.png" } }] })), "messages.2.content.0.content.0");
  });

  it("refuses server tool blocks in an assistant turn", () => {
    refused(toChat({}, [{ role: "user", content: "x" }, { role: "assistant", content: [{ type: "server_tool_use", id: "s1", name: "web_search", input: {} }] }]), "messages.1.content.0");
  });

  it("max_tokens 0 (cache pre-warming) is refused", () => {
    refused(toChat({ max_tokens: 0 }), "max_tokens");
  });

  it("stop_sequences → stop (at most 4); stream → stream with usage; temperature and top_p as they are; top_k refused", () => {
    expect(chatOf({ stop_sequences: ["a", "b"] }).stop).toEqual(["a", "b"]);
    expect(chatOf({ stop_sequences: [] })).not.toHaveProperty("stop");
    refused(toChat({ stop_sequences: ["a", "b", "c", "d", "e"] }), "stop_sequences");
    expect(chatOf({ stream: true })).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(chatOf({ temperature: 0.3, top_p: 0.8 })).toMatchObject({ temperature: 0.3, top_p: 0.8 });
    refused(toChat({ top_k: 40 }), "top_k");
  });

  it("metadata.user_id → user; other metadata is refused", () => {
    expect(chatOf({ metadata: { user_id: "u-1" } }).user).toBe("u-1");
    refused(toChat({ metadata: { user_id: "u", team: "a" } as never }), "metadata.team");
  });

  it("tools → function tools; server tools and unknown tool members are refused", () => {
    const schema = { type: "object" as const, properties: { city: { type: "string" } } };
    expect(chatOf({ tools: [{ name: "weather", description: "Weather now", input_schema: schema, strict: true, cache_control: { type: "ephemeral" } }] }).tools).toEqual([
      { type: "function", function: { name: "weather", description: "Weather now", parameters: schema, strict: true } },
    ]);
    refused(toChat({ tools: [{ type: "web_search_20250305", name: "web_search" }] }), "tools.0");
    refused(toChat({ tools: [{ name: "f", input_schema: schema, defer_loading: true }] }), "tools.0.defer_loading");
  });

  it("tool_choice: auto, any → required, tool → a named function, none; disable_parallel_tool_use → parallel_tool_calls false", () => {
    const tools = [{ name: "f", input_schema: { type: "object" as const } }];
    expect(chatOf({ tools, tool_choice: { type: "auto" } }).tool_choice).toBe("auto");
    expect(chatOf({ tools, tool_choice: { type: "any", disable_parallel_tool_use: true } })).toMatchObject({ tool_choice: "required", parallel_tool_calls: false });
    expect(chatOf({ tools, tool_choice: { type: "tool", name: "f" } }).tool_choice).toEqual({ type: "function", function: { name: "f" } });
    expect(chatOf({ tools, tool_choice: { type: "none" } }).tool_choice).toBe("none");
  });

  it("thinking: disabled accepted; enabled and adaptive refused", () => {
    expect(toChat({ thinking: { type: "disabled" } }).ok).toBe(true);
    refused(toChat({ thinking: { type: "enabled", budget_tokens: 2048 } }), "thinking");
    refused(toChat({ thinking: { type: "adaptive" } }), "thinking");
  });

  it("output_config: format → response_format json_schema (strict), effort → reasoning_effort", () => {
    const schema = { type: "object", properties: { a: { type: "number" } } };
    expect(chatOf({ output_config: { effort: "high", format: { type: "json_schema", schema } } })).toMatchObject({
      reasoning_effort: "high",
      response_format: { type: "json_schema", json_schema: { name: "output", schema, strict: true } },
    });
    refused(toChat({ output_config: { task_budget: 5 } as never }), "output_config.task_budget");
  });

  it("service_tier and speed; container, inference_geo and unknown fields refused; cache_control omitted", () => {
    expect(chatOf({ service_tier: "standard_only" }).service_tier).toBe("default");
    expect(chatOf({ service_tier: "auto" }).service_tier).toBe("auto");
    expect(toChat({ speed: "standard" }).ok).toBe(true);
    refused(toChat({ speed: "fast" }), "speed");
    refused(toChat({ container: "c1" }), "container");
    refused(toChat({ inference_geo: "us" }), "inference_geo");
    refused(toChat({ mcp_servers: [] }), "mcp_servers");
    expect(chatOf({ cache_control: { type: "ephemeral" } })).not.toHaveProperty("cache_control");
  });

  it("the field table covers every field of the SDK's MessageCreateParams", () => {
    const sdkFields: { [K in keyof Required<MessageCreateParamsBase>]: true } = {
      max_tokens: true, messages: true, model: true, cache_control: true, container: true, diagnostics: true, inference_geo: true, metadata: true, output_config: true,
      service_tier: true, speed: true, stop_sequences: true, stream: true, system: true, thinking: true, tool_choice: true, tools: true, user_profile_id: true, workspace_id: true,
    };
    for (const key of [...Object.keys(sdkFields), "temperature", "top_p", "top_k"]) expect(MESSAGES_FIELD_RULES, key).toHaveProperty(key);
  });
});

describe("replies: Message → chat.completion", () => {
  const message = (extra: Partial<Message> = {}): AnthropicMessage =>
    AnthropicMessage.parse({
      id: "msg_01",
      type: "message",
      role: "assistant",
      model: "claude-sonnet-4-5-20250929",
      content: [{ type: "text", text: "Hello", citations: null }],
      stop_reason: "end_turn",
      stop_sequence: null,
      stop_details: null,
      container: null,
      diagnostics: null,
      usage: { input_tokens: 12, output_tokens: 6, cache_creation_input_tokens: null, cache_read_input_tokens: null, cache_creation: null, inference_geo: null, output_tokens_details: null, server_tool_use: null, service_tier: "standard", speed: null },
      ...extra,
    } satisfies Message);
  const at = { created: 1_700_000_000, model: "claude-sonnet-4-5" };

  it("text → content; id, created and model from the options; finish stop; usage", () => {
    expect(messageToCompletion(message(), at)).toEqual({
      id: "msg_01",
      object: "chat.completion",
      created: 1_700_000_000,
      model: "claude-sonnet-4-5",
      choices: [{ index: 0, message: { role: "assistant", content: "Hello", refusal: null }, finish_reason: "stop", logprobs: null }],
      usage: { prompt_tokens: 12, completion_tokens: 6, total_tokens: 18, prompt_tokens_details: { cached_tokens: 0 } },
    });
    expect(messageToCompletion(message(), { ...at, id: "chatcmpl-x" }).id).toBe("chatcmpl-x");
  });

  it("text blocks are joined as they are; tool_use → tool_calls (ids kept, input as JSON); thinking → reasoning_content", () => {
    const c = messageToCompletion(
      message({
        content: [
          { type: "thinking", thinking: "Paris first.", signature: "sig" },
          { type: "redacted_thinking", data: "xyz" },
          { type: "text", text: "Let me ", citations: null },
          { type: "text", text: "check.", citations: null },
          { type: "tool_use", id: "toolu_01", name: "weather", input: { city: "Paris" }, caller: { type: "direct" } },
        ],
        stop_reason: "tool_use",
      }),
      at,
    );
    expect(c.choices[0]).toEqual({
      index: 0,
      message: { role: "assistant", content: "Let me check.", refusal: null, reasoning_content: "Paris first.", tool_calls: [{ id: "toolu_01", type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } }] },
      finish_reason: "tool_calls",
      logprobs: null,
    });
  });

  it("only tool_use: content null; no blocks at all: content \"\"", () => {
    expect(messageToCompletion(message({ content: [{ type: "tool_use", id: "t", name: "f", input: {}, caller: { type: "direct" } }], stop_reason: "tool_use" }), at).choices[0]!.message.content).toBeNull();
    expect(messageToCompletion(message({ content: [] }), at).choices[0]!.message.content).toBe("");
  });

  it("stop_reason → finish_reason, every value", () => {
    const cases: [Message["stop_reason"], string][] = [
      ["end_turn", "stop"],
      ["stop_sequence", "stop"],
      ["max_tokens", "length"],
      ["model_context_window_exceeded", "length"],
      ["pause_turn", "length"],
      ["tool_use", "tool_calls"],
      ["refusal", "content_filter"],
      [null, "stop"],
    ];
    for (const [stop, finish] of cases) expect(messageToCompletion(message({ stop_reason: stop }), at).choices[0]!.finish_reason, String(stop)).toBe(finish);
  });

  it("a refusal's explanation → message.refusal", () => {
    const c = messageToCompletion(message({ stop_reason: "refusal", stop_details: { type: "refusal", category: "cyber", explanation: "Not with malware." } }), at);
    expect(c.choices[0]!.message).toMatchObject({ refusal: "Not with malware." });
  });

  it("usage: prompt = input + cache reads + cache writes; cached_tokens = cache reads, cache_creation_tokens = cache writes (priced apart); thinking → reasoning_tokens", () => {
    const u = messageToCompletion(message({ usage: { ...message().usage, input_tokens: 10, cache_read_input_tokens: 100, cache_creation_input_tokens: 20, output_tokens: 30, output_tokens_details: { thinking_tokens: 12 } } as Message["usage"] }), at).usage;
    expect(u).toEqual({ prompt_tokens: 130, completion_tokens: 30, total_tokens: 160, prompt_tokens_details: { cached_tokens: 100, cache_creation_tokens: 20 }, completion_tokens_details: { reasoning_tokens: 12 } });
    const none = messageToCompletion(message({ usage: { ...message().usage, input_tokens: 10, cache_read_input_tokens: 0, cache_creation_input_tokens: 0, output_tokens: 3 } as Message["usage"] }), at).usage;
    expect(none?.prompt_tokens_details).toEqual({ cached_tokens: 0 });
  });
});

describe("replies: chat.completion → Message", () => {
  const completion = (message: Record<string, unknown>, finish: string | null = "stop", usage: unknown = { prompt_tokens: 20, completion_tokens: 5, total_tokens: 25 }) => ({
    id: "chatcmpl-1",
    object: "chat.completion",
    created: 1,
    model: "gpt-x",
    choices: [{ index: 0, message: { role: "assistant", refusal: null, ...message }, finish_reason: finish, logprobs: null }],
    usage,
  });
  const messageOf = (c: Record<string, unknown>) => ok(completionToMessage(c, { model: "auto" }));

  it("text → a text block; the SDK's Message shape; usage back", () => {
    const m = messageOf(completion({ content: "Hi there" }));
    expect(m).toEqual({
      id: "chatcmpl-1",
      type: "message",
      role: "assistant",
      model: "auto",
      content: [{ type: "text", text: "Hi there", citations: null }],
      stop_reason: "end_turn",
      stop_sequence: null,
      stop_details: null,
      container: null,
      diagnostics: null,
      usage: { input_tokens: 20, output_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, cache_creation: null, inference_geo: null, output_tokens_details: null, server_tool_use: null, service_tier: null, speed: null },
    });
    expectTypeOf(m).toEqualTypeOf<Message>();
  });

  it("content parts and a refusal; the refusal sets stop_reason refusal with its explanation", () => {
    const m = messageOf(completion({ content: [{ type: "text", text: "a" }, { type: "refusal", refusal: "b" }] }));
    expect(m.content).toEqual([{ type: "text", text: "a", citations: null }, { type: "text", text: "b", citations: null }]);
    const r = messageOf(completion({ content: null, refusal: "I can't help with that." }));
    expect(r).toMatchObject({ content: [{ type: "text", text: "I can't help with that." }], stop_reason: "refusal", stop_details: { type: "refusal", explanation: "I can't help with that." } });
  });

  it("tool_calls → tool_use blocks (arguments parsed, \"\" is {}); a tool call is tool_use even when the server says stop", () => {
    const m = messageOf(completion({ content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "weather", arguments: '{"city":"Rome"}' } }, { id: "call_2", type: "function", function: { name: "now", arguments: "" } }] }, "stop"));
    expect(m.content).toEqual([
      { type: "tool_use", id: "call_1", name: "weather", input: { city: "Rome" }, caller: { type: "direct" } },
      { type: "tool_use", id: "call_2", name: "now", input: {}, caller: { type: "direct" } },
    ]);
    expect(m.stop_reason).toBe("tool_use");
  });

  it("a specialist's unparsable tool arguments fail the translation, naming the field", () => {
    refused(completionToMessage(completion({ content: null, tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: '{"a":' } }] }, "tool_calls"), { model: "auto" }), "choices.0.message.tool_calls.0.function.arguments");
    refused(completionToMessage(completion({ content: null, tool_calls: [{ id: "c", type: "custom", custom: { name: "g", input: "x" } }] }), { model: "auto" }), "choices.0.message.tool_calls.0");
    refused(completionToMessage({ choices: [] }, { model: "auto" }), "choices");
  });

  it("finish_reason → stop_reason, every value", () => {
    const cases: [string | null, string][] = [
      ["stop", "end_turn"],
      ["length", "max_tokens"],
      ["tool_calls", "tool_use"],
      ["function_call", "tool_use"],
      ["content_filter", "refusal"],
      [null, "end_turn"],
    ];
    for (const [finish, stop] of cases) expect(messageOf(completion({ content: "x" }, finish)).stop_reason, String(finish)).toBe(stop);
  });

  it("usage: cached prompt tokens → cache_read_input_tokens, the rest input_tokens; reasoning → thinking; no usage → zeros", () => {
    const m = messageOf(completion({ content: "x" }, "stop", { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150, prompt_tokens_details: { cached_tokens: 100 }, completion_tokens_details: { reasoning_tokens: 7 } }));
    expect(m.usage).toMatchObject({ input_tokens: 20, cache_read_input_tokens: 100, cache_creation_input_tokens: 0, output_tokens: 30, output_tokens_details: { thinking_tokens: 7 } });
    expect(messageOf(completion({ content: "x" }, "stop", null)).usage).toMatchObject({ input_tokens: 0, output_tokens: 0 });
  });

  it("reasoning_content is left out (the client did not ask for thinking)", () => {
    expect(messageOf(completion({ content: "42", reasoning_content: "6 × 7" })).content).toEqual([{ type: "text", text: "42", citations: null }]);
  });
});

describe("round trips", () => {
  it("OpenAI → Anthropic → OpenAI keeps what both can express", () => {
    const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };
    const original = {
      model: "auto",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: [{ type: "text", text: "weather here?" }, { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw==" } }] },
        { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } }] },
        { role: "tool", tool_call_id: "call_1", content: "18C" },
        { role: "user", content: "thanks" },
      ],
      tools: [{ type: "function", function: { name: "weather", description: "Weather now", parameters: schema } }],
      tool_choice: "required",
      parallel_tool_calls: false,
      stop: ["END"],
      max_completion_tokens: 300,
      temperature: 0.4,
      user: "u-9",
      stream: true,
    };
    const anthropic = ok(chatToMessages(original, o));
    const back = ok(messagesToChat(MessagesRequest.parse({ ...anthropic, model: "auto" })));
    expect(back).toEqual({
      ...original,
      messages: [original.messages[0], original.messages[1], original.messages[2], original.messages[3], { role: "user", content: [{ type: "text", text: "thanks" }] }],
      stream_options: { include_usage: true },
    });
  });

  it("Message → chat.completion → Message keeps content, tool calls, stop reason and usage (cache writes fold into input)", () => {
    const msg = AnthropicMessage.parse({
      id: "msg_9",
      type: "message",
      role: "assistant",
      model: "claude-sonnet-4-5",
      content: [
        { type: "text", text: "Checking.", citations: null },
        { type: "tool_use", id: "toolu_9", name: "weather", input: { city: "Oslo" }, caller: { type: "direct" } },
      ],
      stop_reason: "tool_use",
      stop_sequence: null,
      stop_details: null,
      container: null,
      diagnostics: null,
      usage: { input_tokens: 10, output_tokens: 8, cache_read_input_tokens: 5, cache_creation_input_tokens: 3, cache_creation: null, inference_geo: null, output_tokens_details: null, server_tool_use: null, service_tier: null, speed: null },
    } satisfies Message);
    const back = ok(completionToMessage(messageToCompletion(msg, { created: 1, model: "m" }), { model: "claude-sonnet-4-5" }));
    expect(back).toMatchObject({ id: "msg_9", content: msg.content, stop_reason: "tool_use", usage: { input_tokens: 13, cache_read_input_tokens: 5, output_tokens: 8 } });
  });
});

describe("docs/protocols/anthropic.md", () => {
  it("has a row for every field of both field tables", () => {
    const doc = readFileSync(new URL("../../../../docs/protocols/anthropic.md", import.meta.url), "utf8");
    const rows = doc.split("\n").filter((l) => l.startsWith("| `"));
    for (const key of [...Object.keys(CHAT_FIELD_RULES), ...Object.keys(MESSAGES_FIELD_RULES)]) expect(rows.some((r) => r.split("|")[1]!.includes(`\`${key}\``)), key).toBe(true);
  });
});
