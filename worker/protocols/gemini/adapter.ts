import type { z } from "zod";
import type { GeminiEndpoint } from "../../config/schema.ts";
import type { AdapterContext, SpecialistFailure, SpecialistOutcome, SpecialistRequest } from "../../routing/hop.ts";
import { chunkResponse, chunkStream, type ChunkStep, type ChunkTranslator } from "../chunk-stream.ts";
import { buildRequest, fetchJson, notAnEventStream } from "../json-protocol.ts";
import { chatBodyOf, notSentOf, PLATFORM_FIELDS, translatedOutcome } from "../translation.ts";
import { unsentMembers } from "./contents.ts";
import type { ChatModelAdapter } from "../types.ts";
import { openChatStream } from "../openai/stream.ts";
import { firstIssue } from "../openai/wire.ts";
import { GenerateContentStream } from "./stream-translate.ts";
import { chatToGenerateContent, generateContentToCompletion } from "./translate.ts";
import { GenerateContentResponse, GeminiError, retryDelaySeconds, type GenerateContentRequest } from "./wire.ts";

type Gemini = z.infer<typeof GeminiEndpoint>;

/** The request of this hop (`:generateContent`, or `:streamGenerateContent?alt=sse`), or why it cannot be sent. */
function prepare(endpoint: Gemini, request: SpecialistRequest, ctx: AdapterContext, stream: boolean): { req: (signal: AbortSignal) => Request } | SpecialistFailure {
  const headers: Record<string, string> = { ...endpoint.headers };
  if (endpoint.apiKeySecret !== undefined) {
    const key = ctx.binding(endpoint.apiKeySecret);
    if (typeof key !== "string" || key === "") return { kind: "misconfigured", detail: `secret ${endpoint.apiKeySecret} is not set` };
    headers["x-goog-api-key"] = key;
  }
  if (stream) headers.accept = "text/event-stream";
  const t = chatToGenerateContent(chatBodyOf(request), { system: endpoint.systemPrompt });
  if (!t.ok) return refusal(t.param, t.detail);
  const base = `${endpoint.url.replace(/\/+$/, "")}/models/${encodeURIComponent(endpoint.model)}`;
  const url = stream ? `${base}:streamGenerateContent?alt=sse` : `${base}:generateContent`;
  const body: GenerateContentRequest = t.value;
  return { req: (signal) => buildRequest(url, request, headers, signal, body) };
}

/** A request field Gemini cannot take: refused like a specialist's own 400, naming the field for OpenAI clients. */
function refusal(param: string, detail: string): SpecialistFailure {
  const message = `${param}: ${detail}`;
  return { kind: "refused", status: 400, detail: `cannot be sent to Gemini: ${message}`, upstream: { status: 400, message, openai: { message, type: "invalid_request_error", param, code: "unsupported_parameter" } } };
}

/** A reply Gemini refused to give (a blocked prompt): the input's fault, not Gemini's; else a bad reply. */
function replyFailure(param: string, detail: string): SpecialistFailure {
  if (param === "promptFeedback.blockReason") {
    const message = `Gemini blocked the prompt: ${detail}`;
    return { kind: "refused", status: 400, detail: message, upstream: { status: 400, message, openai: { message, type: "invalid_request_error", param: null, code: "content_filter" } } };
  }
  return { kind: "bad_response", detail: `${param}: ${detail}` };
}

/**
 * Gemini's 429 with its wait in the body (`RetryInfo`) and no `Retry-After` header: the
 * same response with the header added, so the router's 429 handling (and the client)
 * sees the wait. Any other response as it is.
 */
async function withRetryAfter(res: Response): Promise<Response> {
  if (res.status !== 429 || res.headers.has("retry-after")) return res;
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const seconds = retryDelaySeconds(body);
  const headers = new Headers(res.headers);
  if (seconds !== undefined) headers.set("retry-after", String(Math.ceil(seconds)));
  return new Response(text, { status: 429, statusText: res.statusText, headers });
}

const send = (r: Request) => fetch(r).then(withRetryAfter);

const ids = () => ({ id: `chatcmpl-${crypto.randomUUID().replaceAll("-", "")}`, created: Math.floor(Date.now() / 1000) });

/**
 * Gemini answers a key it does not know with 400 `INVALID_ARGUMENT` "API key not
 * valid…" (reason `API_KEY_INVALID`): the router's configuration is wrong, not the
 * client's input, so it is `misconfigured` (a 502, fallbacks tried), not a refusal
 * passed on to the client as its own 400.
 */
function keyRejected(f: SpecialistFailure, endpoint: Gemini): SpecialistFailure {
  if (f.kind !== "refused" || f.status !== 400 || !/^API key not valid\b/.test(f.upstream?.message ?? "")) return f;
  return { kind: "misconfigured", status: 400, detail: `Gemini rejected the API key in secret ${endpoint.apiKeySecret ?? "(none)"}: ${f.upstream?.message}` };
}

/**
 * Gemini's stream as a {@link ChunkTranslator}: each event a `GenerateContentResponse`
 * (stream-translate.ts), an `{ "error": … }` event the stream's error (a 4xx status
 * in it is the input's fault: `invalid_request_error`), a blocked prompt the same.
 */
class GeminiChunks implements ChunkTranslator {
  readonly #s: GenerateContentStream;
  constructor(s: GenerateContentStream) {
    this.#s = s;
  }
  push(data: unknown): ChunkStep {
    const err = GeminiError.safeParse(data);
    if (err.success) return { chunks: [], error: { message: err.data.error.message, type: err.data.error.code >= 400 && err.data.error.code < 500 ? "invalid_request_error" : "server_error", code: err.data.error.status ?? null } };
    const res = GenerateContentResponse.safeParse(data);
    if (!res.success) return { chunks: [], error: { message: `a Gemini stream event is not a GenerateContentResponse: ${firstIssue(res.error)}`, type: "server_error" } };
    const r = this.#s.push(res.data);
    if (r.ok) return { chunks: r.value };
    const f = replyFailure(r.param, r.detail);
    return { chunks: [], error: { message: f.upstream?.message ?? f.detail, type: f.kind === "refused" ? "invalid_request_error" : "server_error", code: f.upstream?.openai?.code ?? null } };
  }
  end(): ChunkStep {
    const e = this.#s.end();
    return e.complete ? { chunks: e.chunks, done: true } : { chunks: [], truncated: e.detail }; // not complete: the reader reports it as cut
  }
}

/**
 * A Gemini model through the Gemini API (`POST {url}/models/{model}:generateContent`,
 * streamed `:streamGenerateContent?alt=sse`, key in `x-goog-api-key`): the hop's Chat
 * Completions body translated (translate.ts: a field Gemini cannot take is a 400
 * naming it), the reply translated back into a `chat.completion` (output as for
 * `openai-chat`), usage priced with `pricing` (cached tokens at the cached price).
 * Errors map as for any JSON upstream (429 + Retry-After, 5xx, 4xx refusals with
 * Gemini's message); a blocked prompt is a refusal.
 */
export const geminiAdapter: ChatModelAdapter<Gemini> = {
  type: "gemini",
  chatModel: true,
  refuses(endpoint, chat) {
    const t = chatToGenerateContent(chat, { system: endpoint.systemPrompt });
    return t.ok ? undefined : { param: t.param, detail: `'${endpoint.model}' on Gemini cannot take ${t.param}: ${t.detail}` };
  },
  notSent: (_endpoint, chat) => [...notSentOf(chat, PLATFORM_FIELDS), ...unsentMembers(chat.messages)],
  async call(endpoint, request, ctx) {
    const p = prepare(endpoint, request, ctx, false);
    if (!("req" in p)) return { ok: false, failure: p };
    const r = await fetchJson(send, p.req(ctx.signal), ctx.signal, true);
    if (!r.ok) return { ok: false, failure: keyRejected(r.failure, endpoint) };
    const res = GenerateContentResponse.safeParse(r.json);
    if (!res.success) return { ok: false, failure: { kind: "bad_response", status: r.status, detail: `reply is not a GenerateContentResponse: ${firstIssue(res.error)}` } };
    const t = generateContentToCompletion(res.data, { ...ids(), model: endpoint.model });
    if (!t.ok) return { ok: false, failure: replyFailure(t.param, t.detail) };
    return translatedOutcome(t.value, endpoint.pricing);
  },
  async stream(endpoint, request, ctx, o): Promise<SpecialistOutcome> {
    const p = prepare(endpoint, request, ctx, true);
    if (!("req" in p)) return { ok: false, failure: p };
    const clientAsked = (request.chat?.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
    const wantUsage = o.wantUsage ?? true;
    const s = new GenerateContentStream({ ...ids(), model: endpoint.model, includeUsage: clientAsked || wantUsage });
    return openChatStream(
      async (signal) => {
        const res = await send(p.req(signal));
        const failure = await notAnEventStream(res, signal);
        return failure ? { failure: keyRejected(failure, endpoint) } : chunkResponse(chunkStream(res.body!, new GeminiChunks(s), signal));
      },
      { pricing: endpoint.pricing, signal: ctx.signal, clientSignal: ctx.clientSignal, idleMs: o.idleMs, usageAdded: !clientAsked && wantUsage, specialist: o.specialist },
    );
  },
};
