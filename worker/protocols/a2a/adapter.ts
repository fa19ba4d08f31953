import type { z } from "zod";
import { cardUrlOf, pickInterface } from "./card.ts";
import { RPC, type Wire } from "./jsonrpc.ts";
import { encodeMessage, FINAL_STATES, partsText, WireMessage, WireTask, type Message, type Part } from "./wire.ts";
import type { A2aEndpoint } from "../../config/schema.ts";
import { buildRequest, fetchJson } from "../json-protocol.ts";
import type { Adapter, SpecialistFailure, SpecialistRequest } from "../../routing/hop.ts";

type A2a = z.infer<typeof A2aEndpoint>;
type Failed = { ok: false; failure: SpecialistFailure };
type Task = z.infer<typeof WireTask>;

/** How long an isolate reuses a remote agent's card. */
export const CARD_TTL_MS = 60_000;
/** First and longest pause between polls of an unfinished task. */
const POLL_FIRST_MS = 100;
const POLL_MAX_MS = 1_000;

const cards = new Map<string, { until: number; target: { url: string; wire: Wire } }>();

/** Forgets the cached agent cards (tests). */
export function resetA2aCards(): void {
  cards.clear();
}

const fail = (failure: SpecialistFailure): Failed => ({ ok: false, failure });
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The JSON-RPC endpoint and protocol version of an agent, from its card (cached per isolate). */
async function target(cardUrl: string, headers: Record<string, string>, signal: AbortSignal): Promise<{ ok: true; url: string; wire: Wire } | Failed> {
  const hit = cards.get(cardUrl);
  if (hit && hit.until > Date.now()) return { ok: true, ...hit.target };
  // A2A-Version 1.0: servers that speak both versions then answer with their 1.x card
  const req = new Request(cardUrl, { headers: { ...headers, accept: "application/json", "a2a-version": "1.0" }, signal, redirect: "manual" });
  const r = await fetchJson((x) => fetch(x), req, signal, true);
  if (!r.ok) return fail({ ...r.failure, detail: `agent card ${cardUrl}: ${r.failure.detail}` });
  const picked = pickInterface(r.json, cardUrl);
  if (!picked.ok) return fail({ kind: "misconfigured", detail: `agent card ${cardUrl}: ${picked.detail}` });
  cards.set(cardUrl, { until: Date.now() + CARD_TTL_MS, target: { url: picked.url, wire: picked.wire } });
  return picked;
}

/** A JSON-RPC error of the agent as a failure kind (decides retries and the hop's status). */
export function rpcErrorFailure(e: { code: number; message: string }): SpecialistFailure {
  const detail = `A2A agent error ${e.code}: ${e.message}`;
  switch (e.code) {
    case RPC.INTERNAL_ERROR:
      return { kind: "http_error", status: 500, detail };
    case RPC.METHOD_NOT_FOUND:
    case RPC.VERSION_NOT_SUPPORTED:
      return { kind: "misconfigured", detail };
    case RPC.TASK_NOT_FOUND:
      return { kind: "bad_response", detail };
    case RPC.PARSE_ERROR:
    case RPC.INVALID_REQUEST:
    case RPC.INVALID_PARAMS:
      return { kind: "http_error", status: 400, detail };
    default:
      return { kind: "http_error", status: e.code <= -32000 && e.code >= -32099 ? 422 : 502, detail };
  }
}

/** One JSON-RPC call with the hop's headers (`Idempotency-Key`, `traceparent`, …). */
async function rpc(url: string, wire: Wire, method: string, params: unknown, req: SpecialistRequest, headers: Record<string, string>, signal: AbortSignal): Promise<{ ok: true; result: unknown } | Failed> {
  const h = { ...headers, ...(wire === "1.0" ? { "a2a-version": "1.0" } : {}) };
  const body = { jsonrpc: "2.0", id: crypto.randomUUID(), method, params };
  const r = await fetchJson((x) => fetch(x), buildRequest(url, req, h, signal, body), signal, true);
  if (!r.ok) return r;
  const env = r.json;
  if (!isRecord(env) || env.jsonrpc !== "2.0") return fail({ kind: "bad_response", status: r.status, detail: `${method}: the reply is not a JSON-RPC 2.0 response` });
  if (isRecord(env.error)) {
    const { code, message } = env.error;
    return fail(rpcErrorFailure({ code: typeof code === "number" ? code : RPC.INTERNAL_ERROR, message: typeof message === "string" ? message : "(no message)" }));
  }
  if (!("result" in env)) return fail({ kind: "bad_response", status: r.status, detail: `${method}: the reply has neither result nor error` });
  return { ok: true, result: env.result };
}

/** A SendMessage result in either version: 1.x `{ task }` / `{ message }`, 0.3 the object itself. */
export function decodeSendResult(result: unknown): { task: Task } | { message: z.infer<typeof WireMessage> } | undefined {
  if (!isRecord(result)) return undefined;
  const inner = isRecord(result.task) ? result.task : isRecord(result.message) ? result.message : result;
  const isTask = inner === result.task || result.kind === "task" || (!isRecord(result.message) && "status" in inner);
  const parsed = isTask ? WireTask.safeParse(inner) : WireMessage.safeParse(inner);
  if (!parsed.success) return undefined;
  return isTask ? { task: parsed.data as Task } : { message: parsed.data as z.infer<typeof WireMessage> };
}

/** The specialist output of an agent's answer: its text, its data parts, its files, where it came from. */
export function outputOf(parts: Part[], a2a: Record<string, string>): Record<string, unknown> {
  const data = parts.filter((p) => p.kind === "data").map((p) => p.data);
  const files = parts.filter((p) => p.kind === "file");
  return { text: partsText(parts), ...(data.length === 1 ? { data: data[0] } : data.length > 1 ? { data } : {}), ...(files.length ? { files } : {}), a2a };
}

/** A finished task as an outcome: completed is output, every other end is a failure. */
export function taskOutcome(task: Task): { ok: true; output: unknown } | Failed {
  const s = task.status.state;
  const parts = (task.artifacts ?? []).flatMap((a) => a.parts);
  const said = task.status.message ? partsText(task.status.message.parts) : "";
  if (s === "completed") return { ok: true, output: outputOf(parts.length ? parts : (task.status.message?.parts ?? []), { taskId: task.id, contextId: task.contextId, state: s }) };
  const detail = `A2A task ${task.id} ended ${s}${said ? `: ${said}` : ""}`;
  const status = s === "failed" ? 500 : s === "rejected" || s === "input-required" ? 422 : s === "auth-required" ? 401 : s === "canceled" ? 409 : undefined;
  return fail(status === undefined ? { kind: "bad_response", detail } : { kind: "http_error", status, detail });
}

/** Resolves after `ms`, or false as soon as `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const onAbort = () => (clearTimeout(timer), resolve(false));
    const timer = setTimeout(() => (signal.removeEventListener("abort", onAbort), resolve(true)), ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * A remote A2A agent (protocol 1.x or 0.3, JSON-RPC binding). Reads its card (and
 * calls the interface it names only on the configured origin or one in
 * `allowedOrigins`; the key and headers only on the configured origin),
 * sends the hop as a user message (`messageId` = the hop's idempotency key, so a
 * retry is the same message; its parts the client's when it came over A2A, else the
 * input text; intent and context in `metadata.switchyard`), and
 * when the answer is a task that has not finished, polls it with backoff until
 * it does or the hop's deadline passes.
 */
export const a2aAdapter: Adapter<A2a> = {
  type: "a2a",
  async call(endpoint, request, ctx) {
    const headers: Record<string, string> = { ...endpoint.headers };
    if (endpoint.apiKeySecret !== undefined) {
      const key = ctx.binding(endpoint.apiKeySecret);
      if (typeof key !== "string" || key === "") return fail({ kind: "misconfigured", detail: `secret ${endpoint.apiKeySecret} is not set` });
      headers.authorization = `Bearer ${key}`;
    }
    const where = await target(cardUrlOf(endpoint.url), headers, ctx.signal);
    if (!where.ok) return where;
    const { url, wire } = where;
    // the card decides where calls go: only the configured origin (or an allowed one), secrets only to the configured one
    const home = new URL(endpoint.url).origin;
    const to = new URL(url).origin;
    if (to !== home && !endpoint.allowedOrigins.includes(to))
      return fail({ kind: "misconfigured", detail: `the agent card sends calls to ${to}, not to the configured origin ${home}; list it in allowedOrigins to allow it` });
    if (to !== home) for (const k of Object.keys(headers)) delete headers[k];
    const metadata = { switchyard: { ...(request.intent ? { intent: request.intent } : {}), ...(request.context ? { context: request.context } : {}) } };
    // the client's parts as sent (A2A front door: files and data included), else the hop's text
    const parts = request.parts?.length ? request.parts : [{ kind: "text" as const, text: request.input }];
    const message: Message = { messageId: request.idempotencyKey, role: "user", parts, metadata };
    const params = { message: encodeMessage(message, wire), configuration: wire === "1.0" ? { returnImmediately: false } : { blocking: true } };
    const sent = await rpc(url, wire, wire === "1.0" ? "SendMessage" : "message/send", params, request, headers, ctx.signal);
    if (!sent.ok) return sent;
    const reply = decodeSendResult(sent.result);
    if (!reply) return fail({ kind: "bad_response", detail: "the agent's answer is neither a Task nor a Message" });
    if ("message" in reply) {
      const m = reply.message;
      return { ok: true, output: outputOf(m.parts, { messageId: m.messageId, ...(m.contextId ? { contextId: m.contextId } : {}) }), usage: {} };
    }
    let task = reply.task;
    for (let wait = POLL_FIRST_MS; !FINAL_STATES.has(task.status.state); wait = Math.min(wait * 2, POLL_MAX_MS)) {
      if (!(await pause(wait, ctx.signal))) return fail({ kind: "timeout", detail: `A2A task ${task.id} was still ${task.status.state} at the deadline` });
      const got = await rpc(url, wire, wire === "1.0" ? "GetTask" : "tasks/get", { id: task.id }, request, headers, ctx.signal);
      if (!got.ok) return got;
      const parsed = WireTask.safeParse(got.result);
      if (!parsed.success) return fail({ kind: "bad_response", detail: `GetTask ${task.id}: the answer is not a Task` });
      task = parsed.data;
    }
    const outcome = taskOutcome(task);
    return outcome.ok ? { ok: true, output: outcome.output, usage: {} } : outcome;
  },
};
