import type { RawMessageStreamEvent } from "@anthropic-ai/sdk/resources/messages";
import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import { describe, expect, expectTypeOf, it } from "vitest";
import { anthropicError, ChunksToMessageStream, MessageStreamToChunks, sseEvent } from "../../../../worker/protocols/anthropic/stream-translate.ts";
import type { Chunk } from "../../../../worker/protocols/anthropic/types.ts";
import { parseStreamEvent } from "../../../../worker/protocols/anthropic/wire.ts";

/** Parses an Anthropic SSE stream (as the streaming docs show it) into events, checking each `event:` name matches its data's type. */
function events(sse: string) {
  return sse
    .trim()
    .split(/\n\n+/)
    .map((block) => {
      const name = /^event: (.+)$/m.exec(block)![1];
      const data: unknown = JSON.parse(/^data: (.+)$/m.exec(block)![1]!);
      const parsed = parseStreamEvent(data);
      if (!parsed.ok) throw new Error(parsed.detail);
      expect(parsed.event.type).toBe(name);
      return parsed.event;
    });
}

const start = (usage = '{"input_tokens": 25, "output_tokens": 1}') =>
  `event: message_start
data: {"type": "message_start", "message": {"id": "msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY", "type": "message", "role": "assistant", "content": [], "model": "claude-sonnet-4-5-20250929", "stop_reason": null, "stop_sequence": null, "usage": ${usage}}}`;

/** Streaming Messages, "Basic streaming request". */
const TEXT = `${start()}

event: content_block_start
data: {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}

event: ping
data: {"type": "ping"}

event: content_block_delta
data: {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hello"}}

event: content_block_delta
data: {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "!"}}

event: content_block_stop
data: {"type": "content_block_stop", "index": 0}

event: message_delta
data: {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence":null}, "usage": {"output_tokens": 15}}

event: message_stop
data: {"type": "message_stop"}`;

/** Streaming Messages, "Streaming request with tool use" (two tool calls, to show their index among tool calls). */
const TOOLS = `${start('{"input_tokens": 472, "output_tokens": 2}')}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Okay, let's check the weather for San Francisco, CA:"}}

event: content_block_stop
data: {"type":"content_block_stop","index":0}

event: content_block_start
data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{}}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"location\\":"}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":" \\"San Fra"}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"ncisco, CA\\"}"}}

event: content_block_stop
data: {"type":"content_block_stop","index":1}

event: content_block_start
data: {"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_02","name":"get_time","input":{}}}

event: content_block_delta
data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\\"tz\\": \\"PST\\"}"}}

event: content_block_stop
data: {"type":"content_block_stop","index":2}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}

event: message_stop
data: {"type":"message_stop"}`;

/** Streaming Messages, "Streaming request with extended thinking". */
const THINKING = `${start('{"input_tokens": 40, "output_tokens": 1, "cache_read_input_tokens": 30, "cache_creation_input_tokens": 0}')}

event: content_block_start
data: {"type": "content_block_start", "index": 0, "content_block": {"type": "thinking", "thinking": "", "signature": ""}}

event: content_block_delta
data: {"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", "thinking": "I need to find the GCD of 1071 and 462 using the Euclidean algorithm.\\n\\n1071 = 2 × 462 + 147"}}

event: content_block_delta
data: {"type": "content_block_delta", "index": 0, "delta": {"type": "signature_delta", "signature": "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds"}}

event: content_block_stop
data: {"type": "content_block_stop", "index": 0}

event: content_block_start
data: {"type": "content_block_start", "index": 1, "content_block": {"type": "text", "text": ""}}

event: content_block_delta
data: {"type": "content_block_delta", "index": 1, "delta": {"type": "text_delta", "text": "The greatest common divisor of 1071 and 462 is **21**."}}

event: content_block_stop
data: {"type": "content_block_stop", "index": 1}

event: message_delta
data: {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": null}, "usage": {"output_tokens": 120, "output_tokens_details": {"thinking_tokens": 90}}}

event: message_stop
data: {"type": "message_stop"}`;

const at = { created: 1_700_000_000, model: "claude-sonnet-4-5" };

/** Runs events through the machine; every step must succeed. */
function run(sse: string, includeUsage = false, o: { id?: string } = {}) {
  const s = new MessageStreamToChunks({ ...at, ...o, includeUsage });
  const chunks: Chunk[] = [];
  for (const e of events(sse)) {
    const step = s.push(e);
    if (!step.ok) throw new Error(step.error.message);
    chunks.push(...step.chunks);
  }
  return { s, chunks, deltas: chunks.map((c) => c.choices[0]?.delta) };
}

describe("MessageStreamToChunks: Anthropic events → chat.completion.chunk", () => {
  it("a text stream: the role first, text deltas as content, the finish chunk; complete at message_stop", () => {
    const { s, chunks, deltas } = run(TEXT);
    expect(chunks[0]).toEqual({ id: "msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY", object: "chat.completion.chunk", created: 1_700_000_000, model: "claude-sonnet-4-5", choices: [{ index: 0, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null }] });
    expect(deltas).toEqual([{ role: "assistant", content: "" }, { content: "Hello" }, { content: "!" }, {}]);
    expect(chunks.map((c) => c.choices[0]?.finish_reason)).toEqual([null, null, null, "stop"]);
    expect(chunks.every((c) => !("usage" in c))).toBe(true);
    expect(s.end()).toEqual({ complete: true });
    expectTypeOf(chunks[0]!).toExtend<ChatCompletionChunk>();
  });

  it("the id can be given (the router's own)", () => {
    expect(run(TEXT, false, { id: "chatcmpl-7" }).chunks.every((c) => c.id === "chatcmpl-7")).toBe(true);
  });

  it("with includeUsage: usage null on every chunk, then a usage chunk with choices: [] at message_stop", () => {
    const { s, chunks } = run(TEXT, true);
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    expect(chunks.at(-1)).toEqual({ id: "msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY", object: "chat.completion.chunk", created: 1_700_000_000, model: "claude-sonnet-4-5", choices: [], usage: { prompt_tokens: 25, completion_tokens: 15, total_tokens: 40, prompt_tokens_details: { cached_tokens: 0 } } });
    expect(s.usage).toEqual(chunks.at(-1)!.usage);
  });

  it("tool use: each tool_use block is a tool call at its index among tool calls (not the block index), arguments streamed", () => {
    const { deltas, chunks } = run(TOOLS);
    expect(deltas).toEqual([
      { role: "assistant", content: "" },
      { content: "Okay, let's check the weather for San Francisco, CA:" },
      { tool_calls: [{ index: 0, id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6", type: "function", function: { name: "get_weather", arguments: "" } }] },
      { tool_calls: [{ index: 0, function: { arguments: '{"location":' } }] },
      { tool_calls: [{ index: 0, function: { arguments: ' "San Fra' } }] },
      { tool_calls: [{ index: 0, function: { arguments: 'ncisco, CA"}' } }] },
      { tool_calls: [{ index: 1, id: "toolu_02", type: "function", function: { name: "get_time", arguments: "" } }] },
      { tool_calls: [{ index: 1, function: { arguments: '{"tz": "PST"}' } }] },
      {},
    ]);
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe("tool_calls");
    const args = deltas.flatMap((d) => d?.tool_calls ?? []).filter((t) => t.index === 0).map((t) => t.function?.arguments ?? "").join("");
    expect(JSON.parse(args)).toEqual({ location: "San Francisco, CA" });
  });

  it("thinking: deltas → reasoning_content, the signature dropped; usage with cache reads and thinking tokens", () => {
    const { deltas, s } = run(THINKING, true);
    expect(deltas.slice(0, 4)).toEqual([
      { role: "assistant", content: "" },
      { reasoning_content: "I need to find the GCD of 1071 and 462 using the Euclidean algorithm.\n\n1071 = 2 × 462 + 147" },
      { content: "The greatest common divisor of 1071 and 462 is **21**." },
      {},
    ]);
    expect(s.usage).toEqual({ prompt_tokens: 70, completion_tokens: 120, total_tokens: 190, prompt_tokens_details: { cached_tokens: 30 }, completion_tokens_details: { reasoning_tokens: 90 } });
  });

  it("stop reasons map as in replies: max_tokens → length, refusal → content_filter", () => {
    for (const [stop, finish] of [["max_tokens", "length"], ["refusal", "content_filter"], ["stop_sequence", "stop"]] as const) {
      const { chunks } = run(TEXT.replace('"stop_reason": "end_turn"', `"stop_reason": "${stop}"`));
      expect(chunks.at(-1)!.choices[0]!.finish_reason, stop).toBe(finish);
    }
  });

  it("an error event mid-stream is a failure, not a chunk, and the stream is not complete", () => {
    const s = new MessageStreamToChunks({ ...at, includeUsage: false });
    const [first, , second] = events(TEXT);
    expect(s.push(first!).ok).toBe(true);
    expect(s.push(second!).ok).toBe(true);
    const [err] = events(`event: error\ndata: {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}`);
    expect(s.push(err!)).toEqual({ ok: false, error: { type: "overloaded_error", message: "Overloaded" } });
    expect(s.end()).toEqual({ complete: false });
  });

  it("a stream cut before message_stop (even after its finish chunk) is not complete", () => {
    const s = new MessageStreamToChunks({ ...at, includeUsage: false });
    for (const e of events(TEXT).slice(0, -1)) expect(s.push(e).ok).toBe(true);
    expect(s.end()).toEqual({ complete: false });
  });

  it("message_stop without message_delta still ends with a finish chunk", () => {
    const s = new MessageStreamToChunks({ ...at, includeUsage: false });
    const all = events(TEXT);
    for (const e of all.slice(0, 5)) s.push(e);
    const last = s.push(all.at(-1)!);
    expect(last.ok && last.chunks.map((c) => c.choices[0]!.finish_reason)).toEqual(["stop"]);
  });

  it("events out of order are failures: a delta before message_start, a delta for a block that did not start, a second message_start", () => {
    const delta = { type: "content_block_delta" as const, index: 0, delta: { type: "text_delta" as const, text: "x" } };
    expect(new MessageStreamToChunks({ ...at, includeUsage: false }).push(delta)).toMatchObject({ ok: false, error: { type: "invalid_stream" } });
    const s = new MessageStreamToChunks({ ...at, includeUsage: false });
    const [first] = events(TEXT);
    s.push(first!);
    expect(s.push({ ...delta, index: 3 })).toMatchObject({ ok: false });
    expect(s.push(first!)).toMatchObject({ ok: false });
  });

  it("ping, citations and unknown event types give nothing; events after message_stop are ignored", () => {
    const { s } = run(TEXT);
    expect(s.push({ type: "ping" })).toEqual({ ok: true, chunks: [] });
    const s2 = new MessageStreamToChunks({ ...at, includeUsage: false });
    s2.push(events(TEXT)[0]!);
    expect(s2.push({ type: "tool_change", anything: 1 })).toEqual({ ok: true, chunks: [] });
    s2.push({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } });
    expect(s2.push({ type: "content_block_delta", index: 0, delta: { type: "citations_delta", citation: {} } })).toEqual({ ok: true, chunks: [] });
  });
});

describe("ChunksToMessageStream: chat.completion.chunk → Anthropic events", () => {
  const chunk = (delta: Record<string, unknown>, finish: string | null = null, extra: Record<string, unknown> = {}) => ({ id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model: "gpt-x", choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }], ...extra });
  function run(chunks: Record<string, unknown>[], o: { inputTokens?: number } = {}) {
    const s = new ChunksToMessageStream({ id: "msg_router1", model: "auto", ...o });
    const out: RawMessageStreamEvent[] = [];
    for (const c of chunks) {
      const step = s.push(c);
      if (!step.ok) throw new Error(step.detail);
      out.push(...step.events);
    }
    const end = s.end();
    return { out: [...out, ...end.events], complete: end.complete };
  }

  it("a text stream: message_start (input tokens 0 when unknown), one text block, message_delta with the usage chunk's output, message_stop", () => {
    const { out, complete } = run([chunk({ role: "assistant", content: "" }), chunk({ content: "Hel" }), chunk({ content: "lo" }), chunk({}, "stop"), { id: "chatcmpl-1", choices: [], usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 } }]);
    expect(complete).toBe(true);
    expect(out.map((e) => e.type)).toEqual(["message_start", "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop", "message_delta", "message_stop"]);
    expect(out[0]).toMatchObject({ type: "message_start", message: { id: "msg_router1", type: "message", role: "assistant", content: [], model: "auto", stop_reason: null, usage: { input_tokens: 0, output_tokens: 0 } } });
    expect(out[1]).toEqual({ type: "content_block_start", index: 0, content_block: { type: "text", text: "", citations: null } });
    expect(out[2]).toEqual({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Hel" } });
    expect(out[4]).toEqual({ type: "content_block_stop", index: 0 });
    expect(out[5]).toMatchObject({ type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { input_tokens: 9, output_tokens: 2 } });
  });

  it("message_start carries the input tokens when the caller knows them", () => {
    const { out } = run([chunk({ content: "x" }), chunk({}, "stop")], { inputTokens: 42 });
    expect(out[0]).toMatchObject({ message: { usage: { input_tokens: 42 } } });
    expect(out.at(-2)).toMatchObject({ usage: { input_tokens: 42 } });
  });

  it("tool calls: one tool_use block per index, arguments as input_json_delta, stop_reason tool_use", () => {
    const { out } = run([
      chunk({ role: "assistant", content: "Checking." }),
      chunk({ tool_calls: [{ index: 0, id: "call_a", type: "function", function: { name: "weather", arguments: "" } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"Rome"}' } }] }),
      chunk({ tool_calls: [{ index: 1, id: "call_b", type: "function", function: { name: "now", arguments: "{}" } }] }),
      chunk({}, "tool_calls"),
    ]);
    expect(out.slice(1, -2)).toEqual([
      { type: "content_block_start", index: 0, content_block: { type: "text", text: "", citations: null } },
      { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Checking." } },
      { type: "content_block_stop", index: 0 },
      { type: "content_block_start", index: 1, content_block: { type: "tool_use", id: "call_a", name: "weather", input: {}, caller: { type: "direct" } } },
      { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: '{"city":' } },
      { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: '"Rome"}' } },
      { type: "content_block_stop", index: 1 },
      { type: "content_block_start", index: 2, content_block: { type: "tool_use", id: "call_b", name: "now", input: {}, caller: { type: "direct" } } },
      { type: "content_block_delta", index: 2, delta: { type: "input_json_delta", partial_json: "{}" } },
      { type: "content_block_stop", index: 2 },
    ]);
    expect(out.at(-2)).toMatchObject({ type: "message_delta", delta: { stop_reason: "tool_use" } });
  });

  it("finish reasons map as in replies: length → max_tokens, content_filter → refusal; a refusal delta is text with stop_reason refusal", () => {
    expect(run([chunk({ content: "x" }), chunk({}, "length")]).out.at(-2)).toMatchObject({ delta: { stop_reason: "max_tokens" } });
    expect(run([chunk({ content: "x" }), chunk({}, "content_filter")]).out.at(-2)).toMatchObject({ delta: { stop_reason: "refusal" } });
    const r = run([chunk({ refusal: "I can't." }), chunk({}, "stop")]).out;
    expect(r[2]).toEqual({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "I can't." } });
    expect(r.at(-2)).toMatchObject({ delta: { stop_reason: "refusal" } });
  });

  it("a stream that ends without a finish reason is not complete and sends no closing events", () => {
    const s = new ChunksToMessageStream({ id: "m", model: "auto" });
    s.push(chunk({ content: "partial" }));
    expect(s.end()).toEqual({ complete: false, events: [] });
    expect(new ChunksToMessageStream({ id: "m", model: "auto" }).end()).toEqual({ complete: false, events: [] });
  });

  it("failures: a tool call starting without id or name, a tool call resumed after another block, arguments that are not a JSON object", () => {
    const fresh = () => new ChunksToMessageStream({ id: "m", model: "auto" });
    expect(fresh().push(chunk({ tool_calls: [{ index: 0, function: { arguments: "{}" } }] }))).toMatchObject({ ok: false });
    const s = fresh();
    s.push(chunk({ tool_calls: [{ index: 0, id: "a", type: "function", function: { name: "f", arguments: "{}" } }] }));
    s.push(chunk({ tool_calls: [{ index: 1, id: "b", type: "function", function: { name: "g", arguments: "{}" } }] }));
    expect(s.push(chunk({ tool_calls: [{ index: 0, function: { arguments: " " } }] }))).toMatchObject({ ok: false, detail: expect.stringContaining("reopen") });
    const t = fresh();
    t.push(chunk({ tool_calls: [{ index: 0, id: "a", type: "function", function: { name: "f", arguments: '{"a":' } }] }));
    expect(t.push(chunk({}, "tool_calls"))).toMatchObject({ ok: false, detail: expect.stringContaining("not a JSON object") });
  });

  it("reasoning_content is dropped; chunks after the finish add nothing but usage", () => {
    const { out } = run([chunk({ reasoning_content: "hm" }), chunk({ content: "42" }), chunk({}, "stop"), chunk({ content: "late" })]);
    expect(out.filter((e) => e.type === "content_block_delta")).toEqual([{ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "42" } }]);
  });

  it("the translated events parse as Anthropic stream events (round trip through the wire schema)", () => {
    const { out } = run([chunk({ content: "a" }), chunk({ tool_calls: [{ index: 0, id: "c", type: "function", function: { name: "f", arguments: "{}" } }] }), chunk({}, "tool_calls")]);
    for (const e of out) expect(parseStreamEvent(JSON.parse(JSON.stringify(e))), e.type).toMatchObject({ ok: true });
  });
});

describe("Anthropic ⇄ OpenAI ⇄ Anthropic streams", () => {
  it("the tool-use stream survives Anthropic → chunks → Anthropic: same blocks, arguments and stop reason", () => {
    const a = new MessageStreamToChunks({ ...at, includeUsage: true });
    const b = new ChunksToMessageStream({ id: "msg_x", model: "claude" });
    const back: RawMessageStreamEvent[] = [];
    for (const e of events(TOOLS)) {
      const step = a.push(e);
      if (!step.ok) throw new Error(step.error.message);
      for (const c of step.chunks) {
        const s = b.push(c);
        if (!s.ok) throw new Error(s.detail);
        back.push(...s.events);
      }
    }
    back.push(...b.end().events);
    const original = events(TOOLS).filter((e) => e.type.startsWith("content_block") && !(e.type === "content_block_delta" && (e as { delta: { partial_json?: string } }).delta.partial_json === ""));
    expect(back.filter((e) => e.type.startsWith("content_block"))).toEqual(
      original.map((e) => (e.type === "content_block_start" ? { ...e, content_block: { ...(e as { content_block: object }).content_block, ...(((e as { content_block: { type: string } }).content_block.type === "text") ? { citations: null } : { caller: { type: "direct" } }) } } : e)),
    );
    expect(back.at(-2)).toMatchObject({ type: "message_delta", delta: { stop_reason: "tool_use" }, usage: { input_tokens: 472, output_tokens: 89 } });
  });
});

describe("sseEvent and anthropicError", () => {
  it("writes event: <type> and data: <json>, then a blank line", () => {
    expect(sseEvent({ type: "message_stop" })).toBe('event: message_stop\ndata: {"type":"message_stop"}\n\n');
  });

  it("builds Anthropic's error body", () => {
    const e = anthropicError("overloaded_error", "Overloaded");
    expect(e).toEqual({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } });
    expect(sseEvent(e)).toBe('event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n');
  });
});

describe("MessageStreamToChunks: edges of each event", () => {
  type Pushed = Parameters<MessageStreamToChunks["push"]>[0];
  const messageStart = { type: "message_start", message: { id: "msg_1", type: "message", role: "assistant", content: [], model: "claude", stop_reason: null, stop_sequence: null, usage: { input_tokens: 10, output_tokens: 1 } } } as Pushed;
  /** A started machine and what each further event gives (its chunks' deltas, or its failure). */
  function started(includeUsage = false) {
    const s = new MessageStreamToChunks({ ...at, includeUsage });
    s.push(messageStart);
    const push = (e: Record<string, unknown>) => s.push(e as Pushed);
    const deltas = (e: Record<string, unknown>) => {
      const step = push(e);
      if (!step.ok) throw new Error(step.error.message);
      return step.chunks.map((c) => c.choices[0]?.delta);
    };
    return { s, push, deltas };
  }
  const blockStart = (index: number, content_block: Record<string, unknown>) => ({ type: "content_block_start", index, content_block });
  const blockDelta = (index: number, delta: Record<string, unknown>) => ({ type: "content_block_delta", index, delta });

  it("events after message_stop give nothing, even a delta of an open block", () => {
    const { push } = started();
    push(blockStart(0, { type: "text", text: "" }));
    push({ type: "message_stop" });
    expect(push(blockDelta(0, { type: "text_delta", text: "late" }))).toEqual({ ok: true, chunks: [] });
  });

  it("ping and unknown events give nothing even before message_start", () => {
    const s = new MessageStreamToChunks({ ...at, includeUsage: false });
    expect(s.push({ type: "ping" })).toEqual({ ok: true, chunks: [] });
    expect(s.push({ type: "future_event" } as Pushed)).toEqual({ ok: true, chunks: [] });
  });

  it("the failures say what came out of order", () => {
    const fresh = new MessageStreamToChunks({ ...at, includeUsage: false });
    expect(fresh.push(blockStart(0, { type: "text", text: "" }) as Pushed)).toEqual({ ok: false, error: { type: "invalid_stream", message: "the Anthropic stream sent content_block_start before message_start" } });
    const { push } = started();
    expect(push(messageStart)).toEqual({ ok: false, error: { type: "invalid_stream", message: "the Anthropic stream sent a second message_start" } });
    expect(push(blockDelta(3, { type: "text_delta", text: "x" }))).toEqual({ ok: false, error: { type: "invalid_stream", message: "the Anthropic stream sent a delta for block 3, which has not started" } });
  });

  it("a block that starts with content: text → content, thinking → reasoning_content, tool input → whole arguments", () => {
    const { deltas } = started();
    expect(deltas(blockStart(0, { type: "text", text: "Hi" }))).toEqual([{ content: "Hi" }]);
    expect(deltas(blockStart(1, { type: "thinking", thinking: "hm", signature: "" }))).toEqual([{ reasoning_content: "hm" }]);
    expect(deltas(blockStart(2, { type: "tool_use", id: "t1", name: "f", input: { a: 1 } }))).toEqual([{ tool_calls: [{ index: 0, id: "t1", type: "function", function: { name: "f", arguments: '{"a":1}' } }] }]);
    expect(deltas(blockStart(3, { type: "redacted_thinking", data: "x", text: "not read", thinking: "not read" }))).toEqual([]);
  });

  it("a tool_use block without id or name gives empty strings for them", () => {
    expect(started().deltas(blockStart(0, { type: "tool_use", input: {} }))).toEqual([{ tool_calls: [{ index: 0, id: "", type: "function", function: { name: "", arguments: "" } }] }]);
  });

  it("a delta gives content only by its type and its block: other members, or JSON for a text block, give nothing", () => {
    const { deltas } = started();
    deltas(blockStart(0, { type: "text", text: "" }));
    deltas(blockStart(1, { type: "tool_use", id: "t1", name: "f", input: {} }));
    expect(deltas(blockDelta(0, { type: "input_json_delta", partial_json: '{"a":1}' }))).toEqual([]);
    expect(deltas(blockDelta(0, { type: "future_delta", text: "x", thinking: "y" }))).toEqual([]);
    expect(deltas(blockDelta(1, { type: "future_delta", partial_json: '{"a":1}' }))).toEqual([]);
    expect(deltas(blockDelta(1, { type: "input_json_delta", partial_json: '{"a":1}' }))).toEqual([{ tool_calls: [{ index: 0, function: { arguments: '{"a":1}' } }] }]);
  });

  it("message_delta: without a stop reason no chunk; without usage the start's usage stays; null usage members change nothing", () => {
    const { s, deltas } = started(true);
    expect(deltas({ type: "message_delta", delta: { stop_reason: null, stop_sequence: null }, usage: { output_tokens: 3, input_tokens: null, cache_read_input_tokens: null } })).toEqual([]);
    expect(s.usage).toEqual({ prompt_tokens: 10, completion_tokens: 3, total_tokens: 13, prompt_tokens_details: { cached_tokens: 0 } });
    expect(deltas({ type: "message_delta", delta: { stop_reason: null, stop_sequence: null }, usage: { output_tokens: 3, input_tokens: undefined } })).toEqual([]);
    expect(s.usage).toEqual({ prompt_tokens: 10, completion_tokens: 3, total_tokens: 13, prompt_tokens_details: { cached_tokens: 0 } });
    expect(deltas({ type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null } })).toEqual([{}]);
    expect(s.usage).toEqual({ prompt_tokens: 10, completion_tokens: 3, total_tokens: 13, prompt_tokens_details: { cached_tokens: 0 } });
  });
});

describe("ChunksToMessageStream: edges of each chunk", () => {
  const chunk = (delta: Record<string, unknown>, finish: string | null = null, extra: Record<string, unknown> = {}) => ({ choices: [{ index: 0, delta, finish_reason: finish }], ...extra });
  const call = (index: unknown, fn: Record<string, unknown>, id: unknown = `call_${String(index)}`) => ({ tool_calls: [{ index, id, type: "function", function: fn }] });
  const fresh = () => new ChunksToMessageStream({ id: "m", model: "auto" });
  const events = (s: ChunksToMessageStream, c: Record<string, unknown>) => {
    const step = s.push(c);
    if (!step.ok) throw new Error(step.detail);
    return step.events;
  };

  it("a usage: null after the usage arrived does not erase it", () => {
    const s = fresh();
    events(s, chunk({ content: "x" }, "stop", { usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } }));
    events(s, { choices: [], usage: null });
    expect(s.end().events[0]).toMatchObject({ type: "message_delta", usage: { input_tokens: 5, output_tokens: 2 } });
  });

  it("only the choice of index 0 is read, wherever it stands", () => {
    const s = fresh();
    const out = events(s, { choices: [{ index: 1, delta: { content: "other" }, finish_reason: null }, { index: 0, delta: { content: "mine" }, finish_reason: null }] });
    expect(out.filter((e) => e.type === "content_block_delta")).toEqual([{ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "mine" } }]);
  });

  it("tool calls make the stop reason tool_use even when the finish reason says stop", () => {
    const s = fresh();
    events(s, chunk(call(0, { name: "f", arguments: "{}" })));
    events(s, chunk({}, "stop"));
    expect(s.end().events[0]).toMatchObject({ delta: { stop_reason: "tool_use" } });
  });

  it("a tool call delta without a numeric index fails", () => {
    expect(fresh().push(chunk(call("0", { name: "f", arguments: "{}" })))).toEqual({ ok: false, detail: "a tool call delta has no index" });
    expect(fresh().push(chunk({ tool_calls: ["x"] }))).toEqual({ ok: false, detail: "a tool call delta has no index" });
  });

  it("a tool call starting without an id, or without a name, fails", () => {
    expect(fresh().push(chunk(call(0, { name: "f", arguments: "{}" }, null)))).toEqual({ ok: false, detail: "tool call 0 starts without an id and a function name" });
    expect(fresh().push(chunk(call(0, { arguments: "{}" })))).toEqual({ ok: false, detail: "tool call 0 starts without an id and a function name" });
  });

  it("a tool call that starts without arguments sends no input_json_delta", () => {
    const s = fresh();
    expect(events(s, chunk(call(0, { name: "f" })))).toEqual([
      { type: "message_start", message: expect.objectContaining({ id: "m" }) },
      { type: "content_block_start", index: 0, content_block: { type: "tool_use", id: "call_0", name: "f", input: {}, caller: { type: "direct" } } },
    ]);
    events(s, chunk({}, "tool_calls"));
    expect(s.end().complete).toBe(true);
  });

  it("a tool call resumed after a text block began fails", () => {
    const s = fresh();
    events(s, chunk(call(0, { name: "f", arguments: "" })));
    events(s, chunk({ content: "meanwhile" }));
    expect(s.push(chunk({ tool_calls: [{ index: 0, function: { arguments: "{}" } }] }))).toMatchObject({ ok: false, detail: expect.stringContaining("resumed after another block began") });
  });

  it("a block that starts after a tool call whose arguments are not a JSON object fails, naming that call", () => {
    const detail = "tool call 0's arguments are not a JSON object";
    const s = fresh();
    events(s, chunk(call(0, { name: "f", arguments: "[1]" })));
    expect(s.push(chunk(call(1, { name: "g", arguments: "{}" })))).toEqual({ ok: false, detail });
    const t = fresh();
    events(t, chunk(call(0, { name: "f", arguments: "nope" })));
    expect(t.push(chunk({ content: "text" }))).toEqual({ ok: false, detail });
  });
});
