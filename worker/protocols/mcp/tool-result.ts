/**
 * A tool call of the MCP door as a hop, and back (pure): the `POST /v1/route` body a
 * catalogue tool's call becomes, and the `CallToolResult` (MCP 2025-11-25, "Tools":
 * "Tool Result", "Error Handling") the hop's answer becomes. Router details travel in
 * `_meta` under the `switchyard/` prefix (MCP "General fields": `_meta`).
 */
import { z } from "zod";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { canonicalJson } from "../../tasks/audit.ts";
import { outputText } from "../../tasks/plan.ts";
import type { ToolTarget } from "./catalogue.ts";

/** The arguments of `route` and of a specialist tool. */
const TextArgs = z.strictObject({ input: z.string().min(1), context: z.record(z.string(), z.unknown()).optional() });

/** The arguments of `find_tools`. */
export const FindArgs = (maxK: number) => z.strictObject({ query: z.string().min(1).max(4000), k: z.number().int().min(1).max(maxK).optional() });

/**
 * The route body a call becomes: `route` classifies `input`, a specialist tool pins its
 * specialist, a remote tool pins its server with the arguments' canonical JSON as the
 * input (screened and counted as any input; the arguments themselves go in the tool call).
 * Arguments that do not fit are a message saying why (answered as a tool error, so the
 * model can correct them: MCP "Error Handling").
 */
export function hopBody(target: Exclude<ToolTarget, { kind: "find_tools" }>, args: Record<string, unknown>): { ok: true; body: Record<string, unknown> } | { ok: false; detail: string } {
  if (target.kind === "remote") return { ok: true, body: { specialist: target.server, input: canonicalJson(args) } };
  const a = TextArgs.safeParse(args);
  if (!a.success) return { ok: false, detail: `invalid arguments: ${a.error.issues.map((i) => `${i.path.join(".") || "(arguments)"}: ${i.message}`).join("; ")}` };
  return { ok: true, body: { ...(target.kind === "specialist" ? { specialist: target.specialist } : {}), input: a.data.input, ...(a.data.context ? { context: a.data.context } : {}) } };
}

/** A problem (RFC 9457) as a route answers it. */
const Problem = z.looseObject({ title: z.string().optional(), detail: z.string().optional(), status: z.number().optional(), policy: z.string().optional(), tried: z.array(z.looseObject({ failure: z.string().optional() })).optional() });

/** A route's 200 answer (the members read here). */
const Served = z.looseObject({ id: z.string(), output: z.unknown(), decision: z.looseObject({ specialist: z.string() }), screening: z.unknown().optional() });

/** What a hop's answer says of an approval gate: a policy rule holds the call for a human. */
export function needsApproval(status: number, body: unknown): string | undefined {
  if (status !== 422) return undefined;
  const p = Problem.safeParse(body);
  return p.success && p.data.tried?.at(-1)?.failure === "approval_required" ? (p.data.policy ?? p.data.detail ?? "a policy requires approval") : undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** The error result of a call the router did not make, or that failed: the reason as text, the problem in `_meta`. */
export function errorResult(text: string, meta: Record<string, unknown> = {}): CallToolResult {
  return { content: [{ type: "text", text }], isError: true, _meta: meta };
}

/**
 * The result a hop's answer becomes. A remote tool's result is the server's, as sent,
 * with the router's `_meta` added; a specialist's output is its text, and its object
 * as `structuredContent`; any other answer (a problem) is an error result naming it.
 */
export function toolResult(target: Exclude<ToolTarget, { kind: "find_tools" }>, status: number, body: unknown, hop: string | null): CallToolResult {
  const meta: Record<string, unknown> = hop ? { "switchyard/hop": hop } : {};
  if (status !== 200) {
    const p = Problem.safeParse(body);
    const title = p.success ? (p.data.title ?? "Error") : "Error";
    const detail = p.success ? (p.data.detail ?? "") : "";
    return errorResult(detail ? `${title}: ${detail}` : title, { ...meta, "switchyard/problem": isObject(body) ? body : { status } });
  }
  const served = Served.safeParse(body);
  if (!served.success) return errorResult("the router's answer could not be read", meta);
  const { output, decision, screening } = served.data;
  meta["switchyard/specialist"] = decision.specialist;
  if (screening !== undefined) meta["switchyard/screening"] = screening;
  if (target.kind === "remote") {
    if (!isObject(output) || !Array.isArray(output.content)) return errorResult("the MCP server's result has no content", meta);
    // the server's own _meta, as sent, but never in the router's name: `switchyard/…` is ours to say
    const own = isObject(output._meta) ? Object.fromEntries(Object.entries(output._meta).filter(([k]) => !k.startsWith("switchyard/"))) : {};
    return { ...(output as CallToolResult), _meta: { ...own, ...meta } };
  }
  return { content: [{ type: "text", text: outputText(output) }], ...(isObject(output) ? { structuredContent: output } : {}), _meta: meta };
}
