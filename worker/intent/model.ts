import { BuiltinEncoder } from "./builtin-encoder.ts";
import { fitClassifier, loadClassifier, loadPackedClassifier, type Classifier, type ClassifierSnapshot, type FitOptions, type Prediction } from "./classifier.ts";
import type { Encoder } from "./encoder.ts";
import { normalizeInput } from "./normalize.ts";
import { sha256Hex } from "./record.ts";
import { trainingViews } from "./routing-view.ts";
import type { Vector } from "./vector.ts";

/** Examples of one intent label, routed to `specialist`. */
export interface IntentSource {
  specialist: string;
  label: string;
  examples: readonly string[];
}

/** A prediction plus the specialist its label routes to. */
export type IntentPrediction = Prediction & { specialist: string };

/**
 * Encoder + classifier + label → specialist map: what the Worker and the eval share.
 * Confidence is the classifier's confidence score (with groups, the combined score
 * √(p(label) · p(its specialist)); see `Prediction`), reported as is; the caller
 * compares it to its `minConfidence` to decide "out of scope".
 */
export interface IntentModel {
  readonly encoder: Encoder;
  readonly classifier: Classifier;
  readonly labelToSpecialist: ReadonlyMap<string, string>;
  /**
   * Normalises `text` (unless the caller already did: `normalized`), encodes it and
   * returns the top label with its specialist and the k best.
   */
  classify(text: string, k: number, normalized?: boolean): Promise<IntentPrediction>;
}

/**
 * Version of what {@link buildIntentModel} fits for given sources and options (the
 * rows it trains on, the training defaults): bump it when that changes, so a stored
 * snapshot of an older fit is not restored. fit/2: examples and their instruction
 * heads, at least 10,000 updates.
 */
export const FIT_VERSION = "fit/2";

/**
 * What a fitted model is a function of, as a 40-hex-digit key: the fit version, the
 * encoder and every source (specialist, label, examples, in order). Equal keys mean
 * a snapshot fitted for one set of sources serves the other.
 */
export async function modelKey(encoderId: string, sources: readonly IntentSource[]): Promise<string> {
  return (await sha256Hex(JSON.stringify([FIT_VERSION, encoderId, sources]))).slice(0, 40);
}

/**
 * Fits an intent model from labelled examples. Each label becomes a class;
 * sources sharing a label must share the specialist (their examples merge).
 * An example with an instruction head before its payload also teaches the head
 * alone (see {@link FIT_VERSION}).
 *
 * Out of scope: to learn an explicit out-of-scope class, give the fallback
 * specialist an intent whose examples are out-of-scope requests (e.g. label
 * "oos"). It is an ordinary label: a prediction of it routes to the fallback
 * like any other label, and low confidence remains the caller's second signal.
 *
 * @example
 * const model = await buildIntentModel(
 *   [{ specialist: "bank", label: "balance", examples: ["what is my balance", "how much money do i have"] },
 *    { specialist: "travel", label: "book_flight", examples: ["book a flight to rome", "i need a plane ticket"] }],
 *   new BuiltinEncoder(),
 * );
 * const p = await model.classify("how much is in my account", 2); // p.specialist === "bank"
 */
export async function buildIntentModel(
  sources: readonly IntentSource[],
  encoder: Encoder,
  options?: FitOptions,
): Promise<IntentModel> {
  const labelToSpecialist = new Map<string, string>();
  const texts: string[] = [];
  const labels: string[] = [];
  for (const s of sources) {
    if (!s.label || !s.specialist) throw new Error("buildIntentModel: label and specialist must be non-empty");
    const prev = labelToSpecialist.get(s.label);
    if (prev !== undefined && prev !== s.specialist)
      throw new Error(`buildIntentModel: label "${s.label}" routes to both "${prev}" and "${s.specialist}"`);
    labelToSpecialist.set(s.label, s.specialist);
    for (const ex of s.examples) {
      for (const view of trainingViews(ex)) {
        const t = normalizeInput(view);
        if (t === "") continue;
        texts.push(t);
        labels.push(s.label);
      }
    }
  }
  if (texts.length === 0) throw new Error("buildIntentModel: no examples");
  const vectors = await encoder.encode(texts);
  if (vectors.length !== texts.length) throw new Error("buildIntentModel: encoder returned a wrong number of vectors");
  // Each specialist is a group: a domain head is trained jointly and the confidence
  // weighs in how sure the model is of the specialist (pass `groups: undefined` to opt out).
  const fit = options !== undefined && "groups" in options ? options : { ...options, groups: labelToSpecialist };
  const classifier = fitClassifier(
    vectors.map((vector, i) => ({ vector, label: labels[i]! })),
    fit,
  );
  for (const label of labelToSpecialist.keys())
    if (!classifier.labels.includes(label)) labelToSpecialist.delete(label); // a source with no usable example
  return new FittedIntentModel(encoder, classifier, labelToSpecialist);
}

/**
 * Rebuilds a model from a classifier snapshot fitted earlier on the same sources
 * (the build step's, or the fitter Durable Object's), skipping the fit: the JSON form
 * or the packed bytes (snapshot-codec.ts; `verify: false` only for the build's own
 * bytes). Throws if the snapshot is malformed or its labels do not match the sources' labels.
 *
 * @example
 * const again = restoreIntentModel(sources, encoder, model.classifier.snapshot());
 */
export function restoreIntentModel(sources: readonly IntentSource[], encoder: Encoder, snapshot: ClassifierSnapshot | Uint8Array | ArrayBuffer, options?: { verify?: boolean }): IntentModel {
  const classifier = snapshot instanceof Uint8Array || snapshot instanceof ArrayBuffer ? loadPackedClassifier(snapshot, options) : loadClassifier(snapshot);
  const labelToSpecialist = new Map<string, string>();
  for (const s of sources) if (classifier.labels.includes(s.label)) labelToSpecialist.set(s.label, s.specialist);
  if (labelToSpecialist.size !== classifier.labels.length) throw new Error("restoreIntentModel: snapshot labels do not match the sources");
  return new FittedIntentModel(encoder, classifier, labelToSpecialist);
}

/**
 * `model` serving a config whose specialists are `ids`: a label whose specialist is
 * not among them routes to `fallback` with confidence 0 (out of scope), so a model
 * fitted for an earlier config never names a specialist that is gone. Used while the
 * new config's model is being fitted (runtime.ts).
 *
 * @example
 * const m = withSpecialists(model, new Set(["units"]), "general");
 * (await m.classify("what is 2+2", 1)).specialist; // "general" when the label was arithmetic's
 */
export function withSpecialists(model: IntentModel, ids: ReadonlySet<string>, fallback: string | undefined): IntentModel {
  const map = new Map([...model.labelToSpecialist].map(([label, id]) => [label, ids.has(id) ? id : (fallback ?? id)]));
  return {
    encoder: model.encoder,
    classifier: model.classifier,
    labelToSpecialist: map,
    async classify(text, k, normalized) {
      const p = await model.classify(text, k, normalized);
      const specialist = map.get(p.label) ?? p.specialist;
      return specialist === p.specialist ? p : { ...p, specialist, confidence: 0 };
    },
  };
}

class FittedIntentModel implements IntentModel {
  readonly encoder: Encoder;
  readonly classifier: Classifier;
  readonly labelToSpecialist: ReadonlyMap<string, string>;
  private readonly sync: BuiltinEncoder | null;

  constructor(encoder: Encoder, classifier: Classifier, labelToSpecialist: ReadonlyMap<string, string>) {
    this.encoder = encoder;
    this.classifier = classifier;
    this.labelToSpecialist = labelToSpecialist;
    this.sync = encoder instanceof BuiltinEncoder ? encoder : null;
  }

  async classify(text: string, k: number, normalized = false): Promise<IntentPrediction> {
    const t = normalized ? text : normalizeInput(text);
    const v: Vector = this.sync ? this.sync.encodeOne(t) : (await this.encoder.encode([t]))[0]!;
    const p = this.classifier.predict(v, k);
    // Stryker disable next-line StringLiteral: unreachable, every label of the classifier has a specialist (buildIntentModel and restoreIntentModel see to it)
    return { ...p, specialist: this.labelToSpecialist.get(p.label) ?? "" };
  }
}
