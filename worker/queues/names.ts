/**
 * The router's queues (wrangler.toml `[[queues.producers]]` / `[[queues.consumers]]`):
 * three work queues, each with its dead-letter queue. The consumer tells them apart by
 * `batch.queue`, the queue's name; a replayed dead letter goes back to its work queue
 * through the producer binding named here.
 */
export const WORK_QUEUES = {
  /** Async hops (`"async": true`, `Prefer: respond-async`). */
  hops: { queue: "switchyard-hops", binding: "HOPS", dlq: "switchyard-hops-dlq", dlqBinding: "HOPS_DLQ" },
  /** Webhook deliveries (task and hop callbacks, A2A push notifications). */
  webhooks: { queue: "switchyard-webhooks", binding: "WEBHOOKS", dlq: "switchyard-webhooks-dlq", dlqBinding: "WEBHOOKS_DLQ" },
  /** A plan's parallel steps dispatched through the queue. */
  steps: { queue: "switchyard-steps", binding: "STEPS", dlq: "switchyard-steps-dlq", dlqBinding: "STEPS_DLQ" },
} as const;

export type WorkQueue = keyof typeof WORK_QUEUES;

/** Which work queue a queue name is, and whether it is that queue's dead-letter queue; undefined for a name the router does not own. */
export function queueOf(name: string): { queue: WorkQueue; dead: boolean } | undefined {
  for (const [queue, q] of Object.entries(WORK_QUEUES) as [WorkQueue, (typeof WORK_QUEUES)[WorkQueue]][]) {
    if (name === q.queue) return { queue, dead: false };
    if (name === q.dlq) return { queue, dead: true };
  }
  return undefined;
}
