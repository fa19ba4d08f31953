import { z } from "zod";
import type { SpecialistFailure, SpecialistOutcome, SpecialistRequest, UpstreamError, Usage } from "../routing/hop.ts";

/** Largest specialist reply the router reads, in bytes. */
export const MAX_REPLY_BYTES = 8 * 1024 * 1024;
/**
 * Deepest nesting a specialist reply may have: deeper JSON parses, but cannot be
 * written back (stored, hashed, sent on) without overflowing the stack, so it is
 * refused as a bad reply before it is parsed.
 */
export const MAX_REPLY_DEPTH = 64;

/** The reply every JSON specialist (`service`, `http`) must send. */
export const SpecialistReply = z.object({
  output: z.unknown().refine((v) => v !== undefined, "output is required"),
  usage: z
    .object({
      units: z.number().nonnegative().optional(),
      inputTokens: z.number().int().nonnegative().optional(),
      outputTokens: z.number().int().nonnegative().optional(),
      costUsd: z.number().nonnegative().optional(),
    })
    .optional(),
});

/** Parses a `Retry-After` header (seconds or HTTP date) into seconds from `now`. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs)) return Math.max(0, secs);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - now) / 1000);
}

const fail = (failure: SpecialistFailure) => ({ ok: false as const, failure });

/** Rejects as soon as `signal` aborts, so a hung upstream cannot outlive its deadline. */
export function untilAborted<T>(signal: AbortSignal, work: Promise<T>): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (v) => (signal.removeEventListener("abort", onAbort), resolve(v)),
      (e: unknown) => (signal.removeEventListener("abort", onAbort), reject(e)),
    );
  });
}

/**
 * Builds the POST request of the JSON wire contract (docs/protocols/http.md):
 * the hop's headers and, unless another `body` is given, `{ input, intent, context }`.
 * An `accept` in `headers` is kept.
 */
export function buildRequest(url: string, req: SpecialistRequest, headers: Record<string, string>, signal: AbortSignal, body?: unknown): Request {
  const h = new Headers(headers);
  h.set("content-type", "application/json");
  if (!h.has("accept")) h.set("accept", "application/json");
  h.set("idempotency-key", req.idempotencyKey);
  h.set("traceparent", req.traceparent);
  if (req.tracestate) h.set("tracestate", req.tracestate);
  if (req.intent) h.set("x-intent-id", req.intent.id);
  const json = JSON.stringify(body ?? { input: req.input, intent: req.intent, context: req.context });
  // redirects are not followed: a specialist's 3xx must not carry the hop (and its headers) to another origin
  return new Request(url, { method: "POST", headers: h, body: json, signal, redirect: "manual" });
}

/**
 * Sends one JSON hop through `send` (global `fetch` or a service binding) and turns
 * every way it can go wrong into a typed {@link SpecialistFailure}.
 */
export async function callJson(send: (r: Request) => Promise<Response>, request: Request, signal: AbortSignal, framed = false): Promise<SpecialistOutcome> {
  const r = await fetchJson(send, request, signal, framed);
  if (!r.ok) return r;
  const sure = surelyReply(r.json);
  if (sure) return { ok: true, ...sure };
  const parsed = SpecialistReply.safeParse(r.json);
  if (!parsed.success)
    return fail({ kind: "bad_response", status: r.status, detail: `reply does not match {output, usage?}: ${parsed.error.issues[0]?.message}` });
  return { ok: true, output: parsed.data.output, usage: (parsed.data.usage ?? {}) as Usage };
}

const USAGE_KEYS = ["units", "inputTokens", "outputTokens", "costUsd"] as const;

/**
 * A reply's output and usage when it certainly matches {@link SpecialistReply}, read
 * without zod's copy of the whole reply (the hot path of every JSON hop); `undefined`
 * leaves the verdict, and its message, to the schema. The usage is a new object of
 * the schema's members only, as zod's `object` would give (unknown members dropped).
 */
export function surelyReply(v: unknown): { output: unknown; usage: Usage } | undefined {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return undefined;
  const { output, usage } = v as { output?: unknown; usage?: unknown };
  if (output === undefined) return undefined;
  if (usage === undefined) return { output, usage: {} };
  if (typeof usage !== "object" || usage === null || Array.isArray(usage)) return undefined;
  const u = usage as Record<string, unknown>;
  const out: Usage = {};
  for (const k of USAGE_KEYS) {
    const n = u[k];
    if (n === undefined) continue;
    if (typeof n !== "number" || !Number.isFinite(n) || n < 0) return undefined;
    if ((k === "inputTokens" || k === "outputTokens") && !Number.isSafeInteger(n)) return undefined;
    out[k] = n;
  }
  return { output, usage: out };
}

const UTF8 = new TextDecoder();

/**
 * A body as UTF-8 text, or `undefined` as soon as it passes `max` bytes (the rest is
 * not read): a reply without `content-length` is held to the cap as it arrives, in
 * bytes, not in characters once it has all been read.
 */
async function readCapped(r: Response, max: number): Promise<string | undefined> {
  if (!r.body) return "";
  const reader = r.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > max) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  const all = new Uint8Array(bytes);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return UTF8.decode(all);
}

/**
 * Sends a request whose reply must be JSON and reads the whole reply within the
 * deadline (`framed`: `send` is the global fetch, so a declared `content-length` is
 * the body's length and the reply is read whole; otherwise it is read up to the cap): timeouts, unreachable upstreams, 429s, other non-2xx statuses, oversized
 * and non-JSON bodies become failures; the caller validates the JSON's shape.
 */
export async function fetchJson(
  send: (r: Request) => Promise<Response>,
  request: Request,
  signal: AbortSignal,
  framed = false,
): Promise<{ ok: true; status: number; json: unknown } | { ok: false; failure: SpecialistFailure }> {
  let res: Response;
  let read: string | undefined;
  try {
    // one race covers the whole reply (headers and body): a hang or a slow drip ends at the deadline
    [res, read] = await untilAborted(
      signal,
      send(request).then(async (r): Promise<[Response, string | undefined]> => {
        const length = r.headers.get("content-length");
        const declared = Number(length ?? "0");
        if (declared > MAX_REPLY_BYTES) {
          await r.body?.cancel().catch(() => {});
          return [r, ""];
        }
        // over HTTP (`framed`: the global fetch) a declared length within the cap is the body's length, the
        // runtime holds a reply to its framing: read it whole. A reply handed over in process (a service
        // binding) may declare any length, and a compressed reply's length is not its decoded size: read capped.
        const whole = framed && length !== null && /^\d+$/.test(length) && !r.headers.has("content-encoding");
        return [r, whole ? await r.text() : await readCapped(r, MAX_REPLY_BYTES)];
      }),
    );
  } catch (e) {
    if (signal.aborted) return fail({ kind: "timeout", detail: "no complete reply before the deadline" });
    return fail({ kind: "unreachable", detail: `request failed: ${(e as Error)?.message ?? String(e)}` });
  }
  const declared = Number(res.headers.get("content-length") ?? "0");
  if (declared > MAX_REPLY_BYTES) return fail({ kind: "bad_response", status: res.status, detail: `reply of ${declared} bytes exceeds ${MAX_REPLY_BYTES}` });
  if (read === undefined) return fail({ kind: "bad_response", status: res.status, detail: `reply exceeds ${MAX_REPLY_BYTES} bytes` });
  const text = read;
  const refused = statusFailure(res, text);
  if (refused) return fail(refused);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return fail({ kind: "bad_response", status: res.status, detail: "reply is not JSON", body: snippet(text) });
  }
  // the parser takes any depth; what is stored, hashed or sent on later cannot
  if (deeperThan(json, MAX_REPLY_DEPTH)) return fail({ kind: "bad_response", status: res.status, detail: `reply is JSON nested deeper than ${MAX_REPLY_DEPTH} levels` });
  return { ok: true, status: res.status, json };
}

/** Whether a parsed JSON value nests arrays and objects deeper than `limit` (iterative: any depth is safe to ask). */
export function deeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (typeof v !== "object" || v === null) continue;
    if (d + 1 > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (typeof child === "object" && child !== null) stack.push([child, d + 1]);
  }
  return false;
}

/**
 * Statuses by which a specialist refuses the input itself (it understood the call and
 * said no): the client gets the refusal and no fallback is tried. Other 4xx (401, 403,
 * 404, 405, 407, 408, …) say the router's call was wrong (a key, a path): a failure.
 */
export const REFUSAL_STATUSES: ReadonlySet<number> = new Set([400, 409, 413, 415, 422]);

/**
 * The failure of a non-2xx reply, or undefined for 2xx: 429 with its `Retry-After` is
 * `rate_limited`; a refusal status ({@link REFUSAL_STATUSES}) is `refused`, with the
 * specialist's own message (problem+json `detail`/`title`, OpenAI `error.message`,
 * `{ error: "…" }`); anything else is `http_error`.
 */
export function statusFailure(res: Response, text: string): SpecialistFailure | undefined {
  if (res.status === 429) return { kind: "rate_limited", status: 429, detail: "specialist rate-limited the router", ...retryAfter(res) };
  if (res.ok) return undefined;
  if (res.status >= 300 && res.status < 400)
    return { kind: "http_error", status: res.status, detail: `specialist answered a redirect (${res.status}); redirects are not followed, so configure the URL it points to` };
  if (REFUSAL_STATUSES.has(res.status)) {
    const upstream = upstreamError(res.status, text);
    return { kind: "refused", status: res.status, detail: `specialist refused the input (${res.status}): ${upstream.message}`, upstream };
  }
  return { kind: "http_error", status: res.status, detail: `specialist answered ${res.status}`, body: snippet(text), ...retryAfter(res) };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** What a refusing specialist said, from the error shapes in use (problem+json, OpenAI's, `{ error: string }`). */
export function upstreamError(status: number, text: string): UpstreamError {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { status, message: snippet(text) };
  }
  if (!isRecord(json)) return { status, message: snippet(text) };
  const e = json.error;
  if (isRecord(e) && str(e.message)) {
    const openai = { message: e.message as string, type: str(e.type) ?? "invalid_request_error", param: str(e.param) ?? null, code: str(e.code) ?? null };
    return { status, message: openai.message, openai };
  }
  const message = str(json.detail) ?? str(json.title) ?? str(e) ?? str(json.message) ?? snippet(text);
  return { status, message: message.length > 500 ? `${message.slice(0, 500)}…` : message };
}

function retryAfter(res: Response): { retryAfterSeconds?: number } {
  const s = parseRetryAfter(res.headers.get("retry-after"));
  return s === undefined ? {} : { retryAfterSeconds: s };
}

/** A short, one-line excerpt of a reply body for failure details. */
export function snippet(text: string): string {
  const t = text.replace(/\s+/g, " ").trim();
  return t.length > 200 ? `${t.slice(0, 200)}…` : t || "(empty body)";
}

/**
 * Why a reply to a streamed call is no event stream to read: the failure its status
 * says, or another content type (a bad response), its text read for the detail;
 * `undefined` when it is one.
 */
export async function notAnEventStream(res: Response, signal: AbortSignal): Promise<SpecialistFailure | undefined> {
  const type = res.headers.get("content-type") ?? "";
  if (res.ok && res.body && /^text\/event-stream\b/i.test(type)) return undefined;
  const text = await untilAborted(signal, res.text()).catch(() => "");
  return statusFailure(res, text) ?? { kind: "bad_response", status: res.status, detail: `expected text/event-stream, got '${type || "no content type"}'`, body: snippet(text) };
}
