import { describe, expect, inject, it } from "vitest";
import type { ConfigInput } from "../../../../worker/config/schema.ts";
import { callWith, configWith, problem } from "../../helpers.ts";

/** The test config plus one `a2a` specialist per fake agent of test/support/a2a-upstream.ts. */
function withAgents(c: ConfigInput): void {
  const url = inject("a2aUrl");
  const agent = (id: string, path: string, extra: Record<string, unknown> = {}) => c.specialists.push({ id, description: `remote A2A agent ${path}`, endpoint: { type: "a2a", url: `${url}/${path}` }, ...extra }); // the default 10 s: only the hanging agent times out early
  agent("a2a-echo", "v1/echo", { intents: [{ label: "remote.echo", examples: ["echo this back to me", "repeat after me", "say it back to me"] }] });
  agent("a2a-task", "v1/task");
  agent("a2a-slow", "v1/slow");
  agent("a2a-fail", "v1/fail", { retries: 0 });
  agent("a2a-hang", "v1/hang", { timeoutMs: 400 });
  agent("a2a-legacy", "v03/echo");
}
const SWITCHYARD_CONFIG = configWith(withAgents);
const route = (json: unknown) => callWith({ SWITCHYARD_CONFIG }, "/v1/route", { json });

describe("a2a specialists (remote agents built with @a2a-js/sdk)", () => {
  it("routes to a remote agent by intent and returns its answer as the output", async () => {
    const res = await route({ input: "please echo this back to me" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.decision.specialist).toBe("a2a-echo");
    expect(body.output).toMatchObject({ text: "echo: please echo this back to me", data: { chars: 27 } });
    const seen = (await (await fetch(`${inject("a2aUrl")}/seen?agent=v1/echo`)).json()) as Record<string, string>;
    expect(seen["idempotency-key"]).toBe(body.id);
    expect(seen.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });

  it("follows tasks to completion, in 1.0 and 0.3", async () => {
    expect(((await (await route({ input: "x", specialist: "a2a-task" })).json()) as any).output.text).toBe("done: x");
    expect(((await (await route({ input: "y", specialist: "a2a-slow" })).json()) as any).output).toMatchObject({ text: "done: y", a2a: { state: "completed" } });
    expect(((await (await route({ input: "z", specialist: "a2a-legacy" })).json()) as any).output.text).toBe("echo: z");
  });

  it("answers 502 for a failed remote task and 504 for one that does not finish in time", async () => {
    const failed = await route({ input: "x", specialist: "a2a-fail" });
    expect(failed.status).toBe(502);
    expect((await problem(failed)).detail).toMatch(/ended failed: the agent broke/);
    const hung = await route({ input: "x", specialist: "a2a-hang" });
    expect(hung.status).toBe(504);
  });

  it("works behind the A2A front door: A2A in, A2A out", async () => {
    const res = await callWith({ SWITCHYARD_CONFIG }, "/a2a", {
      json: { jsonrpc: "2.0", id: 1, method: "SendMessage", params: { message: { messageId: crypto.randomUUID(), role: "ROLE_USER", parts: [{ text: "hello" }] }, metadata: { switchyard: { mode: "hop", specialist: "a2a-legacy" } } } },
    });
    expect(((await res.json()) as any).result.message.parts[0].text).toBe("echo: hello");
  });
});
