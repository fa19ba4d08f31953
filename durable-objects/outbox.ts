import type { Env } from "../worker/env.ts";

/** An outbox in a TaskAgent's storage (task callbacks, A2A push notifications) that puts its rows on a queue. */
export interface Outbox {
  /** Rows not yet on the queue. */
  pending(): number;
  /** Puts the rows on the queue; resolves with when the next try of what it refused is due (epoch ms), if any. */
  flush(env: Env): Promise<number | undefined>;
}

/**
 * Flushes an outbox and arms the object's alarm no later than the next try of what the
 * queue refused (the agent's alarm calls this again). Never throws: a failure is logged
 * as `what`, for task `taskId`.
 */
export async function tellOutbox(outbox: Outbox, env: Env, storage: DurableObjectStorage, what: string, taskId: () => string | undefined): Promise<void> {
  try {
    if (outbox.pending() === 0) return;
    const next = await outbox.flush(env);
    if (next === undefined) return;
    const alarm = await storage.getAlarm();
    if (alarm === null || alarm > next) await storage.setAlarm(next);
  } catch (e) {
    console.warn(JSON.stringify({ msg: `${what} not flushed`, task: taskId(), error: String(e) }));
  }
}

/** Runs flushes one at a time, in the order they were asked for; a failed one does not stop the next. */
export class SerialRuns {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(f: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(f);
    this.#tail = run.catch(() => undefined);
    return run;
  }
}
