/**
 * The plumbing the fake provider APIs share (examples/fake-openai, fake-anthropic,
 * fake-gemini): a server on 127.0.0.1 that records the requests it gets (`GET
 * /requests`, `POST /reset`), tells a client that left early from a connection the fake
 * dropped on purpose, and closes itself after `maxLifetimeMs` if nobody closes it first.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

export const SSE_HEADERS = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" };

/** A recorded request: true `aborted` when its client closed the connection before the reply was finished. */
export interface Recorded {
  aborted: boolean;
}

export interface FakeHttp<R extends Recorded> {
  url: string;
  close(): Promise<void>;
  /** Requests received so far. */
  requests(): R[];
}

/** What a fake's handler gets besides the request and the response. */
export interface FakeHost<R extends Recorded> {
  /** Records the request `res` answers (it is `aborted` if its client leaves before the reply is done). */
  record(res: ServerResponse, record: R): void;
  /** Drops the connection on purpose (a cut stream): not the client's abort. */
  drop(res: ServerResponse): void;
  /** The requests recorded so far. */
  requests(): R[];
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const t = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(t), ...headers });
  res.end(t);
}

/** The request's body parsed as JSON, or `undefined` when it is not JSON. */
export async function readJson(req: IncomingMessage): Promise<{ json: unknown } | undefined> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  try {
    return { json: JSON.parse(Buffer.concat(chunks).toString("utf8")) };
  } catch {
    return undefined;
  }
}

/** Starts a fake on 127.0.0.1 (any free port): `/requests` and `/reset` here, every other request to `serve`. */
export async function startFakeHttp<R extends Recorded>(serve: (req: IncomingMessage, res: ServerResponse, host: FakeHost<R>) => Promise<void>, maxLifetimeMs: number): Promise<FakeHttp<R>> {
  const recorded: R[] = [];
  const open = new Set<ServerResponse>();
  const droppedByUs = new WeakSet<ServerResponse>();
  let closing = false;
  const host: FakeHost<R> = {
    record(res, record) {
      recorded.push(record);
      open.add(res);
      res.on("close", () => {
        open.delete(res);
        if (!res.writableFinished && !closing && !droppedByUs.has(res)) record.aborted = true;
      });
    },
    drop(res) {
      droppedByUs.add(res);
      res.destroy();
    },
    requests: () => recorded,
  };
  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    if (req.method === "GET" && path === "/requests") return sendJson(res, 200, { requests: recorded });
    if (req.method === "POST" && path === "/reset") return (recorded.length = 0), sendJson(res, 200, { ok: true });
    return serve(req, res, host);
  }

  const server = createServer((req, res) => void route(req, res).catch(() => res.destroy()));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  let shutdown: Promise<void> | undefined;
  const close = () =>
    (shutdown ??= new Promise<void>((resolve) => {
      closing = true;
      clearTimeout(killer);
      for (const r of open) r.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    }));
  const killer = setTimeout(close, maxLifetimeMs);
  killer.unref();
  return { url: `http://127.0.0.1:${port}`, close, requests: () => recorded };
}
