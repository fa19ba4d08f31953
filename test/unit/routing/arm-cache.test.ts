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

  it("refreshes at exactly the ttl, not before", async () => {
    const st = store();
    const cache = new ArmCache(st.read);
    await cache.get("l", ["a"], 0, opts());
    await cache.get("l", ["a"], 999, opts());
    expect(st.reads).toHaveLength(1);
    const deferred: Promise<unknown>[] = [];
    await cache.get("l", ["a"], 1000, opts(deferred));
    expect(deferred).toHaveLength(1);
    expect(st.reads).toHaveLength(2);
  });

  it("a first read slower than firstReadMs counts as no evidence; the answer is kept when it comes (deferred)", async () => {
    let answer: (v: ArmStats | undefined) => void = () => {};
    const reads: string[] = [];
    const cache = new ArmCache((specialist) => (reads.push(specialist), new Promise<ArmStats | undefined>((r) => (answer = r))));
    const deferred: Promise<unknown>[] = [];
    expect(await cache.get("l", ["a"], 0, opts(deferred))).toEqual(new Map());
    expect(deferred).toHaveLength(1);
    answer(s(7));
    await Promise.all(deferred);
    expect(await cache.get("l", ["a"], 10, opts())).toEqual(new Map([["a", s(7)]]));
    expect(reads).toEqual(["a"]);
  });

  it("no evidence yet is no entry in the answer, also once held", async () => {
    const st = store();
    const cache = new ArmCache(st.read);
    expect(await cache.get("l", ["a"], 0, opts())).toEqual(new Map());
    expect([...(await cache.get("l", ["a"], 10, opts())).keys()]).toEqual([]);
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
    // a ttl after the failure, it is read again (the failure did not leave a refresh hanging)
    st.setFail(false);
    st.values.set("l/a", s(5));
    const again: Promise<unknown>[] = [];
    await cache.get("l", ["a"], 2000, opts(again));
    await Promise.all(again);
    expect(await cache.get("l", ["a"], 2001, opts())).toEqual(new Map([["a", s(5)]]));
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
