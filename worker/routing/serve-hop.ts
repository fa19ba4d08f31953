import type { Context } from "hono";
import { endTime, startTime } from "hono/timing";
import type { AnthropicBody, ChatMessage, ConnectionPool, EndpointCaller, InputPart, SpecialistProgress, SpecialistRequest, ToolCall } from "./hop.ts";
import type { Specialist } from "../config/schema.ts";
import { binding, type AppEnv } from "../env.ts";
import { decisionProblem, failureProblem } from "../http/failures.ts";
import { badRequest, contentFlagged, notFound } from "../http/problem.ts";
import type { PolicyDecision } from "../policy/policy.ts";
import { screenableText, screeningText, screenUnder, type ScreeningResult, type ScreeningSettings } from "../policy/screening.ts";
import { callLabels, policyGuard } from "./policy-guard.ts";
import { sha256Hex, type CachedIntent } from "../intent/record.ts";
import { getRuntime, lookupIntent, type Runtime } from "../runtime.ts";
import { endIntentSpan, finishHopTrace, recordDecision, startHopTrace, statusOf, withHopId, type HopTrace } from "../observe/hop-trace.ts";
import { ATTR, SPAN } from "../observe/attributes.ts";
import { traceAttempts } from "../observe/dispatch-spans.ts";
import { admission, tenantPoolOf } from "./admission.ts";
import { callCeilingUsd } from "../pools/reservation.ts";
import { decide, type Decision, type Unable } from "./decide.ts";
import { learnedChoice } from "../selection-stats.ts";
import { dispatch, fallbackChain, type DispatchDeps, type DispatchResult } from "./dispatch.ts";
import { hopEscalator } from "./escalate.ts";
import { coordinateHop, type RunChain } from "./coordinate-hop.ts";
import { abortReason, coordinationAttributes } from "./hedging.ts";
import { strategyFor } from "../tasks/coordination.ts";

/** One hop as a front door asks for it (already validated). */
export interface HopRequest {
  /** Text to classify and send; with `intentId`, the stored input is used when absent. */
  input?: string | undefined;
  /** An intent id from an earlier hop: routes without classifying. */
  intentId?: string | undefined;
  /** A specialist named by the caller: no classification. */
  pinned?: string | undefined;
  context?: Record<string, unknown> | undefined;
  /** Sent as `Idempotency-Key`; the hop id when absent. */
  idempotencyKey?: string | undefined;
  /** The conversation, for chat-model specialists. */
  messages?: ChatMessage[] | undefined;
  /** The client's whole Chat Completions body (OpenAI front door), passed to `openai-chat` specialists. */
  chat?: Record<string, unknown> | undefined;
  /** The client's whole Messages body (Anthropic front door), passed to `anthropic` specialists as sent. */
  anthropic?: AnthropicBody | undefined;
  /** The message's parts as sent (A2A front door), passed to `a2a` specialists. */
  parts?: InputPart[] | undefined;
  /**
   * Why a specialist cannot honour this request (capabilities), if it cannot: such
   * candidates and fallbacks are skipped; with no text to classify, the hop is routed
   * by capability alone.
   */
  unable?: ((s: Specialist) => Unable | undefined) | undefined;
  /**
   * Calls one specialist: the front door passes `c.var.callSpecialist` (from
   * worker/protocols/adapters.ts) or its own (e.g. a streaming call), so routing
   * imports no protocol.
   */
  call: EndpointCaller;
  /** When the request started (`performance.now()`), for `totalMs`. */
  t0?: number | undefined;
  /**
   * A tool call (the MCP door's): its name in the door's catalogue (policy's `tool`),
   * the call an MCP server gets (absent for a specialist or `route` tool), whether a
   * human approved it, what to tell of its progress, and the session's open connections.
   */
  tool?: { name: string; call?: ToolCall | undefined; approved?: boolean | undefined; progress?: ((p: SpecialistProgress) => void) | undefined; connections?: ConnectionPool | undefined } | undefined;
  /** The door streams the answer (a coordination rule then hedges or takes the first answer, never votes or judges). */
  streamed?: boolean | undefined;
}

/** A hop that was served. */
export interface ServedHop {
  id: string;
  intent: CachedIntent | undefined;
  /** The decision before any fallback. */
  decision: Decision;
  /** `decision.reason`, plus why another specialist served it when one did. */
  reason: string;
  result: Extract<DispatchResult, { ok: true }>;
  /** The policy decision for the specialist that served the hop. */
  policy: PolicyDecision;
  /** Present when screening flagged the input or the output (mode `flag`). */
  screening?: { input?: ScreeningResult; output?: ScreeningResult };
  timings: { intentMs: number; routeMs: number; specialistMs: number; totalMs: number };
}

const ms = (a: number, b: number) => Math.round((b - a) * 1000) / 1000;

/**
 * Serves one hop for any front door (`/v1/route`, `/v1/chat/completions`): intent
 * (cached by id, or classified unless pinned) → decide → admission + dispatch with
 * retries and fallbacks. Records `intent`/`route`/`specialist` Server-Timing.
 * Throws a `ProblemError` (404 unknown intent or specialist, 429, 502, 503, 504)
 * with the hop id as `hop`. Every stage is a span of the request's trace; the hop's
 * log line, metrics, stored trace and OTLP export follow the response.
 */
export async function serveHop(c: Context<AppEnv>, hop: HopRequest): Promise<ServedHop> {
  const rt = await getRuntime(c.env);
  const trace = startHopTrace(c);
  try {
    const served = await serveTraced(c, hop, rt, trace);
    const done = { specialist: served.result.specialist.id, intent: served.intent?.label ?? null };
    const settled = served.result.settled;
    if (!settled) finishHopTrace(c, trace, rt.config.observability, { status: 200, ...done });
    else
      // a stream: its hop ends when the stream does, failed if it broke after it started
      c.executionCtx.waitUntil(
        settled.then((final) => {
          if (final.ok) return finishHopTrace(c, trace, rt.config.observability, { status: 200, ...done });
          const error = failureProblem(final.failure, [{ specialist: done.specialist, attempt: 0, ok: false, ms: 0, failure: final.failure }]);
          finishHopTrace(c, trace, rt.config.observability, { status: error.problem.status, error, ...done });
        }),
      );
    c.header("x-switchyard-hop", served.id);
    return served;
  } catch (e) {
    finishHopTrace(c, trace, rt.config.observability, { status: statusOf(e), error: e });
    throw withHopId(e, trace.id);
  }
}

async function serveTraced(c: Context<AppEnv>, hop: HopRequest, rt: Runtime, trace: HopTrace): Promise<ServedHop> {
  const t0 = hop.t0 ?? performance.now();
  const defer = (p: Promise<unknown>) => c.executionCtx.waitUntil(p);
  const tenant = c.get("principal").tenant;
  const screening: { input?: ScreeningResult; output?: ScreeningResult } = {};

  startTime(c, "intent");
  const t1 = performance.now();
  const intentSpan = trace.tracer.start(SPAN.intent, { parent: trace.root.spanId });
  let intent: CachedIntent | undefined;
  let source = "pinned";
  if (hop.intentId !== undefined) {
    const found = await lookupIntent(c.env, rt, tenant, hop.intentId, defer);
    intent = found?.record;
    source = found ? (found.source ?? "classified") : "unknown-id";
  } else if (hop.pinned === undefined && hop.input !== undefined && (hop.unable === undefined || hop.input.trim())) {
    const found = await (await rt.intentsFor(tenant)).classify(hop.input, defer, tenant, hopEscalator(c, rt, trace));
    intent = found.record;
    source = found.source ?? "classified";
  }
  endIntentSpan(intentSpan, intent, source);
  if (hop.intentId !== undefined && !intent) throw notFound(`no intent '${hop.intentId}' is cached for the current model; send 'input' instead`);
  endTime(c, "intent");

  startTime(c, "route");
  const t2 = performance.now();
  const learned = hop.pinned === undefined ? await learnedChoice(c.env, rt, intent, defer) : undefined;
  const r = decide({
    learned,
    pinned: hop.pinned,
    intent,
    registry: rt.registry,
    minConfidence: rt.config.router.minConfidence,
    costMargin: rt.config.router.costMargin,
    unable: hop.unable,
    fallback: rt.config.router.fallback,
  });
  recordDecision(trace, r);
  if (!r.ok) throw decisionProblem(r);
  const toolServer = rt.registry.get(r.decision.specialist)?.endpoint.type === "mcp";
  if (toolServer !== (hop.tool?.call !== undefined))
    throw badRequest(toolServer ? `'${r.decision.specialist}' is an MCP server: call its tools (POST /mcp, tools/call '${r.decision.specialist}__<tool>')` : `'${r.decision.specialist}' is not an MCP server: it takes no tool call`);
  endTime(c, "route");

  startTime(c, "specialist");
  const t3 = performance.now();
  const id = trace.id;
  const input = hop.input ?? intent?.input;
  if (input === undefined) throw badRequest("send 'input', or 'intent' (an intent id from an earlier hop)");
  const request: SpecialistRequest = {
    input,
    ...(intent ? { intent: { id: intent.id, label: intent.label, confidence: intent.confidence } } : {}),
    ...(hop.context ? { context: hop.context } : {}),
    idempotencyKey: hop.idempotencyKey !== undefined ? await tenantScopedKey(tenant, hop.idempotencyKey) : id,
    traceparent: c.get("traceparent"),
    ...(c.get("tracestate") ? { tracestate: c.get("tracestate") } : {}),
    ...(hop.messages ? { messages: hop.messages } : {}),
    ...(hop.chat ? { chat: hop.chat } : {}),
    ...(hop.anthropic ? { anthropic: hop.anthropic } : {}),
    ...(hop.parts ? { parts: hop.parts } : {}),
    ...(hop.tool?.call ? { tool: hop.tool.call } : {}),
  };
  // every piece of untrusted content that reaches the specialist: the input (also when it came by intent id), the context, the conversation
  screenOrRefuse(rt.config.screening, "input", untrustedText(request.input, hop), screening);
  const call = hop.call;
  const decisions = new Map<string, PolicyDecision>();
  const policyLabels = hopLabels(intent, hop.pinned === undefined ? undefined : rt.registry.get(hop.pinned));
  const admit = policyGuard(rt.policy, { tenant, intents: policyLabels, inputChars: request.input.length, tool: hop.tool?.name, approved: hop.tool?.approved }, admission(c.env, rt.config.router, id, defer, Math.random, tenantPoolOf(rt.config, tenant), (s) => callCeilingUsd(s, hop.anthropic?.body ?? hop.chat)), decisions);
  // `!`: decide picked every candidate from this registry
  const candidates = r.decision.candidates.map((s) => rt.registry.get(s)!);
  // fallbacks that cannot honour the request are left out
  const chain = fallbackChain(candidates, rt.registry, (s) => !hop.unable?.(s));
  const client = c.req.raw.signal;
  const run: RunChain = (chain, also, over = {}) =>
    dispatch(chain, {
      ...traceAttempts(
        trace.tracer,
        trace.root.spanId,
        {
          admit: settleStreams(admit, defer),
          call: async (s, _attempt, traceparent) => {
            const signal = AbortSignal.any([AbortSignal.timeout(s.timeoutMs), client, ...(also ? [also] : [])]);
            const o = await call(s, { ...request, ...over, traceparent }, { binding: (n) => binding(c.env, n), signal, clientSignal: client, progress: hop.tool?.progress, connections: hop.tool?.connections });
            if (!o.ok && client.aborted) return { ok: false, failure: { kind: "client_closed", detail: "the client went away" } };
            // a hedge's or an ensemble's other call answered first: this one was cancelled, not the specialist's fault
            return !o.ok && also?.aborted ? { ok: false, failure: { kind: "client_closed", detail: `cancelled: ${abortReason(also)}` } } : o;
          },
        },
        request.traceparent,
        hop.tool ? { [ATTR.tool]: hop.tool.name } : {},
      ),
      sleep: (d) => new Promise((res) => setTimeout(res, d)),
      rng: Math.random,
      now: () => performance.now(),
    });
  // a coordination rule with hops: true (a hedge, an ensemble) makes the calls; else the hop's one dispatch
  const strategy = hop.tool ? undefined : strategyFor(rt.config.coordination, { intents: policyLabels, specialist: chain[0]?.id, door: "hop" });
  const span = strategy && trace.tracer.start(strategy.kind === "hedge" ? SPAN.hedge : SPAN.ensemble, { parent: trace.root.spanId, attributes: { [ATTR.coordination]: strategy.reason, [ATTR.specialist]: chain[0]?.id } });
  const coordinated = strategy ? await coordinateHop(c.env, rt, tenant, strategy, chain, run, { key: request.idempotencyKey, input: request.input, context: hop.context, streamed: hop.streamed === true }) : undefined;
  if (span && coordinated) span.end(coordinated.result.ok ? { code: "ok" } : { code: "error", message: coordinated.result.failure.detail }, coordinationAttributes(coordinated.record));
  const result = coordinated?.result ?? (await run(chain));
  endTime(c, "specialist");
  if (!result.ok) throw failureProblem(result.failure, result.attempts);
  screenOrRefuse(rt.config.screening, "output", screenableText(result.output), screening); // a stream object has no strings (its text goes to the client as it comes)
  const t4 = performance.now();
  // `!`: policyGuard records a decision for every specialist it lets through, and only an admitted one can serve
  const policy = decisions.get(result.specialist.id)!;
  return {
    id,
    intent,
    decision: r.decision,
    reason: `${servedReason(r.decision, result)}${coordinated ? `; ${coordinated.note}` : ""}; ${policy.reason}`,
    result,
    policy,
    ...(screening.input || screening.output ? { screening } : {}),
    timings: { intentMs: ms(t1, t2), routeMs: ms(t2, t3), specialistMs: ms(t3, t4), totalMs: ms(t0, t4) },
  };
}

const tenantPrefixes = new Map<string, string>();

/**
 * A client's idempotency key as sent to specialists: prefixed with a digest of the
 * tenant (`t<16 hex of SHA-256(tenant)>:<key>`), so two tenants that happen to use
 * the same key never share a specialist's stored reply, and the tenant's name does
 * not leave the router.
 */
export async function tenantScopedKey(tenant: string, key: string): Promise<string> {
  let prefix = tenantPrefixes.get(tenant);
  if (prefix === undefined) {
    prefix = `t${(await sha256Hex(`switchyard-tenant\u0000${tenant}`)).slice(0, 16)}`;
    tenantPrefixes.set(tenant, prefix);
  }
  return `${prefix}:${key}`;
}

/**
 * The labels a hop is about, for policy: the classified label, or every label of the
 * specialist the caller named. Its fallbacks are judged on these too (and their own),
 * so a denied specialist's fallback cannot answer in its place.
 */
function hopLabels(intent: CachedIntent | undefined, pinned: Specialist | undefined): string[] {
  return callLabels(intent ? [intent.label] : [], pinned ?? { intents: [] });
}

/**
 * The untrusted content of a hop, for screening: its input, its context, and the
 * client's whole body when it came through the OpenAI or the Anthropic front door
 * (every message and member of it, tool definitions, schemas, unknown fields: all of
 * it reaches a chat model as sent), each string once: the input is the last user
 * message of that body, read there ({@link screeningText}).
 */
function untrustedText(input: string, hop: HopRequest): string {
  return screeningText(input, hop.context, hop.anthropic ? hop.anthropic.body : (hop.chat ?? hop.messages));
}

/**
 * Screens content for prompt injection. Content is only data: a flag never changes
 * routing. Mode `deny` refuses the hop, `approval` refuses it too (a one-hop route
 * cannot wait for a human; tasks pause instead), `flag` reports it in the response.
 */
function screenOrRefuse(settings: ScreeningSettings, what: "input" | "output", text: string, into: { input?: ScreeningResult; output?: ScreeningResult }): void {
  const verdict = screenUnder(settings, text);
  const refused = (result: ScreeningResult, why: string) =>
    contentFlagged(`the ${what === "input" ? "input" : "specialist's output"} looks like a prompt injection (${result.signals.join(", ")}); ${why}`, result);
  switch (verdict.action) {
    case "pass":
      return;
    case "flag":
      into[what] = verdict.result;
      return;
    case "approval":
      throw refused(verdict.result, "it needs a human's approval: submit it as a task (POST /v1/tasks)");
    case "deny":
      throw refused(verdict.result, "refused by screening");
  }
}

/** Pools and breakers settle a streamed reply when its stream ends, with its real usage. */
function settleStreams(admit: NonNullable<DispatchDeps["admit"]>, defer: (p: Promise<unknown>) => void): NonNullable<DispatchDeps["admit"]> {
  return async (s, attempt) => {
    const a = await admit(s, attempt);
    if (!a.ok) return a;
    return { ok: true, done: (o) => (o.ok && o.settled ? defer(o.settled.then((final) => a.done(final))) : a.done(o)) };
  };
}

/** The decision's reason, and which candidate or fallback served the hop when the first did not. */
export function servedReason(decision: Decision, result: Extract<DispatchResult, { ok: true }>): string {
  if (result.specialist.id === decision.specialist) return decision.reason;
  const failed = result.attempts
    .filter((a) => !a.ok)
    .map((a) => `'${a.specialist}' ${a.failure?.kind === "over_limit" ? "over its limit" : a.failure?.kind === "circuit_open" ? "circuit open" : "failed"}`)
    .filter((x, i, all) => all.indexOf(x) === i)
    .join(", ");
  // a hedge or an ensemble's answer comes with no failed attempt of its own to name
  return `${decision.reason}; ${failed ? `${failed}, ` : ""}served by ${decision.candidates.includes(result.specialist.id) ? "candidate" : "fallback"} '${result.specialist.id}'`;
}
