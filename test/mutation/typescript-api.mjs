/**
 * Gives Stryker the TypeScript it needs. The project compiles with TypeScript 7, whose
 * `typescript` package has no JavaScript compiler API (`import ts from "typescript"`
 * yields only `{ version }`), yet Stryker's core reads tsconfig.json through that API
 * and its TypeScript checker formats diagnostics with it. This hook, loaded by
 * stryker.config.mjs in Stryker's process and passed to its checker processes, sends
 * `typescript` imported from inside `@stryker-mutator/*` (and nothing else) to
 * TypeScript 5.9 installed under ./classic-typescript (a local package, so its `tsc`
 * never reaches node_modules/.bin), and `@typescript/native/unstable/sync` (the
 * checker's native-preview API) to the project's TypeScript 7.
 */
import { registerHooks } from "node:module";

const CLASSIC = new URL("./classic-typescript/package.json", import.meta.url).href;
const STRYKER = "/node_modules/@stryker-mutator/";

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (context.parentURL?.includes(STRYKER)) {
      if (specifier === "typescript") return nextResolve(specifier, { ...context, parentURL: CLASSIC });
      if (specifier === "@typescript/native/unstable/sync") return nextResolve("typescript/unstable/sync", context);
    }
    return nextResolve(specifier, context);
  },
});
