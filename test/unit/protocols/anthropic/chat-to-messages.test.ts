import { describe, expect, it } from "vitest";
import type { Translation } from "../../../../worker/protocols/translation.ts";
import { chatToMessages } from "../../../../worker/protocols/anthropic/chat-to-messages.ts";
import type { ChatBody } from "../../../../worker/protocols/anthropic/types.ts";
import { refused } from "../../../support/translation-asserts.ts";

/** The edges of each field rule: malformed values, the bounds of ranges, members of the wrong type. */
const o = { model: "claude-sonnet-4-5", defaultMaxTokens: 1024 };
const chat = (extra: Record<string, unknown> = {}): ChatBody => ({ model: "auto", messages: [{ role: "user", content: "hi" }], ...extra });
const toMessages = (extra: Record<string, unknown> = {}) => chatToMessages(chat(extra), o);
function body(extra: Record<string, unknown> = {}) {
  const t = toMessages(extra);
  if (!t.ok) throw new Error(`refused ${t.param}: ${t.detail}`);
  return t.value;
}
const fn = (name: unknown, extra: Record<string, unknown> = {}) => ({ type: "function", function: { name, ...extra } });

describe("chatToMessages: malformed requests", () => {
  it("messages that are not an array are refused, naming messages", () => {
    refused(chatToMessages({ messages: "hi" } as unknown as ChatBody, o), "messages");
  });

  it("a field set to undefined asks for nothing, like an absent one", () => {
    expect(body({ temperature: undefined, stop: undefined, user: undefined })).toEqual(body());
  });
});

describe("chatToMessages: field bounds", () => {
  it("max_tokens 1 is the smallest accepted", () => {
    expect(body({ max_tokens: 1 }).max_tokens).toBe(1);
    refused(toMessages({ max_tokens: 0 }), "max_tokens");
  });

  it("temperature and top_p: 0 and 1 are accepted; below 0 or not a number is refused", () => {
    expect(body({ temperature: 0, top_p: 1 })).toMatchObject({ temperature: 0, top_p: 1 });
    expect(body({ temperature: 1, top_p: 0 })).toMatchObject({ temperature: 1, top_p: 0 });
    refused(toMessages({ temperature: -0.1 }), "temperature");
    refused(toMessages({ top_p: "0.5" }), "top_p");
    refused(toMessages({ temperature: true }), "temperature");
  });

  it("stop: a sequence that is not text is refused", () => {
    refused(toMessages({ stop: ["END", 7] }), "stop");
    refused(toMessages({ stop: 7 }), "stop");
  });

  it("user and safety_identifier must be strings", () => {
    refused(toMessages({ user: 42 }), "user");
    refused(toMessages({ safety_identifier: { id: 1 } }), "safety_identifier");
  });

  it("reasoning_effort must be one of Anthropic's levels; each is carried", () => {
    refused(toMessages({ reasoning_effort: 3 }), "reasoning_effort");
    for (const effort of ["low", "medium", "high", "xhigh", "max"]) expect(body({ reasoning_effort: effort }).output_config).toEqual({ effort });
  });
});

describe("chatToMessages: tools", () => {
  it("tools that are not an array are refused", () => {
    refused(toMessages({ tools: { type: "function" } }), "tools");
  });

  it("a tool that is not an object, not a function tool or has no function name is refused, naming it", () => {
    refused(toMessages({ tools: [null] }), "tools.0");
    refused(toMessages({ tools: ["weather"] }), "tools.0");
    refused(toMessages({ tools: [fn("f"), { type: "custom", function: { name: "g" } }] }), "tools.1");
    refused(toMessages({ tools: [{ type: "function", function: { description: "no name" } }] }), "tools.0");
    refused(toMessages({ tools: [fn(7)] }), "tools.0");
  });

  it("a description that is not a string and a strict that is not a boolean are not sent", () => {
    expect(body({ tools: [fn("f", { description: 7, strict: "yes" })] }).tools).toEqual([{ name: "f", input_schema: { type: "object", properties: {} } }]);
    expect(body({ tools: [fn("f", { strict: false })] }).tools).toEqual([{ name: "f", input_schema: { type: "object", properties: {} }, strict: false }]);
  });

  it("an empty tools list sends no tools", () => {
    expect(body({ tools: [] })).not.toHaveProperty("tools");
  });

  it("tool_choice: only a function object with a name names a tool", () => {
    const tools = [fn("f")];
    refused(toMessages({ tools, tool_choice: { type: "custom", function: { name: "f" } } }), "tool_choice");
    refused(toMessages({ tools, tool_choice: { type: "function", function: { name: 7 } } }), "tool_choice");
    refused(toMessages({ tools, tool_choice: { type: "function" } }), "tool_choice");
    refused(toMessages({ tools, tool_choice: "any" }), "tool_choice");
  });
});

describe("chatToMessages: response_format", () => {
  it("must be an object", () => {
    expect(refused(toMessages({ response_format: "json" }), "response_format")).toBe("'response_format' must be an object");
  });

  it("only a json_schema format carries its schema; json_object is refused for its lack of a schema, other types as having none", () => {
    const schema = { type: "object" };
    expect(refused(toMessages({ response_format: { type: "json_object", json_schema: { schema } } }), "response_format.json_schema")).toContain("no Anthropic equivalent"); // a member json_object has no place for
    expect(refused(toMessages({ response_format: { type: "json_object" } }), "response_format")).toContain("need a JSON schema");
    const other = refused(toMessages({ response_format: { type: "json_schema", json_schema: { name: "o" } } }), "response_format");
    expect(other).toContain('"json_schema" without a schema');
    expect(refused(toMessages({ response_format: { type: "grammar" } }), "response_format")).toContain('"grammar" without a schema');
  });
});
