/**
 * Worker-thread entry: runs examples/fake-anthropic on 127.0.0.1 (any free port) until
 * told "close" (or its own 30-minute lifetime ends), with the key `BENCH_ANTHROPIC_KEY_VALUE`
 * (build.ts; the fake always asks for one). The fake records every request; the record
 * is emptied every 250 ms so a long load run cannot grow it without bound.
 */
import { parentPort } from "node:worker_threads";
import { startFakeAnthropic } from "../examples/fake-anthropic/server.ts";
import { BENCH_ANTHROPIC_KEY_VALUE } from "./build.ts";

if (!parentPort) throw new Error("bench/fake-anthropic-thread.ts runs as a worker thread");
const port = parentPort;
try {
  const fake = await startFakeAnthropic({ apiKey: BENCH_ANTHROPIC_KEY_VALUE, maxLifetimeMs: 30 * 60_000 });
  const forget = setInterval(() => (fake.requests().length = 0), 250);
  port.on("message", (m) => {
    if (m === "close") {
      clearInterval(forget);
      void fake.close().finally(() => (port.postMessage({ closed: true }), port.close()));
    }
  });
  port.postMessage({ url: fake.url });
} catch (e) {
  port.postMessage({ error: String(e) });
}
