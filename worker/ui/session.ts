/**
 * Dashboard sessions and CSRF tokens (no Workers imports; Web Crypto only).
 *
 * A browser cannot send `Authorization` on a navigation, so the sign-in form
 * trades the API key for a cookie. The cookie holds the key sealed with AES-GCM
 * (plus an expiry), never in clear: every dashboard request opens it and calls the
 * API with the key, so a revoked key stops working at once and every check of the
 * API (auth, kill switches, validation, policy) applies to the dashboard too.
 *
 * A state-changing form carries a CSRF token: an HMAC of the session cookie's
 * value. A cross-site page can neither read the HttpOnly cookie nor so compute the
 * token, and SameSite=Strict keeps the cookie off cross-site requests anyway.
 */

const enc = new TextEncoder();

/** Lifetime of a dashboard session. */
export const SESSION_TTL_SECONDS = 12 * 3600;

/** Name of the session cookie. */
export const SESSION_COOKIE = "sy_session";

/** What a sealed session holds. */
export interface SessionData {
  /** The API key the operator signed in with. */
  key: string;
  /** Expiry, epoch seconds. */
  exp: number;
}

/** The secrets that sessions are sealed and tokens signed with. */
export interface SessionKeys {
  seal: CryptoKey;
  mac: CryptoKey;
}

/** base64url without padding. */
export function b64url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** Decodes base64url; `undefined` when malformed. */
export function fromB64url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  try {
    const bin = atob(text.replaceAll("-", "+").replaceAll("_", "/") + "=".repeat((4 - (text.length % 4)) % 4));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/**
 * Derives the session keys from a secret: `SESSION_SECRET` when set, otherwise
 * the router's key secrets (so sessions end when the keys rotate). Under DEV_MODE
 * alone the material is public, which is fine: the dev keys are public too, and a
 * CSRF token still needs the victim's unreadable cookie.
 */
export async function sessionKeys(material: string): Promise<SessionKeys> {
  const root = new Uint8Array(await crypto.subtle.digest("SHA-256", enc.encode(`switchyard-ui\u0000${material}`)));
  const sub = async (label: string) => new Uint8Array(await crypto.subtle.digest("SHA-256", new Uint8Array([...root, ...enc.encode(label)])));
  const seal = await crypto.subtle.importKey("raw", await sub("seal"), "AES-GCM", false, ["encrypt", "decrypt"]);
  const mac = await crypto.subtle.importKey("raw", await sub("mac"), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
  return { seal, mac };
}

/** Seals a session into a cookie value: base64url(iv ‖ AES-GCM(json)). */
export async function sealSession(keys: SessionKeys, data: SessionData): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, keys.seal, enc.encode(JSON.stringify({ k: data.key, e: data.exp }))));
  return b64url(new Uint8Array([...iv, ...ct]));
}

/** Opens a cookie value; `undefined` when forged, malformed or expired. */
export async function openSession(keys: SessionKeys, value: string | undefined, nowSeconds = Date.now() / 1000): Promise<SessionData | undefined> {
  const bytes = value && value.length < 4096 ? fromB64url(value) : undefined;
  if (!bytes || bytes.length < 12 + 16) return undefined;
  try {
    const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: bytes.slice(0, 12) }, keys.seal, bytes.slice(12));
    const o = JSON.parse(new TextDecoder().decode(plain)) as { k?: unknown; e?: unknown };
    if (typeof o.k !== "string" || typeof o.e !== "number" || o.e <= nowSeconds) return undefined;
    return { key: o.k, exp: o.e };
  } catch {
    return undefined;
  }
}

/** The CSRF token of a session: base64url(HMAC(cookie value)). */
export async function csrfToken(keys: SessionKeys, cookieValue: string): Promise<string> {
  return b64url(new Uint8Array(await crypto.subtle.sign("HMAC", keys.mac, enc.encode(`csrf\u0000${cookieValue}`))));
}

/** Checks a submitted CSRF token against the session cookie (constant-time, by `verify`). */
export async function checkCsrf(keys: SessionKeys, cookieValue: string, token: string | undefined): Promise<boolean> {
  const sig = token ? fromB64url(token) : undefined;
  if (!sig || sig.length !== 32) return false;
  return crypto.subtle.verify("HMAC", keys.mac, sig, enc.encode(`csrf\u0000${cookieValue}`));
}

/** A random, URL-safe nonce (the sign-in form's double-submit token). */
export function nonce(bytes = 18): string {
  return b64url(crypto.getRandomValues(new Uint8Array(bytes)));
}
