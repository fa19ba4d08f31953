import { exports } from "cloudflare:workers";
import { expect } from "vitest";

// The dashboard as a browser sees it, for the dashboard's workers tests.

export const BASE = "https://router.test";

/** A browser-like request to the dashboard: no Authorization header, cookies by hand, redirects not followed. */
export async function ui(path: string, init: { cookie?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.cookie) headers.set("cookie", init.cookie);
  if (init.form) headers.set("content-type", "application/x-www-form-urlencoded");
  return exports.default.fetch(new Request(`${BASE}${path}`, { method: init.form ? "POST" : "GET", headers, redirect: "manual", ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}) }));
}

/** `name=value` of a Set-Cookie header for `name`. */
export function cookieOf(res: Response, name: string): string | undefined {
  const line = res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
  return line?.split(";")[0];
}

/** The CSRF token rendered into a page's forms. */
export const csrfIn = (html: string): string => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";

/** Signs in through the form like a browser and returns the session cookie and the overview's CSRF token. */
export async function signIn(key: string): Promise<{ cookie: string; csrf: string }> {
  const form = await ui("/ui/sign-in");
  const login = cookieOf(form, "sy_login")!;
  const res = await ui("/ui/sign-in", { cookie: login, form: { _csrf: csrfIn(await form.text()), key } });
  expect(res.status).toBe(303);
  const cookie = cookieOf(res, "sy_session")!;
  const page = await ui("/", { cookie });
  return { cookie, csrf: csrfIn(await page.text()) };
}
