import { createRoute, z } from "@hono/zod-openapi";
import { idempotencyKeyHeader } from "../../http/idempotency-key.ts";
import { chatModelAdapter, textStreamAdapter } from "../adapters.ts";
import { ChatStream } from "./stream.ts";
import type { ChatOutput } from "./wire.ts";
import type { AdapterContext, ChatMessage, EndpointCaller, SpecialistOutcome, SpecialistRequest } from "../../routing/hop.ts";
import type { Specialist } from "../../config/schema.ts";
import { routeGroup } from "../../http/openapi-app.ts";
import { badRequest, ProblemError } from "../../http/problem.ts";
import { capabilitiesOf, unmet, unmetDetail, type Requirement } from "../../routing/capabilities.ts";
import type { Unable } from "../../routing/decide.ts";
import { inputTooLong } from "../../routing/input-limit.ts";
import { screeningMayRefuse } from "../../policy/screening.ts";
import { serveHop } from "../../routing/serve-hop.ts";
import { getRuntime } from "../../runtime.ts";
import { openAIErrorResponse, openAIErrors } from "./schemas.ts";
import { completionToResponse, echoOf, newItemId, responseEvents, responseText, sseResponseEvent, textResponse, type ResponseBase, type ResponseOutput } from "./responses-reply.ts";
import { chatDetailToResponses, chatParamToResponses, lastUserText, responsesToChat, type ChatTranslation } from "./responses-request.ts";
import { responsesRequirements } from "./responses-requirements.ts";
import { ChatSseToResponseSse } from "./responses-stream.ts";
import { checkItems, ResponseDoc, ResponsesRequest } from "./responses-wire.ts";
import { doorAnswer } from "../door-answer.ts";

const responses = createRoute({
  method: "post",
  path: "/v1/responses",
  summary:
    "OpenAI Responses API-compatible, stateless: model 'auto' routes by the last user message's intent among the specialists able to honour the request, a specialist id pins; chat models get it as Chat Completions",
  request: { body: { required: true, content: { "application/json": { schema: ResponsesRequest } } } },
  responses: {
    200: doorAnswer(
      "A Response object, or with stream: true the Responses streaming events (`event: <type>`, each with its sequence_number; a stream that fails after it started ends with `response.failed` and an `error` event, never `response.completed`)",
      ResponseDoc,
      "platform fields (user, safety_identifier, prompt_cache_key, metadata, …) the answering model's provider has no equivalent of, so they were not sent",
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

/** 404 in the shape the OpenAI error mapping turns into `model_not_found`. */
const unknownModel = (m: string) =>
  new ProblemError({ status: 404, slug: "model-not-found", title: "Unknown model", detail: `The model '${m}' does not exist; use 'auto' or a model from GET /v1/models` });

/** 400 `unsupported_parameter` naming the field a stateless router, or Chat Completions, cannot carry (the field once, whether or not the detail starts with it). */
const unsupported = (param: string, detail: string) =>
  new ProblemError({ status: 400, slug: "unsupported-field", title: "Unsupported parameter", detail: detail.startsWith(`${param}:`) ? detail : `${param}: ${detail}`, errors: [{ path: param, message: detail }] });

/**
 * Why `s` cannot honour a Responses request with these needs: its first unmet
 * capability; for a chat model, what its own provider cannot take of the translated
 * Chat Completions body, named in Responses terms (its param and its sentence).
 */
function unableFor(needs: readonly Requirement[], t: ChatTranslation): (s: Specialist) => Unable | undefined {
  return (s) => {
    const caps = capabilitiesOf(s);
    const chat = chatModelAdapter(s.endpoint);
    // a chat model takes whatever the translation carried (checked below by its provider), a conversation without text included
    const r = unmet(chat ? { ...caps, passThrough: true } : caps, needs);
    if (r) return { param: r.param, detail: r.param === "input" && r.capability === "passThrough" ? `'${s.id}' needs user text; this conversation has none` : unmetDetail(s.id, r, caps.maxContextTokens) };
    const refused = chat?.refuses?.(s.endpoint, t.chat);
    return refused ? { param: chatParamToResponses(refused.param, t.sources), detail: chatDetailToResponses(refused.detail, t.sources) } : undefined;
  };
}

/**
 * A chat model's Chat Completions stream as Responses events
 * (responses-stream.ts `ChatSseToResponseSse`). A stream that breaks ends with
 * `response.failed` and an `error` event; its upstream is cancelled, and its outcome
 * is a bad response when the translation found the fault.
 */
function translatedStream(inner: ChatStream, base: ResponseBase): SpecialistOutcome {
  const t = new ChatSseToResponseSse(base);
  const reader = inner.body.getReader();
  const decoder = new TextDecoder();
  const enc = new TextEncoder();
  let finish!: (failure: string | undefined) => void;
  const translated = new Promise<string | undefined>((resolve) => (finish = resolve));
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        let next: ReadableStreamReadResult<Uint8Array>;
        try {
          next = await reader.read();
        } catch {
          next = { done: true, value: undefined };
        }
        const out = next.done ? t.end() : t.over ? "" : t.push(decoder.decode(next.value, { stream: true }));
        if (out) controller.enqueue(enc.encode(out));
        if (t.over && !next.done) void reader.cancel().catch(() => {});
        if (next.done || t.over) {
          controller.close();
          finish(t.failure);
          return;
        }
        if (out) return;
      }
    },
    cancel(reason) {
      finish(undefined);
      return reader.cancel(reason);
    },
  });
  const settled = Promise.all([inner.settled, translated]).then(([x, failure]): SpecialistOutcome => (failure !== undefined ? { ok: false, failure: { kind: "bad_response", detail: failure } } : x));
  return { ok: true, output: new ChatStream(body, settled), usage: {}, settled };
}

/**
 * Calls one specialist for the Responses door; its output is a `ResponseOutput`, or a
 * `ChatStream` of Responses events. A chat model gets the translated Chat Completions
 * body (`request.chat`), its reply translated back (`completionToResponse`, or the
 * stream through `ChatSseToResponseSse`); any other specialist the last user message,
 * its output's text as one message (streamed through `ChatSseToResponseSse` as it
 * comes when the specialist streams its text: an `a2a` agent whose card says so).
 */
function responsesCall(stream: boolean, base: () => ResponseBase, callSpecialist: EndpointCaller): EndpointCaller {
  return async (s: Specialist, request: SpecialistRequest, ctx: AdapterContext): Promise<SpecialistOutcome> => {
    const chat = chatModelAdapter(s.endpoint);
    if (!chat) {
      const text = stream && capabilitiesOf(s).streaming ? textStreamAdapter(s.endpoint) : undefined;
      const o = text ? await text.streamText(s.endpoint, request, ctx, { idleMs: s.streamIdleTimeoutMs, specialist: s.id, wantUsage: true }) : await callSpecialist(s, request, ctx);
      if (o.ok && o.output instanceof ChatStream) return translatedStream(o.output, { ...base(), model: s.id });
      if (!o.ok) return o;
      const response = textResponse({ ...base(), model: s.id }, o.output, o.usage);
      return { ...o, output: { response, text: responseText(response) } satisfies ResponseOutput };
    }
    const model = "model" in s.endpoint && typeof s.endpoint.model === "string" ? s.endpoint.model : s.id;
    if (stream && capabilitiesOf(s).streaming) {
      const o = await chat.stream(s.endpoint, request, ctx, { idleMs: s.streamIdleTimeoutMs, specialist: s.id, wantUsage: true });
      return o.ok && o.output instanceof ChatStream ? translatedStream(o.output, { ...base(), model }) : o;
    }
    const o = await chat.call(s.endpoint, request, ctx);
    if (!o.ok) return o;
    const completion = (o.output as ChatOutput).completion as Record<string, unknown>;
    const r = completionToResponse(completion, { ...base(), model: typeof completion.model === "string" ? completion.model : model });
    if (!r.ok) return { ok: false, failure: { kind: "bad_response", detail: `the reply cannot be carried as a Response: ${r.detail}` } };
    return { ...o, output: { response: r.value, text: responseText(r.value) } satisfies ResponseOutput };
  };
}

const SSE = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" };

/** `POST /v1/responses`: the OpenAI Responses API front door, stateless (docs/protocols/openai.md, "Responses API"). */
export const responsesRoutes = routeGroup().openapi(responses, async (c) => {
  const t0 = performance.now();
  const rt = await getRuntime(c.env);
  const body = c.req.valid("json") as ResponsesRequest & Record<string, unknown>;
  if (Array.isArray(body.input)) {
    const issues = checkItems(body.input);
    if (issues.length) throw badRequest(`invalid request body: ${issues.map((e) => `${e.path}: ${e.message}`).join("; ")}`, issues);
  }
  const requested = body.model ?? "auto";
  const pinned = requested === "auto" ? undefined : requested;
  if (pinned !== undefined && !rt.registry.has(pinned)) throw unknownModel(pinned);
  const translation = responsesToChat(body);
  if (!translation.ok) throw unsupported(translation.param, translation.detail);
  const input = lastUserText(body.input) ?? "";
  const tooLong = inputTooLong(input, rt.config.router.maxInputChars, "the last user message");
  if (tooLong) throw badRequest(tooLong, [{ path: "input", message: "too long" }]);
  const needs = responsesRequirements(body, input.trim() !== "");
  const { chat } = translation.value;
  const stream = body.stream === true;
  const key = idempotencyKeyHeader(c.req.header("idempotency-key"));
  const base = (): ResponseBase => ({ id: newItemId("resp"), created_at: Math.floor(Date.now() / 1000), model: requested, echo: echoOf(body) });
  const hop = await serveHop(c, {
    input,
    pinned,
    messages: chat.messages as unknown as ChatMessage[],
    chat,
    unable: unableFor(needs, translation.value),
    idempotencyKey: key,
    // with screening that can refuse (deny, approval), a stream is read whole and screened before any of it is sent
    streamed: stream && !screeningMayRefuse(rt.config.screening.mode),
    call: responsesCall(stream && !screeningMayRefuse(rt.config.screening.mode), base, c.var.callSpecialist),
    t0,
  });
  const { result, intent } = hop;
  const specialist = result.specialist;
  if (intent) c.header("x-intent-id", intent.id);
  c.header("x-switchyard-specialist", specialist.id);
  // in Responses terms: what this door did not send, then what the specialist's provider does not take
  const providerNotSent = chatModelAdapter(specialist.endpoint)?.notSent?.(specialist.endpoint, chat) ?? [];
  const notSent = [...translation.value.notSent, ...providerNotSent.map((p) => chatParamToResponses(p, translation.value.sources))];
  if (notSent.length) c.header("x-switchyard-not-sent", [...new Set(notSent)].join(", "));
  if (result.output instanceof ChatStream) return c.body(result.output.body, 200, SSE);
  const response = (result.output as ResponseOutput).response;
  if (stream) return c.body(responseEvents(response).map(sseResponseEvent).join(""), 200, SSE);
  return c.json(response as z.infer<typeof ResponseDoc>, 200);
});
