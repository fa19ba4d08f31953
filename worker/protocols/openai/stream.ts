import { carriesContent, eventKind, SseSplitter } from "./sse.ts";
import { notAnEventStream } from "../json-protocol.ts";
import { nativePassThrough } from "./stream-native.ts";
import { eventFailure, fail, observe, type Head, type StreamOptions } from "./stream-parts.ts";
import { passThrough } from "./stream-rewrite.ts";
import type { SpecialistFailure, SpecialistOutcome } from "../../routing/hop.ts";

export { streamError, type StreamOptions } from "./stream-parts.ts";

/**
 * The output of a streamed `openai-chat` hop: the SSE body the client gets (the
 * upstream's events, passed through; see {@link openChatStream}) and the hop's final
 * outcome once the stream ends (its usage, or how it failed), for pools, breakers,
 * metrics and traces. Cancelling `body` (the client went away) aborts the upstream.
 */
export class ChatStream {
  readonly body: ReadableStream<Uint8Array>;
  readonly settled: Promise<SpecialistOutcome>;
  constructor(body: ReadableStream<Uint8Array>, settled: Promise<SpecialistOutcome>) {
    this.body = body;
    this.settled = settled;
  }
}


/**
 * Opens a `stream: true` chat request (`open` sends it, its body aborted with
 * `signal`; or says why it could not be sent) and reads it up to its first content chunk.
 * Everything that goes wrong before that chunk (a status, a content type, an error
 * event, garbage, a reset, an end without content, the deadline) is an ordinary failed
 * attempt, so retries and fallbacks apply and the client sees none of it. Then the
 * output is a {@link ChatStream} that passes the upstream's events through unchanged
 * (bytes as they came, unless the router added the usage chunk and must take it out
 * again; string checks on each event, before it is forwarded, observe `finish_reason`,
 * usage, `[DONE]` and errors), ends a stream that breaks, stalls past `idleMs`, is cut,
 * sends an event that is not a JSON chunk (which the client never gets), or ends with
 * neither a finish reason nor `[DONE]` with an `error` event and no `[DONE]`
 * (the upstream's own `error` event ends it as sent, or is replaced by the router's when
 * the usage chunk is taken out), and adds `[DONE]` to a stream that finished without it. A translated provider's stream comes in through
 * `open` as a Chat Completions event stream (worker/protocols/chunk-stream.ts).
 */
export async function openChatStream(open: (signal: AbortSignal) => Promise<Response | { failure: SpecialistFailure }>, o: StreamOptions): Promise<SpecialistOutcome> {
  const call = upstreamCall(o);
  const head = await readHead(open, o, call.upstream.signal, call.why);
  call.started();
  if (!head.ok) return call.done(head);
  let settle!: (x: SpecialistOutcome) => void;
  const settled = new Promise<SpecialistOutcome>((resolve) => (settle = resolve));
  const body = (o.usageAdded ? passThrough : nativePassThrough)(head, o, call.upstream, (x) => {
    call.clientGone();
    settle(x);
  });
  return { ok: true, output: new ChatStream(body, settled), usage: {}, settled };
}

/**
 * The upstream call of a stream (`upstream` aborts it): aborted when the deadline
 * `o.signal` passes before the first content (until `started()`), or when the client
 * leaves (until `clientGone()` or `done()`); `why` says what a failure before the first
 * content was; `done(x)` stops listening and, when `x` failed, aborts the upstream.
 */
export function upstreamCall(o: { signal: AbortSignal; clientSignal?: AbortSignal | undefined }) {
  const upstream = new AbortController();
  const onDeadline = () => upstream.abort(o.signal.reason);
  const onClient = () => upstream.abort(o.clientSignal?.reason);
  o.signal.addEventListener("abort", onDeadline, { once: true });
  o.clientSignal?.addEventListener("abort", onClient, { once: true });
  const started = () => o.signal.removeEventListener("abort", onDeadline);
  const clientGone = () => o.clientSignal?.removeEventListener("abort", onClient);
  return {
    upstream,
    started,
    clientGone,
    done<T extends { ok: boolean }>(x: T): T {
      started();
      clientGone();
      if (!x.ok) upstream.abort();
      return x;
    },
    why: (e: unknown, stage: string): SpecialistFailure =>
      o.clientSignal?.aborted
        ? { kind: "client_closed", detail: "the client went away" }
        : o.signal.aborted
          ? { kind: "timeout", detail: `no content before the deadline (${stage})` }
          : { kind: "unreachable", detail: `${stage}: ${(e as Error)?.message ?? String(e)}` },
  };
}

/** Opens the stream and reads until the first content chunk, `[DONE]`, or a failure. */
async function readHead(
  open: (signal: AbortSignal) => Promise<Response | { failure: SpecialistFailure }>,
  o: StreamOptions,
  signal: AbortSignal,
  why: (e: unknown, stage: string) => SpecialistFailure,
): Promise<Head | { ok: false; failure: SpecialistFailure }> {
  let opened: Response | { failure: SpecialistFailure };
  try {
    opened = await open(signal); // an abort of `signal` rejects it
  } catch (e) {
    return fail(why(e, "request failed"));
  }
  if (!(opened instanceof Response)) return fail(opened.failure);
  const res = opened;
  const refused = await notAnEventStream(res, signal);
  if (refused) return fail(refused);
  const h: Head = { ok: true, body: res.body!, reader: res.body!.getReader(), raw: [], decoder: new TextDecoder(), splitter: new SseSplitter(), out: "", usage: {}, finished: false, done: false, pending: [] };
  for (;;) {
    let next: ReadableStreamReadResult<Uint8Array>;
    try {
      next = await h.reader.read(); // an abort of `signal` errors the body
    } catch (e) {
      void h.reader.cancel().catch(() => {});
      return fail(why(e, "stream broke before its first content chunk"));
    }
    if (next.done) return fail({ kind: "truncated", detail: "the stream ended before its first content chunk" });
    h.raw.push(next.value);
    const batch = h.splitter.push(h.decoder.decode(next.value, { stream: true }));
    for (const [i, ev] of batch.entries()) {
      const kind = eventKind(ev);
      if (kind === "done") {
        h.out += ev.raw;
        h.done = true;
        return h;
      }
      if (kind !== "chunk") {
        void h.reader.cancel().catch(() => {});
        return fail(eventFailure(ev, kind, "before its first content chunk"));
      }
      observe(h, ev, o);
      if (carriesContent(ev.data)) {
        h.pending = batch.slice(i + 1);
        return h;
      }
    }
  }
}
