import type { ExecutionContext } from "hono";
import type { Env } from "../env.ts";

/** How the dashboard reaches the router's own API: the app's `fetch`, in process. */
export type AppFetch = (request: Request, env: Env, ctx: ExecutionContext) => Response | Promise<Response>;

/** One API answer: status and parsed JSON body (a problem document on errors). */
export interface ApiResult<T = any> {
  status: number;
  ok: boolean;
  body: T;
}

/** The API as one signed-in operator sees it. */
export interface UiApi {
  get<T = any>(path: string): Promise<ApiResult<T>>;
  post<T = any>(path: string, body: unknown): Promise<ApiResult<T>>;
}

/**
 * An API client that sends in-process requests through the whole app with the
 * operator's key: the dashboard shows and does exactly what the API allows that
 * key (auth, kill switches, validation, policies), and adds no logic of its own.
 * The dashboard request's `traceparent` goes along, so both share a trace.
 */
export function uiApi(fetchApp: AppFetch, env: Env, ctx: ExecutionContext, origin: string, key: string, traceparent?: string): UiApi {
  const call = async (method: string, path: string, body?: unknown): Promise<ApiResult> => {
    const headers = new Headers({ authorization: `Bearer ${key}`, accept: "application/json" });
    if (traceparent) headers.set("traceparent", traceparent);
    if (body !== undefined) headers.set("content-type", "application/json");
    const res = await fetchApp(new Request(new URL(path, origin), { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) }), env, ctx);
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = { detail: text.slice(0, 500) };
    }
    return { status: res.status, ok: res.ok, body: parsed };
  };
  return { get: (path) => call("GET", path), post: (path, body) => call("POST", path, body) };
}

/** The human-readable part of a failed API answer. */
export function problemText(r: ApiResult): string {
  const b = r.body as { title?: unknown; detail?: unknown; errors?: { path?: string; message?: string }[] } | null;
  const base = typeof b?.detail === "string" ? b.detail : typeof b?.title === "string" ? b.title : `HTTP ${r.status}`;
  const issues = Array.isArray(b?.errors) ? b.errors.map((e) => `${e.path || "(root)"}: ${e.message}`).join("; ") : "";
  return issues && !base.includes(issues) ? `${base} (${issues})` : base;
}
