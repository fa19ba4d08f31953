import type { Context } from "hono";
import type { AppEnv, Env } from "../env.ts";
import { badRequest, ProblemError } from "../http/problem.ts";
import { sha256Hex } from "../intent/record.ts";
import { callbackUrlProblem, type Callback } from "../queues/callbacks.ts";
import { envelope } from "../queues/envelope.ts";
import { contentHash } from "../tasks/audit.ts";
import { hopLinks, type HopDoor, type HopStatus } from "./record.ts";
import type { Specialist } from "../config/schema.ts";
import { decisionProblem } from "../http/failures.ts";
import { decide, type Unable } from "../routing/decide.ts";
import type { Runtime } from "../runtime.ts";

/** An async hop submitted at a front door, after the door validated it as it validates a synchronous one. */
export interface AsyncSubmission {
  door: HopDoor;
  /** The door's path: the consumer replays the request there. */
  path: string;
  /** The body to replay (JSON text): the synchronous request's. */
  body: string;
  /** Headers to replay besides `content-type` and the trace's (`x-intent-id`, `idempotency-key`). */
  headers: Record<string, string>;
  /** The client's idempotency key: the same key (same tenant) is the same hop. */
  idempotencyKey?: string | undefined;
  callback?: Callback | undefined;
  /** The `Prefer: respond-async` header asked for it: answer `Preference-Applied`. */
  preferenceApplied: boolean;
}

/** The 202 of a submitted hop. */
export interface Accepted {
  id: string;
  status: HopStatus;
  links: { self: string; trace: string };
}

/** The async hop's record (durable-objects/async-hop.ts); a 503 when the router has no ASYNC_HOP binding. */
export function asyncHopStub(env: Env, id: string) {
  const ns = env.ASYNC_HOP;
  if (!ns) throw unavailable("no ASYNC_HOP Durable Object binding (wrangler.toml)");
  return ns.get(ns.idFromName(id));
}

const unavailable = (why: string) =>
  new ProblemError({ status: 503, slug: "async-unavailable", title: "Async hops unavailable", detail: `this router cannot take async hops: ${why}; send the hop without "async" or Prefer: respond-async` });

/** A UUID's shape (8-4-4-4-12) over the first 32 hex digits of a digest. */
const uuidShaped = (hex: string) => `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;

/**
 * The id of a tenant's async hop: from its idempotency key (the same key, the same
 * hop; another tenant's same key, another hop), else fresh.
 *
 * @example
 * await asyncHopId("acme", "order-42") // "hop_…" (the same on every call)
 */
export async function asyncHopId(tenant: string, idempotencyKey: string | undefined): Promise<string> {
  if (idempotencyKey === undefined) return `hop_${crypto.randomUUID()}`;
  return `hop_${uuidShaped(await sha256Hex(`switchyard-async-hop\u0000${tenant}\u0000${idempotencyKey}`))}`;
}

/**
 * Accepts an async hop: stores its request (durable-objects/async-hop.ts) and enqueues
 * `hop.run` on the HOPS queue (envelope id `hop:<id>`); sets `Location`, and
 * `Preference-Applied` / `Idempotent-Replayed` where they apply. The same idempotency
 * key with the same request answers the hop as it is (nothing enqueued again); with
 * another request, a 409. A refused callback URL is a 400 naming `callback.url`; a
 * router without the queue (or the record's binding) answers 503, enqueueing nothing.
 */
export async function submitAsyncHop(c: Context<AppEnv>, s: AsyncSubmission, allowPrivateNetworks: boolean): Promise<Accepted> {
  const env = c.env;
  if (!env.HOPS) throw unavailable("no HOPS queue binding (wrangler.toml)");
  if (s.callback) {
    const why = callbackUrlProblem(s.callback.url, env.DEV_MODE === "true" || allowPrivateNetworks);
    if (why) throw badRequest(`callback.url ${why}`, [{ path: "callback.url", message: why }]);
    if (!env.WEBHOOKS) throw unavailable("no WEBHOOKS queue binding for its callback (wrangler.toml)");
  }
  const principal = c.get("principal");
  const id = await asyncHopId(principal.tenant, s.idempotencyKey);
  const requestHash = await contentHash({ door: s.door, path: s.path, headers: s.headers, body: JSON.parse(s.body) as unknown, callback: s.callback ?? null });
  const tracestate = c.get("tracestate");
  // the replay continues this request's trace: its span is the replay's parent
  const headers = { "content-type": "application/json", ...s.headers, traceparent: c.get("traceparent"), ...(tracestate ? { tracestate } : {}) };
  const stub = asyncHopStub(env, id);
  const r = await stub.submit({ id, tenant: principal.tenant, admin: principal.admin, door: s.door, requestHash, callback: s.callback ?? null }, { path: s.path, headers, body: s.body });
  if (r.kind === "conflict")
    throw new ProblemError({ status: 409, slug: "idempotency-conflict", title: "Idempotency conflict", detail: "this idempotency key was already used with a different request" });
  if (r.kind === "created") {
    try {
      await env.HOPS.send(envelope("hop.run", `hop:${id}`, principal.tenant, { hop: id }));
    } catch (e) {
      await stub.forget().catch(() => undefined); // a retry with the same key submits it again
      console.error(JSON.stringify({ msg: "async hop not enqueued", hop: id, error: String(e) }));
      throw unavailable("its queue refused the message");
    }
  } else c.header("idempotent-replayed", "true");
  c.header("location", hopLinks(id).self);
  c.header("x-switchyard-hop", id);
  if (s.preferenceApplied) c.header("preference-applied", "respond-async");
  return { id, status: r.hop.status, links: hopLinks(id) };
}

/**
 * Refuses at submission what the synchronous door would refuse when it decides: a
 * pinned specialist (or model) that is not registered (404) or cannot honour the
 * request (400 naming the field). Routing by intent is decided when the hop runs: the
 * model, the cached intents and runtime registrations may change meanwhile.
 */
export function refusePinned(rt: Runtime, pinned: string | undefined, unable?: (s: Specialist) => Unable | undefined): void {
  if (pinned === undefined) return;
  const r = decide({ pinned, registry: rt.registry, minConfidence: rt.config.router.minConfidence, unable });
  if (!r.ok) throw decisionProblem(r);
}
