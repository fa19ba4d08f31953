import type { ControlState } from "../durable-objects/control-plane.ts";
import type { Env } from "./env.ts";

/**
 * How long an isolate trusts the control state it read (kill switches, runtime
 * registrations): a change made anywhere takes effect everywhere within this
 * bound, and at once in the isolate that made it.
 */
export const CONTROL_CACHE_MS = 2_000;

export const EMPTY_CONTROL: ControlState = { version: 0, global: null, tenants: {}, specialists: {}, registered: {} };

let cached: { at: number; state: ControlState } | undefined;

/** The control plane's single object. */
export function controlStub(env: Env) {
  const ns = env.CONTROL_PLANE;
  return ns ? ns.get(ns.idFromName("control")) : undefined;
}

/**
 * The control state, from this isolate's cache when it is fresh enough (`fresh`: read
 * it from the control plane now, as a task does before each step it starts).
 */
export async function controlState(env: Env, now = Date.now(), fresh = false): Promise<ControlState> {
  if (!fresh && cached && now - cached.at < CONTROL_CACHE_MS) return cached.state;
  const stub = controlStub(env);
  if (!stub) return EMPTY_CONTROL;
  const state = (await stub.state()) as ControlState;
  cached = { at: now, state };
  return state;
}

/** Replaces the cached state with one just returned by a change (read-your-writes in this isolate). */
export function rememberControl(state: ControlState, now = Date.now()): void {
  cached = { at: now, state };
}

/** Why the switches stop a tenant's work now, if they do: the global switch, then the tenant's. */
export function stoppedBy(state: ControlState, tenant: string): string | undefined {
  if (state.global?.disabled) return `the router's global kill switch: ${state.global.reason}`;
  const t = state.tenants[tenant];
  return t?.disabled ? `the kill switch of tenant '${tenant}': ${t.reason}` : undefined;
}
