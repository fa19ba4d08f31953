/**
 * A fault-injection upstream for tests and benchmarks: a JSON specialist on
 * 127.0.0.1 whose path picks how it misbehaves. It speaks the router's JSON
 * specialist contract when it behaves.
 *
 *   POST /ok             200 { output: { echo, intent, idempotencyKey }, usage: { units: 1 } }
 *   POST /error          500 problem+json
 *   POST /rate-limit     429 with Retry-After (?retryAfter=SECONDS, default 1)
 *   POST /hang           never answers (until the client goes away)
 *   POST /slow-drip      200 headers, then one byte every 200 ms for ?seconds=N (default 30)
 *   POST /garbage        200 with a body that is not JSON
 *   POST /wrong-shape    200 JSON without `output`
 *   POST /flaky          fails with 503 for the first ?fail=N calls of each Idempotency-Key, then ok
 *   GET  /calls?path=P   how many calls path P has had; POST /reset clears the counts
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

export interface FaultUpstream {
  url: string;
  port: number;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": status >= 400 ? "application/problem+json" : "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Starts the upstream on 127.0.0.1 (port 0: any free port). */
export async function startFaultUpstream(port = 0): Promise<FaultUpstream> {
  const calls = new Map<string, number>();
  const flaky = new Map<string, number>();
  const open = new Set<ServerResponse>();
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const path = url.pathname;
    if (req.method === "GET" && path === "/calls") return json(res, 200, { calls: calls.get(url.searchParams.get("path") ?? "") ?? 0 });
    if (req.method === "POST" && path === "/reset") {
      calls.clear();
      flaky.clear();
      return json(res, 200, { ok: true });
    }
    calls.set(path, (calls.get(path) ?? 0) + 1);
    const raw = await readBody(req);
    let body: { input?: unknown; intent?: unknown } = {};
    try {
      body = JSON.parse(raw);
    } catch {
      return json(res, 400, { title: "Bad request", status: 400, detail: "body is not JSON" });
    }
    const ok = () =>
      json(res, 200, { output: { echo: body.input, intent: body.intent ?? null, idempotencyKey: req.headers["idempotency-key"] ?? null, traceparent: req.headers.traceparent ?? null }, usage: { units: 1 } });
    switch (path) {
      case "/ok":
        return ok();
      case "/error":
        return json(res, 500, { title: "Internal error", status: 500, detail: "injected failure" });
      case "/rate-limit":
        return json(res, 429, { title: "Too many requests", status: 429, detail: "injected 429" }, { "retry-after": url.searchParams.get("retryAfter") ?? "1" });
      case "/hang":
        open.add(res);
        res.on("close", () => open.delete(res));
        return;
      case "/slow-drip": {
        open.add(res);
        res.writeHead(200, { "content-type": "application/json" });
        const seconds = Number(url.searchParams.get("seconds") ?? "30");
        const timer = setInterval(() => res.write(" "), 200);
        const stop = setTimeout(() => (clearInterval(timer), res.end('{"output":"finally"}')), seconds * 1000);
        res.on("close", () => (clearInterval(timer), clearTimeout(stop), open.delete(res)));
        return;
      }
      case "/garbage":
        res.writeHead(200, { "content-type": "application/json" });
        return res.end("<html>definitely not json");
      case "/wrong-shape":
        return json(res, 200, { result: "no output field" });
      case "/flaky": {
        const key = String(req.headers["idempotency-key"] ?? "");
        const seen = (flaky.get(key) ?? 0) + 1;
        flaky.set(key, seen);
        if (seen <= Number(url.searchParams.get("fail") ?? "1")) return json(res, 503, { title: "Unavailable", status: 503, detail: `injected failure ${seen}` });
        return ok();
      }
      default:
        return json(res, 404, { title: "Not found", status: 404, detail: `no mode ${path}` });
    }
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const address = server.address();
  const actual = typeof address === "object" && address ? address.port : port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        for (const r of open) r.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
