import { z } from "zod";
import { lazy } from "../lazy.ts";
import { PolicyRule } from "../policy/policy.ts";
import { ScreeningSettings } from "../policy/screening.ts";
import { ObservabilitySettings } from "../observe/settings.ts";
import { MAX_PLAN_STEPS, Plan } from "../tasks/plan.ts";
import { RESERVED_BINDINGS } from "../env.ts";
import { privateDestination } from "./destinations.ts";
import { normalizeInput } from "../intent/normalize.ts";
import { BindingName, Endpoint } from "./endpoints.ts";
import { MEDIA_RANGE, uncarriedMode } from "./input-modes.ts";
import { McpSettings, mcpServerIssues, splitToolName } from "./mcp.ts";
import { LearningSettings } from "./learning.ts";
import { EscalationSettings, escalationIssues } from "./escalation.ts";
import { CoordinationRule, coordinationIssues, HedgingSettings } from "./coordination.ts";

export * from "./endpoints.ts";
export { MCP_OWN_TOOLS, McpSettings, splitToolName } from "./mcp.ts";
export { LearningSettings } from "./learning.ts";

// Every schema here is a `z.lazy`: built on its first parse, not when the Worker starts
// (the bundled config is validated at build time: config/built.ts).

/** Specialist ids and intent labels: lowercase, stable, URL-safe. */
const Id = z.lazy(() => z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, "lowercase letters, digits, '_' or '-', starting with a letter"));
const Label = z.lazy(() => z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,127}$/, "lowercase letters, digits, '_', '.', '-'"));

export const IntentDef = z.lazy(() =>
  z.strictObject({
    label: Label,
    description: z.string().max(500).optional(),
    examples: z.array(z.string().min(1).max(2000)).min(1).max(10_000),
  }),
);

/** Shared limits of a specialist, enforced by its RateLimitPool Durable Object(s). */
export const Limits = z.lazy(() =>
  z.strictObject({
    /** Requests in any 60-second window (strict: never more, across every isolate). */
    rpm: z.number().int().positive().max(1_000_000).optional(),
    /** Tokens (as the specialist reports in usage) in any 60-second window. */
    tpm: z.number().int().positive().optional(),
    /** Calls in flight at once; a crashed caller's lease expires after `leaseTtlMs`. */
    concurrency: z.number().int().positive().max(100_000).optional(),
    /** USD per UTC day, from `costPerCall` plus the cost the specialist reports. */
    dailyBudgetUsd: z.number().nonnegative().optional(),
    /**
     * The most one call may cost, USD (`costPerCall` included): reserved against daily
     * budgets at admission when the call does not bound its own cost (pools/reservation.ts).
     */
    maxCallCostUsd: z.number().nonnegative().optional(),
    /** Split a hot pool across this many Durable Objects, each with its share of the limits. */
    shards: z.number().int().min(1).max(64).default(1),
    leaseTtlMs: z.number().int().min(1000).max(600_000).optional(),
  }),
);

/** Circuit breaker thresholds (closed → open → half-open). */
export const Breaker = z.lazy(() =>
  z.strictObject({
    /** Failures within `windowMs` that open the circuit. */
    failureThreshold: z.number().int().min(1).max(1000).default(5),
    windowMs: z.number().int().min(100).max(3_600_000).default(30_000),
    /** How long it stays open before letting probes through. */
    openMs: z.number().int().min(100).max(3_600_000).default(10_000),
    halfOpenProbes: z.number().int().min(1).max(100).default(1),
  }),
);

/** What a specialist declares it can honour, over its endpoint type's defaults (routing/capabilities.ts). */
export const CapabilitiesDecl = z.lazy(() =>
  z.strictObject({
    tools: z.boolean().optional(),
    jsonSchema: z.boolean().optional(),
    vision: z.boolean().optional(),
    audio: z.boolean().optional(),
    files: z.boolean().optional(),
    streaming: z.boolean().optional(),
    multipleChoices: z.boolean().optional(),
    logprobs: z.boolean().optional(),
    passThrough: z.boolean().optional(),
    /** Longest conversation plus reply, in tokens (estimated by the router at 4 characters a token). */
    maxContextTokens: z.number().int().positive().optional(),
    /**
     * Media types (or ranges: `image/*`) of the message parts it accepts (A2A `inputModes`,
     * config/input-modes.ts). Default: text/plain and application/json, plus image/* for a
     * chat model that takes images. A part it does not accept is refused (-32005), never dropped.
     */
    inputModes: z.array(z.string().regex(MEDIA_RANGE, "a media type or range, e.g. image/png or image/*")).min(1).max(50).optional(),
  }),
);

export const Specialist = z.lazy(() =>
  z.strictObject({
    id: Id,
    description: z.string().max(1000).default(""),
    endpoint: Endpoint,
    intents: z.array(IntentDef).default([]),
    costPerCall: z.number().nonnegative().default(0),
    limits: Limits.default(Limits.parse({})),
    /** Deadline of one call: the whole reply, or for a stream until its first content chunk. */
    timeoutMs: z.number().int().min(1).max(300_000).default(10_000),
    /** Longest silence between two events of a stream once it has started; then it ends with an error event. */
    streamIdleTimeoutMs: z.number().int().min(100).max(600_000).default(30_000),
    capabilities: CapabilitiesDecl.optional(),
    retries: z.number().int().min(0).max(5).default(0),
    fallbacks: z.array(Id).default([]),
    /** Circuit breaker of this specialist; `false` turns it off. Defaults to `router.breaker`. */
    breaker: z.union([Breaker, z.literal(false)]).optional(),
  }),
);
export type Specialist = z.infer<typeof Specialist>;

export const RouterSettings = z.lazy(() =>
  z.strictObject({
    encoder: z.enum(["builtin", "workers-ai"]).default("builtin"),
    /** Workers AI embedding model, used only with `encoder: "workers-ai"`. */
    workersAiModel: z.string().default("@cf/baai/bge-small-en-v1.5"),
    minConfidence: z.number().min(0).max(1).default(0.35),
    fallback: Id.optional(),
    topK: z.number().int().min(1).max(20).default(3),
    /** How long a classified intent stays in the Cache API and KV tiers. */
    intentTtlSeconds: z.number().int().min(60).max(30 * 86_400).default(7 * 86_400),
    /** Entries kept in each isolate's LRU. */
    lruSize: z.number().int().min(16).max(1_000_000).default(10_000),
    maxBodyBytes: z.number().int().min(1024).max(10 * 1024 * 1024).default(1024 * 1024),
    maxInputChars: z.number().int().min(1).max(1_000_000).default(20_000),
    /**
     * How long a read of the control plane (kill switches, registrations) may take: one
     * not answered by then counts as failed (the last good switches are served, or a 503
     * before any was read), so a control plane that hangs never holds a request.
     */
    controlReadTimeoutMs: z.number().int().min(100).max(60_000).default(10_000),
    /**
     * Specialists whose intent confidence is within this margin of the best are
     * equally capable: the cheapest of them with capacity and a closed breaker wins.
     */
    costMargin: z.number().min(0).max(1).default(0.1),
    /** Event streams (task SSE feeds, A2A streams) a tenant may hold open at once, across the whole edge. */
    maxStreamsPerTenant: z.number().int().min(1).max(100_000).default(32),
    /**
     * The router's public base URL (`https://router.example.com`), named in its A2A agent
     * card. Unset, the card names the URL it was requested at and is not cached.
     */
    publicUrl: z.url({ protocol: /^https?$/ }).optional(),
    /**
     * Let specialist URLs point at this machine or private networks (loopback, private,
     * link-local/metadata ranges; config/destinations.ts). Off by default; for local
     * development and tests against servers on 127.0.0.1.
     */
    allowPrivateNetworks: z.boolean().default(false),
    /** Default circuit breaker for every specialist (`false`: none unless a specialist sets one). */
    breaker: z.union([Breaker, z.literal(false)]).default(Breaker.parse({})),
    /**
     * How a hop chooses among equally capable candidates (within `costMargin`):
     * `"static"` (default) the cheapest; `"learned"` by their outcomes for the intent,
     * Thompson sampling (routing/selection.ts; `learning.selection`).
     */
    selection: z.enum(["static", "learned"]).default("static"),
    /** Ask a chat specialist to pick when the classifier is unsure (config/escalation.ts); off when absent. */
    escalation: EscalationSettings.optional(),
  }),
);

/** A named, reusable plan: `POST /v1/tasks { workflow: "<id>" }`. */
export const Workflow = z.lazy(() =>
  z.strictObject({
    id: Id,
    description: z.string().max(1000).default(""),
    plan: Plan,
  }),
);

/** Settings of multi-step tasks (TaskAgent Durable Objects). */
export const TaskSettings = z.lazy(() =>
  z.strictObject({
    /** A task waiting for approval longer than this is rejected (by "system"). */
    approvalTtlSeconds: z.number().int().min(1).max(30 * 86_400).default(86_400),
    /**
     * How long a step may wait out transient refusals (a pool or tenant over its limit, a
     * circuit open, the specialist's 429), from its first, before it fails.
     */
    maxStepWaitSeconds: z.number().int().min(0).max(86_400).default(600),
    /** Specialist asked for a plan when a task gives neither `plan` nor `workflow` and has `planner: true`. */
    planner: Id.optional(),
    /** Context (the task's `context` object) larger than this is stored once and passed by reference. */
    contextInlineBytes: z.number().int().min(0).max(1_000_000).default(4096),
    /**
     * Open approvals one reviewer may hold at once in a tenant's approvals inbox
     * (`POST /v1/approvals/:taskId/assign`): one more is a 409 naming this cap.
     */
    maxOpenApprovalsPerReviewer: z.number().int().min(1).max(10_000).default(20),
    /**
     * Of a round's ready steps, how many the TaskAgent runs inline (in its own
     * invocation); the rest are dispatched through the steps queue, one message each,
     * and each runs in its own invocation of the TaskAgent (docs/tasks.md, "Fan-out
     * through the queue"). Without a `STEPS` queue binding every step runs inline.
     */
    inlineSteps: z.number().int().min(1).max(MAX_PLAN_STEPS).default(8),
  }),
);

/** Settings of the A2A front door (docs/protocols/a2a.md). */
export const A2aSettings = z.lazy(() =>
  z.strictObject({
    /**
     * What `SendMessage` answers for a message that is not a multi-step goal: `"task"`
     * (default) runs it as a one-step TaskAgent task, answered as an A2A Task that can be
     * read, listed, cancelled, followed and answered later; `"message"` serves it as
     * one routed hop answered as an agent Message (lighter: nothing is stored). Both are
     * allowed by the A2A spec (1.0 §3.1.1 "Send Message"). A request's
     * `metadata.switchyard.mode` overrides it.
     */
    sendMessageResult: z.enum(["task", "message"]).default("task"),
  }),
);

/** The whole router config (DESIGN §4). Validated at start and by `npm run check-config`. */
export const Config = z.lazy(() =>
  z
    .strictObject({
      $schema: z.string().optional(),
      router: RouterSettings.default(RouterSettings.parse({})),
      specialists: z.array(Specialist).min(1),
      workflows: z.array(Workflow).default([]),
      tasks: TaskSettings.default(TaskSettings.parse({})),
      a2a: A2aSettings.default(A2aSettings.parse({})),
      mcp: McpSettings.default(McpSettings.parse({})),
      /** Which steps (and, opted in, hops) ask several specialists or hedge, by intent glob or workflow (config/coordination.ts). */
      coordination: z.array(CoordinationRule).max(100).default([]),
      /** Each tenant's budget of hedge calls (off by default). */
      hedging: HedgingSettings.default(HedgingSettings.parse({})),
      /** Learning from feedback: corrections as training examples, their guards, outcome-aware choice. */
      learning: LearningSettings.default(LearningSettings.parse({})),
      /**
       * The Worker secrets specialists may use as `apiKeySecret` (docs/config.md): a
       * specialist can name only these, and none of the router's own bindings.
       */
      secrets: z.array(BindingName).max(200).default([]),
      /** Evaluated on every hop, in order; the first rule with an effect decides (docs/governance.md, "Policies"). */
      policies: z.array(PolicyRule).max(1000).default([]),
      /** Per-tenant shared limits (a `tenant:<name>` pool admits every call of the tenant). */
      tenants: z
        .record(
          z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "a tenant name"),
          z.strictObject({ limits: Limits.unwrap().pick({ rpm: true, tpm: true, concurrency: true, dailyBudgetUsd: true }) }),
        )
        .default({}),
      /** Prompt-injection screening of inputs and specialist outputs. */
      screening: ScreeningSettings.default(ScreeningSettings.parse({})),
      /** Tracing export (OTLP), hop logs, metrics, hop trace retention (docs/observability.md). */
      observability: ObservabilitySettings.default(ObservabilitySettings.parse({})),
    })
    .superRefine((cfg, ctx) => {
      const ids = new Set<string>();
      cfg.specialists.forEach((s, i) => {
        if (ids.has(s.id)) ctx.addIssue({ code: "custom", path: ["specialists", i, "id"], message: `duplicate specialist id '${s.id}'` });
        ids.add(s.id);
      });
      const labels = new Map<string, string>();
      cfg.specialists.forEach((s, i) =>
        s.intents.forEach((intent, j) => {
          const owner = labels.get(intent.label);
          if (owner !== undefined)
            ctx.addIssue({
              code: "custom",
              path: ["specialists", i, "intents", j, "label"],
              message: `intent label '${intent.label}' is already declared by specialist '${owner}'`,
            });
          labels.set(intent.label, s.id);
        }),
      );
      // the same example under two intents pulls them together; an example with no letter or digit teaches nothing
      const examples = new Map<string, string>();
      cfg.specialists.forEach((s, i) =>
        s.intents.forEach((intent, j) =>
          intent.examples.forEach((ex, k) => {
            const path = ["specialists", i, "intents", j, "examples", k];
            const here = `specialists[${s.id}] intent '${intent.label}' example ${k}`;
            const n = normalizeInput(ex);
            if (!/[\p{L}\p{N}]/u.test(n)) ctx.addIssue({ code: "custom", path, message: "has no letter or digit: it teaches the classifier nothing" });
            const first = examples.get(n);
            if (first !== undefined) ctx.addIssue({ code: "custom", path, message: `the same example as ${first} (after normalising case and spaces)` });
            else examples.set(n, here);
          }),
        ),
      );
      if (labels.size === 0)
        ctx.addIssue({ code: "custom", path: ["specialists"], message: "at least one specialist must declare intents with examples" });
      const declared = new Set(cfg.secrets);
      cfg.secrets.forEach((name, i) => {
        if (RESERVED_BINDINGS.has(name)) ctx.addIssue({ code: "custom", path: ["secrets", i], message: `'${name}' is one of the router's own bindings; it cannot be given to specialists` });
      });
      cfg.specialists.forEach((s, i) => {
        const name = "apiKeySecret" in s.endpoint ? s.endpoint.apiKeySecret : undefined;
        if (name !== undefined && !declared.has(name))
          ctx.addIssue({ code: "custom", path: ["specialists", i, "endpoint", "apiKeySecret"], message: `secret '${name}' is not declared: add it to the top-level "secrets" list` });
      });
      cfg.specialists.forEach((s, i) =>
        s.capabilities?.inputModes?.forEach((mode, j) => {
          const why = uncarriedMode(s, mode);
          if (why) ctx.addIssue({ code: "custom", path: ["specialists", i, "capabilities", "inputModes", j], message: why });
        }),
      );
      if (!cfg.router.allowPrivateNetworks)
        cfg.specialists.forEach((s, i) => {
          // a URL reached through a service binding is never resolved: its host is only a name
          const urls: [string, (string | number)[]][] = "url" in s.endpoint && !("binding" in s.endpoint && s.endpoint.binding) ? [[s.endpoint.url, ["url"]]] : [];
          if (s.endpoint.type === "a2a") s.endpoint.allowedOrigins.forEach((o, j) => urls.push([o, ["allowedOrigins", j]]));
          for (const [url, path] of urls) {
            const why = privateDestination(url);
            if (why) ctx.addIssue({ code: "custom", path: ["specialists", i, "endpoint", ...path], message: `points at a ${why}; set router.allowPrivateNetworks for local development` });
          }
        });
      [...mcpServerIssues(cfg), ...escalationIssues(cfg), ...coordinationIssues(cfg)].forEach((issue) => ctx.addIssue({ code: "custom", ...issue }));
      const fallback = cfg.router.fallback;
      if (fallback !== undefined && !ids.has(fallback))
        ctx.addIssue({ code: "custom", path: ["router", "fallback"], message: `unknown specialist '${fallback}'` });
      cfg.specialists.forEach((s, i) =>
        s.fallbacks.forEach((f, j) => {
          if (!ids.has(f)) ctx.addIssue({ code: "custom", path: ["specialists", i, "fallbacks", j], message: `unknown specialist '${f}'` });
          else if (f === s.id) ctx.addIssue({ code: "custom", path: ["specialists", i, "fallbacks", j], message: "a specialist cannot be its own fallback" });
        }),
      );
      const servers = new Set(cfg.specialists.filter((s) => s.endpoint.type === "mcp").map((s) => s.id));
      const known = (path: (string | number)[], id: string | undefined) => {
        if (id !== undefined && !ids.has(id)) ctx.addIssue({ code: "custom", path, message: `unknown specialist '${id}'` });
      };
      known(["tasks", "planner"], cfg.tasks.planner);
      const workflowIds = new Set<string>();
      cfg.workflows.forEach((w, i) => {
        if (workflowIds.has(w.id)) ctx.addIssue({ code: "custom", path: ["workflows", i, "id"], message: `duplicate workflow id '${w.id}'` });
        workflowIds.add(w.id);
        w.plan.steps.forEach((step, j) => {
          known(["workflows", i, "plan", "steps", j, "specialist"], step.specialist);
          known(["workflows", i, "plan", "steps", j, "verifier"], step.verifier);
          const server = step.tool === undefined ? undefined : splitToolName(step.tool)?.server;
          if (server !== undefined && !servers.has(server)) ctx.addIssue({ code: "custom", path: ["workflows", i, "plan", "steps", j, "tool"], message: `no MCP server '${server}' (an 'mcp' specialist)` });
          if (step.intent !== undefined && !labels.has(step.intent))
            ctx.addIssue({ code: "custom", path: ["workflows", i, "plan", "steps", j, "intent"], message: `no specialist declares intent '${step.intent}'` });
        });
      });
    }),
);
export type Config = z.infer<typeof Config>;
export type ConfigInput = z.input<typeof Config>;

/** The router settings' defaults, parsed on first use (needed only when a config does not validate). */
export const routerDefaults = lazy(() => RouterSettings.parse({}));
