import type { MiddlewareHandler } from "hono";
import type { AppEnv, Env, Principal } from "../env.ts";
import { sha256Hex } from "../intent/record.ts";
import { ProblemError } from "./problem.ts";
import { internalCallOf } from "../hops/internal-call.ts";

/** Keys accepted when `DEV_MODE` is "true" (local development only; docs/http-api.md, "Keys"). */
export const DEV_KEYS: Readonly<Record<string, Principal>> = {
  "dev-key": { tenant: "dev", admin: false },
  "dev-admin-key": { tenant: "dev", admin: true },
};

const unauthorized = (detail: string) =>
  new ProblemError({ status: 401, slug: "unauthorized", title: "Unauthorized", detail });

/**
 * Resolves a bearer key to a principal. Production keys are compared by their
 * SHA-256 (the secrets hold hashes only), so no plaintext key is stored; the admin
 * digest is compared in constant time, and tenant keys are found by their digest
 * (a lookup that reveals nothing about how much of a guessed key is right).
 */
export async function principalFor(env: Env, key: string): Promise<Principal | undefined> {
  if (env.DEV_MODE === "true" && Object.hasOwn(DEV_KEYS, key)) return DEV_KEYS[key];
  const hash = await sha256Hex(key);
  if (env.ADMIN_KEY_SHA256 && sameHex(env.ADMIN_KEY_SHA256.toLowerCase(), hash)) return { tenant: ADMIN_TENANT, admin: true };
  if (!env.API_KEYS) return undefined;
  const tenant = apiKeys(env.API_KEYS).get(hash);
  return tenant === undefined ? undefined : { tenant, admin: false };
}

/** The tenant of the `ADMIN_KEY_SHA256` key (its tasks, intents, traces): no `API_KEYS` key may name it. */
export const ADMIN_TENANT = "admin";

/** Tenant names, as everywhere else (config `tenants`, admin routes). */
export const TENANT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

let parsedKeys: { raw: string; keys: Map<string, string> } | { raw: string; error: ProblemError } | undefined;

/**
 * `API_KEYS` (`{ "<sha-256 hex>": "<tenant>" }`), parsed once per value. A secret that
 * is not such an object, or names a tenant that is not a valid tenant name, makes the
 * router refuse every tenant key (503) rather than serve a tenant it cannot scope.
 */
function apiKeys(raw: string): Map<string, string> {
  if (parsedKeys?.raw !== raw) {
    try {
      parsedKeys = { raw, keys: parseApiKeys(raw) };
    } catch (e) {
      if (!(e instanceof ProblemError)) throw e;
      parsedKeys = { raw, error: e };
    }
  }
  if ("error" in parsedKeys) throw parsedKeys.error;
  return parsedKeys.keys;
}

/** Parses `API_KEYS`; throws the 503 that every tenant key gets while it is wrong. */
function parseApiKeys(raw: string): Map<string, string> {
  const misconfigured = (detail: string) => new ProblemError({ status: 503, slug: "misconfigured", title: "Router misconfigured", detail: `the API_KEYS secret ${detail}` });
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw misconfigured("is not JSON");
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw misconfigured('must be a JSON object { "<sha-256 hex of a key>": "<tenant>" }');
  const keys = new Map<string, string>();
  for (const [hash, tenant] of Object.entries(json)) {
    if (!/^[0-9a-f]{64}$/.test(hash)) throw misconfigured("has a key that is not a lowercase SHA-256 hex digest");
    if (typeof tenant !== "string" || !TENANT_NAME.test(tenant)) throw misconfigured(`maps a key to ${JSON.stringify(tenant)}, which is not a tenant name (letters, digits, '_', '.', '-'; up to 64)`);
    if (tenant === ADMIN_TENANT) throw misconfigured(`maps a key to '${ADMIN_TENANT}': '${ADMIN_TENANT}' is the admin key's tenant, and a tenant key sharing it would see the admin key's tasks`);
    keys.set(hash, tenant);
  }
  return keys;
}

/** Failed keys tolerated per client address per window, per isolate, before it must wait. */
export const MAX_FAILED_KEYS = 20;
const FAILED_WINDOW_MS = 60_000;
const failures = new Map<string, { count: number; resetAt: number }>();

/**
 * Throttles guessing: a client address (`cf-connecting-ip`) that sent more than
 * {@link MAX_FAILED_KEYS} unknown keys within a minute gets 429 until the minute is
 * over. Counted per isolate (a guesser spread over many locations meets many
 * counters), in a bounded map.
 */
function checkThrottle(client: string, now: number): void {
  const f = failures.get(client);
  if (f && f.resetAt > now && f.count >= MAX_FAILED_KEYS)
    throw new ProblemError({ status: 429, slug: "too-many-failed-keys", title: "Too many failed keys", detail: "too many unknown API keys from this address; wait before trying again", retryAfterSeconds: (f.resetAt - now) / 1000 });
}

function countFailure(client: string, now: number): void {
  const f = failures.get(client);
  if (!f || f.resetAt <= now) {
    if (failures.size >= 10_000) failures.clear(); // bounded: forgetting early only lets a guesser try again sooner
    failures.set(client, { count: 1, resetAt: now + FAILED_WINDOW_MS });
  } else f.count++;
}

/** Constant-time comparison of two hex digests (no early exit on the first difference). */
export function sameHex(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** True when the router has some way to authenticate callers (no silent open mode). */
export function hasKeys(env: Env): boolean {
  return env.DEV_MODE === "true" || Boolean(env.API_KEYS) || Boolean(env.ADMIN_KEY_SHA256);
}

/** The refusal of a router deployed without keys. */
export function noKeysProblem(): ProblemError {
  return new ProblemError({
    status: 503,
    slug: "no-keys",
    title: "Router has no API keys",
    detail: "set the API_KEYS and ADMIN_KEY_SHA256 secrets (or DEV_MODE=true for local development only); the router never runs open",
  });
}

/** A header other than `Authorization` that carries the key on some paths (`x-api-key` on the Anthropic door). */
export interface KeyHeader {
  header: string;
  /** Exact paths, or prefixes ending in `/*`. */
  paths: readonly string[];
}

const onPath = (path: string, paths: readonly string[]) => paths.some((p) => (p.endsWith("/*") ? path.startsWith(p.slice(0, -1)) : path === p));

/**
 * A key header's value (`Authorization` or a {@link KeyHeader}): a header sent twice
 * reaches the worker joined by ", ", and the same value sent twice is that value (an
 * HTTP client that adds its own copy of a header does that); different values stay as
 * sent, an unknown key (`Bearer k1, Bearer k2` is no bearer key: a 401).
 *
 * @example
 * oneKey("k1, k1") // "k1"
 * oneKey("Bearer k1, Bearer k1") // "Bearer k1"
 * oneKey("k1, k2") // "k1, k2"
 */
export function oneKey(value: string | undefined): string | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  const parts = v.split(", ");
  return parts.every((p) => p === parts[0]) ? parts[0] : v;
}

/**
 * Requires `Authorization: Bearer <key>` (or, on the paths of a {@link KeyHeader}, the
 * key in that header: Anthropic clients send `x-api-key`); sets `principal`. When both
 * are sent they must carry the same key: two different keys are a 401, so a request
 * is never served under a key other than the one a header the client meant names.
 * A request the router made to itself in process (an async hop's replay) carries its
 * principal instead of a key, and its specialist calls are counted.
 */
export function authenticate(keyHeaders: readonly KeyHeader[] = []): MiddlewareHandler<AppEnv> {
  return async function authenticate(c, next) {
    // the queue consumer replaying an async hop, or an MCP session calling a tool, in process, as its tenant (worker/hops/internal-call.ts)
    const internal = internalCallOf(c.req.raw);
    if (internal) {
      if (internal.refuse) throw new ProblemError(internal.refuse);
      c.set("principal", internal.principal);
      c.set("asyncHop", internal.hopId);
      c.set("internalTool", internal.tool);
      const call = c.var.callSpecialist;
      c.set("callSpecialist", (s, request, ctx) => {
        internal.specialistCalls++;
        return call(s, request, ctx);
      });
      return next();
    }
    if (!hasKeys(c.env)) throw noKeysProblem();
    const alt = keyHeaders.find((k) => onPath(c.req.path, k.paths));
    const header = oneKey(c.req.header("authorization")) ?? ""; // sent twice with one key: that key
    const how = alt ? `send '${alt.header}: <key>' or 'Authorization: Bearer <key>'` : "send 'Authorization: Bearer <key>'";
    const altKey = alt ? oneKey(c.req.header(alt.header)) : undefined;
    let key: string | undefined;
    if (header.trim() === "" && alt) key = altKey;
    else key = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
    if (key === undefined) throw unauthorized(how);
    if (alt && altKey !== undefined && altKey !== key) throw unauthorized(`'Authorization' and '${alt.header}' carry different keys; send one`);
    // no client address (local development, a test): no shared bucket that one client could fill for all
    const client = c.req.header("cf-connecting-ip");
    const now = Date.now();
    if (client) checkThrottle(client, now);
    const principal = await principalFor(c.env, key);
    if (!principal) {
      if (client) countFailure(client, now);
      throw unauthorized("unknown API key");
    }
    c.set("principal", principal);
    await next();
  };
}

/**
 * Who did something, for audit logs: the authenticated principal (`tenant:<name>` or
 * `admin:<name>`), never a name the caller asserts; a `by` the caller gave is kept,
 * marked as its claim (`tenant:acme as "alice"`).
 */
export function actorOf(p: Principal, by?: string): string {
  const who = `${p.admin ? "admin" : "tenant"}:${p.tenant}`;
  return by === undefined ? who : `${who} as ${JSON.stringify(by)}`;
}
