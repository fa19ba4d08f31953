/**
 * The sections of `npm run eval -- <mode> --html FILE` (pure: report in, sections out; the
 * page is html-report.ts's): few-shot curves, the correction curve, the escalation sweep,
 * the pipeline table as bars, the CLINC threshold curve.
 */
import type { ClincReport } from "./clinc-eval.ts";
import type { CorrectionReport } from "./correction-eval.ts";
import type { EscalationReport } from "./escalation-eval.ts";
import type { FewShotReport } from "./few-shot-eval.ts";
import type { Section } from "./html-report.ts";
import { meetsGoal, type Row } from "./pipeline-report.ts";
import { barChart, lineChart } from "./svg-plot.ts";

const pct = (x: number) => x * 100;
const fmtPct = (digits: number) => (v: number) => `${v.toFixed(digits)} %`;
type Spread = { mean: number; min: number; max: number };
const point = (s: Spread) => ({ y: pct(s.mean), lo: pct(s.min), hi: pct(s.max) });

/** Few-shot: accuracy and out-of-scope recall against k, at the rule's threshold and the fixed one. */
export function fewShotSections(r: FewShotReport): Section[] {
  const xs = r.summary.map((s) => (s.k === null ? "all" : String(s.k)));
  const chart = lineChart({
    title: "CLINC150 val against k examples per intent (mean, min–max over seeds)",
    xAxis: "k: examples per intent",
    yAxis: "share of val rows (%)",
    xs,
    series: [
      { name: "in-scope accuracy (rule)", points: r.summary.map((s) => point(s.inScopeAccuracy)) },
      { name: "oos recall (rule)", points: r.summary.map((s) => point(s.oosRecall)) },
      { name: `in-scope accuracy (${r.fixedThreshold})`, points: r.summary.map((s) => point(s.fixed.inScopeAccuracy)) },
      { name: `oos recall (${r.fixedThreshold})`, points: r.summary.map((s) => point(s.fixed.oosRecall)) },
    ],
    yMax: 100,
    format: fmtPct(1),
  });
  const range = (s: Spread, d: number) => (s.min === s.max ? `${pct(s.mean).toFixed(d)} %` : `${pct(s.mean).toFixed(d)} % (${pct(s.min).toFixed(d)}–${pct(s.max).toFixed(d)})`);
  return [
    {
      heading: "Few-shot curves",
      notes: [`Scored on val: ${r.valRows.inScope} in scope + ${r.valRows.oos} out of scope; seeds ${r.seeds.join(", ")}; "all" is the fit on all of train (one seed). Rule: clinc-eval's threshold chosen on val.`],
      charts: [chart],
      table: {
        head: ["k / intent", "seeds", "in-scope acc (rule)", "oos recall (rule)", `in-scope acc (${r.fixedThreshold})`, `oos recall (${r.fixedThreshold})`],
        rows: r.summary.map((s, i) => [xs[i]!, String(s.seeds), range(s.inScopeAccuracy, 2), range(s.oosRecall, 0), range(s.fixed.inScopeAccuracy, 2), range(s.fixed.oosRecall, 0)]),
      },
    },
  ];
}

/** Corrections: held-out accuracy before and after streams corrected with probability p. */
export function correctionSections(r: CorrectionReport): Section[] {
  const before = r.summary[0]!.before;
  const xs = ["before", ...r.summary.map((s) => `p = ${s.p}`)];
  const chart = lineChart({
    title: `Correction curve: held-out half from k = ${r.startK} per intent, after corrections with probability p`,
    xAxis: "corrections",
    yAxis: "share of held-out rows (%)",
    xs,
    series: [
      { name: "in-scope accuracy", points: [point(before.inScopeAccuracy), ...r.summary.map((s) => point(s.after.inScopeAccuracy))] },
      { name: "oos recall", points: [point(before.oosRecall), ...r.summary.map((s) => point(s.after.oosRecall))] },
    ],
    yMax: 100,
    format: fmtPct(1),
  });
  const corrections = barChart({ title: "Corrections applied per stream (mean over seeds)", axis: "corrections", series: ["corrections"], rows: r.summary.map((s) => ({ label: `p = ${s.p}`, values: [s.corrections.mean] })), format: (v) => v.toFixed(0) });
  return [{ heading: "Correction simulation", notes: [`Refit every ${r.refitEvery} corrections and at the end; seeds 1–${r.runs.length}; mean with min–max over seeds.`], charts: [chart, corrections] }];
}

/** The y axis' floor for accuracies: 10 points under the lowest, in tens, not below 0. */
const floor10 = (ps: readonly { accuracy: number }[]) => Math.max(0, Math.floor(Math.min(...ps.map((p) => p.accuracy)) * 10) * 10 - 10);

/** Escalation: accuracy against the escalation threshold, one line per q of the fake LLM; the share escalated. */
export function escalationSections(r: EscalationReport): Section[] {
  return r.models.map((m) => {
    const xs = r.thresholds.map((t) => t.toFixed(1));
    const at = (q: number, t: number, f: (p: (typeof m.points)[number]) => number) => {
      const p = m.points.find((x) => x.q === q && x.escalateBelow === t);
      return p ? { y: pct(f(p)) } : undefined;
    };
    return {
      heading: `Escalation, model fitted on ${m.name}`,
      notes: [`minConfidence ${m.minConfidence.toFixed(2)}; ~${m.meanPromptTokens.toFixed(0)} prompt tokens a call; the fake LLM router is right with probability q.`],
      charts: [
        lineChart({ title: `Accuracy (all val rows) against the escalation threshold, ${m.name}`, xAxis: "escalate below confidence", yAxis: "accuracy (%)", xs, series: r.qs.map((q) => ({ name: `q = ${q}`, points: r.thresholds.map((t) => at(q, t, (p) => p.accuracy)) })), yMin: floor10(m.points), yMax: 100, format: fmtPct(1) }),
        lineChart({ title: `Share escalated, ${m.name}`, xAxis: "escalate below confidence", yAxis: "escalated (%)", xs, series: [{ name: "escalated", points: r.thresholds.map((t) => at(r.qs[0]!, t, (p) => p.escalatedShare)) }], yMax: 100, format: fmtPct(1) }),
      ],
    };
  });
}

/** Pipeline: end-to-end success and cost × plain per strategy and error model, against the goal. */
export function pipelineSections(rows: readonly Row[]): Section[] {
  const models = [...new Set(rows.map((r) => r.model))];
  return models.map((model) => {
    const mine = rows.filter((r) => r.model === model);
    return {
      heading: `Pipeline, ${model} errors`,
      notes: ["Goal: ≥ 90 % right end to end at ≤ 3.5 × plain's cost (a ✓ in the table)."],
      charts: [
        barChart({ title: `End-to-end success and silent errors by strategy (${model})`, axis: "share of tasks (%)", series: ["right end to end", "silent wrong", "stopped"], rows: mine.map((r) => ({ label: r.strategy, values: [pct(r.success), pct(r.silentWrong), pct(r.stopped)] })), reference: { value: 90, label: "goal 90 %" }, max: 100, format: fmtPct(1) }),
        barChart({ title: `Cost per task over plain's (${model})`, axis: "cost × plain", series: ["cost × plain"], rows: mine.map((r) => ({ label: r.strategy, values: [r.costXPlain] })), reference: { value: 3.5, label: "goal ≤ 3.5×" }, format: (v) => `${v.toFixed(2)}×` }),
        barChart({ title: `Wall time per task (${model})`, axis: "ms", series: ["p50", "p95"], rows: mine.map((r) => ({ label: r.strategy, values: [r.wallP50Ms, r.wallP95Ms] })), format: (v) => `${v.toFixed(0)} ms` }),
      ],
      table: {
        head: ["strategy", "tasks", "success", "silent wrong", "stopped", "cost × plain", "calls / task", "human / 100", "goal"],
        rows: mine.map((r) => [r.strategy, String(r.tasks), `${pct(r.success).toFixed(1)} %`, `${pct(r.silentWrong).toFixed(1)} %`, `${pct(r.stopped).toFixed(1)} %`, `${r.costXPlain.toFixed(2)}×`, r.callsPerTask.toFixed(2), r.humanPer100.toFixed(1), meetsGoal(r) ? "✓" : ""]),
      },
    };
  });
}

/** CLINC: in-scope accuracy, out-of-scope recall and precision against the threshold. */
export function clincSections(r: ClincReport): Section[] {
  const xs = r.curve.map((m) => m.threshold.toFixed(2));
  return [
    {
      heading: "CLINC-format fit",
      notes: [`${r.trainRows} train rows, fitted in ${(r.fitMs / 1000).toFixed(1)} s; on ${r.split} at threshold ${r.threshold.toFixed(2)}: in-scope accuracy ${pct(r.inScopeAccuracy).toFixed(2)} %, out-of-scope recall ${pct(r.oosRecall).toFixed(1)} %.`],
      charts: [
        lineChart({
          title: `Threshold curve on ${r.split}`,
          xAxis: "threshold",
          yAxis: "%",
          xs,
          series: [
            { name: "in-scope accuracy", points: r.curve.map((m) => ({ y: pct(m.inScopeAccuracy) })) },
            { name: "oos recall", points: r.curve.map((m) => ({ y: pct(m.oosRecall) })) },
            { name: "oos precision", points: r.curve.map((m) => ({ y: pct(m.oosPrecision) })) },
          ],
          yMax: 100,
          format: fmtPct(1),
        }),
      ],
    },
  ];
}
