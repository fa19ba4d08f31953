import type { TaskView } from "../../durable-objects/task-agent.ts";
import { TERMINAL, type TaskEvent, type TaskStatus } from "./types.ts";

/**
 * Following a task, the one way every door does it (the SSE feed, an A2A stream, a
 * blocking A2A send): long polls of the TaskAgent's `events(after, waitMs)`, which
 * answers as soon as an event is written (or after `waitMs` with none). Nothing polls
 * on a fixed interval.
 */

/** Longest one long poll waits for an event. */
export const LONG_POLL_MS = 10_000;

/** What following needs of a TaskAgent stub. */
export interface TaskEventSource {
  events(tenant: string, after: number, waitMs?: number): Promise<{ events: TaskEvent[]; done: boolean } | undefined>;
  get(tenant: string): Promise<TaskView | undefined>;
}

/** A task's feed from a point: the events already written, then every later one as it is written. */
export interface TaskFeed {
  /** The events after the starting point already written (the TaskAgent's first page of them). */
  backlog: TaskEvent[];
  /** The events after the backlog, each as soon as it is written; ends once the task has ended and every event was read, or at `until`. */
  later: AsyncGenerator<TaskEvent, void, undefined>;
}

/** Whether a task has settled: it ended, or it waits for a human. */
export function settled(status: TaskStatus): boolean {
  return TERMINAL.has(status) || status === "awaiting_approval";
}

const SETTLING = new Set<string>([...TERMINAL, "awaiting_approval"].map((s) => `task.${s}`));

/** Whether an event settles its task (its end, or a pause for approval): the event a follower stops or re-reads at. */
export function settlingEvent(e: TaskEvent): boolean {
  return SETTLING.has(e.type);
}

/**
 * Opens a task's feed after event `after` (0: from its start). Undefined when the
 * tenant has no such task. `until` (epoch ms) bounds how long `later` keeps waiting;
 * `now` is the clock it is read with.
 *
 * @example
 * const feed = await openTaskFeed(stub, "acme", 0, { until: Date.now() + 60_000 });
 * for (const e of feed.backlog) show(e);
 * for await (const e of feed.later) show(e);
 */
export async function openTaskFeed(source: TaskEventSource, tenant: string, after: number, opts: { until: number; now?: () => number; longPollMs?: number }): Promise<TaskFeed | undefined> {
  const now = opts.now ?? Date.now;
  const longPollMs = opts.longPollMs ?? LONG_POLL_MS;
  const first = await source.events(tenant, after);
  if (!first) return undefined;
  const backlog = first.events;
  const endedAlready = first.done && backlog.length === 0;
  async function* later(): AsyncGenerator<TaskEvent, void, undefined> {
    let last = backlog.at(-1)?.seq ?? after;
    let ended = endedAlready;
    while (!ended && now() < opts.until) {
      const batch = await source.events(tenant, last, Math.max(1, Math.min(longPollMs, opts.until - now())));
      if (!batch) return;
      for (const e of batch.events) {
        last = e.seq;
        yield e;
      }
      ended = batch.done && batch.events.length === 0;
    }
  }
  return { backlog, later: later() };
}

/**
 * Waits until a task settles ({@link settled}) or `until` passes, and returns it as it
 * is then: the feed wakes it at each settling event, and the task is read again only
 * then. Undefined when the tenant has no such task.
 */
export async function waitSettled(source: TaskEventSource, tenant: string, opts: { until: number; now?: () => number; longPollMs?: number }): Promise<TaskView | undefined> {
  // the feed first, then the task: whatever happens after this read is in feed.later
  const feed = await openTaskFeed(source, tenant, 0, opts);
  let view = await source.get(tenant);
  if (!feed || !view || settled(view.status)) return view;
  for await (const e of feed.later) {
    if (!settlingEvent(e)) continue;
    view = (await source.get(tenant)) ?? view;
    if (settled(view.status)) return view;
  }
  return (await source.get(tenant)) ?? view;
}
