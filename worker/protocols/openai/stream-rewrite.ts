import { eventKind, type SseEvent } from "./sse.ts";
import { bytePipe, enc, eventFailure, fail, observe, stallFailure, streamError, streamGuard, type Head, type StreamOptions } from "./stream-parts.ts";
import type { SpecialistOutcome } from "../../routing/hop.ts";

/**
 * The client's SSE body: the head's events, then the rest of the upstream's as they
 * come, written into a native byte pipe (no JS stream machinery per chunk on the
 * client's side). One idle timer per stream, re-armed only when it fires; the client
 * going away (the pipe's readable cancelled) aborts the upstream at once.
 */
export function passThrough(head: Head, o: StreamOptions, upstream: AbortController, settle: (x: SpecialistOutcome) => void): ReadableStream<Uint8Array> {
  const { reader, decoder, splitter } = head;
  const state = { out: head.out, usage: head.usage, finished: head.finished };
  const pipe = bytePipe();
  const writer = pipe.writable.getWriter();
  const guard = streamGuard(reader, o.idleMs, upstream, settle, writer);
  guard.watchIdle();

  const write = (text: string) => writer.write(enc.encode(text)).then(() => true, () => (guard.clientGone(), false));
  /** Sends what is pending and ends the client's stream: with `[DONE]` if it succeeded, else an error event and no `[DONE]`. */
  const finish = async (x: SpecialistOutcome, tail = "") => {
    if (guard.ended) return;
    const text = state.out + (x.ok ? tail : `data: ${JSON.stringify(streamError(o.specialist, x.failure))}\n\n`);
    state.out = "";
    if (!(await write(text))) return;
    guard.end(x);
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
    while (!guard.ended) {
      if (state.out !== "") {
        const text = state.out;
        state.out = "";
        if (!(await write(text))) return;
      }
      let next: ReadableStreamReadResult<Uint8Array>;
      try {
        next = await reader.read();
      } catch (e) {
        return finish(fail(guard.stalled ? stallFailure(o.idleMs) : { kind: "truncated", detail: `the stream broke: ${(e as Error)?.message ?? String(e)}` }));
      }
      if (guard.ended) return;
      if (guard.stalled) return finish(fail(stallFailure(o.idleMs)));
      guard.touch();
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
