import type { z } from "zod";
import type { WorkersAiEndpoint } from "../../config/schema.ts";
import type { AiBinding } from "../../env.ts";
import type { AdapterContext, SpecialistFailure, SpecialistOutcome, SpecialistRequest } from "../../routing/hop.ts";
import { chunkResponse, chunkStream } from "../chunk-stream.ts";
import { untilAborted } from "../json-protocol.ts";
import { chatBodyOf, notSentOf, translatedOutcome } from "../translation.ts";
import type { ChatModelAdapter } from "../types.ts";
import { openChatStream } from "../openai/stream.ts";
import { chatToWorkersAi, NOT_SENT, WorkersAiChunks, workersAiToCompletion, type WorkersAiInput } from "./translate.ts";
import { notSentMembers } from "./tools.ts";

type WorkersAi = z.infer<typeof WorkersAiEndpoint>;

const isAi = (v: unknown): v is AiBinding => typeof v === "object" && v !== null && typeof (v as AiBinding).run === "function";

/** The binding and the translated input, or why the call cannot be made (a 400 naming the field, or a missing binding). */
function prepare(endpoint: WorkersAi, request: SpecialistRequest, ctx: AdapterContext): { ai: AiBinding; input: WorkersAiInput } | SpecialistFailure {
  const ai = ctx.binding(endpoint.binding);
  if (!isAi(ai)) return { kind: "misconfigured", detail: `Workers AI binding ${endpoint.binding} is not bound in this Worker (wrangler.toml [ai] binding = "${endpoint.binding}")` };
  const t = chatToWorkersAi(chatBodyOf(request), { system: endpoint.systemPrompt, maxTokens: endpoint.maxTokens });
  if (!t.ok) return refusal(t.param, t.detail);
  return { ai, input: t.value };
}

/** A request field the model cannot take: refused like a specialist's own 400, naming the field for OpenAI clients. */
function refusal(param: string, detail: string): SpecialistFailure {
  const message = `${param}: ${detail}`;
  return { kind: "refused", status: 400, detail: `cannot be sent to Workers AI: ${message}`, upstream: { status: 400, message, openai: { message, type: "invalid_request_error", param, code: "unsupported_parameter" } } };
}

/**
 * What a failed `AI.run` means. Workers AI throws errors whose message starts with
 * its error code (https://developers.cloudflare.com/workers-ai/platform/errors/):
 * 3040 (out of capacity) and 3036 (daily free allocation used) are rate limits, 5007
 * (no such model) a misconfiguration; an abort is the deadline or the client; anything
 * else is the provider's failure (retried, counted by the breaker).
 */
export function aiFailure(e: unknown, ctx: AdapterContext): SpecialistFailure {
  if (ctx.clientSignal?.aborted) return { kind: "client_closed", detail: "the client went away" };
  if (ctx.signal.aborted) return { kind: "timeout", detail: "Workers AI did not answer before the deadline" };
  const message = e instanceof Error ? e.message : String(e);
  if (/\b(3040|3036)\b/.test(message)) return { kind: "rate_limited", detail: `Workers AI: ${message}` };
  if (/\b5007\b/.test(message)) return { kind: "misconfigured", detail: `Workers AI: ${message}` };
  return { kind: "http_error", status: 502, detail: `Workers AI failed: ${message}` };
}

/**
 * A Workers AI text-generation model through the `AI` binding (no key, no URL): the
 * hop's Chat Completions body is translated (translate.ts; a field the model cannot
 * take is a 400 naming it), the answer translated back into a `chat.completion`
 * (output as for `openai-chat`: `{ text, message, finishReason, completion }`), its
 * usage priced with `pricing`.
 */
export const workersAiAdapter: ChatModelAdapter<WorkersAi> = {
  type: "workers-ai",
  chatModel: true,
  notSent: (_endpoint, chat) => [...notSentOf(chat, NOT_SENT), ...notSentMembers(chat)],
  refuses(endpoint, chat) {
    const t = chatToWorkersAi(chat, { system: endpoint.systemPrompt, maxTokens: endpoint.maxTokens });
    return t.ok ? undefined : { param: t.param, detail: `'${endpoint.model}' on Workers AI cannot take ${t.param}: ${t.detail}` };
  },
  async call(endpoint, request, ctx) {
    const p = prepare(endpoint, request, ctx);
    if (!("ai" in p)) return { ok: false, failure: p };
    let out: unknown;
    try {
      out = await untilAborted(ctx.signal, p.ai.run(endpoint.model, p.input as unknown as Record<string, unknown>));
    } catch (e) {
      return { ok: false, failure: aiFailure(e, ctx) };
    }
    const t = workersAiToCompletion(out, { id: crypto.randomUUID().replaceAll("-", ""), created: Math.floor(Date.now() / 1000), model: endpoint.model });
    if (!t.ok) return { ok: false, failure: { kind: "bad_response", detail: t.detail } };
    return translatedOutcome(t.value, endpoint.pricing);
  },
  async stream(endpoint, request, ctx, o): Promise<SpecialistOutcome> {
    const p = prepare(endpoint, request, ctx);
    if (!("ai" in p)) return { ok: false, failure: p };
    const clientAsked = (request.chat?.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
    const wantUsage = o.wantUsage ?? true;
    const translator = new WorkersAiChunks({ id: crypto.randomUUID().replaceAll("-", ""), created: Math.floor(Date.now() / 1000), model: endpoint.model, includeUsage: clientAsked || wantUsage });
    return openChatStream(
      async (signal) => {
        let body: unknown;
        try {
          body = await untilAborted(signal, p.ai.run(endpoint.model, { ...p.input, stream: true }));
        } catch (e) {
          if (signal.aborted) throw e; // openChatStream tells the deadline from the client
          return { failure: aiFailure(e, ctx) };
        }
        if (!(body instanceof ReadableStream)) return new Response(JSON.stringify(body ?? null), { status: 200, headers: { "content-type": "application/json" } });
        return chunkResponse(chunkStream(body as ReadableStream<Uint8Array>, translator, signal));
      },
      { pricing: endpoint.pricing, signal: ctx.signal, clientSignal: ctx.clientSignal, idleMs: o.idleMs, usageAdded: !clientAsked && wantUsage, specialist: o.specialist },
    );
  },
};
