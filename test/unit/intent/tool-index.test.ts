import { describe, expect, it } from "vitest";
import { buildToolIndex, splitIdentifiers, toolChunks, type ToolDoc } from "../../../worker/intent/tool-index.ts";

const TOOLS: ToolDoc[] = [
  { name: "github__create_issue", description: "Create a new issue in a GitHub repository", inputSchema: { type: "object", properties: { owner: {}, repo: {}, title: { type: "string" } } } },
  { name: "gitlab__create_issue", description: "Create a new issue in a GitLab project" },
  { name: "filesystem__read_text_file", title: "Read Text File", description: "Read the complete contents of a file from the file system as text." },
  { name: "fetch__fetch", description: "Fetches a URL from the internet and optionally extracts its contents as markdown." },
  { name: "slack__slack_post_message", description: "Post a new message to a Slack channel" },
  { name: "time__convert_time", description: "Convert time between timezones" },
  {
    name: "redis__set",
    description: "Set a key-value pair with optional expiration",
    inputSchema: { type: "object", properties: { key: { type: "string", description: "Redis key" }, expireSeconds: { type: "number", description: "Optional expiration time in seconds" } } },
  },
];
const index = buildToolIndex(TOOLS);
const top = (q: string, k = 1) => index.search(q, k).map((h) => h.name);

describe("splitIdentifiers", () => {
  it("splits namespaced, snake, kebab, dotted and camelCase names into words", () => {
    expect(splitIdentifiers("github__create_issue")).toBe("github create issue");
    expect(splitIdentifiers("notion__API-post-search")).toBe("notion API post search");
    expect(splitIdentifiers("sentry.getIssueTagValues")).toBe("sentry get Issue Tag Values");
    expect(splitIdentifiers("parseHTTPResponse2Json")).toBe("parse HTTP Response2 Json");
    expect(splitIdentifiers("plain words, kept")).toBe("plain words, kept");
  });
});

describe("toolChunks", () => {
  it("is the name and title, the description's sentences, then the schema's properties", () => {
    expect(toolChunks(TOOLS[6]!)).toEqual([
      "redis set",
      "Set a key value pair with optional expiration",
      "key: Redis key",
      "expire Seconds: Optional expiration time in seconds",
    ]);
    expect(toolChunks({ name: "fs__read_text_file", title: "Read Text File", description: "Reads a file. Handles encodings.\nFollows links." })).toEqual([
      "fs read text file Read Text File",
      "Reads a file",
      "Handles encodings",
      "Follows links",
    ]);
  });

  it("cuts the schema text at schemaChars, reads nested properties and items, and ignores malformed schemas", () => {
    const tool: ToolDoc = { name: "a__b", inputSchema: { properties: { files: { items: { properties: { path: { description: "where" } } } }, long: { description: "x".repeat(50) } } } };
    expect(toolChunks(tool)).toEqual(["a b", "files", "path: where", `long: ${"x".repeat(50)}`]);
    expect(toolChunks(tool, 16)).toEqual(["a b", "files", "path: where"]);
    expect(toolChunks(tool, 12)).toEqual(["a b", "files", "path: w"]);
    expect(toolChunks(tool, 0)).toEqual(["a b"]);
    for (const inputSchema of [null, 3, "x", [], { properties: [] }, { properties: null }]) expect(toolChunks({ name: "a__b", inputSchema })).toEqual(["a b"]);
  });

  it("cuts a sentence longer than 300 characters and drops chunks with no letter or digit", () => {
    const chunks = toolChunks({ name: "a__b", description: `${"word ".repeat(100)}\n\n-- !!` });
    expect(chunks.slice(1).map((c) => c.length <= 300)).toEqual([true, true]);
    expect(chunks).toHaveLength(3);
  });
});

describe("buildToolIndex / search", () => {
  it("ranks a tool first for its own name, namespaced or split into words", () => {
    for (const t of TOOLS) {
      expect(top(t.name)).toEqual([t.name]);
      expect(top(splitIdentifiers(t.name))).toEqual([t.name]);
    }
  });

  it("finds tools from task descriptions written in other words than the descriptions (no query is fitted)", () => {
    expect(top("open an issue on GitHub about the login bug")).toEqual(["github__create_issue"]);
    expect(top("file an issue in our GitLab project")).toEqual(["gitlab__create_issue"]);
    expect(top("download https://example.com/page as markdown")).toEqual(["fetch__fetch"]);
    expect(top("what time is it in Tokyo when it's 9:00 in Paris? convert it")).toEqual(["time__convert_time"]);
    expect(top("tell the #general Slack channel that lunch is ready")).toEqual(["slack__slack_post_message"]);
    expect(top("store this value with an expiration of 60 seconds")).toEqual(["redis__set"]);
  });

  it("returns at most k hits, best first, k floored and clamped to [0, size]", () => {
    expect(index.size).toBe(TOOLS.length);
    expect(index.search("create issue", 3)).toHaveLength(3);
    expect(index.search("create issue", 2.9)).toHaveLength(2);
    expect(index.search("create issue", 100)).toHaveLength(TOOLS.length);
    for (const k of [0, -1, Number.NaN, Number.NEGATIVE_INFINITY]) expect(index.search("create issue", k)).toEqual([]);
    expect(index.search("create issue", Number.POSITIVE_INFINITY)).toHaveLength(TOOLS.length);
    const scores = index.search("create a new issue", TOOLS.length).map((h) => h.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    for (const s of scores) expect(s).toBeGreaterThanOrEqual(0);
    expect(scores[0]).toBeLessThanOrEqual(1 + 1e-6);
  });

  it("answers an empty, blank, symbol-only or non-Latin query with zero scores in catalogue order, and never throws", () => {
    for (const q of ["", "   ", "?!…", "\u0000\uFFFF", "🙂🙂", "\uD800"]) {
      const hits = index.search(q, 3);
      expect(hits.map((h) => h.name)).toEqual(TOOLS.slice(0, 3).map((t) => t.name));
      expect(hits.every((h) => h.score === 0)).toBe(true);
    }
    expect(index.search("ファイルを読む read file", 1)).toHaveLength(1);
    expect(index.search("x".repeat(100_000), 2)).toHaveLength(2);
  });

  it("is deterministic: the same catalogue gives the same hits and scores, and a search leaves the index unchanged", () => {
    const again = buildToolIndex(TOOLS.map((t) => ({ ...t })));
    const q = "read the contents of a local file";
    const first = index.search(q, TOOLS.length);
    expect(again.search(q, TOOLS.length)).toEqual(first);
    index.search("something else entirely", 3);
    expect(index.search(q, TOOLS.length)).toEqual(first);
  });

  it("keeps catalogue order among tools with equal scores", () => {
    const twins = buildToolIndex([{ name: "a__same" }, { name: "b__same" }, { name: "c__same" }]);
    expect(twins.search("same", 3).map((h) => h.name)).toEqual(["a__same", "b__same", "c__same"]);
  });

  it("handles an empty catalogue and a one-tool catalogue", () => {
    const empty = buildToolIndex([]);
    expect(empty.size).toBe(0);
    expect(empty.search("anything", 5)).toEqual([]);
    const one = buildToolIndex([{ name: "x__only" }]);
    expect(one.search("only", 5)).toEqual([{ name: "x__only", score: expect.any(Number) }]);
  });

  it("reads name, title and schema: a tool with no description is still found by them", () => {
    const ix = buildToolIndex([{ name: "maps__geocode", title: "Address to coordinates" }, { name: "pay__refund", inputSchema: { properties: { payment_intent: { description: "the charge to give back" } } } }, ...TOOLS]);
    expect(ix.search("address coordinates", 1)[0]!.name).toBe("maps__geocode");
    expect(ix.search("give back the charge of a payment intent", 1)[0]!.name).toBe("pay__refund");
  });

  it("refuses empty or repeated names and out-of-range options", () => {
    expect(() => buildToolIndex([{ name: "" }])).toThrow(/buildToolIndex: a tool has no name/);
    expect(() => buildToolIndex([{ name: "a__b" }, { name: "a__b" }])).toThrow(/"a__b" is listed twice/);
    expect(() => buildToolIndex(TOOLS, { chunkWeight: 1.5 })).toThrow(/chunkWeight/);
    expect(() => buildToolIndex(TOOLS, { chunkWeight: Number.NaN })).toThrow(/chunkWeight/);
    expect(() => buildToolIndex(TOOLS, { schemaChars: -1 })).toThrow(/schemaChars/);
  });

  it("takes its options: without IDF or with chunks only it still ranks exact names first", () => {
    for (const options of [{ idf: false }, { chunkWeight: 1 }, { chunkWeight: 0 }, { encoder: { dimBits: 12 } }]) {
      const ix = buildToolIndex(TOOLS, options);
      for (const t of TOOLS) expect(ix.search(t.name, 1)[0]!.name).toBe(t.name);
    }
  });
});
