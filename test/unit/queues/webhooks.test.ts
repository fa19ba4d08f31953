import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { deliveryRequest, NOTIFICATION_TOKEN_HEADER, outcomeOf, RETRY_SCHEDULE_SECONDS, retryDelaySeconds, shownUrl, sign, signingKey, WebhookMessage, webhookBody, webhookRequest } from "../../../worker/queues/webhooks.ts";

const event = { id: "task_0123:8", type: "task.succeeded", occurredAt: "2026-11-30T04:00:00.000Z", data: { task: { id: "task_0123", status: "succeeded" } } };
/** A Standard Webhooks secret: `whsec_` and 24 random bytes in base64. */
const WHSEC = `whsec_${Buffer.from("0123456789abcdefghijklmn").toString("base64")}`;

describe("webhook signatures (Standard Webhooks), checked by independent implementations", () => {
  it("a whsec_ secret's signature verifies with the standardwebhooks package", async () => {
    const now = Date.now();
    const { body, headers } = await webhookRequest(event, WHSEC, now);
    expect(headers["webhook-id"]).toBe("task_0123:8");
    expect(headers["webhook-timestamp"]).toBe(String(Math.floor(now / 1000)));
    expect(headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(WHSEC).verify(body, headers)).toEqual({ type: "task.succeeded", timestamp: event.occurredAt, data: event.data });
  });

  it("a plain secret signs with its UTF-8 bytes: the package verifies it in its raw format, node:crypto agrees", async () => {
    const secret = "a plain shared secret, 16+ chars";
    const now = 1_780_000_000_000;
    const { body, headers } = await webhookRequest(event, secret, now);
    const expected = createHmac("sha256", Buffer.from(secret, "utf8")).update(`${event.id}.${now / 1000}.${body}`).digest("base64");
    expect(headers["webhook-signature"]).toBe(`v1,${expected}`);
    expect(new Webhook(secret, { format: "raw" }).sign(event.id, new Date(now), body)).toBe(headers["webhook-signature"]);
  });

  it("a tampered body, another secret or an old timestamp does not verify", async () => {
    const { body, headers } = await webhookRequest(event, WHSEC, Date.now());
    expect(() => new Webhook(WHSEC).verify(body.replace("succeeded", "failed"), headers)).toThrow(/No matching signature/);
    expect(() => new Webhook(`whsec_${Buffer.from("another key, 24 bytes!!!").toString("base64")}`).verify(body, headers)).toThrow(/No matching signature/);
    const old = await webhookRequest(event, WHSEC, Date.now() - 6 * 60_000);
    expect(() => new Webhook(WHSEC).verify(old.body, old.headers)).toThrow(/too old/);
  });

  it("without a secret there is no signature header", async () => {
    const { headers, body } = await webhookRequest(event, undefined, Date.now());
    expect(headers["webhook-signature"]).toBeUndefined();
    expect(headers["webhook-id"]).toBe(event.id);
    expect(headers["content-type"]).toBe("application/json");
    expect(JSON.parse(body)).toEqual({ type: event.type, timestamp: event.occurredAt, data: event.data });
  });

  it("the body is Standard Webhooks' { type, timestamp, data } and the signature covers it byte for byte", async () => {
    const key = signingKey(WHSEC)!;
    expect(Buffer.from(key).toString()).toBe("0123456789abcdefghijklmn");
    const body = webhookBody(event);
    expect(await sign(key, "x", 1, body)).toBe(`v1,${createHmac("sha256", key).update(`x.1.${body}`).digest("base64")}`);
  });

  it("a whsec_ secret that is not base64 has no key (the Callback schema refuses it)", async () => {
    expect(signingKey("whsec_not base64!!")).toBeUndefined();
    expect(signingKey("whsec_abc")).toBeUndefined(); // not a multiple of 4
    await expect(webhookRequest(event, "whsec_not base64!!", Date.now())).rejects.toThrow(/not base64/);
  });
});

describe("what an answer means", () => {
  it("2xx is delivered, 410 is gone, anything else fails with the status and the start of the body", () => {
    expect(outcomeOf(200, "https://h.example/in")).toEqual({ kind: "delivered", status: 200 });
    expect(outcomeOf(204, "https://h.example/in")).toEqual({ kind: "delivered", status: 204 });
    expect(outcomeOf(410, "https://h.example/in", "bye")).toEqual({ kind: "gone", status: 410 });
    expect(outcomeOf(500, "https://h.example/in", "  boom\n  again ")).toEqual({ kind: "failed", status: 500, reason: "HTTP 500 from https://h.example/in: boom again" });
    expect(outcomeOf(404, "https://h.example/in")).toMatchObject({ kind: "failed", reason: "HTTP 404 from https://h.example/in" });
    expect(outcomeOf(302, "https://h.example/in")).toMatchObject({ kind: "failed", reason: "HTTP 302 from https://h.example/in (redirects are not followed)" });
    expect((outcomeOf(503, "u", "x".repeat(1000)) as { reason: string }).reason.length).toBeLessThan(230);
  });

  it("a reason names the URL without its query (it may carry a token)", () => {
    expect(shownUrl("https://h.example/in?token=abc#f")).toBe("https://h.example/in");
    expect(shownUrl("not a url")).toBe("(invalid URL)");
  });
});

describe("the retry schedule", () => {
  it("grows 10 s, 30 s, 2 min, 10 min … 6 h and stays at its last step", () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 20].map((n) => retryDelaySeconds(n, mid))).toEqual([10, 30, 120, 600, 1800, 3600, 10_800, 21_600, 21_600, 21_600]);
    expect(retryDelaySeconds(0, mid)).toBe(10);
    // one step per retry the webhooks queue allows before it dead-letters (wrangler.toml)
    const consumer = /queue = "switchyard-webhooks"\n(?:[a-z_]+ = [^\n]+\n)*?max_retries = (\d+)/.exec(readFileSync("wrangler.toml", "utf8"));
    expect(RETRY_SCHEDULE_SECONDS).toHaveLength(Number(consumer?.[1]));
  });

  it("jitters by ±10 % and stays under Queues' 12-hour delay cap", () => {
    expect(retryDelaySeconds(1, () => 0)).toBe(9);
    expect(retryDelaySeconds(1, () => 0.999999)).toBe(11);
    expect(retryDelaySeconds(8, () => 0.999999)).toBeLessThanOrEqual(43_200);
  });
});

describe("webhook requests and answers, edge by edge", () => {
  it("sends JSON as Switchyard-Webhooks/1, with the event id and the time in whole seconds", async () => {
    const { headers } = await webhookRequest(event, undefined, 1_780_000_000_999);
    expect(headers).toEqual({ "content-type": "application/json", "user-agent": "Switchyard-Webhooks/1", "webhook-id": event.id, "webhook-timestamp": "1780000000" });
  });

  it("a whsec_ secret is base64 from its first character to its last: spaces around it are not (atob would skip them)", () => {
    expect(signingKey("whsec_AAAAAA==")).toEqual(new Uint8Array([0, 0, 0, 0]));
    for (const s of ["whsec_  AAAAAA", "whsec_AAAAAA  ", "whsec_\tAAAAAAA", "whsec_AAAAAAA\n"]) expect(signingKey(s), JSON.stringify(s)).toBeUndefined();
  });

  it("a webhook.deliver message's secret must be usable: a whsec_ secret that is not base64 is refused with why", () => {
    const message = (secret: string) => ({ callback: { url: "https://h.example/in", secret }, event });
    expect(WebhookMessage.safeParse(message(WHSEC)).success).toBe(true);
    expect(WebhookMessage.safeParse(message("a plain shared secret")).success).toBe(true);
    const bad = WebhookMessage.safeParse(message("whsec_not base64!!"));
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([["callback.secret", "a whsec_ secret must go on in base64"]]);
  });

  it("only 200 to 299 is delivered; only 300 to 399 is a redirect", () => {
    const u = "https://h.example/in";
    expect(outcomeOf(199, u)).toEqual({ kind: "failed", status: 199, reason: `HTTP 199 from ${u}` });
    expect(outcomeOf(299, u)).toEqual({ kind: "delivered", status: 299 });
    expect(outcomeOf(300, u)).toEqual({ kind: "failed", status: 300, reason: `HTTP 300 from ${u} (redirects are not followed)` });
    expect(outcomeOf(399, u)).toEqual({ kind: "failed", status: 399, reason: `HTTP 399 from ${u} (redirects are not followed)` });
    expect(outcomeOf(400, u)).toEqual({ kind: "failed", status: 400, reason: `HTTP 400 from ${u}` });
  });
});

describe("A2A push notifications on the webhooks path (format a2a)", () => {
  const push = { id: "task_0123:9:p1", type: "a2a.statusUpdate", occurredAt: "2026-11-30T04:00:00.000Z", data: { statusUpdate: { taskId: "task_0123", contextId: "c", status: { state: "TASK_STATE_COMPLETED" } } } };

  it("a callback's request is unchanged: Standard Webhooks' body, signed, no A2A headers", async () => {
    const now = 1_780_000_000_000;
    const m = WebhookMessage.parse({ callback: { url: "https://h.example/in", secret: WHSEC }, event });
    expect(await deliveryRequest(m, now)).toEqual(await webhookRequest(event, WHSEC, now));
  });

  it("the body is the event's data as it is, with the Authorization and X-A2A-Notification-Token headers the target declares", async () => {
    const m = WebhookMessage.parse({ callback: { url: "https://h.example/in", authorization: { scheme: "Bearer", secret: "cred 1" }, token: { secret: "tok-1" } }, event: push, format: "a2a" });
    const { body, headers } = await deliveryRequest(m, 1_780_000_000_999);
    expect(JSON.parse(body)).toEqual(push.data);
    expect(headers).toEqual({
      "content-type": "application/json",
      "user-agent": "Switchyard-Webhooks/1",
      "webhook-id": push.id,
      "webhook-timestamp": "1780000000",
      authorization: "Bearer cred 1",
      [NOTIFICATION_TOKEN_HEADER]: "tok-1",
    });
    const bare = await deliveryRequest(WebhookMessage.parse({ callback: { url: "https://h.example/in" }, event: push, format: "a2a" }), 0);
    expect(bare.headers).not.toHaveProperty("authorization");
    expect(bare.headers).not.toHaveProperty(NOTIFICATION_TOKEN_HEADER);
  });

  it("a header value a request could not carry is refused in the message (no line breaks, no blank ends, a scheme is one token)", () => {
    const at = (callback: object) => WebhookMessage.safeParse({ callback: { url: "https://h.example/in", ...callback }, event: push, format: "a2a" });
    for (const [callback, path] of [
      [{ token: { secret: "a\r\nx-injected: 1" } }, "callback.token.secret"],
      [{ token: { secret: " padded" } }, "callback.token.secret"],
      [{ token: { secret: "" } }, "callback.token.secret"],
      [{ authorization: { scheme: "Bea rer", secret: "x" } }, "callback.authorization.scheme"],
      [{ authorization: { scheme: "Bearer", secret: "é" } }, "callback.authorization.secret"],
    ] as const) {
      const r = at(callback);
      expect(r.success, JSON.stringify(callback)).toBe(false);
      expect(r.error?.issues.map((i) => i.path.join("."))).toContain(path);
    }
    expect(WebhookMessage.safeParse({ callback: { url: "https://h.example/in" }, event: push, format: "xml" }).success).toBe(false);
  });
});
