import { z } from "zod";

/**
 * Every message the router puts on a queue: who it is for, what it is, and the
 * idempotency id its consumer deduplicates on (worker/queues/ledger-logic.ts). The
 * body is the kind's own (each consumer validates it). A Queues message is at most
 * 128 KB (https://developers.cloudflare.com/queues/platform/limits/).
 *
 * @example
 * { v: 1, id: "hop:h_0123…", kind: "hop.run", tenant: "acme", at: "2026-11-30T04:00:00.000Z", body: { … } }
 */
export const Envelope = z.object({
  v: z.literal(1),
  /** The idempotency id: one effect per id within the dedup window. */
  id: z.string().min(1).max(256),
  /** What to do: `<queue>.<verb>`, e.g. `hop.run`, `webhook.deliver`, `step.run`. */
  kind: z.string().regex(/^[a-z][a-z0-9_-]*\.[a-z][a-z0-9_-]*$/).max(64),
  /** The tenant the message acts for (policies, pools, audit). */
  tenant: z.string().min(1).max(64),
  /** When it was first enqueued (ISO 8601); a replayed dead letter keeps it. */
  at: z.string().datetime({ offset: true }),
  body: z.record(z.string(), z.unknown()),
});
export type Envelope = z.infer<typeof Envelope>;

/** The largest envelope the router enqueues, as JSON bytes (Queues' limit is 128 KB; some headroom for its own framing). */
export const MAX_ENVELOPE_BYTES = 120 * 1024;

/** An envelope for `kind` (its `at` is now). Throws a RangeError past {@link MAX_ENVELOPE_BYTES}. */
export function envelope(kind: string, id: string, tenant: string, body: Record<string, unknown>, now = new Date()): Envelope {
  const e: Envelope = { v: 1, id, kind, tenant, at: now.toISOString(), body };
  const bytes = new TextEncoder().encode(JSON.stringify(e)).length;
  if (bytes > MAX_ENVELOPE_BYTES) throw new RangeError(`a ${kind} message would be ${bytes} bytes, over the ${MAX_ENVELOPE_BYTES}-byte limit of one queue message`);
  return e;
}
