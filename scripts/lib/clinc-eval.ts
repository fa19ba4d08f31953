/**
 * CLINC-format evaluation of the intent layer (`npm run eval -- --train FILE --test FILE …`):
 * fits with buildIntentModel on the train file's `train` (+ `oos_train` as the
 * explicit out-of-scope class "oos", unless --no-oos-class), with each label's
 * specialist as its classifier group (unless --no-groups); chooses the
 * threshold on the train file's `val`/`oos_val` (rule: best oos recall with
 * in-scope accuracy at most --max-acc-loss below its no-threshold value) unless
 * --threshold is given; reports on the test file's `test`/`oos_test` if
 * present, else its `val`/`oos_val`.
 */
import { nextTurn, startProgress } from "./progress.ts";
import { BuiltinEncoder } from "../../worker/intent/builtin-encoder.ts";
import { buildIntentModel, type IntentModel } from "../../worker/intent/model.ts";
import {
  chooseThreshold,
  metrics,
  readClinc,
  readDomains,
  syntheticInputs,
  toSources,
  type Metrics,
  type Row,
  type Scored,
} from "./eval-data.ts";

/** Options of the CLINC mode (strings as `node:util` parseArgs gives them). */
export interface ClincArgs {
  train: string;
  test: string;
  domains?: string;
  threshold?: string;
  "max-acc-loss": string;
  "no-oos-class": boolean;
  epochs?: string;
  lr?: string;
  "dim-bits"?: string;
  "no-groups": boolean;
  "group-weight"?: string;
  smoothing?: string;
  dropout?: string;
  seed?: string;
  json: boolean;
}

/** Runs the CLINC evaluation and prints its report (text, or JSON with `json`). */
/** Prints the report (or its JSON), four progress stages on stderr; returns it. */
export async function runClincEval(args: ClincArgs): Promise<ClincReport> {
  const num = (s: string | undefined): number | undefined => (s === undefined ? undefined : Number(s));

  const trainFile = readClinc(args.train);
  const testFile = readClinc(args.test);
  const domains = args.domains ? readDomains(args.domains) : undefined;
  const useOosClass = !args["no-oos-class"];

  // ---- fit (four stages on stderr: fit, val, test, latency)
  const bar = startProgress("clinc", 4);
  bar.now("fitting the model");
  const sources = toSources(trainFile.train ?? [], useOosClass ? (trainFile.oos_train ?? []) : [], domains);
  const encoder = new BuiltinEncoder(args["dim-bits"] ? { dimBits: Number(args["dim-bits"]) } : {});
  const fitStart = performance.now();
  // intent → specialist (the domain with --domains) as the classifier's label groups
  const groups = args["no-groups"] ? undefined : new Map(sources.map((s) => [s.label, s.specialist] as const));
  const model = await buildIntentModel(sources, encoder, {
    epochs: num(args.epochs),
    learningRate: num(args.lr),
    groups,
    groupWeight: num(args["group-weight"]),
    labelSmoothing: num(args.smoothing),
    inputDropout: num(args.dropout),
    seed: num(args.seed),
  });
  const fitMs = performance.now() - fitStart;
  bar.tick(`fit: ${sources.length} labels in ${(fitMs / 1000).toFixed(1)} s`);
  await nextTurn(); // the fit and the scoring are synchronous: let Ctrl-C in between the stages
  bar.now("threshold on val");
  const snapshotBytes = new TextEncoder().encode(JSON.stringify(model.classifier.snapshot())).length;

  async function score(model: IntentModel, rows: readonly Row[]): Promise<Scored[]> {
    const out: Scored[] = [];
    for (const [text, gold] of rows) out.push({ gold, p: await model.classify(text, 3) });
    return out;
  }

  // ---- threshold on the train file's validation split
  const valIn = await score(model, trainFile.val ?? []);
  const valOos = await score(model, trainFile.oos_val ?? []);
  let threshold: number;
  let thresholdRule: string;
  if (args.threshold !== undefined) {
    threshold = Number(args.threshold);
    thresholdRule = "given (--threshold)";
  } else if (valIn.length > 0 && valOos.length > 0) {
    const loss = Number(args["max-acc-loss"]);
    threshold = chooseThreshold(valIn, valOos, loss);
    thresholdRule = `best oos recall on val with in-scope acc loss <= ${(loss * 100).toFixed(1)} pt`;
  } else {
    threshold = 0;
    thresholdRule = "no val/oos_val: 0";
  }

  bar.tick(`threshold ${threshold.toFixed(2)} (${thresholdRule})`);
  await nextTurn();
  // ---- report on test (or val)
  bar.now("scoring the test split");
  const split = testFile.test ? "test" : "val";
  const testIn = await score(model, (split === "test" ? testFile.test : testFile.val) ?? []);
  const testOos = await score(model, (split === "test" ? testFile.oos_test : testFile.oos_val) ?? []);
  const result = metrics(testIn, testOos, threshold, domains);
  const curve: Metrics[] = [0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5].map((t) => metrics(testIn, testOos, t, domains));
  bar.tick(`scored ${testIn.length + testOos.length} rows of ${split}`);
  await nextTurn();
  bar.now("latency per decision");

  // ---- latency: encode + classify per decision, after warm-up
  async function microsPerDecision(texts: readonly string[]): Promise<number> {
    for (let i = 0; i < 500; i++) await model.classify(texts[i % texts.length]!, 3);
    const start = performance.now();
    for (const t of texts) await model.classify(t, 3);
    return ((performance.now() - start) * 1000) / texts.length;
  }
  const testTexts = [...testIn, ...testOos].map((s, i) => (i < testIn.length ? testRow(i) : oosRow(i - testIn.length)));
  function testRow(i: number): string {
    return ((split === "test" ? testFile.test : testFile.val) ?? [])[i]![0];
  }
  function oosRow(i: number): string {
    return ((split === "test" ? testFile.oos_test : testFile.oos_val) ?? [])[i]![0];
  }
  const synthetic = syntheticInputs(testTexts, 2000, 200);
  const usTest = await microsPerDecision(testTexts);
  const usSynthetic = await microsPerDecision(synthetic);
  bar.tick(`latency: ${usTest.toFixed(0)} µs per decision`);
  bar.stop();
  const avgChars = testTexts.reduce((a, t) => a + t.length, 0) / Math.max(1, testTexts.length);

  const report = {
    encoder: model.encoder.id,
    labels: model.classifier.labels.length,
    specialists: new Set(model.labelToSpecialist.values()).size,
    trainRows: sources.reduce((a, s) => a + s.examples.length, 0),
    oosClass: useOosClass,
    split,
    inScopeRows: testIn.length,
    oosRows: testOos.length,
    thresholdRule,
    ...result,
    fitMs,
    snapshotBytes,
    fingerprint: model.classifier.fingerprint,
    usPerDecisionTest: usTest,
    avgTestChars: avgChars,
    usPerDecision200Chars: usSynthetic,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    curve,
  };

  if (args.json) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    const pct = (x: number | undefined) => (x === undefined ? "n/a" : `${(x * 100).toFixed(2)} %`);
    const lines: [string, string][] = [
      ["encoder", `${report.encoder} (${report.labels} labels, ${report.specialists} specialists, ${report.trainRows} train rows)`],
      ["explicit oos class", useOosClass ? "yes (oos_train → label 'oos', specialist 'fallback')" : "no"],
      ["evaluated on", `${split}: ${testIn.length} in-scope + ${testOos.length} out-of-scope`],
      ["threshold", `${threshold.toFixed(2)} (${thresholdRule})`],
      ["in-scope accuracy", pct(result.inScopeAccuracy)],
      ["out-of-scope recall", pct(result.oosRecall)],
      ["out-of-scope precision", pct(result.oosPrecision)],
      ["out-of-scope F1", pct(result.oosF1)],
      ["domain accuracy", pct(result.domainAccuracy)],
      ["domain acc. (no reject)", pct(result.domainAccuracyNoReject)],
      ["fit time", `${(fitMs / 1000).toFixed(2)} s (normalise + encode + train + quantise)`],
      ["snapshot size", `${snapshotBytes.toLocaleString("en-US")} bytes`],
      ["fingerprint", report.fingerprint],
      ["µs / decision (test)", `${usTest.toFixed(1)} µs (avg ${avgChars.toFixed(0)} chars)`],
      ["µs / decision (200 ch)", `${usSynthetic.toFixed(1)} µs (2000 synthetic 200-char inputs)`],
      ["peak RSS", `${(report.peakRssBytes / 2 ** 20).toFixed(0)} MiB`],
    ];
    const w = Math.max(...lines.map(([k]) => k.length));
    for (const [k, v] of lines) console.log(`${k.padEnd(w)}  ${v}`);
    console.log(`\nthreshold  in-scope acc  oos recall  oos prec  domain acc`);
    for (const m of curve)
      console.log(
        `${m.threshold.toFixed(2).padStart(9)}  ${pct(m.inScopeAccuracy).padStart(12)}  ${pct(m.oosRecall).padStart(10)}  ${pct(m.oosPrecision).padStart(8)}  ${pct(m.domainAccuracy).padStart(10)}`,
      );
  }
  return report;
}

/** What `runClincEval` reports (its `--json`). */
export type ClincReport = { curve: Metrics[]; inScopeAccuracy: number; oosRecall: number; threshold: number; split: string; trainRows: number; fitMs: number };
