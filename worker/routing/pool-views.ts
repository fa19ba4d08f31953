import type { Config, Specialist } from "../config/schema.ts";
import type { Env } from "../env.ts";
import type { PoolView } from "../pools/pool.ts";
import { mergeShardViews, type MergedPoolView } from "../pools/shard-view.ts";
import { shardConfig } from "../pools/shards.ts";
import { poolConfigOf, poolName } from "./admission.ts";

/** A specialist's pool as its Durable Objects see it now: every shard, and their merge. */
export interface SpecialistPoolView extends MergedPoolView {
  /** `specialist:<id>`, the pool's name in `GET /v1/pools/:name`. */
  name: string;
  /** Whether it has limits (else only a breaker). */
  limited: boolean;
  shards: Array<{ name: string } & PoolView>;
}

/**
 * Views every shard of a specialist's pool (one Durable Object call each, in
 * parallel) and merges them with {@link mergeShardViews}: the one way the specialist
 * list, the metrics and the pool route read a pool. Undefined when the specialist has
 * neither limits nor a breaker, or the router has no pool binding.
 */
export async function specialistPoolView(env: Env, s: Specialist, router: Config["router"]): Promise<SpecialistPoolView | undefined> {
  const pc = poolConfigOf(s, router);
  const ns = env.RATE_LIMIT_POOL;
  if (!pc || !ns) return undefined;
  const shards = await Promise.all(
    Array.from({ length: pc.shards }, async (_, i) => {
      const name = poolName(s.id, i, pc.shards);
      const view = await ns.get(ns.idFromName(name)).view(pc.shards > 1 ? shardConfig(pc.config, pc.shards, i) : pc.config);
      return { name, ...view };
    }),
  );
  return { name: `specialist:${s.id}`, limited: pc.limited, shards, ...mergeShardViews(shards) };
}
