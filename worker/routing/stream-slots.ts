import type { Context } from "hono";
import type { AppEnv } from "../env.ts";
import { ProblemError } from "../http/problem.ts";
import { getRuntime } from "../runtime.ts";
import { poolStub } from "./admission.ts";

/** Longest an event stream (a task's SSE feed, an A2A stream) stays open before the client reconnects, ms. */
export const MAX_EVENT_STREAM_MS = 5 * 60_000;

/**
 * Takes one of the tenant's event-stream slots (`router.maxStreamsPerTenant`), held in
 * the tenant's `streams:<tenant>` pool (a concurrency lease that expires shortly after
 * a stream's longest life, so a crashed isolate frees its slots), or throws 429 with
 * `Retry-After`. Returns the release, to call when the stream ends.
 */
export async function streamSlot(c: Context<AppEnv>): Promise<() => void> {
  const max = (await getRuntime(c.env)).config.router.maxStreamsPerTenant;
  const tenant = c.get("principal").tenant;
  if (!c.env.RATE_LIMIT_POOL) return () => {};
  const stub = poolStub(c.env.RATE_LIMIT_POOL, `streams:${tenant}`);
  const config = { concurrency: max, leaseTtlMs: MAX_EVENT_STREAM_MS + 30_000 };
  const leaseId = crypto.randomUUID();
  const r = await stub.admit(config, { leaseId, costUsd: 0 });
  if (!r.ok)
    throw new ProblemError({
      status: 429,
      slug: "too-many-streams",
      title: "Too many open streams",
      detail: `tenant '${tenant}' has ${max} event streams open (router.maxStreamsPerTenant); close one or retry later`,
      retryAfterSeconds: Math.max(1, Math.min(r.retryAfterMs, 60_000) / 1000),
    });
  return () => c.executionCtx.waitUntil(stub.finish(config, leaseId, { ok: true, costUsd: 0 }).catch(() => {}));
}
