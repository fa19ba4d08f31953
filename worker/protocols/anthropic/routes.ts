import { createRoute, z } from "@hono/zod-openapi";
import { idempotencyKeyHeader } from "../../http/idempotency-key.ts";
import type { ZodError } from "zod";
import { chatModelAdapter, textStreamAdapter } from "../adapters.ts";
import { ChatStream } from "../openai/stream.ts";
import type { ChatOutput } from "../openai/wire.ts";
import type { Translation } from "../translation.ts";
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
import { callMessages } from "./adapter.ts";
import { messageEvents, messageText, textMessage, type MessageOutput } from "./door-reply.ts";
import { countTokensExtra, estimateTokens, hasCacheControl, lastUserText, messagesRequirements, versionHeaders } from "./door-request.ts";
import { ChatSseToMessageSse } from "./door-stream.ts";
import { anthropicErrorResponse, anthropicErrors, CountTokensDoc, CountTokensRequestDoc, DOOR_SECURITY, MessageDoc, MessagesRequestDoc } from "./schemas.ts";
import { sseEvent } from "./stream-translate.ts";
import { completionToMessage, messagesToChat, type ChatRequest } from "./translate.ts";
import { unsentBlocks } from "./door-request.ts";
import { MessagesRequest } from "./wire.ts";
import { doorAnswer } from "../door-answer.ts";

const messages = createRoute({
  method: "post",
  path: "/v1/messages",
  summary: "Anthropic Messages-compatible: model 'auto' routes by the last user message's intent among the specialists able to honour the request, a specialist id pins",
  security: DOOR_SECURITY,
  request: { body: { required: true, content: { "application/json": { schema: MessagesRequestDoc } } } },
  responses: {
    200: doorAnswer(
      "A Message (an anthropic specialist's own, passed through), or with stream: true Anthropic's server-sent events (a stream that fails after it started ends with an `error` event, never `message_stop`)",
      MessageDoc,
      "fields an OpenAI-format model was not sent because they change nothing in its answer (cache_control, metadata.user_id where its provider has no equivalent)",
    ),
    ...anthropicErrors,
    409: anthropicErrorResponse("The specialist refused the input as conflicting (its 409)"),
    422: anthropicErrorResponse("Refused by policy or screening, or the specialist refused the input (invalid_request_error)"),
    502: anthropicErrorResponse("Specialist failed (api_error)"),
    504: anthropicErrorResponse("Specialist timed out (api_error)"),
    529: anthropicErrorResponse("No healthy specialist, or the upstream was overloaded (overloaded_error)"),
  },
});

const countTokens = createRoute({
  method: "post",
  path: "/v1/messages/count_tokens",
  summary: "Anthropic-compatible token count: an estimate (4 characters a token) of the system prompt, messages and tools; no specialist is called; a field count_tokens does not take (max_tokens, stream, …) is a 400 naming it",
  security: DOOR_SECURITY,
  request: { body: { required: true, content: { "application/json": { schema: CountTokensRequestDoc } } } },
  responses: { 200: { description: "The estimated input tokens", content: { "application/json": { schema: CountTokensDoc } } }, ...anthropicErrors },
});

const CountTokensRequest = MessagesRequest.omit({ max_tokens: true });

/** 400 listing every issue with its path, as the other routes' validation does. */
function invalidBody(error: ZodError): ProblemError {
  const errors = error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
  return badRequest(`invalid request body: ${errors.map((e) => `${e.path || "(root)"}: ${e.message}`).join("; ")}`, errors);
}

/** 404 in the shape the Anthropic error mapping turns into `not_found_error`. */
const unknownModel = (m: string) =>
  new ProblemError({ status: 404, slug: "model-not-found", title: "Unknown model", detail: `model: the model '${m}' does not exist; use 'auto' or a specialist id from GET /v1/models` });

/**
 * Why `s` cannot honour a Messages request with these needs: its first unmet
 * capability; for a chat model that does not speak the Messages format, the first
 * field the translation to Chat Completions cannot carry (`translation`), then what
 * its own provider cannot take. An `anthropic` specialist takes the body as sent.
 */
function unableFor(needs: readonly Requirement[], translation: Translation<ChatRequest>): (s: Specialist) => Unable | undefined {
  return (s) => {
    const caps = capabilitiesOf(s);
    const chat = chatModelAdapter(s.endpoint);
    const sameFormat = s.endpoint.type === "anthropic";
    // a chat model carries fields by translation (checked below), not by passing them through
    const r = unmet(sameFormat || chat ? { ...caps, passThrough: true } : caps, needs);
    if (r) return { param: r.param, detail: r.param === "messages" && r.capability === "passThrough" ? `'${s.id}' needs user text; this conversation has none` : unmetDetail(s.id, r, caps.maxContextTokens) };
    if (sameFormat || !chat) return undefined;
    if (!translation.ok) return { param: translation.param, detail: `'${s.id}' is reached in OpenAI Chat Completions form (then its provider's own), which cannot carry it: ${translation.detail}` };
    return chat.refuses?.(s.endpoint, translation.value as unknown as Record<string, unknown>);
  };
}

const newId = () => `msg_${crypto.randomUUID().replaceAll("-", "")}`;
const enc = new TextEncoder();

/**
 * A chat model's Chat Completions stream as an Anthropic event stream
 * (door-stream.ts `ChatSseToMessageSse`). A stream the translation cannot carry (a
 * tool call whose arguments are not a JSON object) ends with an error event, its
 * upstream is cancelled, and its outcome is a bad response.
 */
function translatedStream(inner: ChatStream, o: { id: string; model: string }): SpecialistOutcome {
  const t = new ChatSseToMessageSse(o);
  const reader = inner.body.getReader();
  const decoder = new TextDecoder();
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
        if (t.failure !== undefined && !next.done) void reader.cancel().catch(() => {});
        if (next.done || t.failure !== undefined) {
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
 * Calls one specialist for the Anthropic door; its output is a `MessageOutput`, or a
 * `ChatStream` of Anthropic events. An `anthropic` specialist gets the client's body as
 * sent (adapter.ts `callMessages`); another chat model the translated Chat Completions
 * body (`request.chat`), its reply translated back (`completionToMessage`, or the
 * stream through `ChatSseToMessageSse`); any other specialist the last user message,
 * its output's text as one text block (streamed through `ChatSseToMessageSse` as it
 * comes when the specialist streams its text: an `a2a` agent whose card says so).
 */
function messagesCall(stream: boolean, callSpecialist: EndpointCaller): EndpointCaller {
  return async (s: Specialist, request: SpecialistRequest, ctx: AdapterContext): Promise<SpecialistOutcome> => {
    const streams = stream && capabilitiesOf(s).streaming;
    if (s.endpoint.type === "anthropic") return callMessages(s.endpoint, request, ctx, { stream: streams, idleMs: s.streamIdleTimeoutMs });
    const chat = chatModelAdapter(s.endpoint);
    if (!chat) {
      const text = streams ? textStreamAdapter(s.endpoint) : undefined;
      const o = text ? await text.streamText(s.endpoint, request, ctx, { idleMs: s.streamIdleTimeoutMs, specialist: s.id, wantUsage: true }) : await callSpecialist(s, request, ctx);
      if (o.ok && o.output instanceof ChatStream) return translatedStream(o.output, { id: newId(), model: s.id });
      if (!o.ok) return o;
      const message = textMessage({ id: newId(), model: s.id }, o.output, o.usage);
      return { ...o, output: { message, text: messageText(message) } satisfies MessageOutput };
    }
    const model = "model" in s.endpoint && typeof s.endpoint.model === "string" ? s.endpoint.model : s.id;
    if (streams) {
      const o = await chat.stream(s.endpoint, request, ctx, { idleMs: s.streamIdleTimeoutMs, specialist: s.id, wantUsage: true });
      return o.ok && o.output instanceof ChatStream ? translatedStream(o.output, { id: newId(), model }) : o;
    }
    const o = await chat.call(s.endpoint, request, ctx);
    if (!o.ok) return o;
    const completion = (o.output as ChatOutput).completion;
    // a message id like the streamed reply's (the completion's own `chatcmpl-…` id is OpenAI's form)
    const m = completionToMessage(completion, { id: newId(), model: typeof completion.model === "string" ? completion.model : model });
    if (!m.ok) return { ok: false, failure: { kind: "bad_response", detail: `the reply cannot be carried as an Anthropic message: ${m.detail}` } };
    const message = m.value as unknown as Record<string, unknown>;
    return { ...o, output: { message, text: messageText(message) } satisfies MessageOutput };
  };
}

/**
 * What a model reached by translation was not sent although the client sent it, in
 * the client's terms: `cache_control` (a caching hint), earlier turns' thinking blocks
 * (by path), and the platform fields its provider has no equivalent of
 * (`metadata.user_id`, carried as OpenAI's `user`).
 */
function notSentFor(s: Specialist, body: Record<string, unknown>, chat: Record<string, unknown> | undefined): string[] {
  const adapter = chatModelAdapter(s.endpoint);
  if (s.endpoint.type === "anthropic" || !adapter || !chat) return [];
  const platform = (adapter.notSent?.(s.endpoint, chat) ?? []).map((f) => (f === "user" ? "metadata.user_id" : f));
  const thinking = Array.isArray(body.messages) ? unsentBlocks(body as Pick<MessagesRequest, "messages">) : [];
  return [...(hasCacheControl(body) ? ["cache_control"] : []), ...thinking, ...platform];
}

const SSE = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" };

/** `POST /v1/messages`, `POST /v1/messages/count_tokens`: the Anthropic-compatible front door (DESIGN §3). */
export const anthropicRoutes = routeGroup()
  .openapi(messages, async (c) => {
    const t0 = performance.now();
    const rt = await getRuntime(c.env);
    const raw = c.req.valid("json") as Record<string, unknown>;
    const parsed = MessagesRequest.safeParse(raw);
    if (!parsed.success) throw invalidBody(parsed.error);
    const body = parsed.data;
    const headers = versionHeaders(c.req.header("anthropic-version"), c.req.header("anthropic-beta"));
    if (!headers.ok) throw badRequest(headers.detail, [{ path: headers.param, message: headers.detail }]);
    const pinned = body.model === "auto" ? undefined : body.model;
    if (pinned !== undefined && !rt.registry.has(pinned)) throw unknownModel(pinned);
    const input = lastUserText(body.messages) ?? "";
    const tooLong = inputTooLong(input, rt.config.router.maxInputChars, "the last user message");
    if (tooLong) throw badRequest(tooLong, [{ path: "messages", message: "too long" }]);
    const needs = messagesRequirements(raw as Record<string, unknown> & { messages: unknown[] }, input.trim() !== "");
    const translation = messagesToChat(body);
    const chat = translation.ok ? (translation.value as unknown as Record<string, unknown>) : undefined;
    const stream = body.stream === true;
    const key = idempotencyKeyHeader(c.req.header("idempotency-key"));
    const hop = await serveHop(c, {
      input,
      pinned,
      messages: chat?.messages as ChatMessage[] | undefined,
      chat,
      anthropic: { body: raw, version: headers.version, beta: headers.beta },
      unable: unableFor(needs, translation),
      idempotencyKey: key,
      // with screening that can refuse (deny, approval), a stream is read whole and screened before any of it is sent
      streamed: stream && !screeningMayRefuse(rt.config.screening.mode),
      call: messagesCall(stream && !screeningMayRefuse(rt.config.screening.mode), c.var.callSpecialist),
      t0,
    });
    const { result, intent } = hop;
    const specialist = result.specialist;
    if (intent) c.header("x-intent-id", intent.id);
    c.header("x-switchyard-specialist", specialist.id);
    const notSent = notSentFor(specialist, raw, chat);
    if (notSent.length) c.header("x-switchyard-not-sent", notSent.join(", "));
    if (result.output instanceof ChatStream) return c.body(result.output.body, 200, SSE);
    const message = (result.output as MessageOutput).message;
    if (stream) return c.body(messageEvents(message).map((e) => sseEvent(e as { type: string })).join(""), 200, SSE);
    return c.json(message as z.infer<typeof MessageDoc>, 200);
  })
  .openapi(countTokens, async (c) => {
    const rt = await getRuntime(c.env);
    const raw = c.req.valid("json") as Record<string, unknown>;
    // as Anthropic's count_tokens: a field it does not take (max_tokens, stream, …) is a 400 naming it
    const extra = countTokensExtra(raw);
    if (extra !== undefined) throw badRequest(`${extra}: Extra inputs are not permitted (count_tokens takes model, messages, system, tools, tool_choice, thinking, output_config and cache_control)`, [{ path: extra, message: "Extra inputs are not permitted" }]);
    const parsed = CountTokensRequest.safeParse(raw);
    if (!parsed.success) throw invalidBody(parsed.error);
    const { model } = parsed.data;
    if (model !== "auto" && !rt.registry.has(model)) throw unknownModel(model);
    return c.json({ input_tokens: estimateTokens(parsed.data as Record<string, unknown> & { messages: unknown[] }) }, 200);
  });

anthropicRoutes.openAPIRegistry.registerComponent("securitySchemes", "anthropicApiKey", { type: "apiKey", in: "header", name: "x-api-key", description: "the router key, as Anthropic's clients send theirs" });
