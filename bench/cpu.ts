/**
 * CPU accounting from /proc (Linux; everything is `undefined` elsewhere): CPU time
 * of workerd (the router's cost per request, robust to a busy machine), of this
 * process (load generator + upstream thread), and of everything else on the box
 * during a run (to flag foreign load on a shared machine).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { cpus } from "node:os";

let hz: number | undefined;
function ticksPerSecond(): number {
  if (hz === undefined) {
    try {
      hz = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      hz = 100;
    }
  }
  return hz;
}

/** utime + stime of a process (all threads), in ms. */
function procCpuMs(pid: number | "self"): number | undefined {
  try {
    const st = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = st.slice(st.lastIndexOf(")") + 2).split(" ");
    return ((Number(f[11]) + Number(f[12])) * 1000) / ticksPerSecond();
  } catch {
    return undefined;
  }
}

/** Busy CPU ms of the whole machine (all cores). */
function systemBusyMs(): number | undefined {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n")[0]!;
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const busy = v.reduce((a, b) => a + b, 0) - (v[3] ?? 0) - (v[4] ?? 0) - (v[8] ?? 0) - (v[9] ?? 0); // minus idle, iowait, guest (already in user)
    return (busy * 1000) / ticksPerSecond();
  } catch {
    return undefined;
  }
}

/** PIDs of this process's children named `name` (Miniflare spawns workerd directly). */
export function childPids(name: string): number[] {
  if (!existsSync("/proc/self/stat")) return [];
  const out: number[] = [];
  for (const p of readdirSync("/proc")) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const st = readFileSync(`/proc/${p}/stat`, "utf8");
      const comm = st.slice(st.indexOf("(") + 1, st.lastIndexOf(")"));
      const ppid = Number(st.slice(st.lastIndexOf(")") + 2).split(" ")[1]);
      if (comm === name && ppid === process.pid) out.push(Number(p));
    } catch {
      /* gone */
    }
  }
  return out;
}

export interface CpuUsage {
  /** workerd CPU ms during the window. */
  workerdMs?: number;
  /** This process (autocannon / loop + upstream thread) CPU ms. */
  selfMs?: number;
  /** Everything else on the machine, as % of all cores. */
  foreignPct?: number;
}

/** Starts a measurement window; call the result to end it. */
export function cpuWindow(workerdPids: readonly number[]): () => CpuUsage {
  const sumWorkerd = () => {
    let t = 0;
    for (const pid of workerdPids) {
      const ms = procCpuMs(pid);
      if (ms === undefined) return undefined;
      t += ms;
    }
    return workerdPids.length ? t : undefined;
  };
  const w0 = sumWorkerd();
  const s0 = procCpuMs("self");
  const b0 = systemBusyMs();
  const t0 = performance.now();
  return () => {
    const w1 = sumWorkerd();
    const s1 = procCpuMs("self");
    const b1 = systemBusyMs();
    const wall = performance.now() - t0;
    const workerdMs = w0 !== undefined && w1 !== undefined ? w1 - w0 : undefined;
    const selfMs = s0 !== undefined && s1 !== undefined ? s1 - s0 : undefined;
    const busy = b0 !== undefined && b1 !== undefined ? b1 - b0 : undefined;
    const foreignPct =
      busy !== undefined && workerdMs !== undefined && selfMs !== undefined ? Math.max(0, (100 * (busy - workerdMs - selfMs)) / (wall * cpus().length)) : undefined;
    return { workerdMs, selfMs, foreignPct };
  };
}
