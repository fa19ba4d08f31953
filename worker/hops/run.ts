import type { Env } from "../env.ts";
import type { Envelope } from "../queues/envelope.ts";
import { envelope } from "../queues/envelope.ts";
import type { Handled, Handler } from "../queues/consume.ts";
import { enqueueCallbackEvent, type CallbackEvent } from "../queues/callbacks.ts";
import type { JsonObject } from "../json.ts";
import type { ProblemInit } from "../http/problem.ts";
import { internalRequest, type InternalCall } from "./internal-call.ts";
import { retryAfterSeconds } from "./prefer.ts";
import { HOP_LEASE_MS, HOP_MAX_WAIT_MS, hopView, parsed, type HopState } from "./record.ts";
import { HopRunBody } from "./schemas.ts";
import { asyncHopStub } from "./submit.ts";

/** The router's own app, called in process (`app.fetch`). */
export type AppFetch = (request: Request, env: Env, ctx: ExecutionContext) => Response | Promise<Response>;

/** Where a replayed request is addressed (only the path is read; nothing resolves this host). */
const INTERNAL_ORIGIN = "https://switchyard.internal";

/** The answer headers kept with a hop's result. */
const KEPT_HEADERS = ["content-type", "retry-after", "x-intent-id", "x-switchyard-specialist", "x-switchyard-not-sent"];

const ack: Handled = { action: "ack" };

/** The hop a `hop.run` message is for; throws (the message is retried, then dead-lettered) when it names none or another id. */
function hopOf(message: Envelope): string {
  const body = HopRunBody.safeParse(message.body);
  if (!body.success || message.id !== `hop:${body.data.hop}`) throw new Error(`a hop.run message must carry { hop: <hop id> } under the id 'hop:<hop id>' (got id '${message.id}')`);
  return body.data.hop;
}

/** The problem of a hop ended by a restart mid-call. */
const interrupted = (hop: string): ProblemInit => ({
  status: 502,
  slug: "interrupted",
  title: "Hop interrupted",
  detail: "the router restarted during the specialist call; not retried so the specialist is not called twice",
  extra: { hop },
});

/**
 * The `hop.run` consumer: runs an async hop exactly once through the same path as a
 * synchronous one. The hop's stored request is replayed through the router's own app
 * (`appFetch`) as the tenant that submitted it (an in-process mark, worker/hops/internal-call.ts),
 * so auth's principal, kill switches, validation, policy, screening, pools, retries,
 * fallbacks, hop traces and metrics all apply as they would to the synchronous request;
 * its answer (status, headers, body) is the hop's result.
 *
 * A delivery claims the hop before the replay (durable-objects/async-hop.ts): a hop
 * that already ended is acknowledged, one another delivery runs is retried after that
 * delivery's lease, one whose earlier delivery vanished mid-execution ends as
 * `interrupted` (the specialist may have been called: it is not called again; the
 * replay is refused with that problem at auth, so the door writes it in its own shape).
 * A 429 with `Retry-After` (a pool over its limit, the specialist rate-limiting) puts
 * the hop back in the queue for that long (a fresh message, so waiting spends none of
 * the queue's retries), at most {@link HOP_MAX_WAIT_MS} after its submission; past that
 * the hop fails with the 429. A 500 (an internal error, e.g. a Durable Object
 * unavailable) before any specialist call releases the claim and throws: the queue
 * retries with backoff, then dead-letters it. Any other answer ends the hop. Its end is
 * then reported to its callback, if it has one.
 */
export function hopRunner(env: Env, ctx: ExecutionContext, appFetch: AppFetch, now: () => number = () => Date.now()): Handler {
  return async function runHop(message) {
    const id = hopOf(message);
    const stub = asyncHopStub(env, id);
    const claim = await stub.claim(HOP_LEASE_MS);
    switch (claim.state) {
      case "unknown":
        console.warn(JSON.stringify({ msg: "hop.run for an unknown or expired hop", hop: id }));
        return ack;
      case "done":
        await reportEnd(env, stub, claim.hop);
        return ack;
      case "busy":
        return { action: "retry", delaySeconds: Math.ceil(claim.retryAfterMs / 1000), reason: "another delivery is running this hop" };
      case "stale":
      case "claimed":
        break;
    }
    const { hop, request, claims } = claim;
    // a stale claim: the door answers the interrupted problem itself (in its own shape), calling nobody; it is never released
    const stale = claim.state === "stale";
    const call: InternalCall = { principal: { tenant: hop.tenant, admin: hop.admin }, hopId: id, specialistCalls: 0, ...(stale ? { refuse: interrupted(id) } : {}) };
    const replay = internalRequest(new Request(new URL(request.path, INTERNAL_ORIGIN), { method: "POST", headers: request.headers, body: request.body }), call);
    let res: Response;
    try {
      res = await appFetch(replay, env, ctx);
    } catch (e) {
      if (call.specialistCalls === 0 && !stale) await stub.release(claims, String(e)).catch(() => undefined);
      throw e; // after a specialist call the claim stays: a redelivery finds it stale, never calls again
    }
    const body = await res.text();
    const waitS = res.status === 429 && !stale ? retryAfterSeconds(res.headers.get("retry-after"), now()) : undefined;
    if (waitS !== undefined && now() + waitS * 1000 <= hop.submittedAt + HOP_MAX_WAIT_MS) {
      const why = detailOf(body) ?? "over a limit";
      if (!(await stub.requeue(claims, now() + waitS * 1000, why))) return ack; // a later delivery took it over
      if (!env.HOPS) throw new Error("the HOPS queue binding is missing (wrangler.toml)");
      await env.HOPS.send(envelope("hop.run", message.id, message.tenant, { hop: id }, new Date(Date.parse(message.at))), { delaySeconds: Math.max(1, Math.min(43_200, waitS)) });
      return ack;
    }
    if (res.status === 500 && call.specialistCalls === 0) {
      const error = `the replay answered 500 before any specialist call: ${detailOf(body) ?? body.slice(0, 200)}`;
      if (!stale) await stub.release(claims, error);
      throw new Error(error);
    }
    const headers: Record<string, string> = {};
    for (const h of KEPT_HEADERS) {
      const v = res.headers.get(h);
      if (v !== null) headers[h] = v;
    }
    // the answer ends the hop, and a specialist may have been called for it: worth a few tries (a throw here leaves the claim to go stale)
    const r = await persist(() => stub.finish(claims, { status: res.status, headers }, body));
    if (r.hop) await reportEnd(env, stub, r.hop);
    return ack;
  };
}

/** Calls `write` up to three times (a Durable Object call may fail transiently: reset, overloaded). */
async function persist<T>(write: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await write();
    } catch (e) {
      if (i >= 2) throw e;
      await new Promise((r) => setTimeout(r, 100 * 2 ** i));
    }
  }
}

/** A problem's (or an OpenAI error's) message, for why a hop waits. */
function detailOf(body: string): string | undefined {
  try {
    const j = JSON.parse(body) as { detail?: unknown; error?: { message?: unknown } };
    const d = typeof j.detail === "string" ? j.detail : j.error?.message;
    return typeof d === "string" ? d : undefined;
  } catch {
    return undefined;
  }
}

type HopStub = ReturnType<typeof asyncHopStub>;

/**
 * Reports an ended hop to its callback once (`hop.succeeded` / `hop.failed`, event id
 * `<hop id>:<status>`: the webhooks consumer delivers one event once), carrying the hop
 * as `GET /v1/hops/:id` shows it; its body is left out when the event would not fit in
 * a queue message. Nothing for a hop without a callback, or whose end was already handed over.
 */
async function reportEnd(env: Env, stub: HopStub, hop: HopState): Promise<void> {
  if (!hop.callback || hop.callbackQueued || !hop.result || (hop.status !== "succeeded" && hop.status !== "failed")) return;
  const stored = await stub.read(hop.tenant);
  if (!stored) return;
  const body = parsed(stored.body);
  const event = (omit: boolean): CallbackEvent => ({
    id: `${hop.id}:${hop.status}`,
    type: `hop.${hop.status}`,
    occurredAt: new Date(hop.endedAt ?? Date.now()).toISOString(),
    // JSON by construction: the view's members are strings, numbers, null and the parsed body
    data: { hop: hopView(stored.hop, body, omit) as unknown as JsonObject },
  });
  try {
    await enqueueCallbackEvent(env, hop.tenant, hop.callback, event(false));
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    await enqueueCallbackEvent(env, hop.tenant, hop.callback, event(true)); // too large for a queue message: the receiver GETs links.self
  }
  await stub.callbackQueued();
}
