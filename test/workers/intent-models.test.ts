import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CONTROL_CACHE_MS } from "../../worker/control.ts";
import type { Env } from "../../worker/env.ts";
import { BUILT_IN_MODEL } from "../../worker/generated/intent-model.ts";
import { BuiltinEncoder } from "../../worker/intent/builtin-encoder.ts";
import { buildIntentModel, modelKey } from "../../worker/intent/model.ts";
import { storeKey } from "../../worker/intent-models.ts";
import { getRuntime } from "../../worker/runtime.ts";
import { fakeClock } from "./clock.ts";
import { call, callWith, configWith } from "./helpers.ts";

/**
 * No intent model is fitted on a request (issue 13): an isolate loads the bundled
 * config's model built at build time, a stored snapshot, or the IntentFitter Durable
 * Object's (which fits once per deployment and config); a changed config is served by
 * the previous model until the fitted one arrives. Asserted by the model's source.
 */
const E = env as unknown as Env;
const ADMIN = { authorization: "Bearer dev-admin-key" };

/** A config of its own, so this test's model key is not shared with other tests. */
function isolatedConfig(tag: string): string {
  return configWith((c) => {
    c.specialists[0]!.intents![0]!.examples.push(`an example only the ${tag} test has`);
  });
}

function sourcesOf(raw: string) {
  const c = JSON.parse(raw) as { specialists: { id: string; intents?: { label: string; examples: string[] }[] }[] };
  return c.specialists.flatMap((s) => (s.intents ?? []).map((i) => ({ specialist: s.id, label: i.label, examples: i.examples })));
}

let clock: ReturnType<typeof fakeClock>;
beforeEach(() => void (clock = fakeClock()));
afterEach(() => clock.restore());

describe("intent models come from the build, a snapshot or the fitter, never a fit in the isolate", () => {
  it("a fresh isolate serves the bundled config with the model built in at build time", async () => {
    expect(BUILT_IN_MODEL).not.toBeNull();
    const rt = await getRuntime({ ...E, SWITCHYARD_CONFIG: undefined });
    expect(rt.intentModel).toEqual({ source: "built-in", key: BUILT_IN_MODEL!.key, fingerprint: BUILT_IN_MODEL!.fingerprint });
    const res = await callWith({ SWITCHYARD_CONFIG: undefined }, "/v1/route", { json: { input: "convert 5 km to miles" } });
    expect(((await res.json()) as { decision: { specialist: string } }).decision.specialist).toBe("units");
  });

  it("a config not built in is fitted by the IntentFitter once, kept in its storage and in KV", async () => {
    const SWITCHYARD_CONFIG = isolatedConfig("fitter");
    const rt = await getRuntime({ ...E, SWITCHYARD_CONFIG });
    expect(rt.intentModel.source).toBe("fitter");
    const key = await modelKey(new BuiltinEncoder().id, sourcesOf(SWITCHYARD_CONFIG));
    expect(rt.intentModel.key).toBe(key);
    const name = storeKey(E, key);
    const stub = E.INTENT_FITTER!.get(E.INTENT_FITTER!.idFromName(name));
    const rows = await runInDurableObject(stub, (_o, state: DurableObjectState) => state.storage.sql.exec<{ name: string }>("SELECT name FROM snapshot").toArray());
    expect(rows).toEqual([{ name }]);
    // asked again (another isolate), it answers from storage: the same bytes, still one row
    const again = await stub.fit(name, sourcesOf(SWITCHYARD_CONFIG), { encoder: "builtin", workersAiModel: "" });
    if (!again.ok) throw new Error(again.error);
    expect((await runInDurableObject(stub, (_o, state: DurableObjectState) => state.storage.sql.exec("SELECT name FROM snapshot").toArray())).length).toBe(1);
    await vi.waitFor(async () => expect(new Uint8Array((await E.INTENTS!.get(name, "arrayBuffer"))!)).toEqual(new Uint8Array(again.packed)), { timeout: 5_000 });
    // the same sources under another config text (whitespace): the model this isolate holds
    const reformatted = await getRuntime({ ...E, SWITCHYARD_CONFIG: JSON.stringify(JSON.parse(SWITCHYARD_CONFIG), null, 1) });
    expect(reformatted.intentModel).toMatchObject({ source: "memory", key });
  });

  it("the fitter refuses to store a model under a name that is not its sources' key", async () => {
    const stub = E.INTENT_FITTER!.get(E.INTENT_FITTER!.idFromName("model:local:not-the-key"));
    const r = await stub.fit("model:local:not-the-key", sourcesOf(isolatedConfig("name")), { encoder: "builtin", workersAiModel: "" });
    expect(r).toMatchObject({ ok: false, error: expect.stringMatching(/not the name of these sources' model/) });
    expect(await runInDurableObject(stub, (_o, state: DurableObjectState) => state.storage.sql.exec("SELECT name FROM snapshot").toArray())).toEqual([]);
  });

  it("a snapshot stored in KV is loaded; a corrupt one is skipped for the fitter's", async () => {
    const SWITCHYARD_CONFIG = isolatedConfig("kv");
    const sources = sourcesOf(SWITCHYARD_CONFIG);
    const encoder = new BuiltinEncoder();
    const other = await buildIntentModel(sources, encoder, { epochs: 1, minUpdates: 1, seed: 7 });
    await E.INTENTS!.put(storeKey(E, await modelKey(encoder.id, sources)), other.classifier.packed());
    const restored = await getRuntime({ ...E, SWITCHYARD_CONFIG });
    expect(restored.intentModel).toMatchObject({ source: "kv", fingerprint: other.classifier.fingerprint });

    const CORRUPT = isolatedConfig("corrupt");
    await E.INTENTS!.put(storeKey(E, await modelKey(encoder.id, sourcesOf(CORRUPT))), new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]));
    const refit = await getRuntime({ ...E, SWITCHYARD_CONFIG: CORRUPT });
    expect(refit.intentModel.source).toBe("fitter");
    expect(refit.intentModel.fingerprint).toBe((await buildIntentModel(sourcesOf(CORRUPT), encoder)).classifier.fingerprint);
  });

  it("after a registration, the previous model serves at once (interim) and the fitted one is swapped in when it arrives", async () => {
    const SWITCHYARD_CONFIG = isolatedConfig("registration");
    expect((await getRuntime({ ...E, SWITCHYARD_CONFIG })).intentModel.source).toBe("fitter");
    const registered = await call("/v1/admin/specialists/tides", {
      method: "PUT",
      headers: ADMIN,
      json: { endpoint: { type: "http", url: "https://example.com/tides" }, intents: [{ label: "tides.times", examples: ["when is high tide", "tide times for brest", "low tide tomorrow morning", "is the tide coming in", "tide table for saint malo"] }] },
    });
    expect(registered.status).toBe(200);
    clock.advance(CONTROL_CACHE_MS + 1);
    const interim = await getRuntime({ ...E, SWITCHYARD_CONFIG });
    expect(interim.intentModel.source).toBe("interim"); // served without waiting for the fit
    expect(interim.registry.has("tides")).toBe(true); // pinned requests reach it already
    const fitted = await vi.waitFor(
      async () => {
        const rt = await getRuntime({ ...E, SWITCHYARD_CONFIG });
        if (rt.intentModel.source === "interim") throw new Error("still interim");
        return rt;
      },
      { timeout: 20_000, interval: 50 },
    );
    expect(fitted.intentModel.source).toBe("fitter");
    expect(fitted.intents.model.labelToSpecialist.get("tides.times")).toBe("tides");
    expect((await call("/v1/admin/specialists/tides", { method: "DELETE", headers: ADMIN })).status).toBe(200);
  });
});
