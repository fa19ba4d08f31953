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

/** The `data` and `event` fields of one event's lines; undefined for an event with neither (comments, `retry:`). */
function parseEvent(block: string): { data: string; event?: string } | undefined {
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
  const d = ev.data.trim();
  if (d === "[DONE]") return "done";
  if (ev.event === "error" || /^\{\s*"error"\s*:/.test(d)) return "error";
  if (!d.startsWith("{") || !d.endsWith("}")) return "garbage";
  return "chunk";
}

/** A chunk with a non-null `finish_reason` (string check: a quoted key cannot occur unescaped inside a JSON string). */
export function hasFinishReason(data: string): boolean {
  return /"finish_reason"\s*:\s*"/.test(data);
}

/** A chunk carrying a `usage` object. */
export function hasUsage(data: string): boolean {
  return /"usage"\s*:\s*\{/.test(data);
}

/** The usage-only chunk of a stream (`choices: []` with `usage`). */
export function isUsageOnly(data: string): boolean {
  return hasUsage(data) && /"choices"\s*:\s*\[\s*\]/.test(data);
}

/** The chunk without its `"usage": null` member (what a client that did not ask for usage gets). */
export function withoutNullUsage(raw: string): string {
  return raw.replace(/,\s*"usage"\s*:\s*null(?=\s*[,}])|"usage"\s*:\s*null\s*,\s*/, "");
}

/**
 * A chunk that carries part of the answer: content, a refusal, tool or function
 * calls, audio, a finish reason, or usage. Only the first events of a stream are
 * parsed for this (until the first such chunk), so a failure before it can be retried.
 */
export function isContentChunk(json: unknown): boolean {
  if (typeof json !== "object" || json === null) return false;
  const c = json as { choices?: unknown; usage?: unknown };
  if (!Array.isArray(c.choices)) return false;
  if (c.choices.length === 0) return typeof c.usage === "object" && c.usage !== null;
  return c.choices.some((choice: { delta?: Record<string, unknown>; finish_reason?: unknown }) => {
    if (typeof choice?.finish_reason === "string") return true;
    const d = choice?.delta;
    if (!d) return false;
    return (typeof d.content === "string" && d.content !== "") || (typeof d.refusal === "string" && d.refusal !== "") || Array.isArray(d.tool_calls) || d.function_call != null || d.audio != null;
  });
}
