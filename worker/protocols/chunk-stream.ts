/**
 * A provider's event stream as a Chat Completions event stream: the provider's
 * server-sent events are read one by one, each translated by the provider's pure
 * {@link ChunkTranslator} into `chat.completion.chunk` objects, and written as
 * `data: <chunk>` events, so the OpenAI stream machinery (openai/stream.ts: the head
 * read before the first content, idle timeouts, usage, cut-stream detection, error
 * events, screening) serves every chat-model specialist alike.
 *
 * What a client of the translated stream can rely on (OpenAI API reference, "Chat
 * Completions › streaming"): it ends with `data: [DONE]` only when the provider's
 * stream completed; a provider error becomes one `{"error": …}` event and nothing
 * after it; an event whose data is not JSON is passed on as a JSON string (a garbage
 * event, which the reader reports as a bad response and never passes on to the client:
 * it ends the client's stream with an error event); a stream cut short (the provider's
 * stream ended and its translator's `end()` is not `done`) ends with neither, and
 * errors, which the reader reports as truncated.
 */
import { SseSplitter } from "./openai/sse.ts";

/** The `[DONE]` sentinel some providers (Workers AI) end their streams with. */
export const DONE: unique symbol = Symbol("[DONE]");

/** What one provider event, or the end of the provider's stream, becomes. */
export interface ChunkStep {
  /** `chat.completion.chunk` objects to send, in order. */
  chunks: readonly object[];
  /** The provider reported an error (OpenAI's error object shape): sent after the chunks; nothing follows. */
  error?: { message: string; type: string; code?: string | null; param?: string | null };
  /** The provider's stream completed: `[DONE]` is sent after the chunks; nothing follows. */
  done?: boolean;
  /**
   * From `end()`: why the provider's stream was not complete (the default when `end()`
   * gives neither `done` nor `error` is a generic sentence).
   */
  truncated?: string;
}

/** A provider's stream translated one event at a time (pure; each provider folder has one). */
export interface ChunkTranslator {
  /** One event: its `data` parsed as JSON (or {@link DONE}), and its `event:` field if any. */
  push(data: unknown, event: string | undefined): ChunkStep;
  /**
   * The provider's stream ended (without a step that was `done` or an `error`): what is
   * still owed. Unless it is `done` (or an `error`), the stream was cut short: its chunks
   * are sent, then the translated stream errors, so the reader reports it as truncated
   * even when a finish reason was already sent (Anthropic's `message_delta` comes
   * before its `message_stop`).
   */
  end(): ChunkStep;
}

const enc = new TextEncoder();

/**
 * `body` (the provider's `text/event-stream` bytes) as Chat Completions SSE bytes.
 * Cancelling the result cancels `body`; aborting `signal` cancels `body` and errors
 * the result (as an aborted `fetch` errors its body).
 */
export function chunkStream(body: ReadableStream<Uint8Array>, t: ChunkTranslator, signal?: AbortSignal): ReadableStream<Uint8Array> {
  const splitter = new SseSplitter();
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let over = false;
  /** Set once the provider's stream ended incomplete and the chunks still owed were sent: the next pull errors. */
  let cut: Error | undefined;
  /** The SSE text for one step; marks the stream over after an error or `[DONE]`. */
  const text = (step: ChunkStep): string => {
    let out = "";
    for (const c of step.chunks) out += `data: ${JSON.stringify(c)}\n\n`;
    if (step.error) out += `data: ${JSON.stringify({ error: { code: null, param: null, ...step.error } })}\n\n`;
    else if (step.done) out += "data: [DONE]\n\n";
    if (step.error || step.done) over = true;
    return out;
  };
  /** The SSE text for the provider's next bytes. */
  const translate = (bytes: Uint8Array): string => {
    let out = "";
    for (const ev of splitter.push(decoder.decode(bytes, { stream: true }))) {
      if (over) break;
      let data: unknown;
      try {
        data = JSON.parse(ev.data);
      } catch {
        if (ev.data.trim() !== "[DONE]") {
          over = true;
          return `${out}data: ${JSON.stringify(ev.data)}\n\n`; // garbage, quoted: a reader sees no chunk in it
        }
        data = DONE;
      }
      out += text(t.push(data, ev.event));
    }
    return out;
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      signal?.addEventListener(
        "abort",
        () => {
          if (over) return;
          over = true;
          controller.error(signal.reason);
          reader.cancel(signal.reason).catch(() => {});
        },
        { once: true },
      );
    },
    async pull(controller) {
      if (cut) return controller.error(cut);
      for (;;) {
        let next: ReadableStreamReadResult<Uint8Array>;
        try {
          next = await reader.read();
        } catch (e) {
          if (!signal?.aborted) controller.error(e);
          return;
        }
        if (signal?.aborted) return; // errored already
        if (next.done && !over) {
          const last = t.end();
          const out = text(last);
          if (last.done || last.error) {
            if (out) controller.enqueue(enc.encode(out));
            return controller.close();
          }
          over = true;
          cut = new Error(last.truncated ?? "the provider's stream ended before it was complete");
          if (!out) return controller.error(cut);
          return controller.enqueue(enc.encode(out)); // the chunks still owed first; the next pull errors
        }
        const out = next.done ? "" : translate(next.value);
        if (out) controller.enqueue(enc.encode(out));
        if (next.done || over) {
          controller.close();
          if (!next.done) reader.cancel().catch(() => {});
          return;
        }
        if (out) return;
      }
    },
    cancel(reason) {
      over = true;
      return reader.cancel(reason);
    },
  });
}

/** A Response carrying `stream` as a Chat Completions event stream (what openai/stream.ts reads). */
export function chunkResponse(stream: ReadableStream<Uint8Array>): Response {
  return new Response(stream, { status: 200, headers: { "content-type": "text/event-stream; charset=utf-8" } });
}
