import type { MiddlewareHandler } from "hono";
import type { AppEnv, Env, Principal } from "../env.ts";
import { sha256Hex } from "../intent/record.ts";
import { ProblemError } from "./problem.ts";

/** Keys accepted when `DEV_MODE` is "true" (local development only; README). */
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
  if (env.ADMIN_KEY_SHA256 && sameHex(env.ADMIN_KEY_SHA256.toLowerCase(), hash)) return { tenant: "admin", admin: true };
  if (!env.API_KEYS) return undefined;
  let keys: unknown;
  try {
    keys = JSON.parse(env.API_KEYS);
  } catch {
    return undefined;
  }
  const tenant = typeof keys === "object" && keys !== null ? (keys as Record<string, unknown>)[hash] : undefined;
  return typeof tenant === "string" ? { tenant, admin: false } : undefined;
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

/** Requires `Authorization: Bearer <key>`; sets `principal`. */
export function authenticate(): MiddlewareHandler<AppEnv> {
  return async function authenticate(c, next) {
    if (!hasKeys(c.env)) throw noKeysProblem();
    const header = c.req.header("authorization") ?? "";
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) throw unauthorized("send 'Authorization: Bearer <key>'");
    const principal = await principalFor(c.env, m[1]!);
    if (!principal) throw unauthorized("unknown API key");
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
