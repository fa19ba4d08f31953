import { createServer, type IncomingMessage, type Server } from "node:http";

/**
 * A webhook receiver on 127.0.0.1 for tests: records every POST it gets under
 * `/hooks/<name>` (headers and the raw body, as a receiver must verify them) and
 * answers as the URL's query tells it:
 *
 *   POST /hooks/<name>                    204 (accepted)
 *   POST /hooks/<name>?fail=N&status=S    S (default 500) to the first N attempts of each
 *                                         `webhook-id`, then 204
 *   POST /hooks/<name>?always=S           S to every attempt (410: the subscription is gone)
 *   POST /hooks/<name>?hang=1             never answers (until the client goes away)
 *   GET  /deliveries/<name>               { attempts: [{ headers, body, status }], accepted }
 *
 * `accepted` counts the attempts answered with a 2xx: what the receiver acted on.
 * It stops by itself after `maxLifetimeMs` (default 10 minutes).
 */
export interface WebhookReceiver {
  url: string;
  close(): Promise<void>;
}

/** One recorded attempt. */
export interface ReceivedHook {
  headers: Record<string, string>;
  body: string;
  status: number;
}

function read(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Starts the receiver (port 0: any free port). */
export async function startWebhookReceiver({ maxLifetimeMs = 10 * 60_000 } = {}): Promise<WebhookReceiver> {
  const hooks = new Map<string, ReceivedHook[]>();
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const [, what, name] = url.pathname.split("/");
    if (req.method === "POST" && what === "hooks" && name) {
      const body = await read(req);
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : (v ?? "")]));
      const list = hooks.get(name) ?? [];
      hooks.set(name, list);
      if (url.searchParams.get("hang")) return; // the client's timeout ends it
      const seen = list.filter((h) => h.headers["webhook-id"] === headers["webhook-id"]).length;
      const always = Number(url.searchParams.get("always") ?? 0);
      const failing = seen < Number(url.searchParams.get("fail") ?? 0);
      const status = always || (failing ? Number(url.searchParams.get("status") ?? 500) : 204);
      list.push({ headers, body, status });
      res.writeHead(status, status === 204 ? {} : { "content-type": "text/plain" });
      res.end(status === 204 ? undefined : `receiver says ${status}`);
      return;
    }
    if (req.method === "GET" && what === "deliveries" && name) {
      const attempts = hooks.get(name) ?? [];
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ attempts, accepted: attempts.filter((a) => a.status >= 200 && a.status < 300).length }));
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("not found");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }));
  const killer = setTimeout(() => void close(), maxLifetimeMs);
  killer.unref();
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      clearTimeout(killer);
      return close();
    },
  };
}
