import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { Env } from "../../worker/env.ts";
import { BuiltinEncoder } from "../../worker/intent/builtin-encoder.ts";
import { withLearned, type LearnedExample } from "../../worker/intent/learned.ts";
import { modelKey } from "../../worker/intent/model.ts";
import { HeldModels, quickModel, storeKey } from "../../worker/intent-models.ts";
import { intentSources } from "../../worker/config/intent-sources.ts";
import { sha256Hex } from "../../worker/intent/record.ts";
import { getRuntime } from "../../worker/runtime.ts";
import { call, callWith, configWith, problem } from "./helpers.ts";

/**
 * Learned examples (issue 17): an admin's or a tenant's correction becomes a training
 * example of the tenant's own model (by default), fitted by the IntentFitter Durable
 * Object off the request path, stored in KV for every isolate, reviewable and
 * revertible; guards hold or refuse what would move a label too far.
 */
const E = env as unknown as Env;
const ADMIN = { authorization: "Bearer dev-admin-key" };
const INPUT = "zorblax quantum frobnicate the gizmo";

/** Fresh tenants (keys in API_KEYS) calling the router as each of them. */
async function tenants(...names: string[]) {
  const run = crypto.randomUUID().slice(0, 8);
  const keys = Object.fromEntries(names.map((n) => [n, `${run}-${n}-key`]));
  const ids = Object.fromEntries(names.map((n) => [n, `learn-${run}-${n}`]));
  const API_KEYS = JSON.stringify(Object.fromEntries(await Promise.all(names.map(async (n) => [await sha256Hex(keys[n]!), ids[n]]))));
  const as = (n: string) => (path: string, init: RequestInit & { json?: unknown } = {}) =>
    callWith({ API_KEYS }, path, { ...init, headers: { ...(init.headers as Record<string, string> | undefined), authorization: `Bearer ${keys[n]}` } });
  return { ids, as, API_KEYS };
}

const teach = (body: Record<string, unknown>, over: Partial<Env> = {}) => callWith(over, "/v1/admin/learned", { json: body, headers: ADMIN });
const classify = async (as: (path: string, init?: RequestInit & { json?: unknown }) => Promise<Response>) =>
  (await (await as("/v1/intents", { json: { input: INPUT } })).json()) as { label: string; specialist: string; confidence: number };

describe("learned examples", () => {
  it("a tenant's example is fitted off the request path, routes that tenant only, reaches a fresh isolate through KV, and is reverted", async () => {
    const { ids, as } = await tenants("a", "b");
    const before = await classify(as("a"));
    expect(before.label).not.toBe("units.data");

    const res = await teach({ input: INPUT, label: "units.data", scope: ids.a });
    expect(res.status).toBe(201);
    const example = (await res.json()) as LearnedExample;
    expect(example).toMatchObject({ scope: ids.a, label: "units.data", specialist: "units", status: "active", origin: "admin", by: "admin:dev", input: INPUT });
    // the same example again is the one held
    const again = await teach({ input: INPUT, label: "units.data", scope: ids.a });
    expect(again.status).toBe(200);
    expect(((await again.json()) as LearnedExample).id).toBe(example.id);

    // the tenant's model: config + its example, fitted by the IntentFitter (never in this isolate), then routing with it
    const rt0 = await getRuntime(E);
    const sources = withLearned(intentSources(rt0.config), [example]);
    const key = await modelKey(new BuiltinEncoder().id, sources);
    await vi.waitFor(
      async () => {
        const rt = await getRuntime(E);
        await rt.intentsFor(ids.a!);
        expect(rt.tenantModel(ids.a!)).toMatchObject({ key, examples: 1, source: expect.stringMatching(/^(fitter|kv|memory)$/) });
      },
      { timeout: 20_000, interval: 200 },
    );
    const name = storeKey(E, key);
    const rows = await runInDurableObject(E.INTENT_FITTER!.get(E.INTENT_FITTER!.idFromName(name)), (_o, state: DurableObjectState) => state.storage.sql.exec<{ name: string }>("SELECT name FROM snapshot").toArray());
    expect(rows).toEqual([{ name }]);
    expect(await classify(as("a"))).toMatchObject({ label: "units.data", specialist: "units" });
    // another tenant routes with the shared model
    expect(await classify(as("b"))).toMatchObject({ label: before.label });
    expect((await getRuntime(E)).tenantModel(ids.b!)).toMatchObject({ source: "shared", examples: 0 });

    // a second isolate (nothing in memory) loads the snapshot the fitter stored in KV
    await vi.waitFor(async () => expect(await E.INTENTS!.get(name, "arrayBuffer")).not.toBeNull(), { timeout: 5_000 });
    const other = await quickModel(sources, new BuiltinEncoder(), E, new HeldModels());
    expect(other).toMatchObject({ source: "kv", key });
    expect((await other!.model.classify(INPUT, 3)).label).toBe("units.data");

    // listed, then reverted: the tenant routes with the shared model again
    const list = (await (await call(`/v1/admin/learned?scope=${ids.a}`, { headers: ADMIN })).json()) as { learning: number; model: unknown; examples: LearnedExample[] };
    expect(list.examples.map((x) => x.id)).toEqual([example.id]);
    expect(list.model).toMatchObject({ key, examples: 1, source: expect.stringMatching(/^(fitter|kv|memory)$/) });
    const shared = (await (await call(`/v1/admin/learned?scope=${ids.b}`, { headers: ADMIN })).json()) as { model: unknown };
    expect(shared.model).toMatchObject({ source: "shared", examples: 0 });
    const reverted = await callWith({}, `/v1/admin/learned/${example.id}/revert`, { json: { note: "bad lesson" }, headers: ADMIN });
    expect(await reverted.json()).toMatchObject({ id: example.id, status: "reverted", reviewedBy: "admin:dev", note: "bad lesson" });
    const after = (await (await call(`/v1/admin/learned?scope=${ids.a}`, { headers: ADMIN })).json()) as { learning: number };
    expect(after.learning).toBeGreaterThan(list.learning);
    await vi.waitFor(async () => expect((await getRuntime(E)).tenantModel(ids.a!)).toMatchObject({ source: "shared" }), { timeout: 5_000 });
    expect(await classify(as("a"))).toMatchObject({ label: before.label });
    // reverting twice is a conflict
    const twice = await callWith({}, `/v1/admin/learned/${example.id}/revert`, { json: {}, headers: ADMIN });
    expect(twice.status).toBe(409);
  }, 60_000);

  it("a label at its cap holds new examples for review; approve, reject; a full scope refuses; audited", async () => {
    const { ids } = await tenants("cap");
    const SWITCHYARD_CONFIG = configWith((c) => {
      c.learning = { maxShare: 0, minPerLabel: 1, maxPerScope: 3 };
    });
    const over = { SWITCHYARD_CONFIG };
    const first = (await (await teach({ input: "blorp one", label: "text.count", scope: ids.cap }, over)).json()) as LearnedExample;
    expect(first.status).toBe("active");
    const second = (await (await teach({ input: "blorp two", label: "text.count", scope: ids.cap }, over)).json()) as LearnedExample;
    expect(second).toMatchObject({ status: "pending", note: expect.stringContaining("cap without review") });
    const third = (await (await teach({ input: "blorp three", label: "text.count", scope: ids.cap }, over)).json()) as LearnedExample;
    expect(third.status).toBe("pending");
    const full = await teach({ input: "blorp four", label: "text.stats", scope: ids.cap }, over);
    expect(full.status).toBe(409);
    expect((await problem(full)).detail).toMatch(/learning.maxPerScope/);

    expect(await (await callWith(over, `/v1/admin/learned/${second.id}/approve`, { json: {}, headers: ADMIN })).json()).toMatchObject({ status: "active" });
    expect(await (await callWith(over, `/v1/admin/learned/${third.id}/reject`, { json: { note: "nonsense" }, headers: ADMIN })).json()).toMatchObject({ status: "rejected", note: "nonsense" });
    const again = await callWith(over, `/v1/admin/learned/${third.id}/approve`, { json: {}, headers: ADMIN });
    expect(again.status).toBe(409);
    expect((await problem(again)).detail).toBe(`example '${third.id}' is rejected: only a pending one can be approved`);

    const listed = (await (await call(`/v1/admin/learned?scope=${ids.cap}&status=active`, { headers: ADMIN })).json()) as { examples: LearnedExample[] };
    expect(listed.examples.map((x) => x.id).sort()).toEqual([first.id, second.id].sort());
    const version = async () => ((await (await call(`/v1/admin/learned?scope=${ids.cap}`, { headers: ADMIN })).json()) as { learning: number }).learning;
    const beforeBulk = await version();
    const bulk = await callWith(over, "/v1/admin/learned/revert", { json: { scope: ids.cap }, headers: ADMIN });
    expect(await bulk.json()).toEqual({ reverted: 2 });
    // the active set changed: every isolate's models drop them
    const afterBulk = await version();
    expect(afterBulk).toBeGreaterThan(beforeBulk);
    // `since` is an instant, however it is written: a later one (with an offset, without milliseconds) reverts nothing older
    const fresh = (await (await teach({ input: "blorp five", label: "text.stats", scope: ids.cap }, over)).json()) as LearnedExample;
    const at = new Date(fresh.createdAt);
    const later = new Date(at.getTime() + 60_000);
    const offset = `${new Date(later.getTime() + 3_600_000).toISOString().slice(0, 19)}+01:00`; // the same instant, written at +01:00
    expect(await (await callWith(over, "/v1/admin/learned/revert", { json: { scope: ids.cap, since: offset }, headers: ADMIN })).json()).toEqual({ reverted: 0 });
    const ownSecond = `${at.toISOString().slice(0, 19)}Z`; // the example's own second, no milliseconds: it was taught at or after it
    expect(await (await callWith(over, "/v1/admin/learned/revert", { json: { scope: ids.cap, since: ownSecond }, headers: ADMIN })).json()).toEqual({ reverted: 1 });
    const afterBulk2 = await version();
    // a time past 9999-12-31 in UTC is refused, not compared as text with every stored time
    const farOff = await callWith(over, "/v1/admin/learned/revert", { json: { scope: ids.cap, since: "9999-12-31T23:59:59-01:00" }, headers: ADMIN });
    expect(farOff.status).toBe(400);
    expect((await problem(farOff)).detail).toMatch(/^since: 9999-12-31T23:59:59-01:00 is outside the years 0000–9999 \(UTC\)$/);
    // nothing left to revert: nothing changes
    const none = await callWith(over, "/v1/admin/learned/revert", { json: { scope: ids.cap }, headers: ADMIN });
    expect(await none.json()).toEqual({ reverted: 0 });
    expect(afterBulk2).toBeGreaterThan(afterBulk);
    expect(await version()).toBe(afterBulk2);

    const audit = ((await (await call("/v1/admin/control", { headers: ADMIN })).json()) as { audit: { entries: { action: string; detail: Record<string, unknown> }[] } }).audit.entries;
    const mine = audit.filter((e) => e.detail.scope === ids.cap).map((e) => e.action);
    expect(mine).toEqual(["learned.added", "learned.held", "learned.held", "learned.refused", "learned.active", "learned.rejected", "learned.reverted", "learned.added", "learned.reverted"]);
  }, 30_000);

  it("bad input is a 4xx and stores nothing; tenant keys cannot reach the admin routes", async () => {
    const { ids, as } = await tenants("bad");
    const cases: [Record<string, unknown>, number, RegExp][] = [
      [{ input: INPUT, label: "no.such-label", scope: ids.bad }, 400, /no intent 'no.such-label'/],
      [{ input: "x".repeat(1001), label: "text.count", scope: ids.bad }, 400, /learning.maxExampleChars/],
      [{ input: INPUT, label: "text.count", scope: "bad scope!" }, 400, /scope/],
      [{ input: INPUT, label: "text.count", scope: ids.bad, extra: 1 }, 400, /extra/],
    ];
    for (const [body, status, detail] of cases) {
      const res = await teach(body);
      expect(res.status).toBe(status);
      expect(JSON.stringify(await problem(res))).toMatch(detail);
    }
    const listed = (await (await call(`/v1/admin/learned?scope=${ids.bad}`, { headers: ADMIN })).json()) as { examples: unknown[] };
    expect(listed.examples).toEqual([]);
    expect((await as("bad")("/v1/admin/learned")).status).toBe(403);
    expect((await as("bad")("/v1/admin/learned", { json: { input: INPUT, label: "text.count", scope: ids.bad } })).status).toBe(403);
    expect((await callWith({}, "/v1/admin/learned/lx_000000000000000000000000/approve", { json: {}, headers: ADMIN })).status).toBe(404);
  });
});
