/**
 * A one-hop route under a coordination rule with `hops: true` (issue 18;
 * docs/coordination.md, "One-hop routes"): a hedged call, or an ensemble of the decided
 * specialist and its fallbacks (or the named ones). Every call is the hop's own
 * dispatch (same policy guard, pools, budgets, kill switches, spans). A streamed answer
 * cannot be read whole, so a streamed hop is hedged or takes the first answer
 * (`combine: "first"`), never a vote or a judge: those rules leave it a plain call and
 * the reason says so.
 */
import type { Specialist } from "../config/schema.ts";
import type { Env } from "../env.ts";
import type { Runtime } from "../runtime.ts";
import { ensembleCandidates, hedgeTarget, type Strategy } from "../tasks/coordination.ts";
import { outputText } from "../tasks/plan.ts";
import { firstSuccess, settleVote, vote, type Candidate } from "../tasks/ensemble.ts";
import { judgeInput, judgeRequest, parseJudgeReply, unjudgeable } from "../tasks/ensemble-judge.ts";
import { callsMade, type DispatchResult } from "./dispatch.ts";
import { isJson, type Json } from "../json.ts";
import type { SpecialistRequest } from "./hop.ts";
import { hedgedCall, type HedgeRecord } from "./hedging.ts";

/** One dispatch of the hop over `chain`, aborted by `signal` too, with request members replaced by `over` (a candidate's own idempotency key, a judge's input). */
export type RunChain = (chain: Specialist[], signal?: AbortSignal, over?: Partial<SpecialistRequest>) => Promise<DispatchResult>;

/** What a coordinated hop came to: the result the door answers with, and a sentence for the decision's reason. */
export interface CoordinatedHop {
  result: DispatchResult;
  note: string;
  /** What the hedge did, or how the ensemble ended (for the span and metrics); empty when the rule was not applied. */
  record: { hedge?: HedgeRecord; ensemble?: { decision: "accepted" | "failed" } };
}

/**
 * The text a hop's answer is voted on by: a string; a JSON specialist's `{ text }`; a
 * Chat Completions reply's first choice's `message.content`; a Messages reply's text
 * blocks; else its JSON.
 */
export function hopAnswerText(output: unknown): string {
  const o = output as { choices?: { message?: { content?: unknown } }[]; content?: unknown } | null;
  if (o && typeof o === "object" && typeof (o as { text?: unknown }).text !== "string") {
    const chat = o.choices?.[0]?.message?.content;
    if (typeof chat === "string") return chat;
    if (Array.isArray(o.content)) return o.content.flatMap((b: { type?: unknown; text?: unknown }) => (b?.type === "text" && typeof b.text === "string" ? [b.text] : [])).join("");
  }
  return outputText(output); // a string, a `{ text }`, else its JSON (as plan templates read outputs)
}

/**
 * What a hop's answer is voted and judged on, as a step's is: a JSON specialist's
 * output as it is (a `{ text, … }` votes by its text, a `path` is read in it, other
 * JSON compares as canonical JSON); a Chat Completions or Messages reply by its text.
 */
export function hopCandidateOutput(output: unknown): Json {
  const o = output as { choices?: unknown; type?: unknown; content?: unknown } | null;
  const reply = o !== null && typeof o === "object" && !Array.isArray(o) && (Array.isArray(o.choices) || (o.type === "message" && Array.isArray(o.content)));
  return !reply && isJson(output) ? output : hopAnswerText(output);
}

const failed = (detail: string, attempts: DispatchResult["attempts"]): DispatchResult => ({ ok: false, failure: { kind: "bad_response", detail }, attempts });

/**
 * Runs the hop under `strategy`. `chain` is the hop's decided chain (its first member
 * the decided specialist); `key` the hop's idempotency key (each extra call gets its
 * own, suffixed); `streamed` whether the door streams the answer.
 */
export async function coordinateHop(env: Env, rt: Runtime, tenant: string, strategy: Strategy, chain: Specialist[], run: RunChain, o: { key: string; input: string; context?: Record<string, unknown> | undefined; streamed: boolean }): Promise<CoordinatedHop | undefined> {
  const decided = chain[0]!;
  if (strategy.kind === "hedge") {
    const target = hedgeTarget(strategy.hedge, decided, rt.registry);
    if (target === undefined) return { result: await run(chain), note: `${strategy.reason}; not hedged: '${decided.id}' has no other specialist to hedge with`, record: {} };
    const { result, record } = await hedgedCall(
      env,
      { tenant, settings: rt.config.hedging, hedge: strategy.hedge, primary: decided.id, hedgeWith: target },
      // the primary is the hop's own dispatch (its fallbacks when it fails, as a plain hop); only the hedge is forced
      (id, signal) => (id === decided.id ? run(chain, signal) : run([rt.registry.get(id)!], signal, { idempotencyKey: `${o.key}/hedge/${id}` })),
      (e) => failed(String(e), []),
      // a hedge refused before any call (policy, kill switch, pool) called no one
      (r) => (!r.ok && r.attempts.length > 0 && callsMade(r.attempts) === 0 ? r.failure.detail : undefined),
    );
    const what = record.hedged
      ? `hedged with '${target}' after ${record.delayMs} ms (${record.delaySource}), '${record.winner}' answered first`
      : record.hedgeRefused !== undefined
        ? `not hedged: '${target}' was refused (${record.hedgeRefused})`
        : record.budgetDenied ? "not hedged: the tenant's hedge budget is spent" : `'${decided.id}' answered within ${record.delayMs} ms: not hedged`;
    return { result, note: `${strategy.reason}; ${what}`, record: { hedge: record } };
  }
  const e = strategy.ensemble;
  if (o.streamed && e.combine !== "first") return { result: await run(chain), note: `${strategy.reason}; not applied: a streamed answer cannot be combined by ${e.combine}`, record: {} };
  const picked = ensembleCandidates(e, decided, rt.registry, rt.config.router.fallback);
  if (!picked.ok) return { result: await run(chain), note: `${strategy.reason}; not applied: ${picked.detail}`, record: {} };
  const aborts = picked.ids.map(() => new AbortController());
  const finished: Candidate[] = [];
  const results = await Promise.all(
    picked.ids.map(async (id, i) => {
      const t0 = Date.now();
      const r = await run([rt.registry.get(id)!], aborts[i]!.signal, { idempotencyKey: i === 0 ? o.key : `${o.key}/ensemble/${id}` });
      finished.push(r.ok ? { specialist: id, ok: true, output: hopCandidateOutput(r.output), costUsd: rt.registry.get(id)!.costPerCall, latencyMs: Date.now() - t0 } : { specialist: id, ok: false, failure: r.failure.detail });
      const state = e.combine === "first" ? firstSuccess(finished, picked.ids) : undefined;
      if (state?.state === "won") for (const other of state.cancel) aborts[picked.ids.indexOf(other)]!.abort(new Error(`ensemble: '${state.winner.specialist}' answered first`));
      return r;
    }),
  );
  const attempts = results.flatMap((r) => r.attempts);
  const ended = (result: DispatchResult, note: string): CoordinatedHop => ({ result, note, record: { ensemble: { decision: result.ok ? "accepted" : "failed" } } });
  const byId = (id: string) => results[picked.ids.indexOf(id)]!;
  if (e.combine === "first") {
    const first = finished.find((c) => c.ok);
    return first ? ended(byId(first.specialist), `${strategy.reason}; '${first.specialist}' answered first`) : ended(failed(`every candidate failed: ${finished.map((c) => (c.ok ? "" : `'${c.specialist}': ${c.failure}`)).join("; ")}`, attempts), strategy.reason);
  }
  const candidates = picked.ids.map((id) => finished.find((c) => c.specialist === id)!);
  const tally = vote(candidates, { path: e.path, minAgreement: e.minAgreement });
  if (e.combine === "judge") {
    const ids = candidates.flatMap((c, i) => (c.ok ? [`c${i + 1}`] : []));
    const judge = rt.registry.get(e.judge!);
    const request = judgeRequest(candidates);
    const refused = unjudgeable(rt.config.screening, candidates);
    const reply = judge && ids.length > 0 && !refused ? await run([judge], undefined, { input: judgeInput(o.input, request), context: { ...(o.context ?? {}), ensemble: request }, idempotencyKey: `${o.key}/judge` }) : undefined;
    const verdict = reply?.ok ? parseJudgeReply(hopAnswerText(reply.output), ids) : { ok: false as const, detail: reply ? `the judge failed: ${reply.failure.detail}` : (refused ?? "no answer to judge") };
    if (verdict.ok && verdict.kind === "pick") return ended(results[Number(verdict.id.slice(1)) - 1]!, `${strategy.reason}; judge '${e.judge}' picked ${verdict.id}`);
    if (verdict.ok) return ended({ ok: true, specialist: judge!, output: verdict.merge, usage: reply?.ok ? reply.usage : {}, attempts }, `${strategy.reason}; judge '${e.judge}' merged the answers`);
    if (e.onDisagreement === "fail" || !tally.ok) return ended(failed(`judge '${e.judge}': ${verdict.detail}`, attempts), strategy.reason);
    return ended(byId(tally.winner.specialist), `${strategy.reason}; judge '${e.judge}': ${verdict.detail}; the vote's answer instead (${tally.reason})`);
  }
  const action = settleVote(tally, e.onDisagreement);
  if (action.action !== "accept") return ended(failed(`the specialists disagree: ${action.action === "fail" ? action.detail : tally.ok ? tally.reason : ""}`, attempts), strategy.reason);
  return ended(byId(action.winner.specialist), `${strategy.reason}; ${tally.ok ? tally.reason : ""}`);
}
