/**
 * The translated hop (issue 12): the same OpenAI chat request through the router's OpenAI
 * front door to an `anthropic` specialist (`bench-claude` on the fake Anthropic API: the
 * request translated to a Messages call, the reply or stream translated back) against the
 * pass-through hop (`bench-chat`, `openai-chat` on the fake OpenAI server), both measured in
 * the same run: workerd CPU per request and its ratio, and each hop's latency and req/s over
 * its own direct call (`chat-direct-anthropic(-stream)`: what the router sends, straight to
 * the fake Anthropic API), since the two fakes do different work. The directs' client + fake
 * CPU per request (this Node process: the load generator and the fake servers' threads) says
 * how much the fakes themselves differ.
 */
import { runLoad, type LoadResult, type SequentialResult } from "./load.ts";
import type { PairedResult } from "./paired.ts";
import type { ScenarioRuns } from "./report.ts";
import type { Scenario } from "./scenarios.ts";

/** The interleaved CPU blocks: connections per block, block length, rounds per kind of call (each round one block per hop). */
export const CPU_BLOCKS = { connections: 10, seconds: 0.4, rounds: 8 };

/**
 * workerd CPU of the two hops measured in alternation: per round one short autocannon block
 * per hop (`CPU_BLOCKS`; the hop going first alternates), so drift, other processes' bursts
 * and workerd's background work (GC after the previous block) hit both alike, as the paired
 * latency loop does for p50s.
 */
export interface CpuBlocks {
  connections: number;
  blockSeconds: number;
  rounds: number;
  passThrough: { requests: number; workerdMs: number; usPerReq: number };
  translated: { requests: number; workerdMs: number; usPerReq: number };
  /** Σ translated CPU/req ÷ Σ pass-through CPU/req over all rounds. */
  ratio: number;
  /** Per-round ratios (translated ÷ pass-through µs/req): their median, min and max. */
  roundRatios: { median: number; min: number; max: number };
  /** Responses that were not 2xx, failed their check, errors, timeouts. */
  bad: number;
}

/** Per kind of call: the pass-through hop, the translated hop, and their direct calls. */
export const CHAT_TRANSLATED = [
  { label: "non-streamed chat", passThrough: "chat-router", translated: "chat-router-anthropic", direct: "chat-direct", translatedDirect: "chat-direct-anthropic" },
  { label: "streamed chat", passThrough: "chat-router-stream", translated: "chat-router-anthropic-stream", direct: "chat-direct-stream", translatedDirect: "chat-direct-anthropic-stream" },
] as const;

interface Side {
  p50: number;
  rps?: number;
  /** workerd CPU µs per request (router runs) or this process's CPU µs per request (direct runs: client + the fakes). */
  usPerReq?: number;
}

export interface TranslatedRow {
  /** "paired", "sequential" or "<n> conn(s)" (autocannon). */
  measure: string;
  connections?: number;
  passThrough: Side;
  translated: Side;
  /** The directs: OpenAI fake (`direct`), Anthropic fake (`translatedDirect`); `usPerReq` = client + fake CPU (this process). */
  direct: Side;
  translatedDirect: Side;
  /** translated workerd µs/req ÷ pass-through's. */
  cpuRatio?: number;
  /** translated workerd µs/req − pass-through's. */
  cpuExtraUs?: number;
  /** Each hop's p50 over its own direct. */
  addedP50Ms: { passThrough: number; translated: number };
  /** Each hop's req/s ÷ its own direct's. */
  rpsShare?: { passThrough?: number; translated?: number };
}

export interface TranslatedComparison {
  label: string;
  passThrough: string;
  translated: string;
  direct: string;
  translatedDirect: string;
  rows: TranslatedRow[];
  /** Headline: the 50-connection runs (else the busiest measured). */
  cpu?: { ratio: number; translatedUsPerReq: number; passThroughUsPerReq: number; measure: string };
  /** Headline: the paired loop (else the own sequential loops): each hop over its own direct. */
  addedP50?: { passThroughMs: number; translatedMs: number; measure: string };
  /** The interleaved CPU blocks, when they ran (the CPU headline then). */
  blocks?: CpuBlocks;
}

/**
 * The interleaved CPU blocks for each kind of call whose two router scenarios `only` selects
 * (with `paired` in it, or without `--only`), `CPU_BLOCKS.rounds` rounds each, or fewer once `maxMs` per kind is spent.
 */
export async function translatedCpuBlocks(
  list: Scenario[],
  only: Set<string> | undefined,
  o: { maxMs: number; pids: readonly number[]; isStopped: () => boolean; log: (s?: string) => void },
): Promise<Record<string, CpuBlocks>> {
  const out: Record<string, CpuBlocks> = {};
  if (!o.pids.length || (only && !only.has("paired"))) return out;
  const find = (n: string) => ((!only || only.has(n)) ? list.find((sc) => sc.name === n) : undefined);
  for (const k of CHAT_TRANSLATED) {
    const [pt, tr] = [find(k.passThrough), find(k.translated)];
    if (!pt || !tr || o.isStopped()) continue;
    const { connections, seconds, rounds } = CPU_BLOCKS;
    o.log(`-- CPU blocks (${k.label}): ${k.passThrough} and ${k.translated} alternating, ${seconds} s of autocannon at ${connections} connections each per round, ≤ ${rounds} rounds`);
    const sum = { pt: { requests: 0, workerdMs: 0 }, tr: { requests: 0, workerdMs: 0 } };
    const ratios: number[] = [];
    let bad = 0;
    const started = performance.now();
    await runLoad(pt.target, connections, seconds); // warm both up, unmeasured
    await runLoad(tr.target, connections, seconds);
    for (let r = 0; r < rounds && !o.isStopped() && performance.now() - started < o.maxMs; r++) {
      const order = r % 2 ? (["tr", "pt"] as const) : (["pt", "tr"] as const);
      const per: Record<string, number> = {};
      for (const which of order) {
        const l = await runLoad((which === "pt" ? pt : tr).target, connections, seconds, o.pids);
        bad += l.non2xx + l.errors + l.timeouts + l.badBody;
        if (l.cpu.workerdMs === undefined || !l.requests) continue;
        sum[which].requests += l.requests;
        sum[which].workerdMs += l.cpu.workerdMs;
        per[which] = (l.cpu.workerdMs * 1000) / l.requests;
      }
      if (per.pt && per.tr) ratios.push(per.tr / per.pt);
    }
    if (!sum.pt.requests || !sum.tr.requests || !ratios.length) continue;
    const us = (x: { requests: number; workerdMs: number }) => ({ ...x, usPerReq: (x.workerdMs * 1000) / x.requests });
    const sorted = [...ratios].sort((a, b) => a - b);
    const b: CpuBlocks = {
      connections,
      blockSeconds: seconds,
      rounds: ratios.length,
      passThrough: us(sum.pt),
      translated: us(sum.tr),
      ratio: us(sum.tr).usPerReq / us(sum.pt).usPerReq,
      roundRatios: { median: sorted[Math.floor((sorted.length - 1) / 2)]!, min: sorted[0]!, max: sorted[sorted.length - 1]! },
      bad,
    };
    o.log(`   ${b.rounds} rounds: ${k.passThrough} ${Math.round(b.passThrough.usPerReq)} µs/req (${b.passThrough.requests} requests), ${k.translated} ${Math.round(b.translated.usPerReq)} µs/req (${b.translated.requests}): ${b.ratio.toFixed(2)}× (rounds ${b.roundRatios.min.toFixed(2)}–${b.roundRatios.max.toFixed(2)}×)${bad ? ` !! ${bad} bad responses` : ""}`);
    out[k.translated] = b;
  }
  return out;
}

const ratio = (a?: number, b?: number) => (a !== undefined && b ? a / b : undefined);
const selfUs = (r: { cpu: { selfMs?: number } }, n: number) => (r.cpu.selfMs !== undefined && n > 0 ? (r.cpu.selfMs * 1000) / n : undefined);
const seqSide = (s: SequentialResult, own: boolean): Side => ({ p50: s.latency.p50, usPerReq: own ? selfUs(s, s.requests) : s.workerdUsPerReq });
const loadSide = (l: LoadResult, own: boolean): Side => ({ p50: l.latency.p50, rps: l.rps, usPerReq: own ? selfUs(l, l.requests) : l.workerdUsPerReq });

/** Per kind of call whose two router scenarios ran: the paired loop, the own sequential loops, each autocannon connection count all four ran (the directs optional). */
export function translatedSummary(runs: ScenarioRuns[], paired: PairedResult[], blocks: Record<string, CpuBlocks> = {}): TranslatedComparison[] {
  const out: TranslatedComparison[] = [];
  for (const k of CHAT_TRANSLATED) {
    const [pt, tr, d, td] = [k.passThrough, k.translated, k.direct, k.translatedDirect].map((n) => runs.find((x) => x.name === n));
    const b = blocks[k.translated];
    if (!pt || !tr) {
      if (b) out.push({ ...k, rows: [], blocks: b, cpu: { ratio: b.ratio, translatedUsPerReq: b.translated.usPerReq, passThroughUsPerReq: b.passThrough.usPerReq, measure: "interleaved blocks" } });
      continue;
    }
    const rows: TranslatedRow[] = [];
    const nan: Side = { p50: NaN };
    const row = (measure: string, a: Side, b: Side, da: Side, db: Side, connections?: number): TranslatedRow => ({
      measure,
      connections,
      passThrough: a,
      translated: b,
      direct: da,
      translatedDirect: db,
      cpuRatio: ratio(b.usPerReq, a.usPerReq),
      cpuExtraUs: a.usPerReq !== undefined && b.usPerReq !== undefined ? b.usPerReq - a.usPerReq : undefined,
      addedP50Ms: { passThrough: a.p50 - da.p50, translated: b.p50 - db.p50 },
      rpsShare: a.rps !== undefined ? { passThrough: ratio(a.rps, da.rps), translated: ratio(b.rps, db.rps) } : undefined,
    });
    const loop = paired.find((p) => p.targets[k.passThrough] && p.targets[k.translated]);
    const lat = (n: string): Side => {
      const l = loop?.targets[n]?.latency;
      return l?.count ? { p50: l.p50 } : nan;
    };
    if (loop) rows.push(row("paired", lat(k.passThrough), lat(k.translated), lat(k.direct), lat(k.translatedDirect)));
    if (pt.sequential && tr.sequential)
      rows.push(row("sequential", seqSide(pt.sequential, false), seqSide(tr.sequential, false), d?.sequential ? seqSide(d.sequential, true) : nan, td?.sequential ? seqSide(td.sequential, true) : nan));
    for (const l of pt.load) {
      const o = tr.load.find((x) => x.connections === l.connections);
      if (!o) continue;
      const dl = d?.load.find((x) => x.connections === l.connections);
      const tdl = td?.load.find((x) => x.connections === l.connections);
      rows.push(row(`${l.connections} conn${l.connections > 1 ? "s" : ""}`, loadSide(l, false), loadSide(o, false), dl ? loadSide(dl, true) : nan, tdl ? loadSide(tdl, true) : nan, l.connections));
    }
    const cpuRow = [...rows].reverse().find((x) => x.cpuRatio !== undefined && x.connections === 50) ?? [...rows].reverse().find((x) => x.cpuRatio !== undefined);
    const latRow = [rows.find((x) => x.measure === "paired"), rows.find((x) => x.measure === "sequential")].find((x) => x && Number.isFinite(x.addedP50Ms.passThrough) && Number.isFinite(x.addedP50Ms.translated));
    out.push({
      ...k,
      rows,
      blocks: b,
      cpu: b
        ? { ratio: b.ratio, translatedUsPerReq: b.translated.usPerReq, passThroughUsPerReq: b.passThrough.usPerReq, measure: `interleaved blocks, ${b.connections} conns` }
        : cpuRow ? { ratio: cpuRow.cpuRatio!, translatedUsPerReq: cpuRow.translated.usPerReq!, passThroughUsPerReq: cpuRow.passThrough.usPerReq!, measure: cpuRow.measure } : undefined,
      addedP50: latRow ? { passThroughMs: latRow.addedP50Ms.passThrough, translatedMs: latRow.addedP50Ms.translated, measure: latRow.measure } : undefined,
    });
  }
  return out;
}

const f3 = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? "—" : n.toFixed(3));
const plus = (n: number | undefined, d = 3) => (n === undefined || !Number.isFinite(n) ? "—" : `${n >= 0 ? "+" : ""}${n.toFixed(d)}`);
const int = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? "—" : Math.round(n).toLocaleString("en-US"));
const pct = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? "—" : `${Math.round(n * 100)} %`);

/** One line per kind of call (streamed first): the CPU ratio and each hop's added p50 over its own direct. */
export function translatedHeadline(c: TranslatedComparison): string {
  const rounds = c.blocks ? `; rounds ${c.blocks.roundRatios.min.toFixed(2)}–${c.blocks.roundRatios.max.toFixed(2)}×, median ${c.blocks.roundRatios.median.toFixed(2)}×` : "";
  const fifty = c.blocks ? c.rows.find((r) => r.connections === 50 && r.cpuRatio !== undefined) : undefined;
  const cpu = c.cpu
    ? `router CPU ${c.cpu.ratio.toFixed(2)}× the pass-through hop's (${int(c.cpu.translatedUsPerReq)} vs ${int(c.cpu.passThroughUsPerReq)} workerd µs/req, ${c.cpu.measure}${rounds}${fifty ? `; own 50-conn runs ${fifty.cpuRatio!.toFixed(2)}×` : ""})`
    : "router CPU — (not measured)";
  const lat = c.addedP50
    ? `${plus(c.addedP50.translatedMs)} ms p50 over its direct vs ${plus(c.addedP50.passThroughMs)} ms (${c.addedP50.measure})`
    : "added p50 — (not measured)";
  return `${c.label}, translated hop (OpenAI in, Anthropic out): ${cpu}; ${lat}`;
}

/** The "translated hop vs pass-through hop" section, or nothing when neither kind's two router scenarios ran. */
export function translatedText(list: TranslatedComparison[]): string[] {
  if (!list.length) return [];
  const head = ["translated scenario", "measure", "pass µs/req", "transl µs/req", "transl ÷ pass CPU", "+µs/req", "pass +p50", "transl +p50", "OpenAI direct p50", "Anthr. direct p50", "OpenAI direct µs/req", "Anthr. direct µs/req", "pass ÷ direct req/s", "transl ÷ direct req/s"];
  const rows = list.flatMap((c) =>
    c.rows.map((r) => [
      c.translated,
      r.measure,
      int(r.passThrough.usPerReq),
      int(r.translated.usPerReq),
      r.cpuRatio === undefined ? "" : `${r.cpuRatio.toFixed(2)}×`,
      plus(r.cpuExtraUs, 0),
      plus(r.addedP50Ms.passThrough),
      plus(r.addedP50Ms.translated),
      f3(r.direct.p50),
      f3(r.translatedDirect.p50),
      int(r.direct.usPerReq),
      int(r.translatedDirect.usPerReq),
      r.rpsShare ? pct(r.rpsShare.passThrough) : "",
      r.rpsShare ? pct(r.rpsShare.translated) : "",
    ]),
  );
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((x, i) => (i < 2 ? x.padEnd(w[i]!) : x.padStart(w[i]!))).join("  ");
  return [
    "\n== Translated hop (OpenAI in, Anthropic out) vs the pass-through hop (OpenAI in, OpenAI out): same request, same run ==",
    line(head),
    w.map((n) => "-".repeat(n)).join("  "),
    ...rows.map(line),
    "(pass = chat-router(-stream): bench-chat, openai-chat → the fake OpenAI server; transl = chat-router-anthropic(-stream): bench-claude, anthropic → the fake Anthropic API;",
    " µs/req = workerd CPU per request; +p50 (ms) = each hop's p50 minus its own direct's (chat-direct(-stream), chat-direct-anthropic(-stream): the fake's own cost taken out);",
    " direct µs/req = this Node process's CPU per direct request (the load generator + the fake servers' threads): how much the two fakes' own work differs;",
    " req/s ÷ direct: each hop's req/s as a share of its own direct's at that connection count;",
    ` CPU headline: the interleaved blocks when they ran (${CPU_BLOCKS.rounds} rounds of ${CPU_BLOCKS.seconds} s per hop at ${CPU_BLOCKS.connections} connections, alternating), else the 50-connection runs)`,
    ...[...list].reverse().map(translatedHeadline),
  ];
}
