import { describe, expect, it } from "vitest";
import { loadConfig, parseConfig } from "../../../worker/config/load.ts";
import { McpEndpoint } from "../../../worker/config/endpoints.ts";
import { MCP_OWN_TOOLS } from "../../../worker/config/schema.ts";

/** The issues of a refused config; a config that was accepted fails the test. */
function issuesOf(raw: unknown) {
  const r = parseConfig(raw);
  if (r.ok) throw new Error("expected the config to be refused");
  return r.issues;
}

const MCP_URL = "https://mcp.example.com/mcp";
/** One routed specialist `a`, one MCP server `github` (with `server`'s members), and `extra` at the top. */
const config = (extra: Record<string, unknown> = {}, server: Record<string, unknown> = {}) => ({
  specialists: [
    { id: "a", endpoint: { type: "http", url: "https://a.example/run" }, intents: [{ label: "a.x", examples: ["do a"] }] },
    { id: "github", endpoint: { type: "mcp", url: MCP_URL }, ...server },
  ],
  ...extra,
});
const withSpecialist = (s: Record<string, unknown>) => {
  const c = config();
  c.specialists.push(s as never);
  return c;
};

describe("MCP servers in the config", () => {
  it("an MCP server with no intents or fallbacks is accepted", () => {
    expect(parseConfig(config()).ok).toBe(true);
  });

  it("declares no intents and no fallbacks", () => {
    expect(issuesOf(config({}, { intents: [{ label: "g.x", examples: ["do g"] }], fallbacks: ["a"] }))).toEqual([
      { path: "specialists.1.intents", message: "an MCP server takes tool calls, not routed text: declare no intents" },
      { path: "specialists.1.fallbacks", message: "a tool call is not sent to another server: an MCP server has no fallbacks" },
    ]);
  });

  it("its id holds no '__' (nor does any specialist's: a specialist is a tool by its id)", () => {
    expect(issuesOf(config({}, { id: "git__hub" }))).toEqual([{ path: "specialists.1.id", message: "a specialist's id may not contain '__' (MCP tool names are '<server id>__<tool>')" }]);
  });

  it("its id does not end in '_' (its tools' names would split at the wrong '__')", () => {
    // `git_`'s tool `x` is `git___x`, which every reader splits as server `git`, tool `_x`
    expect(issuesOf(config({}, { id: "git_" })).map((i) => i.path)).toEqual(["specialists.1.id"]);
  });

  it("is no hop's fallback, no specialist's fallback and no planner", () => {
    const raw = config({ router: { fallback: "github" }, tasks: { planner: "github" } });
    raw.specialists[0] = { ...raw.specialists[0]!, fallbacks: ["github"] } as never;
    expect(issuesOf(raw)).toEqual([
      { path: "specialists.0.fallbacks.0", message: "'github' is an MCP server: it takes tool calls, not a hop" },
      { path: "router.fallback", message: "an MCP server cannot be the fallback of a hop" },
      { path: "tasks.planner", message: "an MCP server cannot plan tasks" },
    ]);
  });

  it("a routed specialist may still be a fallback and a planner", () => {
    const raw = withSpecialist({ id: "b", endpoint: { type: "http", url: "https://b.example/" }, fallbacks: ["a"] });
    expect(parseConfig({ ...raw, router: { fallback: "a" }, tasks: { planner: "a" } }).ok).toBe(true);
  });

  it.each(MCP_OWN_TOOLS)("no specialist, of any type, is named %s", (id) => {
    const message = `'${id}' is the name of the MCP door's own tool`;
    expect(issuesOf(withSpecialist({ id, endpoint: { type: "http", url: "https://x.example/" } }))).toEqual([{ path: "specialists.2.id", message }]);
    expect(issuesOf(withSpecialist({ id, endpoint: { type: "mcp", url: MCP_URL } }))).toEqual([{ path: "specialists.2.id", message }]);
    expect(MCP_OWN_TOOLS).toEqual(["route", "find_tools"]);
  });
});

describe("workflow tool steps", () => {
  const workflow = (...tools: string[]) => config({ workflows: [{ id: "w", plan: { steps: tools.map((tool, i) => ({ id: `s${i}`, tool })) } }] });

  it("name a tool of an MCP server of the config", () => {
    expect(parseConfig(workflow("github__create_issue", "github__x__y")).ok).toBe(true);
  });

  it("a tool of an unknown server, or of a specialist that is no MCP server, is refused", () => {
    expect(issuesOf(workflow("gitlab__x", "a__x", "github__ok"))).toEqual([
      { path: "workflows.0.plan.steps.0.tool", message: "no MCP server 'gitlab' (an 'mcp' specialist)" },
      { path: "workflows.0.plan.steps.1.tool", message: "no MCP server 'a' (an 'mcp' specialist)" },
    ]);
  });
});

describe("mcp settings", () => {
  it("have defaults", () => {
    expect(loadConfig(config()).mcp).toEqual({ pageSize: 100, sessionTtlSeconds: 86_400, auditRetentionDays: 30, specialistTools: true, findTools: { defaultK: 5, maxK: 20 }, approvals: "elicitation" });
    expect(loadConfig(config({ mcp: { findTools: { maxK: 50 } } })).mcp.findTools).toEqual({ defaultK: 5, maxK: 50 });
  });

  it("take values within their bounds", () => {
    const mcp = { pageSize: 1000, sessionTtlSeconds: 60, auditRetentionDays: 3650, specialistTools: false, findTools: { defaultK: 1, maxK: 1 }, approvals: "link" };
    expect(loadConfig(config({ mcp })).mcp).toEqual(mcp);
    expect(loadConfig(config({ mcp: { pageSize: 1, sessionTtlSeconds: 30 * 86_400 } })).mcp).toMatchObject({ pageSize: 1, sessionTtlSeconds: 2_592_000 });
  });

  it.each([
    [{ pageSize: 0 }, "mcp.pageSize"],
    [{ pageSize: 1001 }, "mcp.pageSize"],
    [{ pageSize: 2.5 }, "mcp.pageSize"],
    [{ sessionTtlSeconds: 59 }, "mcp.sessionTtlSeconds"],
    [{ auditRetentionDays: 0 }, "mcp.auditRetentionDays"],
    [{ auditRetentionDays: 3651 }, "mcp.auditRetentionDays"],
    [{ sessionTtlSeconds: 30 * 86_400 + 1 }, "mcp.sessionTtlSeconds"],
    [{ findTools: { defaultK: 0 } }, "mcp.findTools.defaultK"],
    [{ findTools: { maxK: 51 } }, "mcp.findTools.maxK"],
    [{ findTools: { k: 3 } }, "mcp.findTools"],
    [{ approvals: "email" }, "mcp.approvals"],
    [{ specialistTools: "yes" }, "mcp.specialistTools"],
    [{ colour: "red" }, "mcp"],
  ])("refuse %j", (mcp, path) => {
    expect(issuesOf(config({ mcp })).map((i) => i.path)).toEqual([path]);
  });

  it("find_tools' default k is no more than its most", () => {
    expect(issuesOf(config({ mcp: { findTools: { defaultK: 30, maxK: 10 } } })).map((i) => i.path)).toEqual(["mcp.findTools.defaultK"]);
  });
});

describe("mcp endpoints", () => {
  const endpoint = (extra: Record<string, unknown> = {}) => McpEndpoint.safeParse({ type: "mcp", url: MCP_URL, ...extra });

  it("take a URL, and optionally a binding, a secret and headers; the tool list is kept 300 s by default", () => {
    expect(endpoint().data).toEqual({ type: "mcp", url: MCP_URL, headers: {}, toolsTtlSeconds: 300 });
    expect(endpoint({ binding: "EXAMPLE_MCP", apiKeySecret: "GH_TOKEN", headers: { "x-org": "acme" }, toolsTtlSeconds: 0 }).data).toEqual({
      type: "mcp",
      url: MCP_URL,
      binding: "EXAMPLE_MCP",
      apiKeySecret: "GH_TOKEN",
      headers: { "x-org": "acme" },
      toolsTtlSeconds: 0,
    });
    expect(endpoint({ url: "http://mcp.example.com/mcp" }).success).toBe(true);
    expect(endpoint({ toolsTtlSeconds: 86_400 }).success).toBe(true);
  });

  it.each([
    [{ toolsTtlSeconds: -1 }, "toolsTtlSeconds"],
    [{ toolsTtlSeconds: 86_401 }, "toolsTtlSeconds"],
    [{ toolsTtlSeconds: 1.5 }, "toolsTtlSeconds"],
    [{ url: "ftp://mcp.example.com/" }, "url"],
    [{ url: "not a url" }, "url"],
    [{ binding: "lower" }, "binding"],
    [{ apiKeySecret: "gh-token" }, "apiKeySecret"],
    [{ extra: 1 }, ""],
  ])("refuse %j", (extra, path) => {
    expect(endpoint(extra).error?.issues.map((i) => i.path.join("."))).toEqual([path]);
  });

  it.each(["mcp-session-id", "Mcp-Session-Id", "mcp-protocol-version", "last-event-id", "authorization", "content-type"])("refuse the header %s, which the router sets", (name) => {
    expect(endpoint({ headers: { [name]: "x" } }).error?.issues.map((i) => i.path.join("."))).toEqual([`headers.${name}`]);
  });

  it("its secret must be declared, as any specialist's", () => {
    expect(issuesOf(config({}, { endpoint: { type: "mcp", url: MCP_URL, apiKeySecret: "GH_TOKEN" } }))).toEqual([
      { path: "specialists.1.endpoint.apiKeySecret", message: 'secret \'GH_TOKEN\' is not declared: add it to the top-level "secrets" list' },
    ]);
    expect(parseConfig(config({ secrets: ["GH_TOKEN"] }, { endpoint: { type: "mcp", url: MCP_URL, apiKeySecret: "GH_TOKEN" } })).ok).toBe(true);
  });

  it("its URL may not point at a private network unless the router allows it", () => {
    const local = { endpoint: { type: "mcp", url: "http://127.0.0.1:8788/mcp" } };
    expect(issuesOf(config({}, local)).map((i) => i.path)).toEqual(["specialists.1.endpoint.url"]);
    expect(parseConfig(config({ router: { allowPrivateNetworks: true } }, local)).ok).toBe(true);
  });
});
