import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { htmlTarget, writeHtml } from "../../../scripts/lib/html-report.ts";

/** A stand-in repository: eval/ and bench/ without their out/ folders, a folder and a file elsewhere. */
const root = mkdtempSync(join(tmpdir(), "switchyard-html-"));
mkdirSync(join(root, "eval"));
mkdirSync(join(root, "bench"));
mkdirSync(join(root, "elsewhere"));
writeFileSync(join(root, "a-file"), "");
afterAll(() => rmSync(root, { recursive: true, force: true }));

const error = (file: string) => {
  const t = htmlTarget(file, root);
  return "error" in t ? t.error : undefined;
};

describe("htmlTarget (checked before the run)", () => {
  it("takes a file in an existing folder, a new one or one to overwrite", () => {
    expect(htmlTarget(join(root, "elsewhere/report.html"), root)).toEqual({ path: join(root, "elsewhere/report.html"), mkdir: false });
    writeFileSync(join(root, "elsewhere/old.html"), "old");
    expect(htmlTarget(join(root, "elsewhere/old.html"), root)).toEqual({ path: join(root, "elsewhere/old.html"), mkdir: false });
    expect(readFileSync(join(root, "elsewhere/old.html"), "utf8")).toBe("old"); // the check opened it to append: unchanged
    expect(existsSync(join(root, "elsewhere/report.html"))).toBe(false); // and took back the file it made to try
  });

  it("refuses a file that cannot be written where access() says the folder can (a virtual file system)", () => {
    expect(error("/proc/switchyard-report.html")).toMatch(/^--html \/proc\/switchyard-report\.html: cannot be written \(E[A-Z]+\)$/);
  });
  it("makes the repository's own git-ignored output folders (eval/out, bench/out, below them too) when missing", () => {
    expect(htmlTarget(join(root, "eval/out/few-shot.html"), root)).toEqual({ path: join(root, "eval/out/few-shot.html"), mkdir: true });
    expect(htmlTarget(join(root, "bench/out/2026/report.html"), root)).toEqual({ path: join(root, "bench/out/2026/report.html"), mkdir: true });
  });
  it("refuses an existing folder, and a name ending in a slash", () => {
    expect(error(join(root, "elsewhere"))).toMatch(/elsewhere: is a folder; give a file name, e\.g\. .*elsewhere\/report\.html$/);
    expect(error(`${join(root, "nothing-yet")}/`)).toMatch(/nothing-yet\/: names a folder; give a file name/);
    // eval/out and bench/out are folders even before they are made: never a file of that name
    expect(error(join(root, "eval/out"))).toMatch(/eval\/out: is a folder; give a file name, e\.g\. .*eval\/out\/report\.html$/);
    expect(error(join(root, "bench/out"))).toMatch(/bench\/out: is a folder/);
  });
  it("refuses a file whose folder does not exist, outside eval/out and bench/out: it makes none", () => {
    expect(error(join(root, "missing/dir/x.html"))).toBe(`--html ${join(root, "missing/dir/x.html")}: folder ${join(root, "missing/dir")} does not exist (only eval/out/ and bench/out/ are made when missing)`);
    expect(error(join(root, "evaluation/out/x.html"))).toMatch(/does not exist/);
  });
  it("refuses a file below a file, and an empty name", () => {
    expect(error(join(root, "a-file/x.html"))).toMatch(/a-file is not a folder/);
    expect(error("")).toBe("--html needs a file name, e.g. --html eval/out/report.html");
  });
});

describe("writeHtml", () => {
  it("writes the page, making eval/out when missing", () => {
    const file = join(root, "eval/out/page.html");
    expect(writeHtml(file, "<p>x</p>", root)).toBe(file);
    expect(readFileSync(file, "utf8")).toBe("<p>x</p>");
  });
  it("throws the check's message rather than making a folder elsewhere", () => {
    expect(() => writeHtml(join(root, "missing/x.html"), "", root)).toThrow(/does not exist/);
    expect(() => writeHtml(join(root, "elsewhere"), "", root)).toThrow(/is a folder/);
  });
});
