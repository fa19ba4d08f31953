import { Role, TaskState, type Message, type Part, type Task } from "@a2a-js/sdk";
import { ClientFactory, ClientFactoryOptions, createAuthenticatingFetchWithRetry, JsonRpcTransportFactory, type Client } from "@a2a-js/sdk/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevServer, type DevServer } from "../../support/dev-server.ts";
import { startWebhookReceiver, type ReceivedHook, type WebhookReceiver } from "../../support/webhook-receiver.ts";

let server: DevServer;
let receiver: WebhookReceiver;
let client: Client;

const text = (value: string): Part => ({ content: { $case: "text", value }, metadata: undefined, filename: "", mediaType: "" });
/** A user message that makes a TaskAgent task (metadata.switchyard.mode "task"), optionally running a workflow. */
const message = (value: string, switchyard: Record<string, unknown> = {}): Message => ({
  messageId: crypto.randomUUID(),
  contextId: "",
  taskId: "",
  role: Role.ROLE_USER,
  parts: [text(value)],
  metadata: { switchyard: { mode: "task", ...switchyard } },
  extensions: [],
  referenceTaskIds: [],
});

async function deliveries(name: string): Promise<{ attempts: ReceivedHook[]; accepted: number }> {
  return (await (await fetch(`${receiver.url}/deliveries/${name}`)).json()) as never;
}

/** Waits until the hook got a notification that `done` holds for. */
async function until(name: string, done: (bodies: Record<string, any>[]) => boolean, timeoutMs = 30_000): Promise<ReceivedHook[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await deliveries(name);
    if (done(r.attempts.map((a) => JSON.parse(a.body) as Record<string, any>))) return r.attempts;
    if (Date.now() > deadline) throw new Error(`hook ${name}: ${JSON.stringify(r).slice(0, 2000)}\n${server.output().slice(-3000)}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

beforeAll(async () => {
  receiver = await startWebhookReceiver({ maxLifetimeMs: 5 * 60_000 });
  server = await startDevServer();
  // the official client, unmodified; the key goes in with the SDK's auth fetch wrapper
  const fetchImpl = createAuthenticatingFetchWithRetry(fetch, { headers: async () => ({ authorization: "Bearer dev-key" }), shouldRetryWithHeaders: async () => undefined });
  const factory = new ClientFactory(ClientFactoryOptions.createFrom(ClientFactoryOptions.default, { transports: [new JsonRpcTransportFactory({ fetchImpl })] }));
  client = await factory.createFromUrl(server.url);
});
afterAll(async () => {
  await server?.stop();
  await receiver?.close();
});

describe("A2A push notifications with the official @a2a-js/sdk client over wrangler dev", () => {
  it("the card declares push notifications", async () => {
    expect((await client.getAgentCard()).capabilities?.pushNotifications).toBe(true);
  });

  it("creates, gets, lists and deletes a config on a task, and its receiver gets the task's changes with the declared headers", async () => {
    const reply = await client.sendMessage({ tenant: "", message: message("The river rose overnight. Roads are closed. Schools shut on Monday.", { workflow: "approved-summary" }), configuration: undefined, metadata: undefined });
    const task = reply as Task;
    expect(task.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
    const name = `push-${crypto.randomUUID()}`;
    const url = `${receiver.url}/hooks/${name}`;
    const made = await client.createTaskPushNotificationConfig({ tenant: "", id: "e2e", taskId: task.id, url, token: "e2e-token", authentication: { scheme: "Bearer", credentials: "e2e-credentials" } });
    expect(made).toMatchObject({ id: "e2e", taskId: task.id, url, token: "", authentication: { scheme: "Bearer", credentials: "" } }); // never shown again
    expect(await client.getTaskPushNotificationConfig({ tenant: "", taskId: task.id, id: "e2e" })).toEqual(made);
    const listed = await client.listTaskPushNotificationConfig({ tenant: "", taskId: task.id, pageSize: 0, pageToken: "" });
    expect(listed.configs).toEqual([made]);

    const approve = await fetch(`${server.url}/v1/tasks/${task.id}/approve`, { method: "POST", headers: { authorization: "Bearer dev-key", "content-type": "application/json" }, body: JSON.stringify({ by: "dana", reason: "fine" }) });
    expect(approve.status).toBe(200);
    const got = await until(name, (b) => b.some((x) => x.statusUpdate?.status?.state === "TASK_STATE_COMPLETED") && b.some((x) => x.artifactUpdate));
    for (const h of got) {
      expect(h.headers.authorization).toBe("Bearer e2e-credentials");
      expect(h.headers["x-a2a-notification-token"]).toBe("e2e-token");
      expect(JSON.parse(h.body)).toSatisfy((b: Record<string, any>) => (b.statusUpdate ?? b.artifactUpdate).taskId === task.id);
    }

    await client.deleteTaskPushNotificationConfig({ tenant: "", taskId: task.id, id: "e2e" });
    expect((await client.listTaskPushNotificationConfig({ tenant: "", taskId: task.id, pageSize: 0, pageToken: "" })).configs).toEqual([]);
    await expect(client.getTaskPushNotificationConfig({ tenant: "", taskId: task.id, id: "e2e" })).rejects.toThrow(/not found/i);
  });

  it("registers a SendMessage's push config on the task it makes", async () => {
    const name = `send-${crypto.randomUUID()}`;
    const url = `${receiver.url}/hooks/${name}`;
    const config = { tenant: "", id: "", taskId: "", url, token: "send-token", authentication: undefined };
    const reply = await client.sendMessage({ tenant: "", message: message("convert 5 km to miles"), configuration: { acceptedOutputModes: [], taskPushNotificationConfig: config, returnImmediately: false }, metadata: undefined });
    const task = reply as Task;
    expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    const listed = await client.listTaskPushNotificationConfig({ tenant: "", taskId: task.id, pageSize: 0, pageToken: "" });
    expect(listed.configs).toMatchObject([{ id: task.id, taskId: task.id, url }]);
    const got = await until(name, (b) => b.some((x) => JSON.stringify(x).includes("TASK_STATE_COMPLETED")));
    expect(got.every((h) => h.headers["x-a2a-notification-token"] === "send-token")).toBe(true);
  });
});
