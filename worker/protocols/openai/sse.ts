/**
 * Server-Sent Events as OpenAI-compatible APIs stream them, read cheaply: events are
 * split at blank lines (`\n\n`, `\r\n\r\n`) and their `data` looked at with string
 * checks, so a stream can be passed through without parsing and re-serialising every
 * chunk. Source: WHATWG HTML "Server-sent events" §9.2.6 (event stream interpretation);
 * OpenAI API reference, "Chat Completions › streaming".
 */

/** One complete event: its raw text (blank line included) and its `data` (lines joined by `\n`). */
export interface SseEvent {
  raw: string;
  data: string;
  /** The `event:` field, when there is one (`error` on some upstreams). */
  event?: string;
}

/**
 * Splits text into complete events, keeping an incomplete tail for the next push.
 *
 * @example
 * const s = new SseSplitter();
 * s.push('data: {"a":1}\n\ndata: {"b"'); // [{ raw: 'data: {"a":1}\n\n', data: '{"a":1}' }]
 * s.push(':2}\n\n');                    // [{ raw: 'data: {"b":2}\n\n', data: '{"b":2}' }]
 */
export class SseSplitter {
  #tail = "";

  push(text: string): SseEvent[] {
    const buf = this.#tail + text;
    const out: SseEvent[] = [];
    let start = 0;
    for (;;) {
      const end = boundary(buf, start);
      if (end === undefined) break;
      const raw = buf.slice(start, end.after);
      const ev = parseEvent(buf.slice(start, end.at));
      if (ev) out.push({ raw, ...ev });
      start = end.after;
    }
    this.#tail = buf.slice(start);
    return out;
  }

  /** What is left after the last complete event (an event cut off by the end of the stream). */
  get rest(): string {
    return this.#tail;
  }
}

/** The next blank line at or after `from`: where the event ends and where the next begins. */
function boundary(buf: string, from: number): { at: number; after: number } | undefined {
  const lf = buf.indexOf("\n\n", from);
  if (buf.indexOf("\r", from) === -1) return lf === -1 ? undefined : { at: lf, after: lf + 2 };
  const m = /\r\n\r\n|\n\n|\r\r/.exec(buf.slice(from));
  return m ? { at: from + m.index, after: from + m.index + m[0].length } : undefined;
}

/**
 * Where `raw` (an event's text, as the splitter cut it) starts in `text`, at `from` or
 * later, at the start of a line (not inside a comment that quotes it): how a
 * pass-through finds where the events it may forward end in the text it read.
 */
export function blockAt(text: string, raw: string, from: number): number {
  for (let at = text.indexOf(raw, from); at !== -1; at = text.indexOf(raw, at + 1)) if (at === from || text[at - 1] === "\n" || text[at - 1] === "\r") return at;
  return from; // not reached: the splitter cut `raw` out of this text
}

/**
 * What a checking pass-through forwards of each read, byte for byte when it can: when
 * every complete event of the read may go and the read (like the one before it) ends
 * where an event ends, the read's own bytes; otherwise the text up to the end of the
 * last event that may go (comments before it included), and what follows waits. An
 * event cut by a read boundary is never forwarded half. Used by the OpenAI and
 * Anthropic pass-throughs (openai/stream-native.ts, anthropic/native-stream.ts).
 */
export class ReadForwarder {
  readonly #splitter: Pick<SseSplitter, "rest">;
  /** The client has every byte up to the end of the last complete event. */
  #aligned = true;
  /** The text read after that. */
  #unsent = "";
  #enc = new TextEncoder();

  constructor(splitter: Pick<SseSplitter, "rest">) {
    this.#splitter = splitter;
  }

  /**
   * The bytes to forward for one read (`bytes`, decoded as `text`) whose complete
   * events are `events` (after `before`, events of the same text already checked), of
   * which the first `taken` may go.
   */
  take(bytes: Uint8Array, text: string, events: readonly SseEvent[], taken: number, before: readonly SseEvent[] = []): Uint8Array {
    const wasAligned = this.#aligned;
    // nothing held by the splitter, and a last byte that is ASCII (so none held by the decoder)
    this.#aligned = this.#splitter.rest === "" && bytes.length > 0 && bytes[bytes.length - 1]! < 0x80;
    this.#unsent += text;
    if (wasAligned && this.#aligned && taken === events.length) {
      this.#unsent = "";
      return bytes;
    }
    let at = taken === events.length ? this.#unsent.length - this.#splitter.rest.length : 0;
    if (taken < events.length) for (const ev of [...before, ...events.slice(0, taken)]) at = blockAt(this.#unsent, ev.raw, at) + ev.raw.length;
    const out = this.#enc.encode(this.#unsent.slice(0, at));
    this.#unsent = this.#unsent.slice(at);
    return out;
  }
}

/** The `data` and `event` fields of one event's lines; undefined for an event with neither (comments, `retry:`). */
function parseEvent(block: string): { data: string; event?: string } | undefined {
  // the common case, one `data: …` line: no split
  if (block.startsWith("data: ") && block.indexOf("\n") === -1 && block.indexOf("\r") === -1) return { data: block.slice(6) };
  let data: string[] | undefined;
  let event: string | undefined;
  for (const line of block.split(/\r\n|\r|\n/)) {
    if (line === "" || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") (data ??= []).push(value);
    else if (field === "event") event = value;
  }
  if (data === undefined && event === undefined) return undefined;
  return { data: (data ?? []).join("\n"), ...(event !== undefined ? { event } : {}) };
}

/** What one event's `data` is, decided by string checks only. */
export type EventKind = "done" | "error" | "garbage" | "chunk";

/** `[DONE]`, an `error` object (or an `event: error`), something that is not a JSON object, or a chunk. */
export function eventKind(ev: SseEvent): EventKind {
  const d = ev.data;
  const first = firstNonSpace(d, 0);
  if (d.charCodeAt(first) !== 123 /* { */) return d.trim() === "[DONE]" ? "done" : "garbage";
  if (ev.event === "error") return "error";
  if (d.startsWith('"error"', firstNonSpace(d, first + 1))) return "error";
  return d.trimEnd().endsWith("}") ? "chunk" : "garbage";
}

function firstNonSpace(s: string, from: number): number {
  let i = from;
  while (i < s.length && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9 || s.charCodeAt(i) === 10 || s.charCodeAt(i) === 13)) i++;
  return i;
}

/**
 * Where the value of member `key` starts (after `"key"`, spaces and the colon), or -1.
 * A quoted key cannot occur unescaped inside a JSON string, so this finds members only.
 */
function valueAt(data: string, key: string): number {
  const at = data.indexOf(`"${key}"`);
  if (at === -1) return -1;
  const colon = firstNonSpace(data, at + key.length + 2);
  return data.charCodeAt(colon) === 58 /* : */ ? firstNonSpace(data, colon + 1) : -1;
}

/** A chunk with a non-null `finish_reason`. */
export function hasFinishReason(data: string): boolean {
  const v = valueAt(data, "finish_reason");
  return v !== -1 && data.charCodeAt(v) === 34; /* " */
}

/** A chunk carrying a `usage` object. */
export function hasUsage(data: string): boolean {
  const v = valueAt(data, "usage");
  return v !== -1 && data.charCodeAt(v) === 123; /* { */
}

/** The usage-only chunk of a stream (`choices: []` with `usage`). */
export function isUsageOnly(data: string): boolean {
  if (!hasUsage(data)) return false;
  const v = valueAt(data, "choices");
  return v !== -1 && data.charCodeAt(v) === 91 /* [ */ && data.charCodeAt(firstNonSpace(data, v + 1)) === 93; /* ] */
}

/** The chunk without its `"usage": null` member (what a client that did not ask for usage gets). */
export function withoutNullUsage(raw: string): string {
  if (raw.indexOf('"usage"') === -1) return raw;
  return raw.replace(/,\s*"usage"\s*:\s*null(?=\s*[,}])|"usage"\s*:\s*null\s*,\s*/, "");
}

/**
 * A chunk that carries part of the answer: content, a refusal, tool or function
 * calls, audio, a finish reason, or usage. Only the first events of a stream are
 * looked at for this (until the first such chunk), so a failure before it can be
 * retried. String checks, like the others: a role-only opening chunk (`"content":""`)
 * carries nothing.
 */
export function carriesContent(data: string): boolean {
  if (hasFinishReason(data) || hasUsage(data)) return true;
  for (const key of ["content", "refusal"]) {
    const v = valueAt(data, key);
    if (v !== -1 && data.charCodeAt(v) === 34 /* " */ && data.charCodeAt(v + 1) !== 34) return true;
  }
  for (const key of ["tool_calls", "function_call", "audio"]) {
    const v = valueAt(data, key);
    if (v !== -1 && data.charCodeAt(v) !== 110 /* n(ull) */) return true;
  }
  return false;
}
