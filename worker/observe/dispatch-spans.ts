import type { SpecialistOutcome } from "../routing/hop.ts";
import type { Specialist } from "../config/schema.ts";
import type { DispatchDeps } from "../routing/dispatch.ts";
import { ATTR, SPAN } from "./attributes.ts";
import type { Tracer } from "./span.ts";

/** A specialist call that sends `traceparent` (the attempt's span) on to the specialist. */
export type TracedCall = (s: Specialist, attempt: number, traceparent: string) => Promise<SpecialistOutcome>;

/** What the pools charge for one call: `costPerCall`, plus the cost the specialist reports on success. */
export function callCost(s: Specialist, o: SpecialistOutcome): number {
  return s.costPerCall + (o.ok ? (o.usage.costUsd ?? 0) : 0);
}

/**
 * Wraps a dispatch's admission and call in spans: one `admission` span per attempt
 * (admitted or denied, with the failure kind), then one `specialist.call` client
 * span per call made (specialist, attempt, endpoint type, outcome, failure kind,
 * upstream status, cost, tokens; a stream's span ends when its stream does). The call gets the call span's `traceparent`, so
 * the specialist's own spans nest under it. Without a tracer, the call gets
 * `fallbackTraceparent` and nothing is recorded. `attributes` go on every span (a
 * tool call's `gen_ai.tool.name`).
 */
export function traceAttempts(
  tracer: Tracer | undefined,
  parent: string | undefined,
  deps: { admit?: DispatchDeps["admit"]; call: TracedCall },
  fallbackTraceparent: string,
  attributes: Record<string, string> = {},
): Pick<DispatchDeps, "admit" | "call"> {
  const admit = deps.admit;
  if (!tracer) return { ...(admit ? { admit } : {}), call: (s, attempt) => deps.call(s, attempt, fallbackTraceparent) };
  const base = (s: Specialist, attempt: number) => ({ ...attributes, [ATTR.specialist]: s.id, [ATTR.attempt]: attempt });
  return {
    ...(admit
      ? {
          admit: async (s: Specialist, attempt: number) => {
            const span = tracer.start(SPAN.admission, { parent, attributes: base(s, attempt) });
            try {
              const a = await admit(s, attempt);
              if (a.ok) span.end({ code: "ok" }, { [ATTR.admission]: "admitted" });
              else
                span.end(
                  { code: "error", message: a.failure.detail },
                  { [ATTR.admission]: "denied", [ATTR.errorType]: a.failure.kind, [ATTR.retryAfter]: a.failure.retryAfterSeconds },
                );
              return a;
            } catch (e) {
              span.end({ code: "error", message: String(e) }, { [ATTR.admission]: "error", [ATTR.errorType]: "exception" });
              throw e;
            }
          },
        }
      : {}),
    call: async (s, attempt) => {
      const span = tracer.start(SPAN.call, { parent, kind: "client", attributes: { ...base(s, attempt), [ATTR.endpoint]: s.endpoint.type } });
      let o: SpecialistOutcome;
      try {
        o = await deps.call(s, attempt, span.traceparent());
      } catch (e) {
        span.end({ code: "error", message: String(e) }, { [ATTR.outcome]: "exception", [ATTR.errorType]: "exception", [ATTR.costUsd]: s.costPerCall });
        throw e;
      }
      const end = (x: SpecialistOutcome) => {
        if (x.ok)
          span.end(
            { code: "ok" },
            { [ATTR.outcome]: "ok", [ATTR.costUsd]: callCost(s, x), [ATTR.inputTokens]: x.usage.inputTokens, [ATTR.outputTokens]: x.usage.outputTokens },
          );
        else
          span.end(
            { code: "error", message: x.failure.body ? `${x.failure.detail}: ${x.failure.body}` : x.failure.detail }, // the upstream's own words go to the trace only
            { [ATTR.outcome]: x.failure.kind, [ATTR.errorType]: x.failure.kind, [ATTR.httpStatus]: x.failure.status, [ATTR.costUsd]: callCost(s, x) },
          );
      };
      // a stream's call ends when its stream does, with how it ended
      if (o.ok && o.settled) void o.settled.then(end);
      else end(o);
      return o;
    },
  };
}
