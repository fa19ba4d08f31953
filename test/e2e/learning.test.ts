import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevServer, type DevServer } from "../support/dev-server.ts";

/**
 * The README's "Routing that learns" sequence against `wrangler dev` (one isolate, as
 * a user runs it): a correction through POST /v1/feedback changes the tenant's next
 * classification within seconds (the model fitted by the IntentFitter in the
 * feedback's own after-response work), and a revert takes it back.
 */
let server: DevServer;
const INPUT = "what's 12 stone in pounds";
const as = (key: string) => ({ authorization: `Bearer ${key}`, "content-type": "application/json" });

beforeAll(async () => {
  server = await startDevServer();
});
afterAll(async () => {
  await server?.stop();
});

async function post(path: string, body: unknown, key = "dev-key"): Promise<Response> {
  return fetch(`${server.url}${path}`, { method: "POST", headers: as(key), body: JSON.stringify(body) });
}
const classify = async () => (await (await post("/v1/intents", { input: INPUT })).json()) as { label: string; specialist: string; inScope: boolean };

/** Polls `read` every 250 ms until `ok` (at most `ms`), returning the last value read. */
async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  let v = await read();
  while (!ok(v) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 250));
    v = await read();
  }
  return v;
}

describe("routing that learns, over real HTTP", () => {
  it("a correction moves the tenant's next classification within seconds, and a revert moves it back", async () => {
    const before = await classify();
    expect(before).toMatchObject({ specialist: "general", inScope: false });
    const hop = (await (await post("/v1/route", { input: INPUT })).json()) as { id: string };
    const fb = await post("/v1/feedback", { hopId: hop.id, outcome: "bad", correctLabel: "units.convert" });
    expect(fb.status).toBe(201);
    const learned = ((await fb.json()) as { learned: { status: string; example: string } }).learned;
    expect(learned).toMatchObject({ status: "active", example: expect.stringMatching(/^lx_/) });

    const after = await until(classify, (r) => r.specialist === "units", 10_000);
    expect(after).toMatchObject({ label: "units.convert", specialist: "units", inScope: true });

    const revert = await post(`/v1/admin/learned/${learned.example}/revert`, {}, "dev-admin-key");
    expect(revert.status).toBe(200);
    const back = await until(classify, (r) => r.specialist === "general", 10_000);
    expect(back).toMatchObject({ specialist: "general", inScope: false });
  }, 60_000);
});
