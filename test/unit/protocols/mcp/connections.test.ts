import { describe, expect, it } from "vitest";
import { KeyedConnections } from "../../../../worker/protocols/mcp/connections.ts";

/** A promise settled by hand. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/** Opens numbered connections, counting opens and recording closes. */
function opener() {
  let opens = 0;
  const closed: string[] = [];
  return {
    open: async () => `conn${++opens}`,
    close: async (c: string) => void closed.push(c),
    get opens() {
      return opens;
    },
    closed,
  };
}

describe("KeyedConnections.get", () => {
  it("opens a key's connection once and reuses it; another key opens its own", async () => {
    const pool = new KeyedConnections();
    const o = opener();
    expect(await pool.get("a", o.open, o.close)).toBe("conn1");
    expect(await pool.get("a", o.open, o.close)).toBe("conn1");
    expect(await pool.get("b", o.open, o.close)).toBe("conn2");
    expect(o.opens).toBe(2);
    expect(pool.keys()).toEqual(["a", "b"]);
  });

  it("concurrent gets of a key share one open", async () => {
    const pool = new KeyedConnections();
    const d = deferred<string>();
    let opens = 0;
    const open = () => (opens++, d.promise);
    const first = pool.get("a", open, async () => {});
    const second = pool.get("a", open, async () => {});
    expect(pool.keys()).toEqual(["a"]);
    d.resolve("shared");
    expect(await Promise.all([first, second])).toEqual(["shared", "shared"]);
    expect(opens).toBe(1);
  });

  it("a failed open is not kept: every caller sees the failure, and the next get opens again", async () => {
    const pool = new KeyedConnections();
    const d = deferred<string>();
    const first = pool.get("a", () => d.promise, async () => {});
    const second = pool.get("a", async () => "unused", async () => {});
    d.reject(new Error("refused"));
    await expect(first).rejects.toThrow("refused");
    await expect(second).rejects.toThrow("refused");
    expect(pool.keys()).toEqual([]);
    expect(await pool.get("a", async () => "again", async () => {})).toBe("again");
    expect(pool.keys()).toEqual(["a"]);
  });

  it("an open that fails after its key was dropped and opened again does not forget the new connection", async () => {
    const pool = new KeyedConnections();
    const old = deferred<string>();
    const failing = pool.get("a", () => old.promise, async () => {});
    const dropping = pool.drop("a"); // forgets the key at once, then waits for the old open
    const fresh = await pool.get("a", async () => "fresh", async () => {});
    old.reject(new Error("late"));
    await expect(failing).rejects.toThrow("late");
    await dropping;
    expect(fresh).toBe("fresh");
    expect(pool.keys()).toEqual(["a"]);
    expect(await pool.get("a", async () => "third", async () => {})).toBe("fresh");
  });

  it("tells `opened` of each new connection once, and of none that failed to open", async () => {
    const seen: [string, unknown][] = [];
    const pool = new KeyedConnections((key, c) => seen.push([key, c]));
    const o = opener();
    await Promise.all([pool.get("a", o.open, o.close), pool.get("a", o.open, o.close)]);
    await pool.get("a", o.open, o.close);
    await pool.get("b", o.open, o.close);
    await pool.get("c", () => Promise.reject(new Error("no")), o.close).catch(() => undefined);
    expect(seen).toEqual([
      ["a", "conn1"],
      ["b", "conn2"],
    ]);
  });
});

describe("KeyedConnections.drop and close", () => {
  it("drop closes the connection and forgets it: the next get opens a new one", async () => {
    const pool = new KeyedConnections();
    const o = opener();
    await pool.get("a", o.open, o.close);
    await pool.drop("a");
    expect(o.closed).toEqual(["conn1"]);
    expect(pool.keys()).toEqual([]);
    expect(await pool.get("a", o.open, o.close)).toBe("conn2");
  });

  it("drop of a key it does not hold does nothing", async () => {
    const pool = new KeyedConnections();
    const o = opener();
    await pool.get("a", o.open, o.close);
    await expect(pool.drop("nope")).resolves.toBeUndefined();
    expect(o.closed).toEqual([]);
    expect(pool.keys()).toEqual(["a"]);
  });

  it("a close that fails, or throws, is swallowed", async () => {
    const pool = new KeyedConnections();
    await pool.get("a", async () => "x", () => Promise.reject(new Error("close failed")));
    await pool.get("b", async () => "y", () => {
      throw new Error("sync");
    });
    await expect(pool.drop("a")).resolves.toBeUndefined();
    await expect(pool.drop("b")).resolves.toBeUndefined();
    expect(pool.keys()).toEqual([]);
  });

  it("drop of a key still opening forgets it at once, and closes the connection once open; a failed open closes nothing", async () => {
    const pool = new KeyedConnections();
    const closed: string[] = [];
    const d = deferred<string>();
    void pool.get("a", () => d.promise, async (c) => void closed.push(c));
    const dropping = pool.drop("a");
    expect(pool.keys()).toEqual([]);
    d.resolve("late");
    await dropping;
    expect(closed).toEqual(["late"]);

    const f = deferred<string>();
    pool.get("b", () => f.promise, async (c) => void closed.push(c)).catch(() => undefined);
    const failing = pool.drop("b");
    f.reject(new Error("no"));
    await expect(failing).resolves.toBeUndefined();
    expect(closed).toEqual(["late"]);
  });

  it("close closes every connection with its own close, and holds none after", async () => {
    const pool = new KeyedConnections();
    const closed: string[] = [];
    await pool.get("a", async () => "A", async (c) => void closed.push(`a:${c}`));
    await pool.get("b", async () => "B", async (c) => void closed.push(`b:${c}`));
    await pool.close();
    expect(closed.sort()).toEqual(["a:A", "b:B"]);
    expect(pool.keys()).toEqual([]);
    await expect(new KeyedConnections().close()).resolves.toBeUndefined();
  });
});
