import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, inject, it } from "vitest";
import worker from "../../worker/index.ts";
import type { Env } from "../../worker/env.ts";
import { envelope } from "../../worker/queues/envelope.ts";
import { WORK_QUEUES } from "../../worker/queues/names.ts";
import { nonConformance } from "../support/openapi-conformance.ts";
import { call, callWith, configWith } from "./helpers.ts";
import { submit, waitFor } from "./task-helpers.ts";
import { ended } from "./async-helpers.ts";

/**
 * /openapi.json describes what the routes send: each JSON response below (problems
 * included) is checked against the schema the document gives for its path, method,
 * status and media type, with no member left undescribed. The route handlers carry no
 * `as never`, so @hono/zod-openapi checks their values against the same schemas.
 */
type Doc = { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }> }>>; components?: { schemas?: Record<string, Record<string, unknown>> } };
let doc: Doc;
// read in a hook, not at module load: `vitest list` (npm run test:count) loads this file without running the router
beforeAll(async () => {
  doc = (await (await call("/openapi.json")).json()) as Doc;
});
const ADMIN = { authorization: "Bearer dev-admin-key" };

/** The response's body, after checking it against the document. */
async function described(template: string, method: string, res: Response): Promise<any> {
  const media = (res.headers.get("content-type") ?? "").split(";")[0]!;
  const schema = doc.paths[template]?.[method]?.responses[String(res.status)]?.content?.[media]?.schema;
  expect(schema, `${method.toUpperCase()} ${template} ${res.status} ${media}: not in the document`).toBeDefined();
  const body = await res.json();
  expect(nonConformance(doc, schema!, body), `${method.toUpperCase()} ${template} ${res.status}`).toEqual([]);
  return body;
}

describe("the OpenAPI document describes what is sent", () => {
  it("tasks: submit, list, read, audit, trace, approve, reject, cancel, context", { timeout: 30_000 }, async () => {
    const context = { big: "x".repeat(40_000) }; // stored by reference
    const callback = { url: `${inject("hooksUrl")}/hooks/conformance`, secret: "a secret of 16+ characters" };
    const started = await call("/v1/tasks", { json: { goal: "conformance", plan: { steps: [{ id: "s", specialist: "policy-approve" }] }, context, callback } });
    const { id } = await described("/v1/tasks", "post", started);
    const waiting = await waitFor(id, ["awaiting_approval", "failed"]);
    expect(waiting.status).toBe("awaiting_approval");
    await described("/v1/tasks/{id}", "get", await call(`/v1/tasks/${id}`));
    await described("/v1/tasks", "get", await call("/v1/tasks"));
    await described("/v1/tasks/{id}/approve", "post", await call(`/v1/tasks/${id}/approve`, { json: { by: "dana", reason: "ok" } }));
    const done = await waitFor(id, ["succeeded", "failed"]);
    await described("/v1/tasks/{id}", "get", await call(`/v1/tasks/${id}`));
    await described("/v1/tasks/{id}/audit", "get", await call(`/v1/tasks/${id}/audit`));
    await described("/v1/tasks/{id}/trace", "get", await call(`/v1/tasks/${id}/trace`));
    expect(done.contextRef).toBeDefined();
    await described("/v1/tasks/{id}/context/{sha256}", "get", await call(`/v1/tasks/${id}/context/${done.contextRef!.sha256}`));
    await described("/v1/tasks/{id}/cancel", "post", await call(`/v1/tasks/${id}/cancel`, { json: {} })); // 409: already ended
    await described("/v1/tasks/{id}", "get", await call(`/v1/tasks/task_${"0".repeat(32)}`)); // 404

    const other = await submit({ goal: "to reject", plan: { steps: [{ id: "s", specialist: "policy-approve" }] } });
    await waitFor(other.id, ["awaiting_approval"]);
    await described("/v1/tasks/{id}/reject", "post", await call(`/v1/tasks/${other.id}/reject`, { json: { by: "dana", reason: "no" } }));
    const slow = await submit({ goal: "to cancel", plan: { steps: [{ id: "slow", specialist: "fault-slow-effect" }] } });
    await described("/v1/tasks/{id}/cancel", "post", await call(`/v1/tasks/${slow.id}/cancel`, { json: { reason: "test" } }));
  });

  it("approvals: inbox, assign, approve, reject, and their problems", { timeout: 30_000 }, async () => {
    const started = await Promise.all(["approve", "reject"].map((g) => submit({ goal: `inbox ${g}`, plan: { steps: [{ id: "s", specialist: "fault-ok", requireApproval: true }] } })));
    const [a, b] = started.map((s) => s.id) as [string, string];
    await waitFor(a, ["awaiting_approval"]);
    await waitFor(b, ["awaiting_approval"]);
    await expect.poll(async () => ((await (await call("/v1/approvals")).json()) as { approvals: { taskId: string }[] }).approvals.filter((x) => x.taskId === a || x.taskId === b).length, { timeout: 15_000 }).toBe(2);
    await described("/v1/approvals/{taskId}/assign", "post", await call(`/v1/approvals/${a}/assign`, { json: { reviewer: "dana" } }));
    await described("/v1/approvals", "get", await call("/v1/approvals"));
    await described("/v1/approvals", "get", await call("/v1/approvals?assignee=dana&unassigned=true")); // 400
    await described("/v1/approvals/{taskId}/assign", "post", await call(`/v1/approvals/task_${"0".repeat(32)}/assign`, { json: { reviewer: "dana" } })); // 404
    const capOne = configWith((c) => void (c.tasks = { ...c.tasks, maxOpenApprovalsPerReviewer: 1 }));
    await described("/v1/approvals/{taskId}/assign", "post", await callWith({ SWITCHYARD_CONFIG: capOne }, `/v1/approvals/${b}/assign`, { json: { reviewer: "dana" } })); // 409: dana holds one
    await described("/v1/approvals/{taskId}/approve", "post", await call(`/v1/approvals/${a}/approve`, { json: { by: "dana", reason: "ok" } }));
    await described("/v1/approvals/{taskId}/reject", "post", await call(`/v1/approvals/${b}/reject`, { json: { by: "dana", reason: "no" } }));
    await described("/v1/approvals/{taskId}/reject", "post", await call(`/v1/approvals/${b}/reject`, { json: { by: "dana", reason: "again" } })); // 409
  });

  it("routing: route, intents, specialists, pools, metrics, hop trace, health", async () => {
    const routed = await described("/v1/route", "post", await call("/v1/route", { json: { input: "convert 5 km to miles" } }));
    const intent = await described("/v1/intents", "post", await call("/v1/intents", { json: { input: "what is 2 + 2" } }));
    await described("/v1/intents/{id}", "get", await call(`/v1/intents/${intent.id}`));
    await described("/v1/hops/{id}/trace", "get", await call(`/v1/hops/${routed.id}/trace`));
    await described("/v1/specialists", "get", await call("/v1/specialists"));
    await described("/v1/pools/{name}", "get", await call("/v1/pools/specialist:units"));
    await described("/v1/pools/{name}", "get", await call("/v1/pools/specialist:nobody")); // 404
    await described("/v1/metrics", "get", await call("/v1/metrics", { headers: ADMIN }));
    await described("/v1/metrics", "get", await call(`/v1/metrics?from=${Date.now() - 3_600_000}&resolution=15m`, { headers: ADMIN })); // a time series
    await described("/v1/metrics", "get", await call(`/v1/metrics?from=${Date.now() - 3_600_000}&resolution=5m&tenant=dev&specialist=units`, { headers: ADMIN }));
    await described("/v1/metrics", "get", await call("/v1/metrics?from=soon", { headers: ADMIN })); // 400
    await described("/healthz", "get", await call("/healthz"));
    await described("/v1/route", "post", await call("/v1/route", { json: { input: "x", specialist: "fault-error" } })); // 502
  });

  it("feedback: give (201, 200), list, audit, and its problems", async () => {
    const routed = (await (await callWith({}, "/v1/route", { json: { input: "convert 8 km to miles" } })).json()) as { id: string }; // its after-response work done: the hop takes feedback
    await described("/v1/feedback", "post", await call("/v1/feedback", { json: { hopId: routed.id, outcome: "bad", correctLabel: "units.data", score: 0.5, comment: "c" } }));
    await described("/v1/feedback", "post", await call("/v1/feedback", { json: { hopId: routed.id, outcome: "good" } })); // 200: replaced
    await described("/v1/feedback", "post", await call("/v1/feedback", { json: { hopId: routed.id, outcome: "good", stars: 5 } })); // 400
    await described("/v1/feedback", "post", await call("/v1/feedback", { json: { hopId: `hop_${crypto.randomUUID()}`, outcome: "good" } })); // 404
    await described("/v1/feedback", "get", await call("/v1/feedback?specialist=units"));
    await described("/v1/feedback/audit", "get", await call("/v1/feedback/audit?specialist=units", { headers: ADMIN }));
    await described("/v1/feedback/audit", "get", await call("/v1/feedback/audit?specialist=units")); // 403
  });

  it("admin: register, switches, control state, delete, tenant-wide cancel", async () => {
    const id = `conf-${crypto.randomUUID().slice(0, 8)}`;
    const spec = { description: "conformance", endpoint: { type: "http", url: "https://upstream.example/x" }, intents: [] };
    await described("/v1/admin/specialists/{id}", "put", await call(`/v1/admin/specialists/${id}`, { method: "PUT", json: spec, headers: ADMIN }));
    await described("/v1/admin/specialists/{id}/disable", "post", await call(`/v1/admin/specialists/${id}/disable`, { json: { reason: "test" }, headers: ADMIN }));
    await described("/v1/admin/specialists/{id}/enable", "post", await call(`/v1/admin/specialists/${id}/enable`, { json: { reason: "test" }, headers: ADMIN }));
    await described("/v1/admin/control", "get", await call("/v1/admin/control", { headers: ADMIN }));
    await described("/v1/admin/specialists/{id}", "delete", await call(`/v1/admin/specialists/${id}`, { method: "DELETE", headers: ADMIN }));
    await described("/v1/admin/tenants/{tenant}/cancel-tasks", "post", await call(`/v1/admin/tenants/conf-${id}/cancel-tasks`, { json: { reason: "test" }, headers: ADMIN }));
  });

  it("async hops: 202, the hop queued and ended (succeeded, failed), 404, 409", async () => {
    const accepted = await described("/v1/route", "post", await call("/v1/route", { json: { input: "convert 5 km to miles", async: true, callback: { url: "https://hooks.example.com/x" } } }));
    await described("/v1/hops/{id}", "get", await call(`/v1/hops/${accepted.id}`));
    await ended(accepted.id);
    await described("/v1/hops/{id}", "get", await call(`/v1/hops/${accepted.id}`));
    const failed = await described("/v1/route", "post", await call("/v1/route", { json: { input: "x", specialist: "fault-error" }, headers: { prefer: "respond-async" } }));
    await ended(failed.id);
    await described("/v1/hops/{id}", "get", await call(`/v1/hops/${failed.id}`));
    await described("/v1/hops/{id}", "get", await call(`/v1/hops/hop_${crypto.randomUUID()}`)); // 404
    const key = `conf-${crypto.randomUUID()}`;
    await described("/v1/route", "post", await call("/v1/route", { json: { input: "a", async: true, idempotencyKey: key } }));
    await described("/v1/route", "post", await call("/v1/route", { json: { input: "b", async: true, idempotencyKey: key } })); // 409
    const chat = await described("/v1/chat/completions", "post", await call("/v1/chat/completions", { json: { model: "chat", messages: [{ role: "user", content: "hi" }] }, headers: { prefer: "respond-async" } }));
    await ended(chat.id);
    await described("/v1/hops/{id}", "get", await call(`/v1/hops/${chat.id}`));
  });

  it("admin: dead letters", async () => {
    const tenant = `conf-${crypto.randomUUID().slice(0, 8)}`;
    const messages = [1, 2].map((n) => ({ id: `conf-${tenant}-${n}`, timestamp: new Date(), attempts: 1, body: envelope("webhook.deliver", `webhook:conf-${tenant}-${n}`, tenant, { callback: { url: `${inject("hooksUrl")}/hooks/conformance`, secret: "a secret of 16+ characters" }, event: { id: `conf-${tenant}-${n}`, type: "test", occurredAt: new Date().toISOString(), data: {} } }) }));
    const batch = createMessageBatch(WORK_QUEUES.webhooks.dlq, messages);
    const ctx = createExecutionContext();
    await worker.queue(batch, env as unknown as Env, ctx);
    await getQueueResult(batch, ctx);
    const listed = await described("/v1/admin/dead-letters", "get", await call(`/v1/admin/dead-letters?tenant=${tenant}`, { headers: ADMIN }));
    const [a, b] = listed.deadLetters as { seq: number }[];
    await described("/v1/admin/dead-letters/{seq}", "get", await call(`/v1/admin/dead-letters/${a!.seq}`, { headers: ADMIN }));
    await described("/v1/admin/dead-letters/{seq}/replay", "post", await call(`/v1/admin/dead-letters/${a!.seq}/replay`, { json: { reason: "test" }, headers: ADMIN }));
    await described("/v1/admin/dead-letters/{seq}/discard", "post", await call(`/v1/admin/dead-letters/${b!.seq}/discard`, { json: {}, headers: ADMIN }));
    await described("/v1/admin/dead-letters/{seq}", "get", await call(`/v1/admin/dead-letters/${a!.seq}`, { headers: ADMIN })); // 404
    await described("/v1/admin/dead-letters/{seq}/discard", "post", await call(`/v1/admin/dead-letters/${a!.seq}/discard`, { json: {}, headers: ADMIN })); // 404
    await described("/v1/admin/dead-letters", "get", await call("/v1/admin/dead-letters")); // 403
  });

  it("the A2A agent card and the OpenAI door", async () => {
    await described("/v1/chat/completions", "post", await call("/v1/chat/completions", { json: { model: "auto", messages: [{ role: "user", content: "convert 5 km to miles" }] } }));
    await described("/v1/chat/completions", "post", await call("/v1/chat/completions", { json: { model: "nobody", messages: [{ role: "user", content: "hi" }] } })); // 404
    await described("/.well-known/agent-card.json", "get", await call("/.well-known/agent-card.json", { headers: { authorization: "" } }));
    await described("/v1/models", "get", await call("/v1/models"));
    await described("/v1/models/{model}", "get", await call("/v1/models/units"));
  });

  it("the Anthropic door", async () => {
    const ask = (model: string) => ({ model, max_tokens: 50, messages: [{ role: "user", content: "convert 5 km to miles" }] });
    await described("/v1/messages", "post", await call("/v1/messages", { json: ask("auto") }));
    await described("/v1/messages", "post", await call("/v1/messages", { json: ask("chat") }));
    await described("/v1/messages", "post", await call("/v1/messages", { json: ask("nobody") })); // 404
    await described("/v1/messages", "post", await call("/v1/messages", { json: { model: "auto", messages: [] } })); // 400
    await described("/v1/messages", "post", await call("/v1/messages", { json: ask("auto"), headers: { authorization: "" } })); // 401
    await described("/v1/messages/count_tokens", "post", await call("/v1/messages/count_tokens", { json: { model: "auto", messages: [{ role: "user", content: "hi" }] } }));
  });

  it("the Responses door", async () => {
    await described("/v1/responses", "post", await call("/v1/responses", { json: { model: "auto", input: "convert 5 km to miles" } }));
    await described("/v1/responses", "post", await call("/v1/responses", { json: { model: "chat", input: [{ role: "user", content: "hi" }] } }));
    await described("/v1/responses", "post", await call("/v1/responses", { json: { model: "nobody", input: "hi" } })); // 404
    await described("/v1/responses", "post", await call("/v1/responses", { json: { model: "auto", input: "hi", previous_response_id: "resp_1" } })); // 400
    await described("/v1/responses", "post", await call("/v1/responses", { json: { model: "auto", input: "hi" }, headers: { authorization: "" } })); // 401
  });
});
