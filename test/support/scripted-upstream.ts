/**
 * A streamed upstream for pass-through unit tests: its body gives `reads` one by one
 * (strings UTF-8 encoded, bytes as they are), then ends, or hangs with `hang`. `seen`
 * records whether the body was cancelled and whether the call's signal aborted.
 */
export function scriptedUpstream(reads: (string | Uint8Array)[], o: { hang?: boolean } = {}) {
  const enc = new TextEncoder();
  let i = 0;
  const seen = { cancelled: false, aborted: false };
  const body = new ReadableStream<Uint8Array>({
    async pull(c) {
      const next = reads[i++];
      if (next !== undefined) c.enqueue(typeof next === "string" ? enc.encode(next) : next);
      else if (o.hang) await new Promise(() => {});
      else c.close();
    },
    cancel() {
      seen.cancelled = true;
    },
  });
  const open = async (signal: AbortSignal) => {
    signal.addEventListener("abort", () => (seen.aborted = true), { once: true });
    return new Response(body, { headers: { "content-type": "text/event-stream" } });
  };
  return { open, seen };
}
