/**
 * Workers AI, as far as the router uses it: text embeddings (`router.encoder:
 * "workers-ai"`) and text generation (`workers-ai` specialists). The result's shape
 * depends on the model and on `stream` (a `ReadableStream` of server-sent events).
 */
export interface AiBinding {
  run(model: string, input: Record<string, unknown>, options?: Record<string, unknown>): Promise<unknown>;
}

/**
 * The router's bindings (wrangler.toml) and secrets. Bindings named in the config
 * (service bindings, API-key secrets) are looked up by name through `binding()`.
 */
export interface Env {
  /** One TaskAgent Durable Object per task. */
  TASK_AGENT?: DurableObjectNamespace<import("../durable-objects/task-agent.ts").TaskAgent>;
  /** One RateLimitPool Durable Object per pool (shard). */
  RATE_LIMIT_POOL?: DurableObjectNamespace<import("../durable-objects/rate-limit-pool.ts").RateLimitPool>;
  /** The control plane (one object named "control"). */
  CONTROL_PLANE?: DurableObjectNamespace<import("../durable-objects/control-plane.ts").ControlPlane>;
  /** Per-specialist request counters, cost and latency per UTC day (one object per specialist). */
  METRICS?: DurableObjectNamespace<import("../durable-objects/metrics.ts").Metrics>;
  /** Fits intent models off the request path (one object per deployment and model key: worker/intent-models.ts). */
  INTENT_FITTER?: DurableObjectNamespace<import("../durable-objects/intent-fitter.ts").IntentFitter>;
  /** One object per async hop (worker/hops/): its request, its claim, its answer. */
  ASYNC_HOP?: DurableObjectNamespace<import("../durable-objects/async-hop.ts").AsyncHop>;
  /** One object per MCP session of the `/mcp` door (durable-objects/mcp-session.ts). */
  MCP_SESSION?: DurableObjectNamespace<import("../durable-objects/mcp-session.ts").McpSession>;
  /** Which queued messages had their effect (exactly-once effects; worker/queues/ledger.ts), sharded by message id. */
  MESSAGE_LEDGER?: DurableObjectNamespace<import("../durable-objects/message-ledger.ts").MessageLedger>;
  /** Work queues (worker/queues/names.ts): async hops, webhook deliveries, fanned-out plan steps. */
  HOPS?: Queue;
  WEBHOOKS?: Queue;
  STEPS?: Queue;
  /** Their dead-letter queues (Queues moves a message there after `max_retries`). */
  HOPS_DLQ?: Queue;
  WEBHOOKS_DLQ?: Queue;
  STEPS_DLQ?: Queue;
  /** KV tier of the intent cache, and fitted model snapshots. */
  INTENTS?: KVNamespace;
  /** Short-lived one-hop traces (`GET /v1/hops/:id/trace`), with a TTL. */
  TRACES?: KVNamespace;
  /** The bundled example specialists (examples/specialists). */
  SPECIALISTS?: Fetcher;
  /** Workers AI: embeddings with `router.encoder: "workers-ai"`, and `workers-ai` specialists (their `binding`). */
  AI?: AiBinding;
  /** A whole config as JSON, replacing the bundled switchyard.config.json. */
  SWITCHYARD_CONFIG?: string;
  /** "true" accepts the documented development keys. Never set it in production. */
  DEV_MODE?: string;
  /** Secret: JSON `{ "<sha-256 hex of key>": "<tenant>" }`. */
  API_KEYS?: string;
  /** Secret: SHA-256 hex of the admin key. */
  ADMIN_KEY_SHA256?: string;
  /** Optional secret: seals dashboard session cookies (default: derived from the key secrets). */
  SESSION_SECRET?: string;
  VERSION?: string;
  /** Deployment version (wrangler.toml `[version_metadata]`): scopes stored model snapshots. */
  CF_VERSION_METADATA?: { id: string; tag?: string; timestamp?: string };
}

/** Authenticated caller of one request. */
export interface Principal {
  tenant: string;
  admin: boolean;
}

/** Hono generics for the router app. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    principal: Principal;
    /** `traceparent` of this request's span, sent on to specialists. */
    traceparent: string;
    /** The same, parsed (`own`: this request's span), and the caller's valid `traceparent`, if one came. */
    trace: { own: import("./http/traceparent.ts").TraceContext; caller: import("./http/traceparent.ts").TraceContext | undefined };
    /** The caller's valid `tracestate`, sent on to specialists and back. */
    tracestate: string | undefined;
    /** Calls a specialist through its protocol's adapter (the protocol registry's, set by the app). */
    callSpecialist: import("./routing/hop.ts").EndpointCaller;
    /** Set on an async hop's replay by the queue consumer: the hop's id (worker/hops/internal-call.ts). */
    asyncHop: string | undefined;
    /** Set when the MCP door's session calls a tool in process (worker/hops/internal-call.ts). */
    internalTool: import("./hops/internal-call.ts").InternalToolCall | undefined;
  };
}

/**
 * The router's own bindings and secrets: never handed to a specialist, whatever a
 * config names (an `apiKeySecret` of `API_KEYS` would send every tenant's key hashes
 * upstream as a bearer token). The Workers AI binding is not one of them: `workers-ai`
 * specialists name it, and it holds no secret.
 */
export const RESERVED_BINDINGS: ReadonlySet<string> = new Set([
  "TASK_AGENT",
  "RATE_LIMIT_POOL",
  "CONTROL_PLANE",
  "METRICS",
  "INTENT_FITTER",
  "MESSAGE_LEDGER",
  "ASYNC_HOP",
  "MCP_SESSION",
  "HOPS",
  "WEBHOOKS",
  "STEPS",
  "HOPS_DLQ",
  "WEBHOOKS_DLQ",
  "STEPS_DLQ",
  "INTENTS",
  "TRACES",
  "SWITCHYARD_CONFIG",
  "DEV_MODE",
  "API_KEYS",
  "ADMIN_KEY_SHA256",
  "SESSION_SECRET",
  "VERSION",
  "CF_VERSION_METADATA",
]);

/** Looks up a binding or secret whose name comes from the config (never one of {@link RESERVED_BINDINGS}). */
export function binding(env: Env, name: string): unknown {
  if (RESERVED_BINDINGS.has(name)) return undefined;
  return (env as unknown as Record<string, unknown>)[name];
}
