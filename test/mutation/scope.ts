/**
 * What `npm run test:mutation` mutates: the router's pure modules, by area, with the
 * mutation score each area must keep (docs/development.md, "Mutation testing").
 *
 * In scope: modules with no `cloudflare:` import and no `Env`, Hono context, Durable
 * Object stub or runtime, doing no I/O of their own (fetch and clocks are passed in),
 * tested by the `unit` project in plain Node. Left out on purpose:
 * routing/{admission,serve-hop,stream-slots}, tasks/{runner,submit} and
 * observe/{hop-trace,sinks} take Env, a Hono context or the runtime (the workers
 * project tests them); the protocol adapters, routes and serve files use global fetch,
 * bindings or a Hono context; protocols/openai/schemas.ts is OpenAPI documentation;
 * protocols/openai/stream*.ts read the wall clock for idle timeouts, so their mutants
 * need timed tests. routing/hop.ts, pools/pool-types.ts and intent/encoder.ts hold
 * types only.
 *
 * `translation`: the wire-format translation between the router's canonical chat
 * format and each provider's (Anthropic Messages, Gemini generateContent, Workers AI,
 * OpenAI Responses), requests, replies and streams, with the zod wire schemas and
 * field tables beside them (mostly static mutants). None imports `cloudflare:` or
 * takes Env, a Hono context or global fetch: ids and `created` are passed in, except
 * openai/responses-reply.ts, which draws item ids (`crypto.randomUUID`) and stamps
 * `completed_at` (`Date.now`) itself; the tests check their shape and range.
 * anthropic/translate.ts only re-exports (no mutant), listed so a change to it is
 * still picked up. Left out: the adapters and routes beside them (global fetch, Env,
 * Hono context), anthropic/native-stream.ts (a stall timer) and anthropic/errors.ts
 * (Hono middleware); anthropic/door-stream.ts and openai/responses-wire.ts are pure
 * but not yet in scope.
 */
export const AREAS = {
  routing: { target: 80, files: ["decide", "dispatch", "capabilities", "policy-guard", "input-parts", "selection", "arm-stats", "arm-cache", "hedge", "hedge-budget"].map((f) => `worker/routing/${f}.ts`) },
  pools: {
    target: 90,
    files: ["breaker", "budget", "guard", "leases", "pool", "reservation", "shards", "usage-window", "window"].map((f) => `worker/pools/${f}.ts`),
  },
  policy: { target: 90, files: ["glob", "policy", "screening", "screening-text", "screening-views"].map((f) => `worker/policy/${f}.ts`) },
  intent: {
    target: 80,
    files: ["builtin-encoder", "classifier", "codec", "escalation", "hash", "intent-service", "learned", "lru", "model", "normalize", "record", "tiered-cache", "tool-index", "train", "vector", "workers-ai-encoder"].map(
      (f) => `worker/intent/${f}.ts`,
    ),
  },
  tasks: { target: 80, files: ["plan", "audit", "types", "ensemble", "ensemble-judge", "json-path", "coordination"].map((f) => `worker/tasks/${f}.ts`) },
  observe: {
    target: 80,
    files: ["attributes", "dispatch-spans", "histogram", "intent-counts", "intent-summary", "log", "metrics-model", "otlp", "settings", "span", "step-spans", "timeseries", "day-counters"].map((f) => `worker/observe/${f}.ts`),
  },
  protocols: {
    target: 80,
    files: [
      "worker/protocols/json-protocol.ts",
      ...["chat", "errors", "requirements", "sse", "wire"].map((f) => `worker/protocols/openai/${f}.ts`),
      ...["card", "card-v03", "errors", "jsonrpc", "mapping", "outcome", "params", "parts", "push-params", "push-payloads", "stream", "versions", "wire"].map(
        (f) => `worker/protocols/a2a/${f}.ts`,
      ),
      // the MCP door's catalogue, results and connection pool (mcp/upstream.ts and the adapter call servers; server.ts, session-tools.ts and routes.ts need the SDK's transport, the runtime or a Hono context)
      ...["catalogue", "tool-result", "connections"].map((f) => `worker/protocols/mcp/${f}.ts`),
    ],
  },
  translation: {
    target: 80,
    files: [
      ...["translation", "pricing"].map((f) => `worker/protocols/${f}.ts`),
      ...["chat-content", "chat-to-messages", "messages-to-chat", "replies", "stream-translate", "translate", "wire", "door-reply", "door-request"].map(
        (f) => `worker/protocols/anthropic/${f}.ts`,
      ),
      ...["contents", "tools", "json-schema", "reply", "stream-translate", "translate", "wire", "fields"].map((f) => `worker/protocols/gemini/${f}.ts`),
      "worker/protocols/workers-ai/translate.ts",
      ...["responses-request", "responses-reply", "responses-stream", "responses-requirements"].map((f) => `worker/protocols/openai/${f}.ts`),
    ],
  },
  /**
   * The message layer's rules: the ledger (exactly-once effects), the per-message
   * consumer, the envelope, webhook signing and answers, and the async hop's record and
   * `Prefer` header. Left out: the glue that takes Env or bindings (queues/worker.ts,
   * ledger.ts, webhook-delivery.ts, dead-letters.ts, step-run.ts, hops/run.ts,
   * hops/submit.ts), tested by the workers project.
   */
  queues: {
    target: 80,
    files: [...["ledger-logic", "consume", "envelope", "webhooks"].map((f) => `worker/queues/${f}.ts`), ...["prefer", "record"].map((f) => `worker/hops/${f}.ts`)],
  },
  /**
   * HTTP rules that take no Hono context: strong ETags and `If-None-Match` (etag.ts:
   * the SHA-256 by Web Crypto, computed, as webhooks.ts signs). Left out: the middleware
   * (auth, json-guard, switches) and openapi-app.ts take a Hono context or Env, the
   * *schemas.ts files are OpenAPI documentation; traceparent.ts (it draws span ids),
   * idempotency-key.ts, problem.ts and failures.ts take none of those but are not yet in
   * scope.
   */
  http: { target: 80, files: ["worker/http/etag.ts"] },
  /** The dashboard's pure parts: chart geometry and the figures read from the API's documents (the pages themselves are JSX over them). */
  ui: { target: 80, files: ["chart-geometry", "metrics"].map((f) => `worker/ui/${f}.ts`) },
} satisfies Record<string, { target: number; files: string[] }>;

export type Area = keyof typeof AREAS;

/** Every mutated file, in area order. */
export const MUTATE: string[] = Object.values(AREAS).flatMap((a) => a.files);

/** The area a source file belongs to, if it is mutated. */
export function areaOf(file: string): Area | undefined {
  return (Object.keys(AREAS) as Area[]).find((a) => AREAS[a].files.includes(file));
}
