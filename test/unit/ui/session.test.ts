import { describe, expect, it } from "vitest";
import { checkCsrf, csrfToken, openSession, sealSession, sessionKeys } from "../../../worker/ui/session.ts";

describe("dashboard sessions", () => {
  it("seals the key (not readable in the cookie) and opens it until it expires", async () => {
    const keys = await sessionKeys("secret");
    const cookie = await sealSession(keys, { key: "dev-admin-key", exp: 2000 });
    expect(cookie).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(atob(cookie.replaceAll("-", "+").replaceAll("_", "/") + "==".slice(0, (4 - (cookie.length % 4)) % 4))).not.toContain("dev-admin-key");
    expect(await openSession(keys, cookie, 1000)).toEqual({ key: "dev-admin-key", exp: 2000 });
    expect(await openSession(keys, cookie, 2000)).toBeUndefined();
  });

  it("refuses cookies sealed with another secret, tampered with, or malformed", async () => {
    const keys = await sessionKeys("secret");
    const cookie = await sealSession(keys, { key: "k", exp: 2000 });
    expect(await openSession(await sessionKeys("other"), cookie, 1000)).toBeUndefined();
    const tampered = cookie.slice(0, -2) + (cookie.at(-2) === "A" ? "B" : "A") + cookie.at(-1);
    expect(await openSession(keys, tampered, 1000)).toBeUndefined();
    for (const bad of [undefined, "", "!!", "AAAA", "x".repeat(5000)]) expect(await openSession(keys, bad, 1000)).toBeUndefined();
  });

  it("binds CSRF tokens to the session cookie", async () => {
    const keys = await sessionKeys("secret");
    const token = await csrfToken(keys, "cookie-a");
    expect(await checkCsrf(keys, "cookie-a", token)).toBe(true);
    expect(await checkCsrf(keys, "cookie-b", token)).toBe(false);
    expect(await checkCsrf(await sessionKeys("other"), "cookie-a", token)).toBe(false);
    for (const bad of [undefined, "", "short", `${token}x`]) expect(await checkCsrf(keys, "cookie-a", bad)).toBe(false);
  });
});
