import { describe, expect, it } from "vitest";
import { DONE } from "../../../../worker/protocols/chunk-stream.ts";
import { chatToWorkersAi, NOT_SENT, WorkersAiChunks, workersAiToCompletion } from "../../../../worker/protocols/workers-ai/translate.ts";

const user = (content: unknown) => ({ role: "user", content });
const ok = (chat: Record<string, unknown>, o: { system?: string; maxTokens?: number } = {}) => {
  const t = chatToWorkersAi(chat, o);
  if (!t.ok) throw new Error(`refused ${t.param}: ${t.detail}`);
  return t.value;
};
const refused = (chat: Record<string, unknown>) => {
  const t = chatToWorkersAi(chat, {});
  if (t.ok) throw new Error("translated");
  expect(t.detail.length).toBeGreaterThan(0);
  return t.param;
};
const TOOL = { type: "function", function: { name: "lookup", description: "d", parameters: { type: "object", properties: {} } } };

describe("Chat Completions → Workers AI input", () => {
  it("messages: the endpoint's system prompt first, developer → system, text parts joined, names kept", () => {
    expect(ok({ messages: [{ role: "developer", content: "be exact" }, { ...user([{ type: "text", text: "a" }, { type: "text", text: "b" }]), name: "ann" }, { role: "assistant", content: null, refusal: "no" }] }, { system: "S" })).toEqual({
      messages: [
        { role: "system", content: "S" },
        { role: "system", content: "be exact" },
        { role: "user", content: "a\nb", name: "ann" },
        { role: "assistant", content: "no" },
      ],
    });
  });

  it("sampling fields by the same names; max_completion_tokens wins over max_tokens; the endpoint's maxTokens only when the request sets none", () => {
    expect(ok({ messages: [user("x")], temperature: 0.5, top_p: 0.9, seed: 3, frequency_penalty: 0.1, presence_penalty: 0.2, max_tokens: 9, max_completion_tokens: 7 }, { maxTokens: 100 })).toEqual({
      messages: [{ role: "user", content: "x" }],
      temperature: 0.5,
      top_p: 0.9,
      seed: 3,
      frequency_penalty: 0.1,
      presence_penalty: 0.2,
      max_tokens: 7,
    });
    expect(ok({ messages: [user("x")] }, { maxTokens: 100 }).max_tokens).toBe(100);
    expect(ok({ messages: [user("x")] }).max_tokens).toBeUndefined();
  });

  it("tools as OpenAI function tools; tool_choice auto keeps them, none sends none; a tool round trip carries ids and the function's name", () => {
    const call = { id: "call_1", type: "function", function: { name: "lookup", arguments: '{"q":1}' } };
    const v = ok({ messages: [user("find"), { role: "assistant", content: null, tool_calls: [call] }, { role: "tool", tool_call_id: "call_1", content: "found" }], tools: [TOOL], tool_choice: "auto", parallel_tool_calls: true });
    expect(v.tools).toEqual([TOOL]);
    expect(v.messages.slice(1)).toEqual([
      { role: "assistant", content: "", tool_calls: [call] },
      { role: "tool", content: "found", tool_call_id: "call_1", name: "lookup" },
    ]);
    expect(ok({ messages: [user("x")], tools: [TOOL], tool_choice: "none" }).tools).toBeUndefined();
  });

  it("response_format: json_schema sends its schema, json_object as is, text nothing", () => {
    expect(ok({ messages: [user("x")], response_format: { type: "json_schema", json_schema: { name: "n", schema: { type: "object" } } } }).response_format).toEqual({ type: "json_schema", json_schema: { type: "object" } });
    expect(ok({ messages: [user("x")], response_format: { type: "json_object" } }).response_format).toEqual({ type: "json_object" });
    expect(ok({ messages: [user("x")], response_format: { type: "text" } }).response_format).toBeUndefined();
  });

  it("fields about OpenAI's platform are not sent; defaults that ask for nothing are accepted", () => {
    const chat = { messages: [user("x")], user: "u", safety_identifier: "s", metadata: { a: "b" }, store: true, service_tier: "auto", prompt_cache_key: "k", prompt_cache_retention: "24h", n: 1, logprobs: false, model: "m", stream: true, stream_options: { include_usage: true } };
    expect(ok(chat)).toEqual({ messages: [{ role: "user", content: "x" }] });
    expect([...NOT_SENT].sort()).toEqual(["metadata", "prompt_cache_key", "prompt_cache_retention", "safety_identifier", "service_tier", "store", "user"]);
  });

  it("refuses, naming the field, what Workers AI cannot do", () => {
    const m = [user("x")];
    expect(refused({ messages: m, n: 2 })).toBe("n");
    expect(refused({ messages: m, logprobs: true })).toBe("logprobs");
    expect(refused({ messages: m, stop: "END" })).toBe("stop");
    expect(refused({ messages: m, logit_bias: {} })).toBe("logit_bias");
    expect(refused({ messages: m, reasoning_effort: "low" })).toBe("reasoning_effort");
    expect(refused({ messages: m, x_vendor: 1 })).toBe("x_vendor");
    expect(refused({ messages: m, tool_choice: "required", tools: [TOOL] })).toBe("tool_choice");
    expect(refused({ messages: m, tool_choice: { type: "function", function: { name: "lookup" } }, tools: [TOOL] })).toBe("tool_choice");
    expect(refused({ messages: m, parallel_tool_calls: false, tools: [TOOL] })).toBe("parallel_tool_calls");
    expect(refused({ messages: m, tools: [{ type: "function", function: { ...TOOL.function, strict: true } }] })).toBe("tools.0.function.strict");
    expect(refused({ messages: m, tools: [{ type: "custom", custom: { name: "x" } }] })).toBe("tools.0");
    expect(refused({ messages: m, temperature: "hot" })).toBe("temperature");
    expect(refused({ messages: m, max_tokens: 0 })).toBe("max_tokens");
    expect(refused({ messages: m, max_completion_tokens: 1.5 })).toBe("max_completion_tokens");
    expect(refused({ messages: m, response_format: { type: "json_schema", json_schema: { name: "n" } } })).toBe("response_format");
    expect(refused({ messages: [user([{ type: "image_url", image_url: { url: "data:image/png;base64,AA" } }])] })).toBe("messages.0.content.0");
    expect(refused({ messages: [{ role: "function", content: "x" }] })).toBe("messages.0.role");
    expect(refused({ messages: [{ role: "tool", content: "x" }] })).toBe("messages.0.tool_call_id");
    expect(refused({ messages: [{ role: "tool", content: "x", tool_call_id: "nope" }] })).toBe("messages.0.tool_call_id");
    expect(refused({ messages: [user("x"), { role: "assistant", content: null, tool_calls: [{ id: "c", type: "function", function: { name: "f" } }] }] })).toBe("messages.1.tool_calls.0");
    expect(refused({ messages: "hi" })).toBe("messages");
    expect(refused({ messages: [user(42)] })).toBe("messages.0.content");
  });
});

describe("Workers AI answer → chat.completion", () => {
  const at = { id: "h1", created: 5, model: "@cf/m" };
  it("text: one choice, finish_reason stop, usage", () => {
    const t = workersAiToCompletion({ response: "hi", usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } }, at);
    expect(t).toEqual({
      ok: true,
      value: { id: "chatcmpl-h1", object: "chat.completion", created: 5, model: "@cf/m", choices: [{ index: 0, message: { role: "assistant", content: "hi", refusal: null }, finish_reason: "stop", logprobs: null }], usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } },
    });
  });

  it("tool calls, legacy { name, arguments: object } and OpenAI's, become OpenAI tool calls with ids; finish_reason tool_calls", () => {
    const t = workersAiToCompletion({ response: null, tool_calls: [{ name: "f", arguments: { a: 1 } }, { id: "call_x", type: "function", function: { name: "g", arguments: '{"b":2}' } }] }, at);
    expect(t.ok && t.value.choices[0]).toEqual({
      index: 0,
      message: { role: "assistant", content: null, refusal: null, tool_calls: [{ id: "call_h1_0", type: "function", function: { name: "f", arguments: '{"a":1}' } }, { id: "call_x", type: "function", function: { name: "g", arguments: '{"b":2}' } }] },
      finish_reason: "tool_calls",
      logprobs: null,
    });
  });

  it("a whole chat completion (newer models) passes as it is; anything that is not an answer is refused", () => {
    const c = { id: "x", choices: [{ index: 0, message: { role: "assistant", content: "y" } }] };
    expect(workersAiToCompletion(c, at)).toEqual({ ok: true, value: c });
    for (const bad of [null, "text", { result: 42 }, { response: 5 }, { response: "x", tool_calls: "no" }, { tool_calls: [{ arguments: {} }] }]) expect(workersAiToCompletion(bad, at).ok, JSON.stringify(bad)).toBe(false);
  });
});

describe("Workers AI stream → chunks", () => {
  const s = (includeUsage = false) => new WorkersAiChunks({ id: "h1", created: 5, model: "@cf/m", includeUsage });
  const delta = (step: { chunks: readonly object[] }) => step.chunks.map((c) => (c as { choices: { delta: object; finish_reason: string | null }[] }).choices[0]);

  it("the first chunk carries the role; each response a content delta; [DONE] ends with finish_reason stop and the usage chunk when asked", () => {
    const t = s(true);
    expect(delta(t.push({ response: "Hel", p: "a" }))).toEqual([{ index: 0, delta: { role: "assistant", content: "Hel" }, logprobs: null, finish_reason: null }]);
    expect(delta(t.push({ response: "lo" }))).toEqual([{ index: 0, delta: { content: "lo" }, logprobs: null, finish_reason: null }]);
    expect(t.push({ response: "", usage: { prompt_tokens: 2, completion_tokens: 2, total_tokens: 4 } }).chunks).toEqual([]);
    const end = t.push(DONE);
    expect(end.done).toBe(true);
    expect(end.chunks).toEqual([
      { id: "chatcmpl-h1", object: "chat.completion.chunk", created: 5, model: "@cf/m", choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: "stop" }] },
      { id: "chatcmpl-h1", object: "chat.completion.chunk", created: 5, model: "@cf/m", choices: [], usage: { prompt_tokens: 2, completion_tokens: 2, total_tokens: 4 } },
    ]);
  });

  it("tool calls come as deltas at increasing indexes; finish_reason tool_calls; no usage chunk unless asked", () => {
    const t = s();
    const calls = delta(t.push({ response: "", tool_calls: [{ name: "f", arguments: {} }, { name: "g", arguments: { x: 1 } }] }));
    expect(calls.map((c) => (c as unknown as { delta: { tool_calls: { index: number; function: { name: string } }[] } }).delta.tool_calls[0])).toEqual([
      { index: 0, id: "call_h1_0", type: "function", function: { name: "f", arguments: "{}" } },
      { index: 1, id: "call_h1_1", type: "function", function: { name: "g", arguments: '{"x":1}' } },
    ]);
    expect(delta(t.push(DONE))).toEqual([{ index: 0, delta: {}, logprobs: null, finish_reason: "tool_calls" }]);
  });

  it("an error event, a non-object event or a nameless tool call is the stream's error; the end without [DONE] owes nothing and says it was cut", () => {
    expect(s().push({ error: "3043: Internal server error" })).toEqual({ chunks: [], error: { message: "3043: Internal server error", type: "server_error" } });
    expect(s().push([1]).error?.type).toBe("bad_response");
    expect(s().push({ tool_calls: [{ arguments: {} }] }).error?.message).toMatch(/no name/);
    expect(s().end()).toEqual({ chunks: [], truncated: "the Workers AI stream ended without [DONE]" });
  });
});

describe("Chat Completions → Workers AI input: edges", () => {
  const m = [user("x")];
  const refusal = (chat: Record<string, unknown>) => {
    const t = chatToWorkersAi(chat, {});
    if (t.ok) throw new Error("translated");
    return { param: t.param, detail: t.detail };
  };
  const call = (extra: Record<string, unknown> = {}, fn: unknown = { name: "f", arguments: "{}" }) => ({ id: "c1", type: "function", function: fn, ...extra });
  const assistant = (tool_calls: unknown[]) => ({ messages: [user("x"), { role: "assistant", content: null, tool_calls }] });

  it("null and undefined fields ask for nothing, even fields that would be refused", () => {
    expect(ok({ messages: m, stop: null, logit_bias: undefined, temperature: null })).toEqual({ messages: [{ role: "user", content: "x" }] });
  });

  it("response_format text sends no response_format; it must be an object; only json_schema carries a schema", () => {
    expect(ok({ messages: m, response_format: { type: "text" } })).not.toHaveProperty("response_format");
    expect(refusal({ messages: m, response_format: "json" })).toEqual({ param: "response_format", detail: "response_format must be an object" });
    expect(refusal({ messages: m, response_format: { type: "grammar", json_schema: { schema: { type: "object" } } } }).param).toBe("response_format");
  });

  it("max tokens: null is unset, 1 is the least; no bound and no endpoint default sends none", () => {
    expect(ok({ messages: m, max_tokens: null }, { maxTokens: 64 }).max_tokens).toBe(64);
    expect(ok({ messages: m, max_tokens: 1 }).max_tokens).toBe(1);
    expect(ok({ messages: m })).not.toHaveProperty("max_tokens");
  });

  it("an empty tools list sends no tools", () => {
    expect(ok({ messages: m, tools: [] })).not.toHaveProperty("tools");
  });

  it("a message that is not an object is refused", () => {
    expect(refusal({ messages: [user("x"), null] })).toEqual({ param: "messages.1", detail: "a message must be an object" });
  });

  it("a name is sent when it is a string and refused otherwise; a message without content is refused", () => {
    expect(ok({ messages: [{ role: "user", content: "x", name: "ann" }] }).messages).toEqual([{ role: "user", content: "x", name: "ann" }]);
    expect(refused({ messages: [{ role: "user", content: "x", name: 5 }] })).toBe("messages.0.name");
    expect(refused({ messages: [{ role: "user", name: "ann" }] })).toBe("messages.0.content");
    expect(ok({ messages: m }).messages[0]).not.toHaveProperty("name");
  });

  it("tool_calls are read on assistant messages only (elsewhere refused), and an empty list sends none", () => {
    expect(refused({ messages: [{ ...user("x"), tool_calls: [call()] }] })).toBe("messages.0.tool_calls");
    expect(ok({ messages: [user("x"), { role: "assistant", content: "y", tool_calls: [] }] }).messages[1]).toEqual({ role: "assistant", content: "y" });
  });

  it("each member of a tool call is checked: type, id, function, name, arguments", () => {
    for (const bad of [null, call({ type: "custom" }), call({ id: 5 }), call({}, null), call({}, { name: 5, arguments: "{}" }), call({}, { name: "f", arguments: {} })]) {
      expect(refusal(assistant([call({ id: "c0" }), bad])), JSON.stringify(bad)).toEqual({ param: "messages.1.tool_calls.1", detail: "a tool call must be { id, type: 'function', function: { name, arguments } }" });
    }
  });

  it("a tool message's tool_call_id must be a string", () => {
    expect(refusal({ messages: [{ role: "tool", content: "r", tool_call_id: 5 }] })).toEqual({ param: "messages.0.tool_call_id", detail: "a tool message needs the tool_call_id it answers" });
  });

  it("content parts: text and refusal parts are text; any other part, or a text that is not a string, is refused", () => {
    expect(ok({ messages: [user("x"), { role: "assistant", content: [{ type: "refusal", refusal: "no" }] }] }).messages[1]).toEqual({ role: "assistant", content: "no" });
    expect(refusal({ messages: [user([{ type: "input_audio", text: "transcript" }])] }).param).toBe("messages.0.content.0");
    expect(refusal({ messages: [user([{ type: "text", text: 5 }])] }).param).toBe("messages.0.content.0");
  });

  it("tools: each must be an object with a function of a string name; a description that is not a string and absent parameters are not sent", () => {
    expect(refusal({ messages: m, tools: [null] }).param).toBe("tools.0");
    expect(refusal({ messages: m, tools: [{ type: "custom", function: { name: "f" } }] }).param).toBe("tools.0");
    expect(refusal({ messages: m, tools: [{ type: "function", function: { name: 5 } }] }).param).toBe("tools.0");
    const tools = ok({ messages: m, tools: [{ type: "function", function: { name: "f", description: 7 } }] }).tools!;
    expect(tools).toEqual([{ type: "function", function: { name: "f" } }]);
    expect(tools[0]!.function).not.toHaveProperty("parameters");
    expect(tools[0]!.function).not.toHaveProperty("description");
  });
});

describe("Workers AI answer → chat.completion: edges", () => {
  const at = { id: "h1", created: 5, model: "@cf/m" };
  const message = (out: unknown) => {
    const t = workersAiToCompletion(out, at);
    if (!t.ok) throw new Error(`refused ${t.param}: ${t.detail}`);
    return t.value.choices[0]!.message as Record<string, unknown>;
  };
  const calls = (...tool_calls: unknown[]) => message({ tool_calls }).tool_calls;

  it("an empty choices list is not a chat completion: the answer is read", () => {
    expect(message({ choices: [], response: "hi" })).toEqual({ role: "assistant", content: "hi", refusal: null });
  });

  it("tool calls alone: content null; an empty tool_calls list: content empty", () => {
    expect(message({ tool_calls: [{ name: "f", arguments: {} }] })).toMatchObject({ content: null });
    expect(message({ tool_calls: [] })).toEqual({ role: "assistant", content: "", refusal: null });
  });

  it("what is not an answer, or a bad tool call, is refused naming where", () => {
    expect(workersAiToCompletion({ response: 5, tool_calls: [] }, at)).toEqual({ ok: false, param: "(reply)", detail: "not a Workers AI text-generation answer ({ response, tool_calls?, usage? })" });
    expect(workersAiToCompletion({ tool_calls: [{ name: "f" }, null] }, at)).toEqual({ ok: false, param: "(reply).tool_calls.1", detail: "a tool call must have a name and arguments" });
    expect(workersAiToCompletion({ tool_calls: [{ function: { arguments: "{}" } }] }, at)).toMatchObject({ ok: false, param: "(reply).tool_calls.0" });
  });

  it("OpenAI-shape calls: the id made when missing, arguments as JSON text, none → {}", () => {
    expect(calls({ type: "function", function: { name: "f", arguments: { a: 1 } } }, { type: "function", function: { name: "g" } })).toEqual([
      { id: "call_h1_0", type: "function", function: { name: "f", arguments: '{"a":1}' } },
      { id: "call_h1_1", type: "function", function: { name: "g", arguments: "{}" } },
    ]);
  });

  it("legacy calls: their id kept, string arguments as they are", () => {
    expect(calls({ id: "x1", name: "f", arguments: '{"a":1}' })).toEqual([{ id: "x1", type: "function", function: { name: "f", arguments: '{"a":1}' } }]);
  });

  it("usage: none sends none; counts that are not numbers are none; a missing total is the sum", () => {
    const completion = (usage: unknown) => {
      const t = workersAiToCompletion({ response: "hi", usage }, at);
      if (!t.ok) throw new Error("refused");
      return t.value;
    };
    expect(completion(undefined)).not.toHaveProperty("usage");
    expect(completion({ prompt_tokens: "3", completion_tokens: 1 })).not.toHaveProperty("usage");
    expect(completion({ prompt_tokens: 3, completion_tokens: "1" })).not.toHaveProperty("usage");
    expect(completion({ prompt_tokens: 3, completion_tokens: 2 }).usage).toEqual({ prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 });
    expect(completion({ prompt_tokens: 3, completion_tokens: 2, total_tokens: 9 }).usage).toEqual({ prompt_tokens: 3, completion_tokens: 2, total_tokens: 9 });
  });
});

describe("Workers AI stream → chunks: edges", () => {
  const s = (includeUsage = false) => new WorkersAiChunks({ id: "h1", created: 5, model: "@cf/m", includeUsage });
  const usageChunk = (t: WorkersAiChunks) => (t.push(DONE).chunks[1] as { usage: unknown }).usage;

  it("the usage chunk: zeros when no usage came; an event without usage keeps the last", () => {
    expect(usageChunk(s(true))).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
    const t = s(true);
    t.push({ response: "a", usage: { prompt_tokens: 2, completion_tokens: 1, total_tokens: 3 } });
    t.push({ response: "b" });
    expect(usageChunk(t)).toEqual({ prompt_tokens: 2, completion_tokens: 1, total_tokens: 3 });
  });

  it("errors: a non-object event, an error object (as JSON), a nameless tool call", () => {
    expect(s().push(7)).toEqual({ chunks: [], error: { message: "a Workers AI stream event is not a JSON object", type: "bad_response" } });
    expect(s().push({ error: { code: 3040, message: "busy" } })).toEqual({ chunks: [], error: { message: '{"code":3040,"message":"busy"}', type: "server_error" } });
    expect(s().push({ tool_calls: [{ arguments: {} }] })).toEqual({ chunks: [], error: { message: "a streamed tool call has no name", type: "bad_response" } });
  });

  it("a null response gives no chunk", () => {
    expect(s().push({ response: null })).toEqual({ chunks: [] });
  });
});
