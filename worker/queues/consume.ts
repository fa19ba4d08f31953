import { Envelope } from "./envelope.ts";
import { queueOf, type WorkQueue } from "./names.ts";

/** One delivered message, as far as the consumer uses it (a `Message` of the Queues API: https://developers.cloudflare.com/queues/configuration/javascript-apis/#message). */
export interface QueueMessage {
  readonly id: string;
  readonly timestamp: Date;
  readonly body: unknown;
  /** Deliveries so far, this one included (1 on the first). */
  readonly attempts: number;
  ack(): void;
  retry(options?: { delaySeconds?: number }): void;
}

/** A delivered batch (`MessageBatch`). */
export interface QueueBatch {
  readonly queue: string;
  readonly messages: readonly QueueMessage[];
}

/** Where a message came from. */
export interface Delivery {
  queue: WorkQueue;
  /** The Queues message id (not the envelope's idempotency id). */
  messageId: string;
  attempts: number;
}

/**
 * What a handler made of a message: `ack` (done, or nothing left to do), or `retry`
 * after `delaySeconds` (not possible yet: a lease held by another delivery, a
 * transient failure). Every retry counts toward the queue's `max_retries`, after which
 * Queues moves the message to its dead-letter queue; a handler that must wait long
 * (over a pool's limit) re-sends a fresh message with a delay and acks instead.
 */
export type Handled = { action: "ack" } | { action: "retry"; delaySeconds: number; reason: string };

export type Handler = (message: Envelope, delivery: Delivery) => Promise<Handled>;

/** A dead letter as the store keeps it (the dead-letter consumer's, or a poison message's). */
export interface DeadLetterInput {
  queue: WorkQueue;
  messageId: string;
  /** The envelope, when the body was one; else the raw body (JSON, or its string form). */
  envelope: Envelope | undefined;
  raw: unknown;
  reason: string;
  attempts: number;
}

export interface ConsumeDeps {
  /** Handlers by envelope `kind`. */
  handlers: Readonly<Record<string, Handler>>;
  /** Stores a dead letter: a message of a dead-letter queue, or a poison message (not an envelope, unknown kind). */
  deadLetter(letter: DeadLetterInput): Promise<void>;
  /** Why earlier deliveries of a dead message failed (the ledger's note), for the store. */
  failureOf?(envelope: Envelope): Promise<{ reason: string; attempts: number } | undefined>;
  /** Notes a handler's throw against the message's idempotency id (so the dead letter can say why). */
  noteFailure?(envelope: Envelope, error: string): Promise<void>;
  log?(line: Record<string, unknown>): void;
}

/** Retry delay after a handler threw, by delivery count: 2, 4, 8 … s, at most 300 s (a Queues delay is at most 12 h). */
export function backoffSeconds(attempts: number): number {
  return Math.min(300, 2 ** Math.max(1, attempts));
}

/**
 * Consumes one batch (the Worker's `queue()` handler): each message on its own, so one
 * message's failure never retries the others (`ack()` / `retry()` per message, never
 * `ackAll` / `retryAll`: https://developers.cloudflare.com/queues/configuration/batching-retries/#explicit-acknowledgement-and-retries).
 *
 * - a work queue's message: validated as an {@link Envelope} and handed to the handler of
 *   its `kind`; its result acks or retries it; a throw retries it with {@link backoffSeconds}
 *   (after `max_retries` Queues moves it to the dead-letter queue);
 * - a poison message (not an envelope, or a kind nobody handles): stored as a dead
 *   letter at once and acked (retrying cannot fix it);
 * - a dead-letter queue's message: stored as a dead letter (with why its deliveries
 *   failed), then acked; retried if storing fails.
 *
 * A batch from a queue the router does not own is retried (a misconfigured consumer
 * must not silently eat messages).
 */
export async function consumeBatch(batch: QueueBatch, deps: ConsumeDeps): Promise<void> {
  const q = queueOf(batch.queue);
  if (!q) {
    deps.log?.({ event: "queue.unknown", queue: batch.queue, messages: batch.messages.length });
    for (const m of batch.messages) m.retry({ delaySeconds: 60 });
    return;
  }
  await Promise.all(batch.messages.map((m) => (q.dead ? storeDead(q.queue, m, deps) : handle(q.queue, m, deps))));
}

async function handle(queue: WorkQueue, m: QueueMessage, deps: ConsumeDeps): Promise<void> {
  const parsed = Envelope.safeParse(m.body);
  const handler = parsed.success ? deps.handlers[parsed.data.kind] : undefined;
  if (!parsed.success || !handler) {
    const reason = !parsed.success ? `not a Switchyard message: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; ")}` : `no consumer handles kind '${parsed.data.kind}' on queue '${queue}'`;
    try {
      await deps.deadLetter({ queue, messageId: m.id, envelope: parsed.success ? parsed.data : undefined, raw: m.body, reason, attempts: m.attempts });
      m.ack();
      deps.log?.({ event: "queue.poison", queue, messageId: m.id, reason });
    } catch (e) {
      m.retry({ delaySeconds: backoffSeconds(m.attempts) });
      deps.log?.({ event: "queue.dead_letter_failed", queue, messageId: m.id, error: String(e) });
    }
    return;
  }
  const envelope = parsed.data;
  try {
    const r = await handler(envelope, { queue, messageId: m.id, attempts: m.attempts });
    if (r.action === "ack") m.ack();
    else {
      m.retry({ delaySeconds: Math.max(0, Math.min(43_200, Math.ceil(r.delaySeconds))) });
      deps.log?.({ event: "queue.retry", queue, kind: envelope.kind, id: envelope.id, attempts: m.attempts, delaySeconds: r.delaySeconds, reason: r.reason });
    }
  } catch (e) {
    const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    m.retry({ delaySeconds: backoffSeconds(m.attempts) });
    deps.log?.({ event: "queue.failed", queue, kind: envelope.kind, id: envelope.id, attempts: m.attempts, error });
    await deps.noteFailure?.(envelope, error).catch(() => undefined);
  }
}

async function storeDead(queue: WorkQueue, m: QueueMessage, deps: ConsumeDeps): Promise<void> {
  const parsed = Envelope.safeParse(m.body);
  try {
    // a failureOf that throws (at once or later) only loses the why: the letter is stored with the fallback reason
    const why = parsed.success ? await Promise.resolve().then(() => deps.failureOf?.(parsed.data)).catch(() => undefined) : undefined;
    await deps.deadLetter({
      queue,
      messageId: m.id,
      envelope: parsed.success ? parsed.data : undefined,
      raw: m.body,
      reason: why?.reason ?? "its deliveries failed (max_retries reached)",
      attempts: why?.attempts ?? 0,
    });
    m.ack();
  } catch (e) {
    m.retry({ delaySeconds: backoffSeconds(m.attempts) });
    deps.log?.({ event: "queue.dead_letter_failed", queue, messageId: m.id, error: String(e) });
  }
}
