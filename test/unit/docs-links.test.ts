import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
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

/** Lines outside fenced code blocks. */
function prose(text: string): string[] {
  let fence = false;
  return text.split("\n").filter((line) => {
    if (line.startsWith("```")) fence = !fence;
    return !fence && !line.startsWith("```");
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

/** Relative link targets `[text](target)` in prose (not in code blocks or inline code). */
function relativeLinks(text: string): string[] {
  return prose(text).flatMap((line) =>
    [...line.replace(/`[^`]*`/g, "").matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t)),
  );
}

/** Why `target`, linked from `file`, does not resolve (undefined when it does). */
function broken(file: string, target: string): string | undefined {
  const [path, anchor] = target.split("#", 2) as [string, string | undefined];
  const dest = path === "" ? join(ROOT, file) : join(ROOT, dirname(file), decodeURIComponent(path));
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
    const linked = new Set(relativeLinks(readFileSync(join(ROOT, "README.md"), "utf8")).map((t) => t.split("#")[0]));
    expect(sourceFiles("docs", /\.md$/).filter((p) => !linked.has(p))).toEqual([]);
  });

  it("finds a broken file link and a broken anchor (the checker itself)", () => {
    expect(broken("README.md", "docs/nope.md")).toMatch(/no such file/);
    expect(broken("README.md", "docs/http-api.md#nope")).toMatch(/no heading #nope/);
    expect(broken("README.md", "docs/http-api.md#keys")).toBeUndefined();
    expect(slug("OpenAI-compatible front door and `openai-chat` specialists")).toBe("openai-compatible-front-door-and-openai-chat-specialists");
  });
});
