/**
 * `value` with the Responses door's random item ids (`msg_`, `rs_`, `fc_` + 32 hex)
 * renamed `<prefix>_<n>` in order of appearance and every numeric `completed_at` as
 * "NOW", so whole replies or event lists compare with `toEqual`.
 */
export function normalizedIds<T>(value: T): unknown {
  const ids = new Map<string, string>();
  const norm = (v: unknown): unknown => {
    if (typeof v === "string" && /^(msg|rs|fc)_[0-9a-f]{32}$/.test(v)) {
      if (!ids.has(v)) ids.set(v, `${v.slice(0, v.indexOf("_"))}_${ids.size}`);
      return ids.get(v);
    }
    if (Array.isArray(v)) return v.map(norm);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === "completed_at" && typeof x === "number" ? "NOW" : norm(x)]));
    return v;
  };
  return norm(value);
}
