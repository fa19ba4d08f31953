import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { inject } from "vitest";
import worker from "../../worker/index.ts";
import type { ConfigInput } from "../../worker/config/schema.ts";
import type { Env } from "../../worker/env.ts";
import { testConfig } from "../support/test-config.ts";

export const AUTH = { authorization: "Bearer dev-key" };

/** A request to the router's default export with the test bindings (dev keys on). */
export async function call(path: string, init: RequestInit & { json?: unknown } = {}): Promise<Response> {
  const { json, ...rest } = init;
  const headers = new Headers({ ...AUTH, ...(json !== undefined ? { "content-type": "application/json" } : {}) });
  new Headers(rest.headers).forEach((v, k) => headers.set(k, v));
  return exports.default.fetch(
    new Request(`https://router.test${path}`, { method: json !== undefined ? "POST" : "GET", ...rest, headers, ...(json !== undefined ? { body: JSON.stringify(json) } : {}) }),
  );
}

/**
 * Calls the router with other bindings (e.g. another SWITCHYARD_CONFIG) and waits
 * for its `waitUntil` work, as a second deployment would.
 */
export async function callWith(overrides: Partial<Env>, path: string, init: RequestInit & { json?: unknown } = {}): Promise<Response> {
  const { json, ...rest } = init;
  const headers = new Headers({ ...AUTH, ...(json !== undefined ? { "content-type": "application/json" } : {}) });
  new Headers(rest.headers).forEach((v, k) => headers.set(k, v));
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`https://router.test${path}`, { method: json !== undefined ? "POST" : "GET", ...rest, headers, ...(json !== undefined ? { body: JSON.stringify(json) } : {}) }),
    { ...(env as unknown as Env), ...overrides },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

/** SWITCHYARD_CONFIG for the test config with a patch applied. */
export function configWith(patch: (c: ConfigInput) => void): string {
  return JSON.stringify(testConfig(inject("faultsUrl"), patch, { openaiUrl: inject("openaiUrl"), anthropicUrl: inject("anthropicUrl"), geminiUrl: inject("geminiUrl") }));
}

/** Reads a problem+json body and checks the media type. */
export async function problem(res: Response): Promise<{ type: string; title: string; status: number; detail: string; errors?: { path: string; message: string }[]; [k: string]: unknown }> {
  if (!res.headers.get("content-type")?.startsWith("application/problem+json")) throw new Error(`not problem+json: ${res.status} ${res.headers.get("content-type")} ${await res.text()}`);
  const body = (await res.json()) as { status: number };
  if (body.status !== res.status) throw new Error(`problem status ${body.status} != ${res.status}`);
  return body as never;
}

/** Server-Timing metric names of a response. */
export function timingNames(res: Response): string[] {
  return (res.headers.get("server-timing") ?? "").split(",").map((m) => m.trim().split(";")[0]!).filter(Boolean);
}
