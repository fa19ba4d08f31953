import { expect } from "vitest";
import type { Translation } from "../../worker/protocols/translation.ts";

/** Asserts a translation refused `param`, naming it (quoted) in its detail too; returns the detail. */
export function refused(t: Translation<unknown>, param: string): string {
  expect(t).toMatchObject({ ok: false, param });
  if (t.ok) return "";
  expect(t.detail).toContain(`'${param}'`);
  return t.detail;
}
