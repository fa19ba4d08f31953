/**
 * An async hop's record and its rules (pure): what `POST /v1/route` with `"async": true`
 * (or `Prefer: respond-async`) stored, where its execution is, and how it ended. The
 * claim that keeps a redelivered `hop.run` from calling the specialist twice follows
 * the message ledger's rules (worker/queues/ledger-logic.ts), kept in the same record
 * so that the claim and the hop's state change together (durable-objects/async-hop.ts).
 */
import type { Json } from "../json.ts";
import { claim, complete, DEDUP_WINDOW_MS, fail, type LedgerEntry } from "../queues/ledger-logic.ts";

/** The front door a hop came through: its request is replayed there. */
export type HopDoor = "route" | "chat";

/** `queued` (waiting for the consumer, or re-queued over a limit), `running`, and the two ends. */
export type HopStatus = "queued" | "running" | "succeeded" | "failed";

/** The request the consumer replays through the router's own app: already validated. */
export interface HopReplay {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** How a hop ended: the status and the headers the synchronous door answered (its body is stored apart). */
export interface HopResult {
  status: number;
  headers: Record<string, string>;
}

/** Where a hop reports its end (worker/queues/callbacks.ts `Callback`). */
export interface HopCallback {
  url: string;
  secret?: string | undefined;
}

/** One async hop. Times are epoch milliseconds. */
export interface HopDoc {
  id: string;
  tenant: string;
  /** The submitting key was the admin key (the replay runs as the same principal). */
  admin: boolean;
  door: HopDoor;
  /** SHA-256 of the request (door, body, headers but the trace's): the same idempotency key with another request is a conflict. */
  requestHash: string;
  callback: HopCallback | null;
  status: HopStatus;
  submittedAt: number;
  /** When the latest execution began. */
  startedAt: number | null;
  endedAt: number | null;
  /** Executions begun (deliveries that claimed the hop and ran it). */
  attempts: number;
  /** A re-queued hop (over a limit): when it is tried again, and why it waits. */
  retryAt: number | null;
  waiting: string | null;
  /** Why the latest execution gave up before its end (an internal error; it is retried). */
  lastError: string | null;
  result: HopResult | null;
  /** The end was handed to the webhooks queue (the callback, when there is one). */
  callbackQueued: boolean;
  /** The exactly-once claim (ledger-logic.ts rules); null until a delivery first claims it. */
  claim: LedgerEntry | null;
  /** When the record is forgotten: the dedup window after its last change. */
  expiresAt: number;
}

/** A hop as the record's RPC methods return it: without the claim (its `outcome` is `unknown`, which RPC cannot type). */
export type HopState = Omit<HopDoc, "claim">;

/** How long a delivery holds its claim: the Queues consumer's wall-clock limit, so a live claim is a live invocation (https://developers.cloudflare.com/queues/platform/limits/). */
export const HOP_LEASE_MS = 15 * 60 * 1000;

/** The longest a hop waits over limits, from its submission: a `Retry-After` past it fails the hop with the 429 the door answered. */
export const HOP_MAX_WAIT_MS = 15 * 60 * 1000;

/** A new, queued hop. */
export function newHop(init: Pick<HopDoc, "id" | "tenant" | "admin" | "door" | "requestHash" | "callback">, now: number, windowMs = DEDUP_WINDOW_MS): HopDoc {
  return { ...init, status: "queued", submittedAt: now, startedAt: null, endedAt: null, attempts: 0, retryAt: null, waiting: null, lastError: null, result: null, callbackQueued: false, claim: null, expiresAt: now + windowMs };
}

/**
 * What a delivery of `hop.run` may do:
 * - `claimed`: run the hop (nobody else is; `claims` fences what this delivery writes);
 * - `done`: it already ended: acknowledge;
 * - `busy`: another delivery runs it: retry after `retryAfterMs`;
 * - `stale`: an earlier delivery claimed it and vanished mid-execution (the specialist
 *   may or may not have been called): never run again, end it as interrupted.
 */
export type HopClaim =
  | { state: "claimed"; claims: number }
  | { state: "done" }
  | { state: "busy"; retryAfterMs: number }
  | { state: "stale"; claims: number };

/** Applies a delivery's claim at `now`: the verdict and the record to store (undefined: unchanged). */
export function claimHop(doc: HopDoc, now: number, leaseMs = HOP_LEASE_MS, windowMs = DEDUP_WINDOW_MS): { verdict: HopClaim; store?: HopDoc } {
  if (doc.status === "succeeded" || doc.status === "failed") return { verdict: { state: "done" } };
  const { result, store } = claim(doc.claim ?? undefined, doc.id, now, leaseMs, windowMs);
  switch (result.state) {
    case "done":
      return { verdict: { state: "done" } };
    case "busy":
      return { verdict: result };
    case "stale":
      return { verdict: { state: "stale", claims: result.claims }, ...(store ? { store: { ...doc, claim: store, expiresAt: store.expiresAt } } : {}) };
    case "claimed":
      return {
        verdict: { state: "claimed", claims: result.claims },
        ...(store ? { store: { ...doc, claim: store, status: "running", startedAt: now, attempts: doc.attempts + 1, retryAt: null, waiting: null, expiresAt: store.expiresAt } } : {}),
      };
  }
}

/** Whether a delivery holding claim `claims` may still write: the hop has not ended and no later delivery took it over. */
function holds(doc: HopDoc, claims: number): boolean {
  return doc.status !== "succeeded" && doc.status !== "failed" && doc.claim?.claims === claims && doc.claim.state === "claimed";
}

/** Ends the hop with the door's answer: `succeeded` on a 2xx, else `failed`. Undefined: not this delivery's to end (fenced). */
export function finishHop(doc: HopDoc, claims: number, result: HopResult, now: number, windowMs = DEDUP_WINDOW_MS): HopDoc | undefined {
  if (!holds(doc, claims)) return undefined;
  const status: HopStatus = result.status >= 200 && result.status < 300 ? "succeeded" : "failed";
  const entry = complete(doc.claim ?? undefined, doc.id, { status: result.status }, now, windowMs);
  return { ...doc, claim: entry, status, endedAt: now, result, retryAt: null, waiting: null, expiresAt: entry.expiresAt };
}

/** Puts the hop back in the queue until `retryAt` (over a limit): its claim is released, the specialist was not called. */
export function requeueHop(doc: HopDoc, claims: number, retryAt: number, why: string, now: number, windowMs = DEDUP_WINDOW_MS): HopDoc | undefined {
  if (!holds(doc, claims)) return undefined;
  const entry = fail(doc.claim ?? undefined, doc.id, why, now, true, windowMs);
  return { ...doc, claim: entry, status: "queued", retryAt, waiting: why, expiresAt: entry.expiresAt };
}

/** Gives the claim up after an internal error before any specialist call: a redelivery runs the hop again. */
export function releaseHop(doc: HopDoc, claims: number, error: string, now: number, windowMs = DEDUP_WINDOW_MS): HopDoc | undefined {
  if (!holds(doc, claims)) return undefined;
  const entry = fail(doc.claim ?? undefined, doc.id, error, now, true, windowMs);
  return { ...doc, claim: entry, status: "queued", lastError: entry.lastError, expiresAt: entry.expiresAt };
}

/** The record without its claim, as RPC returns it. */
export function hopState(doc: HopDoc): HopState {
  const { claim: _claim, ...state } = doc;
  return state;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Links of a hop. */
export const hopLinks = (id: string) => ({ self: `/v1/hops/${id}`, trace: `/v1/hops/${id}/trace` });

/**
 * A hop as `GET /v1/hops/:id` answers it (and its callback event carries it): status,
 * timestamps, attempts, and once ended the door's answer (`result`: its status,
 * headers and body, exactly as the synchronous request would have been answered).
 * `body` is the answer's JSON; a callback too large for a queue message sends
 * `bodyOmitted: true` instead (GET `links.self` for it).
 */
export function hopView(h: HopState, body: Json | undefined, omitBody = false) {
  return {
    id: h.id,
    status: h.status,
    door: h.door,
    submittedAt: iso(h.submittedAt)!,
    startedAt: iso(h.startedAt),
    endedAt: iso(h.endedAt),
    attempts: h.attempts,
    ...(h.retryAt !== null ? { retryAt: iso(h.retryAt)! } : {}),
    ...(h.waiting !== null ? { waiting: h.waiting } : {}),
    ...(h.lastError !== null && h.result === null ? { lastError: h.lastError } : {}),
    ...(h.callback ? { callback: { url: h.callback.url } } : {}),
    ...(h.result ? { result: { status: h.result.status, headers: h.result.headers, ...(omitBody ? { bodyOmitted: true } : { body }) } } : {}),
    expiresAt: iso(h.expiresAt)!,
    links: hopLinks(h.id),
  };
}

/** A stored answer body as JSON (a body that is not JSON, as its text). */
export function parsed(body: string | null): Json | undefined {
  if (body === null) return undefined;
  try {
    return JSON.parse(body) as Json;
  } catch {
    return body;
  }
}
