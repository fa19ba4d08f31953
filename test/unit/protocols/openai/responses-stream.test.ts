import { describe, expect, it } from "vitest";
import { ChatSseToResponseSse, ChunksToResponseEvents as Machine } from "../../../../worker/protocols/openai/responses-stream.ts";

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
