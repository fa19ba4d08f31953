/**
 * An `anthropic` specialist's stream passed through to an Anthropic client unchanged
 * (the Anthropic front door): the upstream's events as they came, each one checked
 * (door-stream.ts `MessageStreamWatch`: JSON, and the shape of its type) **before** it
 * is forwarded, so the client gets only well-formed events. A read whose events are
 * all well formed and that ends where an event ends goes on as the same bytes;
 * otherwise the text of its complete, well-formed events does (the same bytes, for
 * UTF-8; an event cut by the read waits for the next). Honest like the OpenAI door's
 * streams (openai/stream-native.ts):
 *
 * - everything that goes wrong before the first content event (a status, a content
 *   type, an `error` event, garbage, a reset, an end, the deadline) is an ordinary
 *   failed attempt: retries and fallbacks apply and the client sees none of it;
 * - after that, at the first event that is not JSON or not an event of the Messages
 *   stream (garbage), the client gets the events before it, then one Anthropic `error`
 *   event and never `message_stop`; the upstream is cancelled and the outcome is
 *   `bad_response`;
 * - a stream that breaks, is cut, stalls past `idleMs`, or ends without `message_stop`
 *   ends with an Anthropic `error` event (an event cut off by the end is not passed
 *   on), and its outcome is a failure;
 * - nothing follows `message_stop` (the stream is complete) or the upstream's own
 *   `error` event (forwarded as sent; the outcome is a failure).
 *
 * Source: Anthropic, "Streaming Messages" (the event flow `message_start`, content
 * blocks, `message_delta`, `message_stop`; `ping`; `error` events; other event types
 * handled gracefully, so they pass).
 */
import type { Pricing } from "../../config/schema.ts";
import type { SpecialistFailure, SpecialistOutcome } from "../../routing/hop.ts";
import { notAnEventStream, snippet } from "../json-protocol.ts";
import { ReadForwarder, SseSplitter, type SseEvent } from "../openai/sse.ts";
import { concat } from "../openai/stream-parts.ts";
import { ChatStream, upstreamCall } from "../openai/stream.ts";
import { messageUsage } from "./door-reply.ts";
import { MessageStreamWatch, type WatchStep } from "./door-stream.ts";
import { anthropicErrorType } from "./error-types.ts";
import { anthropicError, sseEvent } from "./stream-translate.ts";

export interface MessageStreamOptions {
  pricing: Pricing | undefined;
  /** Bounds the call until the first content event (the specialist's `timeoutMs`). */
  signal: AbortSignal;
  clientSignal?: AbortSignal | undefined;
  /** Longest silence between reads once the stream has started, ms. */
  idleMs: number;
}

const enc = new TextEncoder();
const fail = (failure: SpecialistFailure) => ({ ok: false as const, failure });

/** The failure an upstream `error` event stands for: the input's fault (a refusal) or the provider's. */
export function errorEventFailure(error: { type: string; message: string }, when: string): SpecialistFailure {
  if (error.type === "invalid_request_error")
    return { kind: "refused", status: 400, detail: `specialist refused the input ${when}: ${error.message}`, upstream: { status: 400, message: error.message, openai: { message: error.message, type: error.type, param: null, code: null } } };
  const status = error.type === "overloaded_error" ? 529 : error.type === "rate_limit_error" ? 429 : 500;
  if (status === 429) return { kind: "rate_limited", status, detail: `specialist rate-limited the router ${when}: ${error.message}` };
  return { kind: "http_error", status, detail: `upstream ${error.type} event ${when}`, body: error.message };
}

/** The error event the client gets when the stream fails after it started. */
const errorEvent = (failure: SpecialistFailure) => sseEvent(anthropicError(anthropicErrorType(undefined, failure.kind === "timeout" ? 504 : failure.status ?? 502), `the specialist's stream failed: ${failure.detail}`));

/** One event, as the router sees it: a garbage event's excerpt (`body`) goes to the trace, never into the client's error event. */
type Step = WatchStep | { kind: "invalid"; detail: string; body: string };
const garbage = (step: { detail: string; body?: string }, when: string): SpecialistFailure => ({ kind: "bad_response", detail: `${step.detail} (${when})`, ...(step.body !== undefined ? { body: step.body } : {}) });

/**
 * Opens a streamed Messages call (`open` sends it, its body aborted with the signal
 * it is given) and reads it up to its first content event; then the output is a
 * {@link ChatStream} whose body is the upstream's event stream as sent, each event
 * checked before it goes on (see above), and whose `settled` is the outcome once it
 * ends (usage, or how it failed).
 */
export async function openMessageStream(open: (signal: AbortSignal) => Promise<Response>, o: MessageStreamOptions): Promise<SpecialistOutcome> {
  const call = upstreamCall(o);
  const { upstream, why } = call;
  const done = (x: SpecialistOutcome) => call.done(x);

  let res: Response;
  try {
    res = await open(upstream.signal);
  } catch (e) {
    return done(fail(why(e, "request failed")));
  }
  const refused = await notAnEventStream(res, upstream.signal);
  if (refused) return done(fail(refused));

  const reader = res.body!.getReader();
  const splitter = new SseSplitter();
  const decoder = new TextDecoder();
  const watch = new MessageStreamWatch();
  const parse = (data: string): Step => {
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      return { kind: "invalid", detail: "a stream event is not JSON", body: snippet(data) };
    }
    return watch.push(json);
  };

  // the head: up to the first content event; the events after it in the same read are checked with the rest
  const head: Uint8Array[] = [];
  let headText = "";
  const headEvents: SseEvent[] = []; // those up to the first content event, checked
  let pending: SseEvent[] = [];
  for (let started = false; !started; ) {
    let next: ReadableStreamReadResult<Uint8Array>;
    try {
      next = await reader.read();
    } catch (e) {
      return done(fail(why(e, "stream broke before its first content")));
    }
    if (next.done) return done(fail({ kind: "truncated", detail: "the stream ended before its first content" }));
    head.push(next.value);
    const text = decoder.decode(next.value, { stream: true });
    headText += text;
    const events = splitter.push(text);
    for (const [i, ev] of events.entries()) {
      const step = parse(ev.data);
      if (step.kind === "error") return done(fail(errorEventFailure(step.error, "before its first content")));
      if (step.kind === "invalid") return done(fail(garbage(step, "before its first content")));
      headEvents.push(ev);
      if (step.kind !== "quiet") {
        started = true;
        pending = events.slice(i + 1);
        break;
      }
    }
  }
  call.started(); // the deadline bounds the time to the first content only

  let settle!: (x: SpecialistOutcome) => void;
  const settled = new Promise<SpecialistOutcome>((resolve) => (settle = resolve));
  let finished = false;
  const finish = (x: SpecialistOutcome) => {
    if (finished) return;
    finished = true;
    settle(call.done(x)); // a failure aborts the upstream call
  };
  const complete = (): SpecialistOutcome => ({ ok: true, output: null, usage: messageUsage(watch.usage, o.pricing) });
  /** Ends the client's stream with `tail` (after what was forwarded) and settles `x`. */
  const end = (controller: ReadableStreamDefaultController<Uint8Array>, x: SpecialistOutcome, tail = "") => {
    if (tail) controller.enqueue(enc.encode(tail));
    controller.close();
    void reader.cancel().catch(() => {});
    finish(x);
  };
  /** The stream fails after it started: the client's stream ends with an error event. */
  const failed = (controller: ReadableStreamDefaultController<Uint8Array>, failure: SpecialistFailure) => end(controller, fail(failure), errorEvent(failure));

  /**
   * The events of one read, in order, up to the first that ends the stream: how many
   * the client may have, and how the stream ends if it does (its outcome and what goes
   * after them).
   */
  const check = (events: readonly SseEvent[]): { taken: number; ends?: { x: SpecialistOutcome; tail: string } } => {
    if (watch.stopped) return { taken: 0, ends: { x: complete(), tail: "" } }; // message_stop came with the head
    for (const [i, ev] of events.entries()) {
      const step = parse(ev.data);
      if (step.kind === "invalid") {
        const failure = garbage(step, "mid-stream");
        return { taken: i, ends: { x: fail(failure), tail: errorEvent(failure) } };
      }
      if (step.kind === "error") return { taken: i + 1, ends: { x: fail(errorEventFailure(step.error, "mid-stream")), tail: "" } }; // the upstream's own error event, as sent
      if (step.kind === "stop") return { taken: i + 1, ends: { x: complete(), tail: "" } };
    }
    return { taken: events.length };
  };
  const forwarder = new ReadForwarder(splitter);
  /**
   * Forwards one read (`bytes`, decoded as `text`, its complete events `events` after
   * those already checked, `before`): true when the client got something or the stream ended.
   */
  const forward = (controller: ReadableStreamDefaultController<Uint8Array>, bytes: Uint8Array, text: string, events: readonly SseEvent[], before: readonly SseEvent[] = []): boolean => {
    const c = check(events);
    const out = forwarder.take(bytes, text, events, c.taken, before);
    if (out.length > 0) controller.enqueue(out);
    if (c.ends) end(controller, c.ends.x, c.ends.tail);
    return out.length > 0 || c.ends !== undefined;
  };

  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      forward(controller, concat(head), headText, pending, headEvents);
    },
    async pull(controller) {
      // until the client has something (a pull that enqueues nothing is not called again)
      for (;;) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const stall = new Promise<"stall">((resolve) => (timer = setTimeout(() => resolve("stall"), o.idleMs)));
        let next: ReadableStreamReadResult<Uint8Array> | "stall";
        try {
          next = await Promise.race([reader.read(), stall]);
        } catch (e) {
          if (finished) return; // the client went away meanwhile
          if (o.clientSignal?.aborted) return (controller.close(), finish(fail({ kind: "client_closed", detail: "the client went away mid-stream" })));
          return failed(controller, { kind: "truncated", detail: `the stream broke: ${(e as Error)?.message ?? String(e)}` });
        } finally {
          clearTimeout(timer);
        }
        if (finished) return; // the client went away meanwhile
        if (next === "stall") return failed(controller, { kind: "timeout", detail: `the stream stalled: no event for ${o.idleMs} ms` });
        if (next.done) return failed(controller, { kind: "truncated", detail: "the stream ended without message_stop" });
        if (next.value.length === 0) continue;
        const text = decoder.decode(next.value, { stream: true });
        if (forward(controller, next.value, text, splitter.push(text))) return;
      }
    },
    cancel() {
      void reader.cancel().catch(() => {});
      finish(fail({ kind: "client_closed", detail: "the client went away mid-stream" }));
    },
  });
  return { ok: true, output: new ChatStream(body, settled), usage: {}, settled };
}
