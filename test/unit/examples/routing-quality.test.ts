/**
 * Routing quality of the bundled config on the held-out halves of eval/bundled/
 * (issue 21, items 2 and 4): fitted and routed exactly as the Worker does
 * (scripts/lib/bundled-eval.ts). Figures reached when the sets and tuning were
 * frozen: scope set in-scope 96.7 % (202/209), out-of-scope recall 91.9 % (102/111);
 * long inputs 100 % (108/108). With routing view/2 and the robustness sets of the
 * review (scope-robust.json, long-robust.json) on the whole held-out halves: short
 * in-scope 96.6 % (228/236), out-of-scope recall 92.0 % (126/137); long 100 % (148/148).
 */
import { beforeAll, describe, expect, it } from "vitest";
import config from "../../../switchyard.config.json" with { type: "json" };
import { app } from "../../../examples/specialists/src/index.ts";
import { bundledRouter, figures, scoreCases, type BundledRouter } from "../../../scripts/lib/bundled-eval.ts";
import { OUT_OF_SCOPE, readScopeCases } from "../../../scripts/lib/eval-cases.ts";
import { readLongCases } from "../../../scripts/lib/long-inputs.ts";
import { loadConfig } from "../../../worker/config/load.ts";

const scope = readScopeCases("eval/bundled/scope.json");
const long = readLongCases("eval/bundled/long-inputs.json");
const scopeRobust = readScopeCases("eval/bundled/scope-robust.json");
const longRobust = readLongCases("eval/bundled/long-robust.json");
let router: BundledRouter;
beforeAll(async () => {
  router = await bundledRouter(loadConfig(config));
}, 60_000);

/** About 1,300 characters of prose, none of it about summaries. */
const PROSE = Array.from(
  { length: 11 },
  (_, i) => `On day ${i + 1} the count of boats in the harbour rose again, and the council said the sea wall would be measured and repaired.`,
).join(" ");

describe("the bundled config on the held-out scope set", () => {
  it("routes at least 95 % of in-scope requests to their specialist and at least 90 % of out-of-scope ones to the fallback", async () => {
    const f = figures(await scoreCases(router, scope.filter((c) => c.split === "test")));
    expect(f.inScopeAccuracy.of).toBeGreaterThanOrEqual(200);
    expect(f.inScopeAccuracy.rate).toBeGreaterThanOrEqual(0.95);
    expect(f.oosRecall.of).toBeGreaterThanOrEqual(100);
    expect(f.oosRecall.rate).toBeGreaterThanOrEqual(0.9);
  });

  it.each(["room 101 booking", "call me at 555 0199", "flight BA 283 status"])("sends %j to the fallback, not to arithmetic", async (text) => {
    expect((await router.route(text)).specialist).toBe("general");
  });
});

describe("the bundled config on the held-out long-input set (200-20,000 characters)", () => {
  it("routes at least 98 % of requests as their instruction would (100 % when frozen)", async () => {
    const f = figures(await scoreCases(router, long.filter((c) => c.split === "test")));
    expect(f.inScopeAccuracy.of).toBeGreaterThanOrEqual(100);
    expect(f.inScopeAccuracy.rate).toBeGreaterThanOrEqual(0.98);
  });

  it("sends 'summarize in 2 sentences: <1,300 characters of prose>' to summarize", async () => {
    const input = `summarize in 2 sentences: ${PROSE}`;
    expect(input.length).toBeGreaterThanOrEqual(1300);
    expect(input.length).toBeLessThanOrEqual(1500);
    expect(await router.route(input)).toMatchObject({ specialist: "summarize", label: "text.summarize", inScope: true });
  });
});

describe("the bundled config on the whole held-out halves, with the review's robustness sets", () => {
  it("routes at least 95 % of short in-scope requests right and at least 90 % of short out-of-scope ones to the fallback", async () => {
    const f = figures(await scoreCases(router, [...scope, ...scopeRobust].filter((c) => c.split === "test")));
    expect(f.inScopeAccuracy.of).toBeGreaterThanOrEqual(230);
    expect(f.inScopeAccuracy.rate).toBeGreaterThanOrEqual(0.95);
    expect(f.oosRecall.of).toBeGreaterThanOrEqual(130);
    expect(f.oosRecall.rate).toBeGreaterThanOrEqual(0.9);
  });

  it("routes at least 95 % of long in-scope requests (sign-offs, instructions in the middle, tricky payloads included) to their specialist", async () => {
    const f = figures(await scoreCases(router, [...long, ...longRobust].filter((c) => c.split === "test")));
    expect(f.inScopeAccuracy.of).toBeGreaterThanOrEqual(145);
    expect(f.inScopeAccuracy.rate).toBeGreaterThanOrEqual(0.95);
  });

  it.each([
    ["Summarize this for me:\n\n{p}\n\nThanks!", "summarize"],
    ["Please summarise the report below.\n\n{p}\n\nBest regards,\nAnna", "summarize"],
    ["{p}\n\nHow many words is that?\n\n-- \nSent from my iPhone", "text-stats"],
    ["How many words is this?\n\n{p}\n\n(no rush)", "text-stats"],
    ["{p}\n\nCan you summarize this? It's for my boss.", "summarize"],
    ["count the words in this: How many days until christmas? {p}", "text-stats"],
  ])("routes the long request %j by its instruction, not its sign-off or payload", async (template, specialist) => {
    expect((await router.route(template.replace("{p}", PROSE))).specialist).toBe(specialist);
  });

  it.each([
    ["summarize: Revenue was 4.2m in Q1, 5.1m in Q2 and 6.3m in Q3.", "summarize"],
    ["word count of: convert 5 km to miles", "text-stats"],
    ["I run 5 km every morning, how many miles is that", "units"],
  ])("routes %j by its instruction, not the numbers in its payload", async (text, specialist) => {
    expect((await router.route(text)).specialist).toBe(specialist);
  });

  it.each(["I scored 87 out of 100 on my test", "my zip code is 90210", "call me back on +44 20 7946 0958", "the invoice is due 31/12"])(
    "sends the statement %j to the fallback",
    async (text) => {
      expect((await router.route(text)).specialist).toBe("general");
    },
  );
});

describe("the scope set's in-scope requests", () => {
  it("are all answered by the specialist they are expected at", async () => {
    const failures: string[] = [];
    for (const c of scope.filter((c) => c.expect !== OUT_OF_SCOPE)) {
      const res = await app.request(`/${c.expect}`, { method: "POST", body: JSON.stringify({ input: c.text, context: { now: "2026-03-01T12:00:00Z" } }) });
      if (res.status !== 200) failures.push(`${c.expect} ${res.status} ${c.text}`);
    }
    expect(failures).toEqual([]);
  });
});
