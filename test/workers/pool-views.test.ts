import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../worker/config/load.ts";
import type { Env } from "../../worker/env.ts";
import { shardConfig } from "../../worker/pools/shards.ts";
import { poolConfigOf, poolName, specialistOfPool } from "../../worker/routing/admission.ts";
import { callWith, configWith } from "./helpers.ts";

const ADMIN = { authorization: "Bearer dev-admin-key" };

/**
 * Every view of a sharded pool (the specialist list, the metrics, the pool route)
 * reads every shard: a breaker open on shard 1 alone shows as open, where reading
 * shard 0 only showed it closed.
 */
describe("a sharded pool's breaker, as every view shows it", () => {
  it("is open when shard 1 (not shard 0) is open", { timeout: 30_000 }, async () => { // a new config: the runtime is built again
    const id = `sharded-${crypto.randomUUID().slice(0, 8)}`;
    const raw = configWith((c) =>
      c.specialists.push({ id, endpoint: { type: "http", url: "https://upstream.example/x" }, limits: { rpm: 100, shards: 2 }, breaker: { failureThreshold: 2, windowMs: 60_000, openMs: 600_000, halfOpenProbes: 1 } }),
    );
    const config = loadConfig(raw);
    const pc = poolConfigOf(config.specialists.find((s) => s.id === id)!, config.router)!;
    expect(pc.shards).toBe(2);
    // trip shard 1's breaker with two failed calls, as the admission path reports them
    const ns = (env as unknown as Env).RATE_LIMIT_POOL!;
    const shard1 = ns.get(ns.idFromName(poolName(id, 1, 2)));
    const cfg1 = shardConfig(pc.config, 2, 1);
    for (const lease of ["f1", "f2"]) {
      expect((await shard1.admit(cfg1, { leaseId: lease, costUsd: 0 })).ok).toBe(true);
      await shard1.finish(cfg1, lease, { ok: false, costUsd: 0 });
    }

    const pool = (await (await callWith({ SWITCHYARD_CONFIG: raw }, `/v1/pools/specialist:${id}`)).json()) as { breaker: { state: string }; shards: { name: string; breaker: { state: string } }[] };
    expect(pool.shards.map((s) => [s.name, s.breaker.state])).toEqual([
      [`specialist:${id}#0`, "closed"],
      [`specialist:${id}#1`, "open"],
    ]);
    expect(pool.breaker.state).toBe("open");

    const list = (await (await callWith({ SWITCHYARD_CONFIG: raw }, "/v1/specialists")).json()) as { specialists: { id: string; health: { breaker: string | null } }[] };
    expect(list.specialists.find((s) => s.id === id)?.health.breaker).toBe("open");

    const metrics = (await (await callWith({ SWITCHYARD_CONFIG: raw }, "/v1/metrics", { headers: ADMIN })).json()) as { specialists: { id: string; breaker: string | null }[] };
    expect(metrics.specialists.find((s) => s.id === id)?.breaker).toBe("open");
  });
});

describe("pool names", () => {
  it("a specialist's pool (or shard) names its specialist; a tenant's pool and a hedge budget name none", () => {
    expect([poolName("units", 0, 1), poolName("units", 3, 4)].map(specialistOfPool)).toEqual(["units", "units"]);
    expect(["tenant:acme", "hedge:acme", "specialist:", "specialist:a#x", "xspecialist:a", undefined].map(specialistOfPool)).toEqual([undefined, undefined, undefined, undefined, undefined, undefined]);
  });
});
