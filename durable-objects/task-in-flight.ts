/** A task's hop and cost totals, as per-task policy limits count them. */
export interface Totals {
  hops: number;
  costUsd: number;
}

/**
 * What one TaskAgent instance is running right now, in memory: the step runs in
 * progress (inline in a drive round, or dispatched runs each in its own RPC
 * invocation) and the totals they share.
 *
 * Per-task limits (`maxHopsPerTask`, `maxCostPerTaskUsd`) reserve each admitted call
 * in one totals object before the call is made (worker/routing/policy-guard.ts). Runs
 * that overlap must share it, or two of them could each see room for the last hop: so
 * the first run to start takes the task's stored totals, every run that starts while
 * one is still going joins the same object, and the last to end drops it (the next
 * run reads the stored totals again, which by then count every finished call).
 * Forgetting it with the instance is right: a restart ends every run it held.
 *
 * @example
 * const totals = inFlight.open(task);   // { hops: task.hops, costUsd: task.costUsd }, or the one runs in progress share
 * try { await run(totals); } finally { inFlight.close(); }
 */
export class InFlight {
  #open = 0;
  #totals: Totals | undefined;
  readonly #runs = new Set<string>();

  /** Totals for `n` runs starting now: the shared ones while runs are in progress, else the task's own. */
  open(task: Totals, n = 1): Totals {
    if (this.#open === 0 || !this.#totals) this.#totals = { hops: task.hops, costUsd: task.costUsd };
    this.#open += n;
    return this.#totals;
  }

  /** One run opened with {@link open} ended. */
  close(): void {
    if (this.#open > 0) this.#open -= 1;
    if (this.#open === 0) this.#totals = undefined;
  }

  /** Marks a dispatched run (`<step>/<attempt>`) as running in this instance; false if it already is. */
  start(run: string): boolean {
    if (this.#runs.has(run)) return false;
    this.#runs.add(run);
    return true;
  }

  /** Whether a dispatched run is running in this instance. */
  running(run: string): boolean {
    return this.#runs.has(run);
  }

  end(run: string): void {
    this.#runs.delete(run);
  }
}
