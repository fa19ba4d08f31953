/**
 * A minimal fake of Anthropic's Messages API for the Anthropic front door's
 * pass-through tests: offline, on 127.0.0.1, speaking the real wire format
 * (https://docs.anthropic.com/en/api/messages: a `Message`; with `stream: true`,
 * `event: <type>` / `data: <json>` server-sent events from `message_start` to
 * `message_stop`; errors as `{ type: "error", error: { type, message } }`).
 *
 *   POST <any prefix>/messages   the reply (below); needs `x-api-key: <apiKey>` (else 401)
 *   GET  /requests               the requests it got (path, headers, body), oldest first
 *   POST /reset                  forgets them
 *
 * The reply is one text block `[<model>] heard: <last user text>`; with `tools` (and
 * `tool_choice` not `none`) a `tool_use` of the first tool with input `{ heard }`.
 * Usage: input tokens the words of the body's messages, output tokens the reply's
 * words, `cache_read_input_tokens` 7 when the request has a `cache_control`.
 * The `model` picks a behaviour:
 *   fail-400       400 invalid_request_error
 *   fail-529       529 overloaded_error
 *   echo-body      the text is the request body, as JSON
 *   stream-cut     (streamed) message_start, a block, two deltas, then the connection drops
 *   stream-error   (streamed) message_start, a block, two deltas, then an `error` event (overloaded_error)
 * (a separate fake of the whole API, examples/fake-anthropic, is being written on another branch.)
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

export interface RecordedAnthropicRequest {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

export interface FakeAnthropic {
  url: string;
  close(): Promise<void>;
}

type Obj = Record<string, unknown>;

const textOf = (content: unknown): string =>
  typeof content === "string" ? content : Array.isArray(content) ? content.filter((b: Obj) => b?.type === "text").map((b: Obj) => String(b.text)).join("\n") : "";
const words = (s: string) => s.split(/\s+/).filter(Boolean).length;

function lastUser(body: Obj): string {
  const messages = Array.isArray(body.messages) ? (body.messages as Obj[]) : [];
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.role === "user" && textOf(messages[i]!.content)) return textOf(messages[i]!.content);
  return "";
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const t = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(t), "request-id": "req_fake" });
  res.end(t);
}

const error = (type: string, message: string) => ({ type: "error", error: { type, message } });

/** The reply `Message` for a request body. */
export function fakeMessage(body: Obj): Obj {
  const model = String(body.model);
  const heard = lastUser(body);
  const tools = Array.isArray(body.tools) ? (body.tools as Obj[]) : [];
  const choice = body.tool_choice as Obj | undefined;
  const useTool = tools.length > 0 && choice?.type !== "none";
  const text = model === "echo-body" ? JSON.stringify(body) : `[${model}] heard: ${heard}`;
  const content: Obj[] = useTool ? [{ type: "tool_use", id: "toolu_fake1", name: String((choice?.type === "tool" ? choice.name : tools[0]!.name) ?? ""), input: { heard } }] : [{ type: "text", text }];
  const input = (Array.isArray(body.messages) ? (body.messages as Obj[]) : []).reduce((n, m) => n + words(textOf(m.content)), 0);
  return {
    id: "msg_fake1",
    type: "message",
    role: "assistant",
    model,
    content,
    stop_reason: useTool ? "tool_use" : "end_turn",
    stop_sequence: null,
    usage: { input_tokens: input, output_tokens: useTool ? 3 : words(text), cache_creation_input_tokens: 0, cache_read_input_tokens: JSON.stringify(body).includes('"cache_control"') ? 7 : 0 },
  };
}

const event = (e: Obj) => `event: ${String(e.type)}\ndata: ${JSON.stringify(e)}\n\n`;

/** The events of a streamed reply, as Anthropic sends them. */
export function fakeEvents(message: Obj): Obj[] {
  const { content, stop_reason, usage, ...rest } = message as { content: Obj[]; stop_reason: string; usage: Obj };
  const out: Obj[] = [{ type: "message_start", message: { ...rest, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } } }, { type: "ping" }];
  content.forEach((b, index) => {
    if (b.type === "tool_use") {
      out.push({ type: "content_block_start", index, content_block: { ...b, input: {} } });
      const json = JSON.stringify(b.input);
      out.push({ type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: json.slice(0, 5) } });
      out.push({ type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: json.slice(5) } });
    } else {
      out.push({ type: "content_block_start", index, content_block: { type: "text", text: "" } });
      for (const piece of String(b.text).split(/(?<= )/)) out.push({ type: "content_block_delta", index, delta: { type: "text_delta", text: piece } });
    }
    out.push({ type: "content_block_stop", index });
  });
  out.push({ type: "message_delta", delta: { stop_reason, stop_sequence: null }, usage: { output_tokens: usage.output_tokens } });
  out.push({ type: "message_stop" });
  return out;
}

export async function startFakeAnthropic({ apiKey }: { apiKey?: string } = {}): Promise<FakeAnthropic & { requests(): RecordedAnthropicRequest[] }> {
  const requests: RecordedAnthropicRequest[] = [];
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const path = (req.url ?? "/").split("?")[0]!;
    if (req.method === "GET" && path === "/requests") return send(res, 200, { requests });
    if (req.method === "POST" && path === "/reset") return (requests.splice(0), send(res, 200, { ok: true }));
    if (req.method !== "POST" || !path.endsWith("/messages")) return send(res, 404, error("not_found_error", `no route ${req.method} ${path}`));
    let body: Obj;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Obj;
    } catch {
      return send(res, 400, error("invalid_request_error", "body is not JSON"));
    }
    requests.push({ path, headers: req.headers, body });
    if (apiKey !== undefined && req.headers["x-api-key"] !== apiKey) return send(res, 401, error("authentication_error", "invalid x-api-key"));
    if (typeof body.max_tokens !== "number") return send(res, 400, error("invalid_request_error", "max_tokens: Field required"));
    const model = String(body.model);
    if (model === "fail-400") return send(res, 400, error("invalid_request_error", "messages.0.content: the fake refuses this"));
    if (model === "fail-529") return send(res, 529, error("overloaded_error", "Overloaded"));
    const message = fakeMessage(body);
    if (body.stream !== true) return send(res, 200, message);
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" });
    const events = fakeEvents(message);
    if (model === "stream-cut" || model === "stream-error") {
      // message_start, ping, the block's start and two deltas
      res.write(events.slice(0, 5).map(event).join(""));
      if (model === "stream-error") return res.end(event(error("overloaded_error", "Overloaded")));
      setTimeout(() => res.destroy(), 20);
      return;
    }
    res.end(events.map(event).join(""));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const a = server.address();
  const url = `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}`;
  return {
    url,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
