import { describe, expect, it } from "vitest";
import type { BenchSummary } from "../../../bench/summary.ts";
import { BLOCK_END, BLOCK_START, machineLine, replaceBlock, summaryMarkdown, type BenchResults } from "../../../scripts/lib/bench-readme.ts";

const SUMMARY: BenchSummary = {
  connections: [1, 10, 50],
  rows: [
    { key: "forwarder", label: "bare forwarder", scenario: "workerd-proxy", group: "route", role: "forwarder", rps: { "1": 1500, "10": 3500, "50": 4000 }, p50Ms: 0.6, p99Ms: 1.2, addedP50Ms: 0.4, addedP99Ms: 0.7, cpuUsPerReq: 200 },
    {
      key: "cached-intent",
      label: "cached intent",
      scenario: "cached-intent",
      group: "route",
      role: "router",
      rps: { "1": 1000, "10": 2200, "50": 1500 },
      p50Ms: 0.8,
      p99Ms: 1.8,
      addedP50Ms: 0.6,
      addedP99Ms: 1.3,
      cpuUsPerReq: 390,
      otherCpuPct: 61.6,
      ratios: { cpu: 1.95, cpuRef: "forwarder", rps50Share: 0.375, p50OverForwarderMs: 0.2, p50Source: "sequential" },
    },
    { key: "cache-miss", label: "cache miss", scenario: "cache-miss", group: "route", role: "router", rps: {}, failed: "smoke check: HTTP 500 | boom" },
  ],
  targets: [
    { row: "cached-intent", measure: "cpu", label: "cached intent: workerd CPU/req ÷ forwarder's", op: "<=", target: 2, value: 1.95, met: true },
    { row: "cached-intent", measure: "rps50Share", label: "cached intent: req/s at 50 conns ÷ forwarder's", op: ">=", target: 0.5, value: 0.375, met: false },
    { row: "chat-stream", measure: "cpu", label: "streamed chat: workerd CPU/req ÷ forwarder's", op: "<=", target: 2, met: undefined },
  ],
};

const RESULTS: BenchResults = {
  date: "2026-12-01T22:58:01.123Z",
  command: "npm run bench -- --quick",
  mode: "raw",
  options: { seconds: 2 },
  machine: { cpus: 2, model: "Test CPU @ 2GHz ", memGiB: 7.75, node: "v22.23.3", loadavgStart: [9.1, 7.8, 6.9], loadavg: [8.4, 8, 7.2] },
  summary: SUMMARY,
  scenarios: [{ sequential: { cpu: { foreignPct: 40 } }, load: [{ cpu: { foreignPct: 70 } }, { cpu: {} }] }, { load: [{ cpu: { foreignPct: 60 } }, { cpu: { foreignPct: 10 } }] }],
};

describe("bench:readme block", () => {
  it("says where the figures come from: file, date, command, mode, machine and its load", () => {
    const md = summaryMarkdown(RESULTS, "bench/out/results-x.json");
    expect(md).toContain("from `bench/out/results-x.json`");
    expect(md).toContain("**2026-12-01 22:58 UTC**, `npm run bench -- --quick` (a quick run: 2 s per autocannon run), raw `workerd serve`.");
    expect(md).toContain("Machine: 2 × Test CPU @ 2GHz, 7.8 GiB, node v22.23.3; load average (1/5/15 min) 9.1 / 7.8 / 6.9 at the start, 8.4 / 8.0 / 7.2 at the end; other processes used 50 % of the cores during the scenarios (median) — a shared, loaded 2-core machine");
  });

  it("renders the summary as a Markdown table with right-aligned figures, the failed scenario and the targets", () => {
    const lines = summaryMarkdown(RESULTS, "f.json").split("\n");
    const table = lines.filter((l) => l.startsWith("|"));
    expect(table).toHaveLength(2 + 3);
    expect(table[1]).toBe(`| --- | --- | ${Array(13).fill("---:").join(" | ")} |`);
    expect(table[3]).toBe("| cached intent | cached-intent | 1,000 | 2,200 | 1,500 | 0.800 | 1.800 | +0.600 | +1.300 | 390 | 1.95× ✓ | 38 % ✗ | +0.200 | 62 % | 1/2 met |");
    expect(lines).toContain("- **cache-miss failed:** smoke check: HTTP 500 \\| boom");
    expect(lines).toContain("- ✓ met: cached intent: workerd CPU/req ÷ forwarder's: 1.95× (target ≤ 2.00×)");
    expect(lines).toContain("- ✗ **missed**: cached intent: req/s at 50 conns ÷ forwarder's: 38 % (target ≥ 50 %)");
    expect(lines).toContain("- ? not measured: streamed chat: workerd CPU/req ÷ forwarder's: not measured (target ≤ 2.00×)");
  });

  it("does not call a quiet machine loaded, nor a 3 s run quick", () => {
    const quiet = { ...RESULTS, command: "npm run bench", options: { seconds: 3 }, machine: { ...RESULTS.machine, loadavgStart: [0.5, 0.4, 0.3], loadavg: [1.9, 1, 0.5] }, scenarios: [{ load: [{ cpu: { foreignPct: 24 } }] }] };
    expect(machineLine(quiet)).not.toContain("loaded");
    expect(machineLine({ ...quiet, scenarios: [{ load: [{ cpu: { foreignPct: 25 } }] }] })).toContain("loaded");
    // a high load average with few others' CPU is the bench's own load: not "loaded"
    expect(machineLine({ ...quiet, machine: { ...quiet.machine, loadavgStart: [2.5, 2.1, 2.2] }, scenarios: [{ load: [{ cpu: { foreignPct: 1 } }] }] })).not.toContain("loaded");
    expect(machineLine({ ...quiet, machine: { ...quiet.machine, loadavgStart: [2.5, 2.1, 2.2] }, scenarios: [] })).toContain("loaded"); // no share measured: the load average decides
    expect(summaryMarkdown(quiet, "f.json")).not.toContain("quick run");
  });

  it("refuses a results file without a summary", () => {
    expect(() => summaryMarkdown({ date: RESULTS.date }, "old.json")).toThrow(/old\.json has no summary/);
    expect(() => summaryMarkdown({ ...RESULTS, summary: { error: "TypeError: x\n at y" } }, "bad.json")).toThrow(/summary failed: TypeError: x\)$/);
  });

  it("replaces only what is between the markers, and again the same way", () => {
    const doc = `# Doc\n\nbefore\n${BLOCK_START}\nold figures\n${BLOCK_END}\nafter\n`;
    const once = replaceBlock(doc, "new figures");
    expect(once).toBe(`# Doc\n\nbefore\n${BLOCK_START}\nnew figures\n${BLOCK_END}\nafter\n`);
    expect(replaceBlock(once, "new figures")).toBe(once);
    expect(() => replaceBlock("# no markers\n", "x")).toThrow(/markers/);
    expect(() => replaceBlock(`${BLOCK_END}\n${BLOCK_START}\n`, "x")).toThrow(/out of order/);
  });
});
