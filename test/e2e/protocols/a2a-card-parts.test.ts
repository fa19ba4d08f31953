import { readFileSync } from "node:fs";
import Ajv from "ajv";
import { Role, TaskState, type Message, type Part, type Task } from "@a2a-js/sdk";
import { ClientFactory, ClientFactoryOptions, createAuthenticatingFetchWithRetry, DefaultAgentCardResolver, JsonRpcTransportFactory, type Client } from "@a2a-js/sdk/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import bundled from "../../../switchyard.config.json" with { type: "json" };
import type { ConfigInput } from "../../../worker/config/schema.ts";
import { startA2aUpstream, type A2aUpstream } from "../../support/a2a-upstream.ts";
import { startDevServer, type DevServer } from "../../support/dev-server.ts";
import { protoJsonSchema } from "../../support/proto-json-schema.ts";

const fixture = (f: string) => readFileSync(new URL(`../../fixtures/a2a/${f}`, import.meta.url), "utf8");
const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addSchema(protoJsonSchema(fixture("a2a-v1.0.0.proto")), "v1");
ajv.addSchema(JSON.parse(fixture("a2a-v0.3.0.schema.json")), "v03");
const errorsOf = (ref: string, value: unknown) => {
  const validate = ajv.getSchema(ref)!;
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
};

let agents: A2aUpstream;
let server: DevServer;
let client: Client;
const keyed = createAuthenticatingFetchWithRetry(fetch, { headers: async () => ({ authorization: "Bearer dev-key" }), shouldRetryWithHeaders: async () => undefined });

/** The bundled config plus a remote A2A agent that takes PDFs and reports the parts it got (test/support/a2a-upstream.ts `parts`). */
function config(agentsUrl: string): ConfigInput {
  const c = structuredClone(bundled) as ConfigInput;
  c.router = { ...c.router, allowPrivateNetworks: true };
  c.specialists.push({ id: "reader", description: "Reads documents", endpoint: { type: "a2a", url: `${agentsUrl}/v1/parts` }, capabilities: { inputModes: ["text/plain", "application/json", "application/pdf"] }, timeoutMs: 5000 });
  return c;
}

const text = (value: string): Part => ({ content: { $case: "text", value }, metadata: undefined, filename: "", mediaType: "" });
const pdf: Part = { content: { $case: "url", value: "https://files.example/report.pdf" }, metadata: undefined, filename: "report.pdf", mediaType: "application/pdf" };
const message = (parts: Part[]): Message => ({ messageId: crypto.randomUUID(), contextId: "", taskId: "", role: Role.ROLE_USER, parts, metadata: undefined, extensions: [], referenceTaskIds: [] });

beforeAll(async () => {
  agents = await startA2aUpstream();
  server = await startDevServer({ vars: { SWITCHYARD_CONFIG: JSON.stringify(config(agents.url)) } });
  const factory = new ClientFactory(ClientFactoryOptions.createFrom(ClientFactoryOptions.default, { transports: [new JsonRpcTransportFactory({ fetchImpl: keyed })] }));
  client = await factory.createFromUrl(server.url);
});
afterAll(async () => {
  await server?.stop();
  await agents?.close();
});

describe("the agent card, over real HTTP, as each client generation fetches it", () => {
  it("the 1.x SDK client (A2A-Version: 1.0) gets the 1.0 card, valid against a2a.proto v1.0.0 with no unknown member", async () => {
    const raw: unknown[] = [];
    const resolver = new DefaultAgentCardResolver({ fetchImpl: async (url, init) => { const res = await fetch(url, init); raw.push(await res.clone().json()); return res; } });
    const card = await resolver.resolve(server.url);
    expect(card.supportedInterfaces[0]).toMatchObject({ url: `${server.url}/a2a`, protocolBinding: "JSONRPC", protocolVersion: "1.0" });
    expect(errorsOf("v1#/definitions/AgentCard", raw[0])).toEqual([]);
    expect(client.protocolVersion).toBe("1.0");
  });

  it("a 0.3-era client (no A2A-Version) gets a card valid against the 0.3 schema, which the SDK's 0.3 compatibility reads and talks 0.3 to", async () => {
    const raw: unknown[] = [];
    // a 0.3 client sends no A2A-Version: drop the header the 1.x resolver adds
    const resolver = new DefaultAgentCardResolver({ legacyCompat: { enabled: true }, fetchImpl: async (url) => { const res = await fetch(url); raw.push(await res.clone().json()); return res; } });
    const card = await resolver.resolve(server.url);
    expect(errorsOf("v03#/definitions/AgentCard", raw[0])).toEqual([]);
    expect(raw[0]).toMatchObject({ url: `${server.url}/a2a`, protocolVersion: "0.3.0", preferredTransport: "JSONRPC" });
    const legacy = new ClientFactory(ClientFactoryOptions.createFrom(ClientFactoryOptions.default, { transports: [new JsonRpcTransportFactory({ fetchImpl: keyed, legacyCompat: { enabled: true } })] }));
    const old = await legacy.createFromAgentCard({ ...card, supportedInterfaces: card.supportedInterfaces.filter((i) => i.protocolVersion.startsWith("0.")) });
    expect(old.protocolVersion).toMatch(/^0\.3/);
    const reply = (await old.sendMessage({ tenant: "", message: message([text("convert 5 km to miles")]), configuration: undefined, metadata: undefined })) as Task;
    expect(reply.artifacts[0]!.parts[0]!.content).toEqual({ $case: "text", value: "5 kilometers = 3.10686 miles" });
  });

  it("carries a strong ETag: If-None-Match with it is a 304", async () => {
    const first = await fetch(`${server.url}/.well-known/agent-card.json`, { headers: { "a2a-version": "1.0" } });
    const etag = first.headers.get("etag")!;
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    const again = await fetch(`${server.url}/.well-known/agent-card.json`, { headers: { "a2a-version": "1.0", "if-none-match": etag } });
    expect(again.status).toBe(304);
  });
});

describe("file parts from the unmodified SDK client", () => {
  it("refused with ContentTypeNotSupportedError (-32005) by a specialist that does not take them, naming the part", async () => {
    const sent = client.sendMessage({ tenant: "", message: message([text("convert this"), pdf]), configuration: undefined, metadata: { switchyard: { specialist: "units" } } });
    await expect(sent).rejects.toMatchObject({ name: "ContentTypeNotSupportedError", data: [{ reason: "CONTENT_TYPE_NOT_SUPPORTED", domain: "a2a-protocol.org", metadata: { partIndex: "1", mediaType: "application/pdf" } }] });
  });

  const sentParts = [
    { kind: "text", value: "summarise this", mediaType: "", filename: "" },
    { kind: "url", value: "https://files.example/report.pdf", mediaType: "application/pdf", filename: "report.pdf" },
  ];

  it("carried to an a2a specialist that takes them, part for part: by a task's step (the default) and by one hop", async () => {
    const task = (await client.sendMessage({ tenant: "", message: message([text("summarise this"), pdf]), configuration: undefined, metadata: { switchyard: { specialist: "reader" } } })) as Task;
    expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    const result = task.artifacts[0]!.parts;
    expect(result[0]!.content).toEqual({ $case: "text", value: "parts: 2" });
    expect((result[1]!.content as { $case: "data"; value: { data: { parts: unknown[] } } }).value.data.parts).toEqual(sentParts);
    // the task's history keeps the message as sent, file part included
    expect(task.history[0]!.parts.map((p) => p.content?.$case)).toEqual(["text", "url"]);
    const reply = (await client.sendMessage({ tenant: "", message: message([text("summarise this"), pdf]), configuration: undefined, metadata: { switchyard: { mode: "hop", specialist: "reader" } } })) as Message;
    expect(reply.parts[0]!.content).toEqual({ $case: "text", value: "parts: 2" });
    expect((reply.parts[1]!.content as { $case: "data"; value: { data: { parts: unknown[] } } }).value.data.parts).toEqual(sentParts);
  });

  it("routed (not pinned), a task's step goes to a specialist that takes them", async () => {
    const task = (await client.sendMessage({ tenant: "", message: message([text("what is in this file"), pdf]), configuration: undefined, metadata: undefined })) as Task;
    expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(task.artifacts[0]!.parts[0]!.content).toEqual({ $case: "text", value: "parts: 2" });
  });
});
