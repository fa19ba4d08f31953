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
 */
export const AREAS = {
  routing: { target: 80, files: ["decide", "dispatch", "capabilities", "policy-guard"].map((f) => `worker/routing/${f}.ts`) },
  pools: {
    target: 90,
    files: ["breaker", "budget", "guard", "leases", "pool", "reservation", "shards", "usage-window", "window"].map((f) => `worker/pools/${f}.ts`),
  },
  policy: { target: 90, files: ["glob", "policy", "screening"].map((f) => `worker/policy/${f}.ts`) },
  intent: {
    target: 80,
    files: ["builtin-encoder", "classifier", "codec", "hash", "intent-service", "lru", "model", "normalize", "record", "tiered-cache", "train", "vector", "workers-ai-encoder"].map(
      (f) => `worker/intent/${f}.ts`,
    ),
  },
  tasks: { target: 80, files: ["plan", "audit", "types"].map((f) => `worker/tasks/${f}.ts`) },
  observe: {
    target: 80,
    files: ["attributes", "dispatch-spans", "histogram", "log", "metrics-model", "otlp", "settings", "span", "step-spans"].map((f) => `worker/observe/${f}.ts`),
  },
  protocols: {
    target: 80,
    files: [
      "worker/protocols/json-protocol.ts",
      ...["chat", "errors", "requirements", "sse", "wire"].map((f) => `worker/protocols/openai/${f}.ts`),
      ...["card", "jsonrpc", "mapping", "params", "wire"].map((f) => `worker/protocols/a2a/${f}.ts`),
    ],
  },
} satisfies Record<string, { target: number; files: string[] }>;

export type Area = keyof typeof AREAS;

/** Every mutated file, in area order. */
export const MUTATE: string[] = Object.values(AREAS).flatMap((a) => a.files);

/** The area a source file belongs to, if it is mutated. */
export function areaOf(file: string): Area | undefined {
  return (Object.keys(AREAS) as Area[]).find((a) => AREAS[a].files.includes(file));
}
