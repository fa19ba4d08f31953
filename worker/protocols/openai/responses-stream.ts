/**
 * Chat Completions chunks → Responses API streaming events, as pure incremental
 * machines (no I/O). Sources: OpenAI API reference, "Streaming events" (responses)
 * and "The chat completion chunk object".
 *
 * - {@link ChunksToResponseEvents}: chunk by chunk, the event sequence OpenAI streams:
 *   `response.created`, `response.in_progress`; per output item (reasoning, the
 *   message, each function call, in the order the chunks open them)
 *   `response.output_item.added`, its parts and deltas, their `.done` events and
 *   `response.output_item.done`; then `response.completed` (`response.incomplete` for
 *   `length` and `content_filter`), each event with its `sequence_number`.
 * - {@link ChatSseToResponseSse}: the router's Chat Completions event stream (text
 *   in pieces: chunks, then `[DONE]`, or an `{ error }` event) → Responses events as
 *   SSE text. A stream that fails (an error event, garbage, an end without a finish
 *   reason and `[DONE]`) ends with `response.failed` and an `error` event, never
 *   `response.completed`, so the official client raises.
 */
import { SseSplitter } from "./sse.ts";
import { inProgress, newItemId, responseObject, responsesUsage, sseResponseEvent, statusFor, type ResponseBase } from "./responses-reply.ts";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** An output item being streamed. */
interface Open {
  kind: "message" | "function_call" | "reasoning";
  item: Obj;
  index: number;
  /** message and reasoning: the parts, as they are so far; the open part is the last when `partOpen`. */
  parts: Obj[];
  partOpen: boolean;
  /** function_call: the chunk's tool call index. */
  call?: number;
}

/**
 * Chat Completions chunks (parsed) → Responses events. `push` each chunk, then
 * `end()` at `[DONE]`, or `fail()` when the stream breaks.
 *
 * @example
 * const s = new ChunksToResponseEvents({ id: "resp_1", created_at: 1, model: "gpt-x", echo: {} });
 * s.push({ choices: [{ index: 0, delta: { content: "Hi" }, finish_reason: null }] }).map((e) => e.type)
 * // ["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added", "response.output_text.delta"]
 * s.push({ choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }); // []
 * s.end().events.map((e) => e.type)
 * // ["response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed"]
 */
export class ChunksToResponseEvents {
  readonly #base: ResponseBase;
  #seq = 0;
  #started = false;
  readonly #done: Obj[] = [];
  #open: Open | undefined;
  #finish: unknown = null;
  #usage: unknown;
  #count = 0;

  constructor(base: ResponseBase) {
    this.#base = { ...base };
  }

  /** The events for one chunk. */
  push(chunk: Obj): Obj[] {
    const out: Obj[] = [];
    if (!this.#started && typeof chunk.model === "string" && chunk.model !== "") this.#base.model = chunk.model;
    this.#start(out);
    if (isObj(chunk.usage)) this.#usage = chunk.usage;
    const choice = Array.isArray(chunk.choices) ? (chunk.choices as unknown[]).find((c) => isObj(c) && (c.index ?? 0) === 0) : undefined;
    if (!isObj(choice)) return out;
    const delta = isObj(choice.delta) ? choice.delta : {};
    if (typeof delta.reasoning_content === "string" && delta.reasoning_content !== "") this.#text(out, "reasoning", "reasoning_text", delta.reasoning_content);
    if (typeof delta.content === "string" && delta.content !== "") this.#text(out, "message", "output_text", delta.content);
    if (typeof delta.refusal === "string" && delta.refusal !== "") this.#text(out, "message", "refusal", delta.refusal);
    if (Array.isArray(delta.tool_calls)) for (const tc of delta.tool_calls) if (isObj(tc)) this.#toolCall(out, tc);
    if (choice.finish_reason !== null && choice.finish_reason !== undefined) this.#finish = choice.finish_reason;
    return out;
  }

  /** At `[DONE]`: the closing events, or not `complete` when no finish reason came. */
  end(): { complete: boolean; events: Obj[] } {
    if (this.#finish === null) return { complete: false, events: [] };
    const out: Obj[] = [];
    // Stryker disable next-line CallExpression: a finish reason came with a chunk, and push starts the response before reading it
    this.#start(out);
    this.#close(out);
    if (this.#done.length === 0) {
      // an empty answer is still one (empty) message
      this.#text(out, "message", "output_text", "");
      this.#close(out);
    }
    const response = responseObject(this.#base, this.#done, this.#finish, this.#usage === undefined ? null : responsesUsage(this.#usage));
    this.#emit(out, { type: response.status === "incomplete" ? "response.incomplete" : "response.completed", response });
    return { complete: true, events: out };
  }

  /** The stream broke: `response.failed` (the items finished so far, the error) and an `error` event. */
  fail(message: string, code = "server_error"): Obj[] {
    const out: Obj[] = [];
    this.#start(out);
    const response = { ...inProgress(responseObject(this.#base, this.#done, "stop", null)), status: "failed", error: { code, message } };
    this.#emit(out, { type: "response.failed", response });
    this.#emit(out, { type: "error", code, message, param: null });
    return out;
  }

  #emit(out: Obj[], e: Obj): void {
    out.push({ ...e, sequence_number: this.#seq++ });
  }

  #start(out: Obj[]): void {
    if (this.#started) return;
    this.#started = true;
    // Stryker disable next-line ArrayDeclaration,StringLiteral: inProgress replaces the output, the status, completed_at and incomplete_details
    const response = inProgress(responseObject(this.#base, [], "stop", null));
    this.#emit(out, { type: "response.created", response });
    this.#emit(out, { type: "response.in_progress", response });
  }

  /** Opens an output item (closing the one before). */
  #openItem(out: Obj[], kind: Open["kind"], item: Obj, call?: number): Open {
    this.#close(out);
    // Stryker disable next-line ConditionalExpression: `call: undefined` on a message or reasoning item is never read (only function_call items are matched by call)
    const open: Open = { kind, item, index: this.#count++, parts: [], partOpen: false, ...(call !== undefined ? { call } : {}) };
    this.#open = open;
    this.#emit(out, { type: "response.output_item.added", output_index: open.index, item: { ...item, status: "in_progress" } });
    return open;
  }

  /** Text of a message part (`output_text`, `refusal`) or of reasoning (`reasoning_text`). */
  #text(out: Obj[], kind: "message" | "reasoning", type: string, text: string): void {
    let open = this.#open;
    if (!open || open.kind !== kind)
      open = this.#openItem(out, kind, kind === "message" ? { id: newItemId("msg"), type: "message", role: "assistant", content: [] } : { id: newItemId("rs"), type: "reasoning", summary: [], content: [] });
    const at = { item_id: open.item.id, output_index: open.index };
    let part = open.partOpen ? open.parts.at(-1)! : undefined;
    if (!part || part.type !== type) {
      this.#closePart(out, open);
      part = type === "refusal" ? { type, refusal: "" } : type === "output_text" ? { type, text: "", annotations: [], logprobs: [] } : { type, text: "" };
      open.parts.push(part);
      open.partOpen = true;
      this.#emit(out, { type: "response.content_part.added", ...at, content_index: open.parts.length - 1, part: { ...part } });
    }
    const content_index = open.parts.length - 1;
    if (text === "") return;
    if (type === "refusal") {
      part.refusal = (part.refusal as string) + text;
      this.#emit(out, { type: "response.refusal.delta", ...at, content_index, delta: text });
    } else {
      part.text = (part.text as string) + text;
      this.#emit(out, { type: type === "output_text" ? "response.output_text.delta" : "response.reasoning_text.delta", ...at, content_index, delta: text, ...(type === "output_text" ? { logprobs: [] } : {}) });
    }
  }

  #closePart(out: Obj[], open: Open): void {
    if (!open.partOpen) return;
    // Stryker disable next-line BooleanLiteral: a closed part is followed by a new one (which sets partOpen) or by the item's close; partOpen is not read in between
    open.partOpen = false;
    const part = open.parts.at(-1)!;
    const at = { item_id: open.item.id, output_index: open.index, content_index: open.parts.length - 1 };
    if (part.type === "refusal") this.#emit(out, { type: "response.refusal.done", ...at, refusal: part.refusal });
    else if (part.type === "output_text") this.#emit(out, { type: "response.output_text.done", ...at, text: part.text, logprobs: [] });
    else this.#emit(out, { type: "response.reasoning_text.done", ...at, text: part.text });
    this.#emit(out, { type: "response.content_part.done", ...at, part: { ...part } });
  }

  #toolCall(out: Obj[], tc: Obj): void {
    const index = typeof tc.index === "number" ? tc.index : 0;
    const fn = isObj(tc.function) ? tc.function : {};
    let open = this.#open;
    if (!open || open.kind !== "function_call" || open.call !== index) {
      const callId = typeof tc.id === "string" && tc.id !== "" ? tc.id : `call_${index}`;
      open = this.#openItem(out, "function_call", { id: newItemId("fc"), type: "function_call", call_id: callId, name: typeof fn.name === "string" ? fn.name : "", arguments: "" }, index);
    } else if (typeof fn.name === "string" && fn.name !== "" && open.item.name === "") open.item.name = fn.name;
    if (typeof fn.arguments === "string" && fn.arguments !== "") {
      open.item.arguments = (open.item.arguments as string) + fn.arguments;
      this.#emit(out, { type: "response.function_call_arguments.delta", item_id: open.item.id, output_index: open.index, delta: fn.arguments });
    }
  }

  /** Closes the open item: its open part, its `.done` events, `response.output_item.done`. */
  #close(out: Obj[]): void {
    const open = this.#open;
    if (!open) return;
    this.#open = undefined;
    const status = statusFor(this.#finish).status;
    let item: Obj;
    if (open.kind === "function_call") {
      this.#emit(out, { type: "response.function_call_arguments.done", item_id: open.item.id, output_index: open.index, arguments: open.item.arguments });
      item = { ...open.item, status: "completed" };
    } else {
      this.#closePart(out, open);
      item = { ...open.item, content: open.parts.map((p) => ({ ...p })), status };
    }
    this.#done.push(item);
    this.#emit(out, { type: "response.output_item.done", output_index: open.index, item });
  }
}

/**
 * The router's Chat Completions event stream (as text, in pieces) → Responses events
 * (as SSE text, `event: <type>` and `data: <json>`). Chunks go through
 * {@link ChunksToResponseEvents}; `[DONE]` closes the response; an `{ error }` event,
 * garbage, or an end with neither `[DONE]` nor an error ends it with
 * `response.failed` and an `error` event, and nothing follows them.
 */
export class ChatSseToResponseSse {
  readonly #splitter = new SseSplitter();
  readonly #s: ChunksToResponseEvents;
  #over = false;
  #failure: string | undefined;

  constructor(base: ResponseBase) {
    this.#s = new ChunksToResponseEvents(base);
  }

  /** The Responses events for the next piece of the Chat Completions stream. */
  push(text: string): string {
    let out = "";
    for (const ev of this.#splitter.push(text)) {
      if (this.#over) break;
      out += this.#event(ev.data);
    }
    return out;
  }

  /** At the end of the Chat Completions stream: the failure events unless it was complete or already failed. */
  end(): string {
    if (this.#over) return "";
    return this.#fail("the stream ended before it was complete");
  }

  /** Why the stream failed, when it did because of what the translation saw (not an upstream error event). */
  get failure(): string | undefined {
    return this.#failure;
  }

  /** The stream is over: complete, or failed. */
  get over(): boolean {
    return this.#over;
  }

  #event(data: string): string {
    if (data.trim() === "[DONE]") {
      const end = this.#s.end();
      if (!end.complete) return this.#fail("the stream ended without a finish reason", true);
      this.#over = true;
      return end.events.map(sseResponseEvent).join("");
    }
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      return this.#fail("the specialist's stream sent an event that is not JSON", true);
    }
    if (!isObj(chunk)) return this.#fail("the specialist's stream sent an event that is not a JSON object", true);
    if (isObj(chunk.error)) {
      const e = chunk.error;
      return this.#fail(typeof e.message === "string" ? e.message : "the specialist's stream failed", false, typeof e.code === "string" ? e.code : "server_error");
    }
    return this.#s.push(chunk).map(sseResponseEvent).join("");
  }

  /** `response.failed` and the error event; `ours`: the translation's own finding (recorded as the stream's failure). */
  #fail(message: string, ours = false, code = "server_error"): string {
    this.#over = true;
    if (ours) this.#failure = message;
    return this.#s.fail(message, code).map(sseResponseEvent).join("");
  }
}
