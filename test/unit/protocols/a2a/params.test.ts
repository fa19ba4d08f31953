import { describe, expect, it } from "vitest";
import { decodePageToken, encodePageToken, ListParams } from "../../../../worker/protocols/a2a/params.ts";

const ID = `task_${"0".repeat(32)}`;
const token = (v: unknown) => btoa(JSON.stringify(v)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");

describe("ListTasks page tokens", () => {
  it("round-trip the cursors the router makes", () => {
    const c = { updatedAt: "2026-11-30T06:01:44.837Z", id: ID };
    expect(decodePageToken(encodePageToken(c))).toEqual(c);
  });

  it("refuse a cursor time the index never wrote: loose dates, padding, other forms", () => {
    for (const t of ["1", "x OR 1=1", "2026-11-30T06:01:44.837Z ", " 2026-11-30T06:01:44.837Z", "2026-11-30T06:01:44Z", "2026-11-30T06:01:44.837+00:00", "2026-02-30T00:00:00.000Z", "+010000-01-01T00:00:00.000Z"])
      expect(decodePageToken(token([t, ID])), t).toBeUndefined();
  });
});

describe("ListTasks statusTimestampAfter", () => {
  const ok = (t: string) => ListParams.safeParse({ statusTimestampAfter: t }).success;
  it("takes ISO 8601 timestamps with a zone", () => {
    for (const t of ["2026-01-31T10:00:00Z", "2026-01-31T10:00:00.123+02:00", "9999-12-31T23:59:59Z", "2024-02-29T00:00:00Z"]) expect(ok(t), t).toBe(true);
  });
  it("refuses dates that do not exist and instants past 9999-12-31 in UTC (the index compares times as text)", () => {
    for (const t of ["2026-02-30T00:00:00Z", "2025-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "9999-12-31T23:59:59-23:59", "9999-12-31T23:00:00-01:00", "2026-01-31T10:00:00"]) expect(ok(t), t).toBe(false);
  });
});
