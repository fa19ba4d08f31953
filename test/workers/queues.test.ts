import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../worker/index.ts";
import type { Env } from "../../worker/env.ts";
import { envelope } from "../../worker/queues/envelope.ts";
import { ledgerFor } from "../../worker/queues/ledger.ts";
import { WORK_QUEUES } from "../../worker/queues/names.ts";
import type { DeadLetter } from "../../durable-objects/control-plane.ts";

const e = env as unknown as Env;
const control = () => e.CONTROL_PLANE!.get(e.CONTROL_PLANE!.idFromName("control"));

/** Polls the dead-letter store until `match` finds one (the real local queue delivers within its max_batch_timeout). */
async function deadLetterWhere(match: (d: DeadLetter) => boolean, tries = 100): Promise<DeadLetter> {
  for (let i = 0; i < tries; i++) {
    const found = (await control().deadLetters({ limit: 1000 })).find(match);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("no such dead letter arrived");
}

describe("the queue consumer (real local queues)", () => {
  it("dead-letters a message that is not a Switchyard envelope at once, with why, and acks it", async () => {
    const marker = `garbage-${crypto.randomUUID()}`;
    await e.HOPS!.send({ hello: marker });
    const d = await deadLetterWhere((x) => JSON.stringify(x.body).includes(marker));
    expect(d.queue).toBe("hops");
    expect(d.envelopeId).toBeNull();
    expect(d.reason).toMatch(/not a Switchyard message: v: /);
    expect(d.attempts).toBe(1);
  });

  it("dead-letters an envelope of a kind no consumer handles", async () => {
    const id = `test:${crypto.randomUUID()}`;
    await e.STEPS!.send(envelope("nobody.handles", id, "acme", { n: 1 }));
    const d = await deadLetterWhere((x) => x.envelopeId === id);
    expect(d).toMatchObject({ queue: "steps", kind: "nobody.handles", tenant: "acme", reason: "no consumer handles kind 'nobody.handles' on queue 'steps'" });
  });

  it("stores what a dead-letter queue delivers, with the ledger's account of why its deliveries failed", async () => {
    const id = `test:${crypto.randomUUID()}`;
    await ledgerFor(e, id).fail(id, "Error: upstream said no", false);
    await ledgerFor(e, id).fail(id, "Error: upstream said no again", false);
    await e.WEBHOOKS_DLQ!.send(envelope("webhook.deliver", id, "acme", { url: "https://example.com/hook" }));
    const d = await deadLetterWhere((x) => x.envelopeId === id);
    expect(d).toMatchObject({ queue: "webhooks", kind: "webhook.deliver", tenant: "acme", reason: "Error: upstream said no again", attempts: 2 });
    expect(d.firstFailureAt).not.toBeNull();
    expect(Date.parse(d.lastFailureAt!)).toBeGreaterThanOrEqual(Date.parse(d.firstFailureAt!));
  });
});

describe("the queue() handler, message by message", () => {
  it("acks a poison message and retries a batch from a queue the router does not own", async () => {
    const poison = createMessageBatch(WORK_QUEUES.hops.queue, [{ id: "m1", timestamp: new Date(), attempts: 1, body: "not json object" }]);
    const ctx = createExecutionContext();
    await worker.queue(poison, e, ctx);
    const r = await getQueueResult(poison, ctx);
    expect(r.explicitAcks).toEqual(["m1"]);
    expect(r.retryMessages).toEqual([]);

    const foreign = createMessageBatch("someone-elses-queue", [{ id: "m2", timestamp: new Date(), attempts: 1, body: {} }]);
    const ctx2 = createExecutionContext();
    await worker.queue(foreign, e, ctx2);
    const r2 = await getQueueResult(foreign, ctx2);
    expect(r2.explicitAcks).toEqual([]);
    expect(r2.retryMessages.map((m) => m.msgId)).toEqual(["m2"]);
  });

  it("stores a dead-letter queue's message once however often it is delivered", async () => {
    const id = `test:${crypto.randomUUID()}`;
    const msg = { id: `dup-${id}`, timestamp: new Date(), attempts: 1, body: envelope("hop.run", id, "acme", {}) };
    for (let i = 0; i < 2; i++) {
      const b = createMessageBatch(WORK_QUEUES.hops.dlq, [msg]);
      const ctx = createExecutionContext();
      await worker.queue(b, e, ctx);
      expect((await getQueueResult(b, ctx)).explicitAcks).toEqual([msg.id]);
    }
    expect((await control().deadLetters({ limit: 10_000 })).filter((d) => d.envelopeId === id)).toHaveLength(1);
  });
});
