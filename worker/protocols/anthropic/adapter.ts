import type { z } from "zod";
import type { AnthropicEndpoint } from "../../config/schema.ts";
import type { AdapterContext, SpecialistFailure, SpecialistOutcome, SpecialistRequest } from "../../routing/hop.ts";
import { chunkResponse, chunkStream, type ChunkStep, type ChunkTranslator } from "../chunk-stream.ts";
import { buildRequest, fetchJson, notAnEventStream } from "../json-protocol.ts";
import { chatBodyOf, translatedOutcome } from "../translation.ts";
import type { ChatModelAdapter } from "../types.ts";
import { openChatStream } from "../openai/stream.ts";
import { firstIssue } from "../openai/wire.ts";
import { MessageStreamToChunks } from "./stream-translate.ts";
import { chatNotSent, chatToMessages, messageToCompletion, type ChatBody } from "./translate.ts";
import { AnthropicMessage, parseStreamEvent } from "./wire.ts";
import { messageText, messageUsage, type MessageOutput } from "./door-reply.ts";
import { passThroughBody } from "./door-request.ts";
import { openMessageStream } from "./native-stream.ts";

type Anthropic = z.infer<typeof AnthropicEndpoint>;

/** The Messages request of this hop (`POST {url}/messages`), or why it cannot be sent. */
function prepare(endpoint: Anthropic, request: SpecialistRequest, ctx: AdapterContext, stream: boolean): { req: (signal: AbortSignal) => Request } | SpecialistFailure {
  const headers: Record<string, string> = { ...endpoint.headers, "anthropic-version": endpoint.anthropicVersion };
  if (endpoint.apiKeySecret !== undefined) {
    const key = ctx.binding(endpoint.apiKeySecret);
    if (typeof key !== "string" || key === "") return { kind: "misconfigured", detail: `secret ${endpoint.apiKeySecret} is not set` };
    headers["x-api-key"] = key;
  }
  if (stream) headers.accept = "text/event-stream";
  const t = translate(endpoint, chatBodyOf(request));
  if (!t.ok) return refusal(t.param, t.detail);
  const body = stream ? { ...t.value, stream: true } : (({ stream: _s, ...rest }) => rest)(t.value);
  const url = `${endpoint.url.replace(/\/+$/, "")}/messages`;
  return { req: (signal) => buildRequest(url, request, headers, signal, body) };
}

const translate = (endpoint: Anthropic, chat: Record<string, unknown>) =>
  chatToMessages(chat as ChatBody, { model: endpoint.model, system: endpoint.systemPrompt, defaultMaxTokens: endpoint.maxTokens, apiVersion: endpoint.anthropicVersion });

/** A request field Anthropic cannot take: refused like a specialist's own 400, naming the field for OpenAI clients. */
function refusal(param: string, detail: string): SpecialistFailure {
  const message = `${param}: ${detail}`;
  return { kind: "refused", status: 400, detail: `cannot be sent to Anthropic: ${message}`, upstream: { status: 400, message, openai: { message, type: "invalid_request_error", param, code: "unsupported_parameter" } } };
}

const ids = () => ({ id: `chatcmpl-${crypto.randomUUID().replaceAll("-", "")}`, created: Math.floor(Date.now() / 1000) });

/**
 * Anthropic's stream as a {@link ChunkTranslator} (stream-translate.ts): an `error`
 * event is the stream's error (`invalid_request_error` stays the input's fault, any
 * other type the provider's); the stream is complete at `message_stop`.
 */
class AnthropicChunks implements ChunkTranslator {
  readonly #s: MessageStreamToChunks;
  constructor(s: MessageStreamToChunks) {
    this.#s = s;
  }
  push(data: unknown): ChunkStep {
    const ev = parseStreamEvent(data);
    if (!ev.ok) return { chunks: [], error: { message: `an Anthropic stream event is not valid: ${ev.detail}`, type: "server_error" } };
    const r = this.#s.push(ev.event);
    if (!r.ok) return { chunks: [], error: { message: r.error.message, type: r.error.type === "invalid_request_error" ? "invalid_request_error" : "server_error", code: r.error.type } };
    return { chunks: r.chunks, ...(this.#s.end().complete ? { done: true } : {}) };
  }
  end(): ChunkStep {
    return { chunks: [], truncated: "the Anthropic stream ended before message_stop" }; // even after message_delta's stop reason: the usage chunk is owed at message_stop
  }
}

/**
 * An Anthropic model through the Messages API (`POST {url}/messages`, the key in
 * `x-api-key`, `anthropic-version` from the endpoint): the hop's Chat Completions body
 * translated (chat-to-messages.ts: a field Anthropic cannot take is a 400 naming it),
 * the reply translated back into a `chat.completion` (output as for `openai-chat`),
 * usage with cache reads and writes priced apart. Errors map as for any JSON upstream
 * (429 + Retry-After, 529 overloaded and other 5xx, 4xx refusals with Anthropic's
 * message); a streamed `error` event ends the stream as failed.
 */
export const anthropicAdapter: ChatModelAdapter<Anthropic> = {
  type: "anthropic",
  chatModel: true,
  refuses(endpoint, chat) {
    const t = translate(endpoint, chat);
    return t.ok ? undefined : { param: t.param, detail: `'${endpoint.model}' on Anthropic cannot take ${t.param}: ${t.detail}` };
  },
  notSent: (_endpoint, chat) => chatNotSent(chat as ChatBody),
  async call(endpoint, request, ctx) {
    const p = prepare(endpoint, request, ctx, false);
    if (!("req" in p)) return { ok: false, failure: p };
    const r = await fetchJson((x) => fetch(x), p.req(ctx.signal), ctx.signal, true);
    if (!r.ok) return r;
    const msg = AnthropicMessage.safeParse(r.json);
    if (!msg.success) return { ok: false, failure: { kind: "bad_response", status: r.status, detail: `reply is not an Anthropic message: ${firstIssue(msg.error)}` } };
    return translatedOutcome(messageToCompletion(msg.data, { ...ids(), model: endpoint.model }), endpoint.pricing);
  },
  async stream(endpoint, request, ctx, o): Promise<SpecialistOutcome> {
    const p = prepare(endpoint, request, ctx, true);
    if (!("req" in p)) return { ok: false, failure: p };
    const clientAsked = (request.chat?.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
    const wantUsage = o.wantUsage ?? true;
    const s = new MessageStreamToChunks({ ...ids(), model: endpoint.model, includeUsage: clientAsked || wantUsage });
    return openChatStream(
      async (signal) => {
        const res = await fetch(p.req(signal));
        const failure = await notAnEventStream(res, signal);
        return failure ? { failure } : chunkResponse(chunkStream(res.body!, new AnthropicChunks(s), signal));
      },
      { pricing: endpoint.pricing, signal: ctx.signal, clientSignal: ctx.clientSignal, idleMs: o.idleMs, usageAdded: !clientAsked && wantUsage, specialist: o.specialist },
    );
  },
};

/** The key and version headers of a call: the endpoint's headers, its key, and the client's `anthropic-version` / `anthropic-beta` over the endpoint's. */
function messagesHeaders(endpoint: Anthropic, request: SpecialistRequest, ctx: AdapterContext, stream: boolean): { headers: Record<string, string> } | { failure: SpecialistFailure } {
  const h = new Headers(endpoint.headers);
  h.set("anthropic-version", request.anthropic?.version ?? endpoint.anthropicVersion);
  if (request.anthropic?.beta !== undefined) h.set("anthropic-beta", request.anthropic.beta);
  if (endpoint.apiKeySecret !== undefined) {
    const key = ctx.binding(endpoint.apiKeySecret);
    if (typeof key !== "string" || key === "") return { failure: { kind: "misconfigured", detail: `secret ${endpoint.apiKeySecret} is not set` } };
    h.set("x-api-key", key);
  }
  if (stream) h.set("accept", "text/event-stream");
  return { headers: Object.fromEntries(h) };
}

/**
 * The Anthropic front door's call of an `anthropic` specialist: the client's Messages
 * body passed through (door-request.ts `passThroughBody`: only `model` rewritten and
 * the `systemPrompt` first), with the client's `anthropic-version` and
 * `anthropic-beta` headers when it sent them (else the endpoint's). The reply comes
 * back unchanged: whole, the `Message` as sent (output `{ message, text }`); streamed,
 * the upstream's events as sent (native-stream.ts). Without `request.anthropic`
 * (another door), the ordinary translated call.
 */
export async function callMessages(endpoint: Anthropic, request: SpecialistRequest, ctx: AdapterContext, o: { stream: boolean; idleMs: number }): Promise<SpecialistOutcome> {
  if (!request.anthropic) return anthropicAdapter.call(endpoint, request, ctx);
  const h = messagesHeaders(endpoint, request, ctx, o.stream);
  if ("failure" in h) return { ok: false, failure: h.failure };
  const url = `${endpoint.url.replace(/\/+$/, "")}/messages`;
  const body = passThroughBody(endpoint, request.anthropic.body, o.stream);
  const req = (signal: AbortSignal) => buildRequest(url, request, h.headers, signal, body);
  if (o.stream) return openMessageStream((signal) => fetch(req(signal)), { pricing: endpoint.pricing, signal: ctx.signal, clientSignal: ctx.clientSignal, idleMs: o.idleMs });
  const r = await fetchJson((x) => fetch(x), req(ctx.signal), ctx.signal, true);
  if (!r.ok) return r;
  const msg = AnthropicMessage.safeParse(r.json);
  if (!msg.success) return { ok: false, failure: { kind: "bad_response", status: r.status, detail: `reply is not an Anthropic message: ${firstIssue(msg.error)}` } };
  const message = r.json as Record<string, unknown>;
  const output: MessageOutput = { message, text: messageText(message) };
  return { ok: true, output, usage: messageUsage(msg.data.usage, endpoint.pricing) };
}
