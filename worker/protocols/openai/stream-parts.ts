/**
 * What the two ways of passing an `openai-chat` stream through share (stream.ts
 * reads the head, stream-rewrite.ts and stream-native.ts the rest): the
 * options, the head read so far, how a chunk is observed, how an event fails, and the
 * error event a failed stream ends with.
 */
import type { Pricing } from "../../config/schema.ts";
import { failureProblem } from "../../http/failures.ts";
import { openAIError } from "./errors.ts";
import { hasFinishReason, hasUsage, isUsageOnly, withoutNullUsage, type SseEvent, type SseSplitter } from "./sse.ts";
import { snippet, upstreamError } from "../json-protocol.ts";
import { usageOf, WireUsage } from "./wire.ts";
import type { SpecialistFailure, SpecialistOutcome, Usage } from "../../routing/hop.ts";

/** How a stream is read. */
export interface StreamOptions {
  pricing: Pricing | undefined;
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

export const fail = (failure: SpecialistFailure) => ({ ok: false as const, failure });
export const enc = new TextEncoder();

export interface Head {
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

/** Records usage and the finish reason of one chunk and appends it, rewritten if the router added usage. */
export function observe(h: Pick<Head, "out" | "usage" | "finished">, ev: SseEvent, o: StreamOptions): void {
  if (hasFinishReason(ev.data)) h.finished = true;
  if (hasUsage(ev.data)) {
    const u = WireUsage.safeParse((JSON.parse(ev.data) as { usage?: unknown }).usage);
    if (u.success) h.usage = usageOf(u.data, o.pricing);
    if (o.usageAdded && isUsageOnly(ev.data)) return;
  }
  h.out += o.usageAdded ? withoutNullUsage(ev.raw) : ev.raw;
}

/** The failure an error event or a garbage event stands for. */
export function eventFailure(ev: SseEvent, kind: "error" | "garbage", when: string): SpecialistFailure {
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
export function bytePipe(): { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> } {
  return typeof IdentityTransformStream === "function" ? new IdentityTransformStream() : new TransformStream<Uint8Array, Uint8Array>();
}

/** One buffer of several. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
}

export const stallFailure = (ms: number): SpecialistFailure => ({ kind: "timeout", detail: `the stream stalled: no event for ${ms} ms` });

/** The `error` event of a stream that failed after it started, in OpenAI's shape (the official clients raise it). */
export function streamError(specialist: string, failure: SpecialistFailure): unknown {
  const p = failureProblem(failure, [{ specialist, attempt: 0, ok: false, ms: 0, failure }]).problem;
  return openAIError({ type: `urn:switchyard:problem:${p.slug}`, status: p.status, detail: p.detail });
}


/** The end-of-stream bookkeeping a pass-through shares ({@link streamGuard}). */
export interface StreamGuard {
  /** The outcome was settled (the stream ended or the client left). */
  readonly ended: boolean;
  /** No read for `idleMs`: the reader was cancelled. */
  readonly stalled: boolean;
  /** Settles `x` once (clearing the idle timer); false when already settled. */
  end(x: SpecialistOutcome): boolean;
  /** The client went away: settles `client_closed`, aborts the upstream, cancels the reader. */
  clientGone(): void;
  /** Records a read (or a write the client took): the upstream is not idle. */
  touch(): void;
  /** Starts the idle timer. */
  watchIdle(): void;
}

/**
 * The bookkeeping of a stream passed to the client through `writer`: one settle, the
 * client going away (`writer.closed` rejecting) and an upstream silent for `idleMs`
 * (the stream is marked stalled and `reader` cancelled, so the pump's pending read ends).
 */
export function streamGuard(reader: ReadableStreamDefaultReader<Uint8Array>, idleMs: number, upstream: AbortController, settle: (x: SpecialistOutcome) => void, writer: WritableStreamDefaultWriter<Uint8Array>): StreamGuard {
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
    if (idle < idleMs) return void (timer = setTimeout(checkIdle, idleMs - idle));
    stalled = true;
    void reader.cancel().catch(() => {});
  };
  return {
    get ended() {
      return ended;
    },
    get stalled() {
      return stalled;
    },
    end,
    clientGone,
    touch: () => void (lastRead = Date.now()),
    watchIdle: () => void (timer = setTimeout(checkIdle, idleMs)),
  };
}
