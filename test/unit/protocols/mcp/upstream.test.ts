import { describe, expect, it } from "vitest";
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import { StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpEndpoint } from "../../../../worker/config/endpoints.ts";
import {
  listUpstreamTools,
  MAX_SERVER_TOOLS,
  MAX_TOOL_PAGES,
  openUpstream,
  sessionGone,
  UpstreamConfigError,
  upstreamFailure,
  upstreamKey,
  type McpClient,
} from "../../../../worker/protocols/mcp/upstream.ts";

const endpoint = (extra: Record<string, unknown> = {}) => McpEndpoint.parse({ type: "mcp", url: "https://mcp.example.com/mcp", ...extra });

describe("upstreamFailure: the server's JSON-RPC errors", () => {
  it.each([ErrorCode.InvalidRequest, ErrorCode.MethodNotFound, ErrorCode.InvalidParams])("%i: the server refused the call (upstream 400)", (code) => {
    const e = new McpError(code, "bad params");
    expect(upstreamFailure(e)).toEqual({ kind: "refused", detail: `MCP error ${code}: bad params`, upstream: { status: 400, message: `MCP error ${code}: bad params` } });
  });

  it("-32001 (the SDK's request timeout) is a timeout", () => {
    expect(upstreamFailure(new McpError(ErrorCode.RequestTimeout, "Request timed out"))).toEqual({ kind: "timeout", detail: "the server did not answer in time: MCP error -32001: Request timed out" });
  });

  it.each([ErrorCode.InternalError, ErrorCode.ConnectionClosed, ErrorCode.ParseError, -1, 42])("%i is the server's error (http_error, no status)", (code) => {
    expect(upstreamFailure(new McpError(code, "boom"))).toEqual({ kind: "http_error", detail: `the server answered an error (${code}): MCP error ${code}: boom` });
  });

  it("an error named otherwise whose message says 'MCP error ' is read the same; one without a numeric code is not", () => {
    const e = Object.assign(new Error("MCP error -32602: x"), { code: -32602 });
    expect(upstreamFailure(e).kind).toBe("refused");
    const named = Object.assign(new Error("other words"), { name: "McpError", code: -32601 });
    expect(upstreamFailure(named).kind).toBe("refused");
    expect(upstreamFailure(Object.assign(new Error("MCP error -32602: x"), { code: "-32602" })).kind).toBe("bad_response");
    expect(upstreamFailure(Object.assign(new Error("mcp error -32602: x"), { code: -32602 })).kind).toBe("bad_response");
  });
});

describe("upstreamFailure: HTTP statuses", () => {
  it("429 is rate limiting", () => {
    expect(upstreamFailure(new StreamableHTTPError(429, "Error POSTing to endpoint: slow down"))).toEqual({ kind: "rate_limited", detail: "the MCP server is rate-limiting the router (429)", status: 429 });
  });

  it.each([500, 401, 404, 503])("%i is an http_error with its status", (status) => {
    expect(upstreamFailure(new StreamableHTTPError(status, "Error POSTing to endpoint: nope"))).toEqual({ kind: "http_error", detail: "Streamable HTTP error: Error POSTing to endpoint: nope", status });
  });

  it("code -1 (an unexpected content type) or 0 is an http_error without a status", () => {
    expect(upstreamFailure(new StreamableHTTPError(-1, "Unexpected content type: text/html"))).toEqual({ kind: "http_error", detail: "Streamable HTTP error: Unexpected content type: text/html" });
    expect(upstreamFailure(new StreamableHTTPError(0, "x"))).not.toHaveProperty("status");
  });

  it("an error with a numeric code but no 'Streamable HTTP error:' message is no HTTP status", () => {
    expect(upstreamFailure(Object.assign(new Error("HTTP 429"), { code: 429 })).kind).toBe("bad_response");
  });
});

describe("upstreamFailure: aborts, the network, config and anything else", () => {
  it.each(["AbortError", "TimeoutError"])("a %s is a timeout", (name) => {
    expect(upstreamFailure(new DOMException("aborted", name))).toEqual({ kind: "timeout", detail: "the tool call did not finish in time" });
    expect(upstreamFailure(Object.assign(new Error("x"), { name }))).toEqual({ kind: "timeout", detail: "the tool call did not finish in time" });
  });

  it.each(["fetch failed", "Network connection lost", "could not CONNECT"])("a TypeError '%s' is unreachable", (message) => {
    expect(upstreamFailure(new TypeError(message))).toEqual({ kind: "unreachable", detail: message });
  });

  it("a TypeError about something else is not unreachable", () => {
    expect(upstreamFailure(new TypeError("x is not a function")).kind).toBe("bad_response");
  });

  it("an UpstreamConfigError is misconfigured", () => {
    expect(upstreamFailure(new UpstreamConfigError("secret GH_TOKEN is not set"))).toEqual({ kind: "misconfigured", detail: "secret GH_TOKEN is not set" });
  });

  it("a RangeError (a tool list too long) is a bad response in its own words", () => {
    expect(upstreamFailure(new RangeError("the server lists more than 2000 tools"))).toEqual({ kind: "bad_response", detail: "the server lists more than 2000 tools" });
  });

  it("anything else is a bad response, its detail at most 500 characters", () => {
    expect(upstreamFailure(new SyntaxError("Unexpected token <"))).toEqual({ kind: "bad_response", detail: "the server's answer is no MCP message: Unexpected token <" });
    expect(upstreamFailure("a string")).toEqual({ kind: "bad_response", detail: "the server's answer is no MCP message: a string" });
    expect(upstreamFailure(undefined)).toEqual({ kind: "bad_response", detail: "the server's answer is no MCP message: undefined" });
    expect(upstreamFailure({ name: "AbortError", code: 429 }).kind).toBe("bad_response");
    const long = upstreamFailure(new Error("x".repeat(2000)));
    expect(long.detail).toHaveLength(500);
    expect(long.detail.startsWith("the server's answer is no MCP message: xxx")).toBe(true);
  });
});

describe("sessionGone", () => {
  it("only a Streamable HTTP 404 says the server forgot the session", () => {
    expect(sessionGone(new StreamableHTTPError(404, "Error POSTing to endpoint: Session not found"))).toBe(true);
    expect(sessionGone(new StreamableHTTPError(400, "x"))).toBe(false);
    expect(sessionGone(new StreamableHTTPError(500, "x"))).toBe(false);
    expect(sessionGone(new McpError(404, "x"))).toBe(false);
    expect(sessionGone(Object.assign(new Error("not found"), { code: 404 }))).toBe(false);
    expect(sessionGone({ message: "Streamable HTTP error: x", code: 404 })).toBe(false);
    expect(sessionGone(undefined)).toBe(false);
  });
});

describe("upstreamKey", () => {
  it("is the same whatever the order of the headers, and whatever the tool list's TTL", () => {
    const a = endpoint({ headers: { "x-a": "1", "x-b": "2" } });
    const b = endpoint({ headers: { "x-b": "2", "x-a": "1" }, toolsTtlSeconds: 10 });
    expect(upstreamKey(a)).toBe(upstreamKey(b));
    expect(upstreamKey(a).startsWith("mcp ")).toBe(true);
  });

  it("changes with the URL, binding, secret's name and headers", () => {
    const base = upstreamKey(endpoint());
    const others = [
      endpoint({ url: "https://mcp.example.com/other" }),
      endpoint({ binding: "GITHUB_MCP" }),
      endpoint({ apiKeySecret: "GITHUB_MCP" }),
      endpoint({ headers: { "x-a": "1" } }),
      endpoint({ headers: { "x-a": "2" } }),
      endpoint({ headers: { "x-b": "1" } }),
    ].map(upstreamKey);
    expect(new Set([base, ...others]).size).toBe(others.length + 1);
  });
});

/** A client whose listTools answers the given pages in turn, recording the params and options it was called with. */
function lister(pages: { tools: { name: string }[]; nextCursor?: string }[]) {
  const calls: unknown[][] = [];
  const client = { listTools: async (...args: unknown[]) => (calls.push(args), pages.shift() ?? { tools: [] }) } as unknown as McpClient;
  return { client, calls };
}
const tools = (n: number, prefix = "t") => Array.from({ length: n }, (_, i) => ({ name: `${prefix}${i}`, inputSchema: {} }));

describe("listUpstreamTools", () => {
  it("follows nextCursor to the last page, sending each cursor and the signal", async () => {
    const signal = new AbortController().signal;
    const { client, calls } = lister([{ tools: tools(2, "a"), nextCursor: "c1" }, { tools: tools(1, "b"), nextCursor: "c2" }, { tools: [] }]);
    expect((await listUpstreamTools(client, signal)).map((t) => t.name)).toEqual(["a0", "a1", "b0"]);
    expect(calls).toEqual([[{}, { signal }], [{ cursor: "c1" }, { signal }], [{ cursor: "c2" }, { signal }]]);
  });

  it("without a signal, passes no options", async () => {
    const { client, calls } = lister([{ tools: tools(1) }]);
    await listUpstreamTools(client);
    expect(calls).toEqual([[{}, undefined]]);
  });

  it("takes up to MAX_SERVER_TOOLS tools and refuses one more", async () => {
    expect(await listUpstreamTools(lister([{ tools: tools(MAX_SERVER_TOOLS) }]).client)).toHaveLength(MAX_SERVER_TOOLS);
    const over = lister([{ tools: tools(MAX_SERVER_TOOLS), nextCursor: "c" }, { tools: tools(1) }]);
    await expect(listUpstreamTools(over.client)).rejects.toThrow(new RangeError(`the server lists more than ${MAX_SERVER_TOOLS} tools`));
  });

  it("follows up to MAX_TOOL_PAGES pages and refuses a list that goes on", async () => {
    const pages = (n: number, last: boolean) => Array.from({ length: n }, (_, i) => ({ tools: [], ...(last && i === n - 1 ? {} : { nextCursor: `c${i}` }) }));
    const exact = lister(pages(MAX_TOOL_PAGES, true));
    expect(await listUpstreamTools(exact.client)).toEqual([]);
    expect(exact.calls).toHaveLength(MAX_TOOL_PAGES);
    const endless = lister(pages(MAX_TOOL_PAGES + 1, true));
    await expect(listUpstreamTools(endless.client)).rejects.toThrow(new RangeError(`the server's tool list goes on past ${MAX_TOOL_PAGES} pages`));
    expect(endless.calls).toHaveLength(MAX_TOOL_PAGES);
  });
});

describe("openUpstream: what must be set before connecting", () => {
  it("a secret not set, or empty, is an UpstreamConfigError", async () => {
    for (const value of [undefined, "", 42]) {
      const open = openUpstream(endpoint({ apiKeySecret: "GH_TOKEN" }), () => value, undefined);
      await expect(open).rejects.toThrow(UpstreamConfigError);
      await expect(openUpstream(endpoint({ apiKeySecret: "GH_TOKEN" }), () => value, undefined)).rejects.toThrow("secret GH_TOKEN is not set");
    }
  });

  it("a binding not bound, or bound to no Fetcher, is an UpstreamConfigError", async () => {
    for (const value of [undefined, {}, { fetch: "no" }]) {
      await expect(openUpstream(endpoint({ binding: "GITHUB_MCP" }), () => value, undefined)).rejects.toThrow(new UpstreamConfigError("binding GITHUB_MCP is not bound (wrangler.toml)"));
    }
  });
});
