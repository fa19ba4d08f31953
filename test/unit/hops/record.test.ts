import { describe, expect, it } from "vitest";
import { claimHop, finishHop, HOP_LEASE_MS, hopState, hopView, newHop, parsed, releaseHop, requeueHop, type HopDoc } from "../../../worker/hops/record.ts";
import { claim, complete, DEDUP_WINDOW_MS } from "../../../worker/queues/ledger-logic.ts";

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

describe("an async hop's record: its rules, edge by edge", () => {
  it("starts queued, never run, with no claim, its callback not yet queued, forgotten a window after submission", () => {
    const cb = { url: "https://hooks.example.com/x" };
    expect(newHop({ id: "hop_1", tenant: "acme", admin: true, door: "chat", requestHash: "h1", callback: cb }, T0, 1000)).toEqual({
      id: "hop_1",
      tenant: "acme",
      admin: true,
      door: "chat",
      requestHash: "h1",
      callback: cb,
      status: "queued",
      submittedAt: T0,
      startedAt: null,
      endedAt: null,
      attempts: 0,
      retryAt: null,
      waiting: null,
      lastError: null,
      result: null,
      callbackQueued: false,
      claim: null,
      expiresAt: T0 + 1000,
    });
  });

  it("an ended hop is done for every later delivery, even once its claim has expired (it never runs again)", () => {
    for (const status of [200, 500]) {
      const ended = finishHop(claimed(hop(), T0).doc, 1, { status, headers: {} }, T0 + 1)!;
      expect(ended.status).toBe(status === 200 ? "succeeded" : "failed");
      for (const at of [ended.expiresAt, ended.expiresAt + HOP_LEASE_MS]) expect(claimHop(ended, at), `${status} at ${at}`).toEqual({ verdict: { state: "done" } });
      // an ended hop with no claim at all: done as well
      expect(claimHop({ ...ended, claim: null }, T0 + 2)).toEqual({ verdict: { state: "done" } });
    }
  });

  it("a claim the ledger already completed is done, whatever the record's status says", () => {
    const doc: HopDoc = { ...hop(), status: "running", claim: complete(undefined, "hop_x", { status: 200 }, T0) };
    expect(claimHop(doc, T0 + 1)).toEqual({ verdict: { state: "done" } });
  });

  it("a stale claim stores the ledger's entry and its expiry, and nothing else of the record changes", () => {
    const a = claimed(hop(), T0).doc;
    const r = claimHop(a, T0 + HOP_LEASE_MS + 5);
    const entry = claim(a.claim!, a.id, T0 + HOP_LEASE_MS + 5, HOP_LEASE_MS).store!;
    expect(r).toEqual({ verdict: { state: "stale", claims: 2 }, store: { ...a, claim: entry, expiresAt: entry.expiresAt } });
  });

  it("a delivery may write only while the hop runs under its own claim: not before any claim, not after the end, not after a takeover", () => {
    const fresh = hop();
    expect(finishHop(fresh, 1, ok, T0)).toBeUndefined();
    expect(requeueHop(fresh, 1, T0 + 1, "wait", T0)).toBeUndefined();
    expect(releaseHop(fresh, 1, "Error: x", T0)).toBeUndefined();
    expect(releaseHop(fresh, 0, "Error: x", T0)).toBeUndefined();

    const running = claimed(hop(), T0).doc;
    expect(releaseHop(running, 2, "Error: x", T0 + 1)).toBeUndefined(); // another delivery's claim
    const released = releaseHop(running, 1, "Error: x", T0 + 1)!;
    expect(releaseHop(released, 1, "Error: again", T0 + 2)).toBeUndefined(); // given up already

    // a record that says it ended is never written again, even if its claim still reads claimed
    for (const status of ["succeeded", "failed"] as const) {
      const ended: HopDoc = { ...running, status };
      expect(finishHop(ended, 1, ok, T0 + 3), status).toBeUndefined();
      expect(requeueHop(ended, 1, T0 + 60_000, "wait", T0 + 3), status).toBeUndefined();
      expect(releaseHop(ended, 1, "Error: x", T0 + 3), status).toBeUndefined();
    }
    // the same record while it runs or waits may be written
    for (const status of ["running", "queued"] as const) expect(finishHop({ ...running, status }, 1, ok, T0 + 3)?.status, status).toBe("succeeded");
  });

  it("succeeds on 200 to 299 only: 1xx, 3xx and the rest fail", () => {
    const statusOf = (status: number) => finishHop(claimed(hop(), T0).doc, 1, { status, headers: {} }, T0 + 1)!.status;
    expect([199, 200, 204, 299, 300, 304, 404].map(statusOf)).toEqual(["failed", "succeeded", "succeeded", "succeeded", "failed", "failed", "failed"]);
  });

  it("ending completes the delivery's claim in the ledger with the door's status (same claim count, same claim time)", () => {
    const running = claimed(hop(), T0 + 10).doc;
    const done = finishHop(running, 1, { status: 201, headers: { a: "b" } }, T0 + 50, 1000)!;
    expect(done.claim).toEqual({ ...running.claim, state: "done", leaseUntil: T0 + 50, outcome: { status: 201 }, expiresAt: T0 + 1050 });
    expect(done.claim).toMatchObject({ claims: 1, claimedAt: T0 + 10 });
    expect(done).toMatchObject({ status: "succeeded", endedAt: T0 + 50, result: { status: 201, headers: { a: "b" } }, retryAt: null, waiting: null, expiresAt: T0 + 1050 });
  });

  it("ending a re-queued hop clears when and why it waited", () => {
    const running = claimed(hop(), T0).doc;
    const again = claimed(requeueHop(running, 1, T0 + 100, "at its rate limit", T0 + 1)!, T0 + 100).doc;
    const done = finishHop({ ...again, retryAt: T0 + 200, waiting: "x" }, 2, ok, T0 + 150)!;
    expect(done).toMatchObject({ retryAt: null, waiting: null });
  });
});

describe("a hop as GET /v1/hops/:id shows it", () => {
  it("shows when and why it waits while re-queued", () => {
    const waiting = requeueHop(claimed(hop(), T0).doc, 1, T0 + 60_000, "at its rate limit", T0 + 5)!;
    const view = hopView(hopState(waiting), undefined);
    expect(view).toMatchObject({ status: "queued", startedAt: "2026-06-15T12:00:00.000Z", retryAt: "2026-06-15T12:01:00.000Z", waiting: "at its rate limit", attempts: 1 });
    expect(view).not.toHaveProperty("lastError");
    expect(view).not.toHaveProperty("result");
  });

  it("shows the last error while the hop has no result, and not once it has one", () => {
    const released = releaseHop(claimed(hop(), T0).doc, 1, "Error: pool unavailable", T0 + 5)!;
    const view = hopView(hopState(released), undefined);
    expect(view.lastError).toBe("Error: pool unavailable");
    expect(view).not.toHaveProperty("retryAt");
    expect(view).not.toHaveProperty("waiting");
    const done = finishHop(claimed(released, T0 + 10).doc, 2, ok, T0 + 20)!;
    expect(done.lastError).toBe("Error: pool unavailable");
    const ended = hopView(hopState(done), null);
    expect(ended).not.toHaveProperty("lastError");
    expect(ended).toMatchObject({ status: "succeeded", endedAt: "2026-06-15T12:00:00.020Z", result: { status: 200, body: null } });
  });
});

describe("a stored answer body", () => {
  it("reads as JSON, as its text when it is not JSON, undefined when there is none", () => {
    expect(parsed(null)).toBeUndefined();
    expect(parsed('{"a":[1,"x"]}')).toEqual({ a: [1, "x"] });
    expect(parsed("null")).toBeNull();
    expect(parsed("1")).toBe(1);
    expect(parsed("not json {")).toBe("not json {");
    expect(parsed("")).toBe("");
  });
});
