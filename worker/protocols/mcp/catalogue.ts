/**
 * The MCP door's tool catalogue (pure): the door's own tools (`route`, `find_tools`),
 * each specialist as a tool, and every remote MCP server's tools under
 * `<server id>__<tool name>`; which tool a name calls; `tools/list` pages and filters.
 * Shapes follow MCP 2025-11-25, "Tools" (`Tool`, `tools/list`) and "Pagination".
 */
import type { Specialist } from "../../config/schema.ts";
import { NAMESPACE_SEPARATOR, splitToolName } from "../../config/mcp.ts";
import { globMatcher } from "../../policy/glob.ts";
import { base64ToBytes, bytesToBase64 } from "../../intent/codec.ts";
import type { UpstreamTool } from "./upstream.ts";

/** What calling a catalogue tool does. */
export type ToolTarget =
  | { kind: "route" }
  | { kind: "find_tools" }
  | { kind: "specialist"; specialist: string }
  | { kind: "remote"; server: string; tool: string };

/** A tool as the door lists it (`Tool`, as a server would), with what calling it does (never listed). */
export interface CatalogueTool extends UpstreamTool {
  target: ToolTarget;
}

export { NAMESPACE_SEPARATOR };

/** The input of a specialist tool and of `route`: one text, and optional context (the hop's `input` and `context`). */
const TEXT_INPUT = (what: string): Record<string, unknown> => ({
  type: "object",
  properties: {
    input: { type: "string", minLength: 1, description: what },
    context: { type: "object", description: "Structured context sent with the input (the hop's `context`)", additionalProperties: true },
  },
  required: ["input"],
  additionalProperties: false,
});

/**
 * The door's own tools, then one tool per specialist (MCP servers and, without
 * `specialistTools`, every specialist, left out), in config order.
 */
export function ownTools(specialists: readonly Specialist[], o: { specialistTools: boolean; findTools: { maxK: number; defaultK: number } }): CatalogueTool[] {
  const tools: CatalogueTool[] = [
    {
      name: "route",
      title: "Route to the right specialist",
      description: "Sends a request to the specialist best suited to it (classified by intent), through the router's policies, limits and audit, and answers with its output.",
      inputSchema: TEXT_INPUT("The request, in plain language"),
      annotations: { openWorldHint: true },
      target: { kind: "route" },
    },
    {
      name: "find_tools",
      title: "Find tools for a task",
      description: "Finds the tools of this catalogue best suited to a task description, most relevant first, with their input schemas.",
      inputSchema: {
        type: "object",
        properties: {
          query: { type: "string", minLength: 1, maxLength: 4000, description: "What you want to do, in plain language" },
          k: { type: "integer", minimum: 1, maximum: o.findTools.maxK, default: o.findTools.defaultK, description: "How many tools to return" },
        },
        required: ["query"],
        additionalProperties: false,
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
      target: { kind: "find_tools" },
    },
  ];
  if (!o.specialistTools) return tools;
  for (const s of specialists) {
    if (s.endpoint.type === "mcp") continue;
    tools.push({
      name: s.id,
      description: s.description || `The '${s.id}' specialist`,
      inputSchema: TEXT_INPUT(`The request for '${s.id}'`),
      annotations: { openWorldHint: true },
      target: { kind: "specialist", specialist: s.id },
    });
  }
  return tools;
}

/** A remote server's tools as the catalogue lists them: namespaced, members as the server sent them. */
export function remoteTools(server: string, tools: readonly UpstreamTool[]): CatalogueTool[] {
  return tools.map((t) => ({ ...t, name: `${server}${NAMESPACE_SEPARATOR}${t.name}`, target: { kind: "remote", server, tool: t.name } }));
}

/** The `Tool` a client sees: the catalogue entry without its target. */
export function listed(tool: CatalogueTool): Record<string, unknown> {
  const { target: _target, ...rest } = tool;
  return rest;
}

/** Which server a namespaced name is of (config/mcp.ts `splitToolName`), before its tools are listed. */
export const serverOf = splitToolName;

/**
 * The tools in name order (UTF-16 code units), the order `tools/list` pages them in,
 * each name once: a server that lists a name twice has its first kept (names are what
 * a call and a cursor go by).
 */
export function sortedByName<T extends { name: string }>(tools: readonly T[]): T[] {
  const seen = new Set<string>();
  const unique = tools.filter((t) => !seen.has(t.name) && seen.add(t.name));
  return unique.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The tools whose names match one of `globs` (`*`, `?`), or all of them without globs. */
export function filterTools<T extends { name: string }>(tools: readonly T[], globs: readonly string[] | undefined): T[] {
  if (!globs || globs.length === 0) return [...tools];
  const match = globMatcher(globs);
  return tools.filter((t) => match(t.name));
}

/** Thrown for a cursor the door did not give (JSON-RPC -32602, MCP 2025-11-25 "Pagination": "Invalid cursors SHOULD result in an error with code -32602"). */
export class InvalidCursor extends Error {}

/** An opaque cursor: the name of the last tool of the page, so a page survives tools added or removed meanwhile. */
export function encodeCursor(lastName: string): string {
  return bytesToBase64(new TextEncoder().encode(JSON.stringify({ after: lastName })));
}

function decodeCursor(cursor: string): string {
  try {
    const v = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(base64ToBytes(cursor))) as { after?: unknown };
    if (typeof v.after === "string") return v.after;
  } catch {
    // below
  }
  throw new InvalidCursor("invalid cursor: send the nextCursor of the last tools/list answer");
}

/**
 * One page of `tools` (sorted by name: {@link sortedByName}): the first `size` after the
 * cursor's tool, or after where its name would be when it was removed meanwhile.
 *
 * @throws {InvalidCursor} a cursor this function did not make.
 */
export function pageOf<T extends { name: string }>(tools: readonly T[], cursor: string | undefined, size: number): { page: T[]; nextCursor?: string } {
  let start = 0;
  if (cursor !== undefined) {
    const after = decodeCursor(cursor);
    const at = tools.findIndex((t) => t.name === after);
    start = at >= 0 ? at + 1 : tools.findIndex((t) => t.name > after);
    if (start < 0) start = tools.length;
  }
  const page = tools.slice(start, start + size);
  const more = start + size < tools.length;
  return more && page.length ? { page, nextCursor: encodeCursor(page.at(-1)!.name) } : { page };
}
