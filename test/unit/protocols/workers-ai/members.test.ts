import { describe, expect, it } from "vitest";
import { chatToWorkersAi } from "../../../../worker/protocols/workers-ai/translate.ts";
import { notSentMembers } from "../../../../worker/protocols/workers-ai/tools.ts";

const user = (content: unknown, more: Record<string, unknown> = {}) => ({ role: "user", content, ...more });
/** A refusal: its param, and a detail that names it. */
const refused = (chat: Record<string, unknown>) => {
  const t = chatToWorkersAi(chat, {});
  if (t.ok) throw new Error(`translated: ${JSON.stringify(t.value)}`);
  expect(t.detail).toContain(t.param.split(".").at(-1));
  return t.param;
};
const messagesOf = (messages: unknown[]) => {
  const t = chatToWorkersAi({ messages }, {});
  if (!t.ok) throw new Error(`refused ${t.param}: ${t.detail}`);
  return t.value.messages;
};
const call = { id: "c1", type: "function", function: { name: "lookup", arguments: "{}" } };

describe("Workers AI: every member of a message is sent or refused", () => {
  it("an unknown member of a message, or of a text part, is refused naming it; a message's name is sent (Workers AI takes one)", () => {
    expect(refused({ messages: [user("hi", { extra_member: 1 })] })).toBe("messages.0.extra_member");
    expect(refused({ messages: [user([{ type: "text", text: "hi", zzz: 1 }])] })).toBe("messages.0.content.0.zzz");
    expect(refused({ messages: [user([{ type: "text", text: "hi", prompt_cache_breakpoint: {} }])] })).toBe("messages.0.content.0.prompt_cache_breakpoint");
    expect(refused({ messages: [user("hi"), { role: "assistant", content: "a", audio: { id: "x" } }] })).toBe("messages.1.audio");
    expect(refused({ messages: [user("hi"), { role: "assistant", content: null, tool_calls: [call] }, { role: "tool", tool_call_id: "c1", content: "r", name: "bob" }] })).toBe("messages.2.name");
    expect(messagesOf([user("hi", { name: "bob" })])).toEqual([{ role: "user", content: "hi", name: "bob" }]);
    expect(messagesOf([user("hi", { extra_member: null })])).toEqual([{ role: "user", content: "hi" }]);
  });

  it("a message without content is refused naming messages.N.content (an assistant's may be tool calls or a refusal)", () => {
    expect(refused({ messages: [{ role: "user" }] })).toBe("messages.0.content");
    expect(refused({ messages: [{ role: "system", content: null }, user("hi")] })).toBe("messages.0.content");
    expect(refused({ messages: [user("hi"), { role: "assistant" }] })).toBe("messages.1.content");
    expect(messagesOf([user("hi"), { role: "assistant", content: null, tool_calls: [call] }])[1]).toEqual({ role: "assistant", content: "", tool_calls: [call] });
    expect(messagesOf([user("hi"), { role: "assistant", content: "Well.", refusal: "I cannot." }])[1]).toEqual({ role: "assistant", content: "Well.\nI cannot." });
  });
});

describe("Workers AI: numbers", () => {
  it("seed must be an integer; max tokens a positive integer at most Number.MAX_SAFE_INTEGER", () => {
    expect(refused({ messages: [user("hi")], seed: 1.5 })).toBe("seed");
    expect(refused({ messages: [user("hi")], max_tokens: 1e300 })).toBe("max_tokens");
    expect(refused({ messages: [user("hi")], max_completion_tokens: 0 })).toBe("max_completion_tokens");
    const t = chatToWorkersAi({ messages: [user("hi")], seed: 42, max_tokens: 8 }, {});
    expect(t.ok && t.value).toMatchObject({ seed: 42, max_tokens: 8 });
  });
});

describe("Workers AI: every member of a tool call, a tool and a response format is sent or refused", () => {
  const assistant = (c: unknown) => [user("hi"), { role: "assistant", content: null, tool_calls: [c] }];
  it("an unknown member of a tool call or of its function is refused naming its path; extra_content (another provider's) is not sent", () => {
    expect(refused({ messages: assistant({ ...call, bogus: 1 }) })).toBe("messages.1.tool_calls.0.bogus");
    expect(refused({ messages: assistant({ ...call, index: 0 }) })).toBe("messages.1.tool_calls.0.index");
    expect(refused({ messages: assistant({ ...call, function: { ...call.function, bogus: 1 } }) })).toBe("messages.1.tool_calls.0.function.bogus");
    expect(refused({ messages: [user("hi"), { role: "assistant", content: "a", tool_calls: "nope" }] })).toBe("messages.1.tool_calls");
    expect(messagesOf(assistant({ ...call, extra_content: { google: { thought_signature: "s" } } }))[1]).toEqual({ role: "assistant", content: "", tool_calls: [call] });
  });

  it("an unknown member of a tool or of its function is refused, tool_choice 'none' or not", () => {
    const tool = { type: "function", function: { name: "lookup", parameters: { type: "object" } } };
    expect(refused({ messages: [user("hi")], tools: [{ ...tool, bogus: 1 }] })).toBe("tools.0.bogus");
    expect(refused({ messages: [user("hi")], tools: [{ ...tool, function: { ...tool.function, bogus: 1 } }] })).toBe("tools.0.function.bogus");
    expect(refused({ messages: [user("hi")], tools: [{ ...tool, bogus: 1 }], tool_choice: "none" })).toBe("tools.0.bogus");
    const t = chatToWorkersAi({ messages: [user("hi")], tools: [{ ...tool, function: { ...tool.function, strict: false } }] }, {});
    expect(t.ok && t.value.tools).toEqual([tool]);
  });

  it("response_format: a json_schema member other than name, description, schema, strict is refused, and a member beside type", () => {
    const schema = { type: "object" };
    expect(refused({ messages: [user("hi")], response_format: { type: "json_schema", json_schema: { name: "n", schema, bogus: 1 } } })).toBe("response_format.json_schema.bogus");
    expect(refused({ messages: [user("hi")], response_format: { type: "text", bogus: 1 } })).toBe("response_format.bogus");
    const t = chatToWorkersAi({ messages: [user("hi")], response_format: { type: "json_schema", json_schema: { name: "n", schema, strict: false, description: "d" } } }, {});
    expect(t.ok && t.value.response_format).toEqual({ type: "json_schema", json_schema: schema });
  });

  it("a message whose content is an empty list is refused naming messages.N.content (an assistant's may have tool_calls)", () => {
    expect(refused({ messages: [user([])] })).toBe("messages.0.content");
    expect(refused({ messages: [user("hi"), { role: "assistant", content: [] }] })).toBe("messages.1.content");
    expect(messagesOf([user("hi"), { role: "assistant", content: [], tool_calls: [call] }])[1]).toEqual({ role: "assistant", content: "", tool_calls: [call] });
  });
});

describe("response_format and tools: carried, refused, or named as not sent", () => {
  const user = { role: "user", content: "hi" };
  const schema = { type: "object", properties: { a: { type: "string" } } };

  it("a json_schema with strict: true is refused naming response_format.json_schema.strict; strict false is carried", () => {
    expect(chatToWorkersAi({ messages: [user], response_format: { type: "json_schema", json_schema: { name: "x", schema, strict: true } } }, {})).toMatchObject({ ok: false, param: "response_format.json_schema.strict" });
    expect(chatToWorkersAi({ messages: [user], response_format: { type: "json_schema", json_schema: { name: "x", schema, strict: false } } }, {})).toMatchObject({ ok: true, value: { response_format: { type: "json_schema", json_schema: schema } } });
  });

  it("a json_schema's description is named as not sent; without one nothing is", () => {
    expect(notSentMembers({ response_format: { type: "json_schema", json_schema: { name: "x", description: "an a", schema } } })).toEqual(["response_format.json_schema.description"]);
    expect(notSentMembers({ response_format: { type: "json_schema", json_schema: { name: "x", schema } } })).toEqual([]);
    expect(notSentMembers({ response_format: { type: "json_object" } })).toEqual([]);
  });

  it("tools that is not a list is refused naming tools", () => {
    expect(chatToWorkersAi({ messages: [user], tools: { type: "function" } }, {})).toMatchObject({ ok: false, param: "tools" });
  });
});
