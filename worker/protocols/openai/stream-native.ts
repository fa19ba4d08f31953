import { eventKind, hasFinishReason, hasUsage, type SseEvent } from "./sse.ts";
import { usageOf, WireUsage } from "./wire.ts";
import { bytePipe, concat, enc, eventFailure, fail, stallFailure, streamError, type Head, type StreamOptions } from "./stream-parts.ts";
import type { SpecialistFailure, SpecialistOutcome } from "../../routing/hop.ts";

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
export function nativePassThrough(head: Head, o: StreamOptions, upstream: AbortController, settle: (x: SpecialistOutcome) => void): ReadableStream<Uint8Array> {
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
      let sideBroke: { error: unknown } | undefined;
      await side.drainQueued().catch((error: unknown) => (sideBroke = { error }));
      upstream.abort();
      if (o.clientSignal?.aborted === true || writer.desiredSize === null || (!sideBroke && !stalled)) return fail({ kind: "client_closed", detail: "the client went away mid-stream" });
      const why = (sideBroke?.error as Error | undefined)?.message;
      broke = stalled ? stallFailure(o.idleMs) : { kind: "truncated", detail: why ? `the stream broke: ${why}` : "the stream broke" };
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

