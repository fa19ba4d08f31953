/**
 * A fake Anthropic Messages API for tests: deterministic, offline, on 127.0.0.1,
 * speaking the real wire format. Sources: API reference "Messages"
 * (https://docs.anthropic.com/en/api/messages), "Streaming Messages"
 * (https://docs.anthropic.com/en/docs/build-with-claude/streaming), "Errors"
 * (https://docs.anthropic.com/en/api/errors), and the `@anthropic-ai/sdk` 1.14.0 types
 * (`Message`, `Usage`, `RawMessageStreamEvent`, `ErrorResponse`).
 *
 *   POST <any prefix>/v1/messages   the reply (below)
 *   GET  /requests                  `{ requests }`: what it got (path, headers, body, aborted) and the body
 *                                   it wrote back (`reply`), oldest first
 *   POST /reset                     forgets the requests
 *
 * Every request needs the key, as `x-api-key: <apiKey>` or (as the 1.x SDKs send it)
 * `Authorization: Bearer <apiKey>` (else 401 `authentication_error`), and an
 * `anthropic-version` header (else 400): on `2026-10-21` (the 1.x SDKs' version)
 * `temperature` and `top_p` are refused and `system` turns may stand in `messages`. Errors are Anthropic's shape:
 * `{ type: "error", error: { type, message }, request_id }`, with a `request-id` header.
 * The body is checked as the API checks it, a 400 `invalid_request_error` naming the
 * path: `model`, `max_tokens` (1 or more: no cache pre-warming) and non-empty `messages` required; roles `user` and
 * `assistant` alternating; no empty text blocks; image sources base64 with a
 * JPEG/PNG/GIF/WebP `media_type` and data, or a `url`; every `tool_use` answered by a
 * `tool_result` (first in the next user turn), every `tool_result` answering one;
 * `temperature` and `top_p` within 0–1; tool names `^[a-zA-Z0-9_-]{1,64}$`.
 *
 * The reply is a `message` (`id` `msg_fake<n>`) whose text is `[<model>] heard: <the
 * last user turn's text>`, then ` (saw <n> image(s))` when that turn has image blocks
 * (a turn of tool results only: their text is what was heard). With `tools` a
 * `tool_use` block (`id` `toolu_fake<n>`, `input` `{ heard }`) calling the tool
 * `tool_choice` names, else the first one, `stop_reason: "tool_use"`; except with
 * `tool_choice` `none`, or `auto` (or none) when the last user turn carries tool
 * results: then the text. A reply longer than `max_tokens` words is cut there
 * (`stop_reason: "max_tokens"`). `usage` counts words: `input_tokens` of the system
 * prompt and every turn, `output_tokens` of the reply (the tool input's JSON for a
 * call); the cache members 0, except for a model whose name contains `cache`, which
 * read 100 tokens from the cache and wrote 50 (`cache_read_input_tokens`,
 * `cache_creation_input_tokens`, `cache_creation.ephemeral_5m_input_tokens`).
 *
 * With `stream: true`, `text/event-stream` events `event: <type>` / `data: <json>`:
 * `message_start` (the message with empty `content`, `stop_reason: null`, the input
 * usage and `output_tokens: 1`), per block `content_block_start` (`ping` after the
 * first), `content_block_delta`s (`text_delta` a word at a time; `input_json_delta`
 * the input's JSON in three `partial_json` pieces), `content_block_stop`, then
 * `message_delta` (`stop_reason`, the cumulative usage) and `message_stop`.
 *
 * `fakeMessage(body, ids)` and `fakeEvents(message)` compute that reply and its events,
 * for tests that compare what a client got with what the fake sent.
 *
 * The `model` `echo-body` answers with the request body, as JSON, for its text (never
 * cut, no tool call). The `model` picks a failure:
 *   fail-429        429 `rate_limit_error` + `retry-after: 1`
 *   fail-529        529 `overloaded_error`
 *   fail-500        500 `api_error`
 *   fail-400        400 `invalid_request_error` ("max_tokens: … is the maximum allowed …")
 *   garbage         200, not JSON
 *   hang            never answers
 * and with `stream: true` (without it, the usual reply):
 *   stream-cut      `message_start`, the first block's start and two deltas, then the connection is dropped
 *   stream-eof      every event but `message_stop`, then a clean end
 *   stream-error    `message_start`, the first block's start and two deltas, then `event: error`
 *                   `{ type: "error", error: { type: "overloaded_error", message: "Overloaded" } }`
 *   stream-stall    `message_start`, the first block's start and two deltas, then silence until the client leaves
 *   stream-garbage  `message_start`, the first block's start and two deltas, an event whose data is not
 *                   JSON (`<html>oops</html>`), then the rest
 * It closes itself after `maxLifetimeMs` if nobody closes it first.
 */
import type { ServerResponse } from "node:http";
import { readJson, SSE_HEADERS, startFakeHttp, type FakeHttp } from "../fake-http.ts";
import { blocksOf, problem, textOf, words, type Block, type Turn } from "./validate.ts";

export type FakeAnthropic = FakeHttp<RecordedRequest>;

export interface RecordedRequest {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, any>;
  /** True when the client closed the connection before the reply was finished. */
  aborted: boolean;
  /** The reply's body as the fake wrote it so far (the JSON, or the events), byte for byte. */
  reply: string;
}

/** Anthropic's error body (API reference, "Errors"). */
const error = (type: string, message: string, requestId: string) => ({ type: "error", error: { type, message }, request_id: requestId });


/** A content block of the reply: `text` (with `citations: null`) or `tool_use` (with `caller`). */
type ReplyBlock = { type: "text"; text: string; citations: null } | { type: "tool_use"; id: string; name: string; input: Record<string, unknown>; caller: { type: "direct" } };

/** The reply's blocks, stop reason and output tokens for a valid body. */
function replyFor(body: Record<string, any>, toolCallId: string): { blocks: ReplyBlock[]; stop: string; outputTokens: number } {
  const model = body.model as string;
  const text = (t: string): ReplyBlock => ({ type: "text", text: t, citations: null });
  if (model === "echo-body") {
    const echo = JSON.stringify(body);
    return { blocks: [text(echo)], stop: "end_turn", outputTokens: words(echo) };
  }
  const turns = body.messages as Turn[];
  const last = [...turns].reverse().find((t) => t.role === "user");
  const blocks = blocksOf(last?.content);
  const results = blocks.filter((b) => b.type === "tool_result");
  const heard = textOf(last?.content) || results.map((r) => (typeof r.content === "string" ? r.content : textOf(r.content))).join("\n");
  const tools = Array.isArray(body.tools) ? (body.tools as Block[]) : [];
  const choice = (body.tool_choice ?? { type: "auto" }) as { type?: string; name?: string };
  const calls = tools.length > 0 && choice.type !== "none" && !(choice.type === "auto" && results.length > 0);
  if (calls) {
    const name = choice.type === "tool" && typeof choice.name === "string" ? choice.name : String(tools[0]!.name);
    return { blocks: [{ type: "tool_use", id: toolCallId, name, input: { heard }, caller: { type: "direct" } }], stop: "tool_use", outputTokens: words(JSON.stringify({ heard })) + 1 };
  }
  const images = blocks.filter((b) => b.type === "image").length;
  let reply = `[${model}] heard: ${heard}${images > 0 ? ` (saw ${images} image${images > 1 ? "s" : ""})` : ""}`;
  let stop = "end_turn";
  if (words(reply) > body.max_tokens) {
    reply = reply.split(/\s+/).filter(Boolean).slice(0, body.max_tokens).join(" ");
    stop = "max_tokens";
  }
  return { blocks: [text(reply)], stop, outputTokens: words(reply) };
}

/** The reply `Message` of the Messages API, as this fake builds it. */
export interface FakeMessage {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  content: ReplyBlock[];
  stop_reason: string;
  stop_sequence: null;
  usage: { input_tokens: number; output_tokens: number; cache_creation_input_tokens: number; cache_read_input_tokens: number; cache_creation: Record<string, number>; server_tool_use: null; service_tier: string };
}

/**
 * The message the fake answers a valid request body with (any model but the failure
 * models), given the ids it numbers (`msg_fake<n>`, `toolu_fake<n>`): for tests that
 * compare what a client got with what the fake sent.
 */
export function fakeMessage(body: Record<string, any>, { id = "msg_fake1", toolCallId = "toolu_fake1" }: { id?: string; toolCallId?: string } = {}): FakeMessage {
  const { blocks, stop, outputTokens } = replyFor(body, toolCallId);
  const cache = String(body.model).includes("cache");
  return {
    id,
    type: "message",
    role: "assistant",
    model: body.model,
    content: blocks,
    stop_reason: stop,
    stop_sequence: null,
    usage: {
      input_tokens: inputTokens(body),
      output_tokens: outputTokens,
      cache_creation_input_tokens: cache ? 50 : 0,
      cache_read_input_tokens: cache ? 100 : 0,
      cache_creation: { ephemeral_5m_input_tokens: cache ? 50 : 0, ephemeral_1h_input_tokens: 0 },
      server_tool_use: null,
      service_tier: "standard",
    },
  };
}

/** One streamed event's data; its `event:` line names `type`. */
export type FakeEvent = { type: string; [k: string]: unknown };

/** The events that stream `message`, in the fake's order (see the header). */
export function fakeEvents(message: FakeMessage): FakeEvent[] {
  const { usage } = message;
  const events: FakeEvent[] = [{ type: "message_start", message: { ...message, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } } }];
  message.content.forEach((block, index) => {
    let start: ReplyBlock;
    let deltas: Record<string, unknown>[];
    if (block.type === "text") {
      start = { ...block, text: "" };
      deltas = block.text.split(/(?<= )/).map((piece) => ({ type: "text_delta", text: piece }));
    } else {
      const json = JSON.stringify(block.input);
      const third = Math.ceil(json.length / 3);
      start = { ...block, input: {} };
      deltas = [json.slice(0, third), json.slice(third, 2 * third), json.slice(2 * third)].filter(Boolean).map((partial_json) => ({ type: "input_json_delta", partial_json }));
    }
    events.push({ type: "content_block_start", index, content_block: start });
    if (index === 0) events.push({ type: "ping" });
    for (const delta of deltas) events.push({ type: "content_block_delta", index, delta });
    events.push({ type: "content_block_stop", index });
  });
  const { output_tokens, input_tokens, cache_creation_input_tokens, cache_read_input_tokens } = usage;
  events.push({ type: "message_delta", delta: { stop_reason: message.stop_reason, stop_sequence: null }, usage: { output_tokens, input_tokens, cache_creation_input_tokens, cache_read_input_tokens, server_tool_use: null } });
  events.push({ type: "message_stop" });
  return events;
}

/** The text of one server-sent event. */
export const sseEvent = (data: FakeEvent): string => `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;

/** Input tokens: the words of the system prompt and of every turn's text and tool results. */
function inputTokens(body: Record<string, any>): number {
  const system = typeof body.system === "string" ? body.system : textOf(body.system);
  const turnWords = (body.messages as Turn[]).reduce(
    (s, t) => s + blocksOf(t.content).reduce((n, b) => n + (b.type === "text" ? words(String(b.text)) : b.type === "tool_result" ? words(typeof b.content === "string" ? b.content : textOf(b.content)) : b.type === "tool_use" ? words(JSON.stringify(b.input)) : 1), 0),
    0,
  );
  return words(system) + turnWords;
}

/**
 * Starts the fake API on 127.0.0.1 (any free port); with `apiKey`, the `x-api-key`
 * every request must carry (default `sk-ant-fake`).
 */
export async function startFakeAnthropic({ apiKey = "sk-ant-fake", maxLifetimeMs = 10 * 60_000 }: { apiKey?: string; maxLifetimeMs?: number } = {}): Promise<FakeAnthropic> {
  let messages = 0;
  let toolCalls = 0;
  let requestIds = 0;
  const records = new WeakMap<ServerResponse, RecordedRequest>();

  /** Writes to the client, and notes it in the request's record. */
  function write(res: ServerResponse, text: string, then?: () => void): void {
    const record = records.get(res);
    if (record) record.reply += text;
    res.write(text, then);
  }

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const t = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(t), ...headers });
    write(res, t);
    res.end();
  }

  return startFakeHttp<RecordedRequest>(async (req, res, host) => {
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    const requestId = `req_fake${++requestIds}`;
    const fail = (status: number, type: string, message: string, headers: Record<string, string> = {}) => send(res, status, error(type, message, requestId), { "request-id": requestId, ...headers });
    if (req.method !== "POST" || !path.endsWith("/v1/messages")) return fail(404, "not_found_error", `Not found: ${req.method} ${path}`);
    const read = await readJson(req);
    if (!read) return fail(400, "invalid_request_error", "There was an issue with the format of your request: the body is not valid JSON");
    const body = read.json as Record<string, any>;
    if (typeof body !== "object" || body === null || Array.isArray(body)) return fail(400, "invalid_request_error", "The request body must be a JSON object");
    const record: RecordedRequest = { path, headers: req.headers, body, aborted: false, reply: "" };
    host.record(res, record);
    records.set(res, record);
    if (req.headers["x-api-key"] !== apiKey && req.headers.authorization !== `Bearer ${apiKey}`) return fail(401, "authentication_error", "invalid x-api-key");
    const version = req.headers["anthropic-version"];
    if (typeof version !== "string") return fail(400, "invalid_request_error", "anthropic-version: header is required");
    const turnedDown = problem(body, version);
    if (turnedDown) return fail(400, "invalid_request_error", turnedDown);
    const model = body.model as string;
    switch (model) {
      case "fail-429":
        return fail(429, "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit", { "retry-after": "1" });
      case "fail-529":
        return fail(529, "overloaded_error", "Overloaded");
      case "fail-500":
        return fail(500, "api_error", "Internal server error");
      case "fail-400":
        return fail(400, "invalid_request_error", `max_tokens: ${body.max_tokens} > 64, which is the maximum allowed number of output tokens for ${model}`);
      case "garbage":
        res.writeHead(200, { "content-type": "text/html" });
        write(res, "<html>oops</html>");
        res.end();
        return;
      case "hang":
        return;
    }
    const message = fakeMessage(body, { id: `msg_fake${messages + 1}`, toolCallId: `toolu_fake${toolCalls + 1}` });
    messages++;
    if (message.stop_reason === "tool_use") toolCalls++;
    if (body.stream !== true) return send(res, 200, message, { "request-id": requestId });

    const events = fakeEvents(message);
    // the broken streams stop after the first block's second delta
    const second = events.findIndex((e, i) => e.type === "content_block_delta" && e.index === 0 && events[i - 1]?.type === "content_block_delta");
    const head = events.slice(0, second < 0 ? events.length : second + 1);
    res.writeHead(200, { ...SSE_HEADERS, "request-id": requestId });
    const emit = (list: FakeEvent[], then?: () => void) => list.forEach((e, i) => write(res, sseEvent(e), i === list.length - 1 ? then : undefined));
    switch (model) {
      case "stream-cut":
        emit(head, () => host.drop(res));
        return;
      case "stream-stall":
        emit(head);
        return;
      case "stream-eof":
        emit(events.slice(0, -1));
        break;
      case "stream-error":
        emit([...head, { type: "error", error: { type: "overloaded_error", message: "Overloaded" }, request_id: requestId }]);
        break;
      case "stream-garbage":
        emit(head);
        write(res, "event: content_block_delta\ndata: <html>oops</html>\n\n");
        emit(events.slice(head.length));
        break;
      default:
        emit(events);
    }
    res.end();
  }, maxLifetimeMs);
}
