import type { Endpoint, Specialist } from "../config/schema.ts";

/** What the router sends to a specialist on one hop. */
export interface SpecialistRequest {
  input: string;
  intent?: { id: string; label: string; confidence: number };
  context?: Record<string, unknown>;
  /** Sent as `Idempotency-Key`; the same for every retry of one hop. */
  idempotencyKey: string;
  /** W3C trace context of the hop, sent as `traceparent`. */
  traceparent: string;
  /** The caller's `tracestate`, sent on with it. */
  tracestate?: string | undefined;
  /**
   * The whole conversation, when the hop came through the OpenAI-compatible front
   * door: chat-model specialists get it as their `messages` (`input` is the last user
   * message's text); other protocols ignore it.
   */
  messages?: ChatMessage[];
  /**
   * The client's whole Chat Completions body, when the hop came through the OpenAI
   * front door: an `openai-chat` specialist gets it field for field (only `model`
   * rewritten, `systemPrompt` first); other protocols ignore it.
   */
  chat?: Record<string, unknown>;
  /**
   * The client's whole Anthropic Messages body, when the hop came through the
   * Anthropic front door (`POST /v1/messages`), with its `anthropic-version` and
   * `anthropic-beta` headers: an `anthropic` specialist gets it as sent (only `model`
   * rewritten, `systemPrompt` first); other chat models get `chat`, its translation.
   */
  anthropic?: AnthropicBody;
  /**
   * The message's parts as the client sent them (text, data, files), when the hop came
   * through the A2A front door: an `a2a` specialist gets them as its message's parts;
   * other protocols get `input` (text and data as JSON) and, for images, `messages`.
   */
  parts?: InputPart[];
  /**
   * A tool call, when the specialist is an MCP server (`mcp`): the tool's name on that
   * server and its arguments, sent as `tools/call` (`input` is the arguments' JSON, for
   * screening and policy). Other protocols take no tool call.
   */
  tool?: ToolCall;
}

/** A call of one tool of an MCP server (MCP 2025-11-25, "Tools": `tools/call` params). */
export interface ToolCall {
  /** The tool's own name on its server (not the router's namespaced name). */
  name: string;
  arguments: Record<string, unknown>;
}

/**
 * One part of a client's message, protocol-neutral (A2A `Part`): text, structured data,
 * or a file by URL or as base64 bytes. `mediaType` may be on any part (A2A 1.0).
 */
export type InputPart =
  | { kind: "text"; text: string; mediaType?: string; metadata?: Record<string, unknown> }
  | { kind: "data"; data: unknown; mediaType?: string; metadata?: Record<string, unknown> }
  | { kind: "file"; url?: string; bytes?: string; mediaType?: string; name?: string; metadata?: Record<string, unknown> };

/** A Messages request body as the client sent it, and the version headers it came with. */
export interface AnthropicBody {
  body: Record<string, unknown>;
  version?: string | undefined;
  beta?: string | undefined;
}

/** One OpenAI-style chat message; `content` may be a list of parts (`{ type: "text", text }`). */
export interface ChatMessage {
  role: "system" | "developer" | "user" | "assistant" | "tool";
  content: string | { type: string; text?: string }[] | null;
  name?: string;
  tool_call_id?: string;
  tool_calls?: unknown[];
}

/**
 * Usage a specialist reports back; all optional. `inputTokens` counts every input
 * token; `cachedInputTokens` of them were read from the provider's prompt cache and
 * `cacheWriteInputTokens` written to it (priced apart: worker/protocols/pricing.ts).
 */
export interface Usage {
  units?: number;
  inputTokens?: number;
  outputTokens?: number;
  cachedInputTokens?: number;
  cacheWriteInputTokens?: number;
  costUsd?: number;
}

/**
 * Why a specialist call failed (or was not made): maps onto 422/429/502/503/504 and onto
 * retry decisions. `over_limit` and `circuit_open` come from the router's own pools,
 * `disabled` from a kill switch. `truncated`: a stream that ended without a finish
 * reason or `[DONE]`; `refused`: the specialist answered a 4xx about the input (no
 * fallback is tried); `client_closed`: the caller went away (not the specialist's fault).
 */
export type FailureKind =
  | "timeout"
  | "rate_limited"
  | "http_error"
  | "bad_response"
  | "unreachable"
  | "truncated"
  | "refused"
  | "client_closed"
  | "misconfigured"
  | "over_limit"
  | "circuit_open"
  | "disabled"
  | "policy_denied"
  | "approval_required";

/**
 * An error a specialist answered in its own words (a 4xx refusal): its status and,
 * for OpenAI-compatible upstreams, the `error` object as sent (passed on unchanged to
 * OpenAI clients).
 */
export interface UpstreamError {
  status: number;
  message: string;
  openai?: { message: string; type: string; param: string | null; code: string | null };
}

export interface SpecialistFailure {
  kind: FailureKind;
  detail: string;
  /** Upstream HTTP status, when there was one. */
  status?: number;
  /** From the upstream's `Retry-After`, in seconds. */
  retryAfterSeconds?: number;
  /** With `refused`: what the specialist said. */
  upstream?: UpstreamError;
  /**
   * An excerpt of what the specialist sent (a 5xx body, garbage): for the hop's trace
   * and logs only, never in a tenant-facing error.
   */
  body?: string;
}

/**
 * The result of one call: expected failures are values, not exceptions. A streamed
 * reply succeeds when its stream opens; `settled` then gives its final outcome (the
 * usage, or a failure mid-stream) once the stream ends, for pools and breakers.
 */
export type SpecialistOutcome = { ok: true; output: unknown; usage: Usage; settled?: Promise<SpecialistOutcome> } | { ok: false; failure: SpecialistFailure };

/** What an adapter may use besides the request: bindings/secrets and the hop's deadline. */
export interface AdapterContext {
  /** Looks up a binding or secret by name (service bindings, API keys). */
  binding(name: string): unknown;
  /** Aborted when the specialist's `timeoutMs` has passed, or the client went away. */
  signal: AbortSignal;
  /** Aborted when the client went away (tells that apart from the deadline). */
  clientSignal?: AbortSignal | undefined;
  /**
   * Told of what the specialist says while the call runs, before its answer (a
   * streaming A2A agent's status updates and artifact chunks), as it arrives: a task
   * records each as a `step.progress` event. Adapters that learn nothing mid-call ignore it.
   */
  progress?: ((p: SpecialistProgress) => void) | undefined;
  /**
   * Connections kept open across calls by whoever owns them (an MCP session's Durable
   * Object holds its upstream MCP sessions here), by key; without it, an adapter that
   * needs a session opens one per call and closes it after.
   */
  connections?: ConnectionPool | undefined;
}

/** Open connections by key, each opened once and reused until closed (see {@link AdapterContext.connections}). */
export interface ConnectionPool {
  /** The connection under `key`, opened with `open` when there is none (or the last one was dropped). */
  get<T>(key: string, open: () => Promise<T>, close: (t: T) => Promise<void>): Promise<T>;
  /** Drops (and closes) the connection under `key`, e.g. after it failed. */
  drop(key: string): Promise<void>;
}

/** One thing a specialist said mid-call (see {@link AdapterContext.progress}). */
export interface SpecialistProgress {
  /** A status update (or the remote task's first state), or a chunk of an artifact. */
  kind: "status" | "artifact" | "progress";
  /** The remote task's state, in A2A's spelling (`working`, `input-required`, `completed`…). */
  state?: string;
  /** The text it carried: a status message's, or an artifact chunk's text parts. */
  text?: string;
  artifactId?: string;
  /** The remote agent's own id of its task. */
  remoteTaskId?: string;
  /** With a tool call's progress (`notifications/progress`): how far, and of how much, in the server's units. */
  progress?: number;
  total?: number;
}

/**
 * One protocol a specialist can speak. Adding a protocol is adding a folder
 * `worker/protocols/<name>/` whose `adapter.ts` exports one of these, and one line
 * in `worker/protocols/registry.ts`.
 */
export interface Adapter<E extends Endpoint = Endpoint> {
  readonly type: E["type"];
  call(endpoint: E, request: SpecialistRequest, ctx: AdapterContext): Promise<SpecialistOutcome>;
}

/**
 * Calls one specialist through whatever speaks its protocol. Routing and tasks take
 * this as a parameter, so they import no protocol: the front doors and the task
 * engine pass `callSpecialist` (worker/protocols/adapters.ts; front doors get it as
 * `c.var.callSpecialist`) or a streaming call of their own.
 */
export type EndpointCaller = (specialist: Specialist, request: SpecialistRequest, ctx: AdapterContext) => Promise<SpecialistOutcome>;
