/**
 * The `A2A-Version` service parameter (A2A 1.0 §3.6, §9.2, §14.2.1): which versions the
 * router speaks, what a request asked for, and whether a call may be served in it. Pure.
 */
import { METHODS, RPC, type RpcCall, type RpcError, type Wire } from "./jsonrpc.ts";

/** The versions the router speaks, `Major.Minor`. */
export const SUPPORTED_VERSIONS: readonly Wire[] = ["1.0", "0.3"];

/** What a request asked for: a version the router speaks, none, or another one. */
export type Requested = Wire | "unstated" | { unsupported: string };

/**
 * The version a request names: the `A2A-Version` header, else the `A2A-Version` query
 * parameter (§3.6.1: "Clients MAY provide the A2A-Version as a request parameter").
 */
export function requestedVersion(header: string | undefined, query: string | undefined): string | undefined {
  return header !== undefined && header.trim() !== "" ? header : query;
}

/**
 * Reads a version: `1.0` and `0.3` (a patch is ignored: §3.6 "MUST not be considered";
 * a bare major means `.0`), empty or absent is `unstated`, anything else unsupported.
 *
 * @example
 * parseVersion("1.0.2") // "1.0"
 * parseVersion(undefined) // "unstated"
 * parseVersion("1.1") // { unsupported: "1.1" }
 */
export function parseVersion(raw: string | undefined): Requested {
  if (raw === undefined || raw.trim() === "") return "unstated";
  const m = /^(\d+)(?:\.(\d+))?(?:\.\d+)?$/.exec(raw.trim());
  const v = m ? `${Number(m[1])}.${Number(m[2] ?? "0")}` : undefined;
  return v === "1.0" || v === "0.3" ? v : { unsupported: raw.trim() };
}

/** The method of the other version that does the same (`message/send` ↔ `SendMessage`), if there is one. */
function counterpart(method: string): string | undefined {
  const here = METHODS[method];
  if (!here) return undefined;
  return Object.entries(METHODS).find(([, m]) => m.op === here.op && m.wire !== here.wire)?.[0];
}

/**
 * Whether a call may be served under the version its request named (§3.6.2: "Agents MUST
 * process requests using the semantics of the requested A2A-Version"): undefined when it
 * may, else the error to answer. A version the router does not speak is
 * VersionNotSupported (-32009, the supported ones in `data`); a method of the other
 * version is Method not found (-32601: 0.3 has no `SendMessage`, 1.0 no `message/send`).
 * With no version named the method's name decides (0.3 names are 0.3, 1.x names 1.0),
 * so clients that send no header keep working; §3.6.2 would read them all as 0.3.
 */
export function versionRefusal(requested: Requested, call: Pick<RpcCall, "method" | "wire">): RpcError | undefined {
  if (requested === "unstated" || requested === call.wire) return undefined;
  if (typeof requested === "object")
    return {
      code: RPC.VERSION_NOT_SUPPORTED,
      message: `Version not supported: A2A-Version ${requested.unsupported} (this agent speaks ${SUPPORTED_VERSIONS.join(" and ")})`,
      data: { requestedVersion: requested.unsupported, supportedVersions: SUPPORTED_VERSIONS.join(", ") },
    };
  const other = counterpart(call.method);
  return {
    code: RPC.METHOD_NOT_FOUND,
    message: `Method not found: ${call.method} is an A2A ${call.wire} method, and the request asked for A2A-Version ${requested}${other ? `, which names it ${other}` : `, which has no such method`}`,
    data: { method: call.method, requestedVersion: requested },
  };
}

/** The wire format of errors for a call whose method is unknown: the requested version's, 0.3's when none. */
export const errorWire = (requested: Requested): Wire => (requested === "1.0" ? "1.0" : "0.3");
