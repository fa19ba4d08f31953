/**
 * A bounded least-recently-used map, the first tier of the intent cache.
 * Map keeps insertion order, so the first key is always the least recently used.
 *
 * @example
 * const lru = new Lru<string, number>(2);
 * lru.set("a", 1); lru.set("b", 2); lru.get("a"); lru.set("c", 3); // evicts "b"
 */
export class Lru<K, V> {
  readonly #map = new Map<K, V>();
  readonly capacity: number;
  constructor(capacity: number) {
    this.capacity = capacity;
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError("capacity must be a positive integer");
  }

  get size(): number {
    return this.#map.size;
  }

  /** Returns the value and marks it most recently used. */
  get(key: K): V | undefined {
    const value = this.#map.get(key);
    if (value === undefined) return undefined;
    this.#map.delete(key);
    this.#map.set(key, value);
    return value;
  }

  /** Inserts or refreshes a value, evicting the least recently used one past capacity. */
  set(key: K, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.capacity) {
      const oldest = this.#map.keys().next().value as K;
      this.#map.delete(oldest);
    }
  }

  delete(key: K): boolean {
    return this.#map.delete(key);
  }
}
