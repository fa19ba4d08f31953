import type { Env } from "../env.ts";
import { callbackUrlProblem, privateCallbacksAllowed } from "./callbacks.ts";
import type { Delivery, Handled, Handler } from "./consume.ts";
import { storeDeadLetter } from "./dead-letters.ts";
import type { Envelope } from "./envelope.ts";
import { ledgerFor } from "./ledger.ts";
import { deliveryRequest, outcomeOf, retryDelaySeconds, shownUrl, WEBHOOK_TIMEOUT_MS, WebhookMessage, type AttemptOutcome } from "./webhooks.ts";

/** How long a claim on a delivery holds: the attempt's timeout and room to record its outcome. */
const CLAIM_MS = WEBHOOK_TIMEOUT_MS + 20_000;

/** What the consumer uses from the outside world (tests replace the clock or the jitter). */
export interface DeliveryDeps {
  fetch: typeof fetch;
  now(): number;
  rng(): number;
}

const log = (line: Record<string, unknown>) => console.log(JSON.stringify({ level: "warn", ...line }));

/** The start of a body (at most `max` bytes, as text: a failure's reason quotes it); the rest is not read. */
async function bodyStart(res: Response, max = 512): Promise<string> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  let bytes = new Uint8Array(0);
  try {
    while (bytes.byteLength < max) {
      const { done, value } = await reader.read();
      if (done) break;
      const joined = new Uint8Array(bytes.byteLength + value.byteLength);
      joined.set(bytes);
      joined.set(value, bytes.byteLength);
      bytes = joined;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return new TextDecoder().decode(bytes.subarray(0, max));
}

/** One attempt: POST the event (signed, or with the headers an A2A push target declares), no redirect followed, bounded by {@link WEBHOOK_TIMEOUT_MS}. */
async function attempt(m: WebhookMessage, deps: DeliveryDeps): Promise<AttemptOutcome> {
  const target = shownUrl(m.callback.url);
  const { body, headers } = await deliveryRequest(m, deps.now());
  try {
    const res = await deps.fetch(m.callback.url, { method: "POST", headers, body, redirect: "manual", signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS) });
    const delivered = res.status >= 200 && res.status < 300;
    if (delivered) await res.body?.cancel();
    return outcomeOf(res.status, target, delivered ? "" : await bodyStart(res).catch(() => ""));
  } catch (e) {
    const timedOut = e instanceof Error && (e.name === "TimeoutError" || e.name === "AbortError");
    return { kind: "failed", reason: timedOut ? `no answer from ${target} within ${WEBHOOK_TIMEOUT_MS / 1000} s` : `could not reach ${target}: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** Dead-letters a delivery that no retry can help (a malformed body, a refused URL) and acks it. */
async function refuse(env: Env, message: Envelope, delivery: Delivery, reason: string): Promise<Handled> {
  await storeDeadLetter(env, { queue: delivery.queue, messageId: delivery.messageId, envelope: message, raw: message, reason, attempts: delivery.attempts });
  log({ event: "webhook.refused", id: message.id, tenant: message.tenant, reason });
  return { action: "ack" };
}

/**
 * The consumer of `webhook.deliver` (docs/queues.md, "Webhooks"): one signed POST per
 * event, exactly once within the ledger's dedup window as far as the router can tell.
 *
 * 1. The body is validated, and the callback URL checked again (the rules may have
 *    changed since it was accepted): a refusal is dead-lettered at once, never sent.
 * 2. The envelope id is claimed in the message ledger: `done` (an earlier delivery got
 *    a 2xx or a 410) acks without sending; `busy` (another delivery is sending it)
 *    retries after its lease.
 * 3. A 2xx completes it; a 410 completes it too (the receiver ended the subscription:
 *    not retried); any other outcome releases the claim with the reason noted (the
 *    dead letter shows the last one) and retries on the backoff schedule. After
 *    `max_retries` Queues moves it to the dead-letter queue.
 */
export function webhookDeliverer(env: Env, deps: DeliveryDeps = { fetch: (input, init) => fetch(input, init), now: Date.now, rng: Math.random }): Handler {
  return async function deliverWebhook(message, delivery) {
    const parsed = WebhookMessage.safeParse(message.body);
    if (!parsed.success) return refuse(env, message, delivery, `not a webhook delivery: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; ")}`);
    const m = parsed.data;
    const refused = callbackUrlProblem(m.callback.url, privateCallbacksAllowed(env));
    if (refused) return refuse(env, message, delivery, `callback URL refused at delivery: ${shownUrl(m.callback.url)} ${refused}`);
    const ledger = ledgerFor(env, message.id);
    const claim = await ledger.claim(message.id, CLAIM_MS);
    if (claim.state === "done") return { action: "ack" };
    if (claim.state === "busy") return { action: "retry", delaySeconds: Math.ceil(claim.retryAfterMs / 1000), reason: "another delivery of this event is under way" };
    // `stale`: an earlier delivery vanished mid-attempt; sending again is safe (receivers deduplicate on webhook-id)
    const outcome = await attempt(m, deps);
    switch (outcome.kind) {
      case "delivered":
        await ledger.complete(message.id, { status: outcome.status, at: new Date(deps.now()).toISOString() });
        return { action: "ack" };
      case "gone":
        await ledger.complete(message.id, { status: 410, gone: true, at: new Date(deps.now()).toISOString() });
        log({ event: "webhook.gone", id: message.id, tenant: message.tenant, url: shownUrl(m.callback.url) });
        return { action: "ack" };
      case "failed":
        await ledger.fail(message.id, outcome.reason, true);
        return { action: "retry", delaySeconds: retryDelaySeconds(delivery.attempts, deps.rng), reason: outcome.reason };
    }
  };
}
