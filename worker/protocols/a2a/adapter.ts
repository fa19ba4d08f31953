import { cardUrlOf, pickInterface } from "./card.ts";
import type { Wire } from "./jsonrpc.ts";
import { decodeSendResult, messageOutput } from "./outcome.ts";
import { follow, rpc, streamedCall, type Remote } from "./remote.ts";
import { textStream } from "./text-stream.ts";
import { encodeMessage, type Message } from "./wire.ts";
import type { A2aEndpoint } from "../../config/schema.ts";
import { fetchJson } from "../json-protocol.ts";
import type { TextStreamAdapter } from "../types.ts";
import type { AdapterContext, SpecialistFailure, SpecialistOutcome, SpecialistRequest } from "../../routing/hop.ts";
import type { z } from "zod";

export { decodeSendResult, outputOf, rpcErrorFailure, taskOutcome } from "./outcome.ts";

type A2a = z.infer<typeof A2aEndpoint>;
type Failed = { ok: false; failure: SpecialistFailure };

/** How long an isolate reuses a remote agent's card. */
export const CARD_TTL_MS = 60_000;

const cards = new Map<string, { until: number; target: { url: string; wire: Wire; streaming: boolean } }>();

/** Forgets the cached agent cards (tests). */
export function resetA2aCards(): void {
  cards.clear();
}

const fail = (failure: SpecialistFailure): Failed => ({ ok: false, failure });
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The JSON-RPC endpoint, protocol version and streaming capability of an agent, from its card (cached per isolate). */
async function target(cardUrl: string, headers: Record<string, string>, signal: AbortSignal): Promise<{ ok: true; url: string; wire: Wire; streaming: boolean } | Failed> {
  const hit = cards.get(cardUrl);
  if (hit && hit.until > Date.now()) return { ok: true, ...hit.target };
  // A2A-Version 1.0: servers that speak both versions then answer with their 1.x card
  const req = new Request(cardUrl, { headers: { ...headers, accept: "application/json", "a2a-version": "1.0" }, signal, redirect: "manual" });
  const r = await fetchJson((x) => fetch(x), req, signal, true);
  if (!r.ok) return fail({ ...r.failure, detail: `agent card ${cardUrl}: ${r.failure.detail}` });
  const picked = pickInterface(r.json, cardUrl);
  if (!picked.ok) return fail({ kind: "misconfigured", detail: `agent card ${cardUrl}: ${picked.detail}` });
  const streaming = isRecord(r.json) && isRecord(r.json.capabilities) && r.json.capabilities.streaming === true;
  const found = { url: picked.url, wire: picked.wire, streaming };
  cards.set(cardUrl, { until: Date.now() + CARD_TTL_MS, target: found });
  return { ok: true, ...found };
}

/**
 * Where this hop goes and what it sends: the card's interface (only on the configured
 * origin or one in `allowedOrigins`; the key and headers only on the configured one)
 * and the user message (`messageId` = the hop's idempotency key, so a retry is the
 * same message; intent and context in `metadata.switchyard`).
 */
async function prepare(endpoint: A2a, request: SpecialistRequest, ctx: AdapterContext): Promise<{ ok: true; to: Remote; message: Record<string, unknown> } | Failed> {
  const headers: Record<string, string> = { ...endpoint.headers };
  if (endpoint.apiKeySecret !== undefined) {
    const key = ctx.binding(endpoint.apiKeySecret);
    if (typeof key !== "string" || key === "") return fail({ kind: "misconfigured", detail: `secret ${endpoint.apiKeySecret} is not set` });
    headers.authorization = `Bearer ${key}`;
  }
  const where = await target(cardUrlOf(endpoint.url), headers, ctx.signal);
  if (!where.ok) return where;
  const home = new URL(endpoint.url).origin;
  const to = new URL(where.url).origin;
  if (to !== home && !endpoint.allowedOrigins.includes(to))
    return fail({ kind: "misconfigured", detail: `the agent card sends calls to ${to}, not to the configured origin ${home}; list it in allowedOrigins to allow it` });
  if (to !== home) for (const k of Object.keys(headers)) delete headers[k];
  const metadata = { switchyard: { ...(request.intent ? { intent: request.intent } : {}), ...(request.context ? { context: request.context } : {}) } };
  // the client's parts as sent (A2A front door: files and data included), else the hop's text
  const parts = request.parts?.length ? request.parts : [{ kind: "text" as const, text: request.input }];
  const message: Message = { messageId: request.idempotencyKey, role: "user", parts, metadata };
  return { ok: true, to: { url: where.url, wire: where.wire, streaming: where.streaming, headers }, message: encodeMessage(message, where.wire) };
}

/** The polled call: `SendMessage` / `message/send`, then `GetTask` until an unfinished task ends. */
async function sendAndPoll(to: Remote, message: Record<string, unknown>, request: SpecialistRequest, ctx: AdapterContext): Promise<SpecialistOutcome> {
  const params = { message, configuration: to.wire === "1.0" ? { returnImmediately: false } : { blocking: true } };
  const sent = await rpc(to, to.wire === "1.0" ? "SendMessage" : "message/send", params, request, ctx.signal);
  if (!sent.ok) return sent;
  const reply = decodeSendResult(sent.result);
  if (!reply) return fail({ kind: "bad_response", detail: "the agent's answer is neither a Task nor a Message" });
  if ("message" in reply) return { ok: true, output: messageOutput(reply.message), usage: {} };
  return follow(to, reply.task, request, ctx.signal);
}

/**
 * A remote A2A agent (protocol 1.x or 0.3, JSON-RPC binding). Reads its card (and
 * calls the interface it names only on the configured origin or one in
 * `allowedOrigins`; the key and headers only on the configured origin), and sends
 * the hop as a user message (its parts the client's when it came over A2A, else the
 * input text). An agent whose card declares `capabilities.streaming`
 * is called with `SendStreamingMessage` / `message/stream` and its events are read as
 * they arrive (each told to `ctx.progress`: a task's `step.progress` events); `streamText`
 * passes its answer's text on to a chat door's stream as it comes. Any other agent
 * is sent `SendMessage` / `message/send`, and a task that has not finished is polled
 * with backoff until it does or the hop's deadline passes. The output is the same
 * either way.
 */
export const a2aAdapter: TextStreamAdapter<A2a> = {
  type: "a2a",
  async call(endpoint, request, ctx) {
    const p = await prepare(endpoint, request, ctx);
    if (!p.ok) return p;
    return p.to.streaming ? streamedCall(p.to, { message: p.message }, request, ctx) : sendAndPoll(p.to, p.message, request, ctx);
  },
  async streamText(endpoint, request, ctx, o) {
    const p = await prepare(endpoint, request, ctx);
    if (!p.ok) return p;
    return p.to.streaming ? textStream(p.to, { message: p.message }, request, ctx, o) : sendAndPoll(p.to, p.message, request, ctx);
  },
};
