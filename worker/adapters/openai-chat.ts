import type { z } from "zod";
import type { OpenAIChatEndpoint } from "../config/schema.ts";
import { buildRequest, fetchJson } from "./json-protocol.ts";
import { openChatStream } from "./openai-stream.ts";
import { ChatCompletion, chatBody, firstIssue, outputOf, usageOf } from "./openai-wire.ts";
import type { Adapter, AdapterContext, SpecialistFailure, SpecialistOutcome, SpecialistRequest } from "./types.ts";

type OpenAIChat = z.infer<typeof OpenAIChatEndpoint>;

/** `POST {url}/chat/completions` for this hop, or why it cannot be sent (a missing secret). */
function chatRequest(endpoint: OpenAIChat, request: SpecialistRequest, ctx: AdapterContext, stream: boolean): Request | SpecialistFailure {
  const headers: Record<string, string> = { ...endpoint.headers };
  if (endpoint.apiKeySecret !== undefined) {
    const key = ctx.binding(endpoint.apiKeySecret);
    if (typeof key !== "string" || key === "") return { kind: "misconfigured", detail: `secret ${endpoint.apiKeySecret} is not set` };
    headers.authorization = `Bearer ${key}`;
  }
  if (stream) headers.accept = "text/event-stream";
  const url = `${endpoint.url.replace(/\/+$/, "")}/chat/completions`;
  return buildRequest(url, request, headers, ctx.signal, chatBody(endpoint, request, stream));
}

/**
 * An OpenAI-compatible chat model (OpenAI, Azure-style gateways, vLLM, Ollama, …).
 * The output is `{ text, message, finishReason }` of the first choice; `usage` has
 * the token counts and, with `pricing`, their cost. Errors map as for JSON
 * specialists (429 + Retry-After, 5xx, garbage, timeout).
 *
 * @example
 * await openaiChatAdapter.call({ type: "openai-chat", url: "https://api.openai.com/v1", model: "gpt-4o-mini", headers: {} }, request, ctx)
 * // { ok: true, output: { text: "Hello!", message: { role: "assistant", content: "Hello!" }, finishReason: "stop" }, usage: { inputTokens: 9, outputTokens: 3 } }
 */
export const openaiChatAdapter: Adapter<OpenAIChat> & {
  /** The same call with `stream: true`: the output is a `ChatStream` of the upstream's chunks. */
  stream(endpoint: OpenAIChat, request: SpecialistRequest, ctx: AdapterContext): Promise<SpecialistOutcome>;
} = {
  type: "openai-chat",
  async call(endpoint, request, ctx) {
    const req = chatRequest(endpoint, request, ctx, false);
    if (!(req instanceof Request)) return { ok: false, failure: req };
    const r = await fetchJson((x) => fetch(x), req, ctx.signal);
    if (!r.ok) return r;
    const parsed = ChatCompletion.safeParse(r.json);
    if (!parsed.success) return { ok: false, failure: { kind: "bad_response", status: r.status, detail: `reply is not a chat completion: ${firstIssue(parsed.error)}` } };
    return { ok: true, output: outputOf(parsed.data), usage: usageOf(parsed.data.usage, endpoint.pricing) };
  },
  async stream(endpoint, request, ctx) {
    const req = chatRequest(endpoint, request, ctx, true);
    if (!(req instanceof Request)) return { ok: false, failure: req };
    return openChatStream((x) => fetch(x), req, ctx.signal, endpoint.pricing);
  },
};
