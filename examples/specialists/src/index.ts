/**
 * The bundled example specialists: one Worker, one `POST` path per specialist,
 * speaking the router's JSON wire contract:
 *
 *   request  `{ input: string, intent?: { id, label, confidence }, context?: object }`
 *   200      `{ output: { text, ...fields }, usage: { units: 1 } }`
 *   400      malformed JSON or body (problem+json with `errors`)
 *   422      input the specialist cannot handle (problem+json)
 *   404/405  unknown path / wrong method (problem+json)
 *
 * Routes only validate and map results; the work is in the pure `skills/*`.
 * `context.now` (ISO date-time) and `context.timezone` (IANA) make `/datetime`
 * deterministic; `context.maxSentences` sets the length of `/summarize`.
 *
 * Two helpers for the router's tasks are not in the catalog (nothing routes to
 * them by intent): `/planner` turns the goal in `input` into a plan (optional
 * `context.specialists`), and `/verifier` checks `context.verification`
 * (`{ input, output, specialist?, intent? }`) and answers `{ pass, score, reason }`.
 *
 * `/mcp` is not a specialist but an MCP server (Streamable HTTP, stateless): a demo
 * "ops" toolbox for the router's MCP gateway (mcp/toolbox.ts). The SDK is imported on
 * the first request to `/mcp`, so the specialists' startup does not pay for it.
 */
import { Hono, type Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import { evaluateArithmetic } from "./skills/arithmetic.ts";
import { CATALOG } from "./skills/catalog.ts";
import { answerDate } from "./skills/datetime.ts";
import { isTimeZone } from "./skills/datetime-zones.ts";
import { general } from "./skills/general.ts";
import { plan } from "./skills/planner.ts";
import { summarize } from "./skills/summarize.ts";
import { textStats } from "./skills/text-stats.ts";
import { convertUnits } from "./skills/units.ts";
import { verify } from "./skills/verifier.ts";

/** Longest request body read, in bytes (input is at most 20,000 characters). */
const MAX_BODY_BYTES = 256 * 1024;

/** The request body of the wire contract. */
export const SpecialistRequest = z.object({
  input: z.string().min(1).max(20_000),
  intent: z.object({ id: z.string(), label: z.string(), confidence: z.number() }).nullish(),
  context: z.record(z.string(), z.unknown()).nullish(),
});
export type SpecialistRequest = z.infer<typeof SpecialistRequest>;

const DatetimeContext = z.object({
  now: z.iso.datetime({ offset: true }).optional(),
  timezone: z.string().refine(isTimeZone, "not a known IANA time zone").optional(),
});
const SummarizeContext = z.object({ maxSentences: z.number().int().min(1).max(100).optional() });
const PlannerContext = z.object({
  specialists: z
    .array(z.object({ id: z.string().min(1).max(64), description: z.string().max(2_000).optional(), intents: z.array(z.string().max(128)).max(50).optional() }))
    .max(100)
    .optional(),
});
const VerifierContext = z.object({
  verification: z.object({ input: z.string(), output: z.unknown().optional(), specialist: z.string().optional(), intent: z.string().optional() }),
});

interface Issue {
  path: string;
  message: string;
}

/** An RFC 9457 problem document (`urn:switchyard:problem:<slug>`). */
function problem(status: ContentfulStatusCode, slug: string, title: string, detail: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): Response {
  const body = { type: `urn:switchyard:problem:${slug}`, title, status, detail, ...extra };
  return new Response(JSON.stringify(body), { status, headers: { ...headers, "content-type": "application/problem+json" } });
}

const badRequest = (detail: string, errors: Issue[]): Response => problem(400, "bad-request", "Bad request", detail, { errors });
const issues = (error: z.ZodError, prefix: string[] = []): Issue[] =>
  error.issues.map((i) => ({ path: [...prefix, ...i.path.map(String)].join("."), message: i.message }));

/** Reads and validates the JSON body; a `Response` is a 400/413 to return as is. */
async function readRequest(c: Context): Promise<SpecialistRequest | Response> {
  const declared = Number(c.req.header("content-length") ?? "0");
  const raw = declared > MAX_BODY_BYTES ? "" : await c.req.text();
  if (declared > MAX_BODY_BYTES || raw.length > MAX_BODY_BYTES)
    return problem(413, "payload-too-large", "Payload too large", `The request body exceeds ${MAX_BODY_BYTES} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (e) {
    return badRequest("The request body is not valid JSON", [{ path: "", message: e instanceof Error ? e.message : String(e) }]);
  }
  const parsed = SpecialistRequest.safeParse(json);
  return parsed.success ? parsed.data : badRequest("The request body does not match the specialist contract", issues(parsed.error));
}

type SkillResult = ({ ok: true; text: string } & object) | { ok: false; reason: string };

/** 200 with the skill's fields as `output`, or 422 with its reason. */
function reply(c: Context, specialist: string, result: SkillResult): Response {
  if (!result.ok) return problem(422, "unprocessable-input", "Input not understood", result.reason, { specialist });
  const { ok: _ok, ...output } = result;
  return c.json({ output, usage: { units: 1 } });
}

/** Parses the request context with `schema`; a `Response` is a 400 to return. */
function readContext<T>(req: SpecialistRequest, schema: z.ZodType<T>): T | Response {
  const parsed = schema.safeParse(req.context ?? {});
  return parsed.success ? parsed.data : badRequest("The request context is invalid", issues(parsed.error, ["context"]));
}

/**
 * The Worker's hono app (also the default export).
 *
 * @example
 * const res = await app.request("/arithmetic", { method: "POST", body: JSON.stringify({ input: "2 + 2" }) });
 * await res.json(); // { output: { text: "2 + 2 = 4", expression: "2 + 2", value: 4 }, usage: { units: 1 } }
 */
export const app = new Hono();

const TRACEPARENT = /^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/u;
app.use(async (c, next) => {
  await next();
  const trace = c.req.header("traceparent");
  if (trace !== undefined && TRACEPARENT.test(trace)) c.res.headers.set("traceparent", trace);
});

app.get("/healthz", (c) => c.json({ ok: true, specialists: CATALOG.map((s) => s.name) }));

const simple: Record<string, (input: string) => SkillResult> = {
  "/arithmetic": evaluateArithmetic,
  "/units": convertUnits,
  "/text-stats": textStats,
  "/general": general,
};
for (const [path, skill] of Object.entries(simple)) {
  app.post(path, async (c) => {
    const req = await readRequest(c);
    return req instanceof Response ? req : reply(c, path.slice(1), skill(req.input));
  });
}

/** A skill that also reads a validated `context`: one route per path, the same steps. */
function withContext<T>(path: string, schema: z.ZodType<T>, skill: (input: string, ctx: T) => SkillResult): void {
  app.post(path, async (c) => {
    const req = await readRequest(c);
    if (req instanceof Response) return req;
    const ctx = readContext(req, schema);
    return ctx instanceof Response ? ctx : reply(c, path.slice(1), skill(req.input, ctx));
  });
}

withContext("/datetime", DatetimeContext, (input, ctx) =>
  answerDate(input, { now: ctx.now === undefined ? new Date() : new Date(ctx.now), ...(ctx.timezone === undefined ? {} : { timeZone: ctx.timezone }) }),
);
withContext("/summarize", SummarizeContext, (input, ctx) => summarize(input, ctx.maxSentences));
withContext("/planner", PlannerContext, (input, ctx) => plan(input, ctx.specialists));
withContext("/verifier", VerifierContext, (_input, ctx) => verify(ctx.verification));

app.post("/mcp", async (c) => (await import("./mcp/serve.ts")).serveMcp(c.req.raw));
// stateless: no session to delete and no server-initiated stream to GET (the MCP client takes the 405 as "no stream")
app.all("/mcp", (c) => problem(405, "method-not-allowed", "Method not allowed", `${c.req.method} is not allowed on /mcp; use POST`, {}, { allow: "POST" }));

const paths = CATALOG.map((s) => s.path);
for (const path of [...paths, "/planner", "/verifier"])
  app.all(path, (c) => problem(405, "method-not-allowed", "Method not allowed", `${c.req.method} is not allowed on ${path}; use POST`, {}, { allow: "POST" }));
app.all("/healthz", (c) => problem(405, "method-not-allowed", "Method not allowed", `${c.req.method} is not allowed on /healthz; use GET`, {}, { allow: "GET, HEAD" }));

app.notFound((c) =>
  problem(404, "not-found", "Not found", `No specialist at ${new URL(c.req.url).pathname}; POST to one of ${paths.join(", ")} or GET /healthz`),
);

app.onError((err, c) => {
  console.error(`specialists: unhandled error on ${c.req.method} ${new URL(c.req.url).pathname}`, err);
  return problem(500, "internal-error", "Internal error", "The specialist failed unexpectedly");
});

export default app satisfies ExportedHandler;
