// Read by test/unit/layout.test.ts (never imported): one dynamic import and two inline import types.
export const lazy = () => import("../../worker/protocols/registry.ts");
export type Door = import("../../worker/protocols/types.ts").FrontDoor;
export type Hop = typeof import("../../worker/routing/hop.ts");
