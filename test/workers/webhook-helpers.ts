import { env } from "cloudflare:workers";
import { inject } from "vitest";
import type { DeadLetter } from "../../durable-objects/control-plane.ts";
import type { Env } from "../../worker/env.ts";
import type { ReceivedHook } from "../support/webhook-receiver.ts";

export const e = env as unknown as Env;
export const ADMIN = { authorization: "Bearer dev-admin-key" };
/** A Standard Webhooks secret: `whsec_` and 24 bytes in base64. */
export const WHSEC = `whsec_${btoa("switchyard-test-key-0123")}`;

/** A fresh hook on the test receiver (test/support/webhook-receiver.ts): its URL (with `query`, which scripts its answers) and name. */
export function hook(query = ""): { url: string; name: string } {
  const name = `h-${crypto.randomUUID()}`;
  return { name, url: `${inject("hooksUrl")}/hooks/${name}${query ? `?${query}` : ""}` };
}

/** What the receiver got on a hook so far. */
export async function received(name: string): Promise<{ attempts: ReceivedHook[]; accepted: number }> {
  return (await (await fetch(`${inject("hooksUrl")}/deliveries/${name}`)).json()) as never;
}

/** Polls the receiver until `done` holds for what a hook got (the real local queue delivers within its max_batch_timeout). */
export async function receivedWhen(name: string, done: (r: { attempts: ReceivedHook[]; accepted: number }) => boolean, timeoutMs = 15_000): Promise<{ attempts: ReceivedHook[]; accepted: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await received(name);
    if (done(r)) return r;
    if (Date.now() > deadline) throw new Error(`hook ${name}: not there in time: ${JSON.stringify(r).slice(0, 2000)}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

export const control = () => e.CONTROL_PLANE!.get(e.CONTROL_PLANE!.idFromName("control"));

/** Polls the dead-letter store until `match` finds one. */
export async function deadLetterWhere(match: (d: DeadLetter) => boolean, timeoutMs = 15_000): Promise<DeadLetter> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await control().deadLetters({ limit: 10_000 })).find(match);
    if (found) return found;
    if (Date.now() > deadline) throw new Error("no such dead letter arrived");
    await new Promise((r) => setTimeout(r, 100));
  }
}
