import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../worker/intent/record.ts";
import { callWith, problem } from "./helpers.ts";
import type { Task } from "./task-helpers.ts";

/**
 * Policies keyed on intent hold on every front door however the specialist is
 * reached: classified from text, pinned by id (`specialist`, chat `model`, Messages
 * `model`, A2A `metadata.switchyard.specialist`), or named in a task step by id or by label
 * (test-config.ts: tenant `no-math` is denied `math.*`; tenant `careful` needs
 * approval for `units.*`).
 */
const KEYS = { "no-math": "key-no-math", careful: "key-careful" } as const;
const API_KEYS = JSON.stringify(Object.fromEntries(await Promise.all(Object.entries(KEYS).map(async ([tenant, key]) => [await sha256Hex(key), tenant]))));
const as = (tenant: keyof typeof KEYS) => ({ authorization: `Bearer ${KEYS[tenant]}` });
const post = (tenant: keyof typeof KEYS, path: string, json: unknown) => callWith({ API_KEYS }, path, { json, headers: as(tenant) });
const get = (tenant: keyof typeof KEYS, path: string) => callWith({ API_KEYS }, path, { headers: as(tenant) });

async function task(tenant: keyof typeof KEYS, plan: unknown, statuses: string[]): Promise<Task> {
  const res = await post(tenant, "/v1/tasks", { goal: "policy test", input: "x", plan });
  expect(res.status, await res.clone().text()).toBe(202);
  const { id } = (await res.json()) as { id: string };
  let t: Task | undefined;
  await expect.poll(async () => (t = (await (await get(tenant, `/v1/tasks/${id}`)).json()) as Task).status, { timeout: 15_000 }).toSatisfy((s: string) => statuses.includes(s));
  return t!;
}

/** A2A SendMessage: one hop with `mode: "hop"`, else a task (the default). */
const rpc = (tenant: keyof typeof KEYS, text: string, specialist?: string, mode?: "hop") =>
  post(tenant, "/a2a", {
    jsonrpc: "2.0",
    id: 1,
    method: "SendMessage",
    params: { message: { messageId: `m-${crypto.randomUUID()}`, role: "ROLE_USER", parts: [{ text }] }, metadata: { switchyard: { ...(specialist ? { specialist } : {}), ...(mode ? { mode } : {}) } } },
  });

type A2aTask = { status: { state: string; message?: { parts: { text?: string }[] } }; metadata: { switchyard: { steps: { error?: string }[] } } };

describe("a deny rule on an intent glob holds on every front door", () => {
  const input = "what is 12 * 7";
  it("/v1/route: classified, pinned by id", async () => {
    for (const body of [{ input }, { input, specialist: "arithmetic" }]) {
      const res = await post("no-math", "/v1/route", body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      const p = await problem(res);
      expect(p.type).toBe("urn:switchyard:problem:policy-refused");
      expect(p.detail).toMatch(/denied by policy 'no-math'/);
    }
    expect((await post("careful", "/v1/route", { input, specialist: "arithmetic" })).status).toBe(200); // another tenant
  });

  it("/v1/chat/completions: auto and pinned by model", async () => {
    for (const model of ["auto", "arithmetic"]) {
      const res = await post("no-math", "/v1/chat/completions", { model, messages: [{ role: "user", content: input }] });
      expect(res.status, model).toBe(422);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/denied by policy 'no-math'/);
    }
  });

  it("/v1/messages: auto and pinned by model, the key sent as x-api-key", async () => {
    for (const model of ["auto", "arithmetic"]) {
      const res = await callWith({ API_KEYS }, "/v1/messages", { json: { model, max_tokens: 50, messages: [{ role: "user", content: input }] }, headers: { authorization: "", "x-api-key": KEYS["no-math"] } });
      expect(res.status, model).toBe(422);
      const body = (await res.json()) as { type: string; error: { type: string; message: string } };
      expect(body.type).toBe("error");
      expect(body.error.type).toBe("invalid_request_error");
      expect(body.error.message).toMatch(/denied by policy 'no-math'/);
    }
  });

  it("/v1/responses: auto and pinned by model", async () => {
    for (const model of ["auto", "arithmetic"]) {
      const res = await post("no-math", "/v1/responses", { model, input });
      expect(res.status, model).toBe(422);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/denied by policy 'no-math'/);
    }
  });

  it("/a2a: classified and pinned with metadata.switchyard.specialist, as a hop and as a task", async () => {
    for (const specialist of [undefined, "arithmetic"]) {
      // 1.x errors: the HTTP status in the router's ErrorInfo (worker/protocols/a2a/errors.ts)
      const body = (await (await rpc("no-math", input, specialist, "hop")).json()) as { error?: { message: string; data: { metadata: { status: string } }[] } };
      expect(body.error?.data[0]!.metadata.status, String(specialist)).toBe("422");
      expect(body.error!.message).toMatch(/denied by policy 'no-math'/);
      const task = ((await (await rpc("no-math", input, specialist)).json()) as { result: { task: A2aTask } }).result.task;
      expect(task.status.state, String(specialist)).toBe("TASK_STATE_FAILED");
      expect(task.status.message?.parts[0]?.text).toMatch(/denied by policy 'no-math'/);
    }
  });

  it("task steps: named by specialist id and by intent label", { timeout: 20_000 }, async () => {
    for (const step of [{ id: "s", specialist: "arithmetic", input: "12 * 7" }, { id: "s", intent: "math.evaluate", input: "12 * 7" }]) {
      const t = await task("no-math", { steps: [step] }, ["failed", "succeeded"]);
      expect(t.status, JSON.stringify(step)).toBe("failed");
      expect(t.steps[0]!.error).toMatch(/denied by policy 'no-math'/);
    }
  });
});

describe("an approval rule on an intent glob holds on every front door", () => {
  const input = "convert 5 km to miles";
  it("one-hop doors refuse it (a request cannot wait for a human), pinned or not", async () => {
    for (const body of [{ input }, { input, specialist: "units" }]) expect((await post("careful", "/v1/route", body)).status, JSON.stringify(body)).toBe(422);
    expect((await post("careful", "/v1/chat/completions", { model: "units", messages: [{ role: "user", content: input }] })).status).toBe(422);
    for (const model of ["auto", "units"]) expect((await post("careful", "/v1/messages", { model, max_tokens: 50, messages: [{ role: "user", content: input }] })).status, model).toBe(422);
    for (const model of ["auto", "units"]) expect((await post("careful", "/v1/responses", { model, input })).status, model).toBe(422);
    const a2a = (await (await rpc("careful", input, "units", "hop")).json()) as { error?: { data: { metadata: { status: string } }[] } };
    expect(a2a.error?.data[0]!.metadata.status).toBe("422");
  });

  it("an A2A message (a task by default) waits at an approval gate, pinned or not", async () => {
    for (const specialist of [undefined, "units"]) {
      const task = ((await (await rpc("careful", input, specialist)).json()) as { result: { task: A2aTask } }).result.task;
      expect(task.status.state, String(specialist)).toBe("TASK_STATE_INPUT_REQUIRED");
      expect(task.status.message?.parts[0]?.text).toMatch(/careful-units/);
    }
  });

  it("a task step naming the specialist or the label waits at an approval gate", { timeout: 20_000 }, async () => {
    for (const step of [{ id: "s", specialist: "units", input }, { id: "s", intent: "units.convert", input }]) {
      const t = await task("careful", { steps: [step] }, ["awaiting_approval", "failed", "succeeded"]);
      expect(t.status, JSON.stringify(step)).toBe("awaiting_approval");
      expect(t.awaiting?.reason).toMatch(/careful-units/);
    }
  });
});
