import { describe, expect, it } from "vitest";
import { ArmCache } from "../../../worker/routing/arm-cache.ts";
import type { ArmStats } from "../../../worker/routing/selection.ts";

const s = (successes: number): ArmStats => ({ successes, failures: 0, at: 0 });

function store() {
  const values = new Map<string, ArmStats | undefined>();
  const reads: string[] = [];
  let fail = false;
  let hang = false;
  const read = (specialist: string, label: string) => {
    reads.push(`${label}/${specialist}`);
    if (hang) return new Promise<ArmStats | undefined>(() => {});
    return fail ? Promise.reject(new Error("store down")) : Promise.resolve(values.get(`${label}/${specialist}`));
  };
  return { values, reads, read, setFail: (f: boolean) => (fail = f), setHang: (h: boolean) => (hang = h) };
}

const opts = (deferred: Promise<unknown>[] = []) => ({ ttlMs: 1000, firstReadMs: 50, defer: (p: Promise<unknown>) => void deferred.push(p) });

describe("ArmCache", () => {
  it("reads each (label, specialist) once, then serves it from memory while fresh", async () => {
    const st = store();
    st.values.set("l/a", s(3));
    const cache = new ArmCache(st.read);
    expect(await cache.get("l", ["a", "b"], 0, opts())).toEqual(new Map([["a", s(3)]]));
    st.values.set("l/a", s(9));
    expect(await cache.get("l", ["a"], 999, opts())).toEqual(new Map([["a", s(3)]]));
    expect(st.reads).toEqual(["l/a", "l/b"]);
  });

  it("past the ttl, serves the held value and refreshes it in the background (one refresh at a time)", async () => {
    const st = store();
    st.values.set("l/a", s(1));
    const cache = new ArmCache(st.read);
    await cache.get("l", ["a"], 0, opts());
    st.values.set("l/a", s(2));
    const deferred: Promise<unknown>[] = [];
    expect(await cache.get("l", ["a"], 1000, opts(deferred))).toEqual(new Map([["a", s(1)]]));
    await cache.get("l", ["a"], 1001, opts(deferred));
    expect(deferred).toHaveLength(1);
    await Promise.all(deferred);
    expect(await cache.get("l", ["a"], 1002, opts())).toEqual(new Map([["a", s(2)]]));
    expect(st.reads).toEqual(["l/a", "l/a"]);
  });

  it("a first read slower than firstReadMs counts as no evidence; the answer is kept when it comes", async () => {
    const st = store();
    st.setHang(true);
    const cache = new ArmCache(st.read);
    expect(await cache.get("l", ["a"], 0, opts())).toEqual(new Map());
  });

  it("a failed read keeps the last value and is not retried before the ttl", async () => {
    const st = store();
    st.values.set("l/a", s(4));
    const cache = new ArmCache(st.read);
    await cache.get("l", ["a"], 0, opts());
    st.setFail(true);
    const deferred: Promise<unknown>[] = [];
    await cache.get("l", ["a"], 1000, opts(deferred));
    await Promise.all(deferred);
    expect(await cache.get("l", ["a"], 1500, opts())).toEqual(new Map([["a", s(4)]]));
    expect(st.reads).toEqual(["l/a", "l/a"]);
  });

  it("keeps at most `max` entries, dropping the least recently used", async () => {
    const st = store();
    const cache = new ArmCache(st.read, 2);
    await cache.get("l", ["a"], 0, opts());
    await cache.get("l", ["b"], 0, opts());
    await cache.get("l", ["a"], 0, opts());
    await cache.get("l", ["c"], 0, opts());
    await cache.get("l", ["a", "b"], 0, opts());
    expect(st.reads).toEqual(["l/a", "l/b", "l/c", "l/b"]);
  });
});
