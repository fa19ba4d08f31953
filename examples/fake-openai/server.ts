/**
 * A fake OpenAI-compatible chat API for tests: deterministic, offline, on
 * 127.0.0.1, speaking the real wire format (`chat.completion`, and with
 * `stream: true` SSE `chat.completion.chunk`s, the usage chunk when
 * `stream_options.include_usage` is set, and `data: [DONE]`).
 *
 *   POST <any prefix>/chat/completions   reply: `[<model>] heard: <last user message>`
 *   GET  /requests                       the requests it got (headers and body), oldest first
 *   POST /reset                          forgets them
 *
 * The `model` picks a failure: `fail-429` (429 + Retry-After: 1), `fail-500`,
 * `garbage` (200, not JSON), `wrong-shape` (200, `choices: []`), `hang` (never
 * answers), `stream-break` (streams two chunks, then an event that is not JSON).
 * With `apiKey`, a request without `Authorization: Bearer <apiKey>` gets 401.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

export interface FakeOpenAI {
  url: string;
  close(): Promise<void>;
  /** Requests received so far. */
  requests(): RecordedRequest[];
}

export interface RecordedRequest {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: { model?: string; messages?: { role: string; content: unknown }[]; stream?: boolean; stream_options?: { include_usage?: boolean }; [k: string]: unknown };
}

const words = (s: string) => s.split(/\s+/).filter(Boolean).length;
const text = (content: unknown): string =>
  typeof content === "string" ? content : Array.isArray(content) ? content.map((p: { text?: string }) => p.text ?? "").join("\n") : "";

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const t = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(t), ...headers });
  res.end(t);
}

const error = (message: string, type: string, code: string | null = null) => ({ error: { message, type, param: null, code } });

/**
 * Starts the fake API on 127.0.0.1 (any free port). It closes itself after
 * `maxLifetimeMs` if nobody closes it first.
 */
export async function startFakeOpenAI({ apiKey, maxLifetimeMs = 10 * 60_000 }: { apiKey?: string; maxLifetimeMs?: number } = {}): Promise<FakeOpenAI> {
  const recorded: RecordedRequest[] = [];
  const open = new Set<ServerResponse>();
  let n = 0;
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    if (req.method === "GET" && path === "/requests") return send(res, 200, { requests: recorded });
    if (req.method === "POST" && path === "/reset") return (recorded.length = 0), send(res, 200, { ok: true });
    if (req.method !== "POST" || !path.endsWith("/chat/completions")) return send(res, 404, error(`no route ${req.method} ${path}`, "invalid_request_error"));
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let body: RecordedRequest["body"];
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return send(res, 400, error("We could not parse the JSON body of your request.", "invalid_request_error"));
    }
    recorded.push({ path, headers: req.headers, body });
    if (apiKey !== undefined && req.headers.authorization !== `Bearer ${apiKey}`)
      return send(res, 401, error("Incorrect API key provided.", "invalid_request_error", "invalid_api_key"));
    if (typeof body.model !== "string" || !Array.isArray(body.messages) || body.messages.length === 0)
      return send(res, 400, error("'model' and a non-empty 'messages' are required", "invalid_request_error"));
    const model = body.model;
    switch (model) {
      case "fail-429":
        return send(res, 429, error("Rate limit reached", "requests", "rate_limit_exceeded"), { "retry-after": "1" });
      case "fail-500":
        return send(res, 500, error("The server had an error while processing your request.", "server_error"));
      case "garbage":
        res.writeHead(200, { "content-type": "text/html" });
        return res.end("<html>oops</html>");
      case "wrong-shape":
        return send(res, 200, { id: "chatcmpl-x", object: "chat.completion", choices: [] });
      case "hang":
        open.add(res);
        res.on("close", () => open.delete(res));
        return;
    }
    const lastUser = [...body.messages].reverse().find((m) => m.role === "user");
    const reply = `[${model}] heard: ${text(lastUser?.content)}`;
    const usage = { prompt_tokens: body.messages.reduce((s, m) => s + words(text(m.content)), 0), completion_tokens: words(reply) };
    const totals = { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens };
    const id = `chatcmpl-fake${++n}`;
    const created = Math.floor(Date.now() / 1000);
    if (body.stream !== true)
      return send(res, 200, {
        id,
        object: "chat.completion",
        created,
        model,
        choices: [{ index: 0, message: { role: "assistant", content: reply, refusal: null }, logprobs: null, finish_reason: "stop" }],
        usage: totals,
        system_fingerprint: "fp_fake",
      });
    const withUsage = body.stream_options?.include_usage === true;
    const chunk = (delta: object, finish: string | null) => ({
      id,
      object: "chat.completion.chunk",
      created,
      model,
      system_fingerprint: "fp_fake",
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...(withUsage ? { usage: null } : {}),
    });
    const events: string[] = [JSON.stringify(chunk({ role: "assistant", content: "", refusal: null }, null))];
    reply.split(/(?<= )/).forEach((piece, i) => events.push(model === "stream-break" && i === 2 ? "{not json" : JSON.stringify(chunk({ content: piece }, null))));
    events.push(JSON.stringify(chunk({}, "stop")));
    if (withUsage) events.push(JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices: [], usage: totals }));
    events.push("[DONE]");
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" });
    for (const e of events) res.write(`data: ${e}\n\n`);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= new Promise<void>((resolve) => {
      clearTimeout(killer);
      for (const r of open) r.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    }));
  const killer = setTimeout(close, maxLifetimeMs);
  killer.unref();
  return { url: `http://127.0.0.1:${port}`, close, requests: () => recorded };
}
