import type { z } from "zod";
import type { OpenAIChatEndpoint } from "../../config/schema.ts";
import { buildRequest, fetchJson } from "../json-protocol.ts";
import { openChatStream } from "./stream.ts";
import { chatBody, parseChatCompletion, firstIssue, outputOf, usageOf } from "./wire.ts";
import type { AdapterContext, SpecialistFailure, SpecialistRequest } from "../../routing/hop.ts";
import type { ChatModelAdapter } from "../types.ts";

type OpenAIChat = z.infer<typeof OpenAIChatEndpoint>;

/** `POST {url}/chat/completions` for this hop, or why it cannot be sent (a missing secret). */
function chatRequest(
  endpoint: OpenAIChat,
  request: SpecialistRequest,
  ctx: AdapterContext,
  stream: boolean,
  wantUsage = true,
): { req: (signal: AbortSignal) => Request; usageAdded: boolean } | SpecialistFailure {
  const headers: Record<string, string> = { ...endpoint.headers };
  if (endpoint.apiKeySecret !== undefined) {
    const key = ctx.binding(endpoint.apiKeySecret);
    if (typeof key !== "string" || key === "") return { kind: "misconfigured", detail: `secret ${endpoint.apiKeySecret} is not set` };
    headers.authorization = `Bearer ${key}`;
  }
  if (stream) headers.accept = "text/event-stream";
  const url = `${endpoint.url.replace(/\/+$/, "")}/chat/completions`;
  const { body, usageAdded } = chatBody(endpoint, request, stream, wantUsage);
  return { req: (signal) => buildRequest(url, request, headers, signal, body), usageAdded };
}

/**
 * An OpenAI-compatible chat model (OpenAI, Azure-style gateways, vLLM, Ollama, …).
 * Through the OpenAI front door the client's body reaches it field for field (docs/protocols/openai.md,
 * "Pass-through"). The output is `{ text, message, finishReason, completion }` (the
 * first choice, and the whole completion as sent); `usage` has the token counts and,
 * with `pricing`, their cost. Errors map as for JSON specialists (429 + Retry-After,
 * 5xx, garbage, timeout; a 400/409/413/415/422 is the specialist's refusal, with its
 * OpenAI error object kept for OpenAI clients).
 *
 * @example
 * await openaiChatAdapter.call({ type: "openai-chat", url: "https://api.openai.com/v1", model: "gpt-4o-mini", headers: {} }, request, ctx)
 * // { ok: true, output: { text: "Hello!", message: { role: "assistant", content: "Hello!" }, finishReason: "stop", completion: {…} }, usage: { inputTokens: 9, outputTokens: 3 } }
 */
export const openaiChatAdapter: ChatModelAdapter<OpenAIChat> = {
  type: "openai-chat",
  chatModel: true,
  async call(endpoint, request, ctx) {
    const r0 = chatRequest(endpoint, request, ctx, false);
    if (!("req" in r0)) return { ok: false, failure: r0 };
    const r = await fetchJson((x) => fetch(x), r0.req(ctx.signal), ctx.signal, true);
    if (!r.ok) return r;
    const parsed = parseChatCompletion(r.json);
    if (!parsed.success) return { ok: false, failure: { kind: "bad_response", status: r.status, detail: `reply is not a chat completion: ${firstIssue(parsed.error)}` } };
    return { ok: true, output: outputOf(parsed.data), usage: usageOf(parsed.data.usage, endpoint.pricing) };
  },
  async stream(endpoint, request, ctx, o) {
    const r0 = chatRequest(endpoint, request, ctx, true, o.wantUsage ?? true);
    if (!("req" in r0)) return { ok: false, failure: r0 };
    return openChatStream((signal) => fetch(r0.req(signal)), { pricing: endpoint.pricing, signal: ctx.signal, clientSignal: ctx.clientSignal, idleMs: o.idleMs, usageAdded: r0.usageAdded, specialist: o.specialist });
  },
};
