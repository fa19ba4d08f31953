import { describe, expect, it } from "vitest";
import type { AddedSummary } from "../../../bench/added.ts";
import type { LoadResult, SequentialResult } from "../../../bench/load.ts";
import type { PairedResult } from "../../../bench/paired.ts";
import type { ScenarioRuns } from "../../../bench/report.ts";
import { buildSummary, summaryCells, summaryText, type BenchSummary } from "../../../bench/summary.ts";
import type { TaskRun, TaskScenario } from "../../../bench/task.ts";

const lat = (p50: number, p99: number) => ({ count: 100, mean: p50, p50, p90: p99, p99, max: p99 });
const cpu = { workerdMs: 1, selfMs: 1, foreignPct: 10 };

function load(connections: number, rps: number, us?: number): LoadResult {
  return {
    connections,
    seconds: 2,
    requests: rps * 2,
    rps,
    latency: lat(1, 2),
    autocannonLatency: { p50: 1, p99: 2, mean: 1 },
    non2xx: 0,
    errors: 0,
    timeouts: 0,
    badBody: 0,
    statusCodes: { "200": rps * 2 },
    errorSamples: [],
    cpu,
    workerdUsPerReq: us,
  };
}

const seq = (p50: number, p99: number): SequentialResult => ({ latency: lat(p50, p99), requests: 100, non2xx: 0, errors: 0, badBody: 0, statusCodes: {}, errorSamples: [], cpu });

/** A scenario: sequential p50/p99 (ms), req/s at 1/10/50 and workerd µs/req at 50 connections. */
function run(name: string, p50: number, p99: number, rps: [number, number, number], us50?: number): ScenarioRuns {
  return { name, description: name, sequential: seq(p50, p99), load: [load(1, rps[0], 999), load(10, rps[1], 999), load(50, rps[2], us50)] };
}

const RUNS: ScenarioRuns[] = [
  run("direct", 0.2, 0.5, [4000, 20000, 30000], 5),
  run("workerd-proxy", 0.6, 1.2, [1500, 3500, 4000], 200),
  run("pinned", 1.0, 2.0, [900, 1800, 2000], 300),
  run("pinned-limited", 1.9, 3.5, [500, 900, 1000], 480),
  run("cached-intent", 0.8, 1.8, [1000, 2200, 2100], 390),
  run("chat-direct", 0.5, 1.0, [2000, 9000, 10000], 4),
  run("chat-proxy", 0.9, 1.6, [900, 2500, 3000], 250),
  run("chat-router", 1.5, 3.0, [600, 1200, 1400], 560),
];

const PAIRED: PairedResult[] = [
  {
    rounds: 100,
    ms: 1000,
    cpu,
    targets: {
      "chat-direct": { latency: lat(0.5, 1), unexpected: 0, errors: 0, samples: [] },
      "chat-proxy": { latency: lat(1.0, 2), unexpected: 0, errors: 0, samples: [] },
      "chat-router": { latency: lat(1.2, 3), unexpected: 0, errors: 0, samples: [] },
    },
  },
];

const ADDED: AddedSummary = { fallback: { source: "paired", seqP50Ms: 1.2, seqP99Ms: 2, directErrorP50Ms: 0.9, routerOwnP50Ms: 0.3, goalMs: 0.5, portkeyMs: 0.8 } };

const taskRun = (concurrency: number, tasksPerSecond: number, wallP50: number, overheadP50: number, usPerStep: number): TaskRun => ({
  concurrency,
  tasks: 10,
  failed: 0,
  errorSamples: [],
  seconds: 1,
  tasksPerSecond,
  wall: lat(wallP50 + 200, wallP50 + 220),
  serverWall: lat(wallP50, wallP50 + 10),
  post: lat(1, 2),
  overheadPerStep: lat(overheadP50 + 40, overheadP50 + 44),
  serverOverheadPerStep: lat(overheadP50, overheadP50 + 2),
  step: lat(1, 2),
  gap: lat(1, 2),
  firstStep: lat(1, 2),
  cpu,
  workerdUsPerStep: usPerStep,
});
const TASK: TaskScenario = { steps: 5, goalMs: 5, directP50Ms: 0.2, runs: [taskRun(1, 4, 30, 5.8, 3000), taskRun(8, 20, 60, 11, 1800)] };

const build = (runs = RUNS) => buildSummary({ runs, paired: PAIRED, added: ADDED, task: TASK, connections: [1, 10, 50] });
const row = (s: BenchSummary, key: string) => s.rows.find((r) => r.key === key)!;
const target = (s: BenchSummary, rowKey: string, measure: string) => s.targets.find((t) => t.row === rowKey && t.measure === measure)!;

describe("bench summary: rows", () => {
  it("has the rows of the scenarios that ran, in the summary's order, then the task per step", () => {
    expect(build().rows.map((r) => `${r.key}=${r.scenario}`)).toEqual([
      "direct=direct",
      "forwarder=workerd-proxy",
      "pinned=pinned",
      "cached-intent=cached-intent",
      "limited=pinned-limited",
      "chat-direct=chat-direct",
      "chat-forwarder=chat-proxy",
      "chat=chat-router",
      "task-step=task",
    ]);
  });

  it("takes req/s per connection count, p50/p99 from the own loop, added over the group's direct, CPU at 50 connections", () => {
    const s = build();
    const c = row(s, "cached-intent");
    expect(c.rps).toEqual({ "1": 1000, "10": 2200, "50": 2100 });
    expect([c.p50Ms, c.p99Ms, c.cpuUsPerReq]).toEqual([0.8, 1.8, 390]);
    expect(c.addedP50Ms).toBeCloseTo(0.6);
    expect(c.addedP99Ms).toBeCloseTo(1.3);
    const chat = row(s, "chat");
    expect(chat.addedP50Ms).toBeCloseTo(1.0); // minus chat-direct, not direct
    expect(row(s, "direct").addedP50Ms).toBeUndefined();
    expect(row(s, "direct").ratios).toBeUndefined();
  });

  it("compares each router with its group's forwarder; limited's CPU with pinned's", () => {
    const s = build();
    const c = row(s, "cached-intent").ratios!;
    expect(c.cpu).toBeCloseTo(390 / 200);
    expect(c.cpuRef).toBe("forwarder");
    expect(c.rps50Share).toBeCloseTo(2100 / 4000);
    expect(c.p50OverForwarderMs).toBeCloseTo(0.2);
    expect(c.p50Source).toBe("sequential");
    const chat = row(s, "chat").ratios!;
    expect(chat.cpu).toBeCloseTo(560 / 250);
    expect(chat.rps50Share).toBeCloseTo(1400 / 3000);
    expect(chat.p50OverForwarderMs).toBeCloseTo(0.2); // the paired loop (1.2 − 1.0), not the own loops (1.5 − 0.9)
    expect(chat.p50Source).toBe("paired");
    const lim = row(s, "limited").ratios!;
    expect(lim.cpu).toBeCloseTo(480 / 300);
    expect(lim.cpuRef).toBe("pinned");
  });

  it("the task row is per step: steps/s by tasks in flight, server-stamped wall ÷ steps, overhead per step, CPU per step at 8 in flight", () => {
    const t = row(build(), "task-step");
    expect(t.rps).toEqual({ "1": 20, "8": 100 });
    expect(t.p50Ms).toBeCloseTo(6);
    expect(t.addedP50Ms).toBeCloseTo(5.8);
    expect(t.cpuUsPerReq).toBe(1800);
  });

  it("other CPU is the median share other processes used over the row's runs", () => {
    const r = run("pinned", 1, 2, [900, 1800, 2000], 300);
    r.load = r.load.map((l, i) => ({ ...l, cpu: { ...cpu, foreignPct: [80, 30, 70][i] } }));
    expect(row(build(RUNS.map((x) => (x.name === "pinned" ? r : x))), "pinned").otherCpuPct).toBe(50); // 10, 30, 70, 80
    expect(row(build(), "task-step").otherCpuPct).toBe(10);
  });

  it("without a forwarder or a 50-connection run, the ratios are not measured", () => {
    const runs = RUNS.filter((r) => r.name !== "workerd-proxy").map((r) => (r.name === "cached-intent" ? { ...r, load: r.load.filter((l) => l.connections !== 50) } : r));
    const c = row(build(runs), "cached-intent");
    expect(c.ratios?.cpu).toBeUndefined();
    expect(c.ratios?.rps50Share).toBeUndefined();
    expect(c.cpuUsPerReq).toBe(999); // the busiest run left
  });
});

describe("bench summary: targets", () => {
  it("flags each target met or missed from the ratios", () => {
    const s = build();
    expect(target(s, "cached-intent", "cpu")).toMatchObject({ target: 2, op: "<=", met: true });
    expect(target(s, "cached-intent", "rps50Share")).toMatchObject({ target: 0.5, met: true });
    expect(target(s, "cached-intent", "p50OverForwarderMs")).toMatchObject({ target: 0.25, met: true });
    expect(target(s, "chat", "cpu").met).toBe(false); // 2.24×
    expect(target(s, "chat", "rps50Share").met).toBe(false); // 47 %
    expect(target(s, "chat", "p50OverForwarderMs").met).toBe(true); // +0.2 ms (paired)
    expect(target(s, "limited", "cpu")).toMatchObject({ target: 1.5, met: false }); // 1.6×
    expect(target(s, "one-fallback", "fallbackOwnP50Ms")).toMatchObject({ value: undefined, met: undefined }); // one-fallback did not run
    expect(target(s, "task-step", "overheadPerStepMs")).toMatchObject({ target: 5, met: false });
    expect(target(s, "chat-stream", "cpu")).toMatchObject({ value: undefined, met: undefined });
  });

  it("a value exactly on its target meets it; just past it does not", () => {
    const at = (us: number) => target(build(RUNS.map((r) => (r.name === "cached-intent" ? run("cached-intent", 0.8, 1.8, [1000, 2200, 2100], us) : r))), "cached-intent", "cpu").met;
    expect(at(400)).toBe(true);
    expect(at(401)).toBe(false);
  });

  it("the fallback target counts when one-fallback ran", () => {
    const s = build([...RUNS, run("one-fallback", 2.2, 4, [400, 800, 900], 500)]);
    expect(target(s, "one-fallback", "fallbackOwnP50Ms")).toMatchObject({ value: 0.3, met: true });
  });
});

describe("bench summary: text", () => {
  it("one aligned table (every line as wide as its header) and a targets list", () => {
    const s = build();
    const lines = summaryText(s);
    const table = lines.slice(1, 2 + 1 + s.rows.length);
    expect(table[0]).toMatch(/^scenario\s+bench name\s+req\/s 1/);
    const col = table[0]!.indexOf("req/s 50") + "req/s 50".length;
    for (const l of table.slice(2)) expect(l.slice(col - 1, col)).toMatch(/[\d—]/);
    expect(lines).toContain("  [MISSED] limited: workerd CPU/req ÷ pinned's (the unlimited hop): 1.60× (target ≤ 1.50×)");
    expect(lines).toContain("  [ MET ] cached intent: req/s at 50 conns ÷ forwarder's: 53 % (target ≥ 50 %)");
    expect(lines.some((l) => l.startsWith("  [ ?? ] streamed chat: workerd CPU/req"))).toBe(true);
  });

  it("marks targeted ratios ✓/✗ and counts the row's targets met", () => {
    const s = build();
    const cells = summaryCells(row(s, "chat"), s);
    expect(cells.slice(10)).toEqual(["2.24× ✗", "47 % ✗", "+0.200 (p) ✓", "10 %", "1/3 met"]);
    expect(summaryCells(row(s, "limited"), s).slice(10)).toEqual(["1.60× pinned ✗", "25 %", "+1.300", "10 %", "0/1 met"]);
    expect(summaryCells(row(s, "forwarder"), s).slice(7, 15)).toEqual(["+0.400", "+0.700", "200", "", "", "", "10 %", ""]);
  });
});
