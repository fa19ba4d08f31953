/**
 * The router's span model and recorder: plain data, an injected clock, no Workers
 * imports. Spans are recorded as the runtime's clock gives them: on Workers the
 * clock only advances on I/O, so CPU-only stages often last 0 ms. That is the
 * truth as the platform reports it; nothing here invents finer precision.
 */
import { nonZeroHex } from "./random-hex.ts";

/** An attribute value (OTLP AnyValue subset the router uses). */
export type AttrValue = string | number | boolean;
export type Attributes = Record<string, AttrValue>;

/** OTLP span kinds the router records. */
export type SpanKind = "server" | "client" | "internal";

/** OTLP status: `unset` (no opinion), `ok`, or `error` with a message. */
export interface SpanStatus {
  code: "unset" | "ok" | "error";
  message?: string;
}

/** One finished (or, for a task's own span, still open) span. */
export interface SpanRecord {
  /** 32 lowercase hex digits. */
  traceId: string;
  /** 16 lowercase hex digits. */
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: SpanKind;
  /** Epoch milliseconds, as the runtime's clock gave them. */
  startMs: number;
  /** Epoch milliseconds; `null` while the span is open (a running task). */
  endMs: number | null;
  attributes: Attributes;
  status: SpanStatus;
}

/** A span being recorded. */
export interface SpanHandle {
  readonly spanId: string;
  /** Adds or replaces attributes; `undefined` values are skipped. */
  set(attributes: Record<string, AttrValue | undefined>): void;
  /** Ends the span once (later calls return the same record). */
  end(status?: SpanStatus, attributes?: Record<string, AttrValue | undefined>): SpanRecord;
  /** The W3C `traceparent` naming this span as the parent (for the next service). */
  traceparent(): string;
}

export interface TracerOptions {
  traceId: string;
  /** W3C trace flags (`01`: sampled). */
  flags?: string;
  /** Epoch milliseconds. */
  clock?: () => number;
  /** A new 16-hex span id. */
  ids?: () => string;
  /** Called with every span as it ends (e.g. to store it). */
  onEnd?: (span: SpanRecord) => void;
}

/** 16 random lowercase hex digits (never all zero). */
export function randomSpanId(): string {
  return nonZeroHex(8);
}

function clean(attributes: Record<string, AttrValue | undefined> | undefined, into: Attributes): void {
  if (!attributes) return;
  for (const k in attributes) {
    if (!Object.hasOwn(attributes, k)) continue;
    const v = attributes[k];
    if (v !== undefined && (typeof v !== "number" || Number.isFinite(v))) into[k] = v;
  }
}

/** One open span of a {@link Tracer} (a class, not closures: a hop starts several). */
class OpenSpan implements SpanHandle {
  readonly spanId: string;
  readonly #tracer: Tracer;
  readonly #name: string;
  readonly #parent: string | undefined;
  readonly #kind: SpanKind;
  readonly #startMs: number;
  readonly #attributes: Attributes = {};
  #done: SpanRecord | undefined;

  constructor(tracer: Tracer, name: string, spanId: string, startMs: number, o: { parent?: string | undefined; kind?: SpanKind; attributes?: Record<string, AttrValue | undefined> }) {
    this.#tracer = tracer;
    this.#name = name;
    this.spanId = spanId;
    this.#startMs = startMs;
    this.#parent = o.parent;
    this.#kind = o.kind ?? "internal";
    clean(o.attributes, this.#attributes);
  }

  set(a: Record<string, AttrValue | undefined>): void {
    clean(a, this.#attributes);
  }

  end(status: SpanStatus = { code: "unset" }, more?: Record<string, AttrValue | undefined>): SpanRecord {
    if (this.#done) return this.#done;
    clean(more, this.#attributes);
    const t = this.#tracer;
    const endMs = Math.max(this.#startMs, t.now());
    // members in one order, `parentSpanId` after `spanId` (as stored traces and exports always had them)
    const record: SpanRecord = this.#parent
      ? { traceId: t.traceId, spanId: this.spanId, parentSpanId: this.#parent, name: this.#name, kind: this.#kind, startMs: this.#startMs, endMs, attributes: this.#attributes, status }
      : { traceId: t.traceId, spanId: this.spanId, name: this.#name, kind: this.#kind, startMs: this.#startMs, endMs, attributes: this.#attributes, status };
    this.#done = record;
    t.record(record);
    return record;
  }

  traceparent(): string {
    return `00-${this.#tracer.traceId}-${this.spanId}-${this.#tracer.flags}`;
  }
}

/**
 * Records the spans of one trace. Every finished span is kept (`spans`) and
 * passed to `onEnd`.
 *
 * @example
 * const t = new Tracer({ traceId, clock: () => Date.now() });
 * const s = t.start("intent", { parent: root.spanId });
 * s.end({ code: "ok" }, { "switchyard.intent.source": "lru" });
 */
export class Tracer {
  readonly traceId: string;
  readonly flags: string;
  readonly spans: SpanRecord[] = [];
  readonly #clock: () => number;
  readonly #ids: () => string;
  readonly #onEnd: ((span: SpanRecord) => void) | undefined;

  constructor(o: TracerOptions) {
    this.traceId = o.traceId;
    this.flags = o.flags ?? "01";
    this.#clock = o.clock ?? (() => Date.now());
    this.#ids = o.ids ?? randomSpanId;
    this.#onEnd = o.onEnd;
  }

  /** Starts a span now (or at `startMs`); `spanId` reuses an id allocated elsewhere (the request's span). */
  start(name: string, o: { parent?: string | undefined; kind?: SpanKind; attributes?: Record<string, AttrValue | undefined>; spanId?: string; startMs?: number } = {}): SpanHandle {
    return new OpenSpan(this, name, o.spanId ?? this.#ids(), o.startMs ?? this.#clock(), o);
  }

  /** The tracer's clock (ms). */
  now(): number {
    return this.#clock();
  }

  /** Keeps a finished span and passes it to `onEnd` (called by the span's `end`). */
  record(span: SpanRecord): void {
    this.spans.push(span);
    this.#onEnd?.(span);
  }

  /** Runs `fn` in a span that ends when it settles: `error` with the message if it throws. */
  async inSpan<T>(name: string, o: Parameters<Tracer["start"]>[1], fn: (span: SpanHandle) => Promise<T>): Promise<T> {
    const span = this.start(name, o);
    try {
      const v = await fn(span);
      span.end({ code: "ok" });
      return v;
    } catch (e) {
      span.end({ code: "error", message: (e as Error)?.message ?? String(e) });
      throw e;
    }
  }
}

/** Whether W3C trace flags mark the trace as sampled. */
export function sampled(flags: string): boolean {
  return (Number.parseInt(flags, 16) & 1) === 1;
}

/** A span's duration in ms (0 while open). */
export function durationMs(s: SpanRecord): number {
  return s.endMs === null ? 0 : Math.max(0, s.endMs - s.startMs);
}
