import type { Env } from "../env.ts";
import { namedId } from "../object-ids.ts";
import { ledgerShard } from "./ledger-logic.ts";

/** Shards of the message ledger: ids spread over this many objects (each a single-threaded SQLite object). */
export const LEDGER_SHARDS = 16;

/**
 * The ledger shard that holds an idempotency id (durable-objects/message-ledger.ts).
 * Throws when the `MESSAGE_LEDGER` binding is missing (wrangler.toml declares it).
 */
export function ledgerFor(env: Env, id: string): DurableObjectStub<import("../../durable-objects/message-ledger.ts").MessageLedger> {
  const ns = env.MESSAGE_LEDGER;
  if (!ns) throw new Error("the MESSAGE_LEDGER Durable Object binding is missing (wrangler.toml)");
  return ns.get(namedId(ns, `ledger-${ledgerShard(id, LEDGER_SHARDS)}`));
}
