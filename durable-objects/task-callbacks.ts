import type { Env } from "../worker/env.ts";
import { enqueueCallbackEvent, type Callback, type CallbackEvent } from "../worker/queues/callbacks.ts";
import { storeDeadLetter } from "../worker/queues/dead-letters.ts";
import { envelope, type Envelope } from "../worker/queues/envelope.ts";
import { CALLBACK_EVENT_TYPES, taskCallbackEvent } from "../worker/tasks/callback-events.ts";
import { taskLinks } from "../worker/tasks/links.ts";
import type { TaskStore } from "./task-store.ts";
import { SerialRuns, tellOutbox } from "./outbox.ts";

/** Tries to put one event on the webhooks queue before it is given up (logged). */
export const MAX_ENQUEUE_TRIES = 10;

/** Wait before the next try after `tries` failed ones: 5 s doubling, at most 5 min. */
const retryMs = (tries: number) => Math.min(300_000, 5_000 * 2 ** (tries - 1));

interface OutboxRow extends Record<string, SqlStorageValue> {
  seq: number;
  event: string;
  tries: number;
  not_before: number;
}

/**
 * A task's callback (docs/queues.md, "Webhooks") and its outbox, in the TaskAgent's
 * SQLite storage. The callback's secret lives here, apart from the task document, so
 * no view of the task can carry it. When a state change worth telling is recorded
 * (`CALLBACK_EVENT_TYPES`), its event goes into the outbox in the same synchronous
 * step as the change itself, so a change is never recorded without its event; the
 * agent then flushes the outbox to the webhooks queue, and an alarm retries what the
 * queue refused. The event id is `<task id>:<event seq>`: one id per change, however
 * often it is enqueued (the consumer's ledger sends it once).
 */
export class TaskCallbacks {
  readonly #sql: SqlStorage;
  readonly #store: () => TaskStore;
  readonly #runs = new SerialRuns();

  constructor(sql: SqlStorage, store: () => TaskStore) {
    this.#sql = sql;
    this.#store = store;
    sql.exec(`CREATE TABLE IF NOT EXISTS callback (id INTEGER PRIMARY KEY CHECK (id = 1), url TEXT NOT NULL, secret TEXT);
      CREATE TABLE IF NOT EXISTS callback_outbox (seq INTEGER PRIMARY KEY, event TEXT NOT NULL, tries INTEGER NOT NULL, not_before INTEGER NOT NULL);`);
  }

  /** Sets the task's callback (at its creation). */
  set(callback: Callback): void {
    this.#sql.exec("INSERT OR REPLACE INTO callback (id, url, secret) VALUES (1, ?, ?)", callback.url, callback.secret ?? null);
  }

  /** The task's callback, secret included, if it has one. */
  get(): Callback | undefined {
    const r = this.#sql.exec<{ url: string; secret: string | null }>("SELECT url, secret FROM callback WHERE id = 1").toArray()[0];
    return r ? { url: r.url, ...(r.secret !== null ? { secret: r.secret } : {}) } : undefined;
  }

  /** Hears of a progress event as it is written (synchronously): a state change worth telling goes into the outbox. */
  recorded(e: { seq: number; type: string; at: string }): void {
    if (!CALLBACK_EVENT_TYPES.has(e.type)) return;
    try {
      if (!this.get()) return;
      const store = this.#store();
      const task = store.requireTask();
      const event = taskCallbackEvent({ ...task, steps: store.steps(), links: taskLinks(task.id) }, e);
      this.#sql.exec("INSERT OR IGNORE INTO callback_outbox (seq, event, tries, not_before) VALUES (?, ?, 0, 0)", e.seq, JSON.stringify(event));
    } catch (err) {
      // the state change stands whatever happens to its event: the engine must not fail for a callback
      console.error(JSON.stringify({ msg: "task callback event not recorded", seq: e.seq, type: e.type, error: String(err) }));
    }
  }

  /** Events not yet on the queue. */
  pending(): number {
    return this.#sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM callback_outbox").one().n;
  }

  /**
   * Flushes the outbox and arms the object's alarm no later than the next try of what
   * the queue refused (the agent's alarm calls this again). Never throws.
   */
  async tell(env: Env, storage: DurableObjectStorage): Promise<void> {
    await tellOutbox(this, env, storage, "task callback events", () => this.#store().task()?.id);
  }

  /**
   * Puts the outbox's events on the webhooks queue, oldest first (flushes run one at a
   * time). An event the queue refuses waits (5 s, doubling, at most 5 min) and the
   * later ones with it; after {@link MAX_ENQUEUE_TRIES}, or at once for an event too
   * large for a message, it is given up: stored as a dead letter and logged. Resolves with when the next try is
   * due (epoch ms), if any event is left.
   */
  flush(env: Pick<Env, "WEBHOOKS"> & Partial<Env>, now: () => number = Date.now): Promise<number | undefined> {
    return this.#runs.run(() => this.#flush(env, now));
  }

  async #flush(env: Pick<Env, "WEBHOOKS"> & Partial<Env>, clock: () => number): Promise<number | undefined> {
    const callback = this.get();
    const task = this.#store().task();
    if (!callback || !task) return undefined;
    const rows = this.#sql.exec<OutboxRow>("SELECT * FROM callback_outbox ORDER BY seq").toArray();
    for (const row of rows) {
      const now = clock();
      if (row.not_before > now) return row.not_before;
      try {
        await enqueueCallbackEvent(env, task.tenant, callback, JSON.parse(row.event) as CallbackEvent);
        this.#sql.exec("DELETE FROM callback_outbox WHERE seq = ?", row.seq);
      } catch (e) {
        const tries = row.tries + 1;
        const line = { msg: "task callback event not enqueued", task: task.id, seq: row.seq, tries, error: String(e) };
        if (e instanceof RangeError || tries >= MAX_ENQUEUE_TRIES) {
          // given up: kept as a dead letter (an admin sees it, and may replay it once the queue takes it)
          const event = JSON.parse(row.event) as CallbackEvent;
          const raw = { callback, event };
          let asEnvelope: Envelope | undefined;
          try {
            asEnvelope = envelope("webhook.deliver", `webhook:${event.id}`, task.tenant, raw as unknown as Record<string, unknown>);
          } catch {
            asEnvelope = undefined; // too large for a queue message: stored as it is
          }
          await storeDeadLetter(env as Env, { queue: "webhooks", messageId: `outbox:${task.id}:${row.seq}`, envelope: asEnvelope, raw, reason: `never enqueued: ${String(e)}`, attempts: tries }).catch((stored: unknown) =>
            console.error(JSON.stringify({ msg: "task callback event given up and not stored as a dead letter", task: task.id, seq: row.seq, error: String(stored) })),
          );
          this.#sql.exec("DELETE FROM callback_outbox WHERE seq = ?", row.seq);
          console.error(JSON.stringify({ ...line, givenUp: true }));
          continue;
        }
        console.warn(JSON.stringify(line));
        this.#sql.exec("UPDATE callback_outbox SET tries = ?, not_before = ? WHERE seq = ?", tries, now + retryMs(tries), row.seq);
        return now + retryMs(tries);
      }
    }
    return undefined;
  }
}
