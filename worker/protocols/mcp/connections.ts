import type { ConnectionPool } from "../../routing/hop.ts";

interface Held {
  value: Promise<unknown>;
  close: (t: unknown) => Promise<void>;
}

/**
 * A {@link ConnectionPool} owned by one holder (an MCP session's Durable Object): each
 * key's connection is opened once, shared by the calls made meanwhile, and kept until
 * dropped or the pool is closed. A connection that fails to open is not kept. `opened`
 * is told of each new connection (the owner subscribes to what it says).
 */
export class KeyedConnections implements ConnectionPool {
  readonly #held = new Map<string, Held>();
  readonly #opened: ((key: string, connection: unknown) => void) | undefined;

  constructor(opened?: (key: string, connection: unknown) => void) {
    this.#opened = opened;
  }

  get<T>(key: string, open: () => Promise<T>, close: (t: T) => Promise<void>): Promise<T> {
    const held = this.#held.get(key);
    if (held) return held.value as Promise<T>;
    const value = open().then((c) => {
      this.#opened?.(key, c);
      return c;
    });
    const entry: Held = { value, close: close as (t: unknown) => Promise<void> };
    this.#held.set(key, entry);
    value.catch(() => {
      if (this.#held.get(key) === entry) this.#held.delete(key);
    });
    return value;
  }

  async drop(key: string): Promise<void> {
    const held = this.#held.get(key);
    if (!held) return;
    this.#held.delete(key);
    await held.value.then(held.close, () => undefined).catch(() => undefined);
  }

  /** The keys held now. */
  keys(): string[] {
    return [...this.#held.keys()];
  }

  /** Closes every connection. */
  async close(): Promise<void> {
    await Promise.all(this.keys().map((k) => this.drop(k)));
  }
}
