import { describe, expect, it } from "vitest";
import { expiresIn, inboxQuery } from "../../../worker/ui/inbox.ts";

describe("inboxQuery", () => {
  it("lists everything, one reviewer's (trimmed, encoded) or the unassigned", () => {
    expect(inboxQuery({})).toEqual({ filter: {}, apiPath: "/v1/approvals" });
    expect(inboxQuery({ assignee: " alice " })).toEqual({ filter: { assignee: "alice" }, apiPath: "/v1/approvals?assignee=alice" });
    expect(inboxQuery({ assignee: "a&b c" }).apiPath).toBe("/v1/approvals?assignee=a%26b+c");
    expect(inboxQuery({ unassigned: "true" })).toEqual({ filter: { unassigned: true }, apiPath: "/v1/approvals?unassigned=true" });
  });

  it("takes a reviewer over unassigned, and a blank name or another unassigned value as no filter", () => {
    expect(inboxQuery({ assignee: "alice", unassigned: "true" }).filter).toEqual({ assignee: "alice" });
    expect(inboxQuery({ assignee: "  " })).toEqual({ filter: {}, apiPath: "/v1/approvals" });
    expect(inboxQuery({ unassigned: "yes" })).toEqual({ filter: {}, apiPath: "/v1/approvals" });
  });
});

describe("expiresIn", () => {
  const now = Date.parse("2026-01-01T00:00:00.000Z");
  const at = (seconds: number) => new Date(now + seconds * 1000).toISOString();

  it("says how long is left in the largest units that fit", () => {
    expect(expiresIn(at(45), now)).toBe("in 45 s");
    expect(expiresIn(at(60), now)).toBe("in 1 min");
    expect(expiresIn(at(12 * 60 + 59), now)).toBe("in 12 min");
    expect(expiresIn(at(3600), now)).toBe("in 1 h");
    expect(expiresIn(at(3 * 3600 + 20 * 60), now)).toBe("in 3 h 20 min");
    expect(expiresIn(at(86_400), now)).toBe("in 1 d");
    expect(expiresIn(at(2 * 86_400 + 4 * 3600 + 59), now)).toBe("in 2 d 4 h");
  });

  it("says expired at or past the expiry, or for a time it cannot read", () => {
    expect(expiresIn(at(0), now)).toBe("expired");
    expect(expiresIn(at(-5), now)).toBe("expired");
    expect(expiresIn("not a time", now)).toBe("expired");
  });
});
