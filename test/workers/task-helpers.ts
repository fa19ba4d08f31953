import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { createParser } from "eventsource-parser";
import { expect, inject } from "vitest";
import type { Env } from "../../worker/env.ts";
import { call } from "./helpers.ts";

export type Step = { id: string; status: string; attempts: number; specialist?: string; intentId?: string; input?: string; output?: any; error?: string; verdicts: { pass: boolean; specialist: string; reason: string }[] };
export type Task = { id: string; status: string; plan?: unknown; result?: any; error?: string; steps: Step[]; costUsd: number; hops: number; intentId?: string; awaiting?: { step: string; reason: string }; contextRef?: { sha256: string; bytes: number }; links: Record<string, string> };

/** Submits a task and returns its 202 body. */
export async function submit(body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<{ res: Response; id: string }> {
  const res = await call("/v1/tasks", { json: body, headers });
  const json = res.status === 202 ? ((await res.clone().json()) as { id: string }) : { id: "" };
  return { res, id: json.id };
}

export async function getTask(id: string): Promise<Task> {
  const res = await call(`/v1/tasks/${id}`);
  if (res.status !== 200) throw new Error(`GET task ${id}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Task;
}

/** Polls until the task reaches one of `statuses` (bounded: 15 s). */
export async function waitFor(id: string, statuses: string[], timeoutMs = 15_000): Promise<Task> {
  const deadline = Date.now() + timeoutMs;
  let task = await getTask(id);
  while (!statuses.includes(task.status)) {
    if (Date.now() > deadline) throw new Error(`task ${id} stuck in ${task.status}: ${JSON.stringify(task)}`);
    await new Promise((r) => setTimeout(r, 50));
    task = await getTask(id);
  }
  return task;
}

/** Side effects the fault upstream performed for idempotency keys starting with `prefix`. */
export async function effects(prefix: string): Promise<{ effects: number; calls: number; keys: Record<string, number> }> {
  const res = await fetch(`${inject("faultsUrl")}/effects?prefix=${encodeURIComponent(prefix)}`);
  return (await res.json()) as never;
}

/** Calls of every path of the fault upstream for Idempotency-Keys containing `key`, and those whose client went away first. */
export async function upstreamCalls(key: string): Promise<{ calls: number; aborted: number }> {
  const res = await fetch(`${inject("faultsUrl")}/calls?key=${encodeURIComponent(key)}`);
  return (await res.json()) as never;
}

/** Lets the held calls of `fault-held-effect` whose Idempotency-Key contains `key` answer (and later ones at once). */
export async function release(key: string): Promise<void> {
  await fetch(`${inject("faultsUrl")}/release?key=${encodeURIComponent(key)}`, { method: "POST" });
}

/** The task's Durable Object. */
export function taskStub(id: string) {
  const ns = (env as unknown as Env).TASK_AGENT!;
  return ns.get(ns.idFromName(id));
}

/** Polls the task's Durable Object itself (not the API, which a kill switch may refuse) until its status is one of `statuses`. */
export async function waitForStored(id: string, statuses: string[], tenant = "dev"): Promise<string> {
  let status = "";
  const read = async () => ((await taskStub(id).get(tenant)) as { status: string } | undefined)?.status ?? "unknown";
  await expect.poll(async () => (status = await read()), { timeout: 15_000 }).toSatisfy((s: string) => statuses.includes(s));
  return status;
}

/** Moves the expiry of the task's open approval gate into the past (in its storage): no waiting for the clock. */
export async function expireGate(id: string): Promise<void> {
  await runInDurableObject(taskStub(id), (_i, state: DurableObjectState) => {
    const row = state.storage.sql.exec<{ doc: string }>("SELECT doc FROM task").one();
    const doc = JSON.parse(row.doc) as { awaiting: { expiresAt: number } };
    doc.awaiting.expiresAt = Date.now() - 1;
    state.storage.sql.exec("UPDATE task SET doc = ?", JSON.stringify(doc));
  });
}

/** Parses a complete SSE body into events (with the `eventsource-parser` library). */
export function parseSse(text: string): { id: number; event: string; data: any }[] {
  const out: { id: number; event: string; data: any }[] = [];
  const parser = createParser({ onEvent: (e) => out.push({ id: Number(e.id), event: e.event ?? "message", data: JSON.parse(e.data) }) });
  parser.feed(text);
  return out;
}
