import { createServer, type IncomingMessage, type Server } from "node:http";

/**
 * A stand-in OpenTelemetry collector on 127.0.0.1 for tests: accepts OTLP/HTTP JSON
 * on `POST /v1/traces` (checking the media type and that the body parses), keeps
 * every request, and answers what it got:
 *
 *   GET /received?traceId=T   { requests: [{ headers, body }] } of requests with a span of trace T
 */
export interface OtlpReceiver {
  url: string;
  close(): Promise<void>;
}

type Received = { headers: Record<string, string | string[] | undefined>; body: { resourceSpans?: { scopeSpans?: { spans?: { traceId?: string }[] }[] }[] } };

function read(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Starts the receiver (port 0: any free port). */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const received: Received[] = [];
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.method === "POST" && url.pathname === "/v1/traces") {
      if (!req.headers["content-type"]?.startsWith("application/json")) return reply(415, { error: "OTLP/HTTP JSON only" });
      try {
        received.push({ headers: req.headers, body: JSON.parse(await read(req)) });
      } catch {
        return reply(400, { error: "body is not JSON" });
      }
      return reply(200, {});
    }
    if (req.method === "GET" && url.pathname === "/received") {
      const traceId = url.searchParams.get("traceId");
      const hits = received.filter((r) => r.body.resourceSpans?.some((rs) => rs.scopeSpans?.some((ss) => ss.spans?.some((s) => s.traceId === traceId))));
      return reply(200, { requests: hits });
    }
    reply(404, { error: "not found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}
