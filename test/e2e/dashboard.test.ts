import { existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevServer, type DevServer } from "../support/dev-server.ts";

/** Debian's `chromium` (`.ci/run` installs it); CHROMIUM_PATH overrides. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/** Screenshots land here (git-ignored; kept by CI as artifacts). */
const ARTIFACTS = fileURLToPath(new URL("../../test-artifacts/", import.meta.url));

let server: DevServer;
let browser: Browser;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`the dashboard browser test needs Chromium at ${CHROMIUM}: run 'apt-get install -y chromium' (.ci/run does) or set CHROMIUM_PATH`);
  mkdirSync(ARTIFACTS, { recursive: true });
  [server, browser] = await Promise.all([
    startDevServer(),
    chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    }),
  ]);
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  // every console error (a CSP violation, a failed load) fails the test
  page.on("console", (m) => void (m.type() === "error" && problems.push(m.text())));
  page.on("pageerror", (e) => void problems.push(String(e)));
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("operator dashboard in a real browser", () => {
  it("signs in, starts a task that needs approval, approves it from its page, and sees it finish", async () => {
    await page.goto(`${server.url}/`);
    expect(new URL(page.url()).pathname).toBe("/ui/sign-in");
    await page.fill("input[name=key]", "dev-admin-key");
    await page.click("#sign-in button[type=submit]");
    await page.waitForURL(`${server.url}/`);
    expect(await page.locator('#specialists tr[data-specialist="units"]').textContent()).toContain("healthy");
    expect(await page.locator(".who").textContent()).toContain("admin");

    await page.click("text=Start a task");
    await page.fill("input[name=goal]", "Summarize the release notes, then count the words");
    await page.fill("textarea[name=input]", "Switchyard routes each request to a specialist. It caches intents at the edge. It runs multi-step tasks with human approvals. Every step is recorded in a hash-chained audit log.");
    await page.selectOption("select[name=mode]", "workflow:approved-summary");
    await page.check("input[name=approval]");
    await page.click("#start-task button[type=submit]");
    await page.waitForURL(/\/ui\/tasks\/task_[0-9a-f]{32}$/);
    const taskUrl = page.url();

    // the page refreshes itself while the task runs, and stops when it waits for a human
    await page.locator("#approval").waitFor({ timeout: 30_000 });
    expect(await page.locator("#task-status").textContent()).toBe("awaiting approval");
    expect(await page.locator('g.node[data-step="summary"]').getAttribute("class")).toContain("st-succeeded");
    await page.screenshot({ path: `${ARTIFACTS}dashboard-awaiting-approval.png`, fullPage: true });

    await page.fill(".gate-approve input[name=by]", "browser-test");
    await page.fill(".gate-approve input[name=reason]", "the summary reads well");
    await page.click(".gate-approve button[type=submit]");
    await page.locator("#task-status .st-succeeded").waitFor({ timeout: 30_000 });
    expect(page.url()).toBe(taskUrl);
    expect(await page.locator('g.node[data-step="count"]').getAttribute("class")).toContain("st-succeeded");
    expect(await page.locator("#audit-verification").textContent()).toMatch(/chain verifies: \d+ entries/);
    expect(await page.locator("#audit").textContent()).toContain('admin:dev as "browser-test"'); // the signed-in principal, the name typed in the form as its claim
    await page.screenshot({ path: `${ARTIFACTS}dashboard-task.png`, fullPage: true });
    expect(existsSync(`${ARTIFACTS}dashboard-task.png`)).toBe(true);

    await page.click("text=Overview");
    const row = page.locator(`#tasks tr[data-task="${taskUrl.split("/").at(-1)}"]`);
    expect(await row.textContent()).toContain("succeeded");
    await page.screenshot({ path: `${ARTIFACTS}dashboard-overview.png`, fullPage: true });
    expect(problems).toEqual([]);
  });

  it("charts the routing mix and the last hours after traffic: bars and points carry the counts and render with a size", async () => {
    const route = (input: string) => fetch(`${server.url}/v1/route`, { method: "POST", headers: { authorization: "Bearer dev-key", "content-type": "application/json" }, body: JSON.stringify({ input }) });
    for (const input of ["convert 5 km to miles", "convert 6 km to miles", "convert 7 km to miles", "what is 2 + 2?"]) expect((await route(input)).status).toBe(200);
    const chart = page.locator("#chart-intents");
    const read = () => chart.locator("g.bar").evaluateAll((gs) => gs.map((g) => ({ label: g.getAttribute("data-label"), value: Number(g.getAttribute("data-value")), width: (g.querySelector("rect") as unknown as { getBBox(): { width: number } }).getBBox().width })));
    let bars: Awaited<ReturnType<typeof read>> = [];
    // an isolate sends its counters with a hop at most once per observability.metricsFlushMs (1 s): reload until the
    // three conversions are counted, sending another (arithmetic) hop each time so pending counters go out (bounded)
    for (let i = 0; i < 40 && !((bars.find((b) => b.label === "units.convert")?.value ?? 0) >= 3); i++) {
      if (i > 0) {
        await new Promise((r) => setTimeout(r, 600));
        expect((await route(`what is ${i} + 1?`)).status).toBe(200);
      }
      await page.goto(`${server.url}/`);
      if ((await chart.count()) > 0) bars = await read();
    }
    const units = bars.find((b) => b.label === "units.convert");
    expect(units?.value).toBeGreaterThanOrEqual(3);
    expect(units!.width).toBeGreaterThan(0); // drawn, not only in the markup
    expect(bars.every((b) => b.width >= 0)).toBe(true);
    expect(await chart.locator("svg").getAttribute("role")).toBe("img");
    expect((await chart.locator("svg").boundingBox())!.height).toBeGreaterThan(40);
    // the last hours: the requests line has a point for the conversions, drawn
    const traffic = page.locator("#chart-requests");
    const points = await traffic.locator('g.series[data-series="units"] circle').evaluateAll((cs) => cs.map((c) => Number(c.getAttribute("data-v"))));
    expect(points.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(3);
    expect((await traffic.locator('g.series[data-series="units"] polyline').first().boundingBox())!.width).toBeGreaterThan(0);
    await traffic.screenshot({ path: `${ARTIFACTS}dashboard-chart-requests.png` });
    await chart.screenshot({ path: `${ARTIFACTS}dashboard-chart-intents.png` });
    expect(existsSync(`${ARTIFACTS}dashboard-chart-intents.png`)).toBe(true);
    expect(problems).toEqual([]); // no CSP violation from the charts
  });
});
