import { describe, expect, it } from "vitest";
import { completionToResponse, echoOf, responseEvents, responsesUsage, responseText, textResponse } from "../../../../worker/protocols/openai/responses-reply.ts";

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
