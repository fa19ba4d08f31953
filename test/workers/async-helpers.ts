import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, inject, vi } from "vitest";
import worker from "../../worker/index.ts";
import type { Env } from "../../worker/env.ts";
import type { Envelope } from "../../worker/queues/envelope.ts";
import { WORK_QUEUES } from "../../worker/queues/names.ts";
import { call, callWith } from "./helpers.ts";

export const e = env as unknown as Env;

/** An async hop as `GET /v1/hops/:id` shows it. */
export type HopView = {
  id: string;
  status: "queued" | "running" | "succeeded" | "failed";
  door: string;
  attempts: number;
  startedAt: string | null;
  endedAt: string | null;
  retryAt?: string;
  waiting?: string;
  lastError?: string;
  result?: { status: number; headers: Record<string, string>; body: any; bodyOmitted?: boolean };
  links: { self: string; trace: string };
  [k: string]: unknown;
};

/** Polls `GET /v1/hops/:id` until the hop ended (the real local queue delivers within its max_batch_timeout). */
export async function ended(id: string, get: (path: string) => Promise<Response> = (p) => call(p), tries = 200): Promise<HopView> {
  for (let i = 0; i < tries; i++) {
    const res = await get(`/v1/hops/${id}`);
    expect(res.status).toBe(200);
    const hop = (await res.json()) as HopView;
    if (hop.status === "succeeded" || hop.status === "failed") return hop;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`hop ${id} did not end`);
}

/** The hop as it is now. */
export async function hopNow(id: string, overrides: Partial<Env> = {}): Promise<HopView> {
  const res = await callWith(overrides, `/v1/hops/${id}`);
  expect(res.status).toBe(200);
  return (await res.json()) as HopView;
}

/** A stand-in queue binding that keeps what is sent to it (so the real local queue's consumer never sees it). */
export function stubQueue(): { queue: Queue; sent: { body: Envelope; delaySeconds: number | undefined }[] } {
  const sent: { body: Envelope; delaySeconds: number | undefined }[] = [];
  const queue = {
    async send(body: unknown, options?: { delaySeconds?: number }) {
      sent.push({ body: structuredClone(body) as Envelope, delaySeconds: options?.delaySeconds });
    },
    async sendBatch(messages: Iterable<{ body: unknown; delaySeconds?: number }>) {
      for (const m of messages) sent.push({ body: structuredClone(m.body) as Envelope, delaySeconds: m.delaySeconds });
    },
  };
  return { queue: queue as unknown as Queue, sent };
}

/** Delivers one message to the router's `queue()` handler as the HOPS queue would (with these bindings), and says what became of it. */
export async function deliver(body: Envelope, overrides: Partial<Env> = {}, attempts = 1, messageId: string = crypto.randomUUID()) {
  const batch = createMessageBatch(WORK_QUEUES.hops.queue, [{ id: messageId, timestamp: new Date(), attempts, body }]);
  // getQueueResult says which messages were retried, not after how long: the retry's own argument does
  const retried = vi.spyOn(batch.messages[0]!, "retry");
  const ctx = createExecutionContext();
  await worker.queue(batch, { ...e, ...overrides }, ctx);
  const r = await getQueueResult(batch, ctx);
  const retry = r.retryMessages.find((m) => m.msgId === messageId);
  return { acked: r.explicitAcks.includes(messageId), retry: retry && { delaySeconds: retried.mock.calls[0]?.[0]?.delaySeconds } };
}

/** Submits an async hop with a stand-in HOPS queue: its 202 and the `hop.run` message it enqueued. */
export async function submit(path: string, json: unknown, overrides: Partial<Env> = {}, headers: Record<string, string> = {}) {
  const hops = stubQueue();
  const res = await callWith({ ...overrides, HOPS: hops.queue }, path, { json, headers });
  expect(res.status, await res.clone().text()).toBe(202);
  const accepted = (await res.json()) as { id: string; status: string; links: { self: string } };
  expect(hops.sent).toHaveLength(1);
  return { res, id: accepted.id, message: hops.sent[0]!.body };
}

const faults = () => inject("faultsUrl");
/** Calls the fault upstream got with an Idempotency-Key containing `key` (a hop's id, when the client sent no key). */
export const upstreamCalls = async (key: string) => ((await (await fetch(`${faults()}/calls?key=${encodeURIComponent(key)}`)).json()) as { calls: number }).calls;
/** Answers the held calls (`?hold=1`) whose Idempotency-Key contains `key`. */
export const release = (key: string) => fetch(`${faults()}/release?key=${encodeURIComponent(key)}`, { method: "POST" });

/** A problem without its `hop` member (a hop's own id), for comparing a synchronous answer with an async one. */
export function withoutHop<T extends Record<string, unknown>>(p: T): Omit<T, "hop"> {
  const { hop: _hop, ...rest } = p;
  return rest;
}
