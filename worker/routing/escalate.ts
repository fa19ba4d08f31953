/**
 * Escalation to an LLM router, the call (docs/intents.md, "Escalation to an LLM
 * router"): the question of intent/escalation.ts sent to `router.escalation.specialist`
 * as a call of that specialist like any other — its kill switch, the policy, its pool
 * (limits, budget, breaker) and the tenant's — in an `intent.escalation` span of the
 * hop's trace whose children are the call's admission and `specialist.call` spans (so
 * `/v1/metrics` counts the call as the chat specialist's, with its cost). Whatever
 * happens, the hop goes on: a call not made, failed, late or answered out of format
 * keeps the classifier's answer.
 */
import type { Context } from "hono";
import { binding, type AppEnv } from "../env.ts";
import { escalationCandidates, escalationPrompt, parseEscalationAnswer, replyText, type EscalationAnswer, type Escalator } from "../intent/escalation.ts";
import type { CachedIntent, IntentCandidate } from "../intent/record.ts";
import { ATTR, SPAN } from "../observe/attributes.ts";
import { callCost, traceAttempts } from "../observe/dispatch-spans.ts";
import type { HopTrace } from "../observe/hop-trace.ts";
import type { PolicyDecision } from "../policy/policy.ts";
import { screenUnder } from "../policy/screening.ts";
import { callCeilingUsd } from "../pools/reservation.ts";
import type { Runtime } from "../runtime.ts";
import { admission, tenantPoolOf } from "./admission.ts";
import { takesHops } from "./capabilities.ts";
import { dispatch } from "./dispatch.ts";
import type { FailureKind, SpecialistRequest } from "./hop.ts";
import { policyGuard } from "./policy-guard.ts";
import { teach } from "../learning.ts";

/** Failures that mean the call was not made (governance said no): the escalation is skipped. */
const NOT_MADE: ReadonlySet<FailureKind> = new Set(["over_limit", "circuit_open", "disabled", "policy_denied", "approval_required"]);

/**
 * The escalator of one hop, or undefined when `router.escalation` is off. Its call
 * is made with the front door's plain (not streaming) specialist call, as the
 * request's tenant, with no retries and no fallbacks, within `timeoutMs` (or the
 * specialist's own `timeoutMs`, if shorter).
 */
export function hopEscalator(c: Context<AppEnv>, rt: Runtime, trace: HopTrace): Escalator | undefined {
  const settings = rt.config.router.escalation;
  if (!settings) return undefined;
  return {
    below: settings.below,
    maxCandidates: settings.maxCandidates,
    ask: async (record, ranked) => {
      const t0 = performance.now();
      const span = trace.tracer.start(SPAN.escalation, {
        parent: trace.root.spanId,
        attributes: { [ATTR.specialist]: settings.specialist, [ATTR.intentId]: record.id, [ATTR.intentLabel]: record.label, [ATTR.intentConfidence]: record.confidence },
      });
      let answer: Omit<EscalationAnswer, "ms" | "by">;
      try {
        answer = await asked(c, rt, trace, span.spanId, record, ranked);
      } catch (e) {
        // a pool or control-plane read that threw: the hop goes on without the pick
        answer = { outcome: "failed", costUsd: 0, detail: `the call could not be made: ${e instanceof Error ? e.message : String(e)}` };
      }
      const pick = answer.pick?.label ?? undefined;
      const decided = answer.outcome === "picked" || answer.outcome === "none";
      span.end(decided ? { code: "ok" } : { code: answer.outcome === "skipped" ? "unset" : "error", ...(answer.detail ? { message: answer.detail } : {}) }, {
        [ATTR.escalationOutcome]: answer.outcome,
        [ATTR.escalationPick]: pick,
        [ATTR.costUsd]: answer.costUsd,
      });
      if (settings.propose && answer.outcome === "picked" && pick !== undefined && pick !== record.label) propose(c, rt, record, pick);
      return { ...answer, by: settings.specialist, ms: performance.now() - t0 };
    },
  };
}

/**
 * Proposes an LLM router's pick as a learned example for review (`router.escalation.propose`),
 * after the response. An input that cannot be learned (too long) or a full scope is logged, never the hop's failure.
 */
function propose(c: Context<AppEnv>, rt: Runtime, record: CachedIntent, label: string): void {
  const tenant = c.get("principal").tenant;
  const defer = (p: Promise<unknown>) => c.executionCtx.waitUntil(p);
  defer(
    teach(c.env, rt.config, { tenant, input: record.input, label, origin: "escalation", ref: record.id, by: `router:${tenant}`, review: true }, defer).then(
      (r) => (r.ok ? undefined : console.warn(JSON.stringify({ msg: "escalation pick not proposed", intent: record.id, reason: r.detail }))),
      (e: unknown) => console.warn(JSON.stringify({ msg: "escalation pick not proposed", intent: record.id, error: e instanceof Error ? e.message : String(e) })),
    ),
  );
}

/** Asks the chat specialist: the outcome, the pick, the cost. */
async function asked(c: Context<AppEnv>, rt: Runtime, trace: HopTrace, parent: string, record: CachedIntent, ranked: readonly IntentCandidate[]): Promise<Omit<EscalationAnswer, "ms" | "by">> {
  const settings = rt.config.router.escalation!;
  const skipped = (detail: string) => ({ outcome: "skipped" as const, costUsd: 0, detail });
  const s = rt.registry.get(settings.specialist);
  if (!s) return skipped(`'${settings.specialist}' is not registered`);
  // content flagged as a prompt injection is not put before the model that routes (whatever the screening mode makes of the hop)
  const screened = screenUnder(rt.config.screening, record.input);
  if (screened.action !== "pass") return skipped(`screening flagged the input (${screened.result.signals.join(", ")})`);
  const candidates = escalationCandidates([...rt.registry.values()].filter(takesHops), ranked, settings.maxCandidates);
  if (candidates.length === 0) return skipped("no intent label to offer");
  const messages = escalationPrompt(record.input, candidates, settings.maxInputChars);
  const tenant = c.get("principal").tenant;
  const id = `${trace.id}/escalation`; // its own leases and idempotency key: the hop may call the same specialist after it
  const request: SpecialistRequest = { input: messages[1]!.content, messages, chat: { messages, max_tokens: settings.maxTokens }, idempotencyKey: id, traceparent: c.get("traceparent") };
  const defer = (p: Promise<unknown>) => c.executionCtx.waitUntil(p);
  // budgets reserve the call's ceiling (its prompt and max_tokens at its prices), as for any chat call
  const pools = admission(c.env, rt.config.router, id, defer, Math.random, tenantPoolOf(rt.config, tenant), (sp) => callCeilingUsd(sp, request.chat));
  const admit = policyGuard(rt.policy, { tenant, intents: [], inputChars: record.input.length }, pools, new Map<string, PolicyDecision>());
  const deadline = AbortSignal.timeout(Math.min(settings.timeoutMs, s.timeoutMs));
  const client = c.req.raw.signal;
  let costUsd = 0;
  const result = await dispatch([{ ...s, retries: 0 }], {
    ...traceAttempts(
      trace.tracer,
      parent,
      {
        admit,
        call: async (sp, _attempt, traceparent) => {
          const o = await c.var.callSpecialist(sp, { ...request, traceparent }, { binding: (n) => binding(c.env, n), signal: AbortSignal.any([deadline, client]), clientSignal: client });
          costUsd += callCost(sp, o);
          return o;
        },
      },
      request.traceparent,
    ),
    sleep: (d) => new Promise((res) => setTimeout(res, d)),
    rng: Math.random,
    now: () => performance.now(),
  });
  if (!result.ok) {
    const f = result.failure;
    if (NOT_MADE.has(f.kind)) return skipped(f.detail);
    return { outcome: f.kind === "timeout" && !client.aborted ? "timeout" : "failed", costUsd, detail: f.detail };
  }
  const text = replyText(result.output);
  if (text === undefined) return { outcome: "invalid", costUsd, detail: "the reply has no text" };
  const parsed = parseEscalationAnswer(text, candidates);
  if (!parsed.ok) return { outcome: "invalid", costUsd, detail: parsed.detail };
  return { outcome: parsed.pick.label === null ? "none" : "picked", costUsd, pick: parsed.pick };
}
