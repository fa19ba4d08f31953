import { describe, expect, it } from "vitest";
import { claimHop, finishHop, HOP_LEASE_MS, hopState, hopView, newHop, releaseHop, requeueHop, type HopDoc } from "../../../worker/hops/record.ts";
import { DEDUP_WINDOW_MS } from "../../../worker/queues/ledger-logic.ts";

const T0 = Date.parse("2026-06-15T12:00:00Z");
const hop = () => newHop({ id: "hop_00000000-0000-0000-0000-000000000000", tenant: "acme", admin: false, door: "route", requestHash: "h", callback: null }, T0);

/** Applies a claim and keeps what it stores. */
function claimed(doc: HopDoc, now: number) {
  const r = claimHop(doc, now);
  return { verdict: r.verdict, doc: r.store ?? doc };
}

const ok = { status: 200, headers: { "content-type": "application/json" } };

describe("an async hop's record", () => {
  it("is queued, then running under the first delivery's claim; a second delivery meanwhile waits out the lease", () => {
    const a = claimed(hop(), T0 + 10);
    expect(a.verdict).toEqual({ state: "claimed", claims: 1 });
    expect(a.doc).toMatchObject({ status: "running", startedAt: T0 + 10, attempts: 1 });
    const b = claimed(a.doc, T0 + 1010);
    expect(b.verdict).toEqual({ state: "busy", retryAfterMs: HOP_LEASE_MS - 1000 });
    expect(b.doc).toBe(a.doc);
  });

  it("ends succeeded on a 2xx, failed otherwise; a redelivery then finds it done and changes nothing", () => {
    const a = claimed(hop(), T0);
    const done = finishHop(a.doc, 1, ok, T0 + 50)!;
    expect(done).toMatchObject({ status: "succeeded", endedAt: T0 + 50, result: ok, expiresAt: T0 + 50 + DEDUP_WINDOW_MS });
    expect(claimHop(done, T0 + 60)).toEqual({ verdict: { state: "done" } });
    expect(claimHop(done, T0 + HOP_LEASE_MS * 3)).toEqual({ verdict: { state: "done" } });
    expect(finishHop(done, 1, { status: 500, headers: {} }, T0 + 70)).toBeUndefined();
    expect(finishHop(claimed(hop(), T0).doc, 1, { status: 422, headers: {} }, T0 + 1)!.status).toBe("failed");
    expect(finishHop(claimed(hop(), T0).doc, 1, { status: 429, headers: {} }, T0 + 1)!.status).toBe("failed");
  });

  it("a claim whose delivery vanished is stale after its lease: the next delivery takes it over (and only it may end it)", () => {
    const a = claimed(hop(), T0);
    const b = claimed(a.doc, T0 + HOP_LEASE_MS);
    expect(b.verdict).toEqual({ state: "stale", claims: 2 });
    expect(b.doc.status).toBe("running");
    expect(b.doc.attempts).toBe(1); // taking over is not running it again
    expect(finishHop(b.doc, 1, ok, T0 + HOP_LEASE_MS + 1)).toBeUndefined(); // the vanished one, back late: fenced off
    expect(finishHop(b.doc, 2, { status: 502, headers: {} }, T0 + HOP_LEASE_MS + 1)!.status).toBe("failed");
  });

  it("re-queued over a limit: queued until retryAt, the claim released, run again by the next delivery", () => {
    const a = claimed(hop(), T0);
    const waiting = requeueHop(a.doc, 1, T0 + 60_000, "at its rate limit", T0 + 5)!;
    expect(waiting).toMatchObject({ status: "queued", retryAt: T0 + 60_000, waiting: "at its rate limit", attempts: 1 });
    expect(requeueHop(waiting, 1, T0 + 1, "again", T0 + 6)).toBeUndefined(); // no longer held
    const b = claimed(waiting, T0 + 60_000);
    expect(b.verdict).toEqual({ state: "claimed", claims: 2 });
    expect(b.doc).toMatchObject({ status: "running", attempts: 2, retryAt: null, waiting: null });
  });

  it("released after an internal error: queued with the error, then claimed again", () => {
    const a = claimed(hop(), T0);
    const released = releaseHop(a.doc, 1, "Error: pool unavailable", T0 + 5)!;
    expect(released).toMatchObject({ status: "queued", lastError: "Error: pool unavailable" });
    expect(claimed(released, T0 + 2005).verdict).toEqual({ state: "claimed", claims: 2 });
  });

  it("is viewed with ISO times, its links, its result once ended, never its claim or its callback's secret", () => {
    const doc = { ...hop(), callback: { url: "https://hooks.example.com/x", secret: "0123456789abcdef" } };
    const queued = hopView(hopState(doc), undefined);
    expect(queued).toEqual({
      id: doc.id,
      status: "queued",
      door: "route",
      submittedAt: "2026-06-15T12:00:00.000Z",
      startedAt: null,
      endedAt: null,
      attempts: 0,
      callback: { url: "https://hooks.example.com/x" },
      expiresAt: new Date(T0 + DEDUP_WINDOW_MS).toISOString(),
      links: { self: `/v1/hops/${doc.id}`, trace: `/v1/hops/${doc.id}/trace` },
    });
    const done = finishHop(claimed(doc, T0).doc, 1, ok, T0 + 1)!;
    expect(hopView(hopState(done), { a: 1 }).result).toEqual({ ...ok, body: { a: 1 } });
    expect(hopView(hopState(done), { a: 1 }, true).result).toEqual({ ...ok, bodyOmitted: true });
    expect(JSON.stringify(hopView(hopState(done), { a: 1 }))).not.toMatch(/secret|claim/);
  });
});
