import { describe, expect, it } from "vitest";
import { anchored, canonicalJson, chainEntry, contentHash, GENESIS, verifyChain, type AuditEntry } from "../../../worker/tasks/audit.ts";

async function chain(n: number): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  for (let i = 1; i <= n; i++) out.push(await chainEntry(out.at(-1), { seq: i, at: `2026-01-01T00:00:0${i}Z`, actor: "router", action: `a${i}`, detail: { i, nested: { z: 1, a: [1, { y: 2, b: 3 }] } } }));
  return out;
}

describe("audit hash chain", () => {
  it("canonical JSON sorts keys at every level and drops undefined", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { f: 1, e: 2 }], c: undefined } })).toBe('{"a":{"d":[3,{"e":2,"f":1}]},"b":1}');
    expect(canonicalJson("x")).toBe('"x"');
  });

  it("links each entry to the previous and verifies", async () => {
    const entries = await chain(4);
    expect(entries[0]!.prevHash).toBe(GENESIS);
    expect(entries[2]!.prevHash).toBe(entries[1]!.hash);
    expect(await verifyChain(entries)).toEqual({ ok: true, entries: 4, head: entries[3]!.hash });
    expect(await verifyChain([])).toEqual({ ok: true, entries: 0, head: GENESIS });
  });

  it("detects an edit, a deletion, a reorder and a forged re-hash", async () => {
    const entries = await chain(4);
    const edited = entries.map((e) => ({ ...e }));
    edited[1]!.detail = { i: 99 };
    expect(await verifyChain(edited)).toEqual({ ok: false, brokenAt: 2, reason: "hash does not match the entry's content" });
    expect(await verifyChain([entries[0]!, entries[2]!, entries[3]!])).toMatchObject({ ok: false, brokenAt: 3 });
    expect(await verifyChain([entries[1]!, entries[0]!])).toMatchObject({ ok: false, brokenAt: 2 });
    const { hash: _h, prevHash: _p, ...body } = entries[1]!;
    const forged = await chainEntry(entries[0], { ...body, actor: "mallory" }); // re-hashed: itself valid, but the next link breaks
    expect(await verifyChain([entries[0]!, forged, entries[2]!, entries[3]!])).toEqual({ ok: false, brokenAt: 3, reason: "prevHash does not match the previous entry" });
  });

  it("content hashes ignore key order", async () => {
    expect(await contentHash({ a: 1, b: 2 })).toBe(await contentHash({ b: 2, a: 1 }));
    expect(await contentHash({ a: 1 })).not.toBe(await contentHash({ a: 2 }));
  });
});

describe("anchored: a chain checked against the head the control plane recorded", () => {
  it("passes a chain whose anchored entry matches (one newer entry may still be on its way), and says where it was anchored", async () => {
    const entries = await chain(3);
    const ok = await verifyChain(entries);
    expect(anchored(ok, entries, { seq: 3, hash: entries[2]!.hash })).toEqual({ ...ok, anchoredAt: 3 });
    expect(anchored(ok, entries, { seq: 2, hash: entries[1]!.hash })).toEqual({ ...ok, anchoredAt: 2 });
    expect(anchored(ok, [], undefined)).toEqual(ok);
  });

  it("fails entries never anchored, entries removed from the end, a rewritten chain, and a chain with no anchor at all", async () => {
    const entries = await chain(4);
    const ok = await verifyChain(entries);
    expect(anchored(ok, entries, { seq: 2, hash: entries[1]!.hash })).toEqual({ ok: false, brokenAt: 4, reason: "entries after 3 were never anchored: they were added around the router" });
    expect(anchored(ok, entries.slice(0, 2), { seq: 3, hash: entries[2]!.hash })).toEqual({ ok: false, brokenAt: 3, reason: "the chain ends at entry 2, but its anchored head is entry 3: entries were removed" });
    expect(anchored(ok, entries, { seq: 4, hash: "f".repeat(64) })).toEqual({ ok: false, brokenAt: 4, reason: "entry 4 differs from its anchored hash: the chain was rewritten" });
    expect(anchored(ok, entries, undefined)).toEqual({ ok: false, brokenAt: 1, reason: "the chain has no anchored head: it cannot be checked against one" });
    const broken = { ok: false as const, brokenAt: 2, reason: "x" };
    expect(anchored(broken, entries, { seq: 4, hash: entries[3]!.hash })).toBe(broken);
  });
});

