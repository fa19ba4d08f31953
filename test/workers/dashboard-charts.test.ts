import { describe, expect, it } from "vitest";
import { callWith } from "./helpers.ts";
import { signIn, ui } from "./dashboard-helpers.ts";

describe("dashboard charts", () => {
  it("charts the routing mix (admin) and a tenant's corrected routes, each point carrying its number", async () => {
    for (const input of ["convert 3 km to miles", "convert 4 km to miles", "what is 12 * 7?"]) expect((await callWith({}, "/v1/route", { json: { input } })).status).toBe(200);
    const routed = (await (await callWith({}, "/v1/route", { json: { input: "what weekday is 2026-12-25?" } })).json()) as { id: string; decision: { specialist: string; intent: { label: string } } };
    const fb = await callWith({}, "/v1/feedback", { json: { hopId: routed.id, outcome: "bad", correctLabel: "datetime.diff" } });
    expect(fb.status).toBe(201);
    const metrics = (await (await callWith({}, "/v1/metrics", { headers: { authorization: "Bearer dev-admin-key" } })).json()) as { intents: { label: string; requests: number }[] };
    const units = metrics.intents.filter((r) => r.label === "units.convert").reduce((n, r) => n + r.requests, 0);
    const admin = await signIn("dev-admin-key");
    const html = await (await ui("/", { cookie: admin.cookie })).text();
    expect(html).toContain('<figure class="chart" id="chart-intents">');
    expect(html).toMatch(new RegExp(`<g class="bar" data-label="units\\.convert" data-value="${units}">`));
    // the classifier's confidence today, summed over the specialists, as GET /v1/metrics counts it
    const conf = ((await (await callWith({}, "/v1/metrics", { headers: { authorization: "Bearer dev-admin-key" } })).json()) as { specialists: { confidence?: number[] }[] }).specialists.reduce((sum, sp) => sum + (sp.confidence ?? []).reduce((a, b) => a + b, 0), 0);
    expect(conf).toBeGreaterThanOrEqual(4);
    const bars = [...html.slice(html.indexOf('id="chart-confidence"')).matchAll(/<g class="bar" data-label="[^"]+" data-value="(\d+)">/g)].slice(0, 10).map((m) => Number(m[1]));
    expect(bars).toHaveLength(10);
    expect(bars.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(4);
    expect(units).toBeGreaterThanOrEqual(2);
    const tenant = await signIn("dev-key");
    const mine = await (await ui("/", { cookie: tenant.cookie })).text();
    expect(mine).toContain('<figure class="chart" id="chart-corrections">');
    expect(mine).toMatch(new RegExp(`data-row="${routed.decision.intent.label.replace(".", "\\.")} → ${routed.decision.specialist}" data-col="datetime\\.diff" data-count="1"`));
    expect(mine).not.toContain('id="chart-intents"'); // the intent mix is from /v1/metrics: admin only
  });

  it("charts the last hours per specialist (admin): requests, error rate and p95 lines whose points carry the series' numbers", async () => {
    for (const input of ["convert 8 km to miles", "convert 9 km to miles"]) expect((await callWith({}, "/v1/route", { json: { input } })).status).toBe(200);
    const from = new Date(Date.now() - 6 * 3_600_000).toISOString();
    const series = (await (await callWith({}, `/v1/metrics?from=${from}&resolution=5m`, { headers: { authorization: "Bearer dev-admin-key" } })).json()) as { series: { specialist?: string; points: { t: string; requests: number }[] }[] };
    const units = series.series.find((s) => s.specialist === "units")!;
    const busiest = units.points.reduce((a, b) => (b.requests > a.requests ? b : a));
    expect(busiest.requests).toBeGreaterThanOrEqual(2);
    const admin = await signIn("dev-admin-key");
    const html = await (await ui("/", { cookie: admin.cookie })).text();
    expect(html).toContain('<figure class="chart" id="chart-requests">');
    const line = /<g class="series" data-series="units">(.*?)<\/g>/s.exec(html.slice(html.indexOf('id="chart-requests"')))?.[1] ?? "";
    expect(line).toContain(`data-t="${Date.parse(busiest.t)}" data-v="${busiest.requests}"`);
    expect(html).toContain('id="chart-errors"');
    expect(html).toContain('id="chart-latency"');
    expect(html).toContain('id="chart-latency-p50"');
    // cost per day: units' calls cost its costPerCall each
    const days = html.slice(html.indexOf('id="chart-cost-days"'));
    const today = Math.floor(Date.now() / 86_400_000) * 86_400_000;
    expect(/<g class="series" data-series="units">.*?<\/g>/s.exec(days)?.[0] ?? "").toMatch(new RegExp(`data-t="${today}" data-v="0\\.\\d+"`));
    // cost per day per tenant: the hops above were dev-key's (tenant "dev")
    const tenants = html.slice(html.indexOf('id="chart-cost-tenants"'));
    expect(html).toContain('id="chart-cost-tenants"');
    expect(/<g class="series" data-series="dev">.*?<\/g>/s.exec(tenants)?.[0] ?? "").toMatch(new RegExp(`data-t="${today}" data-v="0\\.\\d+"`));
    const tenant = await signIn("dev-key");
    expect(await (await ui("/", { cookie: tenant.cookie })).text()).not.toContain('id="chart-requests"'); // the series are the admin's
  });

  it("lists a breaker's state changes under the traffic charts (admin)", async () => {
    // the router's default breaker opens after 5 failures within 30 s
    for (let i = 0; i < 5; i++) expect((await callWith({}, "/v1/route", { json: { input: "x", specialist: "fault-error" } })).status).toBe(502);
    expect((await callWith({}, "/v1/route", { json: { input: "x", specialist: "fault-error" } })).status).toBe(503);
    const admin = await signIn("dev-admin-key");
    const html = await (await ui("/", { cookie: admin.cookie })).text();
    const table = html.slice(html.indexOf('id="breaker-changes"'));
    expect(html).toContain('id="breaker-changes"');
    expect(/<tr data-specialist="fault-error">(.*?)<\/tr>/s.exec(table)?.[1] ?? "").toMatch(/<td>open 1<\/td><td><span class="pill st-open">open<\/span>/);
  });

});
