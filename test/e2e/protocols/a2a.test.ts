import { Role, TaskState, type Message, type Part, type Task } from "@a2a-js/sdk";
import { ClientFactory, ClientFactoryOptions, createAuthenticatingFetchWithRetry, JsonRpcTransportFactory, type Client } from "@a2a-js/sdk/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import bundled from "../../../switchyard.config.json" with { type: "json" };
import type { ConfigInput } from "../../../worker/config/schema.ts";
import { startA2aUpstream, type A2aUpstream } from "../../support/a2a-upstream.ts";
import { startDevServer, type DevServer } from "../../support/dev-server.ts";

let agents: A2aUpstream;
let server: DevServer;
let client: Client;

/** The bundled config plus `remote-echo`, an `a2a` specialist: a remote agent built with @a2a-js/sdk. */
function config(agentsUrl: string): ConfigInput {
  const c = structuredClone(bundled) as ConfigInput;
  c.router = { ...c.router, allowPrivateNetworks: true }; // the agents listen on 127.0.0.1
  c.specialists.push({ id: "remote-echo", description: "A remote A2A agent that echoes", endpoint: { type: "a2a", url: `${agentsUrl}/v1/echo` }, timeoutMs: 5000 });
  return c;
}

const text = (value: string): Part => ({ content: { $case: "text", value }, metadata: undefined, filename: "", mediaType: "" });
const message = (value: string): Message => ({ messageId: crypto.randomUUID(), contextId: "", taskId: "", role: Role.ROLE_USER, parts: [text(value)], metadata: undefined, extensions: [], referenceTaskIds: [] });
const textOf = (parts: Part[]) => parts.map((p) => (p.content?.$case === "text" ? p.content.value : "")).join("");
const isTask = (r: Message | Task): r is Task => "status" in r;

beforeAll(async () => {
  agents = await startA2aUpstream();
  server = await startDevServer({ vars: { SWITCHYARD_CONFIG: JSON.stringify(config(agents.url)) } });
  // the official client, unmodified: it finds everything from the base URL; the key goes in with the SDK's auth fetch wrapper
  const fetchImpl = createAuthenticatingFetchWithRetry(fetch, { headers: async () => ({ authorization: "Bearer dev-key" }), shouldRetryWithHeaders: async () => undefined });
  const factory = new ClientFactory(ClientFactoryOptions.createFrom(ClientFactoryOptions.default, { transports: [new JsonRpcTransportFactory({ fetchImpl })] }));
  client = await factory.createFromUrl(server.url);
});
afterAll(async () => {
  await server?.stop();
  await agents?.close();
});

describe("the official @a2a-js/sdk client against the router over real HTTP", () => {
  it("reads the card from the base URL and speaks protocol 1.0 to the JSON-RPC endpoint it names", async () => {
    const card = await client.getAgentCard();
    expect(card.name).toBe("Switchyard");
    expect(card.supportedInterfaces[0]).toMatchObject({ url: `${server.url}/a2a`, protocolBinding: "JSONRPC", protocolVersion: "1.0" });
    expect(card.skills.map((s) => s.id)).toContain("units");
    expect(client.protocolVersion).toBe("1.0");
  });

  it("sends a message that routes to the units specialist and gets the answer as a completed task with its history", async () => {
    const sent = message("convert 5 km to miles");
    const reply = await client.sendMessage({ tenant: "", message: sent, configuration: undefined, metadata: undefined });
    expect(isTask(reply)).toBe(true);
    const task = reply as Task;
    expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(textOf(task.artifacts[0]!.parts)).toBe("5 kilometers = 3.10686 miles");
    expect(task.history.map((h) => [h.messageId, textOf(h.parts), h.taskId])).toEqual([[sent.messageId, "convert 5 km to miles", task.id]]);
    expect((await client.getTask({ tenant: "", id: task.id, historyLength: 0 })).history).toEqual([]);
  });

  it("gets an agent Message for one hop with metadata.switchyard.mode: hop", async () => {
    const reply = await client.sendMessage({ tenant: "", message: message("convert 5 km to miles"), configuration: undefined, metadata: { switchyard: { mode: "hop" } } });
    expect(isTask(reply)).toBe(false);
    const m = reply as Message;
    expect(m.role).toBe(Role.ROLE_AGENT);
    expect(textOf(m.parts)).toBe("5 kilometers = 3.10686 miles");
    expect(m.metadata?.switchyard).toMatchObject({ specialist: "units", intent: { label: "units.convert" } });
  });

  it("streams a hop", async () => {
    const events = [];
    for await (const e of client.sendMessageStream({ tenant: "", message: message("what is 12 * (3 + 4)?"), configuration: undefined, metadata: { switchyard: { mode: "hop" } } })) events.push(e);
    expect(events.map((e) => e.payload?.$case)).toEqual(["message"]);
    expect(textOf((events[0]!.payload!.value as Message).parts)).toMatch(/84/);
  });

  it("runs a multi-clause goal as a task and reads it back with GetTask", async () => {
    const reply = await client.sendMessage({ tenant: "", message: message("convert 5 km to miles, then what is the result times 3"), configuration: undefined, metadata: undefined });
    expect(isTask(reply)).toBe(true);
    const task = reply as Task;
    expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(textOf(task.artifacts[0]!.parts)).toMatch(/= 9\.32/);
    const again = await client.getTask({ tenant: "", id: task.id, historyLength: undefined });
    expect(again.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(again.id).toBe(task.id);
  });

  it("streams a task: the task, the result artifact, the final status", async () => {
    const events = [];
    for await (const e of client.sendMessageStream({ tenant: "", message: message("convert 2 km to miles, then what is the result times 2"), configuration: undefined, metadata: undefined })) events.push(e);
    const kinds = events.map((e) => e.payload?.$case);
    expect(kinds[0]).toBe("task");
    expect(kinds.at(-1)).toBe("statusUpdate");
    const last = events.at(-1)!.payload!.value as { status?: { state: TaskState } };
    expect(last.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    // an artifact update, or in the task itself when it had already ended as the stream began
    const update = events.find((e) => e.payload?.$case === "artifactUpdate");
    const parts = update ? (update.payload!.value as { artifact: { parts: Part[] } }).artifact.parts : (events[0]!.payload!.value as Task).artifacts[0]!.parts;
    expect(textOf(parts)).toMatch(/= 2\.48/);
    // the task has ended: subscribing to it is an error event whose cause is the SDK's UnsupportedOperationError (A2A 1.0 §3.1.6)
    const id = (events[0]!.payload!.value as Task).id;
    const follow = async () => {
      for await (const e of client.resubscribeTask({ tenant: "", id })) void e;
    };
    await expect(follow()).rejects.toMatchObject({ cause: { name: "UnsupportedOperationError", envelopeCode: -32004 } });
  });

  it("cancels a multi-step task waiting for approval with CancelTask", async () => {
    const goal = "The router classifies each request. It picks a specialist. The specialist answers. The router reports its decision to the caller.";
    const reply = await client.sendMessage({ tenant: "", message: message(goal), configuration: undefined, metadata: { switchyard: { workflow: "approved-summary" } } });
    const task = reply as Task;
    expect(task.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
    expect((await client.getTask({ tenant: "", id: task.id, historyLength: undefined })).status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
    const cancelled = await client.cancelTask({ tenant: "", id: task.id, metadata: undefined });
    expect(cancelled.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
    expect((await client.getTask({ tenant: "", id: task.id, historyLength: undefined })).status?.state).toBe(TaskState.TASK_STATE_CANCELED);
    // idempotent: cancelling it again answers the cancelled task
    expect((await client.cancelTask({ tenant: "", id: task.id, metadata: undefined })).status?.state).toBe(TaskState.TASK_STATE_CANCELED);
  });

  it("lists the tenant's tasks with ListTasks: filters, paging; a completed task is not cancelable", async () => {
    const contextId = `ctx-${crypto.randomUUID()}`;
    const ids: string[] = [];
    for (const n of [1, 2, 3]) {
      const m = { ...message(`convert ${n} km to miles, then what is the result times 2`), contextId };
      const t = (await client.sendMessage({ tenant: "", message: m, configuration: undefined, metadata: undefined })) as Task;
      expect(t.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
      ids.push(t.id);
    }
    const list = (p: { pageSize?: number; pageToken?: string; status?: TaskState; includeArtifacts?: boolean }) =>
      client.listTasks({ tenant: "", contextId, status: p.status ?? TaskState.TASK_STATE_UNSPECIFIED, pageSize: p.pageSize, pageToken: p.pageToken ?? "", historyLength: undefined, statusTimestampAfter: undefined, includeArtifacts: p.includeArtifacts });
    const all = await list({ includeArtifacts: true });
    expect(all.totalSize).toBe(3);
    expect(all.nextPageToken).toBe("");
    expect(all.tasks.map((t) => t.id).sort()).toEqual([...ids].sort());
    expect(all.tasks.every((t) => t.contextId === contextId && t.status?.state === TaskState.TASK_STATE_COMPLETED && t.artifacts.length === 1)).toBe(true);
    expect((await list({ status: TaskState.TASK_STATE_WORKING })).tasks).toEqual([]);
    // without a status the SDK client sends "UNRECOGNIZED": no filter
    const unfiltered = await client.listTasks({ tenant: "", contextId, pageSize: 10, pageToken: "", historyLength: 0, statusTimestampAfter: undefined, includeArtifacts: false } as unknown as Parameters<Client["listTasks"]>[0]);
    expect(unfiltered.totalSize).toBe(3);
    const first = await list({ pageSize: 2 });
    expect(first.tasks).toHaveLength(2);
    expect(first.tasks.every((t) => t.artifacts.length === 0)).toBe(true);
    const second = await list({ pageSize: 2, pageToken: first.nextPageToken });
    expect(second.tasks).toHaveLength(1);
    expect(second.nextPageToken).toBe("");
    expect([...first.tasks, ...second.tasks].map((t) => t.id).sort()).toEqual([...ids].sort());
    await expect(client.cancelTask({ tenant: "", id: ids[0]!, metadata: undefined })).rejects.toMatchObject({ name: "TaskNotCancelableError" });
  });

  it("reports an unknown task as the SDK's TaskNotFoundError", async () => {
    await expect(client.getTask({ tenant: "", id: `task_${"0".repeat(32)}`, historyLength: undefined })).rejects.toMatchObject({ name: "TaskNotFoundError" });
  });

  it("also speaks 0.3 to the SDK's own v0.3 transport (message/send, tasks/get, tasks/cancel)", async () => {
    const fetchImpl = createAuthenticatingFetchWithRetry(fetch, { headers: async () => ({ authorization: "Bearer dev-key" }), shouldRetryWithHeaders: async () => undefined });
    const legacy = new ClientFactory(ClientFactoryOptions.createFrom(ClientFactoryOptions.default, { transports: [new JsonRpcTransportFactory({ fetchImpl, legacyCompat: { enabled: true } })] }));
    const card = await client.getAgentCard();
    const old = await legacy.createFromAgentCard({ ...card, supportedInterfaces: card.supportedInterfaces.filter((i) => i.protocolVersion === "0.3") });
    expect(old.protocolVersion).toBe("0.3");
    const reply = await old.sendMessage({ tenant: "", message: message("convert 5 km to miles"), configuration: undefined, metadata: undefined });
    expect(textOf((reply as Task).artifacts[0]!.parts)).toBe("5 kilometers = 3.10686 miles");
    const goal = "The router classifies each request. It picks a specialist. The specialist answers. The router reports its decision to the caller.";
    const task = (await old.sendMessage({ tenant: "", message: message(goal), configuration: undefined, metadata: { switchyard: { workflow: "approved-summary" } } })) as Task;
    expect(task.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
    expect((await old.getTask({ tenant: "", id: task.id, historyLength: undefined })).status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
    expect((await old.cancelTask({ tenant: "", id: task.id, metadata: undefined })).status?.state).toBe(TaskState.TASK_STATE_CANCELED);
  });

  it("reaches a remote A2A agent through an a2a specialist: A2A in, A2A out", async () => {
    const reply = await client.sendMessage({ tenant: "", message: message("hello, remote"), configuration: undefined, metadata: { switchyard: { specialist: "remote-echo" } } });
    expect(textOf((reply as Task).artifacts[0]!.parts)).toBe("echo: hello, remote");
    const hop = await client.sendMessage({ tenant: "", message: message("hello, remote"), configuration: undefined, metadata: { switchyard: { mode: "hop", specialist: "remote-echo" } } });
    expect(textOf((hop as Message).parts)).toBe("echo: hello, remote");
  });

  it("answers an approval gate with a follow-up message on the task (input-required → completed), and refuses one to an ended task", async () => {
    const goal = "The router classifies each request. It picks a specialist. The specialist answers. The router reports its decision to the caller.";
    const task = (await client.sendMessage({ tenant: "", message: message(goal), configuration: undefined, metadata: { switchyard: { workflow: "approved-summary" } } })) as Task;
    expect(task.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
    const answer = { ...message("approve: the summary may run"), taskId: task.id, contextId: task.contextId };
    const done = (await client.sendMessage({ tenant: "", message: answer, configuration: undefined, metadata: undefined })) as Task;
    expect(done.id).toBe(task.id);
    expect(done.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(done.history.map((h) => h.role)).toEqual([Role.ROLE_USER, Role.ROLE_AGENT, Role.ROLE_USER]);
    expect(textOf(done.history[2]!.parts)).toBe("approve: the summary may run");
    await expect(client.sendMessage({ tenant: "", message: { ...message("more"), taskId: task.id }, configuration: undefined, metadata: undefined })).rejects.toMatchObject({ name: "UnsupportedOperationError" });
  });
});
