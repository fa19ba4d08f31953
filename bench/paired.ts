/**
 * A paired (interleaved) sequential loop for A/B differences: one keep-alive
 * connection per target, one request at a time, the targets in turn (the starting
 * target rotates every round), so drift and other processes' bursts hit every
 * target alike. Used for "admission adds", "one fallback adds" and the OpenAI front
 * door (chat.ts). A response with another status, or a body `Target.verify` rejects, is "unexpected".
 */
import { Agent } from "node:http";
import { cpuWindow, type CpuUsage } from "./cpu.ts";
import { once, summarize, type Latency, type Target } from "./load.ts";

export interface PairedResult {
  rounds: number;
  ms: number;
  /** CPU during the measured rounds (workerd, this process, other processes). */
  cpu: CpuUsage;
  /** Per target name: latency over its samples, and responses with another status than expected. */
  targets: Record<string, { latency: Latency; unexpected: number; errors: number; samples: string[] }>;
}

export async function runPaired(
  targets: { name: string; target: Target; expectStatus?: number }[],
  o: { maxMs: number; maxRounds: number; warmupMs: number; isStopped: () => boolean; workerdPids?: readonly number[] },
): Promise<PairedResult> {
  const agents = targets.map(() => new Agent({ keepAlive: true, maxSockets: 1 }));
  const lat = targets.map(() => new Float64Array(o.maxRounds));
  const bad = targets.map(() => ({ unexpected: 0, errors: 0, samples: [] as string[] }));
  let rounds = 0;
  let window = cpuWindow(o.workerdPids ?? []);
  const started = performance.now();
  try {
    const warmEnd = performance.now() + o.warmupMs;
    while (performance.now() < warmEnd && !o.isStopped()) for (const [i, t] of targets.entries()) await once(agents[i]!, t.target, t.target.body()).catch(() => undefined);
    window = cpuWindow(o.workerdPids ?? []);
    const t0 = performance.now();
    const deadline = t0 + o.maxMs;
    while (rounds < o.maxRounds && performance.now() < deadline && !o.isStopped()) {
      for (let k = 0; k < targets.length; k++) {
        const i = (rounds + k) % targets.length;
        const t = targets[i]!;
        const b = bad[i]!;
        try {
          const r = await once(agents[i]!, t.target, t.target.body());
          lat[i]![rounds] = r.ms;
          const ok = (t.expectStatus !== undefined ? r.status === t.expectStatus : r.status >= 200 && r.status < 300) && (!t.target.verify || t.target.verify(r.text));
          if (!ok && (b.unexpected++, b.samples.length < 3)) b.samples.push(`${r.status} ${r.text.slice(0, 200)}`);
        } catch (e) {
          lat[i]![rounds] = NaN;
          if ((b.errors++, b.samples.length < 3)) b.samples.push(String(e));
        }
      }
      rounds++;
      if (bad.some((b) => b.errors > 50)) break;
    }
  } finally {
    for (const a of agents) a.destroy();
  }
  const res: PairedResult = { rounds, ms: performance.now() - started, cpu: window(), targets: {} };
  for (const [i, t] of targets.entries()) {
    const ok = Array.from(lat[i]!.subarray(0, rounds)).filter((v) => Number.isFinite(v));
    res.targets[t.name] = { latency: summarize(ok), ...bad[i]! };
  }
  return res;
}

/** The paired loop over the scenarios of `names` that are in `list`, logged; `label` says when it ran. */
export async function pairedSection(
  label: string,
  names: string[],
  list: { name: string; target: Target; expectStatus?: number }[],
  o: { maxMs: number; isStopped: () => boolean; log: (s?: string) => void; workerdPids?: readonly number[] },
): Promise<PairedResult & { label: string }> {
  const targets = names.flatMap((n) => list.filter((sc) => sc.name === n).map((sc) => ({ name: n, target: sc.target, expectStatus: sc.expectStatus })));
  o.log(`-- paired (${label}): ${targets.map((t) => t.name).join(", ")} interleaved, one request at a time (one keep-alive connection each), ≤ ${(o.maxMs / 1000).toFixed(1)} s`);
  const r = await runPaired(targets, { maxMs: o.maxMs, maxRounds: 20_000, warmupMs: Math.min(1_500, o.maxMs / 3), isStopped: o.isStopped, workerdPids: o.workerdPids });
  const line = Object.entries(r.targets).map(([n, t]) => `${n} p50 ${t.latency.p50.toFixed(3)} ms${t.unexpected + t.errors ? ` !! ${t.unexpected} unexpected, ${t.errors} errors ${t.samples.join(" | ")}` : ""}`);
  const other = r.cpu.foreignPct === undefined ? "" : `; other processes ${r.cpu.foreignPct.toFixed(0)}% CPU`;
  o.log(`   ${r.rounds} rounds: ${line.join("; ")}${other}`);
  return { label, ...r };
}

export const pairedFailed = (r: PairedResult | undefined) => !!r && Object.values(r.targets).some((t) => t.unexpected + t.errors > 0);
