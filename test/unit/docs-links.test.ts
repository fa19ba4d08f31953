import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, normalize, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, sourceFiles } from "../support/imports.ts";

/** GitHub's heading anchor: lower case, punctuation other than `-` dropped, spaces as hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");
}

/** Lines outside fenced code blocks (``` or ~~~, indented up to 3 spaces). */
function prose(text: string): string[] {
  let fence: string | undefined;
  return text.split("\n").filter((line) => {
    const m = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (m && (fence === undefined || m[1]!.startsWith(fence))) {
      fence = fence === undefined ? m[1]![0]!.repeat(3) : undefined;
      return false;
    }
    return fence === undefined;
  });
}

/** The anchors a markdown file defines: one per heading, repeats suffixed -1, -2, … */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of prose(text)) {
    const m = /^#{1,6} (.+)$/.exec(line);
    if (!m) continue;
    const base = slug(m[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

const LINK_PATTERNS = [
  /\]\(\s*<([^>]+)>(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g, // [text](<target> "title")
  /\]\(\s*([^)<\s]+)(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g, // [text](target "title"), ![alt](src)
  /^\s{0,3}\[[^\]]+\]:\s*<?([^>\s]+)>?/g, // [ref]: target
  /\b(?:href|src)\s*=\s*["']([^"']+)["']/g, // <a href>, <img src>
  /<([^>\s:]+\.md(?:#[^>\s]*)?)>/g, // <autolink.md>
];

/** Relative link targets in prose (not in code blocks or inline code): inline, reference, HTML and autolinks. */
function relativeLinks(text: string): string[] {
  return prose(text).flatMap((line) => {
    const bare = line.replace(/`[^`]*`/g, "");
    return LINK_PATTERNS.flatMap((re) => [...bare.matchAll(re)].map((m) => m[1]!)).filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t) && !t.startsWith("//"));
  });
}

/** Why `target`, linked from `file`, does not resolve (undefined when it does). */
function broken(file: string, target: string): string | undefined {
  const [pathAndQuery, anchor] = target.split("#", 2) as [string, string | undefined];
  const path = decodeURIComponent(pathAndQuery.split("?")[0]!);
  // a leading "/" is the repository root (as GitHub renders it), anything else is relative to the file
  const dest = path === "" ? join(ROOT, file) : path.startsWith("/") ? join(ROOT, path) : join(ROOT, dirname(file), path);
  const inRepo = relative(ROOT, dest);
  if (inRepo.startsWith("..") || isAbsolute(inRepo)) return `${file}: ${target} (outside the repository)`;
  if (!existsSync(dest)) return `${file}: ${target} (no such file)`;
  if (anchor === undefined || statSync(dest).isDirectory() || !dest.endsWith(".md")) return undefined;
  return anchors(readFileSync(dest, "utf8")).has(anchor) ? undefined : `${file}: ${target} (no heading #${anchor} in ${relative(ROOT, dest)})`;
}

const markdown = ["README.md", ...sourceFiles("docs", /\.md$/), ...sourceFiles("bench", /\.md$/), ...sourceFiles("worker", /\.md$/)];

describe("documentation links", () => {
  it("reads the README and every page of docs/", () => {
    expect(markdown).toContain("README.md");
    expect(markdown).toContain("docs/config.md");
  });

  it("every relative link in the README and docs/ resolves, anchors included", () => {
    const bad = markdown.flatMap((f) => relativeLinks(readFileSync(join(ROOT, f), "utf8")).flatMap((t) => broken(f, t) ?? []));
    expect(bad).toEqual([]);
  });

  it("the README links every page of docs/", () => {
    const linked = new Set(relativeLinks(readFileSync(join(ROOT, "README.md"), "utf8")).map((t) => normalize(t.split("#")[0]!)));
    expect(sourceFiles("docs", /\.md$/).filter((p) => !linked.has(p))).toEqual([]);
  });

  it("finds a broken file link and a broken anchor (the checker itself)", () => {
    expect(broken("README.md", "docs/nope.md")).toMatch(/no such file/);
    expect(broken("README.md", "docs/http-api.md#nope")).toMatch(/no heading #nope/);
    expect(broken("README.md", "docs/http-api.md#keys")).toBeUndefined();
    expect(broken("docs/config.md", "/docs/tasks.md")).toBeUndefined();
    expect(broken("docs/config.md", "/tasks.md")).toMatch(/no such file/);
    expect(broken("README.md", "../shared/DESIGN.md")).toMatch(/outside the repository/);
    expect(broken("README.md", "docs/http-api.md?plain=1")).toBeUndefined();
    expect(slug("OpenAI-compatible front door and `openai-chat` specialists")).toBe("openai-compatible-front-door-and-openai-chat-specialists");
  });

  it("reads every kind of link and skips code", () => {
    const text = [
      '[a](x.md "title") [b](<y z.md>) ![c](img.png)',
      "[ref]: r.md",
      '<a href="h.md">h</a> <img src="i.png"> <auto.md>',
      "`[not](code.md)`",
      "~~~",
      "[fenced](f.md)",
      "# fake",
      "~~~",
      "[web](https://example.com) [anchor](#here)",
    ].join("\n");
    expect(relativeLinks(text).sort()).toEqual(["#here", "auto.md", "h.md", "i.png", "img.png", "r.md", "x.md", "y z.md"]);
    expect(anchors(text).has("fake")).toBe(false);
  });
});
