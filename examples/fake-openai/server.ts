/**
 * A fake OpenAI-compatible Chat Completions API for tests and benchmarks:
 * deterministic, offline, on 127.0.0.1, speaking the real wire format
 * (`chat.completion`; with `stream: true`, SSE `data: <chat.completion.chunk>`
 * events, the `choices: []` usage chunk last when `stream_options.include_usage`
 * is set, then `data: [DONE]`).
 *
 *   POST <any prefix>/chat/completions   the reply (below)
 *   GET  /requests                       the requests it got (path, headers, body, aborted), oldest first
 *   GET  /aborts                         `{ aborted, requests: [{ path, model }] }`: those whose client
 *                                        hung up before the reply was finished
 *   POST /reset                          forgets the requests (and so the aborts)
 *
 * The reply is `[<model>] heard: <last user message>`, shaped by the body:
 * `n` (1–10) choices, those after the first ending ` (choice <i>)`; `tools`
 * (unless `tool_choice` is "none") a call to the first tool, or the one
 * `tool_choice` names, with arguments `{"heard":<last user message>}`;
 * `response_format` `json_object` or `json_schema` that JSON as the content;
 * `logprobs: true` a logprob of -0.1 per word.
 *
 * The `model` picks a behaviour:
 *   fail-429             429 + Retry-After: 1
 *   fail-500             500
 *   fail-400             400 invalid_request_error on `tools[0].function.name`
 *   garbage              200, not JSON
 *   wrong-shape          200, `choices: []`
 *   hang                 never answers
 *   parts                `message.content` as an array of text parts (streams as usual)
 *   refusal              `content: null, refusal: "I can't help with that."` (streamed as `refusal` deltas)
 *   echo-body            the content is the request body, as JSON
 *   say:<text>           the content is <text>, exactly (a scripted answer: an LLM router's JSON, prose, …)
 * and with `stream: true` (without it, the usual reply but for stream-error-first):
 *   stream-break         the role chunk, two content chunks, an event that is not JSON, the rest
 *   stream-error-first   200 whose only event is an `{ error }` (500 without `stream`)
 *   stream-cut           the role chunk and two content chunks, then the connection is dropped
 *   stream-eof           the role and content chunks, then a clean end: no finish chunk, no [DONE]
 *   stream-stall         the role chunk and two content chunks, then silence until the client leaves
 *   stream-slow          200 one-word chunks 50 ms apart, then the end; stops when the client leaves
 *   stream-no-done       everything but `data: [DONE]`
 * With `apiKey`, a request without `Authorization: Bearer <apiKey>` gets 401.
 */
import { readJson, sendJson, SSE_HEADERS, startFakeHttp, type FakeHttp } from "../fake-http.ts";

export type FakeOpenAI = FakeHttp<RecordedRequest>;

export interface RecordedRequest {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: {
    model?: string;
    messages?: { role: string; content: unknown }[];
    stream?: boolean;
    stream_options?: { include_usage?: boolean };
    n?: unknown;
    tools?: unknown;
    tool_choice?: unknown;
    response_format?: { type?: unknown };
    logprobs?: unknown;
    [k: string]: unknown;
  };
  /** True when the client closed the connection before the reply was finished. */
  aborted: boolean;
}

type Body = RecordedRequest["body"];

const words = (s: string) => s.split(/\s+/).filter(Boolean).length;
const text = (content: unknown): string =>
  typeof content === "string" ? content : Array.isArray(content) ? content.map((p: { text?: string }) => p.text ?? "").join("\n") : "";
const sse = (event: string) => `data: ${event}\n\n`;
const send = sendJson;

const error = (message: string, type: string, code: string | null = null, param: string | null = null) => ({ error: { message, type, param, code } });
const invalid = (message: string, param: string | null = null, code: string | null = null) => error(message, "invalid_request_error", code, param);

/** Why OpenAI would turn the body down, if it would. */
function problem(body: Body): ReturnType<typeof error> | undefined {
  if (typeof body.model !== "string" || !Array.isArray(body.messages) || body.messages.length === 0)
    return invalid("'model' and a non-empty 'messages' are required");
  const n = body.n ?? 1;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > 10)
    return invalid(`Invalid 'n': expected an integer from 1 to 10, but got ${JSON.stringify(n)} instead.`, "n", "invalid_value");
  if (body.tools === undefined || body.tools === null) return undefined;
  if (!Array.isArray(body.tools) || body.tools.length === 0)
    return invalid("Invalid 'tools': expected a non-empty array of tools.", "tools", "invalid_value");
  const bad = body.tools.findIndex((t: { type?: unknown; function?: { name?: unknown } } | null) => t?.type !== "function" || typeof t.function?.name !== "string");
  return bad < 0 ? undefined : invalid(`Missing required parameter: 'tools[${bad}].function.name'.`, `tools[${bad}].function.name`, "missing_required_parameter");
}

/** One choice's reply, whole (`message`) and as the deltas that stream it. */
interface Answer {
  message: Record<string, unknown>;
  finish: "stop" | "tool_calls";
  /** The first streamed delta, the one with the role. */
  head: Record<string, unknown>;
  /** What the later deltas carry, in order; also the tokens given logprobs. */
  pieces: string[];
  delta(piece: string): Record<string, unknown>;
  logprobs(pieces: string[]): Record<string, unknown>;
}

const logprob = (token: string) => ({ token, logprob: -0.1, bytes: [...Buffer.from(token, "utf8")], top_logprobs: [] });
const byWord = (s: string) => s.split(/(?<= )/);

const says = (content: string, pieces = byWord(content)): Answer => ({
  message: { role: "assistant", content, refusal: null },
  finish: "stop",
  head: { role: "assistant", content: "", refusal: null },
  pieces,
  delta: (piece) => ({ content: piece }),
  logprobs: (ps) => ({ content: ps.map(logprob), refusal: null }),
});

const refuses = (refusal: string): Answer => ({
  message: { role: "assistant", content: null, refusal },
  finish: "stop",
  head: { role: "assistant", content: null, refusal: "" },
  pieces: byWord(refusal),
  delta: (piece) => ({ refusal: piece }),
  logprobs: (ps) => ({ content: null, refusal: ps.map(logprob) }),
});

/** A call to `name`; the arguments stream in three pieces. */
function calls(id: string, name: string, args: string): Answer {
  const third = Math.ceil(args.length / 3);
  return {
    message: { role: "assistant", content: null, refusal: null, tool_calls: [{ id, type: "function", function: { name, arguments: args } }] },
    finish: "tool_calls",
    head: { role: "assistant", content: null, tool_calls: [{ index: 0, id, type: "function", function: { name, arguments: "" } }] },
    pieces: [args.slice(0, third), args.slice(third, 2 * third), args.slice(2 * third)].filter(Boolean),
    delta: (piece) => ({ tool_calls: [{ index: 0, function: { arguments: piece } }] }),
    logprobs: () => ({ content: null, refusal: null }),
  };
}

/** The `n` answers to a valid body; `callId` numbers the tool calls. */
function answersFor(body: Body, model: string, callId: () => string): Answer[] {
  const each = (answer: (i: number) => Answer) => Array.from({ length: (body.n as number | undefined) ?? 1 }, (_, i) => answer(i));
  const heard = text([...body.messages!].reverse().find((m) => m.role === "user")?.content);
  if (model === "refusal") return each(() => refuses("I can't help with that."));
  if (model.startsWith("say:")) return each(() => says(model.slice("say:".length)));
  if (model === "echo-body") {
    const echo = JSON.stringify(body);
    return each(() => says(echo, echo.match(/.{1,24}/gs) ?? [echo]));
  }
  if (model === "stream-slow" && body.stream === true) return each(() => says(Array.from({ length: 200 }, (_, i) => `word${i + 1}`).join(" ")));
  const tools = body.tools as { function: { name: string } }[] | null | undefined;
  if (tools && body.tool_choice !== "none") {
    const named = (body.tool_choice as { function?: { name?: unknown } } | undefined)?.function?.name;
    const name = typeof named === "string" ? named : tools[0]!.function.name;
    return each(() => calls(callId(), name, JSON.stringify({ heard })));
  }
  const format = body.response_format?.type;
  if (format === "json_object" || format === "json_schema") return each(() => says(JSON.stringify({ heard })));
  return each((i) => says(`[${model}] heard: ${heard}${i > 0 ? ` (choice ${i})` : ""}`));
}

/**
 * Starts the fake API on 127.0.0.1 (any free port). It closes itself after
 * `maxLifetimeMs` if nobody closes it first.
 */
export async function startFakeOpenAI({ apiKey, maxLifetimeMs = 10 * 60_000 }: { apiKey?: string; maxLifetimeMs?: number } = {}): Promise<FakeOpenAI> {
  let completions = 0;
  let toolCalls = 0;

  return startFakeHttp<RecordedRequest>(async (req, res, host) => {
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    if (req.method === "GET" && path === "/aborts") {
      const gone = host.requests().filter((r) => r.aborted);
      return send(res, 200, { aborted: gone.length, requests: gone.map((r) => ({ path: r.path, model: r.body.model ?? null })) });
    }
    if (req.method !== "POST" || !path.endsWith("/chat/completions")) return send(res, 404, error(`no route ${req.method} ${path}`, "invalid_request_error"));
    const read = await readJson(req);
    if (!read) return send(res, 400, invalid("We could not parse the JSON body of your request."));
    const body = read.json as Body;
    if (typeof body !== "object" || body === null || Array.isArray(body)) return send(res, 400, invalid("The body of your request must be a JSON object."));
    host.record(res, { path, headers: req.headers, body, aborted: false });
    if (apiKey !== undefined && req.headers.authorization !== `Bearer ${apiKey}`)
      return send(res, 401, error("Incorrect API key provided.", "invalid_request_error", "invalid_api_key"));
    const turnedDown = problem(body);
    if (turnedDown) return send(res, 400, turnedDown);
    const model = body.model!;
    switch (model) {
      case "fail-429":
        return send(res, 429, error("Rate limit reached", "requests", "rate_limit_exceeded"), { "retry-after": "1" });
      case "fail-500":
        return send(res, 500, error("The server had an error while processing your request.", "server_error"));
      case "fail-400":
        return send(res, 400, invalid("Invalid 'tools[0].function.name': string does not match pattern.", "tools[0].function.name", "invalid_value"));
      case "garbage":
        res.writeHead(200, { "content-type": "text/html" });
        res.end("<html>oops</html>");
        return;
      case "wrong-shape":
        return send(res, 200, { id: "chatcmpl-x", object: "chat.completion", choices: [] });
      case "hang":
        return;
      case "stream-error-first": {
        const overloaded = error("The server is overloaded", "server_error");
        if (body.stream !== true) return send(res, 500, overloaded);
        res.writeHead(200, SSE_HEADERS);
        res.end(sse(JSON.stringify(overloaded)));
        return;
      }
    }
    const answers = answersFor(body, model, () => `call_fake${++toolCalls}`);
    const withLogprobs = body.logprobs === true;
    const prompt = body.messages!.reduce((s, m) => s + words(text(m.content)), 0);
    const completion = answers.reduce((s, a) => s + words(a.pieces.join("")), 0);
    const usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
    const id = `chatcmpl-fake${++completions}`;
    const created = Math.floor(Date.now() / 1000);
    if (body.stream !== true) {
      const asParts = (m: Record<string, unknown>) => (typeof m.content === "string" ? { ...m, content: [{ type: "text", text: m.content }] } : m);
      const choices = answers.map((a, index) => ({
        index,
        message: model === "parts" ? asParts(a.message) : a.message,
        logprobs: withLogprobs ? a.logprobs(a.pieces) : null,
        finish_reason: a.finish,
      }));
      return send(res, 200, { id, object: "chat.completion", created, model, choices, usage, system_fingerprint: "fp_fake" });
    }

    const withUsage = body.stream_options?.include_usage === true;
    const chunk = (index: number, delta: object, finish: string | null, logprobs: object | null = null) =>
      JSON.stringify({
        id,
        object: "chat.completion.chunk",
        created,
        model,
        system_fingerprint: "fp_fake",
        choices: [{ index, delta, logprobs, finish_reason: finish }],
        ...(withUsage ? { usage: null } : {}),
      });
    const roles = answers.map((a, i) => chunk(i, a.head, null));
    // Choices interleave piece by piece, as OpenAI's do.
    const deltas: string[] = [];
    for (let k = 0; k < Math.max(...answers.map((a) => a.pieces.length)); k++)
      answers.forEach((a, i) => {
        const piece = a.pieces[k];
        if (piece !== undefined) deltas.push(chunk(i, a.delta(piece), null, withLogprobs ? a.logprobs([piece]) : null));
      });
    if (model === "stream-break" && deltas.length > 2) deltas[2] = "{not json";
    const ends = answers.map((a, i) => chunk(i, {}, a.finish));
    if (withUsage) ends.push(JSON.stringify({ id, object: "chat.completion.chunk", created, model, system_fingerprint: "fp_fake", choices: [], usage }));

    res.writeHead(200, SSE_HEADERS);
    const emit = (events: string[], then?: () => void) => events.forEach((e, i) => res.write(sse(e), i === events.length - 1 ? then : undefined));
    switch (model) {
      case "stream-cut":
        // Drop the connection only once the chunks before it have left.
        emit([...roles, ...deltas.slice(0, 2)], () => host.drop(res));
        return;
      case "stream-stall":
        emit([...roles, ...deltas.slice(0, 2)]);
        return;
      case "stream-eof":
        emit([...roles, ...deltas]);
        break;
      case "stream-no-done":
        emit([...roles, ...deltas, ...ends]);
        break;
      case "stream-slow": {
        let timer: NodeJS.Timeout | undefined;
        let next = 0;
        const drip = () => {
          if (next < deltas.length) {
            emit([deltas[next++]!]);
            timer = setTimeout(drip, 50);
            return;
          }
          emit([...ends, "[DONE]"]);
          res.end();
        };
        res.on("close", () => clearTimeout(timer));
        emit(roles);
        drip();
        return;
      }
      default:
        emit([...roles, ...deltas, ...ends, "[DONE]"]);
    }
    res.end();
  }, maxLifetimeMs);
}
