import { describe, expect, it } from "vitest";
import { Specialist } from "../../../../worker/config/schema.ts";
import { encodeCursor, filterTools, InvalidCursor, listed, NAMESPACE_SEPARATOR, ownTools, pageOf, remoteTools, serverOf, sortedByName } from "../../../../worker/protocols/mcp/catalogue.ts";
import type { UpstreamTool } from "../../../../worker/protocols/mcp/upstream.ts";

const spec = (id: string, extra: Record<string, unknown> = {}) => Specialist.parse({ id, endpoint: { type: "http", url: `https://${id}.example` }, ...extra });
const server = (id: string) => Specialist.parse({ id, endpoint: { type: "mcp", url: `https://${id}.example/mcp` } });
const OPTS = { specialistTools: true, findTools: { maxK: 20, defaultK: 5 } };
const TEXT_INPUT = (what: string) => ({
  type: "object",
  properties: {
    input: { type: "string", minLength: 1, description: what },
    context: { type: "object", description: "Structured context sent with the input (the hop's `context`)", additionalProperties: true },
  },
  required: ["input"],
  additionalProperties: false,
});
const named = (...names: string[]) => names.map((name) => ({ name }));
const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

describe("ownTools", () => {
  it("lists route and find_tools first, then each specialist in config order", () => {
    const tools = ownTools([spec("units", { description: "Converts units" }), server("github"), spec("general")], OPTS);
    expect(tools.map((t) => [t.name, t.target])).toEqual([
      ["route", { kind: "route" }],
      ["find_tools", { kind: "find_tools" }],
      ["units", { kind: "specialist", specialist: "units" }],
      ["general", { kind: "specialist", specialist: "general" }],
    ]);
  });

  it("route takes one text and optional context, and says it reaches the open world", () => {
    const [route] = ownTools([], OPTS);
    expect(route).toEqual({
      name: "route",
      title: "Route to the right specialist",
      description: "Sends a request to the specialist best suited to it (classified by intent), through the router's policies, limits and audit, and answers with its output.",
      inputSchema: TEXT_INPUT("The request, in plain language"),
      annotations: { openWorldHint: true },
      target: { kind: "route" },
    });
  });

  it("find_tools takes a query and a k bounded by the settings' maxK, defaulting to defaultK", () => {
    const find = ownTools([], { specialistTools: false, findTools: { maxK: 7, defaultK: 3 } })[1]!;
    expect(find).toEqual({
      name: "find_tools",
      title: "Find tools for a task",
      description: "Finds the tools of this catalogue best suited to a task description, most relevant first, with their input schemas.",
      inputSchema: {
        type: "object",
        properties: {
          query: { type: "string", minLength: 1, maxLength: 4000, description: "What you want to do, in plain language" },
          k: { type: "integer", minimum: 1, maximum: 7, default: 3, description: "How many tools to return" },
        },
        required: ["query"],
        additionalProperties: false,
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
      target: { kind: "find_tools" },
    });
  });

  it("a specialist tool takes the text input, with the specialist's description or a fallback for an empty one", () => {
    const [, , units, general] = ownTools([spec("units", { description: "Converts units" }), spec("general")], OPTS);
    expect(units).toEqual({
      name: "units",
      description: "Converts units",
      inputSchema: TEXT_INPUT("The request for 'units'"),
      annotations: { openWorldHint: true },
      target: { kind: "specialist", specialist: "units" },
    });
    expect(general!.description).toBe("The 'general' specialist");
  });

  it("specialistTools: false lists only the door's own tools", () => {
    expect(ownTools([spec("units"), spec("general")], { ...OPTS, specialistTools: false }).map((t) => t.name)).toEqual(["route", "find_tools"]);
  });

  it("MCP servers are never listed as specialist tools", () => {
    expect(ownTools([server("github"), server("linear")], OPTS).map((t) => t.name)).toEqual(["route", "find_tools"]);
  });
});

describe("remoteTools and listed", () => {
  const upstream: UpstreamTool[] = [
    { name: "create_issue", title: "Create an issue", description: "Opens one", inputSchema: { type: "object" }, outputSchema: { type: "object" }, annotations: { destructiveHint: false }, _meta: { "x/y": 1 }, icons: [{ src: "i.png" }] },
    { name: "search", inputSchema: { type: "object", properties: { q: { type: "string" } } } },
  ];

  it("namespaces each tool under its server and keeps every member as the server sent it", () => {
    const tools = remoteTools("github", upstream);
    expect(tools).toEqual([
      { ...upstream[0], name: "github__create_issue", target: { kind: "remote", server: "github", tool: "create_issue" } },
      { ...upstream[1], name: "github__search", target: { kind: "remote", server: "github", tool: "search" } },
    ]);
    expect(upstream[0]!.name).toBe("create_issue");
    expect(NAMESPACE_SEPARATOR).toBe("__");
  });

  it("a server listing no tools adds none", () => {
    expect(remoteTools("github", [])).toEqual([]);
  });

  it("listed drops the target and nothing else, leaving the catalogue entry as it was", () => {
    const [tool] = remoteTools("github", upstream);
    const shown = listed(tool!);
    expect(shown).toEqual({ ...upstream[0], name: "github__create_issue" });
    expect(shown).not.toHaveProperty("target");
    expect(tool!.target).toEqual({ kind: "remote", server: "github", tool: "create_issue" });
    expect(listed(ownTools([], OPTS)[0]!)).not.toHaveProperty("target");
  });
});

describe("serverOf", () => {
  it.each([
    ["github__create_issue", { server: "github", tool: "create_issue" }],
    ["a__b", { server: "a", tool: "b" }],
    ["github__x__y", { server: "github", tool: "x__y" }],
    ["git___x", { server: "git", tool: "_x" }],
    ["my-server__do.it", { server: "my-server", tool: "do.it" }],
  ])("%s splits at its first '__'", (name, split) => {
    expect(serverOf(name)).toEqual(split);
  });

  it.each(["route", "", "_", "__", "__tool", "server__", "a_b", "a__"])("%j names no server's tool", (name) => {
    expect(serverOf(name)).toBeUndefined();
  });
});

describe("filterTools and sortedByName", () => {
  const tools = named("route", "github__create_issue", "github__delete_repo", "linear__delete_issue", "units");

  it("keeps the tools matching any glob, in the order given", () => {
    expect(filterTools(tools, ["github__*"]).map((t) => t.name)).toEqual(["github__create_issue", "github__delete_repo"]);
    expect(filterTools(tools, ["*__delete_*", "route"]).map((t) => t.name)).toEqual(["route", "github__delete_repo", "linear__delete_issue"]);
    expect(filterTools(tools, ["unit?"]).map((t) => t.name)).toEqual(["units"]);
    expect(filterTools(tools, ["github"])).toEqual([]);
    expect(filterTools([], ["*"])).toEqual([]);
  });

  it("without globs, or with an empty list, keeps every tool (in a new array)", () => {
    for (const globs of [undefined, []]) {
      const all = filterTools(tools, globs);
      expect(all).toEqual(tools);
      expect(all).not.toBe(tools);
    }
  });

  it("sorts by UTF-16 code units (not locale), leaving the input as it was", () => {
    const input = named("b", "a", "B", "_x", "Z", "é", "a", "aa");
    expect(sortedByName(input).map((t) => t.name)).toEqual(["B", "Z", "_x", "a", "aa", "b", "é"]);
    expect(input.map((t) => t.name)).toEqual(["b", "a", "B", "_x", "Z", "é", "a", "aa"]);
    expect(sortedByName([])).toEqual([]);
  });

  it("keeps the first of tools of equal names (a name is what a call and a cursor go by)", () => {
    const same = [{ name: "x", n: 1 }, { name: "x", n: 2 }, { name: "a", n: 3 }];
    expect(sortedByName(same).map((t) => t.n)).toEqual([3, 1]);
  });

  it("pages a list that came with a name twice without repeating or looping", () => {
    const tools = sortedByName(named("b", "a", "b", "c"));
    const names: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 10; i++) {
      const r = pageOf(tools, cursor, 1);
      names.push(...r.page.map((t) => t.name));
      cursor = r.nextCursor;
      if (!cursor) break;
    }
    expect(names).toEqual(["a", "b", "c"]);
  });
});

describe("pageOf", () => {
  const ten = sortedByName(named(...Array.from({ length: 10 }, (_, i) => `t${String(i).padStart(2, "0")}`)));

  it("the first page is the first `size` tools, with a cursor when more follow", () => {
    const first = pageOf(ten, undefined, 3);
    expect(first.page.map((t) => t.name)).toEqual(["t00", "t01", "t02"]);
    expect(first.nextCursor).toBe(encodeCursor("t02"));
  });

  it("following nextCursor visits every tool once, in order, and the last page has no cursor", () => {
    for (const size of [1, 3, 4, 9, 10, 11]) {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const p = pageOf(ten, cursor, size);
        seen.push(...p.page.map((t) => t.name));
        cursor = p.nextCursor;
        pages += 1;
      } while (cursor !== undefined && pages < 20);
      expect(seen, `size ${size}`).toEqual(ten.map((t) => t.name));
      expect(pages, `size ${size}`).toBe(Math.ceil(10 / size));
    }
  });

  it("a list that is an exact multiple of the page size ends without an empty page", () => {
    const four = named("a", "b", "c", "d");
    const first = pageOf(four, undefined, 2);
    expect(first.nextCursor).toBeDefined();
    const second = pageOf(four, first.nextCursor, 2);
    expect(second).toEqual({ page: named("c", "d") });
    expect(pageOf(four, undefined, 4)).toEqual({ page: four });
  });

  it("an empty list is one empty page; so is a page of size 0, with no cursor to follow", () => {
    expect(pageOf([], undefined, 5)).toEqual({ page: [] });
    expect(pageOf(named("a", "b"), undefined, 0)).toEqual({ page: [] });
  });

  it("a tool removed between pages: the next page starts where its name would be", () => {
    const first = pageOf(named("a", "b", "c", "d", "e"), undefined, 2);
    expect(pageOf(named("a", "c", "d", "e"), first.nextCursor, 2)).toEqual({ page: named("c", "d"), nextCursor: encodeCursor("d") });
    expect(pageOf(named("a", "bb", "d"), encodeCursor("b"), 2)).toEqual({ page: named("bb", "d") });
    expect(pageOf(named("c", "d"), encodeCursor("a"), 5)).toEqual({ page: named("c", "d") });
  });

  it("a tool added between pages before the cursor is not sent again; one after it is", () => {
    const first = pageOf(named("b", "d", "f"), undefined, 2);
    expect(pageOf(named("a", "b", "c", "d", "e", "f"), first.nextCursor, 2)).toEqual({ page: named("e", "f") });
  });

  it("a cursor past the end, or at the last tool, is an empty last page", () => {
    expect(pageOf(named("a", "b"), encodeCursor("zzz"), 2)).toEqual({ page: [] });
    expect(pageOf(named("a", "b"), encodeCursor("b"), 2)).toEqual({ page: [] });
  });

  it.each([
    ["garbage", "not*base64!"],
    ["a length not a multiple of 4", "abc"],
    ["base64 of no JSON", b64("after t01")],
    ["base64 of invalid UTF-8", Buffer.from([0xff, 0xfe, 0x7b, 0x7d]).toString("base64")],
    ["JSON without after", b64(JSON.stringify({ before: "t01" }))],
    ["a non-string after", b64(JSON.stringify({ after: 5 }))],
    ["a null after", b64(JSON.stringify({ after: null }))],
    ["JSON null", b64("null")],
    ["a JSON string", b64(JSON.stringify("t01"))],
    ["empty", ""],
  ])("refuses a cursor it did not make: %s", (_what, cursor) => {
    expect(() => pageOf(ten, cursor, 3)).toThrow(InvalidCursor);
    expect(() => pageOf(ten, cursor, 3)).toThrow("invalid cursor: send the nextCursor of the last tools/list answer");
  });

  it("encodeCursor is base64 of {after}, and round-trips names beyond ASCII", () => {
    expect(JSON.parse(Buffer.from(encodeCursor("t01"), "base64").toString("utf8"))).toEqual({ after: "t01" });
    const tools = sortedByName(named("ascii", "émoji_🚀", "日本語", "zz"));
    const first = pageOf(tools, undefined, 2);
    expect(first.page.map((t) => t.name)).toEqual(["ascii", "zz"]);
    const p = pageOf(tools, encodeCursor("émoji_🚀"), 1);
    expect(p).toEqual({ page: named("日本語") });
    expect(JSON.parse(Buffer.from(encodeCursor("émoji_🚀"), "base64").toString("utf8")).after).toBe("émoji_🚀");
  });

  it("cursors are the same for the same name, different for different names", () => {
    expect(encodeCursor("a")).toBe(encodeCursor("a"));
    expect(encodeCursor("a")).not.toBe(encodeCursor("b"));
  });
});
