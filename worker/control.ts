import type { ControlState, LearnedState, Registrations, SwitchState } from "../durable-objects/control-plane.ts";
import { PolledValue, withDeadline } from "./control-cache.ts";
import { namedId } from "./object-ids.ts";
import type { Env } from "./env.ts";
import { ProblemError } from "./http/problem.ts";
import { baseConfig } from "./config/base.ts";
import { routerDefaults } from "./config/schema.ts";

/**
 * How long an isolate trusts the switches it read: a switch flipped anywhere takes
 * effect everywhere within this bound, and at once in the isolate that flipped it.
 */
export const CONTROL_CACHE_MS = 2_000;

/**
 * How long a read of the control plane may take (`router.controlReadTimeoutMs` of the
 * base config; its default when that does not validate): one that has not answered by
 * then counts as failed, so a control plane that hangs delays requests by at most this
 * much instead of holding them forever.
 */
export function controlReadTimeoutMs(env: Pick<Env, "SWITCHYARD_CONFIG">): number {
  const base = baseConfig(env);
  return base.ok ? base.config.router.controlReadTimeoutMs : routerDefaults().controlReadTimeoutMs;
}

const CONTROL = "the control plane";

export const EMPTY_SWITCHES: SwitchState = { version: 0, registrations: 0, learning: 0, global: null, tenants: {}, specialists: {} };

/** How to read: `fresh` goes to the control plane now (a task before each step); else a cached value up to `CONTROL_CACHE_MS` old. */
export interface ControlRead {
  fresh?: boolean;
  /** Current time, ms since the epoch (default `Date.now()`). */
  now?: number;
}

const warnStale = (what: string) => (error: unknown, ageMs: number) =>
  console.warn(JSON.stringify({ msg: `control plane unreachable: serving the last ${what} read`, ageMs, error: String(error) }));

/**
 * A control-plane read an isolate keeps by version (the registrations, the learned
 * examples): read once per version, shared by concurrent callers; a failed read is not
 * kept (the next caller reads again).
 */
class VersionedRead<T> {
  #held: { version: number; read: Promise<T> } | undefined;

  /** The value at (at least) `version`: the one held, or `read()` (its failure mapped by `fail`). */
  at(version: number, read: () => Promise<T>, fail: (e: unknown) => Error): Promise<T> {
    const held = this.#held;
    if (held && held.version >= version) return held.read;
    const p: Promise<T> = read().catch((e: unknown) => {
      if (this.#held?.read === p) this.#held = held;
      throw fail(e);
    });
    this.#held = { version, read: p };
    return p;
  }

  /** Keeps a value just returned by a change, unless a newer one is held. */
  remember(version: number, value: T): void {
    if (!this.#held || this.#held.version <= version) this.#held = { version, read: Promise.resolve(value) };
  }

  clear(): void {
    this.#held = undefined;
  }
}

/** This isolate's switches: small, polled, single-flight, last good state on error. */
const switchCache = new PolledValue<SwitchState>(CONTROL_CACHE_MS, warnStale("switches"));
/** This isolate's registrations, read only when the switches say their version changed. */
const registrationCache = new VersionedRead<Registrations>();

/** The control plane's single object. */
export function controlStub(env: Env) {
  const ns = env.CONTROL_PLANE;
  return ns ? ns.get(namedId(ns, "control")) : undefined;
}

/**
 * The control plane's object, for a route that cannot work without it.
 * @throws ProblemError 503 `misconfigured` without a `CONTROL_PLANE` binding (`why` says what cannot be done then).
 */
export function requireControl(env: Env, why?: string) {
  const stub = controlStub(env);
  if (!stub) throw new ProblemError({ status: 503, slug: "misconfigured", title: "Router misconfigured", detail: `no CONTROL_PLANE Durable Object binding${why ? `: ${why}` : ""}` });
  return stub;
}

function unavailable(error: unknown): ProblemError {
  return new ProblemError({ status: 503, slug: "control-plane-unavailable", title: "Control plane unavailable", detail: `the kill switches could not be read: ${String(error)}` });
}

/**
 * The kill switches (global, per tenant, per specialist) and the registrations
 * version. Cached per isolate for `CONTROL_CACHE_MS`; one read at a time; when the
 * control plane cannot be read, the last good state (logged as stale). Throws a 503
 * `control-plane-unavailable` when it has never been read.
 */
export async function switchState(env: Env, opts: ControlRead = {}): Promise<SwitchState> {
  if (!env.CONTROL_PLANE) return EMPTY_SWITCHES;
  try {
    // the stub only when the cache must read (most requests are served from it): `idFromName` hashes the name
    return await switchCache.get(() => controlStub(env)!.switches(), { fresh: opts.fresh, now: opts.now ?? Date.now(), timeoutMs: controlReadTimeoutMs(env) });
  } catch (e) {
    throw unavailable(e);
  }
}

/** Whether this isolate's switches were read from the control plane or are its last good state ("stale"). */
export function switchFreshness(): "fresh" | "stale" | undefined {
  return switchCache.freshness;
}

/**
 * The runtime registrations at (at least) this version: read once per version per
 * isolate, shared by concurrent callers. A failed read is not cached.
 */
export async function registrationsAt(env: Env, registrations: number): Promise<Registrations> {
  const stub = controlStub(env);
  if (!stub || registrations === 0) return { registrations: 0, registered: {} };
  return registrationCache.at(registrations, () => withDeadline(stub.registrations(), controlReadTimeoutMs(env), CONTROL), unavailable);
}

/** This isolate's learned examples, read only when the switches say their version changed. */
const learnedCache = new VersionedRead<LearnedState>();

/**
 * The active learned examples at (at least) this learning version: read once per
 * version per isolate, shared by concurrent callers. A failed read is not cached.
 */
export async function learnedAt(env: Env, learning: number): Promise<LearnedState> {
  const stub = controlStub(env);
  if (!stub || learning === 0) return { learning: 0, examples: [] };
  return learnedCache.at(learning, () => withDeadline(stub.learned(), controlReadTimeoutMs(env), CONTROL), unavailable);
}

/** Everything, read from the control plane now (the admin view). */
export async function controlState(env: Env): Promise<ControlState> {
  const stub = controlStub(env);
  if (!stub) return { ...EMPTY_SWITCHES, registered: {} };
  let state: ControlState;
  try {
    state = await withDeadline(stub.state(), controlReadTimeoutMs(env), CONTROL);
  } catch (e) {
    throw unavailable(e);
  }
  rememberControl(state);
  return state;
}

/** Replaces the cached state with one just returned by a change (read-your-writes in this isolate). */
export function rememberControl(state: ControlState, now = Date.now()): void {
  const { registered, ...switches } = state;
  switchCache.set(switches, now);
  registrationCache.remember(state.registrations, { registrations: state.registrations, registered });
}

/** Why the switches stop a tenant's work now, if they do: the global switch, then the tenant's. */
export function stoppedBy(state: SwitchState, tenant: string): string | undefined {
  if (state.global?.disabled) return `the router's global kill switch: ${state.global.reason}`;
  const t = state.tenants[tenant];
  return t?.disabled ? `the kill switch of tenant '${tenant}': ${t.reason}` : undefined;
}

/** Forgets this isolate's switches and registrations (tests: a cold isolate). */
export function resetControlCaches(): void {
  switchCache.clear();
  registrationCache.clear();
  learnedCache.clear();
}
