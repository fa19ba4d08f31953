import type { DeadLetter } from "../../durable-objects/control-plane.ts";
import { controlStub } from "../control.ts";
import type { Env } from "../env.ts";
import type { Json } from "../json.ts";
import type { DeadLetterInput } from "./consume.ts";
import { Envelope } from "./envelope.ts";
import { ledgerFor } from "./ledger.ts";
import { WORK_QUEUES, type WorkQueue } from "./names.ts";

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
 * Stores a dead letter in the control plane (once per Queues message id), with the
 * message ledger's account of its failed attempts (how many, the first and last).
 * Throws when the control plane cannot be reached (the caller retries the message).
 */
export async function storeDeadLetter(env: Env, letter: DeadLetterInput): Promise<number> {
  const control = controlStub(env);
  if (!control) throw new Error("the CONTROL_PLANE binding is missing: dead letters cannot be stored");
  const e = letter.envelope;
  const noted = e ? await ledgerFor(env, e.id).entry(e.id).catch(() => null) : null;
  return control.recordDeadLetter({
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
}

/** What stands for a secret in a dead letter shown to an operator. */
export const REDACTED = "[redacted]";

/**
 * A JSON value with every member named `secret` (at any depth: a webhook's
 * `callback.secret`, and whatever later kinds carry under that name) replaced by
 * {@link REDACTED}. The stored letter keeps the original: a replay sends it as it was.
 *
 * @example
 * redactSecrets({ body: { callback: { url: "https://h.example", secret: "s3cr3t…" } } })
 * // { body: { callback: { url: "https://h.example", secret: "[redacted]" } } }
 */
export function redactSecrets(value: Json): Json {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(value)) out[k] = k.toLowerCase() === "secret" && v !== null ? REDACTED : redactSecrets(v);
  return out;
}

/** A dead letter as the admin API and the dashboard show it: its body with secrets redacted. */
export function shownDeadLetter(d: DeadLetter): DeadLetter {
  return { ...d, body: redactSecrets(d.body) };
}

/**
 * Re-sends a dead letter's original body (secrets included) to its work queue. For an
 * envelope, its ledger entry is forgotten first, so the consumer does not take the
 * replay for a duplicate of an effect already done, and counts its attempts afresh.
 * Throws when the queue's producer binding is missing or the send fails.
 */
export async function replayDeadLetter(env: Env, d: DeadLetter): Promise<void> {
  const q = WORK_QUEUES[d.queue as WorkQueue];
  if (!q) throw new Error(`dead letter ${d.seq} names no work queue the router owns ('${d.queue}')`);
  const producer = env[q.binding];
  if (!producer) throw new Error(`the ${q.binding} queue binding is missing (wrangler.toml)`);
  const parsed = Envelope.safeParse(d.body);
  if (parsed.success) await ledgerFor(env, parsed.data.id).forget(parsed.data.id);
  await producer.send(d.body);
}
