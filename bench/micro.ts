/**
 * In-process micro-benchmark of the intent layer in plain Node: what one cache-miss
 * decision costs in CPU (normalise → intent id → encode → classify), per stage.
 * Node's crypto.subtle.digest is asynchronous (thread-pool hop), so the intent-id
 * stage costs more here than the synchronous-ish digest inside workerd.
 */
import { BuiltinEncoder } from "../worker/intent/builtin-encoder.ts";
import { buildIntentModel } from "../worker/intent/model.ts";
import { normalizeInput } from "../worker/intent/normalize.ts";
import { intentId } from "../worker/intent/record.ts";
import { summarize, type Latency } from "./load.ts";
import { runScreeningMicro, screeningLines, type ScreeningMicro } from "./screening.ts";

export interface MicroResult {
  encoderId: string;
  labels: number;
  examples: number;
  fitMs: number;
  inputChars: number;
  /** µs per call, over `iterations` calls on rotating distinct inputs. */
  stages: Record<string, Latency>;
  iterations: number;
  /** Prompt-injection screening of a chat hop, against the reference it replaced (bench/screening.ts). */
  screening?: ScreeningMicro[];
}

type Sources = { specialist: string; label: string; examples: string[] }[];

const WORDS =
  "please convert the distance between the two cities into miles and tell me what day of the week the trip ends if we leave on the fifteenth of march and drive for nine hours each day with stops".split(" ");

/** `count` distinct inputs of exactly `chars` characters. */
export function inputs(count: number, chars: number, seed = 1): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let s = `${seed}-${i}`;
    for (let w = i; s.length < chars; w += 7) s += ` ${WORDS[w % WORDS.length]}`;
    out.push(s.slice(0, chars));
  }
  return out;
}

function time(fn: () => void): number {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e3;
}

async function timeAsync(fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e3;
}

/** Bounded: at most `maxIterations` per stage and about `maxMs` in all. */
export async function runMicro(sources: Sources, o: { inputChars: number; maxIterations: number; maxMs: number }): Promise<MicroResult> {
  const encoder = new BuiltinEncoder();
  const t0 = performance.now();
  const model = await buildIntentModel(sources, encoder);
  const fitMs = performance.now() - t0;
  const texts = inputs(256, o.inputChars);
  const normalized = texts.map(normalizeInput);
  const vectors = normalized.map((t) => encoder.encodeOne(t));
  const stages: Record<string, Latency> = {};
  const budget = o.maxMs / 5;
  const measure = async (name: string, fn: (i: number) => unknown, async = false) => {
    const warm = Math.min(500, o.maxIterations);
    for (let i = 0; i < warm; i++) await fn(i); // JIT warm-up
    const samples: number[] = [];
    const deadline = performance.now() + budget;
    for (let i = 0; i < o.maxIterations && performance.now() < deadline; i++)
      samples.push(async ? await timeAsync(() => fn(i) as Promise<unknown>) : time(() => fn(i)));
    stages[name] = summarize(samples);
  };
  await measure("normalize", (i) => normalizeInput(texts[i % texts.length]!));
  await measure("intentId (SHA-256)", (i) => intentId(encoder.id, normalized[i % normalized.length]!), true);
  await measure("encode (BuiltinEncoder)", (i) => encoder.encodeOne(normalized[i % normalized.length]!));
  await measure("predict (classifier)", (i) => model.classifier.predict(vectors[i % vectors.length]!, 3));
  await measure("model.classify (normalize+encode+predict)", (i) => model.classify(texts[i % texts.length]!, 3), true);
  return {
    encoderId: model.encoder.id,
    labels: sources.length,
    examples: sources.reduce((a, s) => a + s.examples.length, 0),
    fitMs,
    inputChars: o.inputChars,
    stages,
    iterations: Math.max(...Object.values(stages).map((s) => s.count)),
  };
}

/** The micro-benchmark section of `npm run bench`: runs it on the bundled config's intents and prints its table. */
export async function microSection(
  cfg: { specialists: { id: string; intents?: { label: string; examples: string[] }[] }[] },
  maxMs: number,
  log: (s?: string) => void,
  table: (m: MicroResult) => string,
): Promise<MicroResult | { error: string }> {
  log("== Intent layer micro-benchmark (in-process Node, BuiltinEncoder, bundled config's intents) ==");
  try {
    const sources = cfg.specialists.flatMap((s) => (s.intents ?? []).map((i) => ({ specialist: s.id, label: i.label, examples: i.examples })));
    const m = await runMicro(sources, { inputChars: 200, maxIterations: 20_000, maxMs });
    log(`encoder ${m.encoderId}; ${m.labels} labels / ${m.examples} examples; model fitted in ${m.fitMs.toFixed(1)} ms; ${m.inputChars}-character inputs`);
    log(table(m));
    const classify = m.stages["model.classify (normalize+encode+predict)"]?.p50 ?? NaN;
    const id = m.stages["intentId (SHA-256)"]?.p50 ?? NaN;
    log(`→ encode+classify ≈ ${classify.toFixed(1)} µs p50 per decision (${m.inputChars} chars); the router also hashes the input for the intent id (+${id.toFixed(1)} µs here) and normalises it twice`);
    m.screening = runScreeningMicro(Math.min(1_000, maxMs / 2));
    for (const line of screeningLines(m.screening)) log(line);
    log();
    return m;
  } catch (e) {
    log(`!! micro-benchmark failed: ${(e as Error)?.message ?? e}\n`);
    return { error: String((e as Error)?.stack ?? e) };
  }
}
