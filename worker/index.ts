import { app } from "./app.ts";
import type { Env } from "./env.ts";
import "./runtime.ts"; // validates the bundled config at start
import { queue } from "./queues/worker.ts";

export { AsyncHop } from "../durable-objects/async-hop.ts";
export { ControlPlane } from "../durable-objects/control-plane.ts";
export { IntentFitter } from "../durable-objects/intent-fitter.ts";
export { McpSession } from "../durable-objects/mcp-session.ts";
export { MessageLedger } from "../durable-objects/message-ledger.ts";
export { Metrics } from "../durable-objects/metrics.ts";
export { RateLimitPool } from "../durable-objects/rate-limit-pool.ts";
export { TaskAgent } from "../durable-objects/task-agent.ts";

export default { fetch: app.fetch, queue } satisfies ExportedHandler<Env>;
