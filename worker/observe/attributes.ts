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
  /** The MCP tool a tool call calls, as the MCP door names it (OpenTelemetry GenAI `gen_ai.tool.name`). */
  tool: "gen_ai.tool.name",
} as const;
