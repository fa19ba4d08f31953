import { app } from "./app.ts";
import type { Env } from "./env.ts";
import "./runtime.ts"; // validates the bundled config at start

export { TaskAgent } from "../durable-objects/task-agent.ts";

export default { fetch: app.fetch } satisfies ExportedHandler<Env>;
