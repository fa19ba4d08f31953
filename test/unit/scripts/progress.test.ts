import { EventEmitter } from "node:events";
import { describe, expect, it, vi } from "vitest";
import { etaMs, etaNowMs, formatDuration, progressLine, signalExitCode, startProgress } from "../../../scripts/lib/progress.ts";

describe("etaMs", () => {
  it("is the mean time per step times the steps left", () => {
    expect(etaMs(1, 4, 1_000)).toBe(3_000);
    expect(etaMs(3, 4, 6_000)).toBe(2_000);
    expect(etaMs(4, 4, 6_000)).toBe(0);
  });
  it("is undefined before the first step or with nothing to do", () => {
    expect(etaMs(0, 4, 1_000)).toBeUndefined();
    expect(etaMs(1, 0, 1_000)).toBeUndefined();
    expect(etaMs(1, 4, Number.NaN)).toBeUndefined();
  });
  it("never goes below zero when more steps were done than counted", () => {
    expect(etaMs(5, 4, 1_000)).toBe(0);
  });
});

describe("etaNowMs", () => {
  it("is the ETA at the last step less the time since, not below zero", () => {
    expect(etaNowMs(1, 3, 10_000, 0)).toBe(20_000);
    expect(etaNowMs(1, 3, 10_000, 4_000)).toBe(16_000);
    expect(etaNowMs(1, 3, 10_000, 25_000)).toBe(0);
  });
  it("is undefined before the first step", () => {
    expect(etaNowMs(0, 3, 0, 5_000)).toBeUndefined();
  });
});

describe("formatDuration", () => {
  it.each([
    [undefined, "?"],
    [Number.POSITIVE_INFINITY, "?"],
    [-1, "?"],
    [850, "850 ms"],
    [12_400, "12 s"],
    [125_000, "2 m 05 s"],
    [3_780_000, "1 h 03 m"],
  ])("%s ms → %s", (ms, text) => expect(formatDuration(ms)).toBe(text));
});

describe("progressLine", () => {
  it("says label, done/total, percent, elapsed, ETA and what happened", () => {
    expect(progressLine("few-shot", 4, 16, 40_000, "k=5 seed 4")).toBe("few-shot 4/16 (25 %) · 40 s elapsed · ETA 2 m 00 s — k=5 seed 4");
  });
  it("says done at the end, and leaves out an empty tail", () => {
    expect(progressLine("bench", 3, 3, 9_000)).toBe("bench 3/3 (100 %) · 9 s elapsed · done");
  });
});

describe("signalExitCode", () => {
  it("is 128 + the signal's number, as a shell reports it", () => {
    expect(signalExitCode("SIGINT")).toBe(130);
    expect(signalExitCode("SIGTERM")).toBe(143);
  });
});

describe("startProgress, plain mode", () => {
  function fakeStream() {
    const lines: string[] = [];
    const stream = { isTTY: false, write: (s: string) => (lines.push(s), true) } as unknown as NodeJS.WriteStream;
    return { lines, stream };
  }
  it("writes one plain line per step with the ETA from the clock, no cursor codes", () => {
    const { lines, stream } = fakeStream();
    let t = 0;
    const p = startProgress("corrections", 3, { stream, now: () => t });
    t = 10_000;
    p.tick("seed 1 p=0.1");
    p.now("seed 1 p=0.5");
    p.log("a note");
    t = 20_000;
    p.tick(undefined, 2);
    p.stop();
    expect(lines).toEqual(["corrections 1/3 (33 %) · 10 s elapsed · ETA 20 s — seed 1 p=0.1\n", "a note\n", "corrections 3/3 (100 %) · 20 s elapsed · done\n"]);
    expect(lines.join("")).not.toMatch(/\u001b/);
  });
  it("is plain when the stream is a TTY but CI is set", () => {
    const { lines, stream } = fakeStream();
    (stream as { isTTY: boolean }).isTTY = true;
    const before = process.env.CI;
    process.env.CI = "1";
    try {
      startProgress("x", 1, { stream, now: () => 0 }).tick("one");
    } finally {
      if (before === undefined) delete process.env.CI;
      else process.env.CI = before;
    }
    expect(lines).toEqual(["x 1/1 (100 %) · 0 ms elapsed · done — one\n"]);
  });
});

describe("startProgress, bar mode", () => {
  function ttyStream() {
    const o = { out: "" };
    const stream = { isTTY: true, columns: 200, write: (s: string) => ((o.out += s), true), cursorTo: () => true, clearLine: () => true, clearScreenDown: () => true, moveCursor: () => true } as unknown as NodeJS.WriteStream;
    return { o, stream };
  }
  it("draws the bar at once, and each step's line and the bar as the step ends, with no timer turn (synchronous work between steps)", () => {
    const { o, stream } = ttyStream();
    let t = 0;
    const p = startProgress("few-shot", 2, { stream, plain: false, now: () => t });
    try {
      expect(o.out).toMatch(/few-shot \[[^\]]+\] 0\/2/);
      t = 5_000;
      p.tick("k=5 seed 1 done");
      expect(o.out).toContain("k=5 seed 1 done\n");
      expect(o.out).toMatch(/few-shot \[[^\]]+\] 1\/2 · 5 s · ETA 5 s/);
      p.log("a note");
      expect(o.out).toContain("a note\n");
    } finally {
      p.stop();
    }
  });
  it("refreshes the elapsed time on cli-progress's timer between steps, not only at ticks", () => {
    vi.useFakeTimers();
    const { o, stream } = ttyStream();
    let t = 0;
    const p = startProgress("bench scenarios", 2, { stream, plain: false, keep: false, now: () => t });
    try {
      p.now("direct");
      t = 6_000;
      vi.advanceTimersByTime(1_000);
      expect(o.out).toMatch(/0\/2 · 6 s · ETA \? · direct/);
      p.tick("direct");
      t = 9_000;
      vi.advanceTimersByTime(1_000);
      // the ETA of the last step counts down between steps (6 s a step so far, 3 s of the next one gone)
      expect(o.out).toMatch(/1\/2 · 9 s · ETA 3 s · direct/);
    } finally {
      p.stop();
      vi.useRealTimers();
    }
  });
  it("on SIGINT or SIGTERM, gives the terminal its cursor and line wrap back and exits with 130 or 143", () => {
    for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
      const { o, stream } = ttyStream();
      const signals = new EventEmitter();
      const exits: number[] = [];
      const p = startProgress("few-shot", 3, { stream, plain: false, signals, exit: (c) => exits.push(c) });
      p.tick("k=5 seed 1");
      expect(o.out).toContain("\u001b[?25l\u001b[?7l");
      signals.emit(signal);
      expect(o.out.endsWith("\n")).toBe(true);
      expect(o.out.slice(o.out.lastIndexOf("\u001b[?25l"))).toContain("\u001b[?25h\u001b[?7h");
      expect(exits).toEqual([code]);
      expect(signals.listenerCount("SIGINT") + signals.listenerCount("SIGTERM")).toBe(0);
      p.stop();
    }
  });
  it("on a signal someone else listens for, stops the bar first and leaves the exit to them", () => {
    const { o, stream } = ttyStream();
    const signals = new EventEmitter();
    const order: string[] = [];
    signals.on("SIGINT", () => order.push(o.out.includes("\u001b[?25h") ? "other, after the bar stopped" : "other, bar still shown"));
    const exits: number[] = [];
    startProgress("bench scenarios", 3, { stream, plain: false, keep: false, signals, exit: (c) => exits.push(c) });
    signals.emit("SIGINT");
    expect(order).toEqual(["other, after the bar stopped"]);
    expect(exits).toEqual([]);
    expect(signals.listenerCount("SIGINT")).toBe(1);
  });
  it("gives the terminal back when the process exits with the bar shown (an error, process.exit)", () => {
    const { o, stream } = ttyStream();
    const signals = new EventEmitter();
    startProgress("x", 2, { stream, plain: false, signals });
    signals.emit("exit", 1);
    expect(o.out).toContain("\u001b[?25h\u001b[?7h");
  });
  it("stop() takes its signal and exit handlers away", () => {
    const { stream } = ttyStream();
    const signals = new EventEmitter();
    startProgress("x", 1, { stream, plain: false, signals }).stop();
    expect(signals.listenerCount("SIGINT") + signals.listenerCount("SIGTERM") + signals.listenerCount("exit")).toBe(0);
  });
  it("draws a cli-progress bar with done/total and the ETA, and keeps every line logged, the last ones too", () => {
    let out = "";
    const stream = { isTTY: true, columns: 200, write: (s: string) => ((out += s), true), cursorTo: () => true, clearLine: () => true, clearScreenDown: () => true, moveCursor: () => true } as unknown as NodeJS.WriteStream;
    let t = 0;
    const p = startProgress("bench scenarios", 2, { stream, plain: false, now: () => t });
    p.now("direct");
    t = 5_000;
    p.tick("direct done");
    p.log("a note");
    t = 10_000;
    p.tick("cached-intent done");
    p.stop();
    expect(out).toContain("direct done\n");
    expect(out).toContain("a note\n");
    expect(out).toContain("cached-intent done\n");
    expect(out).toMatch(/bench scenarios \[[^\]]+\] 2\/2 · 10 s · done/);
  });
});
