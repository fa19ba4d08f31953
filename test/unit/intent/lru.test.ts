import { describe, expect, it } from "vitest";
import { Lru } from "../../../worker/intent/lru.ts";

describe("Lru", () => {
  it("evicts the least recently used entry", () => {
    const lru = new Lru<string, number>(2);
    lru.set("a", 1);
    lru.set("b", 2);
    expect(lru.size).toBe(2);
    expect(lru.get("a")).toBe(1);
    lru.set("c", 3);
    expect(lru.get("b")).toBeUndefined();
    expect(lru.get("a")).toBe(1);
    expect(lru.get("c")).toBe(3);
    expect(lru.size).toBe(2);
  });

  it("holds exactly its capacity", () => {
    const lru = new Lru<number, number>(3);
    for (let i = 0; i < 3; i++) lru.set(i, i * 10);
    expect([0, 1, 2].map((i) => lru.get(i))).toEqual([0, 10, 20]);
    lru.set(3, 30);
    expect(lru.size).toBe(3);
    expect(lru.get(0)).toBeUndefined();
    expect(lru.capacity).toBe(3);
  });

  it("a set of a present key refreshes its value and recency without evicting", () => {
    const lru = new Lru<string, number>(2);
    lru.set("a", 1);
    lru.set("b", 2);
    lru.set("a", 11);
    expect(lru.size).toBe(2);
    lru.set("c", 3); // b is now the least recently used
    expect(lru.get("b")).toBeUndefined();
    expect(lru.get("a")).toBe(11);
  });

  it("a miss changes nothing", () => {
    const lru = new Lru<string, number>(2);
    lru.set("a", 1);
    expect(lru.get("zzz")).toBeUndefined();
    expect(lru.size).toBe(1);
  });

  it("deletes, saying whether the key was there", () => {
    const lru = new Lru<string, number>(2);
    lru.set("a", 1);
    expect(lru.delete("a")).toBe(true);
    expect(lru.delete("a")).toBe(false);
    expect(lru.get("a")).toBeUndefined();
    expect(lru.size).toBe(0);
  });

  it("needs a positive integer capacity", () => {
    for (const c of [0, -1, 1.5, Number.NaN]) expect(() => new Lru(c)).toThrow(new RangeError("capacity must be a positive integer"));
    expect(new Lru(1).capacity).toBe(1);
  });
});
