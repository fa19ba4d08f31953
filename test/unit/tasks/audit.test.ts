import { describe, expect, it } from "vitest";
import { canonicalJson, chainEntry, contentHash, GENESIS, verifyChain, type AuditEntry } from "../../../worker/tasks/audit.ts";

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
