import type { Env } from "../env.ts";
import { consumeBatch, type DeadLetterInput, type Handler, type QueueBatch } from "./consume.ts";
import { storeDeadLetter } from "./dead-letters.ts";
import { HANDLERS } from "./handlers.ts";
import { ledgerFor } from "./ledger.ts";

/**
 * The Worker's `queue()` handler (worker/index.ts): {@link consumeBatch} with the
 * handlers of {@link HANDLERS}, the message ledger for why a message failed, and the
 * control plane as the dead-letter store.
 */
export async function queue(batch: MessageBatch<unknown>, env: Env, ctx: ExecutionContext): Promise<void> {
  const handlers: Record<string, Handler> = {};
  for (const [kind, make] of Object.entries(HANDLERS)) handlers[kind] = make(env, ctx);
  await consumeBatch(batch as unknown as QueueBatch, {
    handlers,
    async deadLetter(letter: DeadLetterInput) {
      await storeDeadLetter(env, letter);
    },
    async failureOf(e) {
      const noted = await ledgerFor(env, e.id).entry(e.id);
      return noted?.lastError ? { reason: noted.lastError, attempts: noted.failures } : undefined;
    },
    async noteFailure(e, error) {
      await ledgerFor(env, e.id).fail(e.id, error, false);
    },
    log: (line) => console.log(JSON.stringify({ level: "warn", ...line })),
  });
}
