import { ATTR_ERROR_TYPE, ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_HTTP_ROUTE } from "@opentelemetry/semantic-conventions";

/**
 * Span names and attribute keys. OpenTelemetry's stable semantic conventions where
 * one fits (`http.*`, `error.type`), `switchyard.*` for the router's own.
 */
export const SPAN = {
  intent: "intent",
  decide: "decide",
  admission: "admission",
  call: "specialist.call",
  task: "task",
  step: "step",
  plan: "plan",
  verification: "verification",
  /** An escalation to an LLM router (`router.escalation`): its admission and call are its children. */
  escalation: "intent.escalation",
  /** A hedged call (issue 18): its calls are its children; `switchyard.specialist` is the primary. */
  hedge: "hedge",
  /** An ensemble (issue 18): its candidates' and judge's calls are its children; `switchyard.specialist` is the decided one. */
  ensemble: "ensemble",
} as const;

export const ATTR = {
  httpMethod: ATTR_HTTP_REQUEST_METHOD,
  httpRoute: ATTR_HTTP_ROUTE,
  httpStatus: ATTR_HTTP_RESPONSE_STATUS_CODE,
  errorType: ATTR_ERROR_TYPE,
  hop: "switchyard.hop.id",
  task: "switchyard.task.id",
  step: "switchyard.step.id",
  tenant: "switchyard.tenant",
  specialist: "switchyard.specialist",
  attempt: "switchyard.attempt",
  endpoint: "switchyard.endpoint.type",
  outcome: "switchyard.outcome",
  costUsd: "switchyard.cost_usd",
  intentId: "switchyard.intent.id",
  intentLabel: "switchyard.intent.label",
  intentConfidence: "switchyard.intent.confidence",
  intentSource: "switchyard.intent.source",
  decisionReason: "switchyard.decision.reason",
  admission: "switchyard.admission",
  retryAfter: "switchyard.retry_after_s",
  inputTokens: "gen_ai.usage.input_tokens",
  outputTokens: "gen_ai.usage.output_tokens",
  verdictPass: "switchyard.verdict.pass",
  verdictScore: "switchyard.verdict.score",
  verifier: "switchyard.verifier",
  attempts: "switchyard.attempts",
  status: "switchyard.status",
  /** How an escalation ended (`picked`, `none`, `invalid`, `timeout`, `skipped`, `failed`). */
  escalationOutcome: "switchyard.escalation.outcome",
  /** The label an escalation picked. */
  escalationPick: "switchyard.escalation.label",
  /** Why a call was coordinated: the rule or the step's own strategy, in words. */
  coordination: "switchyard.coordination",
  hedgeWith: "switchyard.hedge.with",
  hedgeDelayMs: "switchyard.hedge.delay_ms",
  /** Whether the hedge call was started. */
  hedged: "switchyard.hedge.hedged",
  /** Who answered first: the primary or the hedge specialist. */
  hedgeWinner: "switchyard.hedge.winner",
  hedgeBudgetDenied: "switchyard.hedge.budget_denied",
  /** How an ensemble ended: `accepted`, `approval`, `failed`. */
  ensembleDecision: "switchyard.ensemble.decision",
  ensembleAgreement: "switchyard.ensemble.agreement",
  /** The MCP tool a tool call calls, as the MCP door names it (OpenTelemetry GenAI `gen_ai.tool.name`). */
  tool: "gen_ai.tool.name",
} as const;
