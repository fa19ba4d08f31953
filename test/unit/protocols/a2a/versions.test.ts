import { describe, expect, it } from "vitest";
import { RPC } from "../../../../worker/protocols/a2a/jsonrpc.ts";
import { errorWire, parseVersion, requestedVersion, SUPPORTED_VERSIONS, versionRefusal } from "../../../../worker/protocols/a2a/versions.ts";

describe("A2A-Version (§3.6)", () => {
  it("reads 1.0 and 0.3 by Major.Minor (a patch ignored, a bare major is .0); blank is unstated; the rest unsupported", () => {
    for (const v of ["1.0", "1", "1.0.2", " 1.0 ", "01.0"]) expect(parseVersion(v), v).toBe("1.0");
    for (const v of ["0.3", "0.3.0", "0.3.1"]) expect(parseVersion(v), v).toBe("0.3");
    for (const v of [undefined, "", "  "]) expect(parseVersion(v), String(v)).toBe("unstated");
    for (const v of ["1.1", "2.0", "0.2", "0", "abc", "1.0-beta", "v1.0", "1.0.0.0"]) expect(parseVersion(v), v).toEqual({ unsupported: v });
    expect(SUPPORTED_VERSIONS).toEqual(["1.0", "0.3"]);
  });

  it("the header wins over the query parameter (§3.6.1), a blank header does not", () => {
    expect(requestedVersion("0.3", "1.0")).toBe("0.3");
    expect(requestedVersion("", "1.0")).toBe("1.0");
    expect(requestedVersion(undefined, undefined)).toBeUndefined();
  });

  it("serves a call in the version asked for; with none the method's name decides", () => {
    expect(versionRefusal("unstated", { method: "SendMessage", wire: "1.0" })).toBeUndefined();
    expect(versionRefusal("unstated", { method: "message/send", wire: "0.3" })).toBeUndefined();
    expect(versionRefusal("1.0", { method: "GetTask", wire: "1.0" })).toBeUndefined();
    expect(versionRefusal("0.3", { method: "tasks/get", wire: "0.3" })).toBeUndefined();
  });

  it("VersionNotSupported (-32009) for another version, naming the ones spoken", () => {
    expect(versionRefusal({ unsupported: "2.0" }, { method: "GetTask", wire: "1.0" })).toEqual({
      code: RPC.VERSION_NOT_SUPPORTED,
      message: "Version not supported: A2A-Version 2.0 (this agent speaks 1.0 and 0.3)",
      data: { requestedVersion: "2.0", supportedVersions: "1.0, 0.3" },
    });
  });

  it("a method of the other version is not found in the version asked for, naming its counterpart", () => {
    expect(versionRefusal("1.0", { method: "message/send", wire: "0.3" })).toEqual({
      code: RPC.METHOD_NOT_FOUND,
      message: "Method not found: message/send is an A2A 0.3 method, and the request asked for A2A-Version 1.0, which names it SendMessage",
      data: { method: "message/send", requestedVersion: "1.0" },
    });
    expect(versionRefusal("0.3", { method: "ListTasks", wire: "1.0" })?.message).toMatch(/asked for A2A-Version 0.3, which has no such method$/);
    expect(versionRefusal("0.3", { method: "SubscribeToTask", wire: "1.0" })?.message).toMatch(/names it tasks\/resubscribe$/);
  });

  it("errors of unknown methods take the shape of the version asked for (0.3's when none)", () => {
    expect(errorWire("1.0")).toBe("1.0");
    expect(errorWire("0.3")).toBe("0.3");
    expect(errorWire("unstated")).toBe("0.3");
    expect(errorWire({ unsupported: "9.9" })).toBe("0.3");
  });
});

describe("A2A-Version edge cases", () => {
  it("a header of spaces is blank: the query parameter is read", () => {
    expect(requestedVersion("   ", "0.3")).toBe("0.3");
  });

  it("minor and patch may have several digits; an unsupported version is named trimmed", () => {
    expect(parseVersion("1.00")).toBe("1.0");
    expect(parseVersion("0.03")).toBe("0.3");
    expect(parseVersion("1.0.12")).toBe("1.0");
    expect(parseVersion(" 2.0 ")).toEqual({ unsupported: "2.0" });
  });

  it("a method the router does not know has no counterpart in the other version", () => {
    expect(versionRefusal("1.0", { method: "tasks/unknown", wire: "0.3" })).toMatchObject({
      code: RPC.METHOD_NOT_FOUND,
      message: "Method not found: tasks/unknown is an A2A 0.3 method, and the request asked for A2A-Version 1.0, which has no such method",
    });
  });
});
