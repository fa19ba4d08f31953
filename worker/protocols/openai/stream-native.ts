import { eventKind, ReadForwarder, hasFinishReason, hasUsage, SseSplitter, type SseEvent } from "./sse.ts";
import { usageOf, WireUsage } from "./wire.ts";
import { bytePipe, concat, enc, eventFailure, fail, stallFailure, streamError, streamGuard, type Head, type StreamOptions } from "./stream-parts.ts";
import type { SpecialistFailure, SpecialistOutcome } from "../../routing/hop.ts";

/**
 * The pass-through when nothing needs rewriting: the upstream's stream as it came,
 * every event checked before it is forwarded. Each read is split into events (string
 * checks, see sse.ts) and, when its events are all well formed and it ends where an
 * event ends, its bytes go to the client unchanged; otherwise the text of its complete,
 * well-formed events does (the same bytes, for UTF-8; an event cut by the read waits
 * for the next). The client's stream ends as an OpenAI stream must:
 *
 * - after `[DONE]`, or after the upstream's own `error` event (forwarded as sent),
 *   nothing more;
 * - at the first event that is neither a chunk, `[DONE]` nor an error (garbage), the
 *   client gets no more of the upstream's bytes but one `error` event (no `[DONE]`),
 *   the upstream is cancelled and the outcome is `bad_response`;
 * - a stream that breaks, stalls past `idleMs`, or ends with neither a finish reason nor
 *   `[DONE]` ends with an `error` event and no `[DONE]` (`truncated`, `timeout`);
 * - a stream that finished without `[DONE]` gets one.
 *
 * `settle` gets the outcome once, when the stream ends (usage from the chunks that
 * carried it); the client going away (the returned body cancelled) aborts `upstream`
 * and settles as `client_closed`.
 */
export function nativePassThrough(head: Head, o: StreamOptions, upstream: AbortController, settle: (x: SpecialistOutcome) => void): ReadableStream<Uint8Array> {
  const { reader, decoder, splitter } = head;
  const pipe = bytePipe();
  const writer = pipe.writable.getWriter();
  const seen = { usage: head.usage, finished: head.finished };
  const guard = streamGuard(reader, o.idleMs, upstream, settle, writer);

  /** Writes to the client; the time a slow client takes to read is not the upstream's silence. */
  const write = (bytes: Uint8Array) =>
    bytes.length === 0
      ? Promise.resolve(true)
      : writer.write(bytes).then(
          () => (guard.touch(), true),
          () => (guard.clientGone(), false),
        );
  /** Ends the client's stream with `tail` (after what was forwarded) and settles `x`. */
  const finish = async (x: SpecialistOutcome, tail: string) => {
    if (guard.ended) return;
    if (tail && !(await write(enc.encode(tail)))) return;
    guard.end(x);
    void writer.close().catch(() => {});
    void reader.cancel().catch(() => {});
    if (!x.ok) upstream.abort();
  };
  const errorTail = (failure: SpecialistFailure) => `data: ${JSON.stringify(streamError(o.specialist, failure))}\n\n`;

  /**
   * The events of one read, in order, up to the first that ends the stream: how many
   * the client may have, and how the stream ends if it does (its outcome and what goes
   * after them).
   */
  const check = (events: readonly SseEvent[]): { taken: number; ends?: { x: SpecialistOutcome; tail: string } } => {
    for (const [i, ev] of events.entries()) {
      const kind = eventKind(ev);
      if (kind === "garbage") {
        const failure = eventFailure(ev, kind, "mid-stream");
        return { taken: i, ends: { x: fail(failure), tail: errorTail(failure) } };
      }
      if (kind === "done") return { taken: i + 1, ends: { x: { ok: true, output: null, usage: seen.usage }, tail: "" } };
      if (kind === "error") return { taken: i + 1, ends: { x: fail(eventFailure(ev, kind, "mid-stream")), tail: "" } }; // the upstream's own error event, as sent
      if (hasFinishReason(ev.data)) seen.finished = true;
      if (hasUsage(ev.data)) {
        const u = WireUsage.safeParse((JSON.parse(ev.data) as { usage?: unknown }).usage);
        if (u.success) seen.usage = usageOf(u.data, o.pricing);
      }
    }
    return { taken: events.length };
  };
  const forwarder = new ReadForwarder(splitter);
  /**
   * Forwards one read (`bytes`, decoded as `text`, its complete events `events` after
   * those already checked, `before`): true when the stream has ended.
   */
  const forward = async (bytes: Uint8Array, text: string, events: readonly SseEvent[], before: readonly SseEvent[] = []): Promise<boolean> => {
    const c = check(events);
    const out = forwarder.take(bytes, text, events, c.taken, before);
    if (!(await write(out))) return true;
    if (c.ends) return (await finish(c.ends.x, c.ends.tail), true);
    return false;
  };

  const pump = async () => {
    if (head.done) {
      // the whole stream came with the head
      if (await write(concat(head.raw))) await finish({ ok: true, output: null, usage: seen.usage }, "");
      return;
    }
    // the head: its events up to the first content chunk are chunks; those after it in its last read are not checked yet
    const raw = concat(head.raw);
    const text = new TextDecoder().decode(raw, { stream: true });
    const all = head.pending.length === 0 ? [] : new SseSplitter().push(text); // the head's events, split again (once) only to find where those checked end
    if (await forward(raw, text, head.pending, all.slice(0, all.length - head.pending.length))) return;
    guard.watchIdle();
    while (!guard.ended) {
      let next: ReadableStreamReadResult<Uint8Array>;
      try {
        next = await reader.read();
      } catch (e) {
        if (o.clientSignal?.aborted) return guard.clientGone();
        const failure = guard.stalled ? stallFailure(o.idleMs) : { kind: "truncated" as const, detail: `the stream broke: ${(e as Error)?.message ?? String(e)}` };
        return finish(fail(failure), errorTail(failure));
      }
      if (guard.ended) return;
      if (guard.stalled) return finish(fail(stallFailure(o.idleMs)), errorTail(stallFailure(o.idleMs)));
      guard.touch();
      if (next.done) {
        // an event cut off by the end is not forwarded; finished without [DONE]: the client's stream still ends as OpenAI's do
        if (seen.finished) return finish({ ok: true, output: null, usage: seen.usage }, "data: [DONE]\n\n");
        const failure: SpecialistFailure = { kind: "truncated", detail: "the stream ended without a finish reason or [DONE]" };
        return finish(fail(failure), errorTail(failure));
      }
      if (next.value.length === 0) continue;
      const text = decoder.decode(next.value, { stream: true });
      if (await forward(next.value, text, splitter.push(text))) return;
    }
  };
  void pump().catch((e: unknown) => {
    const failure: SpecialistFailure = { kind: "truncated", detail: `the stream broke: ${(e as Error)?.message ?? String(e)}` };
    return finish(fail(failure), errorTail(failure));
  });
  return pipe.readable;
}
