import { sha256Hex } from "../intent/record.ts";
import type { JsonObject } from "../json.ts";

/** One entry of a task's audit log. `hash` covers every other field, `prevHash` included. */
export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  /** Decision, reason, hashes of inputs/outputs: whatever explains the event. */
  detail: JsonObject;
  prevHash: string;
  hash: string;
}

/** The `prevHash` of the first entry. */
export const GENESIS = "0".repeat(64);

/** JSON with object keys sorted at every level, so equal values hash equally. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

/** SHA-256 of a value's canonical JSON: how inputs and outputs appear in the log. */
export function contentHash(value: unknown): Promise<string> {
  return sha256Hex(canonicalJson(value));
}

/**
 * Makes the next entry of a chain.
 *
 * @example
 * const e1 = await chainEntry(undefined, { seq: 1, at, actor: "tenant:dev", action: "task.created", detail: {} });
 * const e2 = await chainEntry(e1, { seq: 2, at, actor: "router", action: "step.started", detail: { step: "a" } });
 */
export async function chainEntry(prev: AuditEntry | undefined, body: Omit<AuditEntry, "prevHash" | "hash">): Promise<AuditEntry> {
  const prevHash = prev?.hash ?? GENESIS;
  const hash = await sha256Hex(canonicalJson({ ...body, prevHash }));
  return { ...body, prevHash, hash };
}

/** Result of {@link verifyChain}: where the first break is, if any. */
export type ChainVerdict = { ok: true; entries: number; head: string; anchoredAt?: number } | { ok: false; brokenAt: number; reason: string };

/** Recomputes every hash and link; any edit, insertion, deletion or reordering breaks it. */
export async function verifyChain(entries: readonly AuditEntry[]): Promise<ChainVerdict> {
  let prev = GENESIS;
  for (let i = 0; i < entries.length; i++) {
    const { hash, ...rest } = entries[i]!;
    if (rest.seq !== i + 1) return { ok: false, brokenAt: rest.seq, reason: `expected seq ${i + 1}` };
    if (rest.prevHash !== prev) return { ok: false, brokenAt: rest.seq, reason: "prevHash does not match the previous entry" };
    if ((await sha256Hex(canonicalJson(rest))) !== hash) return { ok: false, brokenAt: rest.seq, reason: "hash does not match the entry's content" };
    prev = hash;
  }
  return { ok: true, entries: entries.length, head: prev };
}

/**
 * A chain's verdict checked against its anchor (the head the control plane recorded):
 * entries cut from its end, or rewritten with every later hash recomputed, no longer
 * match it.
 */
export function anchored(chain: ChainVerdict, entries: readonly AuditEntry[], anchor: { seq: number; hash: string } | undefined): ChainVerdict {
  if (!chain.ok) return chain;
  if (!anchor) return entries.length === 0 ? chain : { ok: false, brokenAt: 1, reason: "the chain has no anchored head: it cannot be checked against one" };
  // one entry may be written and not yet anchored (its anchor is on its way); more were added around the router
  if (entries.length > anchor.seq + 1) return { ok: false, brokenAt: anchor.seq + 2, reason: `entries after ${anchor.seq + 1} were never anchored: they were added around the router` };
  const at = entries[anchor.seq - 1];
  if (!at) return { ok: false, brokenAt: entries.length + 1, reason: `the chain ends at entry ${entries.length}, but its anchored head is entry ${anchor.seq}: entries were removed` };
  if (at.hash !== anchor.hash) return { ok: false, brokenAt: anchor.seq, reason: `entry ${anchor.seq} differs from its anchored hash: the chain was rewritten` };
  return { ...chain, anchoredAt: anchor.seq };
}
