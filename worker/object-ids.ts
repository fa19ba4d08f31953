/**
 * Durable Object ids by name, kept per namespace for the isolate's life:
 * `idFromName` derives the id from the name (a keyed hash) on every call, and the hot
 * path names the same few objects (a specialist's pool, the control plane) on every
 * hop. An id is a value, not an I/O object, so one isolate's requests share it
 * (https://developers.cloudflare.com/durable-objects/api/id/). Bounded: past
 * {@link MAX_NAMES} names a namespace's map starts over.
 */
export const MAX_NAMES = 10_000;

const ids = new WeakMap<object, Map<string, DurableObjectId>>();

/**
 * `ns.idFromName(name)`, derived once per isolate.
 *
 * @example
 * namedId(env.RATE_LIMIT_POOL, "specialist:writer") // the same DurableObjectId on every call
 */
export function namedId(ns: Pick<DurableObjectNamespace, "idFromName">, name: string): DurableObjectId {
  let byName = ids.get(ns);
  if (!byName) ids.set(ns, (byName = new Map()));
  let id = byName.get(name);
  if (id === undefined) {
    if (byName.size >= MAX_NAMES) byName.clear();
    id = ns.idFromName(name);
    byName.set(name, id);
  }
  return id;
}
