import { createHmac, timingSafeEqual } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevServer, type DevServer } from "../support/dev-server.ts";
import { startWebhookReceiver, type ReceivedHook, type WebhookReceiver } from "../support/webhook-receiver.ts";

let server: DevServer;
let receiver: WebhookReceiver;
const headers = { authorization: "Bearer dev-key", "content-type": "application/json" };
const SECRET = `whsec_${Buffer.from("e2e-webhook-key-01234567").toString("base64")}`;

beforeAll(async () => {
  receiver = await startWebhookReceiver({ maxLifetimeMs: 5 * 60_000 });
  server = await startDevServer();
});
afterAll(async () => {
  await server?.stop();
  await receiver?.close();
});

/** Verifies a delivery as a receiver written from the Standard Webhooks spec would, with node:crypto only. */
function verifiedByHand(h: ReceivedHook, secret: string, toleranceSeconds = 300): boolean {
  const key = Buffer.from(secret.slice("whsec_".length), "base64");
  const ts = Number(h.headers["webhook-timestamp"]);
  if (!Number.isInteger(ts) || Math.abs(Date.now() / 1000 - ts) > toleranceSeconds) return false;
  const expected = Buffer.from(createHmac("sha256", key).update(`${h.headers["webhook-id"]}.${ts}.${h.body}`).digest("base64"));
  return (h.headers["webhook-signature"] ?? "").split(" ").some((s) => {
    const [version, sig] = s.split(",");
    const got = Buffer.from(sig ?? "");
    return version === "v1" && got.length === expected.length && timingSafeEqual(got, expected);
  });
}

async function deliveries(name: string): Promise<{ attempts: ReceivedHook[]; accepted: number }> {
  return (await (await fetch(`${receiver.url}/deliveries/${name}`)).json()) as never;
}

async function until(name: string, accepted: number, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await deliveries(name);
    if (r.accepted >= accepted) return r;
    if (Date.now() > deadline) throw new Error(`only ${r.accepted} of ${accepted} deliveries:\n${server.output().slice(-3000)}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

async function status(id: string): Promise<string> {
  return ((await (await fetch(`${server.url}/v1/tasks/${id}`, { headers })).json()) as { status: string }).status;
}

describe("task callbacks over wrangler dev and its local queues", () => {
  it("a gated task tells the receiver it waits, then that it succeeded: signed, each once", async () => {
    const name = `e2e-${crypto.randomUUID()}`;
    const submitted = await fetch(`${server.url}/v1/tasks`, {
      method: "POST",
      headers,
      body: JSON.stringify({ goal: "summarize then count", workflow: "approved-summary", input: "The river rose overnight. Roads are closed. Schools shut on Monday.", callback: { url: `${receiver.url}/hooks/${name}`, secret: SECRET } }),
    });
    expect(submitted.status).toBe(202);
    const { id } = (await submitted.json()) as { id: string };
    const waiting = await until(name, 1);
    expect(await status(id)).toBe("awaiting_approval");
    const approve = await fetch(`${server.url}/v1/tasks/${id}/approve`, { method: "POST", headers, body: JSON.stringify({ by: "dana", reason: "looks right" }) });
    expect(approve.status).toBe(200);
    const both = await until(name, 2);
    await new Promise((r) => setTimeout(r, 2000)); // nothing more comes
    const all = await deliveries(name);
    expect(all.attempts).toHaveLength(2);
    expect(all.accepted).toBe(2);
    for (const h of both.attempts) {
      expect(verifiedByHand(h, SECRET)).toBe(true);
      expect(verifiedByHand({ ...h, body: h.body.replace(id, `${id}x`) }, SECRET)).toBe(false);
    }
    const events = both.attempts.map((h) => new Webhook(SECRET).verify(h.body, h.headers) as { type: string; data: { task: { id: string; status: string } } });
    expect(events.map((x) => x.type)).toEqual(["task.awaiting_approval", "task.succeeded"]);
    expect(events.map((x) => x.data.task.status)).toEqual(["awaiting_approval", "succeeded"]);
    expect(events.every((x) => x.data.task.id === id)).toBe(true);
    expect(new Set(both.attempts.map((h) => h.headers["webhook-id"])).size).toBe(2);
    expect(waiting.attempts[0]!.headers["webhook-id"]).toMatch(new RegExp(`^${id}:\\d+$`));
    const shown = await (await fetch(`${server.url}/v1/tasks/${id}`, { headers })).text();
    expect(shown).not.toContain(SECRET);
  });
});
