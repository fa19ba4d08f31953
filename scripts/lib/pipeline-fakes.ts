/**
 * The pipeline simulation's fake specialists: one Node HTTP server on 127.0.0.1 speaking
 * the router's `http` specialist contract (POST `{ input, context }` → `{ output }`),
 * every answer decided by pipeline-model.ts from the seed and the question.
 *
 *   POST /worker/<id>[?slow=1]  a worker: `{ output: { text: "<number>" } }` after 20..40 ms
 *                               (with slow=1, 1.5 s on 10 % of its questions)
 *   POST /verifier              `{ output: { pass, score, reason } }` on context.verification
 *   POST /judge                 `{ output: { text: '{"pick":"c2"}' } }` on context.ensemble
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { judgePick, parseQuestion, verifierVerdict, workerAnswer, workerLatencyMs, type Candidate } from "./pipeline-model.ts";

/** The running server: its URL, the calls per path so far, and `close()`. */
export interface Fakes {
  url: string;
  calls: Map<string, number>;
  close(): Promise<void>;
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** Starts the fakes for `seed` on 127.0.0.1 (a free port); closed by `close()` or after `maxLifetimeMs`. */
export async function startFakes(seed: number, maxLifetimeMs = 60 * 60_000): Promise<Fakes> {
  const calls = new Map<string, number>();
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const body = await readJson(req);
    calls.set(url.pathname, (calls.get(url.pathname) ?? 0) + 1);
    const context = (body.context ?? {}) as Record<string, unknown>;
    const worker = /^\/worker\/([a-z0-9-]+)$/.exec(url.pathname);
    if (worker) {
      const q = parseQuestion(String(body.input ?? ""));
      if (!q) return reply(res, 400, { title: "no question in the input" });
      const timer = setTimeout(() => reply(res, 200, { output: { text: String(workerAnswer(seed, worker[1]!, q)) } }), workerLatencyMs(seed, worker[1]!, q, url.searchParams.get("slow") === "1"));
      res.on("close", () => clearTimeout(timer)); // a hedge's loser is aborted: no reply
      return;
    }
    if (url.pathname === "/verifier") {
      const v = (context.verification ?? {}) as { input?: string; output?: unknown; specialist?: string };
      const q = parseQuestion(String(v.input ?? ""));
      if (!q) return reply(res, 400, { title: "no question to verify" });
      return reply(res, 200, { output: verifierVerdict(seed, q, String(v.specialist), v.output) });
    }
    if (url.pathname === "/judge") {
      const e = (context.ensemble ?? {}) as { candidates?: Candidate[] };
      const q = parseQuestion(String(body.input ?? ""));
      const pick = q ? judgePick(seed, q, e.candidates ?? []) : undefined;
      if (!pick) return reply(res, 400, { title: "nothing to judge" });
      return reply(res, 200, { output: { text: JSON.stringify({ pick }) } });
    }
    reply(res, 404, { title: "no such fake" });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const close = () =>
    new Promise<void>((r) => {
      clearTimeout(killer);
      server.closeAllConnections();
      server.close(() => r());
    });
  const killer = setTimeout(() => void close(), maxLifetimeMs);
  killer.unref();
  return { url: `http://127.0.0.1:${port}`, calls, close };
}
