/**
 * A streaming A2A agent's answer as a Chat Completions event stream, for the chat
 * doors' `stream: true` (`TextStreamAdapter.streamText`, protocols/types.ts): the
 * answer's text — its artifacts' text parts, or at the end a Message's or the
 * completed status message's — goes out as `chat.completion.chunk` deltas as the
 * agent's events bring it, and the OpenAI stream machinery (openai/stream.ts: the head
 * read before the first content, idle timeouts, cut-stream detection, error events,
 * the client going away) serves it as it serves every chat model. The text the client
 * gets adds up to the polled hop's `output.text`.
 *
 * Until the first text the call is an ordinary attempt: a failure (mapped as the
 * polled path maps it), the deadline, or a stream that ends first (followed with
 * `GetTask` when it named its task) is retried or failed over, and the client sees
 * none of it. After it, the agent's other events keep the stream alive (SSE comments,
 * which clients ignore), its end is a finish chunk and `[DONE]`, and a failure, a cut
 * that `GetTask` cannot finish, or an answer that does not continue the text already
 * sent (an artifact replaced) is an `error` event and no `[DONE]`.
 */
import { chunkResponse } from "../chunk-stream.ts";
import { openChatStream } from "../openai/stream.ts";
import { streamError } from "../openai/stream-parts.ts";
import type { ChatStreamOptions } from "../types.ts";
import { advance, follow, openStream, type FrameReader, type Remote } from "./remote.ts";
import { RemoteStream } from "./stream.ts";
import type { AdapterContext, SpecialistFailure, SpecialistOutcome, SpecialistRequest } from "../../routing/hop.ts";

const enc = new TextEncoder();
const sse = (data: unknown) => `data: ${JSON.stringify(data)}\n\n`;
/** What is sent for an event that brings no text: the stream is alive. */
const KEEPALIVE = ": working\n\n";

/** The chunks of one answer, as OpenAI streams a chat completion (API reference, "The chat completion chunk object"). */
export class TextChunks {
  readonly #o: { id: string; created: number; model: string; includeUsage: boolean; specialist: string };
  /** The text sent so far. */
  #sent = "";
  #started = false;

  constructor(o: { id: string; created: number; model: string; includeUsage: boolean; specialist: string }) {
    this.#o = o;
  }

  #chunk(delta: Record<string, unknown>, finish: string | null): string {
    const { id, created, model, includeUsage } = this.#o;
    return sse({ id, object: "chat.completion.chunk", created, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...(includeUsage ? { usage: null } : {}) });
  }

  /** The chunk for the answer's text now being `text` ("" when nothing is new), or undefined when it does not continue what was sent. */
  more(text: string): string | undefined {
    if (!text.startsWith(this.#sent)) return undefined;
    const delta = text.slice(this.#sent.length);
    if (delta === "" && this.#started) return "";
    this.#sent = text;
    const first = !this.#started;
    this.#started = true;
    return this.#chunk(first ? { role: "assistant", content: delta } : { content: delta }, null);
  }

  /** The end of a successful answer whose whole text is `text`: what is left of it, the finish chunk, the usage chunk if asked, `[DONE]`. */
  finish(text: string): string {
    const rest = this.more(text);
    if (rest === undefined) return this.error({ kind: "bad_response", detail: "the agent's answer does not continue the text it streamed (it replaced an artifact already sent)" });
    const { id, created, model, includeUsage } = this.#o;
    const usage = includeUsage ? sse({ id, object: "chat.completion.chunk", created, model, choices: [], usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 } }) : "";
    return `${rest}${this.#chunk({}, "stop")}${usage}data: [DONE]\n\n`;
  }

  /** The error event a failure ends the stream with (no `[DONE]`). */
  error(failure: SpecialistFailure): string {
    return sse(streamError(this.#o.specialist, failure));
  }
}

const textOf = (output: Record<string, unknown>) => (typeof output.text === "string" ? output.text : "");

/** The rest of the stream after its first text: each event as it comes, until the end. Cancelling it stops the agent's stream and any polling. */
function rest(to: Remote, req: SpecialistRequest, frames: FrameReader, fold: RemoteStream, chunks: TextChunks, ctx: AdapterContext, signal: AbortSignal): ReadableStream<Uint8Array> {
  const stop = new AbortController();
  const until = AbortSignal.any([signal, stop.signal]);
  let over = false;
  const end = (controller: ReadableStreamDefaultController<Uint8Array>, text: string) => {
    over = true;
    frames.cancel();
    controller.enqueue(enc.encode(text));
    controller.close();
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(enc.encode(chunks.more(fold.text()) ?? ""));
    },
    async pull(controller) {
      // one event at a time: "text" is any event that does not end the call (the answer has text already)
      const r = await advance(frames, fold, ctx.progress, until, true).catch(() => "aborted" as const);
      if (over) return;
      if (r === "aborted") return end(controller, chunks.error({ kind: "client_closed", detail: "the stream was stopped" }));
      if (r === "text") return controller.enqueue(enc.encode(chunks.more(fold.text()) || KEEPALIVE));
      if (r !== "cut") return end(controller, r.end.ok ? chunks.finish(textOf(r.end.output)) : chunks.error(r.end.failure));
      // cut: the agent keeps working on its task; GetTask tells how it ended
      const x = await follow(to, fold.task!, req, until);
      if (!over) end(controller, x.ok ? chunks.finish(textOf(x.output as Record<string, unknown>)) : chunks.error(x.failure));
    },
    cancel() {
      over = true;
      stop.abort();
      frames.cancel();
    },
  });
}

/** Opens the stream and reads it up to the answer's first text (see the module comment). */
export function textStream(to: Remote, params: unknown, req: SpecialistRequest, ctx: AdapterContext, o: ChatStreamOptions): Promise<SpecialistOutcome> {
  const clientAsked = (req.chat?.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
  const wantUsage = o.wantUsage ?? true;
  const chunks = () =>
    new TextChunks({ id: `chatcmpl-${crypto.randomUUID().replaceAll("-", "")}`, created: Math.floor(Date.now() / 1000), model: o.specialist, includeUsage: clientAsked || wantUsage, specialist: o.specialist });
  const whole = (x: SpecialistOutcome) => (x.ok ? chunkResponse(new Blob([chunks().finish(textOf(x.output as Record<string, unknown>))]).stream()) : { failure: x.failure });
  return openChatStream(
    async (signal) => {
      const opened = await openStream(to, params, req, signal);
      if (!opened.ok) return { failure: opened.failure };
      const fold = new RemoteStream();
      let r: Awaited<ReturnType<typeof advance>>;
      try {
        r = await advance(opened.frames, fold, ctx.progress, signal, true);
      } catch (e) {
        opened.frames.cancel();
        throw e; // the deadline or the client: openChatStream says which
      }
      if (r === "text") return chunkResponse(rest(to, req, opened.frames, fold, chunks(), ctx, signal));
      opened.frames.cancel();
      if (r !== "cut") return whole(r.end.ok ? { ok: true, output: r.end.output, usage: {} } : r.end);
      return whole(fold.task ? await follow(to, fold.task, req, signal) : { ok: false, failure: { kind: "truncated", detail: "the agent's stream ended before it sent a task or a message" } });
    },
    { pricing: undefined, signal: ctx.signal, clientSignal: ctx.clientSignal, idleMs: o.idleMs, usageAdded: !clientAsked && wantUsage, specialist: o.specialist },
  );
}
