/**
 * One self-contained HTML page for the reports of `--html FILE`: inline SVG and CSS, no
 * script, no network; readable without JavaScript and printable.
 */
import { accessSync, closeSync, constants, mkdirSync, openSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { esc } from "./svg-plot.ts";

export interface Section {
  heading: string;
  /** Plain text paragraphs (escaped). */
  notes?: string[];
  /** SVG charts (markup from svg-plot.ts). */
  charts?: string[];
  /** A table: head and rows of text cells (escaped). */
  table?: { head: string[]; rows: string[][] };
}

/** The page: title, a subtitle line (command, date), then the sections. */
export function htmlPage(title: string, subtitle: string, sections: readonly Section[]): string {
  const body = sections
    .map((s) => {
      const notes = (s.notes ?? []).map((n) => `<p>${esc(n)}</p>`).join("");
      const charts = (s.charts ?? []).map((c) => `<figure>${c}</figure>`).join("");
      const table = s.table
        ? `<table><thead><tr>${s.table.head.map((h) => `<th scope="col">${esc(h)}</th>`).join("")}</tr></thead><tbody>${s.table.rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`).join("")}</tbody></table>`
        : "";
      return `<section><h2>${esc(s.heading)}</h2>${notes}${charts}${table}</section>`;
    })
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#111;background:#fff;line-height:1.45}
h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
.sub{color:#444}figure{margin:1em 0;overflow-x:auto}svg{max-width:100%;height:auto}
svg .tick{fill:#444;font-size:11px}svg .val{fill:#111;font-size:11px}svg .na{fill:#666;font-style:italic}svg .ref{font-weight:bold}
table{border-collapse:collapse;font-size:.9em;margin:1em 0}th,td{border:1px solid #ccc;padding:.25em .5em;text-align:right}th:first-child,td:first-child{text-align:left}
</style></head>
<body><h1>${esc(title)}</h1><p class="sub">${esc(subtitle)}</p>
${body}
</body></html>
`;
}

/** The repository (this file is scripts/lib/html-report.ts). */
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** The repository's git-ignored report folders: made when missing. Anywhere else the folder must exist. */
export const OUTPUT_DIRS = ["eval/out", "bench/out"] as const;

/**
 * Where `--html FILE` goes (relative to the working directory, which `npm run` sets to the
 * repository), checked before the run so that a bad name does not wait for its end: the
 * absolute path and whether its folder is to be made, or why not — no name, a folder (one that
 * exists, one of {@link OUTPUT_DIRS}, or a name ending in a slash), a folder that does not exist (only those of
 * {@link OUTPUT_DIRS} under `root`, below them too, are made), is no folder or is not writable.
 */
export function htmlTarget(file: string, root: string = REPO): { path: string; mkdir: boolean } | { error: string } {
  if (!file) return { error: "--html needs a file name, e.g. --html eval/out/report.html" };
  const refuse = (why: string) => ({ error: `--html ${file}: ${why}` });
  if (/[\\/]$/.test(file)) return refuse(`names a folder; give a file name, e.g. ${join(file, "report.html")}`);
  const path = resolve(file);
  const outDirs = OUTPUT_DIRS.map((d) => resolve(root, d));
  // eval/out, bench/out: folders even before they exist (the bench writes its results there)
  if (outDirs.includes(path) || statSync(path, { throwIfNoEntry: false })?.isDirectory()) return refuse(`is a folder; give a file name, e.g. ${join(file, "report.html")}`);
  const dir = dirname(path);
  const folder = statSync(dir, { throwIfNoEntry: false });
  if (folder === undefined) {
    const own = outDirs.some((d) => dir === d || dir.startsWith(d + sep));
    return own ? { path, mkdir: true } : refuse(`folder ${dir} does not exist (only ${OUTPUT_DIRS.map((d) => `${d}/`).join(" and ")} are made when missing)`);
  }
  if (!folder.isDirectory()) return refuse(`${dir} is not a folder`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    return refuse(`cannot write in ${dir}`);
  }
  // what access() cannot tell (a read-only or virtual file system such as /sys or /proc, a file that is not writable):
  // open it for appending now, and take back a file this made
  const existed = statSync(path, { throwIfNoEntry: false }) !== undefined;
  try {
    closeSync(openSync(path, "a"));
    if (!existed) rmSync(path);
  } catch (e) {
    return refuse(`cannot be written (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return { path, mkdir: false };
}

/** Writes the page to `file` once {@link htmlTarget} takes it (else throws its message); returns the absolute path. */
export function writeHtml(file: string, html: string, root: string = REPO): string {
  const target = htmlTarget(file, root);
  if ("error" in target) throw new Error(target.error);
  if (target.mkdir) mkdirSync(dirname(target.path), { recursive: true });
  writeFileSync(target.path, html);
  return target.path;
}
