import { Lru } from "../intent/lru.ts";
import type { ArmStats } from "./selection.ts";

/** Reads one specialist's outcomes for one intent label (undefined: none yet). */
export type ArmReader = (specialist: string, label: string) => Promise<ArmStats | undefined>;

interface Held {
  value: ArmStats | undefined;
  at: number;
  refreshing?: Promise<void> | undefined;
}

/**
 * An isolate's copy of the outcome counts a learned choice reads (`router.selection:
 * "learned"`), per (label, specialist): fresh for `ttlMs`, then served as is while
 * one read refreshes it in the background, so a hop waits for the counts only the
 * first time it meets a (label, specialist) — and then at most `firstReadMs` (after
 * that the candidate counts as having no evidence yet: its prior). A failed read
 * keeps the last value. Bounded: the least recently used entries go past `max`.
 */
export class ArmCache {
  readonly #held: Lru<string, Held>;
  readonly #read: ArmReader;

  constructor(read: ArmReader, max = 4096) {
    this.#read = read;
    this.#held = new Lru(max);
  }

  /**
   * The counts of `specialists` for `label` as of `now` (epoch ms). `defer` keeps a
   * background refresh alive after the response.
   */
  async get(label: string, specialists: readonly string[], now: number, o: { ttlMs: number; firstReadMs: number; defer: (p: Promise<unknown>) => void }): Promise<Map<string, ArmStats>> {
    const out = new Map<string, ArmStats>();
    await Promise.all(
      specialists.map(async (id) => {
        const key = `${label}\u0000${id}`;
        const held = this.#held.get(key);
        if (held) {
          if (now - held.at >= o.ttlMs && !held.refreshing) {
            held.refreshing = this.#refresh(key, held, id, label, now);
            o.defer(held.refreshing);
          }
          if (held.value) out.set(id, held.value);
          return;
        }
        const entry: Held = { value: undefined, at: now };
        const first = this.#refresh(key, entry, id, label, now);
        this.#held.set(key, entry);
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([first, new Promise<void>((r) => (timer = setTimeout(r, o.firstReadMs)))]);
        clearTimeout(timer);
        o.defer(first);
        if (entry.value) out.set(id, entry.value);
      }),
    );
    return out;
  }

  #refresh(key: string, entry: Held, specialist: string, label: string, now: number): Promise<void> {
    return this.#read(specialist, label).then(
      (value) => {
        entry.value = value;
        entry.at = now;
        entry.refreshing = undefined;
      },
      (e: unknown) => {
        entry.at = now; // not again before the ttl: a failing store is not read on every hop
        entry.refreshing = undefined;
        console.warn(JSON.stringify({ msg: "outcome counts could not be read; the last ones serve", key, error: String(e) }));
      },
    );
  }
}
