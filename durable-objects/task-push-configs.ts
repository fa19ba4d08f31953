import type { Env } from "../worker/env.ts";
import { contentHash } from "../worker/tasks/audit.ts";
import { shownUrl } from "../worker/queues/webhooks.ts";
import { enqueuePushNotification, pushDelivery, type CallbackEvent, type PushTarget } from "../worker/queues/callbacks.ts";
import { storeDeadLetter } from "../worker/queues/dead-letters.ts";
import { envelope, type Envelope } from "../worker/queues/envelope.ts";
import type { Wire } from "../worker/protocols/a2a/jsonrpc.ts";
import { MAX_PUSH_CONFIGS, type PushConfig, type PushConfigView } from "../worker/protocols/a2a/push-params.ts";
import { PUSH_EVENT_TYPES, pushPayloads, pushSnapshot, type PushPayload } from "../worker/protocols/a2a/push-payloads.ts";
import { MAX_ENQUEUE_TRIES } from "./task-callbacks.ts";
import type { TaskStore } from "./task-store.ts";
import { SerialRuns, tellOutbox } from "./outbox.ts";

/** Wait before the next try after `tries` failed ones: 5 s doubling, at most 5 min (as for callbacks). */
const retryMs = (tries: number) => Math.min(300_000, 5_000 * 2 ** (tries - 1));

interface ConfigRow extends Record<string, SqlStorageValue> {
  n: number;
  id: string;
  wire: string;
  url: string;
  token: string | null;
  scheme: string | null;
  credentials: string | null;
}

interface OutboxRow extends Record<string, SqlStorageValue> {
  seq: number;
  config: number;
  event: string;
  tries: number;
  not_before: number;
}

/** A change to a task's push configs, or a read of them (the TaskAgent's `pushConfigs` RPC). */
export type PushConfigOp = { kind: "set"; config: PushConfig; snapshot: boolean } | { kind: "get"; id?: string } | { kind: "list" } | { kind: "delete"; id: string };

/** What a {@link PushConfigOp} came to. */
export type PushConfigAnswer = { kind: "config"; config: PushConfigView } | { kind: "configs"; configs: PushConfigView[] } | { kind: "missing" } | { kind: "deleted"; existed: boolean } | { kind: "too_many"; max: number };

const view = (r: ConfigRow): PushConfigView => ({ id: r.id, url: r.url, wire: r.wire as Wire, ...(r.scheme !== null ? { scheme: r.scheme } : {}) });

/**
 * A task's A2A push notification configs (docs/protocols/a2a.md, "Push notifications")
 * and their outbox, in the TaskAgent's SQLite storage, apart from the task document: the
 * token and credentials of a config are read only to address a notification, never shown.
 * When a state change A2A reports is recorded (`PUSH_EVENT_TYPES`), its notifications go
 * into the outbox, one per config (two for a 1.0 config at the end: the result artifact and
 * the status), in the same synchronous step as the change; the agent then flushes the
 * outbox to the webhooks queue, and its alarm retries what the queue refused, exactly as
 * for the task's callback (task-callbacks.ts). A deleted config's pending notifications go
 * with it. Notification ids are `<task id>:<event seq>:p<config number>[:artifact]`
 * (config numbers are never reused), so each is delivered once however often it is enqueued.
 */
export class TaskPushConfigs {
  readonly #sql: SqlStorage;
  readonly #store: () => TaskStore;
  readonly #runs = new SerialRuns();

  constructor(sql: SqlStorage, store: () => TaskStore) {
    this.#sql = sql;
    this.#store = store;
    sql.exec(`CREATE TABLE IF NOT EXISTS push_config (n INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, wire TEXT NOT NULL, url TEXT NOT NULL, token TEXT, scheme TEXT, credentials TEXT);
      CREATE TABLE IF NOT EXISTS push_outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, config INTEGER NOT NULL, event TEXT NOT NULL, tries INTEGER NOT NULL, not_before INTEGER NOT NULL);`);
  }

  #rows(): ConfigRow[] {
    return this.#sql.exec<ConfigRow>("SELECT * FROM push_config ORDER BY n").toArray();
  }

  /** Applies an op of the `pushConfigs` RPC (the agent checked the tenant). */
  /**
   * Audits a change of where the task's changes go (in the task's chain): a config set
   * (its id, URL shown without credentials and hashed, auth scheme, whether it has a
   * token — never the token or credentials) or deleted.
   */
  async audit(op: PushConfigOp, answer: PushConfigAnswer, actor: string): Promise<void> {
    if (op.kind === "set" && answer.kind === "config")
      await this.#store().audit(actor, "push.config.set", { id: answer.config.id, url: shownUrl(op.config.url), urlHash: await contentHash(op.config.url), ...(op.config.authentication ? { scheme: op.config.authentication.scheme } : {}), token: op.config.token !== undefined });
    if (op.kind === "delete" && answer.kind === "deleted" && answer.existed) await this.#store().audit(actor, "push.config.deleted", { id: op.id });
  }

  apply(op: PushConfigOp): PushConfigAnswer {
    switch (op.kind) {
      case "set":
        return this.set(op.config, op.snapshot);
      case "get": {
        const c = this.get(op.id);
        return c ? { kind: "config", config: c } : { kind: "missing" };
      }
      case "list":
        return { kind: "configs", configs: this.list() };
      case "delete":
        return { kind: "deleted", existed: this.delete(op.id) };
    }
  }

  /**
   * Adds a config, or replaces the one with its id (its pending notifications go); a
   * config without an id gets a new one. At most {@link MAX_PUSH_CONFIGS} per task. With
   * `snapshot`, the task as it now is goes out to it at once (a SendMessage registers its
   * config after making the task: whatever happened meanwhile is in it).
   */
  set(config: PushConfig, snapshot: boolean): PushConfigAnswer {
    const id = config.id || crypto.randomUUID();
    const others = this.#rows().filter((r) => r.id !== id).length;
    if (others >= MAX_PUSH_CONFIGS) return { kind: "too_many", max: MAX_PUSH_CONFIGS };
    this.delete(id);
    const row = this.#sql
      .exec<ConfigRow>(
        "INSERT INTO push_config (id, wire, url, token, scheme, credentials) VALUES (?, ?, ?, ?, ?, ?) RETURNING *",
        id,
        config.wire,
        config.url,
        config.token ?? null,
        config.authentication?.scheme ?? null,
        config.authentication?.credentials ?? null,
      )
      .one();
    if (snapshot) {
      const store = this.#store();
      const task = { ...store.requireTask(), steps: store.steps() };
      this.#enqueue(row, task.id, "", new Date().toISOString(), [pushSnapshot(task, row.wire as Wire)]);
    }
    return { kind: "config", config: view(row) };
  }

  /** A config by id; without one (0.3 `get`), the one with the task's id, else the oldest. */
  get(id?: string): PushConfigView | undefined {
    const rows = this.#rows();
    const task = this.#store().task()?.id;
    const row = id !== undefined ? rows.find((r) => r.id === id) : (rows.find((r) => r.id === task) ?? rows[0]);
    return row ? view(row) : undefined;
  }

  /** Every config, oldest first. */
  list(): PushConfigView[] {
    return this.#rows().map(view);
  }

  /** Deletes a config and its notifications not yet on the queue; whether it existed. */
  delete(id: string): boolean {
    const row = this.#rows().find((r) => r.id === id);
    if (!row) return false;
    this.#sql.exec("DELETE FROM push_outbox WHERE config = ?", row.n);
    this.#sql.exec("DELETE FROM push_config WHERE n = ?", row.n);
    return true;
  }

  #enqueue(row: ConfigRow, taskId: string, seq: number | "", at: string, payloads: PushPayload[]): void {
    for (const p of payloads) {
      const event: CallbackEvent = { id: `${taskId}:${seq === "" ? "" : `${seq}:`}p${row.n}${p.key}`, type: `a2a.${p.type}`, occurredAt: at, data: p.body as CallbackEvent["data"] };
      this.#sql.exec("INSERT INTO push_outbox (config, event, tries, not_before) VALUES (?, ?, 0, 0)", row.n, JSON.stringify(event));
    }
  }

  /** Hears of a progress event as it is written (synchronously): a state change A2A reports goes into the outbox, for every config. */
  recorded(e: { seq: number; type: string; at: string }): void {
    if (!PUSH_EVENT_TYPES.has(e.type)) return;
    try {
      const rows = this.#rows();
      if (rows.length === 0) return;
      const store = this.#store();
      const task = { ...store.requireTask(), steps: store.steps() };
      const event = store.eventsAfter(e.seq - 1, 1)[0] ?? { ...e, data: {} };
      const byWire = new Map<string, PushPayload[]>();
      for (const row of rows) {
        const payloads = byWire.get(row.wire) ?? pushPayloads(event, task, row.wire as Wire);
        byWire.set(row.wire, payloads);
        this.#enqueue(row, task.id, e.seq, e.at, payloads);
      }
    } catch (err) {
      // the state change stands whatever happens to its notifications
      console.error(JSON.stringify({ msg: "push notification not recorded", seq: e.seq, type: e.type, error: String(err) }));
    }
  }

  /** Notifications not yet on the queue. */
  pending(): number {
    return this.#sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM push_outbox").one().n;
  }

  /** Flushes the outbox and arms the object's alarm no later than the next try of what the queue refused. Never throws. */
  async tell(env: Env, storage: DurableObjectStorage): Promise<void> {
    await tellOutbox(this, env, storage, "push notifications", () => this.#store().task()?.id);
  }

  /**
   * Puts the outbox on the webhooks queue, oldest first (one flush at a time). A
   * notification the queue refuses waits (5 s doubling, at most 5 min) with the later ones;
   * after {@link MAX_ENQUEUE_TRIES}, or at once when too large for a message, it is given up:
   * stored as a dead letter and logged. Resolves with when the next try is due, if any.
   */
  flush(env: Pick<Env, "WEBHOOKS"> & Partial<Env>, now: () => number = Date.now): Promise<number | undefined> {
    return this.#runs.run(() => this.#flush(env, now));
  }

  async #flush(env: Pick<Env, "WEBHOOKS"> & Partial<Env>, clock: () => number): Promise<number | undefined> {
    const task = this.#store().task();
    if (!task) return undefined;
    const configs = new Map(this.#rows().map((r) => [r.n, r]));
    for (const row of this.#sql.exec<OutboxRow>("SELECT * FROM push_outbox ORDER BY seq").toArray()) {
      const config = configs.get(row.config);
      if (!config) {
        this.#sql.exec("DELETE FROM push_outbox WHERE seq = ?", row.seq);
        continue;
      }
      const now = clock();
      if (row.not_before > now) return row.not_before;
      const target: PushTarget = {
        url: config.url,
        ...(config.scheme !== null && config.credentials !== null ? { authorization: { scheme: config.scheme, secret: config.credentials } } : {}),
        ...(config.token !== null ? { token: { secret: config.token } } : {}),
      };
      const event = JSON.parse(row.event) as CallbackEvent;
      try {
        await enqueuePushNotification(env, task.tenant, target, event);
        this.#sql.exec("DELETE FROM push_outbox WHERE seq = ?", row.seq);
      } catch (e) {
        const tries = row.tries + 1;
        const line = { msg: "push notification not enqueued", task: task.id, id: event.id, tries, error: String(e) };
        if (e instanceof RangeError || tries >= MAX_ENQUEUE_TRIES) {
          await this.#giveUp(env, task.tenant, target, event, tries, e);
          this.#sql.exec("DELETE FROM push_outbox WHERE seq = ?", row.seq);
          console.error(JSON.stringify({ ...line, givenUp: true }));
          continue;
        }
        console.warn(JSON.stringify(line));
        this.#sql.exec("UPDATE push_outbox SET tries = ?, not_before = ? WHERE seq = ?", tries, now + retryMs(tries), row.seq);
        return now + retryMs(tries);
      }
    }
    return undefined;
  }

  /** Keeps a notification never enqueued as a dead letter (an admin sees it, its secrets redacted, and may replay it). */
  async #giveUp(env: Partial<Env>, tenant: string, target: PushTarget, event: CallbackEvent, tries: number, error: unknown): Promise<void> {
    const raw = pushDelivery(target, event);
    let asEnvelope: Envelope | undefined;
    try {
      asEnvelope = envelope("webhook.deliver", `webhook:${event.id}`, tenant, raw);
    } catch {
      asEnvelope = undefined; // too large for a queue message: stored as it is
    }
    await storeDeadLetter(env as Env, { queue: "webhooks", messageId: `outbox:${event.id}`, envelope: asEnvelope, raw, reason: `never enqueued: ${String(error)}`, attempts: tries }).catch((stored: unknown) =>
      console.error(JSON.stringify({ msg: "push notification given up and not stored as a dead letter", id: event.id, error: String(stored) })),
    );
  }
}
