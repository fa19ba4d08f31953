/**
 * A fake Gemini API (generateContent) for tests: deterministic, offline, on
 * 127.0.0.1, speaking the real wire format. Sources: API reference "Generating
 * content" (https://ai.google.dev/api/generate-content: `GenerateContentRequest`,
 * `GenerateContentResponse`, `Candidate`, `UsageMetadata`, `PromptFeedback`), and the
 * error model of "Troubleshooting" (https://ai.google.dev/gemini-api/docs/troubleshooting):
 * `{ error: { code, message, status, details? } }`.
 *
 *   POST <any prefix>/models/{model}:generateContent                 a `GenerateContentResponse`
 *   POST <any prefix>/models/{model}:streamGenerateContent?alt=sse   `text/event-stream`, each event
 *        `data: <GenerateContentResponse>` then a blank line (CRLF, as Google sends them);
 *        without `alt=sse`, the same responses as one JSON array
 *   GET  /requests    `{ requests }`: what it got (path, model, method, query, headers, body, aborted), oldest first
 *   POST /reset       forgets the requests
 *
 * The key comes in `x-goog-api-key` (or `?key=`): none is 403 `PERMISSION_DENIED`, a
 * wrong one 400 `INVALID_ARGUMENT` "API key not valid" (reason `API_KEY_INVALID`), as
 * Google answers them. The body is checked as the API checks it (400
 * `INVALID_ARGUMENT`): no unknown members (`Invalid JSON payload received. Unknown
 * name "x"`) at the top, in `generationConfig`, contents or parts; non-empty
 * `contents` with roles `user` and `model`; `inlineData` with `mimeType` and `data`;
 * function names `^[a-zA-Z_][a-zA-Z0-9_.:-]{0,127}$`; every model turn's
 * `functionCall`s answered by as many `functionResponse`s in the next user turn.
 *
 * The reply (`responseId` `fake-resp<n>`, `modelVersion` the model): per candidate
 * (`generationConfig.candidateCount`, default 1) the text `[<model>] heard: <the last
 * user turn's text>` (then ` (saw <n> image(s))` for its `inlineData`/`fileData`
 * images; a turn of function responses only: their `output` is what was heard; the
 * candidates after the first end ` (candidate <i>)`), `finishReason: "STOP"`. With
 * `tools` a `functionCall` part (`id` `fc_fake<n>`, `args` `{ heard }`, a
 * `thoughtSignature`) calling the first declared function, or the first of
 * `allowedFunctionNames`; except with mode `NONE`, or `AUTO`/`VALIDATED` (or none)
 * when the last user turn carries function responses: then the text. A reply longer
 * than `maxOutputTokens` words is cut there (`finishReason: "MAX_TOKENS"`).
 * `usageMetadata` counts words: `promptTokenCount` of the system instruction and
 * every turn, `candidatesTokenCount` of the reply, `totalTokenCount`; a model whose
 * name contains `cache` has 100 more prompt tokens, read from the cache
 * (`cachedContentTokenCount: 100`), one whose name contains `thinking` thought 7 tokens
 * (`thoughtsTokenCount`).
 *
 * Streamed, each event is a whole `GenerateContentResponse` with the next two words
 * of text (a `functionCall` part comes whole, in one event); the last has
 * `finishReason` and `usageMetadata`.
 *
 * The `model` picks a failure:
 *   fail-429        429 `RESOURCE_EXHAUSTED` + `retry-after: 1` and a `RetryInfo` detail (`retryDelay: "1s"`)
 *   fail-429-body   429 `RESOURCE_EXHAUSTED` with only the `RetryInfo` detail (`retryDelay: "2.5s"`), no header
 *   fail-500        500 `INTERNAL`
 *   fail-503        503 `UNAVAILABLE` ("The model is overloaded.")
 *   fail-400        400 `INVALID_ARGUMENT`
 *   garbage         200, not JSON
 *   hang            never answers
 *   blocked         the prompt blocked: `promptFeedback.blockReason: "SAFETY"`, no candidates
 *   unsafe          a candidate with `finishReason: "SAFETY"` and no content
 * and streamed (whole, the usual reply):
 *   stream-cut      two events, then the connection is dropped
 *   stream-eof      every event but without `finishReason` on the last, then a clean end
 *   stream-error    two events, then `data: { error: { code: 500, status: "INTERNAL", … } }`
 *   stream-stall    two events, then silence until the client leaves
 *   stream-garbage  two events, an event whose data is not JSON (`<html>oops</html>`), then the rest
 * It closes itself after `maxLifetimeMs` if nobody closes it first.
 */
import type { ServerResponse } from "node:http";
import { readJson, sendJson, startFakeHttp, type FakeHttp } from "../fake-http.ts";

export type FakeGemini = FakeHttp<RecordedRequest>;

export interface RecordedRequest {
  path: string;
  /** The model named in the path (`models/{model}:…`). */
  model: string;
  method: "generateContent" | "streamGenerateContent";
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, any>;
  /** True when the client closed the connection before the reply was finished. */
  aborted: boolean;
}

type Part = Record<string, any>;
type Content = { role?: unknown; parts?: unknown };

const words = (s: string) => s.split(/\s+/).filter(Boolean).length;
const SSE_HEADERS = { "content-type": "text/event-stream", "cache-control": "no-cache" };
const FUNCTION_NAME = /^[a-zA-Z_][a-zA-Z0-9_.:-]{0,127}$/;
const REQUEST_FIELDS = new Set(["contents", "tools", "toolConfig", "safetySettings", "systemInstruction", "generationConfig", "cachedContent", "serviceTier", "store", "labels"]);
const GENERATION_FIELDS = new Set([
  "stopSequences", "responseMimeType", "responseSchema", "responseJsonSchema", "responseModalities", "candidateCount", "maxOutputTokens", "temperature", "topP", "topK",
  "seed", "presencePenalty", "frequencyPenalty", "responseLogprobs", "logprobs", "enableEnhancedCivicAnswers", "speechConfig", "thinkingConfig", "imageConfig", "mediaResolution",
]);
const PART_FIELDS = new Set(["text", "inlineData", "fileData", "functionCall", "functionResponse", "executableCode", "codeExecutionResult", "thought", "thoughtSignature", "videoMetadata", "partMetadata", "mediaResolution"]);

const STATUS: Record<number, string> = { 400: "INVALID_ARGUMENT", 403: "PERMISSION_DENIED", 404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE" };
/** Google's error body (https://ai.google.dev/gemini-api/docs/troubleshooting; google.rpc.Status). */
const error = (code: number, message: string, details?: unknown[]) => ({ error: { code, message, status: STATUS[code] ?? "UNKNOWN", ...(details ? { details } : {}) } });
const unknownName = (name: string, at: string) => `Invalid JSON payload received. Unknown name "${name}" at '${at}': Cannot find field.`;

/** Why the Gemini API would turn the body down, if it would. */
function problem(body: Record<string, any>): string | undefined {
  for (const k of Object.keys(body)) if (!REQUEST_FIELDS.has(k)) return `Invalid JSON payload received. Unknown name "${k}": Cannot find field.`;
  for (const k of Object.keys(body.generationConfig ?? {})) if (!GENERATION_FIELDS.has(k)) return unknownName(k, "generation_config");
  if (!Array.isArray(body.contents) || body.contents.length === 0) return "* GenerateContentRequest.contents: contents is not specified";
  const parts = (c: Content | undefined): Part[] => (Array.isArray(c?.parts) ? (c.parts as Part[]) : []);
  for (const [i, p] of parts(body.systemInstruction).entries()) if (typeof p.text !== "string") return `* GenerateContentRequest.system_instruction.parts[${i}]: only text is allowed`;
  for (const [t, tool] of ((body.tools ?? []) as { functionDeclarations?: { name?: unknown }[] }[]).entries())
    for (const [f, fn] of (tool.functionDeclarations ?? []).entries())
      if (typeof fn.name !== "string" || !FUNCTION_NAME.test(fn.name))
        return `* GenerateContentRequest.tools[${t}].function_declarations[${f}].name: Invalid function name. Must start with a letter or an underscore. Must be alphameric (a-z, A-Z, 0-9), underscores (_), dots (.), colons (:) or dashes (-), with a maximum length of 128.`;
  const contents = body.contents as Content[];
  let calls = 0; // functionCall parts of the previous model turn
  for (const [i, c] of contents.entries()) {
    if (c.role !== "user" && c.role !== "model") return "Please use a valid role: user, model.";
    const ps = parts(c);
    if (ps.length === 0) return `* GenerateContentRequest.contents[${i}].parts: contents.parts must not be empty.`;
    for (const [j, p] of ps.entries()) {
      for (const k of Object.keys(p)) if (!PART_FIELDS.has(k)) return unknownName(k, `contents[${i}].parts[${j}]`);
      if (p.inlineData !== undefined && (typeof p.inlineData.mimeType !== "string" || typeof p.inlineData.data !== "string" || p.inlineData.data === ""))
        return `* GenerateContentRequest.contents[${i}].parts[${j}].inline_data: mime_type and data are required`;
      if (p.functionCall !== undefined && c.role !== "model") return `* GenerateContentRequest.contents[${i}].parts[${j}].function_call: only the model may call functions`;
      if (p.functionResponse !== undefined && (typeof p.functionResponse.name !== "string" || typeof p.functionResponse.response !== "object"))
        return `* GenerateContentRequest.contents[${i}].parts[${j}].function_response.name: a name and a response object are required`;
    }
    const responses = ps.filter((p) => p.functionResponse !== undefined).length;
    if (calls > 0 && responses !== calls)
      return "Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.";
    calls = c.role === "model" ? ps.filter((p) => p.functionCall !== undefined).length : 0;
  }
  return undefined;
}

/** One candidate's reply: its parts, whole, and the pieces that stream them. */
interface Reply {
  parts: Part[];
  pieces: Part[][];
  finish: string;
  tokens: number;
}

function replyFor(body: Record<string, any>, model: string, index: number, callId: () => string): Reply {
  const contents = body.contents as Content[];
  const last = [...contents].reverse().find((c) => c.role === "user");
  const parts = (Array.isArray(last?.parts) ? last.parts : []) as Part[];
  const responses = parts.filter((p) => p.functionResponse);
  const heard =
    parts
      .filter((p) => typeof p.text === "string" && !p.thought)
      .map((p) => p.text)
      .join("\n") || responses.map((p) => String(p.functionResponse.response?.output ?? JSON.stringify(p.functionResponse.response))).join("\n");
  const declared = ((body.tools ?? []) as { functionDeclarations?: { name: string }[] }[]).flatMap((t) => t.functionDeclarations ?? []);
  const config = (body.toolConfig?.functionCallingConfig ?? {}) as { mode?: string; allowedFunctionNames?: string[] };
  const mode = config.mode ?? "AUTO";
  if (declared.length > 0 && mode !== "NONE" && !(mode !== "ANY" && responses.length > 0)) {
    const name = config.allowedFunctionNames?.[0] ?? declared[0]!.name;
    const part = { functionCall: { id: callId(), name, args: { heard } }, thoughtSignature: "c2lnbmVkLWJ5LWZha2UtZ2VtaW5p" };
    return { parts: [part], pieces: [[part]], finish: "STOP", tokens: words(JSON.stringify({ heard })) + 1 };
  }
  const images = parts.filter((p) => (p.inlineData ?? p.fileData)?.mimeType?.startsWith("image/")).length;
  let text = `[${model}] heard: ${heard}${images > 0 ? ` (saw ${images} image${images > 1 ? "s" : ""})` : ""}${index > 0 ? ` (candidate ${index})` : ""}`;
  let finish = "STOP";
  const max = body.generationConfig?.maxOutputTokens;
  if (typeof max === "number" && words(text) > max) {
    text = text.split(/\s+/).filter(Boolean).slice(0, max).join(" ");
    finish = "MAX_TOKENS";
  }
  const byTwo = text.split(/(?<= )/).reduce<string[]>((out, w, i) => (i % 2 === 0 ? out.push(w) : (out[out.length - 1] += w), out), []);
  return { parts: [{ text }], pieces: byTwo.map((t) => [{ text: t }]), finish, tokens: words(text) };
}

/** Prompt tokens: the words of the system instruction and of every turn's text, one per other part. */
function promptTokens(body: Record<string, any>): number {
  const partWords = (ps: unknown) => (Array.isArray(ps) ? (ps as Part[]).reduce((n, p) => n + (typeof p.text === "string" ? words(p.text) : 1), 0) : 0);
  return partWords(body.systemInstruction?.parts) + (body.contents as Content[]).reduce((n, c) => n + partWords(c.parts), 0);
}

/**
 * Starts the fake API on 127.0.0.1 (any free port); `apiKey` is the key every request
 * must carry (default `fake-gemini-key`).
 */
export async function startFakeGemini({ apiKey = "fake-gemini-key", maxLifetimeMs = 10 * 60_000 }: { apiKey?: string; maxLifetimeMs?: number } = {}): Promise<FakeGemini> {
  let responses = 0;
  let calls = 0;
  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => sendJson(res, status, body, { "content-type": "application/json; charset=UTF-8", ...headers });

  return startFakeHttp<RecordedRequest>(async (req, res, host) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const path = url.pathname;
    const route = /\/models\/([^/:]+):(generateContent|streamGenerateContent)$/.exec(path);
    if (req.method !== "POST" || !route) return send(res, 404, error(404, `The requested URL ${path} was not found on this server.`));
    const read = await readJson(req);
    if (!read) return send(res, 400, error(400, "Invalid JSON payload received. Unexpected token."));
    const body = read.json as Record<string, any>;
    if (typeof body !== "object" || body === null || Array.isArray(body)) return send(res, 400, error(400, "Invalid JSON payload received. Expected an object."));
    const model = decodeURIComponent(route[1]!);
    const method = route[2] as RecordedRequest["method"];
    host.record(res, { path, model, method, query: Object.fromEntries(url.searchParams), headers: req.headers, body, aborted: false });
    const key = req.headers["x-goog-api-key"] ?? url.searchParams.get("key");
    if (key === undefined || key === null)
      return send(res, 403, error(403, "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API."));
    if (key !== apiKey)
      return send(res, 400, error(400, "API key not valid. Please pass a valid API key.", [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID", domain: "googleapis.com" }]));
    const turnedDown = problem(body);
    if (turnedDown) return send(res, 400, error(400, turnedDown));
    switch (model) {
      case "fail-429":
        return send(res, 429, error(429, "You exceeded your current quota, please check your plan and billing details.", [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "1s" }]), { "retry-after": "1" });
      case "fail-429-body":
        return send(res, 429, error(429, "You exceeded your current quota, please check your plan and billing details.", [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "2.5s" }]));
      case "fail-500":
        return send(res, 500, error(500, "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting"));
      case "fail-503":
        return send(res, 503, error(503, "The model is overloaded. Please try again later."));
      case "fail-400":
        return send(res, 400, error(400, "* GenerateContentRequest.generation_config.max_output_tokens: max_output_tokens must be less than 65537 for fail-400"));
      case "garbage":
        res.writeHead(200, { "content-type": "text/html" });
        res.end("<html>oops</html>");
        return;
      case "hang":
        return;
    }
    const stream = method === "streamGenerateContent";
    const responseId = `fake-resp${++responses}`;
    const prompt = promptTokens(body) + (model.includes("cache") ? 100 : 0);
    const base = { modelVersion: model, responseId };
    const usage = (candidates: number) => ({
      promptTokenCount: prompt,
      candidatesTokenCount: candidates,
      totalTokenCount: prompt + candidates + (model.includes("thinking") ? 7 : 0),
      promptTokensDetails: [{ modality: "TEXT", tokenCount: prompt }],
      ...(model.includes("cache") ? { cachedContentTokenCount: 100 } : {}),
      ...(model.includes("thinking") ? { thoughtsTokenCount: 7 } : {}),
    });
    let events: Record<string, unknown>[];
    if (model === "blocked")
      events = [{ promptFeedback: { blockReason: "SAFETY", safetyRatings: [{ category: "HARM_CATEGORY_DANGEROUS_CONTENT", probability: "HIGH", blocked: true }] }, usageMetadata: { promptTokenCount: prompt, totalTokenCount: prompt }, ...base }];
    else if (model === "unsafe")
      events = [{ candidates: [{ finishReason: "SAFETY", index: 0, safetyRatings: [{ category: "HARM_CATEGORY_HARASSMENT", probability: "HIGH", blocked: true }] }], usageMetadata: usage(0), ...base }];
    else {
      const n = typeof body.generationConfig?.candidateCount === "number" ? body.generationConfig.candidateCount : 1;
      const replies = Array.from({ length: n }, (_, i) => replyFor(body, model, i, () => `fc_fake${++calls}`));
      const tokens = replies.reduce((s, r) => s + r.tokens, 0);
      if (!stream)
        return send(res, 200, { candidates: replies.map((r, index) => ({ content: { role: "model", parts: r.parts }, finishReason: r.finish, index })), usageMetadata: usage(tokens), ...base });
      const length = Math.max(...replies.map((r) => r.pieces.length));
      events = Array.from({ length }, (_, k) => {
        const candidates = replies.flatMap((r, index) => {
          const piece = r.pieces[k];
          const last = k === r.pieces.length - 1;
          return piece || last ? [{ content: { role: "model", parts: piece ?? [] }, ...(last ? { finishReason: r.finish } : {}), index }] : [];
        });
        return { candidates, ...(k === length - 1 ? { usageMetadata: usage(tokens) } : {}), ...base };
      });
    }
    if (!stream) return send(res, 200, events[0]);
    if (url.searchParams.get("alt") !== "sse") return send(res, 200, events);
    const sse = (e: unknown) => `data: ${JSON.stringify(e)}\r\n\r\n`;
    const emit = (list: unknown[], then?: () => void) => list.forEach((e, i) => res.write(sse(e), i === list.length - 1 ? then : undefined));
    res.writeHead(200, SSE_HEADERS);
    switch (model) {
      case "stream-cut":
        emit(events.slice(0, 2), () => host.drop(res));
        return;
      case "stream-stall":
        emit(events.slice(0, 2));
        return;
      case "stream-eof":
        emit(events.map((e) => ({ ...e, candidates: (e.candidates as object[] | undefined)?.map(({ finishReason: _f, ...c }: { finishReason?: unknown }) => c) })));
        break;
      case "stream-error":
        emit([...events.slice(0, 2), error(500, "Internal error encountered.")]);
        break;
      case "stream-garbage":
        emit(events.slice(0, 2));
        res.write("data: <html>oops</html>\r\n\r\n");
        emit(events.slice(2));
        break;
      default:
        emit(events);
    }
    res.end();
  }, maxLifetimeMs);
}
