import { createRoute, z } from "@hono/zod-openapi";
import { callEndpoint } from "../adapters/index.ts";
import { openaiChatAdapter } from "../adapters/openai-chat.ts";
import { ChatStream } from "../adapters/openai-stream.ts";
import type { AdapterContext, ChatMessage, SpecialistRequest } from "../adapters/types.ts";
import type { Specialist } from "../config/schema.ts";
import { routeGroup } from "../http/openapi-app.ts";
import { badRequest, ProblemError } from "../http/problem.ts";
import { lastUserText, openAIUsage, replyEvents, replyOf, type ChunkBase } from "../openai/chat.ts";
import { ChatCompletionRequest, ChatCompletionResponse, ModelList, ModelObject, openAIErrorResponse, openAIErrors } from "../openai/schemas.ts";
import { chunksToSse } from "../openai/stream.ts";
import { serveHop } from "../routing/serve-hop.ts";
import { getRuntime } from "../runtime.ts";

const completions = createRoute({
  method: "post",
  path: "/v1/chat/completions",
  summary: "OpenAI-compatible chat completions: model 'auto' routes by the last user message's intent, a specialist id pins",
  request: { body: { required: true, content: { "application/json": { schema: ChatCompletionRequest } } } },
  responses: {
    200: {
      description: "A chat.completion, or with stream: true Server-Sent Events of chat.completion.chunk objects and `data: [DONE]`",
      content: { "application/json": { schema: ChatCompletionResponse }, "text/event-stream": { schema: z.string() } },
      headers: { "x-switchyard-specialist": { description: "the specialist that answered", schema: { type: "string" } } },
    },
    ...openAIErrors,
    404: openAIErrorResponse("Unknown model (model_not_found)"),
    429: openAIErrorResponse("Rate-limited (see Retry-After)"),
    502: openAIErrorResponse("Specialist failed"),
    503: openAIErrorResponse("No specialist available"),
    504: openAIErrorResponse("Specialist timed out"),
  },
});

const ModelParam = z.object({ model: z.string().min(1).max(200).openapi({ param: { name: "model", in: "path" } }) });
const models = createRoute({
  method: "get",
  path: "/v1/models",
  summary: "OpenAI-compatible model list: 'auto' and one model per specialist",
  responses: { 200: { description: "Models", content: { "application/json": { schema: ModelList } } }, ...openAIErrors },
});
const model = createRoute({
  method: "get",
  path: "/v1/models/{model}",
  summary: "One model ('auto' or a specialist id)",
  request: { params: ModelParam },
  responses: { 200: { description: "The model", content: { "application/json": { schema: ModelObject } } }, ...openAIErrors, 404: openAIErrorResponse("Unknown model") },
});

/** 404 in the shape the OpenAI error mapping turns into `model_not_found`. */
const unknownModel = (m: string) =>
  new ProblemError({ status: 404, slug: "model-not-found", title: "Unknown model", detail: `The model '${m}' does not exist; use 'auto' or a model from GET /v1/models` });

const modelObject = (id: string, created: number) => ({ id, object: "model" as const, created, owned_by: "switchyard" });

/** Streams from a chat-model specialist when it is the one called; every other specialist is called as usual. */
function streamingCall(s: Specialist, request: SpecialistRequest, ctx: AdapterContext) {
  return s.endpoint.type === "openai-chat" ? openaiChatAdapter.stream(s.endpoint, request, ctx) : callEndpoint(s.endpoint, request, ctx);
}

/** `POST /v1/chat/completions`, `GET /v1/models[/{model}]`: the OpenAI-compatible front door (DESIGN §3). */
export const openaiRoutes = routeGroup()
  .openapi(completions, async (c) => {
    const t0 = performance.now();
    const rt = await getRuntime(c.env);
    const body = c.req.valid("json");
    const requested = body.model ?? "auto";
    const pinned = requested === "auto" ? undefined : requested;
    if (pinned !== undefined && !rt.registry.has(pinned)) throw unknownModel(pinned);
    const messages = body.messages.map((m) => ({ ...m, content: m.content ?? null })) as ChatMessage[];
    const input = lastUserText(messages);
    if (!input?.trim()) throw badRequest("messages must include a user message with text", [{ path: "messages", message: "no user message with text" }]);
    if (input.length > rt.config.router.maxInputChars) throw badRequest(`the last user message is longer than ${rt.config.router.maxInputChars} characters`, [{ path: "messages", message: "too long" }]);
    const stream = body.stream === true;
    const key = c.req.header("idempotency-key");
    const hop = await serveHop(c, {
      input,
      pinned,
      messages,
      idempotencyKey: key && key.length <= 255 ? key : undefined,
      call: stream ? streamingCall : undefined,
      t0,
    });
    const { result, intent } = hop;
    const specialist = result.specialist;
    if (intent) c.header("x-intent-id", intent.id);
    c.header("x-switchyard-specialist", specialist.id);
    const base: ChunkBase = { id: `chatcmpl-${hop.id.slice(4)}`, created: Math.floor(Date.now() / 1000), model: specialist.id };
    if (stream) {
      const sse = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" };
      const includeUsage = body.stream_options?.include_usage === true;
      if (result.output instanceof ChatStream) return c.body(chunksToSse(result.output.chunks, specialist.id, includeUsage, result.output.settled), 200, sse);
      const reply = replyOf(result.output, specialist.endpoint.type === "openai-chat");
      return c.body(replyEvents(base, reply, result.usage, includeUsage).join(""), 200, sse);
    }
    const reply = replyOf(result.output, specialist.endpoint.type === "openai-chat");
    return c.json(
      {
        id: base.id,
        object: "chat.completion" as const,
        created: base.created,
        model: specialist.id,
        choices: [{ index: 0, message: reply.message, finish_reason: reply.finishReason, logprobs: null }],
        usage: openAIUsage(result.usage),
        switchyard: {
          hop: hop.id,
          specialist: specialist.id,
          intent: intent ? { id: intent.id, label: intent.label, confidence: intent.confidence } : null,
          reason: hop.reason,
          costUsd: specialist.costPerCall + (result.usage.costUsd ?? 0),
        },
      },
      200,
    );
  })
  .openapi(models, async (c) => {
    const { config } = await getRuntime(c.env);
    const created = Math.floor(Date.now() / 1000);
    return c.json({ object: "list" as const, data: [modelObject("auto", created), ...config.specialists.map((s) => modelObject(s.id, created))] }, 200);
  })
  .openapi(model, async (c) => {
    const { registry } = await getRuntime(c.env);
    const { model: id } = c.req.valid("param");
    if (id !== "auto" && !registry.has(id)) throw unknownModel(id);
    return c.json(modelObject(id, Math.floor(Date.now() / 1000)), 200);
  });
