import { z } from "zod";
import { baseConfig } from "../config/base.ts";
import { privateDestination } from "../config/destinations.ts";
import type { Env } from "../env.ts";
import type { JsonObject } from "../json.ts";
import { envelope } from "./envelope.ts";
import { signingKey } from "./webhooks.ts";

/**
 * Where a task or an async hop reports its state changes: a URL the router POSTs a
 * signed event to through the webhooks queue (worker/queues/webhook-delivery.ts), and
 * the secret the signature is made with (HMAC-SHA256; without one, events are sent
 * unsigned). A Standard Webhooks secret (`whsec_` + base64) signs with its decoded
 * bytes, any other secret with its UTF-8 bytes (worker/queues/webhooks.ts `signingKey`).
 *
 * @example
 * { "url": "https://hooks.example.com/switchyard", "secret": "whsec_…at least 16 characters" }
 */
export const Callback = z.strictObject({
  url: z
    .string()
    .max(2048)
    // checked before z.url, which would drop them from the URL it returns without a word
    .refine((u) => !/[\x00-\x20\x7f]/.test(u), "no control characters or spaces")
    .pipe(z.url({ protocol: /^https?$/ })),
  secret: z
    .string()
    .min(16, "at least 16 characters")
    .max(256)
    .refine((s) => signingKey(s) !== undefined, "a secret starting with whsec_ must go on in base64 (a Standard Webhooks secret)")
    .optional(),
});
export type Callback = z.infer<typeof Callback>;

/**
 * Why the router will not call this callback URL, or undefined if it will: like
 * specialist URLs, no loopback, private, link-local (cloud metadata) or internal
 * addresses and no plain `http:` unless private networks are allowed (local
 * development: `DEV_MODE`, or `router.allowPrivateNetworks`).
 */
export function callbackUrlProblem(url: string, allowPrivate: boolean): string | undefined {
  if (allowPrivate) return undefined;
  if (!url.startsWith("https:")) return "must be an https: URL";
  const why = privateDestination(url);
  return why ? `points at ${why}; the router does not call private networks (router.allowPrivateNetworks allows it)` : undefined;
}

/**
 * Whether callbacks may point at private networks and plain `http:`: under `DEV_MODE`,
 * or with the config's `router.allowPrivateNetworks` (runtime registrations cannot
 * change it, so the base config says). A config that does not validate allows nothing.
 */
export function privateCallbacksAllowed(env: Env): boolean {
  if (env.DEV_MODE === "true") return true;
  const base = baseConfig(env);
  return base.ok && base.config.router.allowPrivateNetworks;
}

/** One event a callback is told of. `id` is unique per event (receivers deduplicate on it). */
export interface CallbackEvent {
  id: string;
  /** e.g. `task.succeeded`, `task.failed`, `task.awaiting_approval`, `hop.succeeded`, `hop.failed`. */
  type: string;
  /** ISO 8601. */
  occurredAt: string;
  data: JsonObject;
}

/**
 * Enqueues one event for delivery to a callback (kind `webhook.deliver` on the
 * webhooks queue; its idempotency id `webhook:<event id>`, so one event is delivered
 * once however often it is enqueued within the dedup window). Throws when the
 * `WEBHOOKS` queue binding is missing.
 */
export async function enqueueCallbackEvent(env: Pick<Env, "WEBHOOKS">, tenant: string, callback: Callback, event: CallbackEvent): Promise<void> {
  if (!env.WEBHOOKS) throw new Error("the WEBHOOKS queue binding is missing (wrangler.toml)");
  await env.WEBHOOKS.send(envelope("webhook.deliver", `webhook:${event.id}`, tenant, { callback, event: event as unknown as JsonObject }));
}

/** Where an A2A push notification goes: its config's URL, and the `Authorization` and token headers the config declares (secrets under `secret`). */
export interface PushTarget {
  url: string;
  authorization?: { scheme: string; secret: string };
  token?: { secret: string };
}

/** The `webhook.deliver` body of an A2A push notification: the event's `data` is the notification's body as it is (`format: "a2a"`). */
export function pushDelivery(target: PushTarget, event: CallbackEvent): JsonObject {
  return { callback: target as unknown as JsonObject, event: event as unknown as JsonObject, format: "a2a" };
}

/**
 * Enqueues one A2A push notification (A2A 1.0 §4.3.3) on the webhooks queue: delivered
 * like a callback event (the same consumer, retries and dead letters), its body the
 * event's `data` (a StreamResponse, or a 0.3 Task) with the target's headers. Throws when
 * the `WEBHOOKS` queue binding is missing, a RangeError when it is too large for a message.
 */
export async function enqueuePushNotification(env: Pick<Env, "WEBHOOKS">, tenant: string, target: PushTarget, event: CallbackEvent): Promise<void> {
  if (!env.WEBHOOKS) throw new Error("the WEBHOOKS queue binding is missing (wrangler.toml)");
  await env.WEBHOOKS.send(envelope("webhook.deliver", `webhook:${event.id}`, tenant, pushDelivery(target, event)));
}
