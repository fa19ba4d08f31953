import { describe, expect, it } from "vitest";
import { A2A_DOMAIN, A2A_REASONS, BAD_REQUEST, ERROR_INFO, RETRY_INFO, ROUTER_DOMAIN, rpcErrorFor, STRUCT, typedDetails, wireError } from "../../../../worker/protocols/a2a/errors.ts";
import { problemToRpc, RPC } from "../../../../worker/protocols/a2a/jsonrpc.ts";

describe("1.0 errors: data as typed details (§3.3.2, §9.5)", () => {
  it("every A2A error has its ErrorInfo reason (§5.4 names, UPPER_SNAKE without 'Error'), domain a2a-protocol.org", () => {
    expect(A2A_REASONS).toEqual({
      [-32001]: "TASK_NOT_FOUND",
      [-32002]: "TASK_NOT_CANCELABLE",
      [-32003]: "PUSH_NOTIFICATION_NOT_SUPPORTED",
      [-32004]: "UNSUPPORTED_OPERATION",
      [-32005]: "CONTENT_TYPE_NOT_SUPPORTED",
      [-32006]: "INVALID_AGENT_RESPONSE",
      [-32007]: "EXTENDED_AGENT_CARD_NOT_CONFIGURED",
      [-32008]: "EXTENSION_SUPPORT_REQUIRED",
      [-32009]: "VERSION_NOT_SUPPORTED",
    });
    expect(typedDetails(RPC.TASK_NOT_FOUND, { taskId: "task_1" })).toEqual([{ "@type": ERROR_INFO, reason: "TASK_NOT_FOUND", domain: A2A_DOMAIN, metadata: { taskId: "task_1" } }]);
    expect(typedDetails(RPC.UNSUPPORTED_OPERATION, undefined)).toEqual([{ "@type": ERROR_INFO, reason: "UNSUPPORTED_OPERATION", domain: A2A_DOMAIN }]);
    // ErrorInfo.metadata is map<string, string>
    expect(typedDetails(RPC.CONTENT_TYPE_NOT_SUPPORTED, { partIndex: 1, mediaType: "application/pdf" })[0]).toMatchObject({ metadata: { partIndex: "1", mediaType: "application/pdf" } });
  });

  it("invalid params: the zod issues as a BadRequest's field violations", () => {
    expect(typedDetails(RPC.INVALID_PARAMS, { errors: [{ path: "message.parts", message: "Required" }] })).toEqual([{ "@type": BAD_REQUEST, fieldViolations: [{ field: "message.parts", description: "Required" }] }]);
  });

  it("a router problem keeps every member: scalars in its ErrorInfo (domain switchyard), Retry-After as RetryInfo, the rest as a Struct", () => {
    const e = problemToRpc({ status: 429, slug: "rate-limited", title: "Rate limited", detail: "d", retryAfterSeconds: 3, extra: { tried: [{ specialist: "a" }] } });
    expect(typedDetails(e.code, e.data)).toEqual([
      { "@type": ERROR_INFO, reason: "RATE_LIMITED", domain: ROUTER_DOMAIN, metadata: { status: "429", type: "urn:switchyard:problem:rate-limited", title: "Rate limited" } },
      { "@type": RETRY_INFO, retryDelay: "3s" },
      { "@type": STRUCT, value: { tried: [{ specialist: "a" }] } },
    ]);
    const v = problemToRpc({ status: 400, slug: "unsupported-field", title: "t", detail: "d", errors: [{ path: "message.parts.1", message: "m" }] });
    expect(typedDetails(v.code, v.data).map((d) => d["@type"])).toEqual([ERROR_INFO, BAD_REQUEST]);
  });

  it("issues that are not about the request (a config that does not validate) stay in a Struct; a bare value is kept too", () => {
    expect(typedDetails(RPC.INTERNAL_ERROR, { status: 503, errors: [{ path: "router", message: "bad" }] })).toEqual([
      { "@type": ERROR_INFO, reason: "INTERNAL_ERROR", domain: ROUTER_DOMAIN, metadata: { status: "503" } },
      { "@type": STRUCT, value: { errors: [{ path: "router", message: "bad" }] } },
    ]);
    expect(typedDetails(RPC.INVALID_REQUEST, "x")).toEqual([{ "@type": ERROR_INFO, reason: "INVALID_REQUEST", domain: ROUTER_DOMAIN, metadata: { detail: "x" } }]);
    expect(typedDetails(-32099, { a: 1 })[0]).toMatchObject({ reason: "CODE_32099" });
  });

  it("0.3 keeps its object; 1.0 without details has no data", () => {
    const e = { code: RPC.TASK_NOT_CANCELABLE, message: "m", data: { taskId: "t", state: "completed" } };
    expect(wireError(e, "0.3")).toBe(e);
    expect(wireError(e, "1.0")).toEqual({ code: RPC.TASK_NOT_CANCELABLE, message: "m", data: [{ "@type": ERROR_INFO, reason: "TASK_NOT_CANCELABLE", domain: A2A_DOMAIN, metadata: { taskId: "t", state: "completed" } }] });
    expect(wireError({ code: RPC.PARSE_ERROR, message: "p" }, "1.0")).toStrictEqual({ code: RPC.PARSE_ERROR, message: "p" });
    expect(rpcErrorFor(7, { code: RPC.PARSE_ERROR, message: "p" }, "1.0")).toStrictEqual({ jsonrpc: "2.0", id: 7, error: { code: RPC.PARSE_ERROR, message: "p" } });
  });
});

describe("typedDetails: what goes where", () => {
  it("booleans are metadata too; null and undefined members are not", () => {
    expect(typedDetails(RPC.TASK_NOT_FOUND, { taskId: "t", final: false, gone: undefined })).toEqual([
      { "@type": ERROR_INFO, reason: "TASK_NOT_FOUND", domain: A2A_DOMAIN, metadata: { taskId: "t", final: "false" } },
    ]);
    expect(typedDetails(RPC.TASK_NOT_FOUND, { taskId: "t", nothing: null })).toEqual([
      { "@type": ERROR_INFO, reason: "TASK_NOT_FOUND", domain: A2A_DOMAIN, metadata: { taskId: "t" } },
      { "@type": STRUCT, value: { nothing: null } },
    ]);
  });

  it("a null detail is kept as a Struct (it is no object to read members of)", () => {
    expect(typedDetails(RPC.INTERNAL_ERROR, null)).toEqual([{ "@type": STRUCT, value: { detail: null } }]);
  });

  it("invalid requests get field violations too; only `errors` whose every entry is a path and a message", () => {
    const issue = { path: "params.id", message: "Required" };
    expect(typedDetails(RPC.INVALID_REQUEST, { errors: [issue] })).toEqual([{ "@type": BAD_REQUEST, fieldViolations: [{ field: "params.id", description: "Required" }] }]);
    for (const bad of [[issue, "x"], [issue, { path: "p" }], [issue, { message: "m" }], [issue, { path: 1, message: "m" }], [issue, null], [issue, [issue]]])
      expect(typedDetails(RPC.INVALID_PARAMS, { errors: bad }), JSON.stringify(bad)).toEqual([{ "@type": STRUCT, value: { errors: bad } }]);
    expect(typedDetails(RPC.INVALID_PARAMS, { issues: [issue] })).toEqual([{ "@type": STRUCT, value: { issues: [issue] } }]);
  });

  it("retryAfterSeconds is RetryInfo only as a number", () => {
    expect(typedDetails(RPC.INTERNAL_ERROR, { retryAfterSeconds: "3" })).toEqual([{ "@type": ERROR_INFO, reason: "INTERNAL_ERROR", domain: ROUTER_DOMAIN, metadata: { retryAfterSeconds: "3" } }]);
  });

  it("a problem slug's runs of other characters become one underscore", () => {
    expect(typedDetails(RPC.INTERNAL_ERROR, { type: "urn:switchyard:problem:budget--exhausted.now" })[0]).toMatchObject({ reason: "BUDGET_EXHAUSTED_NOW", domain: ROUTER_DOMAIN });
  });
});
