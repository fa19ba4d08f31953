import { env as testEnv } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Env } from "../../worker/env.ts";
import { bucketsFromSpans, HOUR_MS, MINUTE_MS } from "../../worker/observe/timeseries.ts";
import { ATTR, SPAN } from "../../worker/observe/attributes.ts";
import { sha256Hex } from "../../worker/intent/record.ts";
import { fakeClock } from "./clock.ts";
import { callWith, problem } from "./helpers.ts";

/** Time series in GET /v1/metrics (issue 19): hops counted per minute and hour, per specialist and tenant. */
const ADMIN = { authorization: "Bearer dev-admin-key" };
type Point = { t: string; requests: number; ok: number; errors: number; errorsByKind: Record<string, number>; denied: number; costUsd: number; latencyMs: { p50: number | null; p95: number | null } };
type Series = { from: string; to: string; resolution: string; series: { specialist?: string; tenant?: string; points: Point[] }[] };

let keys: string;
const env = () => ({ API_KEYS: keys });
beforeEach(async () => {
  keys = JSON.stringify({ [await sha256Hex("key-ts-a")]: "ts-a", [await sha256Hex("key-ts-b")]: "ts-b" });
});
let clock: ReturnType<typeof fakeClock>;
beforeEach(() => void (clock = fakeClock()));
afterEach(() => clock.restore());

/** A hop as a tenant, straight to a specialist, waiting for its after-response work (the metrics send). */
async function hop(tenant: "ts-a" | "ts-b", specialist: string, status: number) {
  const res = await callWith(env(), "/v1/route", { json: { input: "convert 5 km to miles", specialist }, headers: { authorization: `Bearer key-${tenant}` } });
  expect(res.status, await res.clone().text()).toBe(status);
}
const query = (q: string) => callWith(env(), `/v1/metrics?${q}`, { headers: ADMIN });
async function series(q: string): Promise<Series> {
  const res = await query(q);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Series;
}
const iso = (ms: number) => new Date(ms).toISOString();
const sum = (points: Point[], k: "requests" | "errors" | "ok") => points.reduce((n, p) => n + p[k], 0);

describe("GET /v1/metrics time series", () => {
  it("answers per-minute points with each minute's counts, per tenant apart, and the same in hours", { timeout: 20_000 }, async () => {
    const t0 = clock.now(); // noon: minute- and hour-aligned
    await hop("ts-a", "units", 200);
    await hop("ts-a", "units", 200);
    await hop("ts-b", "units", 200);
    clock.advance(2 * 60_000 + 5_000); // 12:02:05
    await hop("ts-a", "fault-error", 502);

    const from = t0 - 3 * 60_000;
    const a = await series(`from=${iso(from)}&to=${t0 + 5 * 60_000}&resolution=1m&tenant=ts-a`);
    expect(a).toMatchObject({ from: iso(from), to: iso(t0 + 5 * 60_000), resolution: "1m" });
    expect(a.series).toHaveLength(1);
    const points = a.series[0]!.points;
    expect(a.series[0]!.tenant).toBe("ts-a");
    expect(points.map((p) => p.t)).toEqual(Array.from({ length: 8 }, (_, i) => iso(from + i * 60_000))); // dense: every minute
    const at = (ms: number) => points.find((p) => p.t === iso(ms))!;
    expect(at(t0)).toMatchObject({ requests: 2, ok: 2, errors: 0 });
    expect(at(t0).costUsd).toBeCloseTo(2 * 0.0001, 6);
    expect(at(t0).latencyMs.p50).not.toBeNull();
    expect(at(t0 + 60_000)).toMatchObject({ requests: 0, latencyMs: { p50: null, p95: null } });
    expect(at(t0 + 2 * 60_000)).toMatchObject({ requests: 1, errors: 1, errorsByKind: { http_error: 1 } });
    expect(sum(points, "requests")).toBe(3);

    const b = await series(`from=${from}&to=${t0 + 5 * 60_000}&resolution=1m&tenant=ts-b`);
    expect(sum(b.series[0]!.points, "requests")).toBe(1);
    const bUnits = await series(`from=${from}&to=${t0 + 5 * 60_000}&resolution=5m&tenant=ts-b&specialist=fault-error`);
    expect(bUnits.series[0]).toMatchObject({ tenant: "ts-b", specialist: "fault-error" });
    expect(sum(bUnits.series[0]!.points, "requests")).toBe(0);

    // per specialist (every tenant): one series each
    const all = await series(`from=${from}&to=${t0 + 5 * 60_000}&resolution=15m`);
    const units = all.series.find((s) => s.specialist === "units")!;
    expect(units.points).toHaveLength(2); // 11:45 and 12:00
    expect(units.points[1]!.requests).toBeGreaterThanOrEqual(3);
    expect(all.series.find((s) => s.specialist === "fault-error")!.points[1]!.errors).toBeGreaterThanOrEqual(1);

    // the hour buckets: the noon hour holds all of it
    const h = await series(`from=${iso(t0 - 3_600_000)}&to=${iso(t0 + 3_600_000)}&resolution=1h&tenant=ts-a`);
    expect(h.series[0]!.points.map((p) => [p.t, p.requests, p.errors])).toEqual([
      [iso(t0 - 3_600_000), 0, 0],
      [iso(t0), 3, 1],
    ]);
    const d = await series(`from=${iso(t0 - 86_400_000)}&resolution=1d&specialist=units&tenant=ts-a`);
    expect(d.series[0]!.points.at(-1)!.requests).toBe(2);
  });

  it("answers one series per tenant with groupBy=tenant, over the specialists or of one", { timeout: 20_000 }, async () => {
    clock.advance(5 * HOUR_MS); // 17:00: an hour no other test counts in
    const t0 = clock.now();
    await hop("ts-b", "units", 200);
    await hop("ts-a", "units", 200);
    await hop("ts-a", "fault-error", 502);
    const byTenant = await series(`from=${t0}&to=${t0 + HOUR_MS}&resolution=1h&groupBy=tenant`);
    expect(byTenant.series.map((s) => [s.tenant, s.specialist, s.points.map((p) => [p.t, p.requests, p.errors])])).toEqual([
      ["ts-a", undefined, [[iso(t0), 2, 1]]],
      ["ts-b", undefined, [[iso(t0), 1, 0]]],
    ]); // by name; every point carries the interval's cost too
    expect(byTenant.series[0]!.points[0]!.costUsd).toBeGreaterThan(0);
    const ofUnits = await series(`from=${t0}&to=${t0 + HOUR_MS}&resolution=1h&groupBy=tenant&specialist=units`);
    expect(ofUnits.series.map((s) => [s.tenant, s.specialist, s.points[0]!.requests])).toEqual([
      ["ts-a", "units", 1],
      ["ts-b", "units", 1],
    ]);
    expect((await series(`from=${t0 - HOUR_MS}&to=${t0}&resolution=1h&groupBy=tenant`)).series).toEqual([]); // no calls: no tenant
    const both = await query(`from=${t0}&groupBy=tenant&tenant=ts-a`);
    expect(both.status).toBe(400);
    expect((await problem(both)).detail).toMatch(/groupBy: groupBy=tenant answers every tenant/);
    expect((await query(`from=${t0}&groupBy=intent`)).status).toBe(400);
  });

  it("answers through the current interval without `to`", async () => {
    await hop("ts-a", "units", 200);
    const s = await series(`from=${clock.now()}&resolution=5m&tenant=ts-a`);
    expect(s.series[0]!.points.map((p) => [p.t, p.requests])).toEqual([[iso(clock.now()), 1]]);
  });

  it("counts a task step's calls for the task's tenant", { timeout: 20_000 }, async () => {
    const t0 = clock.now();
    const counted = async () => sum((await series(`from=${t0 - 3_600_000}&resolution=1h&tenant=ts-a&specialist=units`)).series[0]!.points, "requests");
    const before = await counted(); // a test before on the same fake noon may have counted some
    const asA = { authorization: "Bearer key-ts-a" };
    const res = await callWith(env(), "/v1/tasks", { json: { goal: "series", input: "convert 5 km to miles", plan: { steps: [{ id: "s1", specialist: "units", input: "{{input}}" }] } }, headers: asA });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    await expect.poll(async () => ((await (await callWith(env(), `/v1/tasks/${id}`, { headers: asA })).json()) as { status: string }).status, { timeout: 15_000 }).toBe("succeeded");
    await expect.poll(counted, { timeout: 5_000 }).toBe(before + 1);
  });

  it("leaves the day view unchanged without range parameters", async () => {
    const res = await query("");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { day: string; specialists: unknown[]; series?: unknown };
    expect(body.day).toBe(iso(clock.now()).slice(0, 10));
    expect(body.series).toBeUndefined();
  });

  it("refuses bad parameters with a 400 naming the parameter, never a 500", async () => {
    const now = clock.now();
    const cases: [string, RegExp][] = [
      ["from=yesterday", /from/],
      [`from=${now}&to=soon`, /to/],
      [`from=${now}&resolution=2m`, /resolution/],
      [`from=${now}&to=${now - 60_000}`, /to must be after from/],
      [`from=${now - 49 * 3_600_000}&resolution=5m`, /from is beyond retention: minute buckets are kept 48 hours/],
      [`from=${now - 31 * 86_400_000}&resolution=1h`, /hour buckets are kept 30 days/],
      [`from=${now - 40 * 3_600_000}&resolution=1m`, /at most 2000/],
      ["resolution=1h", /from: required/],
      [`from=${now}&day=2026-06-15`, /day/],
      [`from=${now - 60_000}&specialist=nobody`, /specialist/],
      [`from=${now}&tenant=`, /tenant/],
      [`from=${now}&tenant=%E2%9C%93`, /tenant: a tenant name/],
      [`from=${now}&tenant=__proto__`, /tenant/],
      [`from=${now}&tenant=${"a".repeat(65)}`, /tenant/],
      ["from=2026-06-15T12:00:00", /from: epoch ms, a date/], // no zone
      ["from=2026-06-14T12%3A00%3A00Z%00", /from/],
      [`from=2026-06-10T00:00:00Z&to=2026-06-31T00:00:00Z`, /to: epoch ms/], // no such day, not rolled over to July
      [`from=${now + 3_600_000}`, /from: from is in the future/],
      [`from=${now - 30 * 86_400_000}&resolution=1d`, /from: from is beyond retention: hour buckets are kept 30 days .*at this resolution from/],
    ];
    for (const [q, detail] of cases) {
      const res = await query(q);
      expect(res.status, q).toBe(400);
      const p = await problem(res);
      expect(p.detail, q).toMatch(detail);
      expect(p.errors?.[0]?.path, q).toBeTruthy();
    }
  });

  it("is for the admin key only", async () => {
    const res = await callWith(env(), `/v1/metrics?from=${clock.now() - 60_000}&tenant=ts-a`, { headers: { authorization: "Bearer key-ts-a" } });
    expect(res.status).toBe(403);
  });
});

describe("the Metrics object's series table", () => {
  it("keeps minute rows 48 hours and hour rows 30 days, pruning on a later write", async () => {
    const ns = (testEnv as unknown as Env).METRICS!;
    const stub = ns.get(ns.idFromName("specialist:series-retention"));
    const t0 = clock.now();
    const delta = (at: number) =>
      bucketsFromSpans([{ traceId: "a".repeat(32), spanId: "1".repeat(16), name: SPAN.call, kind: "internal", startMs: at - 5, endMs: at, attributes: { [ATTR.specialist]: "series-retention", [ATTR.outcome]: "ok" }, status: { code: "unset" } }], "t");
    await stub.record([], delta(t0));
    const minutes = async () => (await stub.series(MINUTE_MS, t0, t0 + MINUTE_MS, MINUTE_MS)).map((b) => b.calls);
    const hours = async () => (await stub.series(HOUR_MS, t0, t0 + HOUR_MS, HOUR_MS, "t")).map((b) => b.calls);
    expect([await minutes(), await hours()]).toEqual([[1], [1]]);
    clock.advance(48 * HOUR_MS + MINUTE_MS);
    await stub.record([], delta(clock.now()));
    expect([await minutes(), await hours()]).toEqual([[], [1]]); // the minute is gone, its hour is kept
    clock.advance(30 * 24 * HOUR_MS);
    await stub.record([], delta(clock.now()));
    expect(await hours()).toEqual([]);
  });
});
