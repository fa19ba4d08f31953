/**
 * A value built on first use and kept: for work an isolate should not do when it
 * starts (module evaluation counts toward startup time) because few requests need it.
 *
 * @example
 * const defaults = lazy(() => RouterSettings.parse({}));
 * defaults().maxBodyBytes // parsed on this first call, the same object after
 */
export function lazy<T>(build: () => T): () => T {
  let built = false;
  let value: T;
  return () => {
    if (!built) {
      value = build();
      built = true;
    }
    return value;
  };
}
