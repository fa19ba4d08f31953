import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie } from "hono/cookie";
import type { AppEnv, Env } from "../env.ts";
import { hasKeys, noKeysProblem, principalFor } from "../http/auth.ts";
import { uiApi, type AppFetch, type UiApi } from "./api.ts";
import { controlStub } from "../control.ts";
import { sha256Hex } from "../intent/record.ts";
import type { Viewer } from "./layout.tsx";
import { SESSION_COOKIE, checkCsrf, csrfToken, openSession, sessionKeys, type SessionKeys } from "./session.ts";

/** Hono generics of the dashboard routes: the router's, plus the signed-in operator. */
export interface UiEnv {
  Bindings: Env;
  Variables: AppEnv["Variables"] & { viewer: Viewer; api: UiApi; keys: SessionKeys };
}

let cachedKeys: { material: string; keys: Promise<SessionKeys> } | undefined;

/** The session keys of this deployment (cached per isolate while the secrets stay the same). */
export function keysFor(env: Env): Promise<SessionKeys> {
  const material = env.SESSION_SECRET ?? `keys\u0000${env.ADMIN_KEY_SHA256 ?? ""}\u0000${env.API_KEYS ?? ""}\u0000${env.DEV_MODE ?? ""}`;
  if (cachedKeys?.material !== material) cachedKeys = { material, keys: sessionKeys(material) };
  return cachedKeys.keys;
}

/** Security headers of every dashboard response: a strict CSP (no script at all), no framing, no caching. */
export const uiHeaders: MiddlewareHandler<UiEnv> = async function uiHeaders(c, next) {
  await next();
  const h = c.res.headers;
  if (!h.has("content-security-policy"))
    h.set("content-security-policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  h.set("x-frame-options", "DENY");
  h.set("x-content-type-options", "nosniff");
  h.set("referrer-policy", "no-referrer");
  if (!h.has("cache-control")) h.set("cache-control", "no-store");
};

/** True when the request came over https (the session cookie is then `Secure`). */
export const isHttps = (c: Context): boolean => new URL(c.req.url).protocol === "https:";

/**
 * Requires a dashboard session: opens the cookie, re-checks its key (a revoked
 * key ends the session at once) and that it was not signed out (the control plane
 * keeps signed-out sessions until they expire), and sets `viewer` (with the CSRF token for its
 * forms) and `api` (the API as that key sees it). Without one, pages redirect to
 * the sign-in form.
 */
export function requireSession(fetchApp: AppFetch): MiddlewareHandler<UiEnv> {
  return async function requireSession(c, next) {
    if (!hasKeys(c.env)) throw noKeysProblem();
    const keys = await keysFor(c.env);
    const cookie = getCookie(c, SESSION_COOKIE);
    const session = await openSession(keys, cookie);
    const principal = session ? await principalFor(c.env, session.key) : undefined;
    const revoked = cookie && session ? await controlStub(c.env)?.sessionRevoked(await sha256Hex(cookie)) : false;
    if (!cookie || !session || !principal || revoked) {
      if (cookie) deleteCookie(c, SESSION_COOKIE, { path: "/", secure: isHttps(c), httpOnly: true, sameSite: "Strict" });
      return c.redirect("/ui/sign-in", 303);
    }
    c.set("keys", keys);
    c.set("viewer", { tenant: principal.tenant, admin: principal.admin, csrf: await csrfToken(keys, cookie) });
    c.set("api", uiApi(fetchApp, c.env, c.executionCtx, new URL(c.req.url).origin, session.key, c.get("traceparent")));
    await next();
  };
}

/** The form fields of a POST (strings only; files and repeats are dropped). */
export async function formFields(c: Context): Promise<Record<string, string>> {
  const type = c.req.header("content-type") ?? "";
  if (!type.startsWith("application/x-www-form-urlencoded") && !type.startsWith("multipart/form-data")) return {};
  const body = await c.req.parseBody();
  return Object.fromEntries(Object.entries(body).filter((e): e is [string, string] => typeof e[1] === "string"));
}

/**
 * Refuses a state-changing form without the session's CSRF token (or sent by a
 * browser from another site): 403 before anything happens. Runs after
 * `requireSession`; leaves the parsed fields in `c.req` for the handler.
 */
export const requireCsrf: MiddlewareHandler<UiEnv> = async function requireCsrf(c, next) {
  const fields = await formFields(c);
  const cookie = getCookie(c, SESSION_COOKIE) ?? "";
  const crossSite = c.req.header("sec-fetch-site") === "cross-site";
  if (crossSite || !(await checkCsrf(c.get("keys"), cookie, fields._csrf)))
    return c.text("403 Forbidden: this form's CSRF token is missing or wrong (or it was sent from another site). Reload the page and try again.", 403);
  await next();
};
