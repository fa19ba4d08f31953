import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../../worker/index.ts";
import { WORK_QUEUES } from "../../worker/queues/names.ts";
import { inject } from "vitest";
import { AsyncHop } from "../../durable-objects/async-hop.ts";
import { RateLimitPool } from "../../durable-objects/rate-limit-pool.ts";
import { HOP_LEASE_MS } from "../../worker/hops/record.ts";
import { asyncHopStub } from "../../worker/hops/submit.ts";
import { deliver, e, hopNow, release, stubQueue, submit, upstreamCalls } from "./async-helpers.ts";
import { callWith, configWith } from "./helpers.ts";

/**
 * What a redelivered, retried or interrupted `hop.run` does (the router's queue()
 * handler, fed one message at a time as the HOPS queue would): the specialist is called
 * at most once per hop; waiting over a limit re-queues; the end reaches the callback.
 */
afterEach(() => vi.restoreAllMocks());

const faults = () => inject("faultsUrl");
/** Submits a hop pinned to the side-effect specialist (it counts its calls by Idempotency-Key: the hop id). */
const sideEffectHop = (overrides = {}) => submit("/v1/route", { input: "do it once", specialist: "fault-side-effect", async: true }, overrides);

describe("exactly once: a redelivered hop.run never calls the specialist twice", () => {
  it("the same message delivered twice (a restart between the call and the ack): one call, the second delivery acked", async () => {
    const { id, message } = await sideEffectHop();
    expect(await deliver(message)).toEqual({ acked: true, retry: undefined });
    expect(await deliver(message, {}, 2)).toEqual({ acked: true, retry: undefined });
    expect(await upstreamCalls(id)).toBe(1);
    expect(await hopNow(id)).toMatchObject({ status: "succeeded", attempts: 1, result: { status: 200 } });
  });

  it("GET shows the hop running while its specialist call is in flight, with when it started", async () => {
    const { id, message } = await submit("/v1/route", { input: "held", specialist: "fault-held-effect", async: true });
    expect((await hopNow(id)).status).toBe("queued");
    const delivery = deliver(message);
    let seen = await hopNow(id);
    for (let i = 0; i < 100 && seen.status !== "running"; i++) seen = (await new Promise((r) => setTimeout(r, 50)), await hopNow(id));
    expect(seen).toMatchObject({ status: "running", attempts: 1, endedAt: null });
    expect(seen.startedAt).not.toBeNull();
    await release(id);
    expect(await delivery).toMatchObject({ acked: true });
    expect(await hopNow(id)).toMatchObject({ status: "succeeded", attempts: 1 });
  });

  it("two deliveries at once: one runs, the other is retried after the first one's lease, then acked without a call", async () => {
    const { id, message } = await submit("/v1/route", { input: "slow", specialist: "fault-slow-effect", async: true });
    const [a, b] = await Promise.all([deliver(message), deliver(message)]);
    const busy = [a, b].find((r) => r.retry)!;
    expect([a, b].filter((r) => r.acked)).toHaveLength(1);
    expect(busy.retry!.delaySeconds).toBeGreaterThan(HOP_LEASE_MS / 1000 - 60);
    expect(await upstreamCalls(id)).toBe(1);
    expect(await deliver(message, {}, 2)).toMatchObject({ acked: true });
    expect(await upstreamCalls(id)).toBe(1);
  });

  it("a consumer that throws before claiming (its record unavailable) is retried, and the retry runs the hop once", async () => {
    const { id, message } = await sideEffectHop();
    vi.spyOn(AsyncHop.prototype, "claim").mockRejectedValueOnce(new Error("Durable Object unavailable"));
    const first = await deliver(message);
    expect(first.acked).toBe(false);
    expect(first.retry?.delaySeconds).toBe(2); // the consumer's backoff
    expect(await upstreamCalls(id)).toBe(0);
    expect(await deliver(message, {}, 2)).toMatchObject({ acked: true });
    expect(await upstreamCalls(id)).toBe(1);
    expect((await hopNow(id)).status).toBe("succeeded");
  });

  it("an internal error before any specialist call (a pool unavailable) releases the claim: retried with backoff, then run once", async () => {
    const limited = `lim-${crypto.randomUUID().slice(0, 8)}`;
    const cfg = { SWITCHYARD_CONFIG: configWith((c) => c.specialists.push({ id: limited, endpoint: { type: "http", url: `${faults()}/side-effect` }, limits: { concurrency: 5 } })) };
    const { id, message } = await submit("/v1/route", { input: "x", specialist: limited, async: true }, cfg);
    vi.spyOn(RateLimitPool.prototype, "admit").mockRejectedValueOnce(new Error("pool unavailable"));
    const first = await deliver(message, cfg);
    expect(first.retry).toBeDefined();
    const waiting = await hopNow(id, cfg);
    expect(waiting).toMatchObject({ status: "queued", attempts: 1 });
    expect(waiting.lastError).toMatch(/500 before any specialist call/);
    expect(await upstreamCalls(id)).toBe(0);
    expect(await deliver(message, cfg, 2)).toMatchObject({ acked: true });
    expect(await hopNow(id, cfg)).toMatchObject({ status: "succeeded", attempts: 2 });
    expect(await upstreamCalls(id)).toBe(1);
  });

  it("a claim whose delivery vanished mid-call (its lease ran out) ends the hop as interrupted, without calling again", async () => {
    const { id, message } = await sideEffectHop();
    const stub = asyncHopStub(e, id);
    expect(await stub.claim(1)).toMatchObject({ state: "claimed", claims: 1 }); // a delivery that claimed, then vanished
    await new Promise((r) => setTimeout(r, 20));
    expect(await deliver(message, {}, 2)).toMatchObject({ acked: true });
    const hop = await hopNow(id);
    expect(hop).toMatchObject({ status: "failed", result: { status: 502, body: { type: "urn:switchyard:problem:interrupted", title: "Hop interrupted", hop: id } } });
    expect(hop.result!.body.detail).toBe("the router restarted during the specialist call; not retried so the specialist is not called twice");
    expect(await upstreamCalls(id)).toBe(0);
    expect(await deliver(message, {}, 3)).toMatchObject({ acked: true });
    expect((await hopNow(id)).status).toBe("failed");

    // on the chat door, in OpenAI's error shape (the door writes it)
    const chat = await submit("/v1/chat/completions", { model: "fault-side-effect", messages: [{ role: "user", content: "once" }] }, {}, { prefer: "respond-async" });
    await asyncHopStub(e, chat.id).claim(1);
    await new Promise((r) => setTimeout(r, 20));
    await deliver(chat.message, {}, 2);
    expect(await hopNow(chat.id)).toMatchObject({ status: "failed", result: { status: 502, body: { error: { code: "interrupted", type: "server_error" } } } });
    expect(await upstreamCalls(chat.id)).toBe(0);
  });

  it("a message for an unknown (or expired) hop is acknowledged; a hop.run without a hop id is retried (then dead-lettered)", async () => {
    const { message } = await sideEffectHop();
    const ghost = `hop_${crypto.randomUUID()}`;
    expect(await deliver({ ...message, id: `hop:${ghost}`, body: { hop: ghost } })).toMatchObject({ acked: true });
    expect(await deliver({ ...message, body: {} })).toMatchObject({ acked: false, retry: expect.anything() });
  });
});

describe("over a limit: re-queued, not failed", () => {
  it("a pool at its concurrency re-queues the hop for its Retry-After (a fresh message); once the limit allows, it succeeds", async () => {
    const held = `held-${crypto.randomUUID().slice(0, 8)}`;
    const key = `k-${crypto.randomUUID()}`;
    const cfg = { SWITCHYARD_CONFIG: configWith((c) => c.specialists.push({ id: held, endpoint: { type: "http", url: `${faults()}/side-effect?hold=1` }, limits: { concurrency: 1 }, timeoutMs: 60_000 })) };
    // a synchronous call holds the only slot
    const first = callWith(cfg, "/v1/route", { json: { input: "x", specialist: held, idempotencyKey: key } });
    for (let i = 0; i < 100 && (await upstreamCalls(key)) === 0; i++) await new Promise((r) => setTimeout(r, 50));
    const { id, message } = await submit("/v1/route", { input: "y", specialist: held, async: true }, cfg);
    const hops = stubQueue();
    expect(await deliver(message, { ...cfg, HOPS: hops.queue })).toMatchObject({ acked: true });
    expect(hops.sent).toHaveLength(1);
    const again = hops.sent[0]!;
    expect(again.body).toMatchObject({ id: `hop:${id}`, kind: "hop.run", body: { hop: id }, at: message.at });
    expect(again.delaySeconds).toBeGreaterThan(0);
    const waiting = await hopNow(id, cfg);
    expect(waiting).toMatchObject({ status: "queued", attempts: 1 });
    expect(waiting.waiting).toMatch(/concurrency/);
    expect(Date.parse(waiting.retryAt!) - Date.now()).toBeGreaterThan(0);
    expect(await upstreamCalls(id)).toBe(0);

    await release(key);
    expect((await first).status).toBe(200);
    await release(id); // the hop's own call answers at once once released
    expect(await deliver(again.body, { ...cfg, HOPS: hops.queue })).toMatchObject({ acked: true });
    expect(hops.sent).toHaveLength(1);
    expect(await hopNow(id, cfg)).toMatchObject({ status: "succeeded", attempts: 2, result: { status: 200 } });
    expect(await upstreamCalls(id)).toBe(1);
  });

  it("a Retry-After past the longest wait (15 minutes from submission) fails the hop with the 429 the door answered", async () => {
    const slow = `ratelimited-${crypto.randomUUID().slice(0, 8)}`;
    const cfg = { SWITCHYARD_CONFIG: configWith((c) => c.specialists.push({ id: slow, endpoint: { type: "http", url: `${faults()}/rate-limit?retryAfter=3600` }, retries: 0 })) };
    const { id, message } = await submit("/v1/route", { input: "x", specialist: slow, async: true }, cfg);
    const hops = stubQueue();
    expect(await deliver(message, { ...cfg, HOPS: hops.queue })).toMatchObject({ acked: true });
    expect(hops.sent).toEqual([]);
    const hop = await hopNow(id, cfg);
    expect(hop).toMatchObject({ status: "failed", result: { status: 429, headers: { "retry-after": "3600" }, body: { type: "urn:switchyard:problem:rate-limited" } } });
  });
});

describe("callbacks", () => {
  it("an ended hop's event goes to the WEBHOOKS queue once: hop.succeeded with the hop as GET shows it", async () => {
    const hooks = stubQueue();
    const callback = { url: "https://hooks.example.com/switchyard", secret: "0123456789abcdef" };
    const { id, message } = await submit("/v1/route", { input: "x", specialist: "fault-ok", async: true, callback }, { WEBHOOKS: hooks.queue });
    await deliver(message, { WEBHOOKS: hooks.queue });
    await deliver(message, { WEBHOOKS: hooks.queue }, 2); // a redelivery: done, its end already handed over
    expect(hooks.sent).toHaveLength(1);
    const sent = hooks.sent[0]!;
    const view = await hopNow(id);
    expect(sent.body).toMatchObject({ v: 1, kind: "webhook.deliver", id: `webhook:${id}:succeeded`, tenant: "dev" });
    expect(sent.body.body).toEqual({ callback, event: { id: `${id}:succeeded`, type: "hop.succeeded", occurredAt: view.endedAt, data: { hop: view } } });
  });

  it("a failed hop's event is hop.failed, with the problem; an event too large for a queue message leaves the body out", async () => {
    const hooks = stubQueue();
    const callback = { url: "https://hooks.example.com/switchyard" };
    const failed = await submit("/v1/route", { input: "x", specialist: "fault-error", async: true, callback }, { WEBHOOKS: hooks.queue });
    await deliver(failed.message, { WEBHOOKS: hooks.queue });
    expect(hooks.sent[0]!.body).toMatchObject({ id: `webhook:${failed.id}:failed`, body: { event: { type: "hop.failed", data: { hop: { status: "failed", result: { status: 502, body: { type: "urn:switchyard:problem:specialist-failed" } } } } } } });

    const big = await submit("/v1/route", { input: "x", specialist: "fault-big", async: true, callback }, { WEBHOOKS: hooks.queue });
    await deliver(big.message, { WEBHOOKS: hooks.queue });
    const event = (hooks.sent[1]!.body.body as { event: { data: { hop: { result: Record<string, unknown> } } } }).event;
    expect(event.data.hop.result).toEqual({ status: 200, headers: expect.any(Object), bodyOmitted: true });
    const stored = await hopNow(big.id);
    expect(stored.result!.body.output.text).toHaveLength(3_000_000); // GET has it all
  });
});

describe("a queued hop's after-response work", () => {
  it("sends its metrics at once, not after the flush window: the consumer's batch is not held for it", { timeout: 20_000 }, async () => {
    // a 60 s flush window: were the replay's counters to wait for it, the batch's waitUntil (and this delivery) would take a minute
    const cfg = { SWITCHYARD_CONFIG: configWith((c) => void (c.observability = { ...(c.observability ?? {}), metricsFlushMs: 60_000 })) };
    await callWith({}, "/v1/route", { json: { input: "start the window", specialist: "fault-ok" } }); // a sync hop under the test config (no window): its flush, now, starts the window
    const { id, message } = await submit("/v1/route", { input: "counted now", specialist: "fault-ok", async: true }, cfg);
    const delivered = await Promise.race([deliver(message, cfg).then(() => "delivered"), new Promise((r) => setTimeout(() => r("held"), 10_000))]);
    expect(delivered).toBe("delivered");
    expect((await hopNow(id)).status).toBe("succeeded");
  });
});

describe("a batch that partially fails", () => {
  it("acks the messages that ran and retries only the one that failed; its retry runs it once, the others are never run again", async () => {
    const hops = [await sideEffectHop(), await sideEffectHop(), await sideEffectHop()];
    const failing = hops[1]!;
    const claim = AsyncHop.prototype.claim;
    vi.spyOn(AsyncHop.prototype, "claim").mockImplementation(async function (this: AsyncHop, ...args: Parameters<AsyncHop["claim"]>) {
      if ((this as unknown as { ctx: DurableObjectState }).ctx.id.equals(e.ASYNC_HOP!.idFromName(failing.id))) throw new Error("Durable Object reset");
      return claim.apply(this, args);
    });
    const batch = createMessageBatch(WORK_QUEUES.hops.queue, hops.map((h, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body: h.message })));
    const ctx = createExecutionContext();
    await worker.queue(batch, e, ctx);
    const r = await getQueueResult(batch, ctx);
    expect(r.explicitAcks.sort()).toEqual(["m0", "m2"]);
    expect(r.retryMessages.map((m) => m.msgId)).toEqual(["m1"]);
    expect([await upstreamCalls(hops[0]!.id), await upstreamCalls(failing.id), await upstreamCalls(hops[2]!.id)]).toEqual([1, 0, 1]);
    vi.restoreAllMocks();
    // Queues redelivers only m1; a stray redelivery of the whole batch would still call nobody twice
    const again = createMessageBatch(WORK_QUEUES.hops.queue, hops.map((h, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 2, body: h.message })));
    const ctx2 = createExecutionContext();
    await worker.queue(again, e, ctx2);
    expect((await getQueueResult(again, ctx2)).explicitAcks.sort()).toEqual(["m0", "m1", "m2"]);
    expect([await upstreamCalls(hops[0]!.id), await upstreamCalls(failing.id), await upstreamCalls(hops[2]!.id)]).toEqual([1, 1, 1]);
    for (const h of hops) expect((await hopNow(h.id)).status).toBe("succeeded");
  });
});

