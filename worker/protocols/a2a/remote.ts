/**
 * The calls the `a2a` adapter makes to a remote agent once it knows where it is
 * (adapter.ts reads its card): a JSON-RPC call, following an unfinished task with
 * `GetTask`, and opening the agent's event stream (`SendStreamingMessage` /
 * `message/stream`), whose Server-Sent Events are split by the router's own reader
 * (openai/sse.ts `SseSplitter`, which every streamed protocol uses) and decoded one at
 * a time as their bytes arrive (stream.ts).
 */
import { SseSplitter } from "../openai/sse.ts";
import { buildRequest, fetchJson, MAX_REPLY_BYTES, notAnEventStream, untilAborted } from "../json-protocol.ts";
import type { Wire } from "./jsonrpc.ts";
import { rpcResult, taskOutcome, type RemoteTask } from "./outcome.ts";
import { decodeFrame, RemoteStream, type RemoteEvent, type StreamEnd } from "./stream.ts";
import { FINAL_STATES, WireTask } from "./wire.ts";
import type { AdapterContext, SpecialistFailure, SpecialistOutcome, SpecialistRequest } from "../../routing/hop.ts";

type Failed = { ok: false; failure: SpecialistFailure };
const fail = (failure: SpecialistFailure): Failed => ({ ok: false, failure });

/** Where one hop goes: the JSON-RPC endpoint the card names, its version, whether it streams, and the headers for it. */
export interface Remote {
  url: string;
  wire: Wire;
  /** The card declares `capabilities.streaming`. */
  streaming: boolean;
  headers: Record<string, string>;
}

/** First and longest pause between polls of an unfinished task. */
const POLL_FIRST_MS = 100;
const POLL_MAX_MS = 1_000;

/** One JSON-RPC call with the hop's headers (`Idempotency-Key`, `traceparent`, …). */
export async function rpc(to: Remote, method: string, params: unknown, req: SpecialistRequest, signal: AbortSignal): Promise<{ ok: true; result: unknown } | Failed> {
  const h = { ...to.headers, ...(to.wire === "1.0" ? { "a2a-version": "1.0" } : {}) };
  const body = { jsonrpc: "2.0", id: crypto.randomUUID(), method, params };
  const r = await fetchJson((x) => fetch(x), buildRequest(to.url, req, h, signal, body), signal, true);
  return r.ok ? rpcResult(r.json, method, r.status) : r;
}

/** Resolves after `ms`, or false as soon as `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const onAbort = () => (clearTimeout(timer), resolve(false));
    const timer = setTimeout(() => (signal.removeEventListener("abort", onAbort), resolve(true)), ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Polls a task with `GetTask` (100 ms doubling to 1 s) until it ends or `signal` aborts (a timeout; the remote task is not cancelled). */
export async function follow(to: Remote, first: RemoteTask, req: SpecialistRequest, signal: AbortSignal): Promise<SpecialistOutcome> {
  let task = first;
  for (let wait = POLL_FIRST_MS; !FINAL_STATES.has(task.status.state); wait = Math.min(wait * 2, POLL_MAX_MS)) {
    if (!(await pause(wait, signal))) return fail({ kind: "timeout", detail: `A2A task ${task.id} was still ${task.status.state} at the deadline` });
    const got = await rpc(to, to.wire === "1.0" ? "GetTask" : "tasks/get", { id: task.id }, req, signal);
    if (!got.ok) return got;
    const parsed = WireTask.safeParse(got.result);
    if (!parsed.success) return fail({ kind: "bad_response", detail: `GetTask ${task.id}: the answer is not a Task` });
    task = parsed.data;
  }
  const outcome = taskOutcome(task);
  return outcome.ok ? { ok: true, output: outcome.output, usage: {} } : outcome;
}

/** One event of a stream, or the failure it is. */
export type Frame = { ok: true; event: RemoteEvent } | Failed;

/** The events of one stream, decoded one at a time as their bytes arrive. */
export class FrameReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  readonly #splitter = new SseSplitter();
  readonly #decoder = new TextDecoder();
  readonly #queue: Frame[];

  /** Events of `body` (after `queued`, events already read). */
  constructor(body: ReadableStream<Uint8Array> | undefined, queued: Frame[] = []) {
    this.#reader = body?.getReader();
    this.#queue = queued;
  }

  /** The next event, or undefined where the stream ends. Rejects when it breaks (or its request's signal aborts). */
  async next(): Promise<Frame | undefined> {
    for (;;) {
      const queued = this.#queue.shift();
      if (queued) return queued;
      if (!this.#reader) return undefined;
      const { done, value } = await this.#reader.read();
      if (done) return undefined;
      for (const ev of this.#splitter.push(this.#decoder.decode(value, { stream: true }))) this.#queue.push(decodeFrame(ev.data));
      if (this.#splitter.rest.length > MAX_REPLY_BYTES) this.#queue.push(fail({ kind: "bad_response", detail: `an event of the agent's stream exceeds ${MAX_REPLY_BYTES} bytes` }));
    }
  }

  /** Stops reading: the agent's stream is cancelled. */
  cancel(): void {
    void this.#reader?.cancel().catch(() => {});
  }
}

/**
 * Sends `SendStreamingMessage` (1.x) / `message/stream` (0.3) with the hop's headers
 * and opens the agent's event stream (aborted with `signal`). An HTTP error status or
 * a body that is neither events nor JSON is a failure as for any streamed call; a JSON
 * reply is read as the one event of the stream: a JSON-RPC error (how the SDK answers a
 * call it refuses before streaming) is its failure.
 */
export async function openStream(to: Remote, params: unknown, req: SpecialistRequest, signal: AbortSignal): Promise<{ ok: true; frames: FrameReader } | Failed> {
  const method = to.wire === "1.0" ? "SendStreamingMessage" : "message/stream";
  const h = { ...to.headers, accept: "text/event-stream", ...(to.wire === "1.0" ? { "a2a-version": "1.0" } : {}) };
  const broke = (e: unknown): Failed =>
    fail(signal.aborted ? { kind: "timeout", detail: `${method}: no answer before the deadline` } : { kind: "unreachable", detail: `request failed: ${(e as Error)?.message ?? String(e)}` });
  let res: Response;
  try {
    res = await untilAborted(signal, fetch(buildRequest(to.url, req, h, signal, { jsonrpc: "2.0", id: crypto.randomUUID(), method, params })));
  } catch (e) {
    return broke(e);
  }
  if (res.ok && /^application\/json\b/i.test(res.headers.get("content-type") ?? "")) {
    let text: string;
    try {
      text = await untilAborted(signal, res.text());
    } catch (e) {
      return broke(e);
    }
    if (text.length > MAX_REPLY_BYTES) return fail({ kind: "bad_response", status: res.status, detail: `reply exceeds ${MAX_REPLY_BYTES} bytes` });
    const frame = decodeFrame(text);
    return frame.ok ? { ok: true, frames: new FrameReader(undefined, [frame]) } : frame;
  }
  const refused = await notAnEventStream(res, signal);
  if (refused) return fail(refused);
  return { ok: true, frames: new FrameReader(res.body!) };
}

/**
 * Reads `frames` into `fold` until the call ends, telling `progress` what each event
 * says; with `untilText`, stops as soon as the answer has text (`fold.text()`).
 * `"cut"`: the stream ended (or broke) first. Rejects only when `signal` aborted.
 */
export async function advance(
  frames: FrameReader,
  fold: RemoteStream,
  progress: AdapterContext["progress"],
  signal: AbortSignal,
  untilText = false,
): Promise<{ end: StreamEnd } | "text" | "cut"> {
  for (;;) {
    let frame: Frame | undefined;
    try {
      frame = await frames.next();
    } catch (e) {
      if (signal.aborted) throw e;
      return "cut";
    }
    if (!frame) return "cut";
    if (!frame.ok) return { end: frame };
    const step = fold.push(frame.event);
    if (step.progress) progress?.(step.progress);
    if (step.end) return { end: step.end };
    if (untilText && fold.text() !== "") return "text";
  }
}

/**
 * A hop over the agent's event stream, for callers that take the answer whole (a
 * task step, `/v1/route`): each event is told to `ctx.progress` as it arrives, and
 * the output is the same as the polled call's. A stream cut before the end is
 * followed with `GetTask` when it named its task (the agent keeps working on it),
 * else it is `truncated`; the deadline is `timeout`.
 */
export async function streamedCall(to: Remote, params: unknown, req: SpecialistRequest, ctx: AdapterContext): Promise<SpecialistOutcome> {
  const opened = await openStream(to, params, req, ctx.signal);
  if (!opened.ok) return opened;
  const fold = new RemoteStream();
  let r: Awaited<ReturnType<typeof advance>>;
  try {
    r = await advance(opened.frames, fold, ctx.progress, ctx.signal);
  } catch {
    opened.frames.cancel();
    const state = fold.task ? `A2A task ${fold.task.id} was still ${fold.task.status.state}` : "the agent's stream had not answered";
    return fail({ kind: "timeout", detail: `${state} at the deadline` });
  }
  opened.frames.cancel();
  if (typeof r !== "string") return r.end.ok ? { ok: true, output: r.end.output, usage: {} } : r.end;
  // cut: the agent keeps working on its task; GetTask tells how it ends
  return fold.task ? follow(to, fold.task, req, ctx.signal) : fail({ kind: "truncated", detail: "the agent's stream ended before it sent a task or a message" });
}
