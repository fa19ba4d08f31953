import { app } from "../app.ts";
import type { Env } from "../env.ts";
import { hopRunner } from "../hops/run.ts";
import type { Handler } from "./consume.ts";
import { STEP_RUN, stepRunHandler } from "./step-run.ts";
import { webhookDeliverer } from "./webhook-delivery.ts";

/**
 * The consumers of the router's queues, by envelope `kind` (`<queue>.<verb>`): each
 * makes its handler for one batch from the Worker's bindings and execution context.
 * A kind missing here is a poison message: dead-lettered at once (worker/queues/consume.ts).
 */
export const HANDLERS: Readonly<Record<string, (env: Env, ctx: ExecutionContext) => Handler>> = {
  /** A plan's step dispatched through the steps queue (worker/queues/step-run.ts). */
  [STEP_RUN]: stepRunHandler,
  /** An async hop (worker/hops/run.ts), replayed through the router's own app. */
  "hop.run": (env, ctx) => hopRunner(env, ctx, (request, e, c) => app.fetch(request, e, c)),
  /** Signed webhook deliveries (task callbacks; A2A push notifications later): worker/queues/webhook-delivery.ts. */
  "webhook.deliver": (env) => webhookDeliverer(env),
};
