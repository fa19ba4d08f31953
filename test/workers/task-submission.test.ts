import { describe, expect, it } from "vitest";
import { call, problem } from "./helpers.ts";

/**
 * `POST /v1/tasks` and an A2A message that becomes a task start it the one same way
 * (tasks/submit.ts submitTask): the task id comes from the tenant and the idempotency
 * key, whichever door the key came through.
 */
const plan = { steps: [{ id: "a", specialist: "fault-ok", input: "{{input}}" }] };
const a2a = (text: string, key: string) =>
  call("/a2a", {
    json: {
      jsonrpc: "2.0",
      id: 1,
      method: "SendMessage",
      params: { message: { messageId: `m-${crypto.randomUUID()}`, role: "ROLE_USER", parts: [{ text }] }, metadata: { switchyard: { plan, idempotencyKey: key } }, configuration: { returnImmediately: true } },
    },
  });

describe("one submission path for every door", () => {
  it("the same key and body at both doors is one task; another body is a conflict at either", async () => {
    const key = `both-doors-${crypto.randomUUID()}`;
    const rest = await call("/v1/tasks", { json: { goal: "same goal", plan, idempotencyKey: key } });
    expect(rest.status).toBe(202);
    const { id } = (await rest.json()) as { id: string };

    const viaA2a = (await (await a2a("same goal", key)).json()) as { result: { task: { id: string } } };
    expect(viaA2a.result.task.id).toBe(id);
    const replayed = await call("/v1/tasks", { json: { goal: "same goal", plan, idempotencyKey: key } });
    expect(replayed.headers.get("idempotent-replayed")).toBe("true");
    expect(((await replayed.json()) as { id: string }).id).toBe(id);

    const conflictA2a = (await (await a2a("another goal", key)).json()) as { error: { code: number; message: string } };
    expect(conflictA2a.error.code).toBe(-32602);
    expect(conflictA2a.error.message).toMatch(/already used for a different message/);
    const conflictRest = await call("/v1/tasks", { json: { goal: "another goal", plan, idempotencyKey: key } });
    expect(conflictRest.status).toBe(409);
    expect((await problem(conflictRest)).type).toBe("urn:switchyard:problem:idempotency-conflict");
  });

  it("without a key, each submission is a new task", async () => {
    const ids = await Promise.all([0, 1].map(async () => ((await (await call("/v1/tasks", { json: { goal: "no key", plan } })).json()) as { id: string }).id));
    expect(ids[0]).toMatch(/^task_[0-9a-f]{32}$/);
    expect(ids[0]).not.toBe(ids[1]);
  });
});
