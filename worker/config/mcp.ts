/**
 * The MCP door's part of the config (docs/protocols/mcp.md): its settings, the names of
 * its own tools, how a remote server's tool is named (`<server id>__<tool>`), and what
 * an `mcp` specialist may not be. schema.ts re-exports them.
 */
import { z } from "zod";
import type { Specialist } from "./schema.ts";

/** Settings of the MCP front door, `/mcp` (docs/protocols/mcp.md). */
export const McpSettings = z.lazy(() =>
  z.strictObject({
    /** Tools per `tools/list` page (the client follows `nextCursor` for the rest). */
    pageSize: z.number().int().min(1).max(1000).default(100),
    /** A session unused this long is ended (its next request is a 404: the client initializes again). */
    sessionTtlSeconds: z.number().int().min(60).max(30 * 86_400).default(86_400),
    /**
     * How long an ended session's audit chain is kept (its client's DELETE or its expiry
     * end the session, never its record): readable at GET /v1/mcp/sessions/:id/audit, then deleted.
     */
    auditRetentionDays: z.number().int().min(1).max(3650).default(30),
    /** List each specialist (other than MCP servers) as a tool of its own, besides `route` and `find_tools`. */
    specialistTools: z.boolean().default(true),
    /** `find_tools`: how many tools it returns when the call does not say (`k`), and the most it returns. */
    findTools: z
      .strictObject({ defaultK: z.number().int().min(1).max(50).default(5), maxK: z.number().int().min(1).max(50).default(20) })
      .refine((f) => f.defaultK <= f.maxK, { message: "defaultK may not exceed maxK", path: ["defaultK"] })
      .default({ defaultK: 5, maxK: 20 }),
    /**
     * How a tool call a policy holds for approval waits: `"elicitation"` asks the MCP
     * client's user (when the client declares elicitation; otherwise as `"link"`);
     * `"link"` always answers a tool error with the link a reviewer approves it at (the
     * call then runs as a task, its result at the task's link).
     */
    approvals: z.enum(["elicitation", "link"]).default("elicitation"),
  }),
);

/** Tool names the MCP door gives its own tools: no specialist may take them. */
export const MCP_OWN_TOOLS: readonly string[] = ["route", "find_tools"];

/** `<server>__<tool>`: the separator of a remote tool's namespaced name. */
export const NAMESPACE_SEPARATOR = "__";

/**
 * The server and the tool a namespaced name names, split at its first `__` (server ids
 * hold none and end in no `_`: {@link mcpServerIssues}); undefined for a name with no
 * server or no tool on either side.
 *
 * @example
 * splitToolName("github__create_issue") // { server: "github", tool: "create_issue" }
 */
export function splitToolName(name: string): { server: string; tool: string } | undefined {
  const at = name.indexOf(NAMESPACE_SEPARATOR);
  if (at <= 0 || at + NAMESPACE_SEPARATOR.length >= name.length) return undefined;
  return { server: name.slice(0, at), tool: name.slice(at + NAMESPACE_SEPARATOR.length) };
}

/**
 * What an `mcp` specialist (a remote MCP server) may not be: it takes tool calls only,
 * so no intents, fallbacks, or role as a fallback or planner; its id may not end in `_`
 * (tool names are `<id>__<tool>`, split at the first `__`). No specialist's id holds
 * `__` or takes a name of the MCP door's own tools.
 */
export function mcpServerIssues(cfg: { router: { fallback?: string | undefined }; tasks: { planner?: string | undefined }; specialists: readonly Specialist[] }): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  const servers = new Set(cfg.specialists.filter((s) => s.endpoint.type === "mcp").map((s) => s.id));
  cfg.specialists.forEach((s, i) => {
    if (MCP_OWN_TOOLS.includes(s.id)) issues.push({ path: ["specialists", i, "id"], message: `'${s.id}' is the name of the MCP door's own tool` });
    // a specialist is a tool of the MCP door by its id: '__' would make it look like (and clash with) a server's tool
    if (s.id.includes("__")) issues.push({ path: ["specialists", i, "id"], message: "a specialist's id may not contain '__' (MCP tool names are '<server id>__<tool>')" });
    s.fallbacks.forEach((f, j) => {
      if (servers.has(f)) issues.push({ path: ["specialists", i, "fallbacks", j], message: `'${f}' is an MCP server: it takes tool calls, not a hop` });
    });
    if (!servers.has(s.id)) return;
    if (s.id.endsWith("_")) issues.push({ path: ["specialists", i, "id"], message: "an MCP server's id may not end in '_' (its tools are named '<id>__<tool>', split at the first '__')" });
    if (s.intents.length) issues.push({ path: ["specialists", i, "intents"], message: "an MCP server takes tool calls, not routed text: declare no intents" });
    if (s.fallbacks.length) issues.push({ path: ["specialists", i, "fallbacks"], message: "a tool call is not sent to another server: an MCP server has no fallbacks" });
  });
  if (cfg.router.fallback !== undefined && servers.has(cfg.router.fallback)) issues.push({ path: ["router", "fallback"], message: "an MCP server cannot be the fallback of a hop" });
  if (cfg.tasks.planner !== undefined && servers.has(cfg.tasks.planner)) issues.push({ path: ["tasks", "planner"], message: "an MCP server cannot plan tasks" });
  return issues;
}
