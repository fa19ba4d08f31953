import { z } from "zod";

/**
 * Webhook delivery's rules (pure; docs/queues.md, "Webhooks"): the request a callback
 * gets, signed the Standard Webhooks way (https://www.standardwebhooks.com/), what its
 * answer means, and when to try again. The queue consumer around it is
 * worker/queues/webhook-delivery.ts.
 */

/** An HTTP authentication scheme (RFC 9110 `token`), e.g. `Bearer`. */
export const AuthScheme = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/, "an HTTP authentication scheme, e.g. Bearer");

/** A header value the router can send as is: visible ASCII and spaces, no line breaks, not blank at either end. */
export const HEADER_TEXT = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;
export const HEADER_TEXT_RULE = "visible ASCII characters (spaces inside), as an HTTP header carries them";
export const HeaderValue = (max: number) => z.string().min(1).max(max).regex(HEADER_TEXT, HEADER_TEXT_RULE);

/** The header an A2A push notification carries its config's token in (A2A 1.0 §6.6, 0.3 §6.8). */
export const NOTIFICATION_TOKEN_HEADER = "x-a2a-notification-token";

/**
 * The body of a `webhook.deliver` message (worker/queues/callbacks.ts `enqueueCallbackEvent`,
 * `enqueuePushNotification`). `format` says how the body is made: Standard Webhooks'
 * `{ type, timestamp, data }` (the default: task and hop callbacks), or `a2a` (A2A push
 * notifications: `data` itself, a StreamResponse or a 0.3 Task). An A2A push target may
 * declare `authorization` (sent as `Authorization: <scheme> <secret>`) and a `token` (sent
 * as `X-A2A-Notification-Token`); both keep the value under `secret`, so a dead letter's
 * view redacts them (worker/queues/dead-letters.ts).
 */
export const WebhookMessage = z.object({
  callback: z.object({
    url: z.string().min(1).max(2048),
    secret: z
      .string()
      .min(1)
      .max(256)
      .refine((x) => signingKey(x) !== undefined, "a whsec_ secret must go on in base64")
      .optional(),
    authorization: z.object({ scheme: AuthScheme, secret: HeaderValue(4096) }).optional(),
    token: z.object({ secret: HeaderValue(1024) }).optional(),
  }),
  format: z.enum(["standard-webhooks", "a2a"]).optional(),
  event: z.object({
    id: z.string().min(1).max(256),
    type: z.string().min(1).max(100),
    occurredAt: z.string().datetime({ offset: true }),
    data: z.record(z.string(), z.unknown()),
  }),
});
export type WebhookMessage = z.infer<typeof WebhookMessage>;

/** How long one attempt may take, answer included, before it counts as failed. */
export const WEBHOOK_TIMEOUT_MS = 10_000;

/**
 * Seconds before the next attempt after a failed one, by the failed attempt's number
 * (1 for the first): 10 s, 30 s, 2 min, 10 min, 30 min, 1 h, 3 h, 6 h. With the
 * webhooks queue's `max_retries = 8` that is nine attempts over about 10 h 40 min,
 * after which Queues dead-letters the message.
 */
export const RETRY_SCHEDULE_SECONDS: readonly number[] = [10, 30, 120, 600, 1800, 3600, 10_800, 21_600];

/**
 * The delay before retrying after failed attempt number `attempts`, from
 * {@link RETRY_SCHEDULE_SECONDS} (its last step repeats), with ±10 % jitter so the
 * deliveries a receiver's outage failed together do not all come back at once.
 *
 * @example
 * retryDelaySeconds(1, () => 0.5) // 10
 * retryDelaySeconds(3, () => 0)   // 108
 */
export function retryDelaySeconds(attempts: number, rng: () => number = Math.random): number {
  const i = Math.min(Math.max(1, Math.floor(attempts)), RETRY_SCHEDULE_SECONDS.length) - 1;
  return Math.round(RETRY_SCHEDULE_SECONDS[i]! * (0.9 + 0.2 * rng()));
}

/** The Standard Webhooks secret prefix: `whsec_` and the key's bytes in base64. */
const WHSEC = "whsec_";

/**
 * The HMAC key of a callback secret: a Standard Webhooks secret (`whsec_` + base64) is
 * its decoded bytes, as every Standard Webhooks library reads it; any other secret is
 * its UTF-8 bytes. Undefined for a `whsec_` secret that is not base64.
 *
 * @example
 * signingKey("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") // the 24 decoded bytes
 * signingKey("a plain shared secret")                 // its UTF-8 bytes
 */
export function signingKey(secret: string): Uint8Array | undefined {
  if (!secret.startsWith(WHSEC)) return new TextEncoder().encode(secret);
  const b64 = secret.slice(WHSEC.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0) return undefined;
  try {
    return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/**
 * The Standard Webhooks signature of one attempt: `v1,` and the base64 HMAC-SHA256,
 * with `key`, of `<id>.<timestamp>.<body>`.
 */
export async function sign(key: Uint8Array, id: string, timestamp: number, body: string): Promise<string> {
  const k = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", k, new TextEncoder().encode(`${id}.${timestamp}.${body}`)));
  let bin = "";
  for (const b of mac) bin += String.fromCharCode(b);
  return `v1,${btoa(bin)}`;
}

/** The JSON body a callback receives: Standard Webhooks' `{ type, timestamp, data }` (the event id is the `webhook-id` header). */
export function webhookBody(event: WebhookMessage["event"]): string {
  return JSON.stringify({ type: event.type, timestamp: event.occurredAt, data: event.data });
}

/**
 * The request of one attempt, signed at `nowMs` (each attempt is signed anew, so its
 * `webhook-timestamp` is when it was sent and receivers can hold it to a replay
 * window): `webhook-id` is the event id (the same on every attempt: receivers
 * deduplicate on it), `webhook-signature` is present only with a secret. `body` is
 * Standard Webhooks' unless another format gives its own.
 */
export async function webhookRequest(event: WebhookMessage["event"], secret: string | undefined, nowMs: number, body = webhookBody(event)): Promise<{ body: string; headers: Record<string, string> }> {
  const timestamp = Math.floor(nowMs / 1000);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": "Switchyard-Webhooks/1",
    "webhook-id": event.id,
    "webhook-timestamp": String(timestamp),
  };
  const key = secret === undefined ? undefined : signingKey(secret);
  if (secret !== undefined && !key) throw new TypeError("the callback's whsec_ secret is not base64");
  if (key) headers["webhook-signature"] = await sign(key, event.id, timestamp, body);
  return { body, headers };
}

/**
 * The request of one attempt of a delivery, in its format: a callback's signed Standard
 * Webhooks request ({@link webhookRequest}); for an A2A push notification (`format: "a2a"`)
 * the same headers over `event.data` as the body, and the `Authorization` and
 * `X-A2A-Notification-Token` headers its target declares.
 *
 * @example
 * await deliveryRequest({ callback: { url, token: { secret: "t-1" } }, format: "a2a", event }, Date.now())
 * // { body: JSON.stringify(event.data), headers: { …, "x-a2a-notification-token": "t-1" } }
 */
export async function deliveryRequest(m: WebhookMessage, nowMs: number): Promise<{ body: string; headers: Record<string, string> }> {
  const a2a = m.format === "a2a";
  const r = await webhookRequest(m.event, m.callback.secret, nowMs, a2a ? JSON.stringify(m.event.data) : undefined);
  if (m.callback.authorization) r.headers.authorization = `${m.callback.authorization.scheme} ${m.callback.authorization.secret}`;
  if (m.callback.token) r.headers[NOTIFICATION_TOKEN_HEADER] = m.callback.token.secret;
  return r;
}

/**
 * What one attempt came to: `delivered` (a 2xx), `gone` (410: the receiver says the
 * subscription is over, so it is not tried again), or `failed` (anything else: another
 * status, a redirect, which is not followed, a network error or a timeout) with why.
 */
export type AttemptOutcome = { kind: "delivered"; status: number } | { kind: "gone"; status: 410 } | { kind: "failed"; reason: string; status?: number };

/**
 * The outcome of an answer with `status` from `target` (a URL without its query, for
 * the reason), and the start of its body to quote.
 *
 * @example
 * outcomeOf(204, "https://hooks.example.com/in")              // { kind: "delivered", status: 204 }
 * outcomeOf(503, "https://hooks.example.com/in", "busy").reason // "HTTP 503 from https://hooks.example.com/in: busy"
 */
export function outcomeOf(status: number, target: string, bodyStart = ""): AttemptOutcome {
  if (status >= 200 && status < 300) return { kind: "delivered", status };
  if (status === 410) return { kind: "gone", status };
  const quoted = bodyStart.replace(/\s+/g, " ").trim().slice(0, 200);
  const redirect = status >= 300 && status < 400 ? " (redirects are not followed)" : "";
  return { kind: "failed", status, reason: `HTTP ${status} from ${target}${redirect}${quoted ? `: ${quoted}` : ""}` };
}

/** A URL as a failure reason names it: without its query or fragment (they may carry tokens). */
export function shownUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return "(invalid URL)";
  }
}
