import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import worker from "../../worker/index.ts";
import type { Callback } from "../../worker/queues/callbacks.ts";
import { envelope } from "../../worker/queues/envelope.ts";
import { WORK_QUEUES } from "../../worker/queues/names.ts";
import { call, problem } from "./helpers.ts";
import { ADMIN, e, hook, received, receivedWhen, WHSEC } from "./webhook-helpers.ts";

type Letter = { seq: number; queue: string; messageId: string; envelopeId: string | null; kind: string | null; tenant: string | null; reason: string; attempts: number; firstFailureAt: string | null; lastFailureAt: string | null; deadAt: string; body: any };
type AuditEntries = { audit: { entries: { actor: string; action: string; detail: Record<string, unknown> }[]; verification: { ok: boolean } } };

/** Hands one message to the Worker's queue() handler on `queue`; true when it was acked. */
async function consume(queue: string, id: string, body: unknown): Promise<boolean> {
  const batch = createMessageBatch(queue, [{ id, timestamp: new Date(), attempts: 1, body }]);
  const ctx = createExecutionContext();
  await worker.queue(batch, e, ctx);
  return (await getQueueResult(batch, ctx)).explicitAcks.includes(id);
}

/** A webhook delivery that reached the webhooks dead-letter queue: its stored letter. */
async function deadWebhook(tenant: string, callback: Callback): Promise<{ letter: Letter; envelopeId: string; original: ReturnType<typeof envelope> }> {
  const ev = { id: `evt_${crypto.randomUUID()}`, type: "test.dead", occurredAt: new Date().toISOString(), data: { n: 1 } };
  const body = envelope("webhook.deliver", `webhook:${ev.id}`, tenant, { callback, event: ev });
  const messageId = `dl-${crypto.randomUUID()}`;
  expect(await consume(WORK_QUEUES.webhooks.dlq, messageId, body)).toBe(true);
  const list = (await (await call(`/v1/admin/dead-letters?tenant=${tenant}&limit=500`, { headers: ADMIN })).json()) as { deadLetters: Letter[] };
  const letter = list.deadLetters.find((d) => d.messageId === messageId)!;
  expect(letter).toBeDefined();
  return { letter, envelopeId: body.id, original: body };
}

const admin = (path: string, json?: unknown) => call(path, { headers: ADMIN, ...(json !== undefined ? { json } : {}) });
const auditOf = async () => ((await (await call("/v1/admin/control", { headers: ADMIN })).json()) as AuditEntries).audit;
const tenantName = () => `t-${crypto.randomUUID().slice(0, 8)}`;

describe("dead letters: the admin API", () => {
  it("lists them with why they died and every secret redacted; filters by tenant and queue; pages", async () => {
    const tenant = tenantName();
    const h = hook();
    const a = await deadWebhook(tenant, { url: h.url, secret: WHSEC });
    const b = await deadWebhook(tenant, { url: h.url });
    await deadWebhook(tenantName(), { url: h.url }); // another tenant's
    const res = await admin(`/v1/admin/dead-letters?tenant=${tenant}`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(WHSEC);
    const { deadLetters, next } = JSON.parse(text) as { deadLetters: Letter[]; next: number | null };
    expect(deadLetters.map((d) => d.seq)).toEqual([a.letter.seq, b.letter.seq]);
    expect(next).toBeNull();
    expect(deadLetters[0]).toMatchObject({ queue: "webhooks", kind: "webhook.deliver", tenant, envelopeId: a.envelopeId, reason: "its deliveries failed (max_retries reached)", attempts: 0, deadAt: expect.any(String) });
    expect(deadLetters[0]!.body.body.callback).toEqual({ url: h.url, secret: "[redacted]" });
    expect(deadLetters[1]!.body.body.callback).toEqual({ url: h.url });
    // pages of one
    const page1 = (await (await admin(`/v1/admin/dead-letters?tenant=${tenant}&limit=1`)).json()) as { deadLetters: Letter[]; next: number };
    expect(page1.deadLetters.map((d) => d.seq)).toEqual([a.letter.seq]);
    const page2 = (await (await admin(`/v1/admin/dead-letters?tenant=${tenant}&limit=1&after=${page1.next}`)).json()) as { deadLetters: Letter[] };
    expect(page2.deadLetters.map((d) => d.seq)).toEqual([b.letter.seq]);
    // by queue
    expect(((await (await admin(`/v1/admin/dead-letters?tenant=${tenant}&queue=hops`)).json()) as { deadLetters: Letter[] }).deadLetters).toEqual([]);
    expect(((await (await admin(`/v1/admin/dead-letters?tenant=${tenant}&queue=webhooks`)).json()) as { deadLetters: Letter[] }).deadLetters).toHaveLength(2);
    expect((await admin("/v1/admin/dead-letters?queue=nope")).status).toBe(400);
    // one
    const one = await admin(`/v1/admin/dead-letters/${a.letter.seq}`);
    expect(one.status).toBe(200);
    const oneText = await one.text();
    expect(oneText).not.toContain(WHSEC);
    expect((JSON.parse(oneText) as Letter).body.body.callback.secret).toBe("[redacted]");
  });

  it("replays the original message (secret included) to its work queue, even one whose effect was done: the receiver gets it again", async () => {
    const tenant = tenantName();
    const h = hook();
    const { letter, envelopeId, original } = await deadWebhook(tenant, { url: h.url, secret: WHSEC });
    // the same event was delivered once already: the ledger has it done
    expect(await consume(WORK_QUEUES.webhooks.queue, `first-${envelopeId}`, original)).toBe(true);
    expect((await received(h.name)).accepted).toBe(1);
    const res = await admin(`/v1/admin/dead-letters/${letter.seq}/replay`, { by: "ops", reason: "receiver fixed" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ seq: letter.seq, queue: "webhooks", action: "replayed" });
    const r = await receivedWhen(h.name, (x) => x.accepted === 2);
    const replayed = r.attempts[1]!;
    expect(() => new Webhook(WHSEC).verify(replayed.body, replayed.headers)).not.toThrow(); // signed with the original secret
    expect(replayed.headers["webhook-id"]).toBe(letter.body.body.event.id);
    expect((await admin(`/v1/admin/dead-letters/${letter.seq}`)).status).toBe(404);
    const audit = await auditOf();
    expect(audit.verification.ok).toBe(true);
    expect(audit.entries.find((x) => x.action === "dead_letter.replayed" && x.detail.seq === letter.seq)).toMatchObject({ actor: 'admin:dev as "ops"', detail: { queue: "webhooks", id: envelopeId, kind: "webhook.deliver", tenant, reason: "receiver fixed" } });
  });

  it("discards a letter without sending it, audited", async () => {
    const tenant = tenantName();
    const h = hook();
    const { letter } = await deadWebhook(tenant, { url: h.url });
    const res = await admin(`/v1/admin/dead-letters/${letter.seq}/discard`, {});
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ seq: letter.seq, queue: "webhooks", action: "discarded" });
    expect((await admin(`/v1/admin/dead-letters/${letter.seq}`)).status).toBe(404);
    expect((await admin(`/v1/admin/dead-letters/${letter.seq}/replay`, {})).status).toBe(404);
    await new Promise((r) => setTimeout(r, 1500)); // a queue delivery would have come by now
    expect((await received(h.name)).attempts).toEqual([]);
    expect((await auditOf()).entries.find((x) => x.action === "dead_letter.discarded" && x.detail.seq === letter.seq)).toMatchObject({ actor: "admin:dev", detail: { tenant, reason: "discarded" } });
  });

  it("answers 404 for an unknown letter, 400 for a malformed number, 403 to a tenant key", async () => {
    const unknown = 999_999_999;
    for (const [path, body] of [
      [`/v1/admin/dead-letters/${unknown}`, undefined],
      [`/v1/admin/dead-letters/${unknown}/replay`, {}],
      [`/v1/admin/dead-letters/${unknown}/discard`, { reason: "x" }],
    ] as const) {
      const res = await admin(path, body);
      expect(res.status, path).toBe(404);
      expect((await problem(res)).detail).toBe(`no dead letter ${unknown}`);
    }
    expect((await admin("/v1/admin/dead-letters/abc")).status).toBe(400);
    expect((await admin("/v1/admin/dead-letters/0")).status).toBe(400);
    for (const [path, method] of [
      ["/v1/admin/dead-letters", "GET"],
      ["/v1/admin/dead-letters/1", "GET"],
      ["/v1/admin/dead-letters/1/replay", "POST"],
      ["/v1/admin/dead-letters/1/discard", "POST"],
    ] as const) {
      const res = await call(path, { method, ...(method === "POST" ? { json: {} } : {}) });
      expect(res.status, path).toBe(403);
      expect((await problem(res)).type).toBe("urn:switchyard:problem:forbidden");
    }
  });
});

/** A browser-like request to the dashboard: cookies by hand, redirects not followed. */
async function ui(path: string, init: { cookie?: string; form?: Record<string, string> } = {}): Promise<Response> {
  const headers = new Headers();
  if (init.cookie) headers.set("cookie", init.cookie);
  if (init.form) headers.set("content-type", "application/x-www-form-urlencoded");
  return exports.default.fetch(new Request(`https://router.test${path}`, { method: init.form ? "POST" : "GET", headers, redirect: "manual", ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}) }));
}
const cookieOf = (res: Response, name: string) => res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`))?.split(";")[0];
const csrfIn = (html: string): string => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";
async function signIn(key: string): Promise<{ cookie: string; csrf: string; overview: string }> {
  const form = await ui("/ui/sign-in");
  const res = await ui("/ui/sign-in", { cookie: cookieOf(form, "sy_login")!, form: { _csrf: csrfIn(await form.text()), key } });
  const cookie = cookieOf(res, "sy_session")!;
  const overview = await (await ui("/", { cookie })).text();
  return { cookie, csrf: csrfIn(overview), overview };
}

describe("dead letters: the dashboard page", () => {
  it("shows an admin the letters (secrets redacted) with replay and discard forms guarded by CSRF", async () => {
    const tenant = tenantName();
    const h = hook();
    const kept = await deadWebhook(tenant, { url: h.url, secret: WHSEC });
    const dropped = await deadWebhook(tenant, { url: h.url });
    const { cookie, csrf, overview } = await signIn("dev-admin-key");
    expect(overview).toContain('href="/ui/dead-letters"');
    const page = await ui(`/ui/dead-letters?tenant=${tenant}`, { cookie });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).toContain(`data-seq="${kept.letter.seq}"`);
    expect(html).toContain(`action="/ui/dead-letters/${kept.letter.seq}/replay"`);
    expect(html).toContain(`action="/ui/dead-letters/${dropped.letter.seq}/discard"`);
    expect(html).toContain("[redacted]");
    expect(html).not.toContain(WHSEC);

    const forged = await ui(`/ui/dead-letters/${dropped.letter.seq}/discard`, { cookie, form: { _csrf: "guess", reason: "x" } });
    expect(forged.status).toBe(403);
    expect((await admin(`/v1/admin/dead-letters/${dropped.letter.seq}`)).status).toBe(200); // nothing happened
    const discarded = await ui(`/ui/dead-letters/${dropped.letter.seq}/discard`, { cookie, form: { _csrf: csrf, reason: "noise" } });
    expect(discarded.status).toBe(303);
    expect(discarded.headers.get("location")).toBe("/ui/dead-letters");
    expect((await admin(`/v1/admin/dead-letters/${dropped.letter.seq}`)).status).toBe(404);
    const replayed = await ui(`/ui/dead-letters/${kept.letter.seq}/replay`, { cookie, form: { _csrf: csrf, reason: "try again" } });
    expect(replayed.status).toBe(303);
    await receivedWhen(h.name, (x) => x.accepted === 1);
    const entries = (await auditOf()).entries;
    expect(entries.find((x) => x.action === "dead_letter.discarded" && x.detail.seq === dropped.letter.seq)?.detail.reason).toBe("noise");
    expect(entries.find((x) => x.action === "dead_letter.replayed" && x.detail.seq === kept.letter.seq)?.detail.reason).toBe("try again");
    const again = await ui(`/ui/dead-letters/${kept.letter.seq}/replay`, { cookie, form: { _csrf: csrf } });
    expect(again.status).toBe(404);
  });

  it("is admin only: a tenant's session gets a 403 page and no link to it", async () => {
    const { cookie, csrf, overview } = await signIn("dev-key");
    expect(overview).not.toContain('href="/ui/dead-letters"');
    const page = await ui("/ui/dead-letters", { cookie });
    expect(page.status).toBe(403);
    expect(await page.text()).toContain("this route needs the admin key");
    expect((await ui("/ui/dead-letters/1/discard", { cookie, form: { _csrf: csrf } })).status).toBe(403);
  });
});
