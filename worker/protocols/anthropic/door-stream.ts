/**
 * Streams of the Anthropic front door, as pure incremental machines (no I/O):
 *
 * - {@link MessageStreamWatch} looks at an Anthropic stream passed through unchanged
 *   (an `anthropic` specialist): where its content starts, its usage, whether it
 *   reached `message_stop`, and its `error` event.
 * - {@link ChatSseToMessageSse} turns the Chat Completions event stream of any other
 *   chat model (the router's own stream, openai/stream.ts: chunks, then `[DONE]`, or
 *   an `{ error }` event) into Anthropic's events with `ChunksToMessageStream`. A
 *   stream that fails ends with an Anthropic `error` event, never `message_stop`.
 *
 * Sources: Anthropic, "Streaming Messages" (event types, error events); OpenAI API
 * reference, "Chat Completions › streaming".
 */
import { SseSplitter } from "../openai/sse.ts";
import { anthropicErrorType } from "./error-types.ts";
import { anthropicError, ChunksToMessageStream, sseEvent } from "./stream-translate.ts";
import { isObj, type Obj } from "./types.ts";
import { parseStreamEvent } from "./wire.ts";

/** What one event of a passed-through stream is, for the router. */
export type WatchStep =
  | { kind: "quiet" } // message_start, ping, an unknown type: no content yet
  | { kind: "content" } // a block or the message delta: the stream has started answering
  | { kind: "stop" } // message_stop: complete
  | { kind: "error"; error: { type: string; message: string } } // the upstream's error event
  | { kind: "invalid"; detail: string }; // not an event of the Messages stream

/**
 * Watches an Anthropic event stream event by event (each event's `data`, parsed).
 *
 * @example
 * const w = new MessageStreamWatch();
 * w.push({ type: "message_start", message }); // { kind: "quiet" }
 * w.push({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }); // { kind: "content" }
 * w.push({ type: "message_stop" }); // { kind: "stop" }
 * w.usage; // message_start's usage with message_delta's counts over it
 */
export class MessageStreamWatch {
  #usage: Obj | undefined;
  #stopped = false;

  push(data: unknown): WatchStep {
    const r = parseStreamEvent(data);
    if (!r.ok) return { kind: "invalid", detail: `an Anthropic stream event is not valid: ${r.detail}` };
    const e = r.event as Obj & { type: string };
    switch (e.type) {
      case "message_start":
        this.#usage = isObj((e.message as Obj).usage) ? { ...((e.message as Obj).usage as Obj) } : {};
        return { kind: "quiet" };
      case "message_delta":
        if (isObj(e.usage)) this.#usage = { ...this.#usage, ...Object.fromEntries(Object.entries(e.usage).filter(([, v]) => v !== null && v !== undefined)) };
        return { kind: "content" };
      case "content_block_start":
      case "content_block_delta":
      case "content_block_stop":
        return { kind: "content" };
      case "message_stop":
        this.#stopped = true;
        return { kind: "stop" };
      case "error": {
        const err = e.error as { type: string; message: string };
        return { kind: "error", error: { type: err.type, message: err.message } };
      }
      default:
        return { kind: "quiet" };
    }
  }

  /** The usage so far (final once `message_stop` came), in Anthropic's terms. */
  get usage(): Obj | undefined {
    return this.#usage;
  }

  get stopped(): boolean {
    return this.#stopped;
  }
}

/**
 * A Chat Completions event stream (as text, in pieces) → Anthropic events (as text).
 * Chunks go through {@link ChunksToMessageStream}; `[DONE]` sends its closing
 * `message_delta` and `message_stop`; an `{ error }` event, garbage, a chunk the
 * translation cannot carry (a tool call whose arguments are not a JSON object), or an
 * end with neither `[DONE]` nor an error becomes one Anthropic `error` event, and
 * nothing follows it.
 *
 * @example
 * const t = new ChatSseToMessageSse({ id: "msg_1", model: "fake-mini" });
 * t.push('data: {"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}\n\n'); // message_start, content_block_start, content_block_delta
 * t.push('data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n'); // content_block_stop, message_delta, message_stop
 * t.end(); // "" (complete)
 */
export class ChatSseToMessageSse {
  readonly #splitter = new SseSplitter();
  readonly #s: ChunksToMessageStream;
  #over = false;
  #failure: string | undefined;

  constructor(o: { id: string; model: string; inputTokens?: number | undefined }) {
    this.#s = new ChunksToMessageStream(o);
  }

  /** The Anthropic events for the next piece of the Chat Completions stream. */
  push(text: string): string {
    let out = "";
    for (const ev of this.#splitter.push(text)) {
      if (this.#over) break;
      out += this.#event(ev.data);
    }
    return out;
  }

  /** At the end of the Chat Completions stream: an error event unless it was complete or already failed. */
  end(): string {
    if (this.#over) return "";
    return this.#fail("api_error", "the stream ended before it was complete");
  }

  /** Why the stream failed, when it did because of what the translation saw (not an upstream error event). */
  get failure(): string | undefined {
    return this.#failure;
  }

  /** The stream is over: complete, or failed with an error event. */
  get over(): boolean {
    return this.#over;
  }

  #event(data: string): string {
    if (data.trim() === "[DONE]") {
      this.#over = true;
      const end = this.#s.end();
      if (!end.complete) return this.#fail("api_error", "the stream ended without a finish reason", true);
      return end.events.map(sseEvent).join("");
    }
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      return this.#fail("api_error", "the specialist's stream sent an event that is not JSON", true);
    }
    if (!isObj(chunk)) return this.#fail("api_error", "the specialist's stream sent an event that is not a JSON object", true);
    if (isObj(chunk.error)) {
      const e = chunk.error;
      return this.#fail(anthropicErrorType(e.type), typeof e.message === "string" ? e.message : "the specialist's stream failed");
    }
    const r = this.#s.push(chunk);
    if (!r.ok) return this.#fail("api_error", `the specialist's stream cannot be carried as Anthropic events: ${r.detail}`, true);
    return r.events.map(sseEvent).join("");
  }

  /** The error event; `ours`: the translation's own finding (recorded as the stream's failure). */
  #fail(type: string, message: string, ours = false): string {
    this.#over = true;
    if (ours) this.#failure = message;
    return sseEvent(anthropicError(type, message));
  }
}
