import type { OpenAIChatEndpoint } from "../config/schema.ts";
import type { z } from "zod";
import { failureProblem } from "../http/failures.ts";
import { openAIError } from "../openai/errors.ts";
import { eventKind, hasFinishReason, hasUsage, isContentChunk, isUsageOnly, SseSplitter, withoutNullUsage, type SseEvent } from "../openai/sse.ts";
import { snippet, statusFailure, untilAborted, upstreamError } from "./json-protocol.ts";
import { usageOf, WireUsage } from "./openai-wire.ts";
import type { SpecialistFailure, SpecialistOutcome, Usage } from "./types.ts";

type Pricing = z.infer<typeof OpenAIChatEndpoint>["pricing"];

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

/** How a stream is read. */
export interface StreamOptions {
  pricing: Pricing;
  /** Bounds the call until the first content chunk (the specialist's `timeoutMs`). */
  signal: AbortSignal;
  /** Aborted when the client goes away. */
  clientSignal?: AbortSignal | undefined;
  /** Longest silence between events once the stream has started, ms. */
  idleMs: number;
  /**
   * The router added `stream_options.include_usage` (the client did not ask): the
   * usage-only chunk and the `"usage": null` members are taken out of what the client
   * gets, as if the option had not been sent.
   */
  usageAdded: boolean;
  /** Names the specialist in error events. */
  specialist: string;
}

const fail = (failure: SpecialistFailure) => ({ ok: false as const, failure });
const enc = new TextEncoder();

/**
 * Sends a `stream: true` chat request and reads it up to its first content chunk.
 * Everything that goes wrong before that chunk (a status, a content type, an error
 * event, garbage, a reset, an end without content, the deadline) is an ordinary failed
 * attempt, so retries and fallbacks apply and the client sees none of it. Then the
 * output is a {@link ChatStream} that passes the upstream's events through unchanged
 * (string checks only observe `finish_reason`, usage, `[DONE]` and errors), ends a
 * stream that breaks, stalls past `idleMs`, is cut, or ends with neither a finish
 * reason nor `[DONE]` with an `error` event and no `[DONE]`, and adds `[DONE]` to a
 * stream that finished without it.
 */
export async function openChatStream(send: (r: Request) => Promise<Response>, request: Request, o: StreamOptions): Promise<SpecialistOutcome> {
  const upstream = new AbortController();
  const onDeadline = () => upstream.abort(o.signal.reason);
  const onClient = () => upstream.abort(o.clientSignal?.reason);
  o.signal.addEventListener("abort", onDeadline, { once: true });
  o.clientSignal?.addEventListener("abort", onClient, { once: true });
  const why = (e: unknown, stage: string): SpecialistFailure =>
    o.clientSignal?.aborted
      ? { kind: "client_closed", detail: "the client went away" }
      : o.signal.aborted
        ? { kind: "timeout", detail: `no content before the deadline (${stage})` }
        : { kind: "unreachable", detail: `${stage}: ${(e as Error)?.message ?? String(e)}` };
  const head = await readHead(send, new Request(request, { signal: upstream.signal }), o, upstream.signal, why);
  o.signal.removeEventListener("abort", onDeadline);
  if (!head.ok) {
    o.clientSignal?.removeEventListener("abort", onClient);
    upstream.abort();
    return head;
  }
  let settle!: (x: SpecialistOutcome) => void;
  const settled = new Promise<SpecialistOutcome>((resolve) => (settle = resolve));
  const body = passThrough(head, o, upstream, (x) => {
    o.clientSignal?.removeEventListener("abort", onClient);
    settle(x);
  });
  return { ok: true, output: new ChatStream(body, settled), usage: {}, settled };
}

interface Head {
  ok: true;
  reader: ReadableStreamDefaultReader<Uint8Array>;
  decoder: TextDecoder;
  splitter: SseSplitter;
  /** Events read so far, in order, already rewritten for the client. */
  out: string;
  usage: Usage;
  finished: boolean;
  /** `[DONE]` was among the head events: the stream is complete. */
  done: boolean;
  /** Events that arrived with the first content chunk, after it: handled by the pass-through. */
  pending: SseEvent[];
}

/** Opens the stream and reads until the first content chunk, `[DONE]`, or a failure. */
async function readHead(
  send: (r: Request) => Promise<Response>,
  request: Request,
  o: StreamOptions,
  signal: AbortSignal,
  why: (e: unknown, stage: string) => SpecialistFailure,
): Promise<Head | { ok: false; failure: SpecialistFailure }> {
  let res: Response;
  try {
    res = await untilAborted(signal, send(request));
  } catch (e) {
    return fail(why(e, "request failed"));
  }
  if (!res.ok) {
    const text = await untilAborted(signal, res.text()).catch(() => "");
    return fail(statusFailure(res, text)!);
  }
  const type = res.headers.get("content-type") ?? "";
  if (!res.body || !/^text\/event-stream\b/i.test(type)) {
    const text = await untilAborted(signal, res.text()).catch(() => "");
    return fail({ kind: "bad_response", status: res.status, detail: `expected text/event-stream, got '${type || "no content type"}': ${snippet(text)}` });
  }
  const h: Head = { ok: true, reader: res.body.getReader(), decoder: new TextDecoder(), splitter: new SseSplitter(), out: "", usage: {}, finished: false, done: false, pending: [] };
  for (;;) {
    let next: ReadableStreamReadResult<Uint8Array>;
    try {
      next = await untilAborted(signal, h.reader.read());
    } catch (e) {
      void h.reader.cancel().catch(() => {});
      return fail(why(e, "stream broke before its first content chunk"));
    }
    if (next.done) return fail({ kind: "truncated", detail: "the stream ended before its first content chunk" });
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
      let json: unknown;
      try {
        json = JSON.parse(ev.data);
      } catch {
        void h.reader.cancel().catch(() => {});
        return fail(eventFailure(ev, "garbage", "before its first content chunk"));
      }
      observe(h, ev, o);
      if (isContentChunk(json)) {
        h.pending = batch.slice(i + 1);
        return h;
      }
    }
  }
}

/** Records usage and the finish reason of one chunk and appends it, rewritten if the router added usage. */
function observe(h: Pick<Head, "out" | "usage" | "finished">, ev: SseEvent, o: StreamOptions): void {
  if (hasFinishReason(ev.data)) h.finished = true;
  if (hasUsage(ev.data)) {
    const u = WireUsage.safeParse((JSON.parse(ev.data) as { usage?: unknown }).usage);
    if (u.success) h.usage = usageOf(u.data, o.pricing);
    if (o.usageAdded && isUsageOnly(ev.data)) return;
  }
  h.out += o.usageAdded ? withoutNullUsage(ev.raw) : ev.raw;
}

/** The failure an error event or a garbage event stands for. */
function eventFailure(ev: SseEvent, kind: "error" | "garbage", when: string): SpecialistFailure {
  if (kind === "garbage") return { kind: "bad_response", detail: `stream event ${when} is not a JSON chunk: ${snippet(ev.data)}` };
  const e = upstreamError(500, ev.data);
  const clientError = e.openai?.type === "invalid_request_error";
  return clientError
    ? { kind: "refused", status: 400, detail: `specialist refused the input mid-stream: ${e.message}`, upstream: { ...e, status: 400 } }
    : { kind: "http_error", status: 500, detail: `upstream error event ${when}: ${e.message}` };
}

/** The client's SSE body: the head's events, then the rest of the upstream's as they come. */
function passThrough(head: Head, o: StreamOptions, upstream: AbortController, settle: (x: SpecialistOutcome) => void): ReadableStream<Uint8Array> {
  const { reader, decoder, splitter } = head;
  const state = { out: head.out, usage: head.usage, finished: head.finished };
  let ended = false;
  const end = (x: SpecialistOutcome) => {
    if (ended) return;
    ended = true;
    settle(x);
  };
  const errorEvent = (f: SpecialistFailure) => `data: ${JSON.stringify(streamError(o.specialist, f))}\n\n`;
  /** Sends what is pending and ends the client's stream: with `[DONE]` if it succeeded, else an error event and no `[DONE]`. */
  const close = (controller: ReadableStreamDefaultController<Uint8Array>, x: SpecialistOutcome, tail = "") => {
    controller.enqueue(enc.encode(state.out + (x.ok ? tail : errorEvent(x.failure))));
    state.out = "";
    controller.close();
    end(x);
    void reader.cancel().catch(() => {});
    if (!x.ok) upstream.abort();
  };
  /** Handles complete events; true when the stream has ended. */
  const handle = (controller: ReadableStreamDefaultController<Uint8Array>, events: readonly SseEvent[]): boolean => {
    for (const ev of events) {
      const kind = eventKind(ev);
      if (kind === "done") {
        close(controller, { ok: true, output: null, usage: state.usage }, ev.raw);
        return true;
      }
      if (kind !== "chunk") {
        close(controller, fail(eventFailure(ev, kind, "mid-stream")));
        return true;
      }
      observe(state, ev, o);
    }
    return false;
  };
  let pending: readonly SseEvent[] | undefined = head.done ? undefined : head.pending;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (head.done) return close(controller, { ok: true, output: null, usage: state.usage });
      if (pending) {
        const events = pending;
        pending = undefined;
        if (handle(controller, events)) return;
        if (state.out !== "") {
          // the first content goes out at once, not with the next read
          controller.enqueue(enc.encode(state.out));
          state.out = "";
          return;
        }
      }
      for (;;) {
        let next: ReadableStreamReadResult<Uint8Array> | "idle";
        try {
          next = await readWithin(reader, o.idleMs);
        } catch (e) {
          return close(controller, fail({ kind: "truncated", detail: `the stream broke: ${(e as Error)?.message ?? String(e)}` }));
        }
        if (next === "idle") return close(controller, fail({ kind: "timeout", detail: `the stream stalled: no event for ${o.idleMs} ms` }));
        if (next.done) {
          // finished without [DONE]: the client's stream still ends as OpenAI's do
          if (state.finished) return close(controller, { ok: true, output: null, usage: state.usage }, "data: [DONE]\n\n");
          return close(controller, fail({ kind: "truncated", detail: "the stream ended without a finish reason or [DONE]" }));
        }
        if (handle(controller, splitter.push(decoder.decode(next.value, { stream: true })))) return;
        if (state.out !== "") {
          controller.enqueue(enc.encode(state.out));
          state.out = "";
          return;
        }
      }
    },
    cancel(reason) {
      end(fail({ kind: "client_closed", detail: "the client went away mid-stream" }));
      upstream.abort(reason);
      return reader.cancel(reason).catch(() => {});
    },
  });
}

/** The next read, or "idle" when nothing arrives within `ms`. */
function readWithin(reader: ReadableStreamDefaultReader<Uint8Array>, ms: number): Promise<ReadableStreamReadResult<Uint8Array> | "idle"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const idle = new Promise<"idle">((resolve) => (timer = setTimeout(() => resolve("idle"), ms)));
  return Promise.race([reader.read(), idle]).finally(() => clearTimeout(timer));
}

/** The `error` event of a stream that failed after it started, in OpenAI's shape (the official clients raise it). */
export function streamError(specialist: string, failure: SpecialistFailure): unknown {
  const p = failureProblem(failure, [{ specialist, attempt: 0, ok: false, ms: 0, failure }]).problem;
  return openAIError({ type: `urn:switchyard:problem:${p.slug}`, status: p.status, detail: p.detail });
}
