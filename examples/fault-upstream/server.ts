/**
 * A fault-injection upstream for tests and benchmarks: a JSON specialist on
 * 127.0.0.1 whose path picks how it misbehaves. It speaks the router's JSON
 * specialist contract when it behaves.
 *
 *   POST /ok             200 { output: { echo, intent, idempotencyKey, traceparent, tracestate }, usage: { units: 1 } }
 *   POST /error          500 problem+json
 *   POST /rate-limit     429 with Retry-After (?retryAfter=SECONDS, default 1)
 *   POST /hang           never answers (until the client goes away)
 *   POST /slow-drip      200 headers, then one byte every 200 ms for ?seconds=N (default 30)
 *   POST /garbage        200 with a body that is not JSON
 *   POST /wrong-shape    200 JSON without `output`
 *   POST /flaky          fails with 503 for the first ?fail=N calls of each Idempotency-Key, then ok
 *   POST /side-effect    performs one "side effect" per Idempotency-Key (a repeat gets the
 *                        stored reply, no new effect); ?ms=N answers N ms after the effect;
 *                        ?hold=1 answers only once a test releases the key (POST /release)
 *   POST /release?key=K  answers the held calls whose Idempotency-Key contains K, and later ones at once
 *   POST /verify-pass    a verifier that passes everything; /verify-fail one that fails everything
 *   POST /answer         200 { output: { text: ?text, confidence?: ?confidence } } after ?ms=N (ensemble and hedge tests)
 *   POST /plan           a planner: a valid 3-step plan; /plan-invalid answers a plan with a cycle
 *   POST /toggle         ok, or 500 while switched to failing with POST /set-toggle?fail=true
 *   GET  /a2a-elsewhere/.well-known/agent-card.json
 *                        an A2A 1.0 agent card whose JSON-RPC interface is on another origin
 *                        (`http://localhost:<port>/a2a-elsewhere-rpc`; the server listens on 127.0.0.1)
 *   POST /a2a-elsewhere-rpc  that interface: answers SendMessage with a Message "elsewhere"
 *   POST /big?chars=N    200 with an output whose text is N characters long (default 3,000,000)
 *   POST /deep?levels=N  200 with an output nested N arrays deep (default 50,000): valid JSON
 *                        that a recursive JSON.stringify cannot write back
 *   POST /redirect       307 to `http://localhost:<port>/redirect-target` (another origin: the router must not follow it)
 *   GET  /headers?path=P the headers of path P's last call
 *   POST /priced?costUsd=C&inputTokens=I&outputTokens=O
 *                        ok, reporting that usage (a service that reports its own cost and tokens)
 *   GET  /calls?path=P   how many calls path P has had (&tag=T: only calls sent with ?tag=T,
 *                        so one test's calls are told apart from another's); POST /reset clears the counts
 *   GET  /calls?key=K    `{ calls, aborted }` of every path for Idempotency-Keys containing K:
 *                        calls made, and those whose client went away before the reply was sent
 *   GET  /effects?prefix=K  side effects and calls of keys starting with K
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
  const lastHeaders = new Map<string, IncomingMessage["headers"]>();
  const flaky = new Map<string, number>();
  const effects = new Map<string, { calls: number; reply: unknown }>();
  /** Held replies (`?hold=1`) waiting for a test to release their key, and the released key parts. */
  const held = new Map<string, Set<() => void>>();
  const released: string[] = [];
  /** Calls and aborts by Idempotency-Key, on every path. */
  const byKey = new Map<string, { calls: number; aborted: number }>();
  let toggleFails = false;
  const open = new Set<ServerResponse>();
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const path = url.pathname;
    if (req.method === "GET" && path === "/calls" && url.searchParams.has("key")) {
      const k = url.searchParams.get("key")!;
      const hits = [...byKey].filter(([key]) => key.includes(k)).map(([, v]) => v);
      return json(res, 200, { calls: hits.reduce((n, v) => n + v.calls, 0), aborted: hits.reduce((n, v) => n + v.aborted, 0) });
    }
    if (req.method === "GET" && path === "/calls") {
      const tag = url.searchParams.get("tag");
      return json(res, 200, { calls: calls.get(`${url.searchParams.get("path") ?? ""}${tag === null ? "" : `?tag=${tag}`}`) ?? 0 });
    }
    if (req.method === "GET" && path === "/headers") return json(res, 200, { headers: lastHeaders.get(url.searchParams.get("path") ?? "") ?? null });
    if (req.method === "GET" && path === "/a2a-elsewhere/.well-known/agent-card.json") {
      const port = (server.address() as { port: number }).port;
      const rpc = `http://localhost:${port}/a2a-elsewhere-rpc`;
      return json(res, 200, {
        name: "elsewhere",
        description: "an agent whose card points at another origin",
        version: "1.0.0",
        supportedInterfaces: [{ url: rpc, protocolBinding: "JSONRPC", protocolVersion: "1.0" }],
        capabilities: {},
        defaultInputModes: ["text/plain"],
        defaultOutputModes: ["text/plain"],
        skills: [],
      });
    }
    if (req.method === "GET" && path === "/effects") {
      const prefix = url.searchParams.get("prefix") ?? "";
      const hits = [...effects].filter(([k]) => k.startsWith(prefix));
      return json(res, 200, { effects: hits.length, calls: hits.reduce((n, [, e]) => n + e.calls, 0), keys: Object.fromEntries(hits.map(([k, e]) => [k, e.calls])) });
    }
    if (req.method === "POST" && path === "/set-toggle") {
      toggleFails = url.searchParams.get("fail") === "true";
      return json(res, 200, { fail: toggleFails });
    }
    if (req.method === "POST" && path === "/release") {
      const k = url.searchParams.get("key") ?? "";
      released.push(k);
      let n = 0;
      for (const [key, waiting] of held)
        if (key.includes(k)) {
          for (const answer of waiting) (answer(), n++);
          held.delete(key);
        }
      return json(res, 200, { released: n });
    }
    if (req.method === "POST" && path === "/reset") {
      calls.clear();
      lastHeaders.clear();
      flaky.clear();
      effects.clear();
      byKey.clear();
      released.length = 0;
      return json(res, 200, { ok: true });
    }
    calls.set(path, (calls.get(path) ?? 0) + 1);
    const tag = url.searchParams.get("tag");
    if (tag !== null) calls.set(`${path}?tag=${tag}`, (calls.get(`${path}?tag=${tag}`) ?? 0) + 1);
    lastHeaders.set(path, req.headers);
    const keyed = byKey.get(String(req.headers["idempotency-key"] ?? "")) ?? { calls: 0, aborted: 0 };
    byKey.set(String(req.headers["idempotency-key"] ?? ""), keyed);
    keyed.calls++;
    res.on("close", () => {
      if (!res.writableFinished) keyed.aborted++;
    });
    const raw = await readBody(req);
    let body: { input?: unknown; intent?: unknown; context?: unknown } = {};
    try {
      body = JSON.parse(raw);
    } catch {
      return json(res, 400, { title: "Bad request", status: 400, detail: "body is not JSON" });
    }
    const ok = () =>
      json(res, 200, {
        output: { text: `echo: ${String(body.input)}`, echo: body.input, intent: body.intent ?? null, context: body.context ?? null, idempotencyKey: req.headers["idempotency-key"] ?? null, traceparent: req.headers.traceparent ?? null, tracestate: req.headers.tracestate ?? null },
        usage: { units: 1 },
      });
    switch (path) {
      case "/ok":
        return ok();
      case "/priced": {
        const usage: Record<string, number> = { units: 1 };
        for (const k of ["costUsd", "inputTokens", "outputTokens"]) if (url.searchParams.has(k)) usage[k] = Number(url.searchParams.get(k));
        return json(res, 200, { output: { text: `echo: ${String(body.input)}` }, usage });
      }
      case "/redirect": {
        const port = (server.address() as { port: number }).port;
        res.writeHead(307, { location: `http://localhost:${port}/redirect-target`, "content-length": "0" });
        return res.end();
      }
      case "/redirect-target":
        return ok();
      case "/big": {
        const chars = Number(url.searchParams.get("chars") ?? "3000000");
        return json(res, 200, { output: { text: "x".repeat(chars) } });
      }
      case "/deep": {
        const levels = Number(url.searchParams.get("levels") ?? "50000");
        const text = `{"output":${"[".repeat(levels)}${"]".repeat(levels)}}`;
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
        return res.end(text);
      }
      case "/a2a-elsewhere-rpc": {
        const rpc = body as { id?: unknown };
        return json(res, 200, { jsonrpc: "2.0", id: rpc.id ?? null, result: { message: { messageId: "m-elsewhere", role: "ROLE_AGENT", parts: [{ text: "elsewhere" }] } } });
      }
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
      case "/side-effect": {
        const key = String(req.headers["idempotency-key"] ?? "");
        const seen = effects.get(key);
        if (seen) seen.calls++;
        else effects.set(key, { calls: 1, reply: { output: { text: `effect for ${key}`, input: body.input, effect: effects.size + 1 }, usage: { units: 1 } } });
        const reply = effects.get(key)!.reply;
        if (url.searchParams.get("hold") === "1" && !released.some((k) => key.includes(k))) {
          open.add(res);
          const answer = () => json(res, 200, reply);
          held.set(key, (held.get(key) ?? new Set()).add(answer));
          res.on("close", () => (held.get(key)?.delete(answer), open.delete(res)));
          return;
        }
        const ms = Number(url.searchParams.get("ms") ?? "0");
        if (ms <= 0) return json(res, 200, reply);
        open.add(res);
        const t = setTimeout(() => json(res, 200, reply), ms);
        res.on("close", () => (clearTimeout(t), open.delete(res)));
        return;
      }
      case "/answer": {
        // a fixed answer (`text`), after `ms`, with an optional `confidence`: ensemble and hedge tests
        const output: Record<string, unknown> = { text: url.searchParams.get("text") ?? "" };
        if (url.searchParams.has("confidence")) output.confidence = Number(url.searchParams.get("confidence"));
        const ms = Number(url.searchParams.get("ms") ?? "0");
        if (ms <= 0) return json(res, 200, { output, usage: { units: 1 } });
        open.add(res);
        const t = setTimeout(() => json(res, 200, { output, usage: { units: 1 } }), ms);
        res.on("close", () => (clearTimeout(t), open.delete(res)));
        return;
      }
      case "/toggle":
        return toggleFails ? json(res, 500, { title: "Internal error", status: 500, detail: "toggled to fail" }) : ok();
      case "/verify-pass":
      case "/verify-fail": {
        const pass = path === "/verify-pass";
        return json(res, 200, { output: { text: pass ? "looks right" : "looks wrong", pass, score: pass ? 0.9 : 0.1, reason: pass ? "checked" : "the output does not answer the input" } });
      }
      case "/plan": {
        const specialist = url.searchParams.get("specialist");
        const pin = specialist ? { specialist } : {};
        return json(res, 200, {
          output: {
            text: "three steps",
            plan: {
              steps: [
                { id: "first", input: "{{input}}", ...pin },
                { id: "second", input: "second after {{steps.first.output}}", dependsOn: ["first"], ...pin },
                { id: "third", input: "third after {{steps.second.output}}", dependsOn: ["second"], ...pin },
              ],
              combine: "concat",
            },
          },
        });
      }
      case "/plan-invalid":
        return json(res, 200, { output: { plan: { steps: [{ id: "a", input: "x", dependsOn: ["b"] }, { id: "b", input: "y", dependsOn: ["a"] }] } } });
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
