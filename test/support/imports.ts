/**
 * The import graph of the repo's TypeScript sources, read from the source text
 * (relative specifiers only; packages are leaves): static imports and re-exports,
 * dynamic `import("…")` and inline `import("…")` types. `runtime` leaves out what
 * erases at build (`import type`, `export type`, inline types).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");

/** Every file under `dir` whose name matches `pattern` (default: `.ts`/`.tsx` sources), as repo-relative paths. */
export function sourceFiles(dir: string, pattern: RegExp = /^(?!.*\.d\.ts$).*\.tsx?$/): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(join(ROOT, d))) {
      const p = join(d, name);
      if (statSync(join(ROOT, p)).isDirectory()) walk(p);
      else if (pattern.test(name)) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

const STATEMENT = /^\s*(import|export)\s+(type\s+)?(?:[^"';]*?\sfrom\s+)?["'](\.{1,2}\/[^"']+)["']/gm;
/** `import("…")`: a dynamic import (runtime) or an inline type (`typeof import("…")`, `import("…").T`: erased). */
const CALL = /(typeof\s+)?\bimport\s*\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)(\s*\.\s*[A-Za-z_$])?/g;

/** The repo-relative files `file` imports (`runtime`: only imports that survive type erasure). */
export function importsOf(file: string, runtime: boolean): string[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  const out: string[] = [];
  for (const m of text.matchAll(STATEMENT)) {
    if (runtime && m[2]) continue;
    if (runtime && /^\s*import\s*\{[^}]*\}/.test(m[0]) && /^\s*import\s*\{\s*(type\s+[^,}]+\s*,?\s*)+\}/.test(m[0])) continue; // `import { type A, type B }`
    out.push(relative(ROOT, resolve(dirname(join(ROOT, file)), m[3]!)));
  }
  for (const m of text.matchAll(CALL)) {
    const typeOnly = m[1] !== undefined || m[3] !== undefined;
    if (runtime && typeOnly) continue;
    out.push(relative(ROOT, resolve(dirname(join(ROOT, file)), m[2]!)));
  }
  return out;
}

/** Cycles (as file lists) in the runtime import graph over `files`, one per strongly connected component. */
export function runtimeCycles(files: readonly string[]): string[][] {
  const graph = new Map(files.map((f) => [f, importsOf(f, true).filter((t) => /\.tsx?$/.test(t))]));
  let index = 0;
  const idx = new Map<string, number>(), low = new Map<string, number>(), stack: string[] = [], on = new Set<string>(), out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index); low.set(v, index++); stack.push(v); on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do { w = stack.pop()!; on.delete(w); scc.push(w); } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const f of graph.keys()) if (!idx.has(f)) visit(f);
  return out;
}
