/**
 * Streams both ways, as pure incremental state machines: push one parsed event, get
 * the events to send; `end()` when the upstream stream ends says whether it was
 * complete, so a cut stream is reported as truncated, never as success. Sources:
 * Anthropic, "Streaming Messages" (event flow: `message_start`, per block
 * `content_block_start` / `_delta` / `_stop`, `message_delta`, `message_stop`, with
 * `ping` and `error` anywhere); OpenAI API reference, "The chat completion chunk object".
 *
 * - {@link MessageStreamToChunks}: Anthropic events → `chat.completion.chunk`s (an
 *   `anthropic` specialist behind the OpenAI front door).
 * - {@link ChunksToMessageStream}: `chat.completion.chunk`s → Anthropic events (the
 *   Anthropic front door in front of an OpenAI-format specialist); {@link sseEvent}
 *   writes one as Anthropic sends it.
 */
import type { CompletionUsage } from "openai/resources/completions";
import type { RawMessageStreamEvent, StopReason } from "@anthropic-ai/sdk/resources/messages";
import { anthropicUsage, finishReason, openAIUsage, parseArguments, stopReason } from "./replies.ts";
import { isObj, type Chunk, type Obj } from "./types.ts";
import type { OtherEvent, StreamEvent, WireUsage } from "./wire.ts";

type Delta = Chunk["choices"][number]["delta"];

/** What one pushed Anthropic event gives: chunks to send, or the failure it stands for. */
export type ChunkStep = { ok: true; chunks: Chunk[] } | { ok: false; error: { type: string; message: string } };

/**
 * Anthropic events → OpenAI chunks. The first chunk (on `message_start`) carries
 * `role: "assistant"` and `content: ""`; text deltas → `content`; thinking deltas →
 * the non-standard `reasoning_content` (signatures dropped); a `tool_use` block start
 * → a `tool_calls` delta with the call's `index` among tool calls (not the block's),
 * `id`, `type: "function"`, `function.name` and `arguments: ""`; `input_json_delta`s →
 * `arguments` deltas at that index; `message_delta`'s stop reason → the finish chunk
 * (see `finishReason`); on `message_stop`, with `includeUsage`, a usage chunk
 * (`choices: []`; every other chunk then has `usage: null`, as OpenAI's do). An
 * `error` event, or an event out of order, is `{ ok: false }`: the caller fails the
 * stream (an error event, no `[DONE]`). `ping`, `content_block_stop`, signature and
 * citation deltas and unknown event types give nothing.
 *
 * @example
 * const s = new MessageStreamToChunks({ created: 1700000000, model: "claude-sonnet-4-5", includeUsage: false });
 * s.push({ type: "message_start", message }); // { ok: true, chunks: [{ …, choices: [{ index: 0, delta: { role: "assistant", content: "" }, … }] }] }
 * s.push({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Hi" } }); // a chunk with delta { content: "Hi" }
 * s.end(); // { complete: false } until message_stop was pushed
 */
export class MessageStreamToChunks {
  readonly #o: { id?: string | undefined; created: number; model: string; includeUsage: boolean };
  // Stryker disable next-line StringLiteral: set from message_start before any chunk is made (every other event before it is nothing or a failure)
  #id = "";
  #started = false;
  #stopped = false;
  #finished = false;
  #tools = 0;
  /** Block index → what it is: its tool call index for a tool_use, else its type. */
  readonly #blocks = new Map<number, number | string>();
  #usage: WireUsage | undefined;

  constructor(o: { id?: string | undefined; created: number; model: string; includeUsage: boolean }) {
    this.#o = o;
  }

  push(event: StreamEvent | OtherEvent): ChunkStep {
    if (this.#stopped) return { ok: true, chunks: [] };
    const e = event as StreamEvent;
    if (e.type === "error") return { ok: false, error: { type: e.error.type, message: e.error.message } };
    // Stryker disable next-line StringLiteral: "ping" is not in KNOWN either, so the second test gives it nothing all the same
    if (e.type === "ping" || !KNOWN.has(e.type)) return { ok: true, chunks: [] };
    if (e.type === "message_start") {
      if (this.#started) return fault("a second message_start");
      this.#started = true;
      this.#id = this.#o.id ?? e.message.id;
      this.#usage = e.message.usage;
      return { ok: true, chunks: [this.#chunk({ role: "assistant", content: "" })] };
    }
    if (!this.#started) return fault(`${e.type} before message_start`);
    switch (e.type) {
      case "content_block_start": {
        const b = e.content_block;
        if (b.type === "tool_use") {
          const index = this.#tools++;
          this.#blocks.set(e.index, index);
          const args = isObj(b.input) && Object.keys(b.input).length ? JSON.stringify(b.input) : "";
          return this.#out({ tool_calls: [{ index, id: b.id ?? "", type: "function", function: { name: b.name ?? "", arguments: args } }] });
        }
        this.#blocks.set(e.index, b.type);
        if (b.type === "text" && b.text) return this.#out({ content: b.text });
        if (b.type === "thinking" && b.thinking) return this.#out({ reasoning_content: b.thinking });
        return { ok: true, chunks: [] };
      }
      case "content_block_delta": {
        const block = this.#blocks.get(e.index);
        if (block === undefined) return fault(`a delta for block ${e.index}, which has not started`);
        const d = e.delta as { type: string; text?: string; thinking?: string; partial_json?: string };
        if (d.type === "text_delta" && d.text) return this.#out({ content: d.text });
        if (d.type === "thinking_delta" && d.thinking) return this.#out({ reasoning_content: d.thinking });
        if (d.type === "input_json_delta" && typeof block === "number" && d.partial_json) return this.#out({ tool_calls: [{ index: block, function: { arguments: d.partial_json } }] });
        return { ok: true, chunks: [] };
      }
      case "message_delta": {
        if (e.usage) this.#usage = { ...this.#usage!, ...definedOf(e.usage) };
        if (!e.delta.stop_reason) return { ok: true, chunks: [] };
        this.#finished = true;
        return { ok: true, chunks: [this.#chunk({}, finishReason(e.delta.stop_reason))] };
      }
      case "message_stop": {
        this.#stopped = true;
        const chunks = this.#finished ? [] : [this.#chunk({}, "stop")];
        if (this.#o.includeUsage) chunks.push({ ...this.#base(), choices: [], usage: this.usage ?? null });
        return { ok: true, chunks };
      }
      default:
        return { ok: true, chunks: [] }; // content_block_stop: OpenAI has no block boundaries
    }
  }

  /** Whether the stream was complete: it reached `message_stop`. A stream cut before is truncated. */
  end(): { complete: boolean } {
    return { complete: this.#stopped };
  }

  /** The usage so far in OpenAI's terms (final once `message_stop` was pushed). */
  get usage(): CompletionUsage | undefined {
    return this.#usage ? openAIUsage(this.#usage) : undefined;
  }

  #base() {
    return { id: this.#id, object: "chat.completion.chunk" as const, created: this.#o.created, model: this.#o.model };
  }

  #chunk(delta: Delta, finish: Chunk["choices"][number]["finish_reason"] = null): Chunk {
    return { ...this.#base(), choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...(this.#o.includeUsage ? { usage: null } : {}) };
  }

  #out(delta: Delta): ChunkStep {
    return { ok: true, chunks: [this.#chunk(delta)] };
  }
}

const KNOWN = new Set(["message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop"]);
const fault = (message: string): ChunkStep => ({ ok: false, error: { type: "invalid_stream", message: `the Anthropic stream sent ${message}` } });
const definedOf = (o: Obj): Obj => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined));

/** What one pushed chunk gives: events to send, or why the stream cannot be carried on. */
export type EventStep = { ok: true; events: RawMessageStreamEvent[] } | { ok: false; detail: string };

/**
 * OpenAI chunks → Anthropic events. The first chunk opens the message (`message_start`,
 * with `inputTokens` when known, else 0); each run of text (`content`, or `refusal`)
 * and each tool call (by its `index`) is one block: `content_block_start`, its deltas
 * (`text_delta`, `input_json_delta`), `content_block_stop`. The finish reason closes
 * the open block; `end()` then sends `message_delta` (stop reason as `stopReason`,
 * output usage from the usage chunk when there was one) and `message_stop`. Failures
 * (`{ ok: false }`): a tool call without an id or name, deltas of a tool call that
 * resume after another block began (Anthropic cannot reopen a block), arguments that
 * are not a JSON object. `reasoning_content` deltas are dropped, as in
 * `completionToMessage`. Choices other than the first are ignored (`n > 1` is refused
 * on the way in).
 *
 * @example
 * const s = new ChunksToMessageStream({ id: "msg_1", model: "auto" });
 * s.push({ choices: [{ index: 0, delta: { role: "assistant", content: "Hi" }, finish_reason: null }] });
 * // { ok: true, events: [message_start, content_block_start (text), content_block_delta (text_delta "Hi")] }
 * s.push({ choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }); // [content_block_stop]
 * s.end(); // { complete: true, events: [message_delta (end_turn), message_stop] }
 */
export class ChunksToMessageStream {
  readonly #o: { id: string; model: string; inputTokens?: number | undefined };
  #started = false;
  #next = 0;
  #open: OpenBlock | undefined;
  readonly #args = new Map<number, string>();
  #finish: unknown = null;
  #refusal = false;
  #usage: unknown;

  constructor(o: { id: string; model: string; inputTokens?: number | undefined }) {
    this.#o = o;
  }

  push(chunk: Obj): EventStep {
    const events: RawMessageStreamEvent[] = [];
    if (!this.#started) {
      this.#started = true;
      events.push({ type: "message_start", message: this.#message() });
    }
    if (isObj(chunk.usage)) this.#usage = chunk.usage;
    const choice = Array.isArray(chunk.choices) ? chunk.choices.find((c) => isObj(c) && (c.index ?? 0) === 0) : undefined;
    if (!isObj(choice) || this.#finish !== null) return { ok: true, events };
    const delta = isObj(choice.delta) ? choice.delta : {};
    for (const [text, refusal] of [[delta.content, false], [delta.refusal, true]] as const) {
      if (typeof text !== "string" || text === "") continue;
      if (refusal) this.#refusal = true;
      if (this.#open?.kind !== "text") {
        // a tool call whose arguments are not a JSON object cannot be closed: the stream fails here, and no text goes into its block
        const failed = this.#begin(events, { kind: "text" }, { type: "text", text: "", citations: null });
        if (failed) return { ok: false, detail: failed };
      }
      events.push({ type: "content_block_delta", index: this.#next - 1, delta: { type: "text_delta", text } });
    }
    for (const call of Array.isArray(delta.tool_calls) ? delta.tool_calls : []) {
      const failed = this.#toolDelta(call, events);
      if (failed) return { ok: false, detail: failed };
    }
    if (choice.finish_reason != null) {
      this.#finish = choice.finish_reason;
      const failed = this.#close(events);
      if (failed) return { ok: false, detail: failed };
    }
    return { ok: true, events };
  }

  /** At the end of the upstream stream: the closing events, or `complete: false` when no finish reason came (truncated). */
  end(): { complete: boolean; events: RawMessageStreamEvent[] } {
    if (this.#finish === null) return { complete: false, events: [] };
    const u = anthropicUsage(this.#usage);
    const stop: StopReason = this.#refusal ? "refusal" : stopReason(this.#finish, this.#args.size > 0);
    const usage = { input_tokens: u.input_tokens || (this.#o.inputTokens ?? 0), output_tokens: u.output_tokens, cache_read_input_tokens: u.cache_read_input_tokens, cache_creation_input_tokens: u.cache_creation_input_tokens, output_tokens_details: u.output_tokens_details, server_tool_use: null };
    return {
      complete: true,
      events: [
        { type: "message_delta", delta: { stop_reason: stop, stop_sequence: null, stop_details: null, container: null }, usage },
        { type: "message_stop" },
      ],
    };
  }

  #message(): Extract<RawMessageStreamEvent, { type: "message_start" }>["message"] {
    const usage = { ...anthropicUsage(undefined), input_tokens: this.#o.inputTokens ?? 0 };
    return { id: this.#o.id, type: "message", role: "assistant", model: this.#o.model, content: [], stop_reason: null, stop_sequence: null, stop_details: null, container: null, diagnostics: null, usage };
  }

  #toolDelta(call: unknown, events: RawMessageStreamEvent[]): string | undefined {
    if (!isObj(call) || typeof call.index !== "number") return "a tool call delta has no index";
    const fn = isObj(call.function) ? call.function : {};
    const args = typeof fn.arguments === "string" ? fn.arguments : "";
    if (!this.#args.has(call.index)) {
      if (typeof call.id !== "string" || typeof fn.name !== "string") return `tool call ${call.index} starts without an id and a function name`;
      this.#args.set(call.index, "");
      const failed = this.#begin(events, { kind: "tool", call: call.index }, { type: "tool_use", id: call.id, name: fn.name, input: {}, caller: { type: "direct" } });
      if (failed) return failed;
    } else if (
      // Stryker disable next-line OptionalChaining: a started call had its block opened, and a block is closed only by opening the next (then one is open) or by the finish, after which no delta is read
      this.#open?.kind !== "tool" ||
      this.#open.call !== call.index
    ) {
      return `tool call ${call.index} resumed after another block began; Anthropic's stream cannot reopen a block`;
    }
    if (args === "") return undefined;
    this.#args.set(call.index, this.#args.get(call.index)! + args);
    events.push({ type: "content_block_delta", index: this.#next - 1, delta: { type: "input_json_delta", partial_json: args } });
    return undefined;
  }

  #begin(events: RawMessageStreamEvent[], open: OpenBlock, block: Extract<RawMessageStreamEvent, { type: "content_block_start" }>["content_block"]): string | undefined {
    const failed = this.#close(events);
    if (failed) return failed;
    this.#open = open;
    events.push({ type: "content_block_start", index: this.#next++, content_block: block });
    return undefined;
  }

  /** Closes the open block; a tool call whose arguments are not a JSON object fails. */
  #close(events: RawMessageStreamEvent[]): string | undefined {
    if (!this.#open) return undefined;
    if (this.#open.kind === "tool" && parseArguments(this.#args.get(this.#open.call)) === undefined) return `tool call ${this.#open.call}'s arguments are not a JSON object`;
    this.#open = undefined;
    events.push({ type: "content_block_stop", index: this.#next - 1 });
    return undefined;
  }

}

/** The block a chunk stream is in: a text run, or the tool call of an OpenAI `index`. */
type OpenBlock = { kind: "text" } | { kind: "tool"; call: number };

/**
 * One event as Anthropic streams it: `event: <type>`, `data: <json>`, a blank line
 * (Streaming Messages, "Event types").
 *
 * @example
 * sseEvent({ type: "message_stop" }) // 'event: message_stop\ndata: {"type":"message_stop"}\n\n'
 */
export function sseEvent(event: { type: string }): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/**
 * Anthropic's error body, for a response or a stream's `error` event (API reference,
 * "Errors": `invalid_request_error`, `authentication_error`, `permission_error`,
 * `not_found_error`, `request_too_large`, `rate_limit_error`, `api_error`,
 * `overloaded_error`).
 *
 * @example
 * anthropicError("overloaded_error", "Overloaded") // { type: "error", error: { type: "overloaded_error", message: "Overloaded" } }
 */
export function anthropicError(type: string, message: string): { type: "error"; error: { type: string; message: string } } {
  return { type: "error", error: { type, message } };
}
