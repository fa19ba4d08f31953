import type { Env } from "../env.ts";
import { metricsStub } from "../observe/sinks.ts";
import type { ArmStats } from "../routing/selection.ts";

/**
 * Each candidate's {@link ArmStats} for one intent label, as of now, from the candidates'
 * Metrics objects (`arm(label)` RPC, asked together): the outcomes outcome-aware
 * selection weighs (worker/routing/selection.ts `choose`). A candidate with no outcome
 * for the label yet (or a router without the METRICS binding) is absent: the prior alone.
 * One Durable Object call per candidate: cache it off the request path.
 *
 * @example
 * await armsFor(env, "units.convert", ["units", "general"]) // { units: { successes: 41.2, failures: 1.7, latencyMs: 6.1, at: 1765… } }
 */
export async function armsFor(env: Env, label: string, specialists: readonly string[]): Promise<Record<string, ArmStats>> {
  const out: Record<string, ArmStats> = {};
  await Promise.all(
    specialists.map(async (id) => {
      const s = await metricsStub(env, id)?.arm(label);
      if (s) out[id] = { successes: s.successes, failures: s.failures, ...(s.latencyMs !== undefined ? { latencyMs: s.latencyMs } : {}), at: s.at };
    }),
  );
  return out;
}
