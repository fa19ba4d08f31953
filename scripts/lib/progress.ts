/**
 * Progress of the long runs (`npm run eval -- --few-shot | --corrections | --escalation | --pipeline`,
 * the CLINC fit, `npm run bench`'s scenarios): a thin layer over cli-progress.
 *
 * - On a terminal (stderr a TTY, no `CI` variable): one cli-progress bar on stderr with what
 *   runs now, done/total and the ETA; lines logged meanwhile go above the bar (MultiBar.log).
 *   Drawn at once on each step, log or label, not only on cli-progress's timer: the fits
 *   between steps are synchronous and keep that timer from firing. Ctrl-C (SIGINT) or SIGTERM,
 *   and any exit, with the bar shown: the bar stops first, giving the terminal its cursor and
 *   line wrap back; then exit 130 / 143 unless another handler owns the signal (the bench's).
 *   A signal is handled on the next turn of the event loop: the synchronous evaluations await
 *   {@link nextTurn} after each step, so Ctrl-C ends them when the running step ends.
 * - Otherwise (CI logs, a file): one plain line per step on stderr, no cursor movement:
 *   `few-shot 3/16 (19 %) · 41 s elapsed · ETA 2 m 56 s — <the step's line>`.
 *
 * Always stderr: stdout keeps the report (or its `--json`). The ETA is the pure
 * {@link etaMs}: the mean time per step so far times the steps left.
 */
import { constants } from "node:os";
import cliProgress from "cli-progress";

/** Milliseconds left at the mean pace so far; undefined before the first step (or with none to do). */
export function etaMs(done: number, total: number, elapsedMs: number): number | undefined {
  if (!(done > 0) || !(total > 0) || !(elapsedMs >= 0)) return undefined;
  return (Math.max(0, total - done) * elapsedMs) / done;
}

/**
 * The ETA between steps: {@link etaMs} as of the last step (`done` steps in `atStepMs`), less the
 * `sinceStepMs` gone since, not below zero; a countdown rather than a figure that grows with the clock.
 */
export function etaNowMs(done: number, total: number, atStepMs: number, sinceStepMs: number): number | undefined {
  const eta = etaMs(done, total, atStepMs);
  return eta === undefined ? undefined : Math.max(0, eta - Math.max(0, sinceStepMs));
}

/** "850 ms", "12 s", "2 m 05 s", "1 h 03 m"; "?" for undefined or not finite. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return "?";
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1_000);
  if (s < 60) return `${s} s`;
  if (s < 3_600) return `${Math.floor(s / 60)} m ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(s / 3_600)} h ${String(Math.floor((s % 3_600) / 60)).padStart(2, "0")} m`;
}

/** The plain line of a step: label, done/total (percent), elapsed, ETA, then what happened. */
export function progressLine(label: string, done: number, total: number, elapsedMs: number, what?: string): string {
  const pct = total > 0 ? Math.round((100 * Math.min(done, total)) / total) : 0;
  const eta = done >= total ? "done" : `ETA ${formatDuration(etaMs(done, total, elapsedMs))}`;
  return `${label} ${done}/${total} (${pct} %) · ${formatDuration(elapsedMs)} elapsed · ${eta}${what ? ` — ${what}` : ""}`;
}

/**
 * One turn of the event loop. Ctrl-C's handler (and the bar's timer) only run on a turn, and
 * awaiting a promise that is already settled does not give one: the synchronous fits await
 * this between steps, or a Ctrl-C would wait for the whole run.
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The exit code of a run ended by `signal`, as a shell reports it: 128 + the signal's number (SIGINT 130, SIGTERM 143). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}

export interface Progress {
  /** Marks `by` steps done (default 1); `what` says which (the plain line's tail, the bar's label). */
  tick(what?: string, by?: number): void;
  /** Says what runs now (the bar's label; nothing in plain mode). */
  now(what: string): void;
  /** A line that is no step, on the progress stream: above the bar on a terminal, else as it is. */
  log(line: string): void;
  /** A report line for stdout: above the bar when stdout is the same terminal, else straight to stdout. */
  out(line: string): void;
  /** Ends the bar (idempotent). */
  stop(): void;
}

export interface ProgressOptions {
  /** Default process.stderr. */
  stream?: NodeJS.WriteStream;
  /** Force plain lines (true) or the bar (false); default: plain unless `stream` is a TTY and `CI` is unset. */
  plain?: boolean;
  /** Bar mode: keep each step's `what` as a line above the bar (default true; false: it only labels the bar). */
  keep?: boolean;
  /** Plain mode: a line only each time `done` passes a multiple of this (and at the end); default 1. */
  plainEvery?: number;
  /** Clock (ms), for tests. */
  now?: () => number;
  /** Where SIGINT/SIGTERM and `exit` arrive (default process), for tests. */
  signals?: NodeJS.EventEmitter;
  /** Ends the process (default process.exit), for tests. */
  exit?: (code: number) => void;
}

/** Starts a progress of `total` steps. */
export function startProgress(label: string, total: number, o: ProgressOptions = {}): Progress {
  const stream = o.stream ?? process.stderr;
  const clock = o.now ?? (() => performance.now());
  const plain = o.plain ?? !(stream.isTTY && !process.env.CI);
  const t0 = clock();
  const every = Math.max(1, Math.floor(o.plainEvery ?? 1));
  let done = 0;
  let current = "";
  if (plain) {
    return {
      tick(what, by = 1) {
        const before = Math.floor(done / every);
        done += by;
        if (Math.floor(done / every) !== before || done >= total) stream.write(`${progressLine(label, done, total, clock() - t0, what)}\n`);
      },
      now(what) {
        current = what;
      },
      log(line) {
        stream.write(`${line}\n`);
      },
      out(line) {
        process.stdout.write(`${line}\n`);
      },
      stop() {},
    };
  }
  const template = `${label} [{bar}] {value}/{total} · {elapsed} · {etaText} · {what}`;
  const multi = new cliProgress.MultiBar(
    {
      stream,
      // elapsed and ETA read the clock at each frame: the timer's frames between steps keep them current
      format: (options, params, fields) => cliProgress.Format.Formatter({ ...options, format: template }, params, { ...fields, ...timing() }),
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      barsize: 24,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  let lastStep = t0;
  function timing() {
    const now = clock();
    return { elapsed: formatDuration(now - t0), etaText: done >= total ? "done" : `ETA ${formatDuration(etaNowMs(done, total, lastStep - t0, now - lastStep))}` };
  }
  const payload = () => ({ what: current.slice(0, 60) });
  const bar = multi.create(total, 0, payload());
  // MultiBar only draws (and flushes the lines of log()) on its timer, which synchronous work between
  // steps keeps from firing: draw now, at the start and after each change (update() with no argument redraws)
  multi.update();
  let stopped = false;
  function stop(): void {
    if (stopped) return;
    stopped = true;
    for (const [signal, handler] of handlers) signals.removeListener(signal, handler);
    signals.removeListener("exit", stop);
    bar.update(done, payload());
    multi.update(); // draws the lines logged since the last frame: stop() alone drops them
    multi.stop(); // shows the cursor and turns line wrap back on
  }
  // Ctrl-C or a kill while the bar is shown: stop it first, so the terminal gets its cursor and line wrap
  // back; then end as the signal would have, unless someone else listens for it (bench/run.ts cleans up, then exits)
  const signals = o.signals ?? process;
  const exit = o.exit ?? ((code: number) => process.exit(code));
  const handlers = (["SIGINT", "SIGTERM"] as const).map((signal) => {
    const handler = () => {
      stop();
      if (signals.listenerCount(signal) === 0) exit(signalExitCode(signal));
    };
    signals.prependListener(signal, handler);
    return [signal, handler] as const;
  });
  signals.once("exit", stop); // an error or process.exit() with the bar shown: the terminal too
  return {
    tick(what, by = 1) {
      done += by;
      lastStep = clock();
      if (stopped) {
        if (what && o.keep !== false) stream.write(`${what}\n`);
        return;
      }
      if (what && o.keep !== false) multi.log(`${what}\n`);
      else if (what) current = what;
      bar.update(done, payload());
      multi.update();
    },
    now(what) {
      current = what;
      if (stopped) return;
      bar.update(done, payload());
      multi.update();
    },
    log(line) {
      if (stopped) return void stream.write(`${line}\n`);
      multi.log(`${line}\n`);
      multi.update();
    },
    out(line) {
      if (!stopped && process.stdout.isTTY) {
        multi.log(`${line}\n`);
        multi.update();
      } else process.stdout.write(`${line}\n`);
    },
    stop,
  };
}
