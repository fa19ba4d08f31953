/** Worker-thread entry: runs examples/fault-upstream on 127.0.0.1 until told "close". */
import { parentPort } from "node:worker_threads";
import { startFaultUpstream } from "../examples/fault-upstream/server.ts";

if (!parentPort) throw new Error("bench/upstream-thread.ts runs as a worker thread");
const port = parentPort;
try {
  const upstream = await startFaultUpstream(0);
  port.on("message", (m) => {
    if (m === "close") void upstream.close().finally(() => (port.postMessage({ closed: true }), port.close()));
  });
  port.postMessage({ url: upstream.url });
} catch (e) {
  port.postMessage({ error: String(e) });
}
