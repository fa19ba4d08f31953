/**
 * One self-contained HTML page for the reports of `--html FILE`: inline SVG and CSS, no
 * script, no network; readable without JavaScript and printable.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
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

/** Writes the page to `file` (its folder made if missing); returns the absolute path. */
export function writeHtml(file: string, html: string): string {
  const path = resolve(file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, html);
  return path;
}
