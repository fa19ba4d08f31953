import { Role, TaskState, type Message, type Part, type StreamResponse } from "@a2a-js/sdk";
import { ClientFactory, ClientFactoryOptions, createAuthenticatingFetchWithRetry, JsonRpcTransportFactory, type Client } from "@a2a-js/sdk/client";
import { createParser, type EventSourceMessage } from "eventsource-parser";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import bundled from "../../../switchyard.config.json" with { type: "json" };
import type { ConfigInput } from "../../../worker/config/schema.ts";
import { startA2aUpstream, type A2aUpstream } from "../../support/a2a-upstream.ts";
import { startDevServer, type DevServer } from "../../support/dev-server.ts";

let agents: A2aUpstream;
let server: DevServer;
let a2a: Client;
let openai: OpenAI;
const headers = { authorization: "Bearer dev-key", "content-type": "application/json" };

/** The bundled config plus `remote-stream`, an `a2a` specialist whose agent (@a2a-js/sdk) streams its answer in chunks. */
function config(agentsUrl: string): ConfigInput {
  const c = structuredClone(bundled) as ConfigInput;
  c.router = { ...c.router, allowPrivateNetworks: true }; // the agents listen on 127.0.0.1
  c.specialists.push({ id: "remote-stream", description: "A remote A2A agent that streams", endpoint: { type: "a2a", url: `${agentsUrl}/v1/stream` }, timeoutMs: 60_000 });
  return c;
}

/** The held agent (its input holds `nonce`) still waits for the test: whatever the client has seen was relayed before the agent finished. */
const stillHeld = async (nonce: string) => ((await (await fetch(`${agents.url}/held?text=${nonce}`)).json()) as { held: number }).held;
const release = (nonce: string) => fetch(`${agents.url}/release?text=${nonce}`, { method: "POST" });

beforeAll(async () => {
  agents = await startA2aUpstream();
  server = await startDevServer({ vars: { SWITCHYARD_CONFIG: JSON.stringify(config(agents.url)) } });
  const fetchImpl = createAuthenticatingFetchWithRetry(fetch, { headers: async () => ({ authorization: "Bearer dev-key" }), shouldRetryWithHeaders: async () => undefined });
  a2a = await new ClientFactory(ClientFactoryOptions.createFrom(ClientFactoryOptions.default, { transports: [new JsonRpcTransportFactory({ fetchImpl })] })).createFromUrl(server.url);
  openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "dev-key", maxRetries: 0 });
});
afterAll(async () => {
  await server?.stop();
  await agents?.close();
});

/** A task's SSE events over real HTTP, as they arrive; `onEvent` may act on each before the next is read. */
async function followEvents(id: string, onEvent: (e: EventSourceMessage) => Promise<void>): Promise<EventSourceMessage[]> {
  const res = await fetch(`${server.url}/v1/tasks/${id}/events`, { headers });
  expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
  const queue: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (e) => queue.push(e) });
  const decoder = new TextDecoder();
  const seen: EventSourceMessage[] = [];
  for await (const chunk of res.body!) {
    parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
    for (let e = queue.shift(); e; e = queue.shift()) {
      seen.push(e);
      await onEvent(e);
    }
  }
  return seen;
}

const plan = (input: string) => ({ steps: [{ id: "ask", specialist: "remote-stream", input }] });

describe("a streaming remote A2A agent behind the router, over real HTTP", () => {
  it("a task's SSE feed shows the agent's status updates and chunks as step.progress while the step runs", async () => {
    const nonce = crypto.randomUUID();
    const submitted = await fetch(`${server.url}/v1/tasks`, { method: "POST", headers, body: JSON.stringify({ goal: "ask the remote agent", plan: plan(`[hold] ${nonce}`) }) });
    expect(submitted.status).toBe(202);
    const { id } = (await submitted.json()) as { id: string };
    let heldAtFirstChunk: number | undefined;
    const events = await followEvents(id, async (e) => {
      if (e.event === "step.progress" && heldAtFirstChunk === undefined && (JSON.parse(e.data) as { text?: string }).text?.startsWith("first:")) {
        heldAtFirstChunk = await stillHeld(nonce);
        await release(nonce);
      }
    });
    expect(heldAtFirstChunk).toBe(1);
    const types = events.map((e) => e.event);
    expect(types[0]).toBe("task.created");
    expect(types.slice(-2)).toEqual(["step.succeeded", "task.succeeded"]);
    const progress = events.filter((e) => e.event === "step.progress").map((e) => JSON.parse(e.data) as Record<string, unknown>);
    expect(progress.map((p) => [p.kind, p.state ?? null, p.text ?? null])).toEqual([
      ["status", "working", null],
      ["status", "working", `reading: [hold] ${nonce}`],
      ["artifact", null, `first: [hold] ${nonce}`],
      ["status", "working", "writing"],
      ["artifact", null, "second"],
      ["status", "completed", null],
    ]);
    expect(progress[0]).toMatchObject({ step: "ask", specialist: "remote-stream", retry: 0, remoteTaskId: expect.any(String) });
    const task = (await (await fetch(`${server.url}/v1/tasks/${id}`, { headers })).json()) as { status: string; steps: { output: { text: string } }[] };
    expect(task.status).toBe("succeeded");
    expect(task.steps[0]!.output.text).toBe(`first: [hold] ${nonce}\nsecond`);
  });

  it("the A2A front door's SendStreamingMessage relays them as working status updates while the task runs", async () => {
    const nonce = crypto.randomUUID();
    const text = (parts: Part[]) => parts.map((p) => (p.content?.$case === "text" ? p.content.value : "")).join("");
    const message: Message = { messageId: crypto.randomUUID(), contextId: "", taskId: "", role: Role.ROLE_USER, parts: [{ content: { $case: "text", value: "ask the remote agent" }, metadata: undefined, filename: "", mediaType: "" }], metadata: undefined, extensions: [], referenceTaskIds: [] };
    const events: StreamResponse[] = [];
    let heldAtFirstChunk: number | undefined;
    for await (const e of a2a.sendMessageStream({ tenant: "", message, configuration: undefined, metadata: { switchyard: { plan: plan(`[hold] ${nonce}`) } } })) {
      events.push(e);
      const said = e.payload?.$case === "statusUpdate" ? text(e.payload.value.status?.message?.parts ?? []) : "";
      if (heldAtFirstChunk === undefined && said.includes(`first: [hold] ${nonce}`)) {
        heldAtFirstChunk = await stillHeld(nonce);
        await release(nonce);
      }
    }
    expect(heldAtFirstChunk).toBe(1);
    const working = events.flatMap((e) => (e.payload?.$case === "statusUpdate" && e.payload.value.status?.state === TaskState.TASK_STATE_WORKING ? [text(e.payload.value.status.message?.parts ?? [])] : []));
    expect(working).toContain(`step 'ask' (remote-stream): first: [hold] ${nonce}`);
    expect(working).toContain("step 'ask' (remote-stream): second");
    const last = events.at(-1)!.payload!;
    expect(last.$case === "statusUpdate" && last.value.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    const artifact = events.find((e) => e.payload?.$case === "artifactUpdate")!.payload!.value as { artifact: { parts: Part[] } };
    expect(text(artifact.artifact.parts)).toContain(`first: [hold] ${nonce}\nsecond`);
  });

  it("the openai client's chat stream gets the first text before the agent has finished", async () => {
    const nonce = crypto.randomUUID();
    const stream = await openai.chat.completions.create({ model: "remote-stream", messages: [{ role: "user", content: `[hold] ${nonce}` }], stream: true });
    let text = "";
    let heldAtFirstChunk: number | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      if (heldAtFirstChunk === undefined && text.startsWith("first:")) {
        heldAtFirstChunk = await stillHeld(nonce);
        await release(nonce);
      }
    }
    expect(heldAtFirstChunk).toBe(1);
    expect(text).toBe(`first: [hold] ${nonce}\nsecond`);
  });
});
