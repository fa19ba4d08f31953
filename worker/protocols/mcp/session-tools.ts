/**
 * What one MCP session's tools do: its catalogue (the door's own tools, specialists,
 * remote servers' tools, as the session's scope allows), `find_tools`, and each call
 * made as a hop through the router's own app, in process, as the session's tenant, so
 * it passes the same kill switches, screening, policy, pools, traces and metrics as
 * any hop (worker/hops/internal-call.ts); every call and its result's hash go into the
 * session's audit chain, and a call a policy holds for approval waits at a gate.
 */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { Env } from "../../env.ts";
import type { Specialist } from "../../config/schema.ts";
import type { JsonObject } from "../../json.ts";
import { internalRequest, type InternalCall } from "../../hops/internal-call.ts";
import { getRuntime, type Runtime } from "../../runtime.ts";
import { switchState } from "../../control.ts";
import { binding } from "../../env.ts";
import { canonicalJson, contentHash } from "../../tasks/audit.ts";
import { buildToolIndex, type ToolIndex } from "../../intent/tool-index.ts";
import type { ConnectionPool, SpecialistProgress } from "../../routing/hop.ts";
import { filterTools, listed, ownTools, pageOf, remoteTools, serverOf, sortedByName, type CatalogueTool, type ToolTarget } from "./catalogue.ts";
import { errorResult, FindArgs, hopBody, needsApproval, toolResult } from "./tool-result.ts";
import { listUpstreamTools, openUpstream, upstreamKey, type McpClient, type UpstreamTool } from "./upstream.ts";
import type { SessionHandlers, ToolCallContext } from "./server.ts";
import { DOOR_HEADER, DoorCall } from "./door.ts";

/** The router's app, called in process. */
export type AppFetch = (request: Request, env: Env, ctx: ExecutionContext) => Response | Promise<Response>;

/** Who a session is and what it may see (stored with it). */
export interface SessionScope {
  id: string;
  tenant: string;
  admin: boolean;
  /** Only tools matching these globs are listed and callable (`/mcp?tools=github__*,route`). */
  tools?: string[] | undefined;
  /** `tools/list` answers the `k` tools that best fit this task description (`/mcp?query=…&k=…`). */
  query?: string | undefined;
  k?: number | undefined;
  /** The router's base URL, for the links a gated call answers with. */
  base: string;
}

/** Appends to the session's audit chain. */
export type Audit = (actor: string, action: string, detail: JsonObject) => Promise<unknown>;

/** Where an internal call is addressed (only the path is read). */
const INTERNAL = "https://switchyard.internal";

interface Listed {
  key: string;
  at: number;
  tools: UpstreamTool[];
}

/** The most of a call's arguments an approval question quotes, in characters. */
const QUOTED_ARGUMENTS = 2000;

/**
 * A call's arguments as an approval question shows them: canonical JSON (keys sorted,
 * so the caller's order cannot push one out of view), cut at {@link QUOTED_ARGUMENTS}
 * characters with a mark saying how much was left out.
 */
export function argumentsText(args: Record<string, unknown>): string {
  const json = canonicalJson(args);
  if (json.length <= QUOTED_ARGUMENTS) return `Arguments: ${json}`;
  return `Arguments (${json.length} characters; only the first ${QUOTED_ARGUMENTS} shown, the call runs with all of them): ${json.slice(0, QUOTED_ARGUMENTS)}…`;
}

/** A session's tools: {@link SessionHandlers} over the router. */
export class SessionTools implements SessionHandlers {
  readonly #lists = new Map<string, Listed>();
  #index: { names: string; index: ToolIndex } | undefined;

  readonly env: Env;
  readonly exec: ExecutionContext;
  readonly appFetch: AppFetch;
  readonly scope: () => SessionScope;
  readonly connections: ConnectionPool;
  readonly audit: Audit;
  readonly changed: () => void;

  /** `scope` reads the session's scope; `audit` appends to its chain; `changed` tells the client its tool list changed. */
  constructor(deps: { env: Env; exec: ExecutionContext; appFetch: AppFetch; scope: () => SessionScope; connections: ConnectionPool; audit: Audit; changed: () => void }) {
    this.env = deps.env;
    this.exec = deps.exec;
    this.appFetch = deps.appFetch;
    this.scope = deps.scope;
    this.connections = deps.connections;
    this.audit = deps.audit;
    this.changed = deps.changed;
  }

  /** A server's tool list changed (its `notifications/tools/list_changed`): listed again on next use, and the client told. */
  toolsChanged(key: string): void {
    for (const [server, l] of this.#lists) if (l.key === key) this.#lists.delete(server);
    this.changed();
  }

  async listTools(cursor: string | undefined, signal: AbortSignal) {
    const rt = await getRuntime(this.env);
    const { tools, unavailable } = await this.#catalogue(rt, signal);
    const s = this.scope();
    const chosen = s.query ? this.#search(tools, s.query, s.k ?? rt.config.mcp.findTools.defaultK).map((h) => h.tool) : tools;
    const { page, nextCursor } = pageOf(chosen, cursor, rt.config.mcp.pageSize);
    return {
      tools: page.map(listed),
      ...(nextCursor ? { nextCursor } : {}),
      // a server that could not be listed is named, never silently missing
      ...(unavailable.length ? { _meta: { "switchyard/unavailable": unavailable } } : {}),
    };
  }

  async callTool(name: string, args: Record<string, unknown>, ctx: ToolCallContext): Promise<CallToolResult | undefined> {
    const rt = await getRuntime(this.env);
    const tool = await this.#resolve(rt, name, ctx.signal);
    if (!tool) return undefined;
    const actor = `tenant:${this.scope().tenant}`;
    await this.audit(actor, "tool.call", { tool: name, arguments: await contentHash(args) });
    const result = tool.target.kind === "find_tools" ? await this.#find(rt, args, ctx.signal) : await this.#governed(rt, tool.target, name, args, ctx);
    const hop = typeof result._meta?.["switchyard/hop"] === "string" ? result._meta["switchyard/hop"] : null;
    await this.audit(actor, "tool.result", { tool: name, hop, isError: result.isError === true, result: await contentHash(result) });
    return result;
  }

  /** A hop for the call; at an approval gate, the client's user is asked (elicitation) or a task holds it for a reviewer. */
  async #governed(rt: Runtime, target: Exclude<ToolTarget, { kind: "find_tools" }>, name: string, args: Record<string, unknown>, ctx: ToolCallContext): Promise<CallToolResult> {
    const body = hopBody(target, args);
    if (!body.ok) return errorResult(body.detail);
    const first = await this.#hop(target, name, args, body.body, ctx, false);
    const reason = needsApproval(first.status, first.body);
    if (reason === undefined) return toolResult(target, first.status, first.body, first.hop);
    const actor = `tenant:${this.scope().tenant}`;
    const callee = target.kind === "remote" ? target.server : target.kind === "specialist" ? target.specialist : undefined;
    const sw = callee === undefined ? undefined : (await switchState(this.env)).specialists[callee];
    // a switched-off server is refused now, not held for a reviewer only to fail after
    if (sw?.disabled) return errorResult(`${name} was not run: '${callee}' is disabled by a kill switch (${sw.reason})`, first.hop ? { "switchyard/hop": first.hop } : {});
    if (rt.config.mcp.approvals === "elicitation" && ctx.elicit) {
      await this.audit(actor, "tool.approval_requested", { tool: name, reason, via: "elicitation" });
      const answer = await ctx
        .elicit(`Approve this call of ${name}? ${reason}.\n${argumentsText(args)}`, {
          type: "object",
          properties: { approve: { type: "boolean", title: "Approve this call", description: `Run ${name} with these arguments` }, reason: { type: "string", title: "Reason", maxLength: 500 } },
          required: ["approve"],
        })
        // an answer that does not fit the form, an error, a timeout or a cancelled call: not approved, and said so
        .catch((e: unknown) => ({ action: "error" as const, content: { reason: (e instanceof Error ? e.message : String(e)).slice(0, 500) } }));
      const approved = answer.action === "accept" && answer.content?.approve === true;
      const why = typeof answer.content?.reason === "string" ? answer.content.reason.slice(0, 500) : "";
      await this.audit(`client:${this.scope().tenant}`, approved ? "tool.approved" : "tool.rejected", { tool: name, action: answer.action, reason: why });
      const how = { accept: "refused", decline: "declined", cancel: "cancelled", error: "not answered" }[answer.action];
      if (!approved) return errorResult(`${name} was not run: the approval was ${how}${why ? ` (${why})` : ""}`, first.hop ? { "switchyard/hop": first.hop } : {});
      const again = await this.#hop(target, name, args, body.body, ctx, true);
      return toolResult(target, again.status, again.body, again.hop);
    }
    return this.#heldAsTask(target, name, args, reason, ctx, first.hop);
  }

  /** The call as a one-step task gated for a reviewer (worker/tasks/): its links in the error result. */
  async #heldAsTask(target: Exclude<ToolTarget, { kind: "find_tools" }>, name: string, args: Record<string, unknown>, reason: string, ctx: ToolCallContext, gatedHop: string | null): Promise<CallToolResult> {
    const step =
      target.kind === "remote"
        ? { id: "call", tool: name, arguments: args, requireApproval: true }
        : { id: "call", ...(target.kind === "specialist" ? { specialist: target.specialist } : {}), input: String(args.input ?? ""), requireApproval: true };
    const context = target.kind !== "remote" && args.context && typeof args.context === "object" ? { context: args.context } : {};
    const task = { goal: `call ${name}`, input: target.kind === "remote" ? JSON.stringify(args) : String(args.input ?? ""), plan: { steps: [step] }, ...context };
    const res = await this.#internal("/v1/tasks", task, undefined, ctx);
    const held = (await res.json().catch(() => undefined)) as { id?: string } | undefined;
    const hop = gatedHop ? { "switchyard/hop": gatedHop } : {};
    if (res.status !== 202 || typeof held?.id !== "string") return errorResult(`${name} needs approval (${reason}), but it could not be held for a reviewer (${res.status})`, { ...hop, "switchyard/problem": held ?? {} });
    const taskId = held.id;
    const base = this.scope().base;
    const links = { task: `${base}/v1/tasks/${taskId}`, approve: `${base}/v1/tasks/${taskId}/approve`, reject: `${base}/v1/tasks/${taskId}/reject` };
    await this.audit(`tenant:${this.scope().tenant}`, "tool.approval_requested", { tool: name, reason, via: "task", task: taskId });
    return errorResult(
      `${name} was not run: ${reason}. It waits for a reviewer as task ${taskId}: approve it with POST ${links.approve} (or reject: ${links.reject}); the call then runs, and its result is at ${links.task}.`,
      { ...hop, "switchyard/approval": { task: taskId, links } },
    );
  }

  /** One hop for a call, in process, as the session's tenant. */
  async #hop(target: Exclude<ToolTarget, { kind: "find_tools" }>, name: string, args: Record<string, unknown>, body: Record<string, unknown>, ctx: ToolCallContext, approved: boolean) {
    const progress = ctx.progress;
    const tool: InternalCall["tool"] = {
      name,
      ...(target.kind === "remote" ? { call: { name: target.tool, arguments: args } } : {}),
      approved,
      connections: this.connections,
      ...(progress ? { progress: (p: SpecialistProgress) => p.kind === "progress" && p.progress !== undefined && progress({ progress: p.progress, ...(p.total !== undefined ? { total: p.total } : {}), ...(p.text !== undefined ? { message: p.text } : {}) }) } : {}),
    };
    const res = await this.#internal("/v1/route", body, tool, ctx);
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const hop = res.headers.get("x-switchyard-hop") ?? (json && typeof json === "object" && typeof (json as { hop?: unknown }).hop === "string" ? (json as { hop: string }).hop : null);
    // a 429's wait travels in its Retry-After header: a tool result has no headers, so it joins the problem
    const wait = Number(res.headers.get("retry-after") ?? NaN);
    if (res.status !== 200 && Number.isFinite(wait) && json && typeof json === "object") json = { ...json, retryAfterSeconds: wait };
    return { status: res.status, body: json, hop };
  }

  /**
   * A request to the app in process as the caller of the request that carried the call
   * (its key's tenant, which is the session's, and its admin flag), a child of that
   * request's span.
   */
  #internal(path: string, body: unknown, tool: InternalCall["tool"], ctx: Pick<ToolCallContext, "headers" | "signal">): Promise<Response> {
    const s = this.scope();
    const door = DoorCall.safeParse(JSON.parse(ctx.headers[DOOR_HEADER] ?? "null"));
    const admin = door.success && door.data.scope.tenant === s.tenant ? door.data.scope.admin : s.admin;
    const call: InternalCall = { principal: { tenant: s.tenant, admin }, specialistCalls: 0, ...(tool ? { tool } : {}) };
    const traceparent = ctx.headers.traceparent;
    const request = new Request(`${INTERNAL}${path}`, { method: "POST", headers: { "content-type": "application/json", ...(traceparent ? { traceparent } : {}) }, body: JSON.stringify(body), signal: ctx.signal });
    return Promise.resolve(this.appFetch(internalRequest(request, call), this.env, this.exec));
  }

  /** `find_tools`: the catalogue's best `k` for the query, with their schemas. */
  async #find(rt: Runtime, args: Record<string, unknown>, signal: AbortSignal): Promise<CallToolResult> {
    const a = FindArgs(rt.config.mcp.findTools.maxK).safeParse(args);
    if (!a.success) return errorResult(`invalid arguments: ${a.error.issues.map((i) => `${i.path.join(".") || "(arguments)"}: ${i.message}`).join("; ")}`);
    const { tools } = await this.#catalogue(rt, signal);
    const hits = this.#search(tools, a.data.query, a.data.k ?? rt.config.mcp.findTools.defaultK);
    const found = hits.map((h) => ({ ...listed(h.tool), score: Math.round(h.score * 1e4) / 1e4 }));
    return { content: [{ type: "text", text: JSON.stringify({ tools: found }) }], structuredContent: { tools: found } };
  }

  #search(tools: readonly CatalogueTool[], query: string, k: number): { tool: CatalogueTool; score: number }[] {
    const names = tools.map((t) => t.name).join("\n");
    if (this.#index?.names !== names) this.#index = { names, index: buildToolIndex(tools) };
    const byName = new Map(tools.map((t) => [t.name, t]));
    return this.#index.index.search(query, k).flatMap((h) => (byName.has(h.name) ? [{ tool: byName.get(h.name)!, score: h.score }] : []));
  }

  /** The tool a name calls, if the session has it (in its scope, its server up and listing it). */
  async #resolve(rt: Runtime, name: string, signal: AbortSignal): Promise<CatalogueTool | undefined> {
    const scope = this.scope().tools;
    if (filterTools([{ name }], scope).length === 0) return undefined;
    const registry = [...rt.registry.values()];
    const own = ownTools(registry, rt.config.mcp).find((t) => t.name === name);
    if (own) return own;
    const at = serverOf(name);
    const server = at ? rt.registry.get(at.server) : undefined;
    if (!at || server?.endpoint.type !== "mcp") return undefined;
    const tools = await this.#serverTools(server, signal).catch(() => undefined);
    // a server that cannot be listed now: the call still goes to it (its own answer says what is wrong)
    if (!tools) return { name, inputSchema: {}, target: { kind: "remote", server: server.id, tool: at.tool } };
    return remoteTools(server.id, tools).find((t) => t.name === name);
  }

  /** The session's catalogue in name order: the door's tools, specialists, and every server it could list (those it could not, named). */
  async #catalogue(rt: Runtime, signal: AbortSignal): Promise<{ tools: CatalogueTool[]; unavailable: { server: string; reason: string }[] }> {
    const switches = await switchState(this.env);
    const registry = [...rt.registry.values()].filter((s) => !switches.specialists[s.id]?.disabled);
    const unavailable: { server: string; reason: string }[] = [];
    const remote = await Promise.all(
      registry
        .filter((s) => s.endpoint.type === "mcp")
        .map(async (s) => {
          try {
            return remoteTools(s.id, await this.#serverTools(s, signal));
          } catch (e) {
            unavailable.push({ server: s.id, reason: e instanceof Error ? e.message.slice(0, 300) : String(e) });
            return [];
          }
        }),
    );
    return { tools: filterTools(sortedByName([...ownTools(registry, rt.config.mcp), ...remote.flat()]), this.scope().tools), unavailable };
  }

  /** A server's tools: listed on first use and again after its `toolsTtlSeconds` or its `list_changed`, over the session's connection. */
  async #serverTools(s: Specialist, signal: AbortSignal): Promise<UpstreamTool[]> {
    if (s.endpoint.type !== "mcp") return [];
    const endpoint = s.endpoint;
    const key = upstreamKey(endpoint);
    const kept = this.#lists.get(s.id);
    if (kept && kept.key === key && Date.now() - kept.at < endpoint.toolsTtlSeconds * 1000) return kept.tools;
    const deadline = AbortSignal.any([signal, AbortSignal.timeout(s.timeoutMs)]);
    const client = await this.connections.get(key, () => openUpstream(endpoint, (n) => binding(this.env, n), deadline), (c: McpClient) => c.close());
    try {
      const tools = await listUpstreamTools(client, deadline);
      this.#lists.set(s.id, { key, at: Date.now(), tools });
      return tools;
    } catch (e) {
      await this.connections.drop(key);
      throw e;
    }
  }
}
