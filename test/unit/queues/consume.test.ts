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

/** A work envelope of `kind` whose idempotency id is `id`, enqueued at a fixed time. */
const env = (kind: string, id: string) => envelope(kind, id, "acme", {}, new Date("2026-11-30T04:00:00.000Z"));

/** Collects what the consumer did to each message and what it logged. */
function recorder() {
  const seen: Seen = { acked: [], retried: [] };
  const lines: Record<string, unknown>[] = [];
  return { seen, lines, log: (l: Record<string, unknown>) => void lines.push(l) };
}

describe("consumeBatch's log lines", () => {
  it("a batch from a queue the router does not own: every message retried after 60 s, none acked, none handled, one queue.unknown line", async () => {
    const { seen, lines, log } = recorder();
    let called = 0;
    await consumeBatch(
      batchOf(
        "someone-elses-queue",
        [
          { id: "a", body: env("hop.run", "hop:a") },
          { id: "b", body: 42 },
        ],
        seen,
      ),
      { handlers: { "hop.run": async () => (called++, { action: "ack" }) }, deadLetter: async () => void called++, log },
    );
    expect(called).toBe(0);
    expect(seen).toEqual({
      acked: [],
      retried: [
        { id: "a", delaySeconds: 60 },
        { id: "b", delaySeconds: 60 },
      ],
    });
    expect(lines).toEqual([{ event: "queue.unknown", queue: "someone-elses-queue", messages: 2 }]);
  });

  it("a handler's retry logs queue.retry with the kind, id, attempts, the delay it asked for and its reason", async () => {
    const { seen, lines, log } = recorder();
    await consumeBatch(batchOf("switchyard-hops", [{ id: "m1", body: env("hop.run", "hop:1"), attempts: 2 }], seen), {
      handlers: { "hop.run": async () => ({ action: "retry", delaySeconds: 12.5, reason: "at its rate limit" }) },
      deadLetter: async () => undefined,
      log,
    });
    expect(seen).toEqual({ acked: [], retried: [{ id: "m1", delaySeconds: 13 }] });
    expect(lines).toEqual([{ event: "queue.retry", queue: "hops", kind: "hop.run", id: "hop:1", attempts: 2, delaySeconds: 12.5, reason: "at its rate limit" }]);
  });

  it("a handler's throw logs queue.failed with the error as name: message (a thrown non-Error as its string)", async () => {
    const { seen, lines, log } = recorder();
    await consumeBatch(
      batchOf(
        "switchyard-steps",
        [
          { id: "m1", body: env("step.run", "step:1"), attempts: 4 },
          { id: "m2", body: env("step.run", "step:2") },
        ],
        seen,
      ),
      {
        handlers: {
          "step.run": async (e) => {
            if (e.id === "step:1") throw new TypeError("no such pool");
            throw "gave up";
          },
        },
        deadLetter: async () => undefined,
        log,
      },
    );
    expect(seen.acked).toEqual([]);
    expect(seen.retried).toEqual(expect.arrayContaining([{ id: "m1", delaySeconds: 16 }, { id: "m2", delaySeconds: 2 }]));
    expect(lines).toEqual(
      expect.arrayContaining([
        { event: "queue.failed", queue: "steps", kind: "step.run", id: "step:1", attempts: 4, error: "TypeError: no such pool" },
        { event: "queue.failed", queue: "steps", kind: "step.run", id: "step:2", attempts: 1, error: "gave up" },
      ]),
    );
    expect(lines).toHaveLength(2);
  });

  it("a poison message logs queue.poison with its reason once stored; a store that fails logs queue.dead_letter_failed", async () => {
    const { seen, lines, log } = recorder();
    await consumeBatch(batchOf("switchyard-webhooks", [{ id: "p", body: 42 }], seen), { handlers: {}, deadLetter: async () => undefined, log });
    expect(seen).toEqual({ acked: ["p"], retried: [] });
    expect(lines).toEqual([{ event: "queue.poison", queue: "webhooks", messageId: "p", reason: "not a Switchyard message: (body): Invalid input: expected object, received number" }]);

    const failed = recorder();
    await consumeBatch(batchOf("switchyard-webhooks", [{ id: "p", body: 42, attempts: 3 }], failed.seen), {
      handlers: {},
      deadLetter: async () => {
        throw new Error("store down");
      },
      log: failed.log,
    });
    expect(failed.seen).toEqual({ acked: [], retried: [{ id: "p", delaySeconds: 8 }] });
    expect(failed.lines).toEqual([{ event: "queue.dead_letter_failed", queue: "webhooks", messageId: "p", error: "Error: store down" }]);
  });

  it("acks without logging: a handled message logs nothing, nor does a stored dead letter", async () => {
    const { seen, lines, log } = recorder();
    await consumeBatch(batchOf("switchyard-hops", [{ id: "a", body: env("hop.run", "hop:a") }], seen), { handlers: { "hop.run": async () => ({ action: "ack" }) }, deadLetter: async () => undefined, log });
    await consumeBatch(batchOf("switchyard-hops-dlq", [{ id: "d", body: env("hop.run", "hop:d") }], seen), { handlers: {}, deadLetter: async () => undefined, log });
    expect(seen).toEqual({ acked: ["a", "d"], retried: [] });
    expect(lines).toEqual([]);
  });

  it("works without a log: a poison message is acked, not retried; an unknown queue's and a failed store's messages are retried", async () => {
    const seen: Seen = { acked: [], retried: [] };
    const dead: DeadLetterInput[] = [];
    await consumeBatch(batchOf("switchyard-hops", [{ id: "p", body: env("hop.nobody", "x") }], seen), { handlers: {}, deadLetter: async (l) => void dead.push(l) });
    expect(seen).toEqual({ acked: ["p"], retried: [] });
    expect(dead).toHaveLength(1);

    const unknown: Seen = { acked: [], retried: [] };
    await expect(consumeBatch(batchOf("elsewhere", [{ id: "u", body: 1 }], unknown), { handlers: {}, deadLetter: async () => undefined })).resolves.toBeUndefined();
    expect(unknown).toEqual({ acked: [], retried: [{ id: "u", delaySeconds: 60 }] });

    const failing = { handlers: {}, deadLetter: async () => Promise.reject(new Error("store down")) };
    for (const queue of ["switchyard-hops", "switchyard-hops-dlq"]) {
      const s: Seen = { acked: [], retried: [] };
      await expect(consumeBatch(batchOf(queue, [{ id: "d", body: env("hop.nobody", "x") }], s), failing), queue).resolves.toBeUndefined();
      expect(s, queue).toEqual({ acked: [], retried: [{ id: "d", delaySeconds: 2 }] });
    }
  });
});

describe("consumeBatch: handlers and retries", () => {
  it("hands the handler the envelope and where it came from: the work queue, the Queues message id, the deliveries so far", async () => {
    const got: unknown[] = [];
    const seen: Seen = { acked: [], retried: [] };
    const body = env("webhook.deliver", "webhook:1");
    await consumeBatch(batchOf("switchyard-webhooks", [{ id: "msg-7", body, attempts: 5 }], seen), {
      handlers: { "webhook.deliver": async (e, d) => (got.push(e, d), { action: "ack" }) },
      deadLetter: async () => undefined,
    });
    expect(got).toEqual([body, { queue: "webhooks", messageId: "msg-7", attempts: 5 }]);
    expect(seen.acked).toEqual(["msg-7"]);
  });

  it("clamps a handler's retry delay to whole seconds in 0 .. 43200 (Queues' 12 h), rounding up", async () => {
    const asked = [-5, 0, 0.1, 1, 59.01, 43_199.2, 43_200, 43_200.5, 100_000];
    const seen: Seen = { acked: [], retried: [] };
    await consumeBatch(
      batchOf(
        "switchyard-hops",
        asked.map((s, i) => ({ id: String(i), body: env("hop.run", `hop:${i}`) })),
        seen,
      ),
      { handlers: { "hop.run": async (e) => ({ action: "retry", delaySeconds: asked[Number(e.id.slice(4))]!, reason: "wait" }) }, deadLetter: async () => undefined },
    );
    const delays = Object.fromEntries(seen.retried.map((r) => [r.id, r.delaySeconds]));
    expect(asked.map((_, i) => delays[String(i)])).toEqual([0, 0, 1, 1, 60, 43_200, 43_200, 43_200, 43_200]);
  });

  it("a handler's throw is retried even when noting the failure rejects, or when there is nothing to note it with", async () => {
    const throwing = { "hop.run": async (): Promise<Handled> => Promise.reject(new Error("boom")) };
    const a: Seen = { acked: [], retried: [] };
    await expect(
      consumeBatch(batchOf("switchyard-hops", [{ id: "a", body: env("hop.run", "hop:a"), attempts: 2 }], a), {
        handlers: throwing,
        deadLetter: async () => undefined,
        noteFailure: async () => {
          throw new Error("ledger down");
        },
      }),
    ).resolves.toBeUndefined();
    expect(a).toEqual({ acked: [], retried: [{ id: "a", delaySeconds: 4 }] });
    const b: Seen = { acked: [], retried: [] };
    await expect(consumeBatch(batchOf("switchyard-hops", [{ id: "b", body: env("hop.run", "hop:b") }], b), { handlers: throwing, deadLetter: async () => undefined })).resolves.toBeUndefined();
    expect(b).toEqual({ acked: [], retried: [{ id: "b", delaySeconds: 2 }] });
  });
});

describe("consumeBatch: poison messages' reasons", () => {
  async function poisonReason(queue: string, body: unknown, handlers: ConsumeDeps["handlers"] = {}): Promise<DeadLetterInput> {
    const dead: DeadLetterInput[] = [];
    await consumeBatch(batchOf(queue, [{ id: "p", body, attempts: 2 }], { acked: [], retried: [] }), { handlers, deadLetter: async (l) => void dead.push(l) });
    expect(dead).toHaveLength(1);
    return dead[0]!;
  }

  it("not an envelope: each issue as path: message, joined by '; ', the body itself as (body)", async () => {
    expect(await poisonReason("switchyard-hops", 42)).toEqual({
      queue: "hops",
      messageId: "p",
      envelope: undefined,
      raw: 42,
      reason: "not a Switchyard message: (body): Invalid input: expected object, received number",
      attempts: 2,
    });
    const bad = { ...env("hop.run", "hop:1"), v: 2, at: "yesterday" };
    expect((await poisonReason("switchyard-hops", bad)).reason).toBe("not a Switchyard message: v: Invalid input: expected 1; at: Invalid ISO datetime");
  });

  it("an envelope of a kind nobody handles on that queue: named with the queue, the envelope kept", async () => {
    const body = env("hop.run", "hop:1");
    const stored = await poisonReason("switchyard-steps", body, { "step.run": async () => ({ action: "ack" }) });
    expect(stored).toEqual({ queue: "steps", messageId: "p", envelope: body, raw: body, reason: "no consumer handles kind 'hop.run' on queue 'steps'", attempts: 2 });
  });
});

describe("consumeBatch: a dead-letter queue's messages", () => {
  async function stored(body: unknown, more: Partial<ConsumeDeps> = {}) {
    const seen: Seen = { acked: [], retried: [] };
    const dead: DeadLetterInput[] = [];
    await consumeBatch(batchOf("switchyard-webhooks-dlq", [{ id: "d", body, attempts: 1 }], seen), { handlers: {}, deadLetter: async (l) => void dead.push(l), ...more });
    expect(seen).toEqual({ acked: ["d"], retried: [] });
    return dead;
  }
  const FALLBACK = { reason: "its deliveries failed (max_retries reached)", attempts: 0 };

  it("without a noted failure, says its deliveries failed, with 0 attempts: no failureOf, one that rejects, one that finds nothing", async () => {
    const body = env("webhook.deliver", "webhook:1");
    const whole = { queue: "webhooks", messageId: "d", envelope: body, raw: body, ...FALLBACK };
    expect(await stored(body)).toEqual([whole]);
    expect(await stored(body, { failureOf: async () => Promise.reject(new Error("ledger down")) })).toEqual([whole]);
    expect(await stored(body, { failureOf: async () => undefined })).toEqual([whole]);
    const throwsAtOnce = (() => {
      throw new Error("no ledger binding");
    }) as unknown as NonNullable<ConsumeDeps["failureOf"]>;
    expect(await stored(body, { failureOf: throwsAtOnce })).toEqual([whole]); // stored, not retried
  });

  it("asks nothing about a body that is not an envelope, and keeps it raw", async () => {
    let asked = 0;
    expect(await stored("not json", { failureOf: async () => (asked++, { reason: "x", attempts: 1 }) })).toEqual([{ queue: "webhooks", messageId: "d", envelope: undefined, raw: "not json", ...FALLBACK }]);
    expect(asked).toBe(0);
  });

  it("asks failureOf about the envelope", async () => {
    const body = env("webhook.deliver", "webhook:1");
    const asked: unknown[] = [];
    const dead = await stored(body, { failureOf: async (e) => (asked.push(e), { reason: "HTTP 503 from https://h.example/in", attempts: 9 }) });
    expect(asked).toEqual([body]);
    expect(dead).toEqual([{ queue: "webhooks", messageId: "d", envelope: body, raw: body, reason: "HTTP 503 from https://h.example/in", attempts: 9 }]);
  });

  it("retries it with the backoff when storing fails, logging queue.dead_letter_failed", async () => {
    const { seen, lines, log } = recorder();
    await consumeBatch(batchOf("switchyard-steps-dlq", [{ id: "d", body: env("step.run", "step:1"), attempts: 2 }], seen), {
      handlers: {},
      deadLetter: async () => Promise.reject(new Error("D1 unavailable")),
      log,
    });
    expect(seen).toEqual({ acked: [], retried: [{ id: "d", delaySeconds: 4 }] });
    expect(lines).toEqual([{ event: "queue.dead_letter_failed", queue: "steps", messageId: "d", error: "Error: D1 unavailable" }]);
  });
});
