import type { Vector } from "./vector.ts";

/**
 * Turns texts into vectors. `id` names the feature space and carries a
 * version ("builtin-hash/1", "workers-ai/@cf/baai/bge-small-en-v1.5"): a
 * classifier is only valid for vectors from the encoder id it was fitted on,
 * so implementations must change the id whenever their features change.
 *
 * @example
 * const [v] = await encoder.encode(["what is my balance"]);
 */
export interface Encoder {
  readonly id: string;
  encode(texts: readonly string[]): Promise<Vector[]>;
}
