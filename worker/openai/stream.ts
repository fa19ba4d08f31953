import type { ChatCompletionChunk } from "../adapters/openai-wire.ts";
import type { SpecialistFailure, SpecialistOutcome } from "../adapters/types.ts";
import { failureProblem } from "../http/failures.ts";
import { rewriteChunk, sseData } from "./chat.ts";
import { openAIError } from "./errors.ts";

/**
 * A chat model's chunks as the client's SSE body: each chunk with `model` set to
 * the specialist (see {@link rewriteChunk}), then `data: [DONE]`. If the upstream
 * fails mid-stream, the last event is `data: {"error": …}` (how OpenAI reports it;
 * the official clients throw it) and there is no `[DONE]`. Cancelling the body
 * (the client went away) cancels the upstream.
 */
export function chunksToSse(chunks: ReadableStream<ChatCompletionChunk>, model: string, includeUsage: boolean, settled: Promise<SpecialistOutcome>): ReadableStream<Uint8Array> {
  const reader = chunks.getReader();
  const enc = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        let next: ReadableStreamReadResult<ChatCompletionChunk>;
        try {
          next = await reader.read();
        } catch (e) {
          const outcome = await settled;
          const failure: SpecialistFailure = !outcome.ok ? outcome.failure : { kind: "unreachable", detail: String((e as Error)?.message ?? e) };
          controller.enqueue(enc.encode(sseData(streamError(model, failure))));
          return controller.close();
        }
        if (next.done) {
          controller.enqueue(enc.encode(sseData("[DONE]")));
          return controller.close();
        }
        const out = rewriteChunk(next.value, model, includeUsage);
        if (out === null) continue;
        controller.enqueue(enc.encode(sseData(out)));
        return;
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

/** The `error` event of a stream that failed mid-way, in OpenAI's shape. */
export function streamError(specialist: string, failure: SpecialistFailure): unknown {
  const p = failureProblem(failure, [{ specialist, attempt: 0, ok: false, ms: 0, failure }]).problem;
  return openAIError({ type: `urn:switchyard:problem:${p.slug}`, status: p.status, detail: p.detail });
}
