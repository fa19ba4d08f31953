import { describe, expect, it, vi } from "vitest";
import type { Env } from "../../../worker/env.ts";
import { ATTR, SPAN } from "../../../worker/observe/attributes.ts";
import type { SpecialistDay } from "../../../worker/observe/metrics-model.ts";
import { pendingHopRef, recordMetrics } from "../../../worker/observe/sinks.ts";
import type { SpanRecord } from "../../../worker/observe/span.ts";
import type { BucketDelta } from "../../../worker/observe/timeseries.ts";

const T = Date.parse("2026-11-23T10:00:00.000Z");
let n = 0;
const call = (specialist: string, outcome: string): SpanRecord => ({
  traceId: "b".repeat(32),
  spanId: String(++n).padStart(16, "0"),
  name: SPAN.call,
  kind: "client",
  startMs: T - 5,
  endMs: T,
  attributes: { [ATTR.specialist]: specialist, [ATTR.outcome]: outcome, [ATTR.costUsd]: 0.01 },
  status: { code: "unset" },
});

/** A METRICS binding that records what each specialist's object receives (the binding boundary). */
function metricsBinding() {
  const sent: { name: string; days: SpecialistDay[]; buckets?: BucketDelta[] }[] = [];
  const env = {
    METRICS: {
      idFromName: (name: string) => name,
      get: (name: string) => ({ record: async (days: SpecialistDay[], buckets?: BucketDelta[]) => void sent.push({ name, days, buckets }) }),
    },
  } as unknown as Env;
  return { env, sent };
}

describe("recordMetrics batching", () => {
  it("adds counters up per isolate and sends them at most once per flush interval, one call per specialist", async () => {
    const { env, sent } = metricsBinding();
    await recordMetrics(env, [call("units", "ok")], 1_000, T); // first send
    expect(sent).toHaveLength(1);
    await recordMetrics(env, [call("units", "ok"), call("units", "timeout")], 1_000, T + 1_001);
    expect(sent).toHaveLength(2);
    const units = sent[1]!.days;
    expect(units[0]).toMatchObject({ calls: 2, ok: 1, errors: 1, failures: { timeout: 1 } });
    expect(units[0]!.costUsd).toBeCloseTo(0.02, 9);
  });

  it("holds counters back within the interval, and sends them when it ends even if no hop follows", async () => {
    vi.useFakeTimers({ now: T + 5_000 });
    try {
      const { env, sent } = metricsBinding();
      await recordMetrics(env, [call("units", "ok")], 1_000, Date.now()); // sends (the last send was long ago)
      expect(sent).toHaveLength(1);
      const later = recordMetrics(env, [call("units", "ok"), call("units", "timeout")], 1_000, Date.now() + 10);
      const again = recordMetrics(env, [call("general", "ok")], 1_000, Date.now() + 20);
      await vi.advanceTimersByTimeAsync(900);
      expect(sent).toHaveLength(1); // held back
      await vi.advanceTimersByTimeAsync(200); // the interval ends: sent with no further hop
      await Promise.all([later, again]);
      const flushed = sent.slice(1);
      expect(flushed.map((s) => s.name).sort()).toEqual(["specialist:general", "specialist:units"]);
      expect(flushed.find((s) => s.name === "specialist:units")!.days[0]).toMatchObject({ calls: 2, ok: 1, errors: 1 });
    } finally {
      vi.useRealTimers();
    }
  });

  it("keeps the counters of a send that failed and sends them with the next flush", async () => {
    const sent: SpecialistDay[][] = [];
    let fail = true;
    const env = {
      METRICS: {
        idFromName: (name: string) => name,
        get: () => ({
          record: async (days: SpecialistDay[]) => {
            if (fail) throw new Error("metrics object overloaded");
            sent.push(days);
          },
        }),
      },
    } as unknown as Env;
    const t0 = T + 100_000;
    await recordMetrics(env, [call("fragile", "ok")], 0, t0);
    expect(sent).toHaveLength(0);
    fail = false;
    await recordMetrics(env, [call("fragile", "timeout")], 0, t0 + 1);
    expect(sent).toHaveLength(1);
    expect(sent[0]![0]).toMatchObject({ specialist: "fragile", calls: 2, ok: 1, errors: 1 });
  });

  it("sends each hop's reference with its specialist's counters, and knows the references not sent yet", async () => {
    vi.useFakeTimers({ now: T + 200_000 });
    try {
      const { env, sent } = metricsBinding();
      const hop = (id: string, tenant: string): SpanRecord[] => {
        const root: SpanRecord = { ...call("units", "ok"), name: "POST /v1/route", kind: "server", attributes: { [ATTR.hop]: id, [ATTR.tenant]: tenant, [ATTR.specialist]: "units" } };
        return [{ ...call("units", "ok"), parentSpanId: root.spanId }, root];
      };
      await recordMetrics(env, hop("hop_a", "acme"), 1_000, Date.now(), 60_000); // sent at once (the last send was long ago)
      expect(sent.at(-1)!.days[0]!.hopRefs).toEqual([expect.objectContaining({ hop: "hop_a", tenant: "acme", specialist: "units", expiresAt: T + 60_000 })]);
      expect(pendingHopRef("hop_a", "acme")).toBeUndefined(); // sent: the Metrics object has it now
      const held = recordMetrics(env, hop("hop_b", "acme"), 1_000, Date.now() + 10, 60_000);
      expect(pendingHopRef("hop_b", "acme")).toMatchObject({ hop: "hop_b", specialist: "units" });
      expect(pendingHopRef("hop_b", "beta")).toBeUndefined(); // another tenant's
      await vi.advanceTimersByTimeAsync(1_100);
      await held;
      expect(pendingHopRef("hop_b", "acme")).toBeUndefined();
      expect(sent.at(-1)!.days[0]!.hopRefs!.map((r) => r.hop)).toEqual(["hop_b"]);
    } finally {
      vi.useRealTimers();
    }
  });

  // after the other tests' times: the last send's time is the module's
  it("sends the time series' minute deltas in the same call as the day counters, per tenant", async () => {
    const { env, sent } = metricsBinding();
    await recordMetrics(env, [call("units", "ok"), call("units", "timeout")], 0, T + 1_000_000, 0, "acme");
    await recordMetrics(env, [call("units", "ok")], 0, T + 1_000_001, 0, "zeta");
    expect(sent).toHaveLength(2); // one call per flush and specialist, as before
    expect(sent[0]!.buckets).toEqual([expect.objectContaining({ specialist: "units", tenant: "acme", start: T, calls: 2, ok: 1, errors: 1 })]); // start: the minute the calls ended in
    expect(sent[1]!.buckets).toEqual([expect.objectContaining({ tenant: "zeta", calls: 1 })]);
  });
});
