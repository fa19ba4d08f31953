import { describe, expect, it } from "vitest";
import { RpcFailure } from "../../../../worker/protocols/a2a/jsonrpc.ts";
import { decodePageToken, encodePageToken, ListParams, parseParams } from "../../../../worker/protocols/a2a/params.ts";

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

describe("ListTasks page tokens, as text", () => {
  it("are URL-safe base64 without padding, whatever the cursor's bytes", () => {
    // ids and times whose JSON encodes to '+', '/' and '=' in plain base64
    for (const id of [`task_${"f".repeat(32)}`, `task_${"3e".repeat(16)}`, `task_${"0".repeat(31)}a`]) {
      for (const updatedAt of ["2026-11-30T06:01:44.837Z", "1999-01-01T00:00:00.000Z", "2026-11-30T06:01:44.838Z"]) {
        const t = encodePageToken({ updatedAt, id });
        expect(t).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(decodePageToken(t)).toEqual({ updatedAt, id });
      }
    }
    expect(btoa(JSON.stringify(["2026-11-30T06:01:44.837Z", `task_${"f".repeat(32)}`]))).toMatch(/[+/=]/); // the case above is not vacuous
  });

  it("refuse anything but a [time, task id] pair", () => {
    const at = "2026-11-30T06:01:44.837Z";
    for (const v of [[at], [at, ID, 1], { updatedAt: at, id: ID }, [at, 7], [7, ID], [at, `x${ID}`], [at, `${ID}0`], [at, "task_XYZ"], "s", null])
      expect(decodePageToken(token(v)), JSON.stringify(v)).toBeUndefined();
    expect(decodePageToken("%%%not base64")).toBeUndefined();
  });

  it("as ListTasks params: empty means the first page; a token the router did not make is refused", () => {
    expect(ListParams.safeParse({ pageToken: "" }).success).toBe(true);
    expect(ListParams.safeParse({}).success).toBe(true);
    expect(ListParams.safeParse({ pageToken: encodePageToken({ updatedAt: "2026-11-30T06:01:44.837Z", id: ID }) }).success).toBe(true);
    const r = ListParams.safeParse({ pageToken: "bm9wZQ" });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toBe("not a page token from a previous ListTasks answer");
  });
});

describe("parseParams", () => {
  it("answers the data, or throws -32602 naming every issue's path ((root) for the params themselves)", () => {
    expect(parseParams(ListParams, { pageSize: 5 })).toEqual({ pageSize: 5 });
    const thrown = (params: unknown) => {
      try {
        parseParams(ListParams, params);
      } catch (e) {
        return (e as RpcFailure).error;
      }
      throw new Error("no failure");
    };
    const e = thrown({ pageSize: 0, status: "done" });
    expect(e.code).toBe(-32602);
    expect(e.message).toMatch(/^Invalid params: status: .+; pageSize: .+$/);
    expect((e.data as { errors: { path: string }[] }).errors.map((x) => x.path)).toEqual(["status", "pageSize"]);
    expect(thrown("x").message).toMatch(/^Invalid params: \(root\): /);
  });
});

