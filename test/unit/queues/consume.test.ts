import { describe, expect, it } from "vitest";
import { backoffSeconds, consumeBatch, type ConsumeDeps, type DeadLetterInput, type Handled, type QueueMessage } from "../../../worker/queues/consume.ts";
import { envelope } from "../../../worker/queues/envelope.ts";

interface Seen {
  acked: string[];
  retried: { id: string; delaySeconds: number | undefined }[];
}

function batchOf(queue: string, bodies: { id: string; body: unknown; attempts?: number }[], seen: Seen): { queue: string; messages: QueueMessage[] } {
  return {
    queue,
    messages: bodies.map((b) => ({
      id: b.id,
      timestamp: new Date(0),
      body: b.body,
      attempts: b.attempts ?? 1,
      ack: () => seen.acked.push(b.id),
      retry: (o) => seen.retried.push({ id: b.id, delaySeconds: o?.delaySeconds }),
    })),
  };
}

function deps(handlers: Record<string, (id: string) => Promise<Handled>>, dead: DeadLetterInput[] = [], noted: string[] = []): ConsumeDeps {
  return {
    handlers: Object.fromEntries(Object.entries(handlers).map(([k, h]) => [k, (m) => h(m.id)])),
    deadLetter: async (l) => void dead.push(l),
    noteFailure: async (e, error) => void noted.push(`${e.id}: ${error}`),
  };
}

describe("consumeBatch", () => {
  it("acks and retries each message on its own: one message's failure retries only that one", async () => {
    const seen: Seen = { acked: [], retried: [] };
    const noted: string[] = [];
    const b = batchOf(
      "switchyard-hops",
      [
        { id: "a", body: envelope("hop.run", "hop:a", "acme", {}) },
        { id: "b", body: envelope("hop.run", "hop:b", "acme", {}), attempts: 3 },
        { id: "c", body: envelope("hop.run", "hop:c", "acme", {}) },
      ],
      seen,
    );
    await consumeBatch(
      b,
      deps(
        {
          "hop.run": async (id) => {
            if (id === "hop:b") throw new Error("boom");
            if (id === "hop:c") return { action: "retry", delaySeconds: 7.2, reason: "over limit" };
            return { action: "ack" };
          },
        },
        [],
        noted,
      ),
    );
    expect(seen.acked).toEqual(["a"]);
    expect(seen.retried).toEqual(expect.arrayContaining([{ id: "b", delaySeconds: backoffSeconds(3) }, { id: "c", delaySeconds: 8 }]));
    expect(seen.retried).toHaveLength(2);
    expect(noted).toEqual(["hop:b: Error: boom"]);
  });

  it("dead-letters poison at once and acks it; retries it when the store fails", async () => {
    const seen: Seen = { acked: [], retried: [] };
    const dead: DeadLetterInput[] = [];
    await consumeBatch(batchOf("switchyard-webhooks", [{ id: "p", body: { v: 2 } }, { id: "q", body: envelope("webhook.unknown", "x", "acme", {}) }], seen), deps({}, dead));
    expect(seen.acked.sort()).toEqual(["p", "q"]);
    expect(dead.map((d) => [d.queue, d.messageId, d.envelope?.kind])).toEqual([
      ["webhooks", "p", undefined],
      ["webhooks", "q", "webhook.unknown"],
    ]);
    const seen2: Seen = { acked: [], retried: [] };
    await consumeBatch(batchOf("switchyard-webhooks", [{ id: "p", body: 42 }], seen2), {
      handlers: {},
      deadLetter: async () => {
        throw new Error("store down");
      },
    });
    expect(seen2).toEqual({ acked: [], retried: [{ id: "p", delaySeconds: backoffSeconds(1) }] });
  });

  it("stores a dead-letter queue's messages with the noted reason and acks them, without calling a handler", async () => {
    const seen: Seen = { acked: [], retried: [] };
    const dead: DeadLetterInput[] = [];
    let called = 0;
    await consumeBatch(batchOf("switchyard-steps-dlq", [{ id: "d", body: envelope("step.run", "step:1", "acme", {}) }], seen), {
      ...deps({ "step.run": async () => (called++, { action: "ack" }) }, dead),
      failureOf: async () => ({ reason: "Error: specialist down", attempts: 4 }),
    });
    expect(called).toBe(0);
    expect(seen.acked).toEqual(["d"]);
    expect(dead[0]).toMatchObject({ queue: "steps", reason: "Error: specialist down", attempts: 4 });
  });

  it("backs off 2, 4, 8 … s up to 300 s", () => {
    expect([1, 2, 3, 4, 8, 9, 20].map(backoffSeconds)).toEqual([2, 4, 8, 16, 256, 300, 300]);
  });

  it("refuses to build an envelope larger than one queue message", () => {
    expect(() => envelope("hop.run", "x", "acme", { input: "x".repeat(130 * 1024) })).toThrow(/over the 122880-byte limit/);
  });
});
