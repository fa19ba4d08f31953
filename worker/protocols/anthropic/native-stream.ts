/**
 * An `anthropic` specialist's stream passed through to an Anthropic client unchanged
 * (the Anthropic front door): the upstream's bytes as they came, watched on the way
 * (door-stream.ts `MessageStreamWatch`) for where content starts, usage, `message_stop`
 * and `error` events. Honest like the OpenAI door's streams:
 *
 * - everything that goes wrong before the first content event (a status, a content
 *   type, an `error` event, garbage, a reset, an end, the deadline) is an ordinary
 *   failed attempt: retries and fallbacks apply and the client sees none of it;
 * - after that, a stream that breaks, is cut, stalls past `idleMs`, or ends without
 *   `message_stop` ends with an Anthropic `error` event (after the upstream's own
 *   `error` event, nothing is added), and its outcome is a failure.
 */
import type { Pricing } from "../../config/schema.ts";
import type { SpecialistFailure, SpecialistOutcome } from "../../routing/hop.ts";
import { notAnEventStream, snippet } from "../json-protocol.ts";
import { SseSplitter } from "../openai/sse.ts";
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

/**
 * Opens a streamed Messages call (`open` sends it, its body aborted with the signal
 * it is given) and reads it up to its first content event; then the output is a
 * {@link ChatStream} whose body is the upstream's event stream as sent, and whose
 * `settled` is the outcome once it ends (usage, or how it failed).
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
  /** The first failure seen in the events, and whether the client already has the upstream's own error event. */
  let failure: SpecialistFailure | undefined;
  let upstreamErrorSent = false;
  const look = (step: WatchStep, when: string): void => {
    if (failure) return;
    if (step.kind === "error") {
      failure = errorEventFailure(step.error, when);
      upstreamErrorSent = true;
    } else if (step.kind === "invalid") failure = { kind: "bad_response", detail: step.detail };
  };
  const parse = (data: string): WatchStep => {
    try {
      return watch.push(JSON.parse(data));
    } catch {
      return { kind: "invalid", detail: `a stream event is not JSON: ${snippet(data)}` };
    }
  };

  // the head: up to the first content event
  const head: Uint8Array[] = [];
  for (let started = false; !started; ) {
    let next: ReadableStreamReadResult<Uint8Array>;
    try {
      next = await reader.read();
    } catch (e) {
      return done(fail(why(e, "stream broke before its first content")));
    }
    if (next.done) return done(fail({ kind: "truncated", detail: "the stream ended before its first content" }));
    head.push(next.value);
    for (const ev of splitter.push(decoder.decode(next.value, { stream: true }))) {
      const step = parse(ev.data);
      if (started) {
        look(step, "mid-stream");
        continue;
      }
      if (step.kind === "error") return done(fail(errorEventFailure(step.error, "before its first content")));
      if (step.kind === "invalid") return done(fail({ kind: "bad_response", detail: `${step.detail} (before its first content)` }));
      if (step.kind !== "quiet") started = true;
    }
  }
  call.started(); // the deadline bounds the time to the first content only

  let settle!: (x: SpecialistOutcome) => void;
  const settled = new Promise<SpecialistOutcome>((resolve) => (settle = resolve));
  let finished = false;
  const finish = (x: SpecialistOutcome) => {
    if (finished) return;
    finished = true;
    settle(call.done(x));
  };
  const outcome = (): SpecialistOutcome => {
    const usage = messageUsage(watch.usage, o.pricing);
    if (failure) return fail(failure);
    return watch.stopped ? { ok: true, output: null, usage } : fail({ kind: "truncated", detail: "the stream ended without message_stop" });
  };
  /** Ends the client's stream: an error event unless the stream completed or the upstream's own error event was sent. */
  const close = (controller: ReadableStreamDefaultController<Uint8Array>, broke?: SpecialistFailure) => {
    const result = broke ? fail(broke) : outcome();
    if (!result.ok && !(upstreamErrorSent && !broke)) controller.enqueue(enc.encode(`${splitter.rest ? "\n\n" : ""}${errorEvent(result.failure)}`));
    controller.close();
    finish(result);
  };
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const b of head) controller.enqueue(b);
    },
    async pull(controller) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const stall = new Promise<"stall">((resolve) => (timer = setTimeout(() => resolve("stall"), o.idleMs)));
      let next: ReadableStreamReadResult<Uint8Array> | "stall";
      try {
        next = await Promise.race([reader.read(), stall]);
      } catch (e) {
        clearTimeout(timer);
        if (o.clientSignal?.aborted) return (controller.close(), finish(fail({ kind: "client_closed", detail: "the client went away mid-stream" })));
        return close(controller, { kind: "truncated", detail: `the stream broke: ${(e as Error)?.message ?? String(e)}` });
      }
      clearTimeout(timer);
      if (next === "stall") {
        void reader.cancel().catch(() => {});
        return close(controller, { kind: "timeout", detail: `the stream stalled: no event for ${o.idleMs} ms` });
      }
      if (next.done) return close(controller);
      controller.enqueue(next.value);
      for (const ev of splitter.push(decoder.decode(next.value, { stream: true }))) look(parse(ev.data), "mid-stream");
    },
    cancel() {
      void reader.cancel().catch(() => {});
      finish(fail({ kind: "client_closed", detail: "the client went away mid-stream" }));
    },
  });
  return { ok: true, output: new ChatStream(body, settled), usage: {}, settled };
}
