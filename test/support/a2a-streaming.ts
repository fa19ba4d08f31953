/**
 * The streaming side of the fake A2A agents (test/support/a2a-upstream.ts): streams
 * held until a test releases them, and scripted streaming agents that send exact
 * bytes for the failure modes the SDK's server never produces.
 */
import type express from "express";

/** The scripted agents' modes (see a2a-upstream.ts). */
export const RAW_MODES = ["rpc-error", "refuse", "http-error", "garbage", "not-sse", "cut", "cut-early", "rewrite"] as const;
export type Raw = (typeof RAW_MODES)[number];

/** Held streams waiting for a test (`POST /release?text=…`), and the texts released so far. */
export class Holds {
  readonly #waiting = new Set<{ text: string; go: () => void }>();
  readonly #released: string[] = [];
  /** Resolves once a release names part of `text` (at once if one did), or after `maxMs`. */
  wait(text: string, maxMs = 60_000): Promise<void> {
    if (this.#released.some((r) => text.includes(r))) return Promise.resolve();
    return new Promise((resolve) => {
      const entry = { text, go: () => (clearTimeout(timer), this.#waiting.delete(entry), resolve()) };
      const timer = setTimeout(entry.go, maxMs);
      timer.unref();
      this.#waiting.add(entry);
    });
  }
  release(part: string): number {
    this.#released.push(part);
    const go = [...this.#waiting].filter((w) => w.text.includes(part));
    for (const w of go) w.go();
    return go.length;
  }
  /** How many held streams wait with a text containing `part`. */
  held(part: string): number {
    return [...this.#waiting].filter((w) => w.text.includes(part)).length;
  }
  releaseAll(): void {
    for (const w of [...this.#waiting]) w.go();
  }
}

/** One scripted agent's answer to a JSON-RPC call (the modes are listed in a2a-upstream.ts): exact bytes; GetTask answers the cut task completed. */
export function scripted(mode: Raw, req: express.Request, res: express.Response): void {
  const body = req.body as { id?: unknown; method?: string };
  const id = body.id ?? null;
  const rpc = (result: unknown) => ({ jsonrpc: "2.0", id, result });
  const event = (data: unknown, name?: string) => `${name ? `event: ${name}\n` : ""}data: ${JSON.stringify(data)}\n\n`;
  const working = { task: { id: "raw-task", contextId: "raw-context", status: { state: "TASK_STATE_WORKING" } } };
  const piece = (value: string, append = false) => ({ artifactUpdate: { taskId: "raw-task", contextId: "raw-context", artifact: { artifactId: "answer", parts: [{ text: value }] }, append } });
  const sse = () => res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  if (body.method === "GetTask")
    return void res.json(rpc({ id: "raw-task", contextId: "raw-context", status: { state: "TASK_STATE_COMPLETED" }, artifacts: [{ artifactId: "answer", parts: [{ text: "partial" }, { text: "rest" }] }] }));
  switch (mode) {
    case "rpc-error":
      sse();
      res.write(event(rpc(working)));
      return void res.end(event({ jsonrpc: "2.0", id, error: { code: -32603, message: "the model crashed" } }, "error"));
    case "refuse":
      return void res.json({ jsonrpc: "2.0", id, error: { code: -32602, message: "message.parts: expected at least one part" } });
    case "http-error":
      return void res.status(500).type("text/plain").send("the agent is down");
    case "garbage":
      sse();
      return void res.end("data: this is not json\n\n");
    case "not-sse":
      return void res.status(200).type("text/html").send("<html><body>hello</body></html>");
    case "cut":
      sse();
      res.write(event(rpc(working)));
      return void res.end(event(rpc(piece("partial"))));
    case "cut-early":
      sse();
      return void res.end(": nothing to say\n\n");
    case "rewrite":
      sse();
      res.write(event(rpc(working)));
      res.write(event(rpc(piece("draft"))));
      res.write(event(rpc(piece("final"))));
      return void res.end(event(rpc({ statusUpdate: { taskId: "raw-task", contextId: "raw-context", status: { state: "TASK_STATE_COMPLETED" } } })));
  }
}
