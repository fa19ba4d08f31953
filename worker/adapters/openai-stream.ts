import type { OpenAIChatEndpoint } from "../config/schema.ts";
import type { z } from "zod";
import { failureProblem } from "../http/failures.ts";
import { openAIError } from "../openai/errors.ts";
import { carriesContent, eventKind, hasFinishReason, hasUsage, isUsageOnly, SseSplitter, withoutNullUsage, type SseEvent } from "../openai/sse.ts";
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
 * (natively, bytes as they came, unless the router added the usage chunk and must take
 * it out again; string checks on the side observe `finish_reason`, usage, `[DONE]`
 * and errors), ends a
 * stream that breaks, stalls past `idleMs`, is cut, or ends with neither a finish
 * reason nor `[DONE]` with an `error` event and no `[DONE]`, and adds `[DONE]` to a
 * stream that finished without it.
 */
export async function openChatStream(send: (r: Request) => Promise<Response>, request: (signal: AbortSignal) => Request, o: StreamOptions): Promise<SpecialistOutcome> {
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
  const head = await readHead(send, request(upstream.signal), o, upstream.signal, why);
  o.signal.removeEventListener("abort", onDeadline);
  if (!head.ok) {
    o.clientSignal?.removeEventListener("abort", onClient);
    upstream.abort();
    return head;
  }
  let settle!: (x: SpecialistOutcome) => void;
  const settled = new Promise<SpecialistOutcome>((resolve) => (settle = resolve));
  const body = (o.usageAdded ? passThrough : nativePassThrough)(head, o, upstream, (x) => {
    o.clientSignal?.removeEventListener("abort", onClient);
    settle(x);
  });
  return { ok: true, output: new ChatStream(body, settled), usage: {}, settled };
}

interface Head {
  ok: true;
  /** The upstream's body (locked to `reader`). */
  body: ReadableStream<Uint8Array>;
  reader: ReadableStreamDefaultReader<Uint8Array>;
  /** The bytes read so far, as they came. */
  raw: Uint8Array[];
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
    res = await send(request); // the request carries `signal`: an abort rejects it
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
    return fail({ kind: "bad_response", status: res.status, detail: `expected text/event-stream, got '${type || "no content type"}'`, body: snippet(text) });
  }
  const h: Head = { ok: true, body: res.body, reader: res.body.getReader(), raw: [], decoder: new TextDecoder(), splitter: new SseSplitter(), out: "", usage: {}, finished: false, done: false, pending: [] };
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
  if (kind === "garbage") return { kind: "bad_response", detail: `stream event ${when} is not a JSON chunk`, body: snippet(ev.data) };
  const e = upstreamError(500, ev.data);
  const clientError = e.openai?.type === "invalid_request_error";
  return clientError
    ? { kind: "refused", status: 400, detail: `specialist refused the input mid-stream: ${e.message}`, upstream: { ...e, status: 400 } }
    : { kind: "http_error", status: 500, detail: `upstream error event ${when}`, body: e.message };
}

/**
 * A byte pipe whose readable side the runtime pumps to the client natively: workerd's
 * `IdentityTransformStream` (Workers docs, "Streams › TransformStream"), a standard
 * `TransformStream` elsewhere (Node in unit tests).
 */
function bytePipe(): { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> } {
  return typeof IdentityTransformStream === "function" ? new IdentityTransformStream() : new TransformStream<Uint8Array, Uint8Array>();
}

/**
 * The client's SSE body: the head's events, then the rest of the upstream's as they
 * come, written into a native byte pipe (no JS stream machinery per chunk on the
 * client's side). One idle timer per stream, re-armed only when it fires; the client
 * going away (the pipe's readable cancelled) aborts the upstream at once.
 */
function passThrough(head: Head, o: StreamOptions, upstream: AbortController, settle: (x: SpecialistOutcome) => void): ReadableStream<Uint8Array> {
  const { reader, decoder, splitter } = head;
  const state = { out: head.out, usage: head.usage, finished: head.finished };
  const pipe = bytePipe();
  const writer = pipe.writable.getWriter();
  let ended = false;
  let stalled = false;
  let lastRead = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const end = (x: SpecialistOutcome) => {
    if (ended) return false;
    ended = true;
    clearTimeout(timer);
    settle(x);
    return true;
  };
  const clientGone = () => {
    if (!end(fail({ kind: "client_closed", detail: "the client went away mid-stream" }))) return;
    upstream.abort();
    void reader.cancel().catch(() => {});
  };
  writer.closed.catch(clientGone);
  const checkIdle = () => {
    const idle = Date.now() - lastRead;
    if (idle < o.idleMs) return void (timer = setTimeout(checkIdle, o.idleMs - idle));
    stalled = true;
    void reader.cancel().catch(() => {});
  };
  timer = setTimeout(checkIdle, o.idleMs);

  const write = (text: string) => writer.write(enc.encode(text)).then(() => true, () => (clientGone(), false));
  /** Sends what is pending and ends the client's stream: with `[DONE]` if it succeeded, else an error event and no `[DONE]`. */
  const finish = async (x: SpecialistOutcome, tail = "") => {
    if (ended) return;
    const text = state.out + (x.ok ? tail : `data: ${JSON.stringify(streamError(o.specialist, x.failure))}\n\n`);
    state.out = "";
    if (!(await write(text))) return;
    end(x);
    void writer.close().catch(() => {});
    void reader.cancel().catch(() => {});
    if (!x.ok) upstream.abort();
  };
  /** Handles complete events; true when the stream has ended. */
  const handle = async (events: readonly SseEvent[]): Promise<boolean> => {
    for (const ev of events) {
      const kind = eventKind(ev);
      if (kind === "done") return (await finish({ ok: true, output: null, usage: state.usage }, ev.raw), true);
      if (kind !== "chunk") return (await finish(fail(eventFailure(ev, kind, "mid-stream"))), true);
      observe(state, ev, o);
    }
    return false;
  };
  const pump = async () => {
    if (head.done) return finish({ ok: true, output: null, usage: state.usage });
    if (await handle(head.pending)) return;
    while (!ended) {
      if (state.out !== "") {
        const text = state.out;
        state.out = "";
        if (!(await write(text))) return;
      }
      let next: ReadableStreamReadResult<Uint8Array>;
      try {
        next = await reader.read();
      } catch (e) {
        return finish(fail(stalled ? stallFailure(o.idleMs) : { kind: "truncated", detail: `the stream broke: ${(e as Error)?.message ?? String(e)}` }));
      }
      if (ended) return;
      if (stalled) return finish(fail(stallFailure(o.idleMs)));
      lastRead = Date.now();
      if (next.done) {
        // finished without [DONE]: the client's stream still ends as OpenAI's do
        if (state.finished) return finish({ ok: true, output: null, usage: state.usage }, "data: [DONE]\n\n");
        return finish(fail({ kind: "truncated", detail: "the stream ended without a finish reason or [DONE]" }));
      }
      if (await handle(splitter.push(decoder.decode(next.value, { stream: true })))) return;
    }
  };
  void pump().catch((e: unknown) => finish(fail({ kind: "truncated", detail: `the stream broke: ${(e as Error)?.message ?? String(e)}` })));
  return pipe.readable;
}

/** How often a natively passed-through stream is looked at for progress, ms (at most). */
export const STREAM_CHECK_MS = 1_000;

/**
 * The pass-through when nothing needs rewriting: the head's bytes, then the rest of
 * the upstream's body piped to the client by the runtime, with no JavaScript per chunk.
 * A tee of the body is looked at on the side: every `STREAM_CHECK_MS` (or half the idle
 * timeout, if shorter) for progress (a stream with nothing new for `idleMs` has
 * stalled and is aborted), and once at the end for `[DONE]`, the finish reason, usage
 * and errors. The client's stream then gets what an OpenAI stream must end with:
 * nothing more after `[DONE]` (or the upstream's own error event), `[DONE]` after a
 * finish reason, else an error event. A stream shorter than one check costs one
 * native read of the side branch in all.
 */
function nativePassThrough(head: Head, o: StreamOptions, upstream: AbortController, settle: (x: SpecialistOutcome) => void): ReadableStream<Uint8Array> {
  const pipe = bytePipe();
  const seen = { usage: head.usage, finished: head.finished, done: head.done, failure: undefined as SpecialistFailure | undefined, errorEventSent: false };
  /** Looks at complete events; stops at the first that ends the stream. */
  const look = (events: readonly SseEvent[]) => {
    for (const ev of events) {
      if (seen.done) return;
      const kind = eventKind(ev);
      if (seen.failure) {
        // already failed: only whether the client was sent a [DONE] after it still matters
        if (kind === "done") seen.done = true;
        continue;
      }
      if (kind === "done") seen.done = true;
      else if (kind === "error") {
        seen.failure = eventFailure(ev, kind, "mid-stream");
        seen.errorEventSent = true; // the upstream's own error event reached the client
      } else if (kind === "garbage") seen.failure = eventFailure(ev, kind, "mid-stream");
      else {
        if (hasFinishReason(ev.data)) seen.finished = true;
        if (hasUsage(ev.data)) {
          const u = WireUsage.safeParse((JSON.parse(ev.data) as { usage?: unknown }).usage);
          if (u.success) seen.usage = usageOf(u.data, o.pricing);
        }
      }
    }
  };
  const feed = (bytes: Uint8Array) => look(head.splitter.push(head.decoder.decode(bytes, { stream: true })));
  const side = sideBranch(feed);
  let stalled = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const every = Math.max(1, Math.min(STREAM_CHECK_MS, Math.floor(o.idleMs / 2)));
  let piping = true;
  const check = async () => {
    if (!piping) return;
    try {
      await side.drainQueued();
    } catch {
      return; // the upstream broke: the pipe says so too
    }
    if (side.ended || !piping) return;
    if (Date.now() - side.lastProgress >= o.idleMs) {
      stalled = true;
      upstream.abort();
      return;
    }
    timer = setTimeout(check, every);
  };
  const run = async (): Promise<SpecialistOutcome> => {
    let writer = pipe.writable.getWriter();
    if (head.done) {
      // the whole stream came with the head
      await writer.write(concat(head.raw));
      await writer.close();
      return { ok: true, output: null, usage: seen.usage };
    }
    look(head.pending);
    head.reader.releaseLock();
    const [toClient, toSide] = head.body.tee();
    side.attach(toSide);
    try {
      await writer.write(concat(head.raw));
    } catch {
      upstream.abort();
      return fail({ kind: "client_closed", detail: "the client went away mid-stream" });
    }
    writer.releaseLock();
    timer = setTimeout(check, every);
    // preventCancel: cancelling one branch of a tee waits for the other; the upstream is aborted instead
    const piped = await toClient.pipeTo(pipe.writable, { preventClose: true, preventAbort: true, preventCancel: true }).then(
      () => true,
      () => false,
    );
    piping = false; // the pending check, if any, sees it and stops (cheaper than clearing it)
    writer = pipe.writable.getWriter();
    let broke: SpecialistFailure | undefined;
    if (piped) {
      try {
        await side.drainAll();
      } catch (e) {
        broke = { kind: "truncated", detail: `the stream broke: ${(e as Error)?.message ?? String(e)}` };
      }
    } else {
      // whose side failed? an upstream failure reaches the side branch too
      let sideBroke = false;
      await side.drainQueued().catch(() => (sideBroke = true));
      upstream.abort();
      if (o.clientSignal?.aborted === true || writer.desiredSize === null || (!sideBroke && !stalled)) return fail({ kind: "client_closed", detail: "the client went away mid-stream" });
      broke = stalled ? stallFailure(o.idleMs) : { kind: "truncated", detail: "the stream broke" };
    }
    const outcome: SpecialistOutcome = broke
      ? fail(broke)
      : seen.failure
        ? fail(seen.failure)
        : seen.done || seen.finished
          ? { ok: true, output: null, usage: seen.usage }
          : fail({ kind: "truncated", detail: "the stream ended without a finish reason or [DONE]" });
    // nothing goes after a [DONE] the client already has (garbage passed natively before it: the client's parser raises on it)
    const tail = !outcome.ok
      ? (seen.errorEventSent && !broke) || seen.done
        ? ""
        : `data: ${JSON.stringify(streamError(o.specialist, outcome.failure))}\n\n`
      : seen.done
        ? ""
        : "data: [DONE]\n\n";
    try {
      if (tail) await writer.write(enc.encode(tail));
      await writer.close();
    } catch {
      return outcome.ok ? fail({ kind: "client_closed", detail: "the client went away at the end of the stream" }) : outcome;
    }
    return outcome;
  };
  void run().then(settle, (e: unknown) => {
    clearTimeout(timer);
    upstream.abort();
    settle(fail({ kind: "truncated", detail: `the stream broke: ${(e as Error)?.message ?? String(e)}` }));
  });
  return pipe.readable;
}

/**
 * The side branch of a tee, read only when asked: `drainQueued` takes what has
 * arrived (a read that does not resolve within a turn is kept for next time),
 * `drainAll` reads to the end (in one native read when nothing was read before).
 */
function sideBranch(feed: (bytes: Uint8Array) => void) {
  let branch: ReadableStream<Uint8Array> | undefined;
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let pending: Promise<ReadableStreamReadResult<Uint8Array>> | undefined;
  const TURN = Symbol("turn");
  let busy: Promise<void> = Promise.resolve();
  const state = {
    ended: false,
    lastProgress: Date.now(),
    attach(b: ReadableStream<Uint8Array>) {
      branch = b;
    },
    /** One drain at a time: the periodic check's and the end's never read the same chunk twice. */
    drainQueued(): Promise<void> {
      const run = busy.then(() => state.takeQueued());
      busy = run.catch(() => {});
      return run;
    },
    async takeQueued(): Promise<void> {
      reader ??= branch!.getReader();
      while (!state.ended) {
        pending ??= reader.read();
        const r = await Promise.race([pending, new Promise<typeof TURN>((resolve) => setTimeout(() => resolve(TURN), 0))]);
        if (r === TURN) return;
        pending = undefined;
        state.lastProgress = Date.now();
        if (r.done) state.ended = true;
        else feed(r.value);
      }
    },
    async drainAll(): Promise<void> {
      await busy;
      if (!reader) {
        feed(new Uint8Array(await new Response(branch!).arrayBuffer()));
        state.ended = true;
        return;
      }
      while (!state.ended) {
        const r = await (pending ?? reader.read());
        pending = undefined;
        if (r.done) state.ended = true;
        else feed(r.value);
      }
    },
  };
  return state;
}

/** One buffer of several. */
function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
}

const stallFailure = (ms: number): SpecialistFailure => ({ kind: "timeout", detail: `the stream stalled: no event for ${ms} ms` });

/** The `error` event of a stream that failed after it started, in OpenAI's shape (the official clients raise it). */
export function streamError(specialist: string, failure: SpecialistFailure): unknown {
  const p = failureProblem(failure, [{ specialist, attempt: 0, ok: false, ms: 0, failure }]).problem;
  return openAIError({ type: `urn:switchyard:problem:${p.slug}`, status: p.status, detail: p.detail });
}
