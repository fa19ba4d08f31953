import { describe, expect, it } from "vitest";
import { Tracer } from "../../../worker/observe/span.ts";
import { tracedChoice, tracedVerification } from "../../../worker/observe/step-spans.ts";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT = "00f067aa0ba902b7";
const tracer = () => new Tracer({ traceId: TRACE, clock: () => 0 });
const view = (t: Tracer) => t.spans.map((s) => ({ name: s.name, parent: s.parentSpanId, status: s.status, attributes: s.attributes }));

describe("a step's intent span", () => {
  const chosen = { ok: true as const, specialist: { id: "units" }, intent: { id: "in_1", label: "units.convert", confidence: 0.9 } };

  it("records how the intent was found and what it chose", async () => {
    const t = tracer();
    expect(await tracedChoice({ tracer: t, parent: PARENT }, "known", async () => chosen)).toBe(chosen);
    expect(view(t)).toEqual([
      {
        name: "intent",
        parent: PARENT,
        status: { code: "ok" },
        attributes: { "switchyard.intent.source": "known", "switchyard.intent.id": "in_1", "switchyard.intent.label": "units.convert", "switchyard.intent.confidence": 0.9, "switchyard.specialist": "units" },
      },
    ]);
  });

  it("records a failed choice, and a thrown one (rethrown)", async () => {
    const t = tracer();
    expect(await tracedChoice({ tracer: t, parent: PARENT }, "classified", async () => ({ ok: false as const, detail: "no specialist" }))).toEqual({ ok: false, detail: "no specialist" });
    await expect(tracedChoice({ tracer: t, parent: PARENT }, "classified", async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(view(t)).toEqual([
      { name: "intent", parent: PARENT, status: { code: "error", message: "no specialist" }, attributes: { "switchyard.intent.source": "classified" } },
      { name: "intent", parent: PARENT, status: { code: "error", message: "Error: boom" }, attributes: { "switchyard.intent.source": "classified" } },
    ]);
  });

  it("records nothing for a step not routed by its intent, or without a trace", async () => {
    const t = tracer();
    expect(await tracedChoice({ tracer: t, parent: PARENT }, undefined, async () => chosen)).toBe(chosen);
    expect(await tracedChoice(undefined, "known", async () => chosen)).toBe(chosen);
    expect(t.spans).toEqual([]);
  });
});

describe("a verification span", () => {
  it("records the verdict and nests the verifier's own spans under it", async () => {
    const t = tracer();
    let inner: { parent: string } | undefined;
    const v = await tracedVerification({ tracer: t, parent: PARENT }, "checker", "units", async (i) => ((inner = i), { pass: false, score: 0.2, reason: "wrong unit" }));
    expect(v).toEqual({ pass: false, score: 0.2, reason: "wrong unit" });
    const [span] = t.spans;
    expect(inner?.parent).toBe(span!.spanId);
    expect(view(t)).toEqual([
      { name: "verification", parent: PARENT, status: { code: "error", message: "wrong unit" }, attributes: { "switchyard.verifier": "checker", "switchyard.specialist": "units", "switchyard.verdict.pass": false, "switchyard.verdict.score": 0.2 } },
    ]);
  });

  it("a pass is ok; a thrown verification is an error, rethrown; no trace, no span", async () => {
    const t = tracer();
    await tracedVerification({ tracer: t, parent: PARENT }, "c", "s", async () => ({ pass: true, score: 1, reason: "fine" }));
    await expect(tracedVerification({ tracer: t, parent: PARENT }, "c", "s", async () => Promise.reject(new Error("down")))).rejects.toThrow("down");
    let given: unknown = "unset";
    await tracedVerification(undefined, "c", "s", async (i) => ((given = i), { pass: true, score: 1, reason: "" }));
    expect(given).toBeUndefined();
    expect(t.spans.map((s) => s.status)).toEqual([{ code: "ok" }, { code: "error", message: "Error: down" }]);
    expect(t.spans[0]!.attributes).toMatchObject({ "switchyard.verdict.pass": true, "switchyard.verdict.score": 1 });
  });
});
