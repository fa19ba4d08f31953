import { describe, expect, it } from "vitest";
import { completionToResponse, echoOf, responseEvents, responsesUsage, responseText, textResponse } from "../../../../worker/protocols/openai/responses-reply.ts";
import { normalizedIds } from "../../../support/responses-ids.ts";

const base = { id: "resp_1", created_at: 1700000000, model: "gpt-x", echo: echoOf({ input: "hi" }) };
const completion = (message: Record<string, unknown>, finish_reason = "stop", usage: unknown = { prompt_tokens: 10, completion_tokens: 4, total_tokens: 14 }) => ({
  id: "chatcmpl-1",
  object: "chat.completion",
  model: "gpt-x-2025",
  choices: [{ index: 0, message: { role: "assistant", ...message }, finish_reason }],
  usage,
});
const ok = (r: ReturnType<typeof completionToResponse>) => {
  if (!r.ok) throw new Error(r.detail);
  return r.value as Record<string, any>;
};

describe("completionToResponse", () => {
  it("text → one message item with output_text (annotations []), status completed, usage in Responses terms", () => {
    const r = ok(completionToResponse(completion({ content: "Hello" }), base));
    expect(r).toMatchObject({ id: "resp_1", object: "response", created_at: 1700000000, status: "completed", error: null, incomplete_details: null, model: "gpt-x", store: false, tool_choice: "auto", tools: [], parallel_tool_calls: true });
    expect(r.output).toEqual([{ id: expect.stringMatching(/^msg_/), type: "message", role: "assistant", status: "completed", content: [{ type: "output_text", text: "Hello", annotations: [], logprobs: [] }] }]);
    expect(r.usage).toEqual({ input_tokens: 10, input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 }, output_tokens: 4, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 14 });
    expect(responseText(r)).toBe("Hello");
  });

  it("tool calls → function_call items (call_id from the call's id); text before them stays a message", () => {
    const r = ok(completionToResponse(completion({ content: "Checking.", tool_calls: [{ id: "call_9", type: "function", function: { name: "tide", arguments: '{"p":1}' } }] }, "tool_calls"), base));
    expect(r.status).toBe("completed");
    expect(r.output.map((i: any) => i.type)).toEqual(["message", "function_call"]);
    expect(r.output[1]).toEqual({ id: expect.stringMatching(/^fc_/), type: "function_call", status: "completed", call_id: "call_9", name: "tide", arguments: '{"p":1}' });
  });

  it("length and content_filter → incomplete with the reason; refusal → a refusal part; reasoning_content → a reasoning item", () => {
    expect(ok(completionToResponse(completion({ content: "Hel" }, "length"), base))).toMatchObject({ status: "incomplete", incomplete_details: { reason: "max_output_tokens" }, output: [{ status: "incomplete" }] });
    expect(ok(completionToResponse(completion({ content: "" }, "content_filter"), base))).toMatchObject({ status: "incomplete", incomplete_details: { reason: "content_filter" } });
    expect(ok(completionToResponse(completion({ content: null, refusal: "No." }), base)).output[0].content).toEqual([{ type: "refusal", refusal: "No." }]);
    const r = ok(completionToResponse(completion({ content: "4", reasoning_content: "2+2" }), base));
    expect(r.output[0]).toMatchObject({ type: "reasoning", summary: [], content: [{ type: "reasoning_text", text: "2+2" }] });
    expect(r.output[1].type).toBe("message");
  });

  it("usage details: cached and reasoning tokens; a reply without usage has usage null; one without a message is refused", () => {
    expect(responsesUsage({ prompt_tokens: 100, completion_tokens: 20, total_tokens: 120, prompt_tokens_details: { cached_tokens: 60 }, completion_tokens_details: { reasoning_tokens: 12 } })).toEqual({
      input_tokens: 100,
      input_tokens_details: { cached_tokens: 60, cache_write_tokens: 0 },
      output_tokens: 20,
      output_tokens_details: { reasoning_tokens: 12 },
      total_tokens: 120,
    });
    expect(ok(completionToResponse(completion({ content: "x" }, "stop", null), base)).usage).toBeNull();
    expect(completionToResponse({ choices: [] }, base).ok).toBe(false);
  });

  it("echoes the request's settings", () => {
    const echo = echoOf({ instructions: "I", max_output_tokens: 5, temperature: 0.1, top_p: 0.2, tool_choice: "required", tools: [{ type: "function", name: "f" }], metadata: { a: "b" }, parallel_tool_calls: false, text: { format: { type: "json_object" } }, reasoning: { effort: "low" }, user: "u" });
    expect(echo).toMatchObject({ instructions: "I", max_output_tokens: 5, temperature: 0.1, top_p: 0.2, tool_choice: "required", tools: [{ type: "function", name: "f" }], metadata: { a: "b" }, parallel_tool_calls: false, text: { format: { type: "json_object" } }, reasoning: { effort: "low", summary: null }, user: "u", store: false, truncation: "disabled" });
  });
});

describe("textResponse and responseEvents", () => {
  it("a non-chat specialist's output is one message; its events are the sequence OpenAI streams", () => {
    const r = textResponse({ ...base, model: "units" }, { text: "5 km = 3.1 mi", value: 3.1 }, { inputTokens: 3, outputTokens: 2 });
    expect(r).toMatchObject({ model: "units", status: "completed", usage: { input_tokens: 3, output_tokens: 2, total_tokens: 5 } });
    const evs = responseEvents(r);
    expect(evs.map((e) => e.type)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(evs.map((e) => e.sequence_number)).toEqual(evs.map((_, i) => i));
    expect(evs[0]!.response).toMatchObject({ status: "in_progress", output: [], usage: null });
    expect(evs[4]).toMatchObject({ delta: "5 km = 3.1 mi", output_index: 0, content_index: 0 });
    expect(evs.at(-1)!.response).toBe(r);
  });

  it("function calls stream their arguments; an incomplete response ends with response.incomplete", () => {
    const r = ok(completionToResponse(completion({ content: null, tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: "{}" } }] }, "length"), base));
    const evs = responseEvents(r);
    expect(evs.map((e) => e.type)).toEqual(["response.created", "response.in_progress", "response.output_item.added", "response.function_call_arguments.delta", "response.function_call_arguments.done", "response.output_item.done", "response.incomplete"]);
    expect(evs[2]!.item).toMatchObject({ type: "function_call", arguments: "", status: "in_progress" });
  });
});

const normalized = <T,>(value: T): unknown => normalizedIds(value);

describe("completionToResponse and responseEvents: a whole reply", () => {
  it("reasoning, text parts (others left out), a refusal, tool calls (an id made, arguments absent): the Response and every event", () => {
    const message = {
      role: "assistant",
      reasoning_content: "2+2",
      content: [{ type: "text", text: "It is " }, { type: "image_url", image_url: { url: "u" } }, { type: "text", text: 4 }, null, { type: "text", text: "4" }],
      refusal: "Not that.",
      tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: '{"a":1}' } }, { function: { name: "g" } }],
    };
    const r = ok(completionToResponse({ choices: [{ index: 0, message, finish_reason: "tool_calls" }], usage: { prompt_tokens: 7, completion_tokens: 3 } }, { id: "resp_1", created_at: 1700000000, model: "gpt-x", echo: {} }));
    expect(normalized(r)).toEqual({"id": "resp_1", "object": "response", "created_at": 1700000000, "status": "completed", "background": false, "completed_at": "NOW", "error": null, "incomplete_details": null, "model": "gpt-x", "output": [{"id": "rs_0", "type": "reasoning", "summary": [], "content": [{"type": "reasoning_text", "text": "2+2"}], "status": "completed"}, {"id": "msg_1", "type": "message", "role": "assistant", "status": "completed", "content": [{"type": "output_text", "text": "It is 4", "annotations": [], "logprobs": []}, {"type": "refusal", "refusal": "Not that."}]}, {"id": "fc_2", "type": "function_call", "status": "completed", "call_id": "c1", "name": "f", "arguments": "{\"a\":1}"}, {"id": "fc_3", "type": "function_call", "status": "completed", "call_id": "call_1", "name": "g", "arguments": ""}], "usage": {"input_tokens": 7, "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0}, "output_tokens": 3, "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 10}});
    expect(normalized(responseEvents(r))).toEqual([
      {"type": "response.created", "response": {"id": "resp_1", "object": "response", "created_at": 1700000000, "status": "in_progress", "background": false, "completed_at": null, "error": null, "incomplete_details": null, "model": "gpt-x", "output": [], "usage": null}, "sequence_number": 0},
      {"type": "response.in_progress", "response": {"id": "resp_1", "object": "response", "created_at": 1700000000, "status": "in_progress", "background": false, "completed_at": null, "error": null, "incomplete_details": null, "model": "gpt-x", "output": [], "usage": null}, "sequence_number": 1},
      {"type": "response.output_item.added", "output_index": 0, "item": {"id": "rs_0", "type": "reasoning", "summary": [], "content": [], "status": "in_progress"}, "sequence_number": 2},
      {"type": "response.content_part.added", "item_id": "rs_0", "output_index": 0, "content_index": 0, "part": {"type": "reasoning_text", "text": ""}, "sequence_number": 3},
      {"type": "response.reasoning_text.delta", "item_id": "rs_0", "output_index": 0, "content_index": 0, "delta": "2+2", "sequence_number": 4},
      {"type": "response.reasoning_text.done", "item_id": "rs_0", "output_index": 0, "content_index": 0, "text": "2+2", "sequence_number": 5},
      {"type": "response.content_part.done", "item_id": "rs_0", "output_index": 0, "content_index": 0, "part": {"type": "reasoning_text", "text": "2+2"}, "sequence_number": 6},
      {"type": "response.output_item.done", "output_index": 0, "item": {"id": "rs_0", "type": "reasoning", "summary": [], "content": [{"type": "reasoning_text", "text": "2+2"}], "status": "completed"}, "sequence_number": 7},
      {"type": "response.output_item.added", "output_index": 1, "item": {"id": "msg_1", "type": "message", "role": "assistant", "status": "in_progress", "content": []}, "sequence_number": 8},
      {"type": "response.content_part.added", "item_id": "msg_1", "output_index": 1, "content_index": 0, "part": {"type": "output_text", "text": "", "annotations": [], "logprobs": []}, "sequence_number": 9},
      {"type": "response.output_text.delta", "item_id": "msg_1", "output_index": 1, "content_index": 0, "delta": "It is 4", "logprobs": [], "sequence_number": 10},
      {"type": "response.output_text.done", "item_id": "msg_1", "output_index": 1, "content_index": 0, "text": "It is 4", "logprobs": [], "sequence_number": 11},
      {"type": "response.content_part.done", "item_id": "msg_1", "output_index": 1, "content_index": 0, "part": {"type": "output_text", "text": "It is 4", "annotations": [], "logprobs": []}, "sequence_number": 12},
      {"type": "response.content_part.added", "item_id": "msg_1", "output_index": 1, "content_index": 1, "part": {"type": "refusal", "refusal": ""}, "sequence_number": 13},
      {"type": "response.refusal.delta", "item_id": "msg_1", "output_index": 1, "content_index": 1, "delta": "Not that.", "sequence_number": 14},
      {"type": "response.refusal.done", "item_id": "msg_1", "output_index": 1, "content_index": 1, "refusal": "Not that.", "sequence_number": 15},
      {"type": "response.content_part.done", "item_id": "msg_1", "output_index": 1, "content_index": 1, "part": {"type": "refusal", "refusal": "Not that."}, "sequence_number": 16},
      {"type": "response.output_item.done", "output_index": 1, "item": {"id": "msg_1", "type": "message", "role": "assistant", "status": "completed", "content": [{"type": "output_text", "text": "It is 4", "annotations": [], "logprobs": []}, {"type": "refusal", "refusal": "Not that."}]}, "sequence_number": 17},
      {"type": "response.output_item.added", "output_index": 2, "item": {"id": "fc_2", "type": "function_call", "status": "in_progress", "call_id": "c1", "name": "f", "arguments": ""}, "sequence_number": 18},
      {"type": "response.function_call_arguments.delta", "item_id": "fc_2", "output_index": 2, "delta": "{\"a\":1}", "sequence_number": 19},
      {"type": "response.function_call_arguments.done", "item_id": "fc_2", "output_index": 2, "arguments": "{\"a\":1}", "sequence_number": 20},
      {"type": "response.output_item.done", "output_index": 2, "item": {"id": "fc_2", "type": "function_call", "status": "completed", "call_id": "c1", "name": "f", "arguments": "{\"a\":1}"}, "sequence_number": 21},
      {"type": "response.output_item.added", "output_index": 3, "item": {"id": "fc_3", "type": "function_call", "status": "in_progress", "call_id": "call_1", "name": "g", "arguments": ""}, "sequence_number": 22},
      {"type": "response.function_call_arguments.delta", "item_id": "fc_3", "output_index": 3, "delta": "", "sequence_number": 23},
      {"type": "response.function_call_arguments.done", "item_id": "fc_3", "output_index": 3, "arguments": "", "sequence_number": 24},
      {"type": "response.output_item.done", "output_index": 3, "item": {"id": "fc_3", "type": "function_call", "status": "completed", "call_id": "call_1", "name": "g", "arguments": ""}, "sequence_number": 25},
      {"type": "response.completed", "response": {"id": "resp_1", "object": "response", "created_at": 1700000000, "status": "completed", "background": false, "completed_at": "NOW", "error": null, "incomplete_details": null, "model": "gpt-x", "output": [{"id": "rs_0", "type": "reasoning", "summary": [], "content": [{"type": "reasoning_text", "text": "2+2"}], "status": "completed"}, {"id": "msg_1", "type": "message", "role": "assistant", "status": "completed", "content": [{"type": "output_text", "text": "It is 4", "annotations": [], "logprobs": []}, {"type": "refusal", "refusal": "Not that."}]}, {"id": "fc_2", "type": "function_call", "status": "completed", "call_id": "c1", "name": "f", "arguments": "{\"a\":1}"}, {"id": "fc_3", "type": "function_call", "status": "completed", "call_id": "call_1", "name": "g", "arguments": ""}], "usage": {"input_tokens": 7, "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0}, "output_tokens": 3, "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 10}}, "sequence_number": 26},
    ]);
  });
});

describe("responses-reply: edges", () => {
  const base2 = () => ({ id: "resp_1", created_at: 1, model: "m", echo: echoOf({}) });
  const reply = (message: Record<string, unknown>, extra: Record<string, unknown> = {}) => completionToResponse({ choices: [{ index: 0, message, finish_reason: "stop" }], ...extra }, base2());

  it("echoOf: the defaults of a bare request; verbosity, safety_identifier and prompt_cache_key when given; ids only when strings", () => {
    expect(echoOf({})).toEqual({
      instructions: null,
      max_output_tokens: null,
      metadata: {},
      parallel_tool_calls: true,
      previous_response_id: null,
      reasoning: { effort: null, summary: null },
      store: false,
      temperature: null,
      text: { format: { type: "text" } },
      tool_choice: "auto",
      tools: [],
      top_p: null,
      truncation: "disabled",
    });
    expect(echoOf({ text: { verbosity: "low" }, safety_identifier: "s", prompt_cache_key: "k" })).toMatchObject({ text: { format: { type: "text" }, verbosity: "low" }, safety_identifier: "s", prompt_cache_key: "k" });
    const odd = echoOf({ user: 5, safety_identifier: 6, prompt_cache_key: 7 });
    for (const key of ["user", "safety_identifier", "prompt_cache_key"]) expect(odd).not.toHaveProperty(key);
  });

  it("usage: counts that are not finite non-negative numbers are 0; a missing total is the sum", () => {
    expect(responsesUsage({ prompt_tokens: "5", completion_tokens: -2, total_tokens: 9, prompt_tokens_details: { cached_tokens: Infinity, cache_creation_tokens: 4 } })).toEqual({
      input_tokens: 0,
      input_tokens_details: { cached_tokens: 0, cache_write_tokens: 4 },
      output_tokens: 0,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 9,
    });
    expect(responsesUsage({ prompt_tokens: 2, completion_tokens: 3 }).total_tokens).toBe(5);
  });

  it("completed_at: now (in seconds) when completed, null when incomplete; never in the background", () => {
    const before = Math.floor(Date.now() / 1000);
    const r = ok(reply({ content: "x" }));
    expect(r.completed_at).toBeGreaterThanOrEqual(before);
    expect(r.completed_at).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(r.background).toBe(false);
    expect(ok(completionToResponse({ choices: [{ message: { content: "x" }, finish_reason: "length" }] }, base2())).completed_at).toBeNull();
  });

  it("an empty answer (no content member, empty reasoning and refusal) is one empty message; no usage member is usage null", () => {
    const r = ok(reply({ role: "assistant", reasoning_content: "", refusal: "" }));
    expect(normalized(r.output)).toEqual([{ id: "msg_0", type: "message", role: "assistant", status: "completed", content: [{ type: "output_text", text: "", annotations: [], logprobs: [] }] }]);
    expect(r.usage).toBeNull();
  });

  it("tool calls: a type other than function, or no function name, is refused naming the call", () => {
    expect(reply({ tool_calls: [{ type: "function", function: { name: "f" } }, { type: "custom", custom: { name: "g" } }] })).toEqual({ ok: false, param: "tool_calls.1", detail: "a 'custom' tool call has no Responses equivalent" });
    expect(reply({ tool_calls: [{ type: "function", function: {} }] })).toEqual({ ok: false, param: "tool_calls.0", detail: "a tool call without a function name" });
  });

  it("content parts: only text parts are the message's text", () => {
    expect(responseText(ok(reply({ content: [{ type: "text", text: "a" }, { type: "input_audio", text: "b" }] })))).toBe("a");
  });

  it("a reply without choices, or whose choice is not an object, is refused", () => {
    expect(completionToResponse({}, base2())).toEqual({ ok: false, param: "choices", detail: "the reply has no message" });
    expect(completionToResponse({ choices: [null] }, base2())).toEqual({ ok: false, param: "choices", detail: "the reply has no message" });
  });

  it("textResponse: one completed message with the output's text; the hop's counts as usage", () => {
    const r = textResponse(base2(), "plain", {});
    expect(normalized(r.output)).toEqual([{ id: "msg_0", type: "message", role: "assistant", status: "completed", content: [{ type: "output_text", text: "plain", annotations: [], logprobs: [] }] }]);
    expect(r).toMatchObject({ status: "completed", incomplete_details: null, usage: { input_tokens: 0, output_tokens: 0, total_tokens: 0 } });
  });

  it("responseText: only output_text parts with text, of message items with a list of parts", () => {
    expect(responseText({})).toBe("");
    const output = [
      null,
      { type: "function_call", content: [{ type: "output_text", text: "x" }] },
      { type: "message", content: "whole" },
      { type: "message", content: [{ type: "refusal", refusal: "r" }, { type: "output_text", text: 5 }, null, { type: "output_text", text: "a" }, { type: "other", text: "z" }] },
      { type: "message", content: [{ type: "output_text", text: "b" }] },
    ];
    expect(responseText({ output })).toBe("ab");
  });

  it("responseEvents: a response without output, and a message without parts", () => {
    expect(responseEvents({ status: "completed" }).map((e) => e.type)).toEqual(["response.created", "response.in_progress", "response.completed"]);
    const evs = responseEvents({ status: "completed", output: [{ id: "msg_x", type: "message" }] });
    expect(evs.slice(2, -1)).toEqual([
      { type: "response.output_item.added", output_index: 0, item: { id: "msg_x", type: "message", status: "in_progress", content: [] }, sequence_number: 2 },
      { type: "response.output_item.done", output_index: 0, item: { id: "msg_x", type: "message" }, sequence_number: 3 },
    ]);
  });
});
