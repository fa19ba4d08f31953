/**
 * Compiles a glob (`*` any run of characters, `?` one character; everything else
 * literal) into an anchored, case-sensitive RegExp.
 *
 * @example
 * globToRegExp("payments.*").test("payments.refund") // true
 */
export function globToRegExp(glob: string): RegExp {
  let re = "^";
  for (const ch of glob) {
    if (ch === "*") re += ".*";
    else if (ch === "?") re += ".";
    else re += ch.replace(/[.+^${}()|[\]\\/-]/g, "\\$&");
  }
  return new RegExp(`${re}$`);
}

/** A matcher for one glob or a list of globs (any may match). */
export function globMatcher(globs: string | readonly string[]): (value: string) => boolean {
  const res = (typeof globs === "string" ? [globs] : globs).map(globToRegExp);
  return (value) => res.some((r) => r.test(value));
}
