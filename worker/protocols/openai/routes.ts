import { createRoute, z } from "@hono/zod-openapi";
import { chatModelAdapter, textStreamAdapter } from "../adapters.ts";
import { ChatStream } from "./stream.ts";
import type { ChatOutput } from "./wire.ts";
import type { AdapterContext, ChatMessage, EndpointCaller, SpecialistRequest } from "../../routing/hop.ts";
import type { Specialist } from "../../config/schema.ts";
import { routeGroup } from "../../http/openapi-app.ts";
import { badRequest, ProblemError } from "../../http/problem.ts";
import { idempotencyKeyHeader } from "../../http/idempotency-key.ts";
import { completionEvents, lastUserText, textCompletion, type Completion } from "./chat.ts";
import { chatRequirements } from "./requirements.ts";
import { ChatCompletionRequest, ChatCompletionResponse, ModelList, ModelObject, openAIErrorResponse, openAIErrors } from "./schemas.ts";
import { capabilitiesOf, takesHops, unmet, unmetDetail, type Requirement } from "../../routing/capabilities.ts";
import type { Unable } from "../../routing/decide.ts";
import { inputTooLong } from "../../routing/input-limit.ts";
import { screeningMayRefuse } from "../../policy/screening.ts";
import { serveHop } from "../../routing/serve-hop.ts";
import { getRuntime } from "../../runtime.ts";
import { doorAnswer } from "../door-answer.ts";
import { asyncMode } from "../../hops/prefer.ts";
import { HopAccepted, PreferHeader } from "../../hops/schemas.ts";
import { refusePinned, submitAsyncHop } from "../../hops/submit.ts";

const completions = createRoute({
  method: "post",
  path: "/v1/chat/completions",
  summary: "OpenAI-compatible chat completions: model 'auto' routes by the last user message's intent among the specialists able to honour the request, a specialist id pins",
  request: { headers: PreferHeader, body: { required: true, content: { "application/json": { schema: ChatCompletionRequest } } } },
  responses: {
    202: { description: "Prefer: respond-async: the hop is queued; its chat completion is at links.self (Location) once it ran", content: { "application/json": { schema: HopAccepted } } },
    200: doorAnswer(
      "A chat.completion (a chat model's own, passed through), or with stream: true Server-Sent Events of chat.completion.chunk objects and `data: [DONE]` (a stream that fails after it started ends with an `error` event and no `[DONE]`)",
      ChatCompletionResponse,
      "fields about OpenAI's platform (user, safety_identifier, prompt cache routing, …) that the answering model's provider has no equivalent of, so they were not sent (docs/protocols/openai.md, 'Translated models')",
    ),
    ...openAIErrors,
    404: openAIErrorResponse("Unknown model (model_not_found)"),
    409: openAIErrorResponse("The specialist refused the input as conflicting (its 409)"),
    422: openAIErrorResponse("Refused by policy or screening, or the specialist refused the input (specialist_refused)"),
    429: openAIErrorResponse("Rate-limited (see Retry-After)"),
    502: openAIErrorResponse("Specialist failed"),
    503: openAIErrorResponse("No specialist available"),
    504: openAIErrorResponse("Specialist timed out"),
  },
});

/** The longest idempotency key any door takes (`idempotencyKey` on /v1/route and tasks, A2A message ids). */

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

/**
 * Why `s` cannot honour a request with these needs, in the terms of its first unmet
 * one, or of the first field its wire format cannot carry (a translated chat model).
 */
function unableFor(needs: readonly Requirement[], body: Record<string, unknown>): (s: Specialist) => Unable | undefined {
  // a conversation without user text (an image alone, a system prompt alone) is for chat models: translated ones take it too, their translation says if not
  const textless = needs.filter((n) => !(n.capability === "passThrough" && n.param === "messages"));
  return (s) => {
    const caps = capabilitiesOf(s);
    const chat = chatModelAdapter(s.endpoint);
    const r = unmet(caps, chat ? textless : needs);
    if (!r) return chat?.refuses?.(s.endpoint, body);
    return { param: r.param, detail: r.param === "messages" && r.capability === "passThrough" ? `'${s.id}' needs user text; this conversation has none` : unmetDetail(s.id, r, caps.maxContextTokens) };
  };
}

/**
 * Calls one specialist for the front door: a chat model that streams gets the stream
 * (its events passed through, or translated into Chat Completions chunks), a
 * specialist that streams its answer's text (an `a2a` agent whose card says so) gets
 * it as chunks too, any other specialist is called whole. A stream asks for its usage
 * chunk when the router needs the usage (the specialist has prices or a `tpm` limit,
 * the tenant a `tpm` limit); otherwise it is passed through untouched.
 */
function chatCall(stream: boolean, tenantCountsTokens: boolean, callSpecialist: EndpointCaller): EndpointCaller {
  return (s: Specialist, request: SpecialistRequest, ctx: AdapterContext) => {
    const streams = stream && capabilitiesOf(s).streaming;
    const chat = streams ? chatModelAdapter(s.endpoint) : undefined;
    const text = streams && !chat ? textStreamAdapter(s.endpoint) : undefined;
    const priced = "pricing" in s.endpoint && s.endpoint.pricing !== undefined;
    const o = { idleMs: s.streamIdleTimeoutMs, specialist: s.id, wantUsage: tenantCountsTokens || priced || s.limits.tpm !== undefined };
    if (chat) return chat.stream(s.endpoint, request, ctx, o);
    return text ? text.streamText(s.endpoint, request, ctx, o) : callSpecialist(s, request, ctx);
  };
}

/** `POST /v1/chat/completions`, `GET /v1/models[/{model}]`: the OpenAI-compatible front door (DESIGN §3). */
export const openaiRoutes = routeGroup()
  .openapi(completions, async (c) => {
    const t0 = performance.now();
    const rt = await getRuntime(c.env);
    c.req.valid("json");
    // checked above; carried on as the client sent it (its members in its order, not the schema's)
    const body = (await c.req.json()) as ChatCompletionRequest & Record<string, unknown>;
    const requested = body.model ?? "auto";
    const pinned = requested === "auto" ? undefined : requested;
    if (pinned !== undefined && !rt.registry.has(pinned)) throw unknownModel(pinned);
    const messages = body.messages as ChatMessage[];
    const input = lastUserText(messages) ?? "";
    const needs = chatRequirements(body, input.trim() !== "");
    const tooLong = inputTooLong(input, rt.config.router.maxInputChars, "the last user message");
    if (tooLong) throw badRequest(tooLong, [{ path: "messages", message: "too long" }]);
    const stream = body.stream === true;
    const key = idempotencyKeyHeader(c.req.header("idempotency-key"));
    // async only by the header: the body is the client's OpenAI body, passed on as sent
    const mode = asyncMode(undefined, c.req.header("prefer"), c.get("asyncHop") !== undefined);
    if (mode.async) {
      if (stream) throw badRequest("stream: true cannot be answered later: send Prefer: respond-async without it (the completion is then at GET /v1/hops/{id})", [{ path: "stream", message: "not with Prefer: respond-async" }]);
      refusePinned(rt, pinned, unableFor(needs, body));
      const headers: Record<string, string> = key !== undefined ? { "idempotency-key": key } : {};
      const submission = { door: "chat" as const, path: "/v1/chat/completions", body: await c.req.text(), headers, idempotencyKey: key, preferenceApplied: true };
      return c.json(await submitAsyncHop(c, submission, rt.config.router.allowPrivateNetworks), 202);
    }
    const hop = await serveHop(c, {
      input,
      pinned,
      messages,
      chat: body,
      unable: unableFor(needs, body),
      idempotencyKey: key,
      // with screening that can refuse (deny, approval), a stream is read whole and screened before any of it is sent
      streamed: stream && !screeningMayRefuse(rt.config.screening.mode),
      call: chatCall(stream && !screeningMayRefuse(rt.config.screening.mode), rt.config.tenants[c.get("principal").tenant]?.limits.tpm !== undefined, c.var.callSpecialist),
      t0,
    });
    const { result, intent } = hop;
    const specialist = result.specialist;
    if (intent) c.header("x-intent-id", intent.id);
    c.header("x-switchyard-specialist", specialist.id);
    const notSent = chatModelAdapter(specialist.endpoint)?.notSent?.(specialist.endpoint, body);
    if (notSent?.length) c.header("x-switchyard-not-sent", notSent.join(", "));
    if (result.output instanceof ChatStream) return c.body(result.output.body, 200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" });
    const completion: Completion =
      chatModelAdapter(specialist.endpoint) !== undefined
        ? ((result.output as ChatOutput).completion as Completion)
        : textCompletion({ id: `chatcmpl-${hop.id.slice(4)}`, created: Math.floor(Date.now() / 1000), model: specialist.id }, result.output, result.usage);
    if (stream) {
      const includeUsage = body.stream_options?.include_usage === true;
      return c.body(completionEvents(completion, includeUsage).join(""), 200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" });
    }
    const switchyard = {
      hop: hop.id,
      specialist: specialist.id,
      intent: intent ? { id: intent.id, label: intent.label, confidence: intent.confidence } : null,
      reason: hop.reason,
      costUsd: specialist.costPerCall + (result.usage.costUsd ?? 0),
    };
    return c.json({ ...completion, switchyard } as z.infer<typeof ChatCompletionResponse>, 200);
  })
  .openapi(models, async (c) => {
    const { config } = await getRuntime(c.env);
    const created = Math.floor(Date.now() / 1000);
    return c.json({ object: "list" as const, data: [modelObject("auto", created), ...config.specialists.filter(takesHops).map((s) => modelObject(s.id, created))] }, 200);
  })
  .openapi(model, async (c) => {
    const { registry } = await getRuntime(c.env);
    const { model: id } = c.req.valid("param");
    if (id !== "auto" && !registry.has(id)) throw unknownModel(id);
    return c.json(modelObject(id, Math.floor(Date.now() / 1000)), 200);
  });
