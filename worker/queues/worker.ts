import type { Env } from "../env.ts";
import { controlStub } from "../control.ts";
import type { Json } from "../json.ts";
import { consumeBatch, type DeadLetterInput, type Handler, type QueueBatch } from "./consume.ts";
import { HANDLERS } from "./handlers.ts";
import { ledgerFor } from "./ledger.ts";

/** A dead letter's body as stored: the delivered body when it is JSON, else its string form. */
function storedBody(raw: unknown): Json {
  try {
    const text = JSON.stringify(raw);
    return text === undefined ? String(raw) : (JSON.parse(text) as Json);
  } catch {
    return String(raw);
  }
}

const iso = (ms: number | null | undefined) => (typeof ms === "number" ? new Date(ms).toISOString() : null);

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
      const control = controlStub(env);
      if (!control) throw new Error("the CONTROL_PLANE binding is missing: dead letters cannot be stored");
      const e = letter.envelope;
      const noted = e ? await ledgerFor(env, e.id).entry(e.id).catch(() => null) : null;
      await control.recordDeadLetter({
        queue: letter.queue,
        messageId: letter.messageId,
        envelopeId: e?.id ?? null,
        kind: e?.kind ?? null,
        tenant: e?.tenant ?? null,
        body: storedBody(letter.raw),
        reason: letter.reason,
        attempts: Math.max(letter.attempts, noted?.failures ?? 0),
        firstFailureAt: iso(noted?.firstFailureAt),
        lastFailureAt: iso(noted?.lastFailureAt),
      });
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
