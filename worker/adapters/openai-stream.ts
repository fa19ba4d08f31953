import { EventSourceParserStream, type EventSourceMessage } from "eventsource-parser/stream";
import type { OpenAIChatEndpoint } from "../config/schema.ts";
import type { z } from "zod";
import { snippet, statusFailure, untilAborted } from "./json-protocol.ts";
import { ChatCompletionChunk, firstIssue, usageOf } from "./openai-wire.ts";
import type { SpecialistFailure, SpecialistOutcome, Usage } from "./types.ts";

type Pricing = z.infer<typeof OpenAIChatEndpoint>["pricing"];

/**
 * The output of a streamed `openai-chat` hop: the upstream's chunks, parsed and
 * validated, in order. The stream errors if the upstream fails mid-way (the hop's
 * `settled` outcome then says how); cancelling it cancels the upstream.
 */
export class ChatStream {
  readonly chunks: ReadableStream<ChatCompletionChunk>;
  /** The hop's final outcome once the stream ends (usage, or the failure mid-stream). */
  readonly settled: Promise<SpecialistOutcome>;
  constructor(chunks: ReadableStream<ChatCompletionChunk>, settled: Promise<SpecialistOutcome>) {
    this.chunks = chunks;
    this.settled = settled;
  }
}

const fail = (failure: SpecialistFailure) => ({ ok: false as const, failure });

/**
 * Sends a `stream: true` chat request and, once the upstream answers 200 with
 * `text/event-stream`, returns a {@link ChatStream} as the output. Failures before
 * the first event (status, content type, timeout, unreachable) are ordinary failures,
 * so retries and fallbacks still apply; `signal` bounds the whole stream.
 */
export async function openChatStream(send: (r: Request) => Promise<Response>, request: Request, signal: AbortSignal, pricing: Pricing): Promise<SpecialistOutcome> {
  let res: Response;
  try {
    res = await untilAborted(signal, send(request));
  } catch (e) {
    if (signal.aborted) return fail({ kind: "timeout", detail: "no reply before the deadline" });
    return fail({ kind: "unreachable", detail: `request failed: ${(e as Error)?.message ?? String(e)}` });
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
  let settle!: (o: SpecialistOutcome) => void;
  const settled = new Promise<SpecialistOutcome>((resolve) => (settle = resolve));
  const events = res.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
  return { ok: true, output: new ChatStream(chunkStream(events, signal, pricing, settle), settled), usage: {}, settled };
}

/** Turns SSE events into validated chunks until `[DONE]`; settles the hop's outcome exactly once. */
function chunkStream(events: ReadableStream<EventSourceMessage>, signal: AbortSignal, pricing: Pricing, settle: (o: SpecialistOutcome) => void): ReadableStream<ChatCompletionChunk> {
  const reader = events.getReader();
  let usage: Usage = {};
  let finished = false;
  const onAbort = () => void reader.cancel(signal.reason).catch(() => {});
  signal.addEventListener("abort", onAbort, { once: true });
  const finish = (o: SpecialistOutcome) => {
    if (finished) return;
    finished = true;
    signal.removeEventListener("abort", onAbort);
    settle(o);
  };
  const ok = (): SpecialistOutcome => ({ ok: true, output: null, usage });
  return new ReadableStream<ChatCompletionChunk>({
    async pull(controller) {
      for (;;) {
        let next: ReadableStreamReadResult<EventSourceMessage>;
        try {
          next = await reader.read();
        } catch (e) {
          const f = signal.aborted ? timeoutFailure : { kind: "unreachable" as const, detail: `stream broke: ${(e as Error)?.message ?? String(e)}` };
          finish(fail(f));
          return controller.error(new Error(f.detail));
        }
        if (next.done) {
          if (signal.aborted) {
            finish(fail(timeoutFailure));
            return controller.error(new Error(timeoutFailure.detail));
          }
          finish(ok()); // ended without [DONE]: what arrived is the reply
          return controller.close();
        }
        const data = next.value.data.trim();
        if (data === "[DONE]") {
          finish(ok());
          controller.close();
          return void reader.cancel().catch(() => {});
        }
        const problem = parseChunk(data);
        if ("failure" in problem) {
          finish(fail(problem.failure));
          void reader.cancel().catch(() => {});
          return controller.error(new Error(problem.failure.detail));
        }
        if (problem.chunk.usage) usage = usageOf(problem.chunk.usage, pricing);
        controller.enqueue(problem.chunk);
        return;
      }
    },
    cancel(reason) {
      finish(ok()); // the client went away: not the specialist's fault
      return reader.cancel(reason);
    },
  });
}

const timeoutFailure: SpecialistFailure = { kind: "timeout", detail: "the stream did not finish before the deadline" };

/** One SSE `data` field as a chunk, or the failure it stands for (garbage, wrong shape, an upstream `error`). */
export function parseChunk(data: string): { chunk: ChatCompletionChunk } | { failure: SpecialistFailure } {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return { failure: { kind: "bad_response", detail: `stream event is not JSON: ${snippet(data)}` } };
  }
  if (typeof json === "object" && json !== null && "error" in json) {
    const message = (json as { error?: { message?: unknown } }).error?.message;
    return { failure: { kind: "http_error", detail: `upstream error mid-stream: ${typeof message === "string" ? message : snippet(data)}` } };
  }
  const parsed = ChatCompletionChunk.safeParse(json);
  if (!parsed.success) return { failure: { kind: "bad_response", detail: `stream event is not a chat.completion.chunk: ${firstIssue(parsed.error)}` } };
  return { chunk: parsed.data };
}
