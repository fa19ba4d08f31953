import { existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevServer, type DevServer } from "../support/dev-server.ts";
import { countPixels, parseColour, type Region } from "../support/png-pixels.ts";

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
    const requestsPng = await traffic.screenshot({ path: `${ARTIFACTS}dashboard-chart-requests.png` });
    const intentsPng = await chart.screenshot({ path: `${ARTIFACTS}dashboard-chart-intents.png` });
    // the screenshots carry the data: decoded, their pixels are in the series' colours (as the page draws them) where the
    // bars and the line are, and not where the chart has no data for that colour. An element screenshot is its bounding
    // box at deviceScaleFactor 1, so a box relative to the figure's is a region of the screenshot in its pixels.
    const within = async (figure: Locator, el: Locator): Promise<Region> => {
      const [f, b] = [(await figure.boundingBox())!, (await el.boundingBox())!];
      return { x: b.x - f.x, y: b.y - f.y, width: b.width, height: b.height };
    };
    const count = async (png: Buffer, colour: string | null, region: Region) => (await countPixels(browser, png, [parseColour(colour!)], { region })).counts[0]!;
    // the units.convert bar (3 requests or more: the longest bar or near it, ~433 × 13 px here): around its box (2 px
    // more a side: the screenshot's origin is the figure's rounded) every pixel but the anti-aliased edge ones is its
    // fill, so at least (width − 2) × (height − 2) of them, and at least 50 whatever the layout
    const unitsBar = chart.locator('g.bar[data-label="units.convert"] rect');
    const [barColour, bar, barsSvg] = [await unitsBar.getAttribute("fill"), await within(chart, unitsBar), await within(chart, chart.locator("svg.chart-svg"))];
    const inBar = await count(intentsPng, barColour, { x: bar.x - 2, y: bar.y - 2, width: bar.width + 4, height: bar.height + 4 });
    expect(inBar).toBeGreaterThanOrEqual(Math.max(50, (bar.width - 2) * (bar.height - 2)));
    // control: the label gutter left of the bars has none of it (every bar is drawn in that colour, none there)
    expect(await count(intentsPng, barColour, { x: barsSvg.x, y: barsSvg.y, width: bar.x - barsSvg.x - 2, height: barsSvg.height })).toBeLessThanOrEqual(2);
    // the units line: above the zero line (whose 2 px stroke, and the zero points' 2.5 px circles, the other series share
    // and overdraw) its colour is there only because units has a point above zero: its circle (~10 full-colour pixels)
    // and the stroke climbing to it, about a pixel a row (measured ~0.9; half of it is asked). With 3 requests on a
    // 0–3 to 0–5 scale the climb is 80–140 px, so at least 50; a busier other series flattens it, and then less
    const unitsLine = traffic.locator('g.series[data-series="units"]');
    const lineColour = await unitsLine.locator("polyline").first().getAttribute("stroke");
    const [plot, zero] = [await within(traffic, traffic.locator("svg.chart-svg")), await within(traffic, traffic.locator("g.axis line").first())]; // the first tick is 0
    const above = { x: plot.x, y: plot.y, width: plot.width, height: zero.y - 4 - plot.y };
    const peak = await within(traffic, unitsLine.locator(`circle[data-v="${Math.max(...points)}"]`).first());
    const climb = zero.y - 4 - (peak.y + peak.height); // the rows between the peak's circle and the zero line's band
    const onLine = await count(requestsPng, lineColour, above);
    expect(climb).toBeGreaterThan(0);
    expect(onLine).toBeGreaterThanOrEqual(Math.min(50, 10 + climb / 2));
    // control: the same band left of units' first point above zero (where its values are 0) has none of its colour
    const first = points.findIndex((v) => v > 0);
    const flat = await within(traffic, unitsLine.locator("circle").nth(Math.max(0, first - 1)));
    const flatBand = { ...above, width: flat.x - 4 - plot.x };
    expect(flatBand.width).toBeGreaterThan(100);
    const offLine = await count(requestsPng, lineColour, flatBand);
    expect(offLine).toBeLessThanOrEqual(2);
    expect(problems).toEqual([]); // no CSP violation from the charts
  });
});
