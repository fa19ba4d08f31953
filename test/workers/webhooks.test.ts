import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import worker from "../../worker/index.ts";
import type { Env } from "../../worker/env.ts";
import { enqueueCallbackEvent, type Callback } from "../../worker/queues/callbacks.ts";
import { envelope } from "../../worker/queues/envelope.ts";
import { ledgerFor } from "../../worker/queues/ledger.ts";
import { WORK_QUEUES } from "../../worker/queues/names.ts";
import { deadLetterWhere, e, hook, received, receivedWhen, WHSEC } from "./webhook-helpers.ts";

const event = (data: Record<string, unknown> = { n: 1 }) => ({ id: `evt_${crypto.randomUUID()}`, type: "test.happened", occurredAt: new Date().toISOString(), data: data as never });

/** A `webhook.deliver` envelope, as `enqueueCallbackEvent` makes it. */
const message = (callback: Callback, ev = event(), tenant = "acme") => envelope("webhook.deliver", `webhook:${ev.id}`, tenant, { callback, event: ev as never });

/**
 * Delivers messages to the Worker's queue() handler as Queues would, and returns what
 * it did with each (`getQueueResult` does not keep a retry's delay: it is read off the
 * `retry()` call).
 */
async function consume(queue: string, messages: { id: string; attempts: number; body: unknown }[], env: Env = e) {
  const batch = createMessageBatch(queue, messages.map((m) => ({ ...m, timestamp: new Date() })));
  const delays = new Map<string, number | undefined>();
  for (const m of batch.messages) {
    const retry = m.retry.bind(m);
    m.retry = (options?: QueueRetryOptions) => {
      delays.set(m.id, options?.delaySeconds);
      retry(options);
    };
  }
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  const r = await getQueueResult(batch, ctx);
  return { ...r, retryMessages: r.retryMessages.map((x) => ({ ...x, delaySeconds: delays.get(x.msgId) })) };
}
const W = WORK_QUEUES.webhooks;

describe("webhook delivery through the real local queue", () => {
  it("POSTs the event signed the Standard Webhooks way: an independent implementation verifies it", async () => {
    const h = hook();
    const ev = event({ hello: "world" });
    await enqueueCallbackEvent(e, "acme", { url: h.url, secret: WHSEC }, ev);
    const r = await receivedWhen(h.name, (x) => x.accepted === 1);
    const got = r.attempts[0]!;
    expect(got.headers["webhook-id"]).toBe(ev.id);
    expect(got.headers["content-type"]).toBe("application/json");
    expect(Math.abs(Number(got.headers["webhook-timestamp"]) - Date.now() / 1000)).toBeLessThan(60);
    expect(new Webhook(WHSEC).verify(got.body, got.headers)).toEqual({ type: "test.happened", timestamp: ev.occurredAt, data: { hello: "world" } });
    // the same bytes with another key, or another body with this signature, do not verify
    expect(() => new Webhook(`whsec_${btoa("some-other-key-012345678")}`).verify(got.body, got.headers)).toThrow();
    expect(() => new Webhook(WHSEC).verify(got.body.replace("world", "there"), got.headers)).toThrow();
  });

  it("sends no signature header without a secret", async () => {
    const h = hook();
    await enqueueCallbackEvent(e, "acme", { url: h.url }, event());
    const r = await receivedWhen(h.name, (x) => x.accepted === 1);
    expect(r.attempts[0]!.headers["webhook-signature"]).toBeUndefined();
    expect(r.attempts[0]!.headers["webhook-id"]).toMatch(/^evt_/);
  });
});

describe("webhook delivery, message by message (the queue() handler)", () => {
  it("retries after a 500 with a delay, then delivers: the receiver accepts it exactly once", async () => {
    const h = hook("fail=1&status=500");
    const m = { id: `m-${crypto.randomUUID()}`, body: message({ url: h.url, secret: WHSEC }) };
    const first = await consume(W.queue, [{ ...m, attempts: 1 }]);
    expect(first.explicitAcks).toEqual([]);
    expect(first.retryMessages).toHaveLength(1);
    expect(first.retryMessages[0]!.delaySeconds).toBeGreaterThanOrEqual(9);
    expect(first.retryMessages[0]!.delaySeconds).toBeLessThanOrEqual(11);
    const noted = await ledgerFor(e, m.body.id).entry(m.body.id);
    expect(noted).toMatchObject({ state: "released", failures: 1, lastError: expect.stringMatching(/^HTTP 500 from http:\/\/127\.0\.0\.1:\d+\/hooks\/h-[0-9a-f-]+: receiver says 500$/) });
    const second = await consume(W.queue, [{ ...m, attempts: 2 }]);
    expect(second.explicitAcks).toEqual([m.id]);
    const r = await received(h.name);
    expect(r.attempts.map((a) => a.status)).toEqual([500, 204]);
    expect(r.accepted).toBe(1);
    expect(new Set(r.attempts.map((a) => a.headers["webhook-id"])).size).toBe(1); // the same id on every attempt
    for (const a of r.attempts) expect(() => new Webhook(WHSEC).verify(a.body, a.headers)).not.toThrow(); // each attempt signed anew
  });

  it("sends an event once however often its message is delivered (again later, or twice in one batch)", async () => {
    const h = hook();
    const body = message({ url: h.url });
    const twice = await consume(W.queue, [
      { id: "a", attempts: 1, body },
      { id: "b", attempts: 1, body },
    ]);
    // one delivery sends; the other finds it claimed and waits (or finds it done)
    expect(twice.explicitAcks.length + twice.retryMessages.length).toBe(2);
    expect(twice.explicitAcks.length).toBeGreaterThanOrEqual(1);
    const later = await consume(W.queue, [{ id: "c", attempts: 1, body }]);
    expect(later.explicitAcks).toEqual(["c"]);
    expect((await received(h.name)).attempts).toHaveLength(1);
  });

  it("acks a 410 Gone without retrying, and never sends that event again", async () => {
    const h = hook("always=410");
    const body = message({ url: h.url });
    const r = await consume(W.queue, [{ id: "g1", attempts: 1, body }]);
    expect(r.explicitAcks).toEqual(["g1"]);
    expect(r.retryMessages).toEqual([]);
    expect((await consume(W.queue, [{ id: "g2", attempts: 2, body }])).explicitAcks).toEqual(["g2"]);
    expect((await received(h.name)).attempts.map((a) => a.status)).toEqual([410]);
    expect(await ledgerFor(e, body.id).entry(body.id)).toMatchObject({ state: "done", outcome: { status: 410, gone: true } });
  });

  it("retries a receiver that always fails with growing delays; its dead letter says the last failure", async () => {
    const h = hook("always=503");
    const body = message({ url: h.url, secret: WHSEC }, event(), `tenant-${crypto.randomUUID().slice(0, 8)}`);
    const id = `m-${crypto.randomUUID()}`;
    const delays: number[] = [];
    for (let attempts = 1; attempts <= 9; attempts++) {
      const r = await consume(W.queue, [{ id, attempts, body }]);
      expect(r.explicitAcks).toEqual([]);
      delays.push(r.retryMessages[0]!.delaySeconds!);
    }
    for (let i = 1; i < 8; i++) expect(delays[i]!, `delay ${i + 1} > delay ${i}`).toBeGreaterThan(delays[i - 1]!);
    expect(delays[0]).toBeLessThanOrEqual(11);
    expect(delays[7]).toBeGreaterThanOrEqual(3600);
    // after max_retries Queues moves it to the dead-letter queue, whose consumer stores it
    expect((await consume(W.dlq, [{ id, attempts: 1, body }])).explicitAcks).toEqual([id]);
    const d = await deadLetterWhere((x) => x.messageId === id);
    expect(d).toMatchObject({ queue: "webhooks", kind: "webhook.deliver", tenant: body.tenant, envelopeId: body.id, attempts: 9 });
    expect(d.reason).toMatch(/^HTTP 503 from http:\/\/127\.0\.0\.1:\d+\/hooks\/h-[0-9a-f-]+: receiver says 503$/);
    expect(d.firstFailureAt! <= d.lastFailureAt!).toBe(true);
    expect((await received(h.name)).attempts).toHaveLength(9);
  });

  it("times out a receiver that does not answer (10 s) and retries it", { timeout: 30_000 }, async () => {
    const h = hook("hang=1");
    const body = message({ url: h.url });
    const r = await consume(W.queue, [{ id: "t1", attempts: 1, body }]);
    expect(r.retryMessages).toHaveLength(1);
    expect((await ledgerFor(e, body.id).entry(body.id))?.lastError).toMatch(/^no answer from http:\/\/127\.0\.0\.1:\d+\/hooks\/h-[0-9a-f-]+ within 10 s$/);
  });

  it("refuses a private or plain-http callback URL outside development: never called, dead-lettered with why", async () => {
    const prod = { ...e, DEV_MODE: "false", SWITCHYARD_CONFIG: undefined } as Env; // the bundled config: router.allowPrivateNetworks is false
    const h = hook();
    for (const [url, why] of [
      [h.url, /callback URL refused at delivery: http:\/\/127\.0\.0\.1:\d+\/hooks\/h-[0-9a-f-]+ must be an https: URL/],
      ["https://10.1.2.3/hook", /callback URL refused at delivery: https:\/\/10\.1\.2\.3\/hook points at private address 10\.1\.2\.3/],
      ["https://169.254.169.254/latest/meta-data", /link-local \(cloud metadata\) address/],
    ] as const) {
      const body = message({ url });
      const id = `p-${crypto.randomUUID()}`;
      const r = await consume(W.queue, [{ id, attempts: 1, body }], prod);
      expect(r.explicitAcks).toEqual([id]);
      expect(r.retryMessages).toEqual([]);
      expect((await deadLetterWhere((x) => x.messageId === id)).reason).toMatch(why);
    }
    expect((await received(h.name)).attempts).toEqual([]);
    // in development the same URL is called
    const ok = await consume(W.queue, [{ id: "dev", attempts: 1, body: message({ url: h.url }) }]);
    expect(ok.explicitAcks).toEqual(["dev"]);
    expect((await received(h.name)).accepted).toBe(1);
  });

  it("dead-letters a webhook message whose body is not a delivery", async () => {
    const id = `bad-${crypto.randomUUID()}`;
    const r = await consume(W.queue, [{ id, attempts: 1, body: envelope("webhook.deliver", `webhook:${id}`, "acme", { callback: { url: 5 } }) }]);
    expect(r.explicitAcks).toEqual([id]);
    expect((await deadLetterWhere((x) => x.messageId === id)).reason).toMatch(/^not a webhook delivery: callback\.url: /);
    const h = hook();
    const badKey = `bad-${crypto.randomUUID()}`;
    expect((await consume(W.queue, [{ id: badKey, attempts: 1, body: message({ url: h.url, secret: "whsec_not base64 at all!" }) }])).explicitAcks).toEqual([badKey]);
    expect((await deadLetterWhere((x) => x.messageId === badKey)).reason).toBe("not a webhook delivery: callback.secret: a whsec_ secret must go on in base64");
    expect((await received(h.name)).attempts).toEqual([]);
  });
});
