import type { Encoder } from "./encoder.ts";
import { denseVector, type Vector } from "./vector.ts";

/**
 * The slice of the Workers AI binding this encoder needs (structural, so this
 * module has no Workers imports). `env.AI` satisfies it at runtime.
 */
export interface EmbeddingRunner {
  /** Resolves to `{ data: number[][] }`, one row per text (checked: a wrong shape throws). */
  run(model: string, input: { text: string[] }): Promise<unknown>;
}

/** Default embedding model. */
export const DEFAULT_WORKERS_AI_MODEL = "@cf/baai/bge-small-en-v1.5";

/** Largest batch sent in one `run` call. */
export const WORKERS_AI_BATCH = 100;

/**
 * Encoder backed by Workers AI text embeddings: dense, L2-normalised vectors,
 * texts sent in batches of at most {@link WORKERS_AI_BATCH}, in order.
 *
 * @example
 * const enc = new WorkersAiEncoder(env.AI); // id "workers-ai/@cf/baai/bge-small-en-v1.5"
 * const [v] = await enc.encode(["book a table for two"]);
 */
export class WorkersAiEncoder implements Encoder {
  /** `workers-ai/<model>`. */
  readonly id: string;
  /** Workers AI model name. */
  readonly model: string;
  private readonly ai: EmbeddingRunner;

  constructor(ai: EmbeddingRunner, model: string = DEFAULT_WORKERS_AI_MODEL) {
    if (!model) throw new Error("WorkersAiEncoder: empty model name");
    this.ai = ai;
    this.model = model;
    this.id = `workers-ai/${model}`;
  }

  /** Embeds `texts` (≤100 per call); throws if the binding returns a wrong shape. */
  async encode(texts: readonly string[]): Promise<Vector[]> {
    const out: Vector[] = [];
    let dim = -1;
    for (let i = 0; i < texts.length; i += WORKERS_AI_BATCH) {
      const batch = texts.slice(i, i + WORKERS_AI_BATCH);
      const res = await this.ai.run(this.model, { text: batch });
      const data = (res as { data?: unknown } | null | undefined)?.data;
      if (!Array.isArray(data) || data.length !== batch.length)
        throw new Error(`WorkersAiEncoder: expected ${batch.length} embeddings from ${this.model}`);
      for (const row of data) {
        if (!Array.isArray(row) || row.length === 0) throw new Error("WorkersAiEncoder: empty embedding");
        if (dim >= 0 && row.length !== dim) throw new Error("WorkersAiEncoder: embeddings of different dimensions");
        dim = row.length;
        out.push(denseVector(row));
      }
    }
    return out;
  }
}
