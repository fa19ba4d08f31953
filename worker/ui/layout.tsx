import { raw } from "hono/html";
import type { Child } from "hono/jsx";

/** Who is looking at a page, and the CSRF token its forms carry. */
export interface Viewer {
  tenant: string;
  admin: boolean;
  csrf: string;
}

/** The hidden CSRF field every state-changing form includes. */
export const Csrf = ({ token }: { token: string }) => <input type="hidden" name="_csrf" value={token} />;

const TERMINAL = new Set(["succeeded", "failed", "cancelled", "rejected"]);

/** True for a task status that will not change again. */
export const isTerminal = (status: string): boolean => TERMINAL.has(status);

/** A coloured status pill (classes in app.css: `st-<status>`). */
export const Status = ({ status }: { status: string | null | undefined }) => {
  const s = status ?? "unknown";
  return <span class={`pill st-${s.replace(/[^a-z_-]/g, "")}`}>{s.replaceAll("_", " ")}</span>;
};

/** A section of a page, with a heading and optional note on the right. */
export const Card = ({ title, note, children, id }: { title: string; note?: Child; children?: Child; id?: string }) => (
  <section class="card" id={id}>
    <header>
      <h2>{title}</h2>
      {note ? <span class="muted">{note}</span> : null}
    </header>
    {children}
  </section>
);

/** A failed part of a page (the rest still renders). */
export const Problem = ({ text }: { text: string }) => (
  <p class="problem" role="alert">
    {text}
  </p>
);

/** A date as `HH:MM:SS` (UTC) with the full ISO time as its title. */
export const When = ({ iso }: { iso: unknown }) =>
  typeof iso === "string" ? (
    <time datetime={iso} title={iso}>
      {iso.slice(11, 19)}
      <span class="muted"> {iso.slice(0, 10)}</span>
    </time>
  ) : (
    <span class="muted">—</span>
  );

/** USD with enough digits for per-call costs. */
export const usd = (n: unknown): string => (typeof n === "number" && Number.isFinite(n) ? `$${n < 0.01 && n > 0 ? n.toFixed(6) : n.toFixed(4)}` : "—");

/**
 * The page shell: header with navigation and the operator's identity, a
 * stylesheet (no inline styles or scripts, so a strict CSP holds), and an
 * optional `<meta refresh>` for pages that follow a running task.
 */
export const Page = ({ title, viewer, refreshSeconds, children }: { title: string; viewer?: Viewer; refreshSeconds?: number; children?: Child }) => (
  <>
    {raw("<!doctype html>")}
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        {refreshSeconds ? <meta http-equiv="refresh" content={String(refreshSeconds)} /> : null}
        <title>{`${title} · Switchyard`}</title>
        <link rel="stylesheet" href="/ui/app.css" />
        <link rel="icon" href="/ui/favicon.svg" type="image/svg+xml" />
      </head>
      <body>
        <nav class="top">
          <a class="brand" href="/">
            Switchyard
          </a>
          {viewer ? (
            <>
              <a href="/">Overview</a>
              <a href="/ui/approvals">Approvals</a>
              <a href="/ui/tasks/new">Start a task</a>
              <a href="/ui/intents">Intent playground</a>
              {viewer.admin ? <a href="/ui/dead-letters">Dead letters</a> : null}
              <span class="grow" />
              <span class="who">
                tenant <b>{viewer.tenant}</b>
                {viewer.admin ? <span class="pill admin">admin</span> : null}
              </span>
              <form method="post" action="/ui/sign-out" class="inline">
                <Csrf token={viewer.csrf} />
                <button type="submit" class="link">
                  Sign out
                </button>
              </form>
            </>
          ) : null}
        </nav>
        <main>
          <h1>{title}</h1>
          {children}
        </main>
      </body>
    </html>
  </>
);
