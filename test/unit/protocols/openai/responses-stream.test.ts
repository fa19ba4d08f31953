import { describe, expect, it } from "vitest";
import { ChatSseToResponseSse, ChunksToResponseEvents as Machine } from "../../../../worker/protocols/openai/responses-stream.ts";
import { normalizedIds } from "../../../support/responses-ids.ts";

type Ev = { type: string; [k: string]: any };
/** The machine, its events typed loosely for reading. */
class ChunksToResponseEvents {
  readonly #m: Machine;
  constructor(base: ConstructorParameters<typeof Machine>[0]) {
    this.#m = new Machine(base);
  }
  push = (c: Record<string, unknown>) => this.#m.push(c) as Ev[];
  end = () => this.#m.end() as { complete: boolean; events: Ev[] };
  fail = (message: string, code?: string) => this.#m.fail(message, code) as Ev[];
}

const base = { id: "resp_1", created_at: 1, model: "endpoint-model", echo: {} };
const chunk = (delta: Record<string, unknown>, finish_reason: string | null = null, extra: Record<string, unknown> = {}) => ({ id: "c", object: "chat.completion.chunk", model: "gpt-x", choices: [{ index: 0, delta, finish_reason }], ...extra });
const data = (c: unknown) => `data: ${typeof c === "string" ? c : JSON.stringify(c)}\n\n`;
/** Parses SSE text into events, checking `event:` names the type. */
const parse = (text: string) =>
  text
    .split("\n\n")
    .filter((e) => e.trim())
    .map((e) => {
      const [ev, d] = e.split("\n");
      const obj = JSON.parse(d!.slice(6));
      expect(ev).toBe(`event: ${obj.type}`);
      return obj as { type: string; [k: string]: any };
    });

describe("ChunksToResponseEvents", () => {
  it("text: created, in_progress, the item and part, deltas, then the dones and completed with usage", () => {
    const s = new ChunksToResponseEvents(base);
    const evs = [
      ...s.push(chunk({ role: "assistant", content: "" })),
      ...s.push(chunk({ content: "Hel" })),
      ...s.push(chunk({ content: "lo" })),
      ...s.push(chunk({}, "stop")),
      ...s.push({ choices: [], usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } }),
    ];
    const end = s.end();
    expect(end.complete).toBe(true);
    const all = [...evs, ...end.events];
    expect(all.map((e) => e.type)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(all.map((e) => e.sequence_number)).toEqual(all.map((_, i) => i));
    expect(all[0]!.response).toMatchObject({ id: "resp_1", model: "gpt-x", status: "in_progress", output: [] });
    expect(all[6]).toMatchObject({ text: "Hello", output_index: 0, content_index: 0 });
    const done = all.at(-1)!.response;
    expect(done).toMatchObject({ id: "resp_1", status: "completed", usage: { input_tokens: 5, output_tokens: 2, total_tokens: 7 } });
    expect(done.output).toEqual([{ id: all[2]!.item.id, type: "message", role: "assistant", status: "completed", content: [{ type: "output_text", text: "Hello", annotations: [], logprobs: [] }] }]);
  });

  it("text then two tool calls: each call its own item with argument deltas; output indices in order", () => {
    const s = new ChunksToResponseEvents(base);
    const evs = [
      ...s.push(chunk({ content: "Checking." })),
      ...s.push(chunk({ tool_calls: [{ index: 0, id: "call_a", type: "function", function: { name: "f", arguments: "" } }] })),
      ...s.push(chunk({ tool_calls: [{ index: 0, function: { arguments: '{"x":' } }] })),
      ...s.push(chunk({ tool_calls: [{ index: 0, function: { arguments: "1}" } }] })),
      ...s.push(chunk({ tool_calls: [{ index: 1, id: "call_b", type: "function", function: { name: "g", arguments: "{}" } }] })),
      ...s.push(chunk({}, "tool_calls")),
      ...s.end().events,
    ];
    const added = evs.filter((e) => e.type === "response.output_item.added");
    expect(added.map((e) => [e.output_index, e.item.type, e.item.name])).toEqual([[0, "message", undefined], [1, "function_call", "f"], [2, "function_call", "g"]]);
    expect(evs.filter((e) => e.type === "response.function_call_arguments.done").map((e) => e.arguments)).toEqual(['{"x":1}', "{}"]);
    const done = evs.at(-1)!.response;
    expect(done.status).toBe("completed");
    expect(done.output.map((i: any) => i.call_id ?? i.type)).toEqual(["message", "call_a", "call_b"]);
  });

  it("refusal and reasoning deltas; length → response.incomplete", () => {
    const s = new ChunksToResponseEvents(base);
    const evs = [...s.push(chunk({ reasoning_content: "think" })), ...s.push(chunk({ refusal: "No" })), ...s.push(chunk({}, "length")), ...s.end().events];
    expect(evs.filter((e) => e.type.endsWith(".delta")).map((e) => e.type)).toEqual(["response.reasoning_text.delta", "response.refusal.delta"]);
    const done = evs.at(-1)!;
    expect(done.type).toBe("response.incomplete");
    expect(done.response).toMatchObject({ status: "incomplete", incomplete_details: { reason: "max_output_tokens" } });
    expect(done.response.output.map((i: any) => i.type)).toEqual(["reasoning", "message"]);
  });

  it("no finish reason at the end is not complete; fail gives response.failed then an error event", () => {
    const s = new ChunksToResponseEvents(base);
    s.push(chunk({ content: "Hel" }));
    expect(s.end().complete).toBe(false);
    const failed = s.fail("cut", "server_error");
    expect(failed.map((e) => e.type)).toEqual(["response.failed", "error"]);
    expect(failed[0]!.response).toMatchObject({ id: "resp_1", status: "failed", error: { code: "server_error", message: "cut" } });
    expect(failed[1]).toMatchObject({ code: "server_error", message: "cut", param: null });
  });
});

describe("ChatSseToResponseSse", () => {
  it("a whole stream in arbitrary pieces", () => {
    const t = new ChatSseToResponseSse(base);
    const text = data(chunk({ content: "Hi" })) + data(chunk({}, "stop")) + data("[DONE]");
    let out = "";
    for (let i = 0; i < text.length; i += 7) out += t.push(text.slice(i, i + 7));
    out += t.end();
    expect(t.over).toBe(true);
    expect(t.failure).toBeUndefined();
    expect(parse(out).at(-1)!.type).toBe("response.completed");
  });

  it("an upstream error event, garbage, a [DONE] without a finish reason, an early end: response.failed and error, nothing after", () => {
    const cases: [string, boolean][] = [
      [data(chunk({ content: "Hi" })) + data({ error: { message: "upstream broke", code: "server_error" } }) + data(chunk({ content: "more" })), false],
      [data(chunk({ content: "Hi" })) + data("{not json"), true],
      [data(chunk({ content: "Hi" })) + data("[DONE]"), true],
    ];
    for (const [text, ours] of cases) {
      const t = new ChatSseToResponseSse(base);
      const evs = parse(t.push(text) + t.end());
      expect(evs.slice(-2).map((e) => e.type), text).toEqual(["response.failed", "error"]);
      expect(evs.some((e) => e.type === "response.completed")).toBe(false);
      expect(t.failure !== undefined).toBe(ours);
    }
    const cut = new ChatSseToResponseSse(base);
    const evs = parse(cut.push(data(chunk({ content: "Hi" }))) + cut.end());
    expect(evs.at(-1)).toMatchObject({ type: "error", message: "the stream ended before it was complete" });
  });
});

const normalized = (events: unknown[]): unknown[] => normalizedIds(events) as unknown[];

describe("ChunksToResponseEvents: the whole event list", () => {
  it("reasoning, text, a refusal between texts, tool calls (a name arriving late, an id made), usage: every event as OpenAI streams it", () => {
    const s = new ChunksToResponseEvents(base);
    const evs = [
      ...s.push(chunk({ role: "assistant", content: "", reasoning_content: "", refusal: "" }, null, { usage: null })),
      ...s.push(chunk({ reasoning_content: "think" })),
      ...s.push(chunk({ content: "Hel" })),
      ...s.push(chunk({ content: "lo" })),
      ...s.push(chunk({ refusal: "N" })),
      ...s.push(chunk({ refusal: "o" })),
      ...s.push(chunk({ content: "!" })),
      ...s.push(chunk({ tool_calls: [null, { index: 0, id: "call_a", type: "function", function: { name: "f", arguments: "" } }] })),
      ...s.push(chunk({ tool_calls: [{ index: 0, function: { arguments: '{"x":1}' } }] })),
      ...s.push(chunk({ tool_calls: [{ index: 1, function: { name: "", arguments: "" } }] })),
      ...s.push(chunk({ tool_calls: [{ index: 1, function: { name: "g", arguments: "{}" } }] })),
      ...s.push(chunk({ tool_calls: [{ index: 1, function: { name: "h" } }] })),
      ...s.push(chunk({}, "tool_calls")),
      ...s.push({ choices: [], usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } }),
      ...s.end().events,
    ];
    expect(normalized(evs)).toEqual([
      {"type": "response.created", "response": {"id": "resp_1", "object": "response", "created_at": 1, "status": "in_progress", "background": false, "completed_at": null, "error": null, "incomplete_details": null, "model": "gpt-x", "output": [], "usage": null}, "sequence_number": 0},
      {"type": "response.in_progress", "response": {"id": "resp_1", "object": "response", "created_at": 1, "status": "in_progress", "background": false, "completed_at": null, "error": null, "incomplete_details": null, "model": "gpt-x", "output": [], "usage": null}, "sequence_number": 1},
      {"type": "response.output_item.added", "output_index": 0, "item": {"id": "rs_0", "type": "reasoning", "summary": [], "content": [], "status": "in_progress"}, "sequence_number": 2},
      {"type": "response.content_part.added", "item_id": "rs_0", "output_index": 0, "content_index": 0, "part": {"type": "reasoning_text", "text": ""}, "sequence_number": 3},
      {"type": "response.reasoning_text.delta", "item_id": "rs_0", "output_index": 0, "content_index": 0, "delta": "think", "sequence_number": 4},
      {"type": "response.reasoning_text.done", "item_id": "rs_0", "output_index": 0, "content_index": 0, "text": "think", "sequence_number": 5},
      {"type": "response.content_part.done", "item_id": "rs_0", "output_index": 0, "content_index": 0, "part": {"type": "reasoning_text", "text": "think"}, "sequence_number": 6},
      {"type": "response.output_item.done", "output_index": 0, "item": {"id": "rs_0", "type": "reasoning", "summary": [], "content": [{"type": "reasoning_text", "text": "think"}], "status": "completed"}, "sequence_number": 7},
      {"type": "response.output_item.added", "output_index": 1, "item": {"id": "msg_1", "type": "message", "role": "assistant", "content": [], "status": "in_progress"}, "sequence_number": 8},
      {"type": "response.content_part.added", "item_id": "msg_1", "output_index": 1, "content_index": 0, "part": {"type": "output_text", "text": "", "annotations": [], "logprobs": []}, "sequence_number": 9},
      {"type": "response.output_text.delta", "item_id": "msg_1", "output_index": 1, "content_index": 0, "delta": "Hel", "logprobs": [], "sequence_number": 10},
      {"type": "response.output_text.delta", "item_id": "msg_1", "output_index": 1, "content_index": 0, "delta": "lo", "logprobs": [], "sequence_number": 11},
      {"type": "response.output_text.done", "item_id": "msg_1", "output_index": 1, "content_index": 0, "text": "Hello", "logprobs": [], "sequence_number": 12},
      {"type": "response.content_part.done", "item_id": "msg_1", "output_index": 1, "content_index": 0, "part": {"type": "output_text", "text": "Hello", "annotations": [], "logprobs": []}, "sequence_number": 13},
      {"type": "response.content_part.added", "item_id": "msg_1", "output_index": 1, "content_index": 1, "part": {"type": "refusal", "refusal": ""}, "sequence_number": 14},
      {"type": "response.refusal.delta", "item_id": "msg_1", "output_index": 1, "content_index": 1, "delta": "N", "sequence_number": 15},
      {"type": "response.refusal.delta", "item_id": "msg_1", "output_index": 1, "content_index": 1, "delta": "o", "sequence_number": 16},
      {"type": "response.refusal.done", "item_id": "msg_1", "output_index": 1, "content_index": 1, "refusal": "No", "sequence_number": 17},
      {"type": "response.content_part.done", "item_id": "msg_1", "output_index": 1, "content_index": 1, "part": {"type": "refusal", "refusal": "No"}, "sequence_number": 18},
      {"type": "response.content_part.added", "item_id": "msg_1", "output_index": 1, "content_index": 2, "part": {"type": "output_text", "text": "", "annotations": [], "logprobs": []}, "sequence_number": 19},
      {"type": "response.output_text.delta", "item_id": "msg_1", "output_index": 1, "content_index": 2, "delta": "!", "logprobs": [], "sequence_number": 20},
      {"type": "response.output_text.done", "item_id": "msg_1", "output_index": 1, "content_index": 2, "text": "!", "logprobs": [], "sequence_number": 21},
      {"type": "response.content_part.done", "item_id": "msg_1", "output_index": 1, "content_index": 2, "part": {"type": "output_text", "text": "!", "annotations": [], "logprobs": []}, "sequence_number": 22},
      {"type": "response.output_item.done", "output_index": 1, "item": {"id": "msg_1", "type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Hello", "annotations": [], "logprobs": []}, {"type": "refusal", "refusal": "No"}, {"type": "output_text", "text": "!", "annotations": [], "logprobs": []}], "status": "completed"}, "sequence_number": 23},
      {"type": "response.output_item.added", "output_index": 2, "item": {"id": "fc_2", "type": "function_call", "call_id": "call_a", "name": "f", "arguments": "", "status": "in_progress"}, "sequence_number": 24},
      {"type": "response.function_call_arguments.delta", "item_id": "fc_2", "output_index": 2, "delta": "{\"x\":1}", "sequence_number": 25},
      {"type": "response.function_call_arguments.done", "item_id": "fc_2", "output_index": 2, "arguments": "{\"x\":1}", "sequence_number": 26},
      {"type": "response.output_item.done", "output_index": 2, "item": {"id": "fc_2", "type": "function_call", "call_id": "call_a", "name": "f", "arguments": "{\"x\":1}", "status": "completed"}, "sequence_number": 27},
      {"type": "response.output_item.added", "output_index": 3, "item": {"id": "fc_3", "type": "function_call", "call_id": "call_1", "name": "", "arguments": "", "status": "in_progress"}, "sequence_number": 28},
      {"type": "response.function_call_arguments.delta", "item_id": "fc_3", "output_index": 3, "delta": "{}", "sequence_number": 29},
      {"type": "response.function_call_arguments.done", "item_id": "fc_3", "output_index": 3, "arguments": "{}", "sequence_number": 30},
      {"type": "response.output_item.done", "output_index": 3, "item": {"id": "fc_3", "type": "function_call", "call_id": "call_1", "name": "g", "arguments": "{}", "status": "completed"}, "sequence_number": 31},
      {"type": "response.completed", "response": {"id": "resp_1", "object": "response", "created_at": 1, "status": "completed", "background": false, "completed_at": "NOW", "error": null, "incomplete_details": null, "model": "gpt-x", "output": [{"id": "rs_0", "type": "reasoning", "summary": [], "content": [{"type": "reasoning_text", "text": "think"}], "status": "completed"}, {"id": "msg_1", "type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Hello", "annotations": [], "logprobs": []}, {"type": "refusal", "refusal": "No"}, {"type": "output_text", "text": "!", "annotations": [], "logprobs": []}], "status": "completed"}, {"id": "fc_2", "type": "function_call", "call_id": "call_a", "name": "f", "arguments": "{\"x\":1}", "status": "completed"}, {"id": "fc_3", "type": "function_call", "call_id": "call_1", "name": "g", "arguments": "{}", "status": "completed"}], "usage": {"input_tokens": 5, "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0}, "output_tokens": 2, "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 7}}, "sequence_number": 32},
    ]);
  });
});

describe("ChunksToResponseEvents: edges", () => {
  const bare = (delta: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ choices: [{ index: 0, delta }], ...extra });

  it("the model is the first chunk's, when it names one; later chunks do not change it", () => {
    const s = new ChunksToResponseEvents(base);
    s.push(bare({ content: "a" }, { model: "" }));
    s.push(bare({ content: "b" }, { model: "later" }));
    s.push(chunk({}, "stop", { model: "later" }));
    expect(s.end().events.at(-1)!.response.model).toBe("endpoint-model");
    const t = new ChunksToResponseEvents(base);
    t.push(bare({ content: "a" }, { model: 5 }));
    t.push(chunk({}, "stop"));
    expect(t.end().events.at(-1)!.response.model).toBe("endpoint-model");
  });

  it("a usage: null after the usage does not erase it; no usage at all is null", () => {
    const s = new ChunksToResponseEvents(base);
    s.push(chunk({ content: "a" }, "stop", { usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } }));
    s.push({ choices: [], usage: null });
    expect(s.end().events.at(-1)!.response.usage).toMatchObject({ input_tokens: 3, output_tokens: 1, total_tokens: 4 });
    const t = new ChunksToResponseEvents(base);
    t.push(chunk({ content: "a" }, "stop", { usage: null }));
    expect(t.end().events.at(-1)!.response.usage).toBeNull();
  });

  it("only the choice of index 0 is read, wherever it stands", () => {
    const s = new ChunksToResponseEvents(base);
    const evs = s.push({ choices: [{ index: 1, delta: { content: "other" } }, { index: 0, delta: { content: "mine" } }] });
    expect(evs.filter((e) => e.type === "response.output_text.delta").map((e) => e.delta)).toEqual(["mine"]);
  });

  it("a chunk without a finish_reason member finishes nothing", () => {
    const s = new ChunksToResponseEvents(base);
    s.push(bare({ content: "a" }));
    expect(s.end()).toEqual({ complete: false, events: [] });
  });

  it("an empty answer is one message with one empty output_text, no delta", () => {
    const s = new ChunksToResponseEvents(base);
    const evs = normalized([...s.push(chunk({ role: "assistant" }, "stop")), ...s.end().events]) as Ev[];
    const text = { type: "output_text", text: "", annotations: [], logprobs: [] };
    expect(evs.slice(2, -1)).toEqual([
      { type: "response.output_item.added", output_index: 0, item: { id: "msg_0", type: "message", role: "assistant", content: [], status: "in_progress" }, sequence_number: 2 },
      { type: "response.content_part.added", item_id: "msg_0", output_index: 0, content_index: 0, part: text, sequence_number: 3 },
      { type: "response.output_text.done", item_id: "msg_0", output_index: 0, content_index: 0, text: "", logprobs: [], sequence_number: 4 },
      { type: "response.content_part.done", item_id: "msg_0", output_index: 0, content_index: 0, part: text, sequence_number: 5 },
      { type: "response.output_item.done", output_index: 0, item: { id: "msg_0", type: "message", role: "assistant", content: [text], status: "completed" }, sequence_number: 6 },
    ]);
    expect(evs.at(-1)).toMatchObject({ type: "response.completed", response: { output: [{ id: "msg_0", content: [text] }], usage: null } });
  });

  it("tool calls: no index is index 0; an empty id is replaced; no name is an empty name; arguments that are not text are not appended", () => {
    const s = new ChunksToResponseEvents(base);
    const evs = [...s.push(chunk({ tool_calls: [{ id: "", function: { arguments: { a: 1 } } }] })), ...s.push(chunk({}, "tool_calls")), ...s.end().events];
    expect(evs.filter((e) => e.type === "response.function_call_arguments.delta")).toEqual([]);
    expect(evs.at(-1)!.response.output).toEqual([{ id: expect.stringMatching(/^fc_/), type: "function_call", call_id: "call_0", name: "", arguments: "", status: "completed" }]);
  });

  it("fail before any chunk opens the response first; the code defaults to server_error", () => {
    const s = new ChunksToResponseEvents(base);
    const evs = s.fail("broke");
    expect(evs.map((e) => e.type)).toEqual(["response.created", "response.in_progress", "response.failed", "error"]);
    expect(evs[2]!.response).toMatchObject({ status: "failed", error: { code: "server_error", message: "broke" }, output: [], usage: null, completed_at: null });
    expect(evs[3]).toEqual({ type: "error", code: "server_error", message: "broke", param: null, sequence_number: 3 });
  });
});

describe("ChatSseToResponseSse: edges", () => {
  it("[DONE] with spaces around it ends the response", () => {
    const t = new ChatSseToResponseSse(base);
    const evs = parse(t.push(data(chunk({ content: "Hi" })) + data(chunk({}, "stop")) + "data:  [DONE] \n\n"));
    expect(evs.at(-1)!.type).toBe("response.completed");
    expect(t.over).toBe(true);
  });

  it("the translation's own failures say what it saw", () => {
    const failure = (text: string) => {
      const t = new ChatSseToResponseSse(base);
      const evs = parse(t.push(text));
      expect(evs.at(-1)).toMatchObject({ type: "error", code: "server_error", message: t.failure });
      return t.failure;
    };
    expect(failure(data(chunk({ content: "Hi" })) + data("[DONE]"))).toBe("the stream ended without a finish reason");
    expect(failure(data("{not json"))).toBe("the specialist's stream sent an event that is not JSON");
    expect(failure(data("[1]"))).toBe("the specialist's stream sent an event that is not a JSON object");
    expect(failure(data("5"))).toBe("the specialist's stream sent an event that is not a JSON object");
  });

  it("an upstream error event: its message and code, or defaults; not the translation's failure", () => {
    const error = (e: unknown) => {
      const t = new ChatSseToResponseSse(base);
      const evs = parse(t.push(data(chunk({ content: "Hi" })) + data({ error: e })));
      expect(t.failure).toBeUndefined();
      return evs.at(-1);
    };
    expect(error({ message: "slow down", code: "rate_limit_exceeded" })).toMatchObject({ type: "error", code: "rate_limit_exceeded", message: "slow down" });
    expect(error({ message: 7, code: 429 })).toMatchObject({ type: "error", code: "server_error", message: "the specialist's stream failed" });
  });

  it("an error that is not an object is a chunk like any other", () => {
    const t = new ChatSseToResponseSse(base);
    expect(parse(t.push(data({ ...chunk({ content: "Hi" }), error: "odd" }))).map((e) => e.type)).toContain("response.output_text.delta");
    expect(t.over).toBe(false);
  });

  it("after a failure nothing more is sent, and the end adds nothing", () => {
    const t = new ChatSseToResponseSse(base);
    t.push(data({ error: { message: "down" } }));
    expect(t.push(data(chunk({ content: "more" })) + data(chunk({}, "stop")) + data("[DONE]"))).toBe("");
    expect(t.end()).toBe("");
  });

  it("an early end is a failure of the stream, not the translation's finding", () => {
    const t = new ChatSseToResponseSse(base);
    t.push(data(chunk({ content: "Hi" })));
    expect(parse(t.end()).at(-1)).toMatchObject({ type: "error", code: "server_error", message: "the stream ended before it was complete" });
    expect(t.failure).toBeUndefined();
  });
});

describe("ChunksToResponseEvents: what later chunks do not undo", () => {
  it("a chunk after the finish with finish_reason null leaves the response finished", () => {
    const s = new ChunksToResponseEvents(base);
    s.push(chunk({ content: "a" }, "stop"));
    s.push({ choices: [{ index: 0, delta: {}, finish_reason: null }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } });
    expect(s.end().complete).toBe(true);
  });

  it("an empty reasoning_content opens no reasoning item", () => {
    const s = new ChunksToResponseEvents(base);
    s.push(chunk({ content: "a", reasoning_content: "" }));
    s.push(chunk({ content: "b", reasoning_content: "" }, "stop"));
    expect(s.end().events.at(-1)!.response.output.map((i: any) => i.type)).toEqual(["message"]);
  });

  it("a call whose name came empty keeps it when later deltas name none", () => {
    const s = new ChunksToResponseEvents(base);
    s.push(chunk({ tool_calls: [{ index: 0, id: "c", function: { name: "", arguments: "" } }] }));
    s.push(chunk({ tool_calls: [{ index: 0, function: { arguments: "{}" } }] }, "tool_calls"));
    expect(s.end().events.at(-1)!.response.output).toEqual([expect.objectContaining({ call_id: "c", name: "", arguments: "{}" })]);
  });
});
