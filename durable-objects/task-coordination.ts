/**
 * A step run under a coordination strategy (issue 18; docs/coordination.md): an
 * ensemble (the same input to several specialists, combined by vote, judge or first
 * answer) or a hedged call. Every candidate, judge and hedge call is a step call of
 * its own (runner.ts `runStep`): the same policies, pools, budgets, kill switches and
 * audit as any; what each said and who agreed is kept in the step's `coordination`.
 */
import type { Json } from "../worker/json.ts";
import type { Specialist } from "../worker/config/schema.ts";
import { ensembleCandidates, hedgeTarget, strategyFor, type Strategy } from "../worker/tasks/coordination.ts";
import { answerText, firstSuccess, settleVote, vote, type Candidate } from "../worker/tasks/ensemble.ts";
import { judgeInput, judgeRequest, parseJudgeReply, unjudgeable } from "../worker/tasks/ensemble-judge.ts";
import { callsMade, chooseSpecialist, runStep, stepLabels, type StepCall, type StepOutcome } from "../worker/tasks/runner.ts";
import { coordinationAttributes, hedgedCall } from "../worker/routing/hedging.ts";
import { ATTR, SPAN } from "../worker/observe/attributes.ts";
import { sha256Hex } from "../worker/intent/record.ts";
import type { Runtime } from "../worker/runtime.ts";
import type { StepSpec } from "../worker/tasks/plan.ts";
import type { CandidateRecord, CoordinationRecord, StepDoc, TaskDoc } from "../worker/tasks/types.ts";
import type { TaskStore } from "./task-store.ts";
import type { StepTrace } from "../worker/observe/step-spans.ts";
import { background, stepCall, type EngineHost } from "./task-lifecycle.ts";

/** What a coordinated step came to: the outcome the engine records as a single call's, what all its calls cost, a gate to open, and the record. */
export interface Coordinated {
  outcome: StepOutcome;
  cost: number;
  hops: number;
  gate?: string;
  record: CoordinationRecord;
}

/** Candidate outputs larger than this (UTF-8 bytes of their JSON) are kept and shown by reference. */
const INLINE_BYTES = 4096;

type Run = { id: string; specialist: string; outcome: StepOutcome; latencyMs: number };

/** The step's strategy, or undefined for a plain call (a tool step, no strategy in force, a choice that fails: `runStep` says why). */
async function strategyOf(base: StepCall, rt: Runtime, task: TaskDoc, spec: StepSpec) {
  if (spec.tool || (!spec.ensemble && !spec.hedge && rt.config.coordination.length === 0)) return undefined;
  const choice = await chooseSpecialist(base, background);
  if (!choice.ok) return undefined;
  const labels = stepLabels(base, choice);
  const strategy = strategyFor(rt.config.coordination, { own: spec, intents: labels, workflow: task.workflow, specialist: choice.specialist.id, door: "step" });
  return strategy ? { strategy, chosen: choice.specialist, labels } : undefined;
}

/**
 * Runs a step under its coordination strategy, or returns undefined when none applies
 * (the engine then makes its one call). `governed`: the task's totals and the step's
 * approval, as every call of the step is checked against them.
 */
export async function coordinatedStep(
  h: EngineHost,
  rt: Runtime,
  task: TaskDoc,
  spec: StepSpec,
  input: string,
  key: string,
  governed: Pick<StepCall, "task" | "approved">,
  trace: StepTrace,
): Promise<Coordinated | undefined> {
  const base: StepCall = { ...stepCall(h, rt, task, spec, input, key), ...governed, trace };
  const found = await strategyOf(base, rt, task, spec);
  if (!found) return undefined;
  const { strategy, chosen, labels } = found;
  const span = trace.tracer.start(strategy.kind === "ensemble" ? SPAN.ensemble : SPAN.hedge, { parent: trace.parent, attributes: { [ATTR.coordination]: strategy.reason, [ATTR.specialist]: chosen.id } });
  const under: StepTrace = { tracer: trace.tracer, parent: span.spanId };
  /** One forced call of the step: its own idempotency key, the step's labels for policy, aborted with the step or by `signal`. */
  const call: Caller = (s, suffix, signal, extra = {}, context = {}) =>
    runStep(
      {
        ...base,
        idempotencyKey: `${key}/${suffix}`,
        force: { ...s, timeoutMs: spec.timeoutMs ?? s.timeoutMs, retries: spec.retries ?? s.retries },
        intents: labels,
        signal: signal ? AbortSignal.any([base.signal, signal]) : base.signal,
        trace: under,
        ...extra,
        context: { ...base.context, ...context },
      },
      background,
    );
  // a hedge's primary is the step's own call (its key, its fallbacks on failure), made abortable
  const primary = (signal: AbortSignal) => runStep({ ...base, signal: AbortSignal.any([base.signal, signal]), trace: under }, background);
  const done =
    strategy.kind === "hedge"
      ? await hedgedStep(rt, task, strategy, chosen, primary, call, base)
      : await ensembleStep(h, rt, task, strategy, chosen, input, call);
  span.end(
    done.outcome.ok ? { code: "ok" } : { code: "error", message: done.outcome.detail },
    coordinationAttributes(done.record),
  );
  return done;
}

/** One forced call of the step (see {@link coordinatedStep}); `context` is added to the step's. */
type Caller = (s: Specialist, suffix: string, signal?: AbortSignal, extra?: Partial<StepCall>, context?: Record<string, Json>) => Promise<StepOutcome>;

/** Sums what a set of calls cost (answered ones) and the calls made (refusals before calling are not hops). */
function totals(outcomes: readonly StepOutcome[]): { cost: number; hops: number } {
  return outcomes.reduce((t, o) => ({ cost: t.cost + (o.ok ? o.costUsd : 0), hops: t.hops + callsMade(o.attempts) }), { cost: 0, hops: 0 });
}

async function hedgedStep(rt: Runtime, task: TaskDoc, strategy: Extract<Strategy, { kind: "hedge" }>, chosen: Specialist, primary: (signal: AbortSignal) => Promise<StepOutcome>, call: Caller, base: StepCall): Promise<Coordinated> {
  const target = hedgeTarget(strategy.hedge, chosen, rt.registry);
  if (target === undefined) {
    const outcome = await primary(new AbortController().signal);
    return { outcome, ...totals([outcome]), record: { strategy: `${strategy.reason}; not hedged: '${chosen.id}' has no other specialist to hedge with` } };
  }
  const outcomes: StepOutcome[] = [];
  const { result, record } = await hedgedCall(
    base.env,
    { tenant: task.tenant, settings: rt.config.hedging, hedge: strategy.hedge, primary: chosen.id, hedgeWith: target, signal: base.signal },
    async (id, signal) => {
      const o = id === chosen.id ? await primary(signal) : await call(rt.registry.get(id)!, `hedge/${id}`, signal);
      outcomes.push(o);
      return o;
    },
    (e, id): StepOutcome => ({ ok: false, detail: `${id}: ${String(e)}`, attempts: [] }),
    (o) => (!o.ok && o.attempts.length > 0 && callsMade(o.attempts) === 0 ? o.detail : undefined),
  );
  return { outcome: result, ...totals(outcomes), record: { strategy: strategy.reason, hedge: record } };
}

/** A successful call as an ensemble candidate: its output, the `confidence` (0..1) it gave in an object output, cost and latency. */
function candidateOf(r: Run): Candidate {
  if (!r.outcome.ok) return { specialist: r.specialist, ok: false, failure: r.outcome.detail };
  const out = r.outcome.output ?? null;
  const confidence = out && typeof out === "object" && !Array.isArray(out) && typeof out.confidence === "number" && out.confidence >= 0 && out.confidence <= 1 ? out.confidence : undefined;
  return { specialist: r.specialist, ok: true, output: out, ...(confidence === undefined ? {} : { confidence }), costUsd: r.outcome.costUsd, latencyMs: r.latencyMs };
}

/** Each candidate as the step records it: a large output stored once in the task and shown by reference. */
async function candidateRecords(h: EngineHost, task: TaskDoc, runs: readonly Run[]): Promise<CandidateRecord[]> {
  return Promise.all(
    runs.map(async (r): Promise<CandidateRecord> => {
      const head = { id: r.id, specialist: r.specialist, ok: r.outcome.ok, costUsd: r.outcome.ok ? r.outcome.costUsd : 0, latencyMs: r.latencyMs };
      if (!r.outcome.ok) return { ...head, failure: r.outcome.detail };
      const text = JSON.stringify(r.outcome.output ?? null);
      const bytes = new TextEncoder().encode(text).length;
      if (bytes <= INLINE_BYTES) return { ...head, output: r.outcome.output ?? null };
      const sha256 = await sha256Hex(text);
      h.store.putBlob(sha256, text);
      return { ...head, ref: { url: `/v1/tasks/${task.id}/context/${sha256}`, sha256, bytes } };
    }),
  );
}

/** Runs every candidate at once; with `first`, aborts the others once one answers OK. In candidate order. */
async function runCandidates(ids: readonly string[], rt: Runtime, call: Caller, first: boolean): Promise<Run[]> {
  const aborts = ids.map(() => new AbortController());
  const finished: Candidate[] = [];
  let won = false;
  return Promise.all(
    ids.map(async (id, i): Promise<Run> => {
      const t0 = Date.now();
      const outcome = await call(rt.registry.get(id)!, `ensemble/${id}`, aborts[i]!.signal);
      const run = { id: `c${i + 1}`, specialist: id, outcome, latencyMs: Date.now() - t0 };
      finished.push(candidateOf(run));
      const state = first && !won ? firstSuccess(finished, ids) : undefined;
      if (state?.state === "won") {
        won = true;
        for (const other of state.cancel) aborts[ids.indexOf(other)]!.abort(new Error(`ensemble: '${state.winner.specialist}' answered first`));
      }
      return run;
    }),
  );
}

/** How an ensemble ends: a candidate's answer taken (or held for a human), the judge's merge, or a failure. */
type Decision =
  | { kind: "accept" | "approval"; winner: number; detail: string }
  | { kind: "merge"; judge: Specialist; output: Json; detail: string }
  | { kind: "fail"; detail: string };

async function ensembleStep(h: EngineHost, rt: Runtime, task: TaskDoc, strategy: Extract<Strategy, { kind: "ensemble" }>, chosen: Specialist, input: string, call: Caller): Promise<Coordinated> {
  const e = strategy.ensemble;
  const picked = ensembleCandidates(e, chosen, rt.registry, rt.config.router.fallback);
  if (!picked.ok) return { outcome: { ok: false, detail: picked.detail, attempts: [], kind: "refused" }, cost: 0, hops: 0, record: { strategy: strategy.reason } };
  const runs = await runCandidates(picked.ids, rt, call, e.combine === "first");
  const candidates = runs.map(candidateOf);
  const records = await candidateRecords(h, task, runs);
  const indexOf = (specialist: string) => runs.findIndex((r) => r.specialist === specialist);
  const tally = e.combine === "first" ? undefined : vote(candidates, { path: e.path, minAgreement: e.minAgreement });
  const agreed = tally?.ok ? { agreement: round(tally.agreement), votes: tally.votes, agreed: tally.votes[0]!.specialists } : {};
  let judged: StepOutcome | undefined;
  let judgeNote: Pick<NonNullable<CoordinationRecord["ensemble"]>, "judge"> = {};
  let decision: Decision;
  if (e.combine === "first") {
    const winner = runs.filter((r) => r.outcome.ok).sort((a, b) => a.latencyMs - b.latencyMs)[0];
    decision = winner ? { kind: "accept", winner: runs.indexOf(winner), detail: `first: '${winner.specialist}' answered first` } : { kind: "fail", detail: `every candidate failed: ${failures(candidates)}` };
  } else if (e.combine === "vote") {
    const action = settleVote(tally!, e.onDisagreement);
    decision = action.action === "fail" ? { kind: "fail", detail: action.detail } : { kind: action.action === "approval" ? "approval" : "accept", winner: indexOf(tally!.ok ? tally!.winner.specialist : ""), detail: tally!.ok ? tally!.reason : "" };
  } else {
    const judge = rt.registry.get(e.judge!);
    const ids = records.filter((r) => r.ok).map((r) => r.id);
    const refs = new Map(records.map((r) => [r.id, r.ref?.url]));
    const request = judgeRequest(candidates, { inlineBytes: INLINE_BYTES, ref: (id) => refs.get(id) ?? `candidate:${id}` });
    let verdict: ReturnType<typeof parseJudgeReply> = { ok: false, detail: ids.length === 0 ? `every candidate failed: ${failures(candidates)}` : `judge '${e.judge}' is not registered` };
    const refused = unjudgeable(rt.config.screening, candidates);
    if (judge && ids.length > 0 && refused !== undefined) verdict = { ok: false, detail: refused };
    else if (judge && ids.length > 0) {
      judged = await call(judge, "judge", undefined, { input: judgeInput(input, request) }, { ensemble: request as unknown as Json });
      verdict = judged.ok ? parseJudgeReply(answerText(judged.output) ?? judged.output, ids) : { ok: false, detail: `the judge failed: ${judged.detail}` };
    }
    judgeNote = { judge: { specialist: e.judge!, verdict: verdict.ok ? verdict.kind : "invalid", ...(verdict.ok ? (verdict.reason ? { reason: verdict.reason } : {}) : { detail: verdict.detail }) } };
    if (verdict.ok && verdict.kind === "pick") decision = { kind: "accept", winner: runs.findIndex((r) => r.id === verdict.id), detail: `judge '${e.judge}' picked ${verdict.id}` };
    else if (verdict.ok) decision = { kind: "merge", judge: judge!, output: verdict.merge, detail: `judge '${e.judge}' merged the answers` };
    else if (e.onDisagreement === "fail" || !tally?.ok) decision = { kind: "fail", detail: `judge '${e.judge}': ${verdict.detail}` };
    else decision = { kind: e.onDisagreement === "approval" ? "approval" : "accept", winner: indexOf(tally.winner.specialist), detail: `judge '${e.judge}': ${verdict.detail}; the vote's answer instead (${tally.reason})` };
  }
  const outcomes = [...runs.map((r) => r.outcome), ...(judged ? [judged] : [])];
  const spent = totals(outcomes);
  const attempts = outcomes.flatMap((o) => o.attempts);
  const winner = "winner" in decision ? runs[decision.winner] : undefined;
  const record: CoordinationRecord = {
    strategy: strategy.reason,
    ensemble: { combine: e.combine, candidates: records, decision: decision.kind === "fail" ? "failed" : decision.kind === "approval" ? "approval" : "accepted", detail: decision.detail, ...(winner ? { winner: winner.id } : {}), ...agreed, ...judgeNote },
  };
  const won = winner?.outcome.ok ? winner.outcome : undefined;
  let outcome: StepOutcome;
  if (decision.kind === "merge") outcome = { ok: true, specialist: decision.judge, output: decision.output, usage: judged?.ok ? judged.usage : {}, costUsd: spent.cost, attempts };
  else if (won) outcome = { ...won, costUsd: spent.cost, attempts };
  else outcome = { ok: false, detail: decision.detail, attempts, kind: "refused" };
  return { outcome, ...spent, record, ...(decision.kind === "approval" ? { gate: `ensemble disagreement: ${decision.detail}` } : {}) };
}

const round = (x: number) => Math.round(x * 1000) / 1000;

const failures = (cs: readonly Candidate[]) => cs.map((c) => (c.ok ? "" : `'${c.specialist}': ${c.failure}`)).filter(Boolean).join("; ");

/** A coordination record in brief, for the task's events and audit chain: the strategy, who answered, who agreed and what was decided (outputs stay in the step). */
export function coordinationSummary(r: CoordinationRecord): Record<string, Json> {
  const e = r.ensemble;
  const ensemble: Record<string, Json> | undefined = e && {
    combine: e.combine,
    decision: e.decision,
    detail: e.detail,
    candidates: e.candidates.map((c) => ({ id: c.id, specialist: c.specialist, ok: c.ok })),
    ...(e.winner ? { winner: e.winner } : {}),
    ...(e.agreement !== undefined ? { agreement: e.agreement } : {}),
    ...(e.agreed ? { agreed: e.agreed } : {}),
    ...(e.judge ? { judge: { ...e.judge } } : {}),
  };
  return { strategy: r.strategy, ...(ensemble ? { ensemble } : {}), ...(r.hedge ? { hedge: { ...r.hedge } } : {}) };
}

/**
 * The candidate a reviewer picks (`pick: "c2"`) when approving a step whose ensemble
 * disagreed: its answer (read back from the task when kept by reference) and who gave
 * it; or why it cannot be taken (a step not waiting on an ensemble, an unknown id, a
 * candidate that failed).
 */
export function pickedCandidate(store: Pick<TaskStore, "blob">, step: StepDoc, pick: string): { ok: true; output: Json; specialist: string } | { ok: false; detail: string } {
  const e = step.coordination?.ensemble;
  if (!e || e.decision !== "approval") return { ok: false, detail: `pick: step '${step.id}' is not waiting on an ensemble's disagreement` };
  const c = e.candidates.find((x) => x.id === pick);
  if (!c) return { ok: false, detail: `pick: no candidate '${pick}' (${e.candidates.map((x) => x.id).join(", ")})` };
  if (!c.ok) return { ok: false, detail: `pick: candidate '${pick}' ('${c.specialist}') failed: it has no answer` };
  if (c.output !== undefined) return { ok: true, output: c.output, specialist: c.specialist };
  const text = c.ref ? store.blob(c.ref.sha256) : undefined;
  return text === undefined ? { ok: false, detail: `pick: candidate '${pick}''s answer is no longer stored` } : { ok: true, output: JSON.parse(text) as Json, specialist: c.specialist };
}

/**
 * A reviewer's `pick` on a step paused on an ensemble's disagreement: the step takes
 * that candidate's answer (as its unverified output, accepted by the approval) and the
 * record names it the winner. Returns why it cannot (see {@link pickedCandidate}), or
 * undefined once the step is changed.
 */
export function takePick(store: Pick<TaskStore, "blob">, step: StepDoc, pick: string): string | undefined {
  const picked = pickedCandidate(store, step, pick);
  if (!picked.ok) return picked.detail;
  step.unverifiedOutput = picked.output;
  step.specialist = picked.specialist;
  // the record's winner is the candidate whose answer the step takes: the reviewer's pick, not the vote's
  if (step.coordination?.ensemble) step.coordination.ensemble.winner = pick;
  return undefined;
}
